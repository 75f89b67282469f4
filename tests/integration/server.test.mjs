import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {
  bootstrap, startServer, createArticle, listAllComments, rawRequest, Client, loggedIn, uniqueEmail, newDataDir,
  assertError, assertStatus, retryOnConnError, PASSWORD, sleep, assertNoSanitizerReport,
} from './harness.mjs';

const T = { timeout: 60_000 };

/** Send raw bytes on a fresh TCP connection; collect everything until the server closes or `quietMs` of silence. */
function rawExchange(baseUrl, payload, { quietMs = 3000, totalMs = 10_000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks = [];
    let closed = false;
    let error = null;
    let quiet;
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const done = () => {
      clearTimeout(quiet);
      clearTimeout(total);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed, error });
    };
    const total = setTimeout(done, totalMs);
    const arm = () => { clearTimeout(quiet); quiet = setTimeout(done, quietMs); };
    sock.on('connect', () => { sock.write(payload); arm(); });
    sock.on('data', (c) => { chunks.push(c); arm(); });
    sock.on('end', () => { closed = true; done(); });
    sock.on('close', () => { closed = true; done(); });
    sock.on('error', (e) => { error = e; closed = true; done(); });
  });
}

function parseRawResponse(data) {
  const headEnd = data.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? data.slice(0, headEnd) : data;
  const body = headEnd >= 0 ? data.slice(headEnd + 4) : '';
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  let json = null;
  const jsonStart = body.indexOf('{');
  if (jsonStart >= 0) {
    try { json = JSON.parse(Buffer.from(body.slice(jsonStart), 'latin1').toString('utf8').trim()); } catch { /* chunked or partial */ }
  }
  return { status: m ? Number(m[1]) : null, head, body, json };
}

