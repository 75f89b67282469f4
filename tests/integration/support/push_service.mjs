// Push services for the tests. startPushTesting(): the npm `web-push-testing` server (a real RFC 8030 push
// service that checks VAPID, decrypts aes128gcm and keeps the plaintexts), run as the package documents it.
// startScriptedPush(): a plain HTTP push endpoint whose answers follow a script (429 with Retry-After, 5xx,
// 404/410, or hanging without an answer), recording every request it gets.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVER_JS = fileURLToPath(new URL('../../../node_modules/web-push-testing/src/bin/server.js', import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startPushTesting() {
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER_JS, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/status`, { method: 'POST' });
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`web-push-testing did not start: ${log}`); }
    await new Promise((r) => { setTimeout(r, 100); });
  }
  const post = async (path, body) => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const text = await r.text();
    const json = (r.headers.get('content-type') || '').includes('json');
    return { status: r.status, body: json && text ? JSON.parse(text) : null };
  };
  return {
    base,
    get log() { return log; },
    /** A browser's subscription: {endpoint, keys: {p256dh, auth}, clientHash}. */
    async subscribe(applicationServerKey) {
      const r = await post('/subscribe', { userVisibleOnly: 'true', applicationServerKey });
      if (r.status !== 200) throw new Error(`subscribe → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data;
    },
    /** The decrypted payloads the service received for a subscription, parsed as JSON. */
    async messages(clientHash) {
      const r = await post('/get-notifications', { clientHash });
      if (r.status !== 200) throw new Error(`get-notifications → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data.messages.map((m) => JSON.parse(m));
    },
    async expire(clientHash) {
      const r = await post(`/expire-subscription/${clientHash}`);
      if (r.status !== 200) throw new Error(`expire → ${r.status}`);
    },
    async close() {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * script(req, n) → {status, headers} | 'hang'. `n` counts the requests to that path (1-based).
 * Requests are recorded as {path, headers, body (Buffer), at}.
 */
export async function startScriptedPush(script) {
  const requests = [];
  const counts = new Map();
  const hanging = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const n = (counts.get(req.url) ?? 0) + 1;
      counts.set(req.url, n);
      requests.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      const answer = script(req, n);
      if (answer === 'hang') { hanging.add(res); return; }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    endpoint(name) { return `http://127.0.0.1:${port}/push/${name}`; },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
