// Social login (OpenID Connect), black box: a real local OIDC provider (support/oidc_provider.mjs) and a
// real SMTP sink; the browser's part of the flow is driven with plain HTTP requests, redirects followed by hand.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, createAccount, rawRequest, Client, loggedIn, newDataDir, uniqueEmail, parseSetCookie,
  assertError, assertStatus, TRIBUNE_BIN, SESSION_COOKIE,
} from './harness.mjs';
import { startOidcProvider } from './support/oidc_provider.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 60_000 };
const TAMPER_KINDS = ['signature', 'nonce', 'aud', 'iss', 'expired', 'alg-none', 'alg-hs256', 'wrong-key', 'unknown-kid'];
const CALLBACK_PATH = '/api/v1/social/local/callback';

/** The session cookie's value from a response's Set-Cookie headers, or null. */
function sessionFrom(res) {
  for (const sc of res.setCookies ?? []) {
    const c = parseSetCookie(sc);
    if (c.name === SESSION_COOKIE && c.value) return { value: c.value, attrs: c.attrs };
  }
  return null;
}

function assertNoCookie(res, what) {
  assert.deepEqual(res.setCookies ?? [], [], `${what}: no Set-Cookie expected, got ${JSON.stringify(res.setCookies)}`);
}

/** A client that carries the given session cookie; GET /me asserted 200 and its body returned with it. */
async function clientWithSession(baseUrl, cookie) {
  const c = new Client(baseUrl);
  c.cookie = cookie;
  const me = await c.me();
  assertStatus(me, 200, 'GET /api/v1/me with the social session');
  return { client: c, me: me.body };
}