describe('server', { timeout: 900_000 }, () => {
  describe('basics', () => {
    let srv;
    let anon;
    before(async () => {
      srv = await startServer({ dataDir: newDataDir() });
      anon = new Client(srv.baseUrl);
    });
    after(async () => { await srv?.kill(); });

    test('GET /healthz → 200 {"status":"ok"}', T, async () => {
      const r = await anon.get('/healthz');
      assertStatus(r, 200, '/healthz');
      assert.deepEqual(r.body, { status: 'ok' });
      assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    });

    test('keep-alive: several requests reuse one connection', T, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const sockets = [];
        const ports = [];
        const steps = [
          { method: 'GET', path: '/healthz', expect: 200 },
          { method: 'GET', path: '/healthz', expect: 200 },
          { method: 'GET', path: '/api/v1/nope', expect: 404 },
          { method: 'POST', path: '/api/v1/session', body: JSON.stringify({ email: uniqueEmail('ka'), password: 'wrong-password-1' }), expect: 401 },
          { method: 'GET', path: '/healthz', expect: 200 },
          { method: 'GET', path: '/api/v1/articles', expect: 200 },
        ];
        for (const s of steps) {
          const headers = s.body ? { 'content-type': 'application/json' } : {};
          const r = await rawRequest(srv.baseUrl, { method: s.method, path: s.path, body: s.body, headers, agent });
          assert.ok(!r.error, `${s.method} ${s.path}: ${r.error?.message}`);
          assert.equal(r.status, s.expect, `${s.method} ${s.path}: ${r.status} ${r.text}`);
          sockets.push(r.socket);
          ports.push(r.socket.localPort);
          assert.notEqual(String(r.headers.connection).toLowerCase(), 'close', `${s.method} ${s.path} answered Connection: close`);
          await sleep(20);
        }
        assert.ok(sockets.every((s) => s === sockets[0]), `all requests on one socket; local ports: ${ports}`);
        assert.equal(new Set(ports).size, 1, `local ports: ${ports}`);
      } finally {
        agent.destroy();
      }
    });

    test('request headers over 16 KiB (one big header) → 431 or 413', T, async () => {
      const payload = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`;
      const r = await rawExchange(srv.baseUrl, payload);
      const p = parseRawResponse(r.data);
      assert.ok([431, 413].includes(p.status),
        `status ${p.status}; error=${r.error?.message}; head:\n${p.head.slice(0, 500)}`);
      assert.ok(r.closed || p.json?.error?.code, `connection closed or an error body expected; body: ${p.body.slice(0, 300)}`);
      if (p.json) assert.ok(p.json.error?.code, `error body shape: ${p.body.slice(0, 300)}`);
      assertStatus(await anon.get('/healthz'), 200, 'server still healthy');
    });

    test('request headers over 16 KiB (many small headers) → 431 or 413', T, async () => {
      let headers = '';
      for (let i = 0; i < 400; i++) headers += `X-H${i}: ${'b'.repeat(40)}\r\n`;
      assert.ok(headers.length > 16 * 1024);
      const r = await rawExchange(srv.baseUrl, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
      const p = parseRawResponse(r.data);
      assert.ok([431, 413].includes(p.status), `status ${p.status}; error=${r.error?.message}; head:\n${p.head.slice(0, 500)}`);
      assert.ok(r.closed || p.json?.error?.code, `connection closed or an error body expected; body: ${p.body.slice(0, 300)}`);
      assertStatus(await anon.get('/healthz'), 200, 'server still healthy');
    });

    test('every response carries X-Request-Id; error bodies repeat it', T, async () => {
      const email = uniqueEmail('rid');
      const c = new Client(srv.baseUrl);
      const responses = [];
      const note = (what, r) => { responses.push([what, r]); return r; };
      note('200 healthz', await anon.get('/healthz'));
      note('201 register', await c.post('/api/v1/accounts', { email, password: PASSWORD, display_name: 'Rid', accept_terms: true }));
      note('200 login', await c.login(email));
      note('200 me', await c.me());
      note('404 route', await anon.get('/api/v1/nope'));
      note('401 me', await anon.me());
      note('400 json', await c.raw('POST', '/api/v1/accounts', { body: '{oops', headers: { 'content-type': 'application/json' } }));
      note('415 type', await c.raw('POST', '/api/v1/accounts', { body: '{}', headers: { 'content-type': 'text/plain' } }));
      note('403 csrf', await c.del('/api/v1/session', { csrf: false }));
      note('204 logout', await c.del('/api/v1/session'));
      const ids = [];
      for (const [what, r] of responses) {
        assert.ok(!r.error, `${what}: ${r.error?.message}`);
        assert.equal(String(r.status), what.split(' ')[0], `${what}: got ${r.status} ${r.text}`);
        const rid = r.headers['x-request-id'];
        assert.equal(typeof rid, 'string', `${what}: X-Request-Id missing`);
        assert.ok(rid.length > 0, `${what}: X-Request-Id empty`);
        ids.push(rid);
        if (r.status >= 400) {
          assert.equal(r.body?.error?.request_id, rid, `${what}: error.request_id must equal X-Request-Id`);
        }
      }
      assert.equal(new Set(ids).size, ids.length, `request ids are unique: ${ids}`);
    });

    test('a 413 error also carries X-Request-Id equal to its request_id', T, async () => {
      const body = Buffer.alloc(1024 * 1024 + 1, 0x61);
      const r = await retryOnConnError(() => rawRequest(srv.baseUrl, { method: 'POST', path: '/api/v1/accounts', body, headers: { 'content-type': 'application/json' } }));
      assertError(r, 413, 'payload_too_large', 'oversized registration');
      assert.equal(r.body.error.request_id, r.headers['x-request-id']);
    });
  });

  test('SIGTERM on an idle server → exit code 0', { timeout: 60_000 }, async () => {
    const srv = await startServer({ dataDir: newDataDir() });
    try {
      assertStatus(await new Client(srv.baseUrl).get('/healthz'), 200, 'healthz');
      const t0 = Date.now();
      const code = await srv.stop('SIGTERM', 15_000);
      assert.ok(!srv.stopTimedOut, `did not exit within 15 s; stderr:\n${srv.logs.stderr.slice(-2000)}`);
      assert.equal(code, 0, `exit code ${code} (signal ${srv.proc.signalCode}) after ${Date.now() - t0} ms; stderr:\n${srv.logs.stderr.slice(-2000)}`);
    } finally {
      await srv.kill();
    }
  });

  for (const [label, answersBeforeSignal] of [['after the first 10 answers', 10], ['after the first answer', 1], ['right after the requests are sent', 0]]) {
    test(`SIGTERM ${label} during 200 concurrent POSTs: complete answers or connection errors; acknowledged comments survive; exit 0 within 15 s`,
      { timeout: 180_000 }, async (t) => {
        const dataDir = newDataDir();
        const ctx = await bootstrap({ dataDir, accounts: { editor: 'editor', r1: 'reader', r2: 'reader', r3: 'reader', r4: 'reader' } });
        let srv2;
        try {
          const article = await createArticle(ctx.clients.editor);
          const writers = ['r1', 'r2', 'r3', 'r4'].map((n) => ctx.clients[n]);
          const path = `/api/v1/articles/${article.id}/comments`;
          const filler = 'This is a fairly long comment written to keep the engine busy for a moment. '.repeat(50);

          let answered = 0;
          let signalled = null;
          let resolveTrigger;
          const trigger = new Promise((r) => { resolveTrigger = r; });
          const requests = [];
          for (let i = 0; i < 200; i++) {
            const c = writers[i % writers.length];
            const body = JSON.stringify({ body: `#${i} ${filler}`.slice(0, 4000) });
            requests.push(c.raw('POST', path, { body, headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 }).then((r) => {
              if (!r.error) { answered += 1; if (answered >= answersBeforeSignal) resolveTrigger(); }
              return r;
            }));
          }
          if (answersBeforeSignal > 0) await Promise.race([trigger, sleep(2000)]);
          else await sleep(5);
          signalled = Date.now();
          ctx.srv.proc.kill('SIGTERM');
          const results = await Promise.all(requests);
          let timer;
          const exit = await Promise.race([ctx.srv.exited, new Promise((r) => { timer = setTimeout(() => r(null), Math.max(0, 15_000 - (Date.now() - signalled))); })]);
          clearTimeout(timer);
          const elapsed = Date.now() - signalled;
          if (exit === null) await ctx.srv.kill();

          const acked = [];
          const problems = [];
          const tally = {};
          for (const [i, r] of results.entries()) {
            const key = r.error ? (r.truncated ? `truncated ${r.status}` : `error ${r.error.code ?? r.error.message}`) : String(r.status);
            tally[key] = (tally[key] ?? 0) + 1;
            if (r.error) {
              if (r.truncated) problems.push(`#${i}: response ${r.status} cut off (${r.error.message})`);
              continue; // a connection error is an acceptable outcome
            }
            if (r.status === 201) {
              if (typeof r.body?.id !== 'string') problems.push(`#${i}: 201 without an id: ${r.text.slice(0, 200)}`);
              else acked.push(r.body.id);
            } else if (!r.body?.error?.code) {
              problems.push(`#${i}: incomplete/non-contract response ${r.status}: ${r.text.slice(0, 200)}`);
            }
          }
          t.diagnostic(`outcomes after SIGTERM: ${JSON.stringify(tally)}; exit after ${elapsed} ms`);
          // gather every violation, so one run reports all of them
          const violations = [];
          if (exit === null) violations.push(`server did not exit within 15 s of SIGTERM; stderr tail:\n${ctx.srv.logs.stderr.slice(-1500)}`);
          else if (exit.code !== 0) violations.push(`exit code ${exit.code} signal ${exit.signal} (expected 0); stderr tail:\n${ctx.srv.logs.stderr.slice(-1500)}`);
          violations.push(...problems);
          if (answersBeforeSignal > 0 && acked.length === 0) violations.push('no comment was acknowledged before shutdown');

          srv2 = await startServer({ dataDir });
          const reader = new Client(srv2.baseUrl);
          const all = await listAllComments(reader, article.id, { limit: 50 });
          const present = new Set(all.items.map((c) => c.id));
          const missing = acked.filter((id) => !present.has(id));
          if (missing.length) violations.push(`${missing.length} of ${acked.length} acknowledged comments missing after restart (e.g. ${missing.slice(0, 5)})`);
          if (all.total < acked.length) violations.push(`total ${all.total} < acknowledged ${acked.length}`);
          // the restarted server accepts new writes
          const again = await loggedIn(srv2.baseUrl, ctx.emails.r1);
          const post = await again.post(path, { body: 'after the restart' });
          if (post.status !== 201) violations.push(`post after restart: ${post.status} ${post.text}`);
          assert.deepEqual(violations, []);
        } finally {
          await ctx.srv.kill();
          await srv2?.kill();
        }
      });
  }
});

