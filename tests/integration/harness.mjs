// Black-box test harness for the Tribune server.
//
// Spawns the real binary, talks to it only over HTTP and its command line, and
// makes sure no server process outlives the test file that started it.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import assert from 'node:assert/strict';
import { BACKEND, databaseUrlFor, dropDatabases, shareDatabase, storageEnv } from './storage_backend.mjs';

export { BACKEND, PG_BASE_URL, databaseUrlFor, sql, storageEnv } from './storage_backend.mjs';

export const TRIBUNE_BIN = process.env.TRIBUNE_BIN || fileURLToPath(new URL('../../build/tribune', import.meta.url));
export const SESSION_COOKIE = '__Host-tribune_session';
export const PASSWORD = 'correct horse battery staple';


const READY_TIMEOUT_MS = 15_000;
const LOG_CAP = 256 * 1024;

/** Environment every spawned server / CLI gets (the caller's env is merged on top). */
export const BASE_ENV = {
  TRIBUNE_CAPTCHA_REQUIRED: 'false',
  TRIBUNE_LIMITS_ENABLED: 'false',
  TRIBUNE_LOG_ACCESS: 'false',
  // Every server of a run shares one cache of compiled lexicons, so only the first compiles them.
  TRIBUNE_MODERATION_CACHE_DIR: join(tmpdir(), 'tribune-it-lexicon-cache'),
};

// Compile the lexicons into that cache before any server starts: a cold compile of every language takes
// tens of seconds on a busy 2-core machine, far beyond a server's start-up timeout; once cached, each
// test file pays ~0.1 s here. A failure shows up again, with its message, when the servers start.
if (existsSync(TRIBUNE_BIN)) {
  spawnSync(TRIBUNE_BIN, ['moderate', '--explain', 'warm up the lexicon cache'],
    { env: { ...process.env, ...BASE_ENV }, stdio: 'ignore', timeout: 300_000 });
}

// ---------------------------------------------------------------------------
// Process bookkeeping: every live child is killed when this test process ends.

const liveChildren = new Set();
const tempDirs = new Set();

function killAllChildren() {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  liveChildren.clear();
}

process.on('exit', () => {
  killAllChildren();
  if (!process.env.TRIBUNE_KEEP_DATA) {
    for (const dir of tempDirs) {
      try { rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
    }
    dropDatabases();
  }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { killAllChildren(); process.exit(130); });
}

/**
 * A fresh, empty data directory, removed when the test process exits (unless TRIBUNE_KEEP_DATA is set).
 * On PostgreSQL also a fresh database for it (see BACKEND), dropped at exit.
 */
export function newDataDir(prefix = 'tribune-it-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  if (BACKEND === 'postgresql') databaseUrlFor(dir);
  return dir;
}

/**
 * A fresh data directory for another server on the same database as `dataDir` (several servers, one database).
 * On PostgreSQL no database is created for it: servers, CLI commands and sql() given the new directory use
 * `dataDir`'s database. On SQLite simply a fresh directory (its own database file).
 */
export function newDataDirSharing(dataDir, prefix = 'tribune-it-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  if (BACKEND === 'postgresql') shareDatabase(dir, dataDir);
  return dir;
}

/** The value of `--data DIR` (or `--data=DIR`) in a command line, if any. */
function dataDirFromArgs(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--data' && i + 1 < args.length) return args[i + 1];
    if (typeof args[i] === 'string' && args[i].startsWith('--data=')) return args[i].slice('--data='.length);
  }
  return undefined;
}

function capped(buf, chunk) {
  buf += chunk;
  return buf.length > LOG_CAP ? buf.slice(buf.length - LOG_CAP) : buf;
}

