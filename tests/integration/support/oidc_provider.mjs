// A small, real OpenID Connect provider for the tests: authorization code flow with PKCE (S256),
// ID tokens signed RS256 or ES256, discovery and JWKS. Plain node (node:http, node:crypto).
//
//   import { startOidcProvider } from './support/oidc_provider.mjs';
//   const op = await startOidcProvider({ clientId: 'tribune-test', clientSecret: 'secret',
//                                        users: [{ sub: 'alice', email: 'alice@example.test', email_verified: true, name: 'Alice' }],
//                                        alg: 'RS256' });
//   op.issuer           // http://127.0.0.1:PORT
//   op.setNextUser(sub) // who "logs in" at the next /authorize (one login; then the first user again)
//   op.setNextTamper(k) // spoil the ID token of the next login: signature | nonce | aud | iss | expired |
//                       //   alg-none | alg-hs256 | wrong-key | unknown-kid  (null: none)
//   op.stats            // hits: { discovery, jwks, authorize, token }
//   op.requests         // token requests: { at, grant_type, code, redirect_uri, code_verifier, client_id,
//                       //   client_auth: 'client_secret_basic'|'client_secret_post'|'none', status, error }
//   await op.close()
//
// `tamper` given to startOidcProvider spoils every login. `clientSecret: ''` makes a public client.
//
// Endpoints: /.well-known/openid-configuration, /authorize, /token, /jwks, and for tests driven from
// another process: GET /_test/next?user=SUB&tamper=KIND (the next login), GET /_test/requests and
// GET /_test/stats (JSON).
//
// CLI: node tests/integration/support/oidc_provider.mjs PORT [--alg ES256] [--client-id ID] [--client-secret S]
// prints "issuer http://127.0.0.1:PORT" once listening (PORT 0 picks a free port) and runs until
// SIGTERM/SIGINT, or the end of stdin when stdin is a pipe.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const TAMPER_KINDS = new Set(['signature', 'nonce', 'aud', 'iss', 'expired', 'alg-none', 'alg-hs256', 'wrong-key', 'unknown-kid']);
const CODE_TTL_MS = 60_000;

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function generateKey(alg) {
  if (alg === 'ES256') return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  throw new Error(`unsupported alg ${alg}`);
}