describe('raw HTTP edge cases', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  const rawExchange = (payload, { waitMs = 1500 } = {}) => new Promise((resolve, reject) => {
    const url = new URL(srv.baseUrl);
    const socket = net.connect(Number(url.port), url.hostname);
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve(data); }, waitMs);
    socket.on('data', (d) => { data += d.toString('latin1'); });
    socket.on('end', () => { clearTimeout(timer); resolve(data); });
    socket.on('error', (e) => { clearTimeout(timer); data ? resolve(data) : reject(e); });
    socket.write(payload);
  });

  test('a malformed request line gets a 400 JSON error, not a silent close', async () => {
    const text = await rawExchange('GARBAGE\u0001 / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /"code":"bad_request"/);
  });

  test('Expect: 100-continue is answered before the body is sent', async () => {
    const head = 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      'Content-Length: 2\r\nExpect: 100-continue\r\n\r\n';
    const text = await rawExchange(head, { waitMs: 700 });
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n/);
  });
});

test('the harness turns a sanitizer report on the server\'s stderr into a failure', () => {
  assert.throws(() => assertNoSanitizerReport('==7==ERROR: AddressSanitizer: heap-use-after-free on address'));
  assert.throws(() => assertNoSanitizerReport('src/x.cpp:3:5: runtime error: signed integer overflow'));
  assert.doesNotThrow(() => assertNoSanitizerReport('{"level":"info","msg":"listening"}'));
});
