// Breaking-news fan-out to N push subscriptions (default 100,000), end to end through a running `tribune serve`:
// the editor's POST /api/v1/push/breaking queues one delivery per subscription in one transaction, the push worker
// encrypts (RFC 8291) and signs (VAPID) each and posts it with bounded concurrency. Two runs in the same job:
//   reference — the subscriptions point at nginx answering 201 to every POST (a push service that costs nothing:
//               what Tribune alone can do);
//   real      — the subscriptions point at the npm web-push-testing service, which checks each VAPID token and
//               decrypts each message (N endpoints spread over K real subscriptions of that service; every message
//               must arrive decrypted).
// Prints one JSON line: times, messages/s, Tribune's CPU, and the ratio real/reference. Usage:
//   node bench/push_fanout.mjs --bin build/release/tribune [--n 100000] [--k 200]
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPushTesting } from '../tests/integration/support/push_service.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const BIN = args.bin;
const N = Number(args.n ?? 100_000);
const K = Number(args.k ?? 200);
if (!BIN) throw new Error('--bin PATH is required');

const TMP = mkdtempSync(join(tmpdir(), 'tribune-fanout-'));
const DATA = join(TMP, 'data');
const PASSWORD = 'correct horse battery staple';
const ENV = {
  ...process.env,
  TRIBUNE_CAPTCHA_REQUIRED: 'false', TRIBUNE_LIMITS_ENABLED: 'false', TRIBUNE_LOG_ACCESS: 'false',
  TRIBUNE_PUSH_ALLOW_LOCALHOST: 'true', TRIBUNE_PUSH_POLL_MS: '100', TRIBUNE_SITE_EDITIONS: 'en,fr',
  TRIBUNE_MODERATION_ENGINE: 'minimal',
};
const children = [];
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(DATA, 'tribune.db'), q], { encoding: 'utf8' }).trim();
function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
}

async function serve() {
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', DATA], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stderr.on('data', (c) => { err = (err + c).slice(-20_000); });
  const base = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (c) => { out += c; const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]); });
    proc.once('exit', (code) => reject(new Error(`tribune exited ${code}: ${err}`)));
  });
  return { proc, base, get err() { return err; } };
}
async function stop(s) { const gone = new Promise((r) => s.proc.once('exit', r)); s.proc.kill('SIGTERM'); await gone; }
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;  // utime + stime, in clock ticks of 1/100 s
}
async function api(base, method, path, body, cookie, csrf) {
  const headers = { 'content-type': 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, headers: r.headers, body: await r.json().catch(() => null) };
}

// 1. A first start makes the database and the VAPID key; an editor account; an nginx sink; the real service.
const first = await serve();
const key = (await api(first.base, 'GET', '/api/v1/push/key')).body.vapid_public_key;
await stop(first);
spawnSync(BIN, ['admin', 'create', '--data', DATA, '--email', 'editor@example.com', '--role', 'editor'], { input: `${PASSWORD}\n`, env: ENV });

const nginxPort = await freePort();
mkdirSync(join(TMP, 'nginx/logs'), { recursive: true });
writeFileSync(join(TMP, 'nginx/nginx.conf'), `worker_processes 1; daemon off; error_log ${TMP}/nginx/logs/error.log warn; pid ${TMP}/nginx/nginx.pid;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path ${TMP}/nginx/body; proxy_temp_path ${TMP}/nginx/proxy;
  fastcgi_temp_path ${TMP}/nginx/fastcgi; uwsgi_temp_path ${TMP}/nginx/uwsgi; scgi_temp_path ${TMP}/nginx/scgi;
  server { listen 127.0.0.1:${nginxPort}; location / { return 201; } } }`);
const nginx = spawn('nginx', ['-c', join(TMP, 'nginx/nginx.conf'), '-p', join(TMP, 'nginx')], { stdio: 'ignore' });
children.push(nginx);
const wpt = await startPushTesting();
const hashes = [];
const keys = [];
for (let i = 0; i < K; i += 1) { const s = await wpt.subscribe(key); hashes.push(s.clientHash); keys.push(s.keys); }