function waitForExit(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** A server built with -fsanitize=address,undefined reports on stderr and may keep running: fail the test. */
export function assertNoSanitizerReport(stderr) {
  const m = /(ERROR: (Address|Leak)Sanitizer[^\n]*|runtime error:[^\n]*)/.exec(stderr);
  if (m) throw new Error(`sanitizer report from the server: ${m[1]}\n${stderr.slice(-4000)}`);
}

/**
 * Start `tribune serve --listen 127.0.0.1:0 --data DIR`.
 * Resolves once stdout says `listening on http://HOST:PORT`.
 */
export async function startServer({ env = {}, dataDir, bin = TRIBUNE_BIN, args = [] } = {}) {
  if (!existsSync(bin)) throw new Error(`tribune binary not found at ${bin} (set TRIBUNE_BIN)`);
  dataDir ??= newDataDir();
  const fullArgs = ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, ...args];
  const proc = spawn(bin, fullArgs, {
    env: { ...process.env, ...BASE_ENV, ...storageEnv(dataDir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(proc);
  const exited = waitForExit(proc).then((r) => { liveChildren.delete(proc); return r; });

  const logs = { stdout: '', stderr: '' };
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c) => { logs.stderr = capped(logs.stderr, c); });

  const baseUrl = await new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn, v) => { if (!done) { done = true; clearTimeout(timer); fn(v); } };
    const timer = setTimeout(() => {
      try { proc.kill('SIGKILL'); } catch { /* ignore */ }
      finish(reject, new Error(
        `server did not print "listening on http://HOST:PORT" within ${READY_TIMEOUT_MS} ms\n` +
        `--- stdout ---\n${logs.stdout}\n--- stderr ---\n${logs.stderr}`));
    }, READY_TIMEOUT_MS);
    proc.stdout.on('data', (c) => {
      logs.stdout = capped(logs.stdout, c);
      const m = /listening on (http:\/\/[^\s/]+)/.exec(logs.stdout);
      if (m) finish(resolve, m[1]);
    });
    proc.once('error', (e) => finish(reject, e));
    exited.then(({ code, signal }) => finish(reject, new Error(
      `server exited before it was ready (code=${code}, signal=${signal})\n` +
      `--- stdout ---\n${logs.stdout}\n--- stderr ---\n${logs.stderr}`)));
  });

  const server = {
    baseUrl,
    dataDir,
    proc,
    logs,
    exited,
    /** Send `signal`; resolve with the exit code (null if the process died of a signal). Force-kills after timeoutMs. */
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        try { proc.kill(signal); } catch { /* ignore */ }
      }
      let timer;
      const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      const r = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (r === 'timeout') {
        try { proc.kill('SIGKILL'); } catch { /* ignore */ }
        await exited;
        server.stopTimedOut = true;
        return null;
      }
      assertNoSanitizerReport(logs.stderr);
      return r.code;
    },
    /** SIGKILL, resolve once the process is gone. */
    async kill() {
      try { proc.kill('SIGKILL'); } catch { /* ignore */ }
      await exited;
    },
    get running() { return proc.exitCode === null && proc.signalCode === null; },
  };
  return server;
}

/**
 * Run the tribune CLI; resolve with {code, signal, stdout, stderr}. On PostgreSQL, a `--data DIR` in `args`
 * points the command at DIR's database.
 */
export function runCli(args, { input = '', env = {}, bin = TRIBUNE_BIN, timeoutMs = 30_000 } = {}) {
  const dbEnv = storageEnv(dataDirFromArgs(args));
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { env: { ...process.env, ...BASE_ENV, ...dbEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    liveChildren.add(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (c) => { stdout = capped(stdout, c); });
    proc.stderr.on('data', (c) => { stderr = capped(stderr, c); });
    const timer = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* ignore */ } }, timeoutMs);
    proc.once('error', (e) => { clearTimeout(timer); liveChildren.delete(proc); reject(e); });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
    proc.stdin.on('error', () => { /* the CLI may exit before reading stdin */ });
    proc.stdin.end(input);
  });
}