function sign(alg, privateKey, data) {
  if (alg === 'ES256') return crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return crypto.sign('sha256', data, privateKey);
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, obj, headers = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function startOidcProvider({
  clientId = 'tribune-test',
  clientSecret = 'secret',
  users = [{ sub: 'alice-0001', email: 'alice@example.test', email_verified: true, name: 'Alice Example' }],
  alg = 'RS256',
  tamper = null,
  host = '127.0.0.1',
  port = 0,
} = {}) {
  if (!users.length) throw new Error('startOidcProvider: users must not be empty');
  if (tamper !== null && !TAMPER_KINDS.has(tamper)) throw new Error(`unknown tamper ${tamper}`);
  const kid = `k-${crypto.randomBytes(6).toString('hex')}`;
  const { publicKey, privateKey } = generateKey(alg);
  const other = generateKey(alg); // for 'wrong-key'
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };

  const codes = new Map(); // code -> { clientId, redirectUri, challenge, nonce, user, tamper, expiresAt }
  const requests = [];
  const stats = { discovery: 0, jwks: 0, authorize: 0, token: 0 };
  let nextUser = null;
  let nextTamper = null;
  let issuer = '';

  function idToken(entry) {
    const t = entry.tamper;
    const now = Math.floor(Date.now() / 1000);
    const { user } = entry;
    const claims = {
      iss: t === 'iss' ? `${issuer}/evil` : issuer,
      sub: user.sub,
      aud: t === 'aud' ? 'someone-else' : entry.clientId,
      exp: t === 'expired' ? now - 3600 : now + 600,
      iat: t === 'expired' ? now - 4200 : now,
      auth_time: now,
      nonce: t === 'nonce' ? crypto.randomBytes(16).toString('base64url') : entry.nonce,
    };
    for (const k of ['email', 'email_verified', 'name']) if (k in user) claims[k] = user[k];
    let headerAlg = alg;
    if (t === 'alg-none') headerAlg = 'none';
    if (t === 'alg-hs256') headerAlg = 'HS256';
    const header = { alg: headerAlg, typ: 'JWT', kid: t === 'unknown-kid' ? `${kid}-unknown` : kid };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    if (t === 'alg-none') return `${input}.`;
    let sig;
    if (t === 'alg-hs256') {
      // The classic confusion attack: the public key (PEM) used as an HMAC secret.
      sig = crypto.createHmac('sha256', publicKey.export({ type: 'spki', format: 'pem' })).update(input).digest();
    } else {
      sig = sign(alg, t === 'wrong-key' ? other.privateKey : privateKey, Buffer.from(input));
    }
    if (t === 'signature') sig[sig.length - 1] ^= 0x01;
    return `${input}.${b64url(sig)}`;
  }

  function authorize(url, res) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('redirect_uri missing'); return; }
    let target;
    try { target = new URL(redirectUri); } catch { res.writeHead(400); res.end('bad redirect_uri'); return; }
    if (q.get('client_id') !== clientId) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('unknown client_id'); return; }
    const state = q.get('state');
    const fail = (error, description) => {
      target.searchParams.set('error', error);
      if (description) target.searchParams.set('error_description', description);
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.toString() });
      res.end();
    };
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const scopes = (q.get('scope') || '').split(' ');
    if (!scopes.includes('openid')) return fail('invalid_scope', 'scope must contain openid');
    if (q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    const challenge = q.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge missing');
    const sub = nextUser ?? users[0].sub;
    nextUser = null;
    const user = users.find((u) => u.sub === sub);
    if (!user) return fail('access_denied', 'no such user');
    const entryTamper = nextTamper ?? tamper;
    nextTamper = null;
    const code = crypto.randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId, redirectUri, challenge, nonce: q.get('nonce'), user, tamper: entryTamper, expiresAt: Date.now() + CODE_TTL_MS,
    });
    target.searchParams.set('code', code);
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  async function token(req, res) {
    const record = { at: new Date().toISOString(), client_auth: 'none', status: 0, error: null };
    requests.push(record);
    const reply = (status, obj, headers) => {
      record.status = status;
      record.error = obj.error ?? null;
      sendJson(res, status, obj, headers);
    };
    if (req.method !== 'POST') return reply(405, { error: 'invalid_request' });
    if (!(req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
      return reply(400, { error: 'invalid_request', error_description: 'form body expected' });
    }
    const form = new URLSearchParams(await readBody(req));
    for (const k of ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'client_id']) record[k] = form.get(k);

    // Client authentication.
    let authId = null;
    let authSecret = null;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization || '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return reply(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic' });
      authId = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' '));
      authSecret = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' '));
      record.client_auth = 'client_secret_basic';
    } else if (form.has('client_secret')) {
      authId = form.get('client_id');
      authSecret = form.get('client_secret');
      record.client_auth = 'client_secret_post';
    } else {
      authId = form.get('client_id');
    }
    if (authId !== clientId || (form.has('client_id') && form.get('client_id') !== clientId)) {
      return reply(401, { error: 'invalid_client' });
    }
    if (clientSecret) {
      const a = Buffer.from(String(authSecret ?? ''));
      const b = Buffer.from(clientSecret);
      if (record.client_auth === 'none' || a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        return reply(401, { error: 'invalid_client' });
      }
    }

    if (form.get('grant_type') !== 'authorization_code') return reply(400, { error: 'unsupported_grant_type' });
    const code = form.get('code') || '';
    const entry = codes.get(code);
    codes.delete(code); // single use, whatever happens
    if (!entry || entry.expiresAt < Date.now()) return reply(400, { error: 'invalid_grant', error_description: 'unknown code' });
    if (form.get('redirect_uri') !== entry.redirectUri) {
      return reply(400, { error: 'invalid_grant', error_description: 'redirect_uri differs' });
    }
    const verifier = form.get('code_verifier') || '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return reply(400, { error: 'invalid_grant', error_description: 'bad code_verifier' });
    const challenge = b64url(crypto.createHash('sha256').update(verifier, 'ascii').digest());
    if (challenge !== entry.challenge) return reply(400, { error: 'invalid_grant', error_description: 'PKCE check failed' });

    return reply(200, {
      access_token: crypto.randomBytes(24).toString('base64url'),
      token_type: 'Bearer',
      id_token: idToken(entry),
      expires_in: 3600,
    });
  }

  async function handle(req, res) {
    const url = new URL(req.url, issuer);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        stats.discovery += 1;
        return sendJson(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: [alg],
          scopes_supported: ['openid', 'email', 'profile'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          code_challenge_methods_supported: ['S256'],
          claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'email', 'email_verified', 'name'],
        });
      case '/jwks':
        stats.jwks += 1;
        return sendJson(res, 200, { keys: [publicJwk] });
      case '/authorize':
        stats.authorize += 1;
        return authorize(url, res);
      case '/token':
        stats.token += 1;
        return token(req, res);
      case '/_test/next': {
        const user = url.searchParams.get('user');
        const kind = url.searchParams.get('tamper');
        if (kind && !TAMPER_KINDS.has(kind)) return sendJson(res, 400, { error: 'unknown tamper' });
        if (user !== null) api.setNextUser(user);
        if (kind !== null) api.setNextTamper(kind || null);
        return sendJson(res, 200, { ok: true });
      }
      case '/_test/requests':
        return sendJson(res, 200, requests);
      case '/_test/stats':
        return sendJson(res, 200, stats);
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('not found');
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err.message || err) });
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const actualPort = server.address().port;
  issuer = `http://${host}:${actualPort}`;

  const api = {
    issuer,
    port: actualPort,
    clientId,
    clientSecret,
    alg,
    kid,
    requests,
    stats,
    setNextUser(sub) {
      if (sub !== null && !users.some((u) => u.sub === sub)) throw new Error(`unknown user ${sub}`);
      nextUser = sub;
    },
    setNextTamper(kind) {
      if (kind !== null && !TAMPER_KINDS.has(kind)) throw new Error(`unknown tamper ${kind}`);
      nextTamper = kind;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
  return api;
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opts = { port: Number(args[0] ?? 0) };
  for (let i = 1; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (k === '--alg') opts.alg = v;
    else if (k === '--client-id') opts.clientId = v;
    else if (k === '--client-secret') opts.clientSecret = v;
    else if (k === '--tamper') opts.tamper = v;
    else { console.error(`unknown option ${k}`); process.exit(2); }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    console.error('usage: oidc_provider.mjs PORT [--alg RS256|ES256] [--client-id ID] [--client-secret S] [--tamper KIND]');
    process.exit(2);
  }
  const op = await startOidcProvider(opts);
  process.stdout.write(`issuer ${op.issuer}\n`);
  const stop = () => op.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Spawned with a pipe as stdin (as the C++ tests do), the provider ends with its parent.
  if (fs.fstatSync(0).isFIFO()) {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}