describe('social login (OpenID Connect)', { timeout: 600_000 }, () => {
  let op;
  let smtp;
  let srv;
  let dataDir;
  const linkEmail = uniqueEmail('linked');
  const conflictEmail = uniqueEmail('conflict');
  const users = {
    nora: { sub: 'nora-0001', email: uniqueEmail('nora'), email_verified: true, name: 'Nora New' },
    linker: { sub: 'linker-0001', email: linkEmail, email_verified: true, name: 'Link Er' },
    squatter: { sub: 'squatter-0001', email: conflictEmail, email_verified: false, name: 'Squatter' },
    unverified: { sub: 'unverified-0001', email: uniqueEmail('unver'), email_verified: false, name: 'Una Verified' },
    tampered: { sub: 'tampered-0001', email: uniqueEmail('tamper'), email_verified: true, name: 'Tam Pered' },
    replay: { sub: 'replay-0001', email: uniqueEmail('replay'), email_verified: true, name: 'Re Play' },
    wanderer: { sub: 'wanderer-0001', email: uniqueEmail('wander'), email_verified: true, name: 'Wan Derer' },
    victim: { sub: 'victim-0001', email: uniqueEmail('victim'), email_verified: true, name: 'Vic Tim' },
  };

  before(async () => {
    op = await startOidcProvider({ clientId: 'tribune-test', clientSecret: 'secret', users: Object.values(users), alg: 'RS256' });
    smtp = await startSmtpSink();
    dataDir = newDataDir();
    await createAccount(TRIBUNE_BIN, dataDir, linkEmail, 'reader');
    await createAccount(TRIBUNE_BIN, dataDir, conflictEmail, 'reader');
    srv = await startServer({
      dataDir,
      env: {
        TRIBUNE_SOCIAL_PROVIDERS: `local|Local ID|${op.issuer}|tribune-test`,
        TRIBUNE_SOCIAL_CLIENT_SECRETS: 'local=secret',
        TRIBUNE_SOCIAL_ALLOW_HTTP: 'true',
        TRIBUNE_MAIL_SMTP_URL: smtp.url,
      },
    });
  });
  after(async () => {
    await srv?.kill();
    await op?.close();
    await smtp?.close();
  });

  /**
   * Start a login and let the provider approve it; does NOT call Tribune's callback.
   * Returns {authorize (URL), callbackPath (path + query on Tribune)}.
   */
  async function toCallback(sub, { returnTo = '/articles/x', tamper = null } = {}) {
    op.setNextUser(sub);
    op.setNextTamper(tamper);
    const start = await rawRequest(srv.baseUrl, { path: `/api/v1/social/local/start?return_to=${encodeURIComponent(returnTo)}` });
    assertStatus(start, 302, 'GET /api/v1/social/local/start');
    const authorize = new URL(start.headers.location);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${op.issuer}/authorize`, `start redirects to ${authorize}`);
    const approved = await rawRequest(op.issuer, { path: authorize.pathname + authorize.search });
    assertStatus(approved, 302, `provider /authorize (${approved.text})`);
    const cb = new URL(approved.headers.location);
    assert.equal(cb.origin, srv.baseUrl, `the callback goes back to Tribune: ${cb}`);
    assert.equal(cb.pathname, CALLBACK_PATH);
    assert.equal(cb.searchParams.get('error'), null, `the provider refused: ${cb}`);
    return { authorize, callbackPath: cb.pathname + cb.search };
  }

  /** The whole browser round trip up to and including Tribune's callback response. */
  async function socialLogin(sub, opts) {
    const flow = await toCallback(sub, opts);
    const res = await rawRequest(srv.baseUrl, { path: flow.callbackPath });
    return { ...flow, res };
  }

  /** Expect the callback to send a new identity to the sign-up page; return the ticket. */
  function ticketFrom(res, what) {
    assertStatus(res, 302, what);
    const loc = res.headers.location;
    assert.match(loc, /^\/signup\/social\?ticket=/, `${what}: Location ${loc}`);
    assertNoCookie(res, what);
    const ticket = new URL(loc, srv.baseUrl).searchParams.get('ticket');
    assert.ok(ticket && ticket.length >= 32, `${what}: ticket ${ticket}`);
    return ticket;
  }

  /** Expect the callback to sign in: 302 to `location` with a session cookie; return that cookie. */
  function sessionLogin(res, location, what) {
    assertStatus(res, 302, what);
    assert.equal(res.headers.location, location, `${what}: Location`);
    const s = sessionFrom(res);
    assert.ok(s, `${what}: no ${SESSION_COOKIE} cookie in ${JSON.stringify(res.setCookies)}`);
    assert.equal(s.attrs.path, '/', `${what}: cookie Path`);
    assert.ok(s.attrs.secure, `${what}: cookie must be Secure`);
    assert.ok(s.attrs.httponly, `${what}: cookie must be HttpOnly`);
    return s.value;
  }

  const postSignup = (body) => new Client(srv.baseUrl).post('/api/v1/social/signups', body);

  /** Sign up a new identity all the way; return {id, cookie}. */
  async function signUp(sub) {
    const { res } = await socialLogin(sub);
    const ticket = ticketFrom(res, `sign-up callback for ${sub}`);
    const r = await postSignup({ ticket, accept_terms: true });
    assertStatus(r, 201, `POST /api/v1/social/signups for ${sub}`);
    return { id: r.body.account.id, cookie: sessionFrom(r)?.value };
  }

  test('the provider is listed', T, async () => {
    const r = await new Client(srv.baseUrl).get('/api/v1/social/providers');
    assertStatus(r, 200, 'GET /api/v1/social/providers');
    assert.deepEqual(r.body, { items: [{ id: 'local', display_name: 'Local ID', start_url: '/api/v1/social/local/start' }] });
  });

  test('1. new reader with a verified e-mail signs up; then signs in straight away', T, async () => {
    const u = users.nora;
    const tokensBefore = op.requests.length;
    const { authorize, res } = await socialLogin(u.sub);
    const ticket = ticketFrom(res, 'callback for a new identity');

    // The authorization request and the code exchange: PKCE S256 with a verifier that matches, client secret sent.
    assert.equal(authorize.searchParams.get('client_id'), 'tribune-test');
    assert.equal(authorize.searchParams.get('redirect_uri'), `${srv.baseUrl}${CALLBACK_PATH}`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('nonce'), 'a nonce is sent');
    assert.equal(op.requests.length, tokensBefore + 1, 'one token request');
    const tr = op.requests.at(-1);
    assert.equal(tr.status, 200, `token request refused: ${tr.error}`);
    assert.equal(tr.grant_type, 'authorization_code');
    assert.match(tr.code_verifier ?? '', /^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code_verifier was sent');
    assert.equal(crypto.createHash('sha256').update(tr.code_verifier).digest('base64url'),
      authorize.searchParams.get('code_challenge'), 'the verifier matches the challenge');
    assert.notEqual(tr.client_auth, 'none', 'the confidential client authenticates');

    const peek = await new Client(srv.baseUrl).get(`/api/v1/social/signup?ticket=${encodeURIComponent(ticket)}`);
    assertStatus(peek, 200, 'GET /api/v1/social/signup');
    assert.deepEqual(peek.body, { provider: 'local', email: u.email, email_verified: true, display_name: u.name, return_to: '/articles/x' });

    // Without accepting the terms: 400 and nothing happens; the ticket is still good.
    const missing = await postSignup({ ticket });
    assertError(missing, 400, 'bad_request', 'accept_terms missing');
    assertNoCookie(missing, 'accept_terms missing');
    const refused = await postSignup({ ticket, accept_terms: false });
    assertError(refused, 400, 'bad_request', 'accept_terms false');
    assertNoCookie(refused, 'accept_terms false');
    assertStatus(await new Client(srv.baseUrl).get(`/api/v1/social/signup?ticket=${encodeURIComponent(ticket)}`), 200,
      'the ticket survives a refused sign-up');

    const ok = await postSignup({ ticket, accept_terms: true, display_name: 'Nora N.' });
    assertStatus(ok, 201, 'POST /api/v1/social/signups');
    assert.equal(ok.body.account.email, u.email);
    assert.equal(ok.body.account.display_name, 'Nora N.');
    assert.equal(ok.body.account.status, 'active');
    assert.deepEqual(ok.body.account.roles, ['reader']);
    assert.equal(ok.body.return_to, '/articles/x', 'the sign-up says where the reader was going');
    assert.equal(typeof ok.body.csrf_token, 'string');
    const cookie = sessionFrom(ok)?.value;
    assert.ok(cookie, `sign-up set no session cookie: ${JSON.stringify(ok.setCookies)}`);
    const { me } = await clientWithSession(srv.baseUrl, cookie);
    assert.equal(me.id, ok.body.account.id);
    assert.equal(me.email, u.email);
    assert.equal(me.status, 'active');

    // The ticket is single use.
    const again = await postSignup({ ticket, accept_terms: true });
    assertError(again, 410, 'gone', 'the same ticket again');
    assertNoCookie(again, 'the same ticket again');
    assertError(await new Client(srv.baseUrl).get(`/api/v1/social/signup?ticket=${encodeURIComponent(ticket)}`), 410, 'gone',
      'peeking a used ticket');

    // The same identity again: straight back to return_to, signed in to the same account.
    const second = await socialLogin(u.sub, { returnTo: '/articles/x' });
    const cookie2 = sessionLogin(second.res, '/articles/x', 'second social login');
    assert.notEqual(cookie2, cookie, 'a new session');
    const { me: me2 } = await clientWithSession(srv.baseUrl, cookie2);
    assert.equal(me2.id, ok.body.account.id, 'the same account, no new one');
  });

  test('2. a verified e-mail of an existing account links the identity and signs that account in', T, async () => {
    const pw = await loggedIn(srv.baseUrl, linkEmail);
    const accountId = pw.account.id;
    const { res } = await socialLogin(users.linker.sub, { returnTo: '/articles/linked' });
    const cookie = sessionLogin(res, '/articles/linked', 'callback for a linkable identity');
    const { client, me } = await clientWithSession(srv.baseUrl, cookie);
    assert.equal(me.id, accountId, 'the existing account is signed in');
    assert.equal(me.email, linkEmail);

    const exp = await client.get('/api/v1/me/export');
    assertStatus(exp, 200, 'GET /api/v1/me/export');
    assert.ok(Array.isArray(exp.body.social_identities), `social_identities: ${exp.text}`);
    assert.equal(exp.body.social_identities.length, 1, `one identity: ${JSON.stringify(exp.body.social_identities)}`);
    assert.equal(exp.body.social_identities[0].provider, 'local');
    assert.equal(exp.body.social_identities[0].email, linkEmail);

    // Linked for good: the next login takes the known-identity path to the same account; the password still works.
    const again = await socialLogin(users.linker.sub, { returnTo: '/' });
    const { me: me2 } = await clientWithSession(srv.baseUrl, sessionLogin(again.res, '/', 'second login of a linked identity'));
    assert.equal(me2.id, accountId);
    await loggedIn(srv.baseUrl, linkEmail);
  });

  test('2b. linking an unconfirmed account does not hand it to whoever pre-registered the address', T, async () => {
    // Account pre-hijacking: someone registers the victim's address with a password and never confirms it;
    // the victim then arrives through the provider, which vouches for the address. Whatever the server does
    // (refuse to link, or link and drop the unproven password and sessions), the pre-registrant must not end
    // up signed in to the account the victim uses.
    const u = users.victim;
    const attacker = new Client(srv.baseUrl);
    assertStatus(await attacker.post('/api/v1/accounts',
      { email: u.email, password: 'attacker password 123', display_name: 'Attacker', accept_terms: true }), 201, 'pre-register');
    const early = new Client(srv.baseUrl);
    const earlyLogin = await early.login(u.email, 'attacker password 123');
    const { res } = await socialLogin(u.sub, { returnTo: '/' });
    const victimSession = sessionFrom(res);
    if (res.status !== 302 || !victimSession) return; // not linked: nothing handed over
    const { me } = await clientWithSession(srv.baseUrl, victimSession.value);
    const later = await new Client(srv.baseUrl).login(u.email, 'attacker password 123');
    assert.ok(!(later.status === 200 && later.body.account.id === me.id),
      `the pre-registrant's password still signs in to the account the provider login opened (${me.id})`);
    if (earlyLogin.status === 200) {
      const still = await early.me();
      assert.ok(!(still.status === 200 && still.body.id === me.id), 'the pre-registrant\'s earlier session still works');
    }
  });

  test('3. an unverified e-mail equal to an existing account\'s → 409 conflict, no session, no link', T, async () => {
    const { res } = await socialLogin(users.squatter.sub);
    assertError(res, 409, 'conflict', 'unverified e-mail of an existing account');
    assertNoCookie(res, 'conflict');
    const owner = await loggedIn(srv.baseUrl, conflictEmail);
    const exp = await owner.get('/api/v1/me/export');
    assertStatus(exp, 200, 'export of the existing account');
    assert.deepEqual(exp.body.social_identities, [], 'nothing was linked');
  });

  test('4. new reader with an unverified e-mail → unconfirmed account and a confirmation mail', T, async () => {
    const u = users.unverified;
    const { res } = await socialLogin(u.sub);
    const ticket = ticketFrom(res, 'callback for an unverified new identity');
    const peek = await new Client(srv.baseUrl).get(`/api/v1/social/signup?ticket=${encodeURIComponent(ticket)}`);
    assertStatus(peek, 200, 'peek');
    assert.equal(peek.body.email_verified, false);
    const ok = await postSignup({ ticket, accept_terms: true });
    assertStatus(ok, 201, 'POST /api/v1/social/signups (unverified)');
    assert.equal(ok.body.account.status, 'unconfirmed');
    const { client, me } = await clientWithSession(srv.baseUrl, sessionFrom(ok)?.value);
    assert.equal(me.status, 'unconfirmed');

    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes(u.email) || m.to.includes(u.email), 20_000);
    const token = smtp.tokenFrom(mail, '/confirm');
    assert.ok(token, `the mail carries a /confirm?token= link:\n${mail.text}`);
    assertStatus(await new Client(srv.baseUrl).post('/api/v1/account-confirmations', { token }), 204, 'confirm');
    assert.equal((await client.me()).body.status, 'active', 'confirmed by the mailed link');
  });

  test('5. every tampered ID token → 400, no session, nothing created', T, async () => {
    const u = users.tampered;
    for (const kind of TAMPER_KINDS) {
      const tokensBefore = op.requests.length;
      const { res } = await socialLogin(u.sub, { tamper: kind });
      assertError(res, 400, 'bad_request', `tamper ${kind}`);
      assertNoCookie(res, `tamper ${kind}`);
      assert.equal(op.requests.length, tokensBefore + 1, `tamper ${kind}: the code was exchanged`);
      assert.equal(op.requests.at(-1).status, 200, `tamper ${kind}: the provider issued the (spoiled) token`);
    }
    // Nothing was created or linked: an honest login of the same identity is still a brand-new sign-up.
    const { res } = await socialLogin(u.sub);
    ticketFrom(res, 'honest login after the tampered ones');
  });

  test('6. replayed or forged state, missing code, provider error → 400', T, async () => {
    const u = users.replay;
    // Forged state: refused without touching the provider; the genuine login is then still good.
    const flow = await toCallback(u.sub);
    const forged = new URL(flow.callbackPath, srv.baseUrl);
    forged.searchParams.set('state', crypto.randomBytes(32).toString('base64url'));
    const tokensBefore = op.requests.length;
    const forgedRes = await rawRequest(srv.baseUrl, { path: forged.pathname + forged.search });
    assertError(forgedRes, 400, 'bad_request', 'forged state');
    assertNoCookie(forgedRes, 'forged state');
    assert.equal(op.requests.length, tokensBefore, 'a forged state does not reach the token endpoint');

    // Missing code.
    const noCode = new URL(flow.callbackPath, srv.baseUrl);
    noCode.searchParams.delete('code');
    const noCodeRes = await rawRequest(srv.baseUrl, { path: noCode.pathname + noCode.search });
    assertError(noCodeRes, 400, 'bad_request', 'missing code');
    assertNoCookie(noCodeRes, 'missing code');

    // Missing state.
    const noState = new URL(flow.callbackPath, srv.baseUrl);
    noState.searchParams.delete('state');
    assertError(await rawRequest(srv.baseUrl, { path: noState.pathname + noState.search }), 400, 'bad_request', 'missing state');

    // The provider's error.
    const state = new URL(flow.callbackPath, srv.baseUrl).searchParams.get('state');
    const denied = await rawRequest(srv.baseUrl, { path: `${CALLBACK_PATH}?error=access_denied&state=${encodeURIComponent(state)}` });
    assertError(denied, 400, 'bad_request', 'error=access_denied');
    assertNoCookie(denied, 'error=access_denied');

    // The genuine callback works once ...
    const first = await rawRequest(srv.baseUrl, { path: flow.callbackPath });
    ticketFrom(first, 'the genuine callback');
    // ... and replaying it is refused.
    const replay = await rawRequest(srv.baseUrl, { path: flow.callbackPath });
    assertError(replay, 400, 'bad_request', 'replayed callback');
    assertNoCookie(replay, 'replayed callback');

    // A login started for one provider cannot be completed on another path.
    const other = await toCallback(u.sub);
    const wrong = await rawRequest(srv.baseUrl, { path: other.callbackPath.replace('/social/local/', '/social/nope/') });
    assertError(wrong, 404, 'not_found', 'callback of an unknown provider');
  });

  test('7. return_to cannot redirect off the site', T, async () => {
    const { id } = await signUp(users.wanderer.sub);
    const cases = [
      ['//evil.example/', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example/', '/'],
      ['\\\\evil.example/', '/'],
      ['', '/'],
      ['/articles/y?z=1', '/articles/y?z=1'],
    ];
    for (const [returnTo, expected] of cases) {
      const { res } = await socialLogin(users.wanderer.sub, { returnTo });
      const cookie = sessionLogin(res, expected, `return_to=${JSON.stringify(returnTo)}`);
      assert.ok(res.headers.location.startsWith('/') && !res.headers.location.startsWith('//'), 'a local path');
      const { me } = await clientWithSession(srv.baseUrl, cookie);
      assert.equal(me.id, id);
    }
    // The sign-up redirect of a new identity is local too, whatever return_to said.
    const { res } = await socialLogin(users.tampered.sub, { returnTo: 'https://evil.example/' });
    ticketFrom(res, 'sign-up redirect with an off-site return_to');
  });
});

describe('social login with no providers configured', { timeout: 120_000 }, () => {
  let srv;
  before(async () => {
    srv = await startServer({
      dataDir: newDataDir(),
      env: { TRIBUNE_SOCIAL_PROVIDERS: '', TRIBUNE_SOCIAL_CLIENT_SECRETS: '' },
    });
  });
  after(async () => { await srv?.kill(); });

  test('8. empty provider list; start and callback → 404', T, async () => {
    const anon = new Client(srv.baseUrl);
    const list = await anon.get('/api/v1/social/providers');
    assertStatus(list, 200, 'GET /api/v1/social/providers');
    assert.deepEqual(list.body, { items: [] });
    const start = await rawRequest(srv.baseUrl, { path: '/api/v1/social/x/start?return_to=/' });
    assertError(start, 404, 'not_found', 'start with no providers');
    assert.equal(start.headers.location, undefined);
    assertError(await rawRequest(srv.baseUrl, { path: '/api/v1/social/x/callback?code=a&state=b' }), 404, 'not_found',
      'callback with no providers');
  });
});