// 2. N subscriptions per run, written straight into the database (the API would take minutes of set-up): topic
//    breaking:en → nginx, breaking:fr → web-push-testing (N endpoints over K real subscriptions, "?n=" keeps them apart).
const now = Date.now() * 1000;
const lines = ['BEGIN;'];
for (let i = 0; i < N; i += 1) {
  const id = 1_000_000 + i;
  const k = keys[i % K];
  lines.push(`INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, language, created_at, updated_at) VALUES (${id}, 'http://127.0.0.1:${nginxPort}/push/${i}', 'http://127.0.0.1:${nginxPort}', '${k.p256dh}', '${k.auth}', 'en', ${now}, ${now});`);
  lines.push(`INSERT INTO push_topics (topic, subscription_id) VALUES ('breaking:en', ${id});`);
  const id2 = 3_000_000 + i;
  lines.push(`INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, language, created_at, updated_at) VALUES (${id2}, '${wpt.base}/notify/${hashes[i % K]}?n=${i}', '${wpt.base}', '${k.p256dh}', '${k.auth}', 'fr', ${now}, ${now});`);
  lines.push(`INSERT INTO push_topics (topic, subscription_id) VALUES ('breaking:fr', ${id2});`);
}
lines.push('COMMIT;');
writeFileSync(join(TMP, 'subs.sql'), lines.join('\n'));
execFileSync('sqlite3', [join(DATA, 'tribune.db'), `.read ${join(TMP, 'subs.sql')}`]);

// 3. Serve, sign in, and send one article per edition as breaking news; time until every delivery is recorded.
const srv = await serve();
const login = await api(srv.base, 'POST', '/api/v1/session', { email: 'editor@example.com', password: PASSWORD });
const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const csrf = login.body.csrf_token;

async function run(language) {
  const slug = `fanout-${language}-${Date.now()}`;
  const article = await api(srv.base, 'POST', '/api/v1/articles', { slug, title: `Fan-out test (${language})`, lead: 'A lead.', body: 'Body.', section: 'news', language }, cookie, csrf);
  if (article.status !== 201) throw new Error(`article → ${article.status} ${JSON.stringify(article.body)}`);
  const cpu0 = cpuSeconds(srv.proc.pid);
  const t0 = performance.now();
  const sent = await api(srv.base, 'POST', '/api/v1/push/breaking', { article_id: article.body.id }, cookie, csrf);
  const enqueueMs = performance.now() - t0;
  if (sent.status !== 202 || sent.body.recipients !== N) throw new Error(`breaking → ${sent.status} ${JSON.stringify(sent.body)}`);
  const key = `breaking:${article.body.id}`;
  for (;;) {
    const [delivered, expired, failed] = sql(`SELECT delivered, expired, failed FROM push_messages WHERE message_key = '${key}'`).split('|').map(Number);
    if (delivered + expired + failed >= N) {
      const seconds = (performance.now() - t0) / 1000;
      return { recipients: N, delivered, failed: failed + expired, enqueue_ms: Math.round(enqueueMs), seconds: +seconds.toFixed(2),
               per_s: Math.round(N / seconds), tribune_cpu_s: +(cpuSeconds(srv.proc.pid) - cpu0).toFixed(2) };
    }
    const pending = sql(`SELECT COUNT(*) FROM push_deliveries WHERE state = 'pending' AND attempts > 0`);
    if (Number(pending) > 0) throw new Error(`${pending} deliveries are waiting for a retry: ${srv.err.slice(-2000)}`);
    await sleep(200);
  }
}

const reference = await run('en');
const real = await run('fr');
let received = 0;
for (const h of hashes) received += (await wpt.messages(h)).length;
await stop(srv);
nginx.kill('SIGTERM');
await wpt.close();
rmSync(TMP, { recursive: true, force: true });
console.log(JSON.stringify({ n: N, service_subscriptions: K, reference_nginx: reference, web_push_testing: { ...real, received_decrypted: received },
  ratio_real_to_reference: +(real.seconds / reference.seconds).toFixed(2) }));
if (received !== N) process.exit(1);