/** `tribune admin create --data DIR --email E --role ROLE`, password on stdin; asserts exit code 0. */
export async function createAccount(bin, dataDir, email, role, password = PASSWORD) {
  const r = await runCli(['admin', 'create', '--data', dataDir, '--email', email, '--role', role],
    { input: `${password}\n`, bin: bin || TRIBUNE_BIN });
  assert.equal(r.code, 0,
    `tribune admin create ${email} ${role} exited ${r.code} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------------------
// HTTP client

function parseJson(text) {
  if (!text) return null;
  try { return JSON.parse(text); } catch { return null; }
}

function cookieValueFrom(setCookies) {
  for (const sc of setCookies) {
    const first = sc.split(';')[0];
    const eq = first.indexOf('=');
    if (eq < 0) continue;
    if (first.slice(0, eq).trim() === SESSION_COOKIE) {
      const attrs = parseSetCookie(sc).attrs;
      const value = first.slice(eq + 1).trim();
      const expired = attrs['max-age'] !== undefined && Number(attrs['max-age']) <= 0;
      return { value: value === '' || expired ? null : value };
    }
  }
  return undefined;
}

/** Parse one Set-Cookie header into {name, value, attrs} (attribute names lower-cased; flags map to true). */
export function parseSetCookie(sc) {
  const parts = sc.split(';').map((s) => s.trim());
  const [nv, ...rest] = parts;
  const eq = nv.indexOf('=');
  const attrs = {};
  for (const p of rest) {
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
  }
  return { name: nv.slice(0, eq), value: nv.slice(eq + 1), attrs };
}

/**
 * Low-level request over node:http: arbitrary bytes, arbitrary headers.
 * Never rejects: connection problems come back as {error}. If a response arrived before
 * a write error (e.g. the server answered 413 and closed), the response wins.
 */
export function rawRequest(baseUrl, { method = 'GET', path = '/', headers = {}, body, chunked = false, agent = false, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(path, baseUrl);
    let settled = false;
    let gotResponse = false;
    const finish = (v) => { if (!settled) { settled = true; resolve(v); } };
    const req = http.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent,
    }, (res) => {
      gotResponse = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        const sc = res.headers['set-cookie'] || [];
        finish({ status: res.statusCode, headers: res.headers, setCookies: sc, text, body: parseJson(text), socket: req.socket });
      });
      res.on('error', (e) => finish({ error: e, status: res.statusCode, headers: res.headers, truncated: true }));
      res.on('aborted', () => finish({ error: new Error('response aborted'), status: res.statusCode, headers: res.headers, truncated: true }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => { if (!gotResponse) finish({ error: e }); });
    if (body === undefined) { req.end(); return; }
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (!chunked) { req.end(buf); return; }
    // Chunked transfer encoding: write in 64 KiB pieces, respecting back-pressure.
    let off = 0;
    const pump = () => {
      while (off < buf.length) {
        if (req.destroyed) return;
        const piece = buf.subarray(off, off + 65536);
        off += piece.length;
        if (!req.write(piece)) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
}

/** A signed-in (or anonymous) API client that handles the session cookie and CSRF token by hand. */
export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookie = null; // value of __Host-tribune_session
    this.csrf = null;
    this.account = null;
  }

  _capture(setCookies, body) {
    const c = cookieValueFrom(setCookies);
    if (c !== undefined) this.cookie = c.value;
    if (body && typeof body === 'object' && typeof body.csrf_token === 'string') this.csrf = body.csrf_token;
  }

  _headers(method, { headers = {}, csrf, cookie } = {}) {
    const h = {};
    const ck = cookie === undefined ? this.cookie : cookie;
    if (ck) h.cookie = `${SESSION_COOKIE}=${ck}`;
    const token = csrf === undefined ? this.csrf : csrf; // csrf:false / null → no header
    if (token && !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())) h['x-csrf-token'] = token;
    return { ...h, ...headers };
  }

  /**
   * JSON request through fetch. opts: {headers, csrf (override token; false = omit), cookie (override; null = omit)}.
   * Returns {status, headers (plain object, lower-case keys), setCookies, body (parsed JSON or null), text}.
   */
  async json(method, path, body, opts = {}) {
    const headers = this._headers(method, opts);
    const init = { method, headers, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const res = await fetch(new URL(path, this.baseUrl), init);
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    const parsed = parseJson(text);
    const out = { status: res.status, headers: Object.fromEntries(res.headers), setCookies, body: parsed, text };
    this._capture(setCookies, parsed);
    return out;
  }

  /** Arbitrary bytes with arbitrary headers (session cookie and CSRF token added unless overridden). */
  async raw(method, path, { body, headers = {}, csrf, cookie, chunked = false, timeoutMs } = {}) {
    const h = this._headers(method, { headers, csrf, cookie });
    const r = await rawRequest(this.baseUrl, { method, path, headers: h, body, chunked, timeoutMs });
    if (!r.error) this._capture(r.setCookies, r.body);
    return r;
  }

  get(path, opts) { return this.json('GET', path, undefined, opts); }
  post(path, body, opts) { return this.json('POST', path, body, opts); }
  patch(path, body, opts) { return this.json('PATCH', path, body, opts); }
  del(path, opts) { return this.json('DELETE', path, undefined, opts); }

  async login(email, password = PASSWORD) {
    const r = await this.post('/api/v1/session', { email, password });
    if (r.status === 200) this.account = r.body.account;
    return r;
  }

  async me() { return this.get('/api/v1/me'); }
}

/** Log a new client in, asserting 200. */
export async function loggedIn(baseUrl, email, password = PASSWORD) {
  const c = new Client(baseUrl);
  const r = await c.login(email, password);
  assert.equal(r.status, 200, `login ${email} → ${r.status} ${r.text}`);
  assert.ok(c.cookie, `login ${email} set no ${SESSION_COOKIE} cookie`);
  assert.ok(c.csrf, `login ${email} returned no csrf_token`);
  return c;
}

// ---------------------------------------------------------------------------
// Assertions and helpers

let uniq = 0;
export function unique(prefix = 'u') {
  uniq += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${uniq}`;
}
export function uniqueEmail(prefix = 'user') { return `${unique(prefix)}@example.com`; }

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/;
export function assertTime(v, what = 'timestamp') {
  assert.equal(typeof v, 'string', `${what} should be an RFC 3339 string, got ${JSON.stringify(v)}`);
  assert.match(v, RFC3339_UTC, `${what} is not RFC 3339 UTC: ${v}`);
  assert.ok(!Number.isNaN(Date.parse(v)), `${what} does not parse: ${v}`);
}

/** Assert an error response: status, `{"error":{"code","message","request_id"}}`. */
export function assertError(res, status, code, what = '') {
  const ctx = `${what ? `${what}: ` : ''}expected ${status} ${code}, got ${res.status} ${res.text ?? ''}${res.error ? ` (error: ${res.error.message})` : ''}`;
  assert.ok(!res.error, ctx);
  assert.equal(res.status, status, ctx);
  assert.ok(res.body && typeof res.body === 'object', `${ctx}\nbody is not JSON`);
  assert.ok(res.body.error && typeof res.body.error === 'object', `${ctx}\nmissing "error" object`);
  assert.equal(res.body.error.code, code, ctx);
  assert.equal(typeof res.body.error.message, 'string', `${ctx}\nerror.message must be a string`);
  assert.equal(typeof res.body.error.request_id, 'string', `${ctx}\nerror.request_id must be a string`);
  assert.ok(res.body.error.request_id.length > 0, `${ctx}\nerror.request_id must not be empty`);
}

export function assertStatus(res, status, what = '') {
  assert.ok(!res.error, `${what}: request failed: ${res.error?.message}`);
  assert.equal(res.status, status, `${what ? `${what}: ` : ''}expected ${status}, got ${res.status} ${res.text ?? ''}`);
}

/** An id of the same shape as `id` that (almost certainly) names nothing. */
export function unknownIdLike(id) {
  if (/^\d+$/.test(id)) return String(BigInt(id) + 987654321n);
  const last = id.at(-1);
  let repl;
  if (/[0-9]/.test(last)) repl = last === '9' ? '0' : String(Number(last) + 1);
  else if (/[a-z]/.test(last)) repl = last === 'z' ? 'a' : String.fromCharCode(last.charCodeAt(0) + 1);
  else if (/[A-Z]/.test(last)) repl = last === 'Z' ? 'A' : String.fromCharCode(last.charCodeAt(0) + 1);
  else repl = last === '0' ? '1' : '0';
  // change two characters so that a check-digit scheme cannot make it collide
  const mid = Math.floor(id.length / 2);
  const m = id[mid];
  const mrepl = /[0-9]/.test(m) ? (m === '9' ? '8' : '9') : /[a-z]/.test(m) ? (m === 'z' ? 'y' : 'z') : /[A-Z]/.test(m) ? (m === 'Z' ? 'Y' : 'Z') : m;
  const s = id.slice(0, mid) + mrepl + id.slice(mid + 1, -1) + repl;
  return s === id ? `${id}0` : s;
}

let articleSeq = 0;
/** A valid article creation payload with a unique slug. */
export function articlePayload(overrides = {}) {
  articleSeq += 1;
  return {
    slug: unique(`story-${articleSeq}-`).toLowerCase(),
    title: `Test story ${articleSeq}`,
    lead: 'A short lead paragraph.',
    body: 'The body of the story.\n\nSecond paragraph.',
    section: 'news',
    tags: ['testing'],
    image: { url: 'https://example.com/img.jpg', caption: 'A picture', credit: 'Photographer' },
    language: 'en',
    ...overrides,
  };
}

/** Create an article as `editor`; assert 201; return the article. */
export async function createArticle(editor, overrides = {}) {
  const r = await editor.post('/api/v1/articles', articlePayload(overrides));
  assert.equal(r.status, 201, `create article → ${r.status} ${r.text}`);
  assert.equal(typeof r.body?.id, 'string', `article id should be a string: ${r.text}`);
  return r.body;
}

/** Post a comment, assert 201, return the response body. */
export async function postComment(client, articleId, body, parentId) {
  const payload = parentId === undefined ? { body } : { body, parent_id: parentId };
  const r = await client.post(`/api/v1/articles/${articleId}/comments`, payload);
  assert.equal(r.status, 201, `post comment → ${r.status} ${r.text}`);
  assert.equal(typeof r.body?.id, 'string', `comment id should be a string: ${r.text}`);
  return r.body;
}

/** One page of comments; asserts 200. */
export async function listComments(client, articleId, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
  const path = `/api/v1/articles/${articleId}/comments${qs.size ? `?${qs}` : ''}`;
  const r = await client.get(path);
  assert.equal(r.status, 200, `GET ${path} → ${r.status} ${r.text}`);
  assert.ok(Array.isArray(r.body?.items), `GET ${path}: items must be an array: ${r.text}`);
  return r.body;
}

/** Follow next_cursor to the end; returns {items, pages (array of page sizes), total}. */
export async function listAllComments(client, articleId, { sort, limit = 50, maxPages = 1000 } = {}) {
  const items = [];
  const pages = [];
  let cursor;
  let total;
  for (let i = 0; i < maxPages; i++) {
    const page = await listComments(client, articleId, { sort, limit, cursor });
    items.push(...page.items);
    pages.push(page.items.length);
    total ??= page.total;
    if (page.next_cursor === null || page.next_cursor === undefined) return { items, pages, total, lastCursor: page.next_cursor };
    assert.equal(typeof page.next_cursor, 'string', `next_cursor must be a string or null, got ${JSON.stringify(page.next_cursor)}`);
    cursor = page.next_cursor;
  }
  throw new Error(`paging did not end within ${maxPages} pages`);
}

/** Number of published comments of an article according to the listing's `total`. */
export async function commentTotal(client, articleId) {
  const page = await listComments(client, articleId, { limit: 1 });
  assert.equal(typeof page.total, 'number', `total must be a number: ${JSON.stringify(page)}`);
  return page.total;
}

/**
 * Typical fixture: fresh data dir, accounts made with the CLI before start, server started,
 * every account logged in. `accounts` maps a name to a role, e.g. {editor: 'editor', alice: 'reader'}.
 */
export async function bootstrap({ accounts = {}, env = {}, dataDir } = {}) {
  dataDir ??= newDataDir();
  const emails = {};
  for (const [name, role] of Object.entries(accounts)) {
    emails[name] = uniqueEmail(name);
    await createAccount(TRIBUNE_BIN, dataDir, emails[name], role);
  }
  const srv = await startServer({ env, dataDir });
  const clients = {};
  try {
    for (const name of Object.keys(accounts)) clients[name] = await loggedIn(srv.baseUrl, emails[name]);
  } catch (e) {
    await srv.kill();
    throw e;
  }
  return { srv, clients, emails, anon: new Client(srv.baseUrl) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` (sync or async) every 50 ms until it returns something truthy, which is returned; throws after timeoutMs. */
export async function until(what, fn, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Repeat a raw request while it fails at the connection level (e.g. EPIPE when the server answers
 * early and closes); resolves with the first real response, or the last failure. Used where a test
 * checks *what* the server answers; delivery reliability is tested separately.
 */
export async function retryOnConnError(fn, tries = 5) {
  let r;
  for (let i = 0; i < tries; i++) {
    r = await fn();
    if (!r.error || r.status !== undefined) return r;
  }
  return r;
}
