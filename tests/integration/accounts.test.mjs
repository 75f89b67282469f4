import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createAccount, runCli, Client, loggedIn, newDataDir, uniqueEmail, unique, parseSetCookie,
  assertError, assertStatus, TRIBUNE_BIN, SESSION_COOKIE, PASSWORD,
} from './harness.mjs';

const T = { timeout: 60_000 };

describe('accounts and sessions', { timeout: 300_000 }, () => {
  let srv;
  let anon;

  before(async () => {
    srv = await startServer({ dataDir: newDataDir() });
    anon = new Client(srv.baseUrl);
  });
  after(async () => { await srv?.kill(); });

  function register(fields = {}, client = anon) {
    return client.post('/api/v1/accounts', {
      email: uniqueEmail('reg'),
      password: PASSWORD,
      display_name: 'Reg User',
      accept_terms: true,
      ...fields,
    });
  }

  describe('registration', () => {
    test('201 with {id, email, display_name}; id is a string', T, async () => {
      const email = uniqueEmail('new');
      const r = await register({ email, display_name: 'New Reader' });
      assertStatus(r, 201, 'register');
      assert.deepEqual(Object.keys(r.body).sort(), ['display_name', 'email', 'id'], `unexpected keys: ${r.text}`);
      assert.equal(typeof r.body.id, 'string');
      assert.ok(r.body.id.length > 0);
      assert.equal(r.body.email, email);
      assert.equal(r.body.display_name, 'New Reader');
    });

    test('a registered account can log in and is a reader by default', T, async () => {
      const email = uniqueEmail('dflt');
      assertStatus(await register({ email }), 201, 'register');
      const c = new Client(srv.baseUrl);
      const r = await c.login(email);
      assertStatus(r, 200, 'login');
      assert.deepEqual(r.body.account.roles, ['reader']);
    });

    test('e-mail is normalised: surrounding whitespace trimmed, domain lower-cased', T, async () => {
      const local = unique('norm');
      const r = await register({ email: `  ${local}@Example.COM \t` });
      assertStatus(r, 201, 'register');
      assert.equal(r.body.email, `${local}@example.com`);
      const c = new Client(srv.baseUrl);
      assertStatus(await c.login(`${local}@example.com`), 200, 'login with the normalised address');
    });

    test('e-mail addresses are lower-cased whole, so Ann@ and ann@ are one account', T, async () => {
      const local = unique('Norm');
      const r = await register({ email: `${local}@Example.COM` });
      assertStatus(r, 201, 'register');
      assert.equal(r.body.email, `${local.toLowerCase()}@example.com`, 'the whole address is lower-cased');
      const c = new Client(srv.baseUrl);
      assertStatus(await c.login(`${local.toUpperCase()}@EXAMPLE.com`), 200, 'login in any case');
    });

    test('password of 11 characters → 400 bad_request; 12 characters → 201 (ASVS 2.1.1)', T, async () => {
      const short = uniqueEmail('short');
      assertError(await register({ email: short, password: 'mild otter7' }), 400, 'bad_request', '11-char password');
      assertError(await new Client(srv.baseUrl).login(short, 'mild otter7'), 401, 'unauthenticated', 'no account after rejected registration');
      const ok = uniqueEmail('twelve');
      assertStatus(await register({ email: ok, password: 'mild otter72' }), 201, '12-char password');
      assertStatus(await new Client(srv.baseUrl).login(ok, 'mild otter72'), 200, 'login with 12-char password');
    });

    test('password of 128 characters → 201; 129 → 400 bad_request (ASVS 2.1.2)', T, async () => {
      const ok = uniqueEmail('long');
      const words = 'tangerine harbour lantern quietly '.repeat(4);
      const pw128 = words.slice(0, 128);
      assertStatus(await register({ email: ok, password: pw128 }), 201, '128-char password');
      assertStatus(await new Client(srv.baseUrl).login(ok, pw128), 200, 'login with 128-char password');
      assertError(await register({ password: `${pw128}x` }), 400, 'bad_request', '129-char password');
    });

    test('common and guessable passwords → 400 bad_request, nothing stored (ASVS 2.1.7)', T, async () => {
      for (const weak of ['password1234', 'qwertyuiop12', '123456789012', 'abcabcabcabc', 'passwordpassword', 'aaaaaaaaaaaaab']) {
        const email = uniqueEmail('weak');
        assertError(await register({ email, password: weak }), 400, 'bad_request', weak);
        assertError(await new Client(srv.baseUrl).login(email, weak), 401, 'unauthenticated', `${weak}: no account`);
      }
      const local = uniqueEmail('selfname');
      assertError(await register({ email: local, password: `${local.split('@')[0]}12` }), 400, 'bad_request', 'own address');
    });

    test("password length counts characters, not bytes: 9 × 'é' (18 bytes) → 400 bad_request", T, async () => {
      const email = uniqueEmail('utf9');
      assertError(await register({ email, password: 'é'.repeat(9) }), 400, 'bad_request', "9 × 'é'");
      assertError(await new Client(srv.baseUrl).login(email, 'é'.repeat(9)), 401, 'unauthenticated', 'no account');
    });

    test('password length counts characters, not bytes: 128 accented letters (256 bytes) → 201', T, async () => {
      const email = uniqueEmail('utf128');
      const pw = `${'éàüöç'.repeat(25)}ñèê`;
      assert.equal([...pw].length, 128);
      assertStatus(await register({ email, password: pw }), 201, '128 accented letters');
      assertStatus(await new Client(srv.baseUrl).login(email, pw), 200, 'login with 128 accented letters');
    });

    test('accept_terms must be true', T, async () => {
      for (const [what, fields] of [
        ['accept_terms: false', { accept_terms: false }],
        ['accept_terms: "true"', { accept_terms: 'true' }],
      ]) {
        const email = uniqueEmail('terms');
        assertError(await register({ email, ...fields }), 400, 'bad_request', what);
        assertError(await new Client(srv.baseUrl).login(email), 401, 'unauthenticated', `${what}: no account`);
      }
      const email = uniqueEmail('noterms');
      const r = await anon.post('/api/v1/accounts', { email, password: PASSWORD, display_name: 'X' });
      assertError(r, 400, 'bad_request', 'accept_terms missing');
      assertError(await new Client(srv.baseUrl).login(email), 401, 'unauthenticated', 'accept_terms missing: no account');
    });

    test('missing e-mail or password → 400 bad_request', T, async () => {
      assertError(await anon.post('/api/v1/accounts', { password: PASSWORD, display_name: 'X', accept_terms: true }),
        400, 'bad_request', 'no email');
      assertError(await anon.post('/api/v1/accounts', { email: uniqueEmail('nopw'), display_name: 'X', accept_terms: true }),
        400, 'bad_request', 'no password');
    });

    test('duplicate e-mail answers like a new one but creates no second account', T, async () => {
      const local = unique('dup');
      const first = await register({ email: `${local}@example.com`, password: 'first-password-1' });
      assertStatus(first, 201, 'first registration');
      const second = await register({ email: `${local}@EXAMPLE.Com`, password: 'second-password-2', display_name: 'Impostor' });
      assertStatus(second, 201, 'duplicate registration');
      assert.deepEqual(Object.keys(second.body).sort(), Object.keys(first.body).sort(), 'same response shape');
      assert.equal(typeof second.body.id, 'string');
      assert.equal(second.body.email, `${local}@example.com`, 'normalised e-mail echoed');

      assertError(await new Client(srv.baseUrl).login(`${local}@example.com`, 'second-password-2'), 401, 'unauthenticated',
        'second password must not work');
      const c = new Client(srv.baseUrl);
      const ok = await c.login(`${local}@example.com`, 'first-password-1');
      assertStatus(ok, 200, 'first password still works');
      assert.equal(ok.body.account.id, first.body.id, 'the account is the first one');
      assert.notEqual(ok.body.account.display_name, 'Impostor');
    });
  });

  describe('session', () => {
    let email;
    before(async () => {
      email = uniqueEmail('sess');
      const r = await register({ email, display_name: 'Session User' });
      assertStatus(r, 201, 'register');
    });

    test('login → 200 {account:{id,email,display_name,roles}, csrf_token} and a __Host- session cookie', T, async () => {
      const c = new Client(srv.baseUrl);
      const r = await c.login(email);
      assertStatus(r, 200, 'login');
      const { account, csrf_token: csrf } = r.body;
      assert.equal(typeof account?.id, 'string');
      assert.equal(account.email, email);
      assert.equal(account.display_name, 'Session User');
      assert.ok(Array.isArray(account.roles), 'roles is an array');
      assert.ok(account.roles.includes('reader'));
      assert.equal(typeof csrf, 'string');
      assert.ok(csrf.length >= 16, 'csrf_token should be long enough to be unguessable');

      const ours = r.setCookies.filter((sc) => sc.startsWith(`${SESSION_COOKIE}=`));
      assert.equal(ours.length, 1, `exactly one ${SESSION_COOKIE} Set-Cookie: ${JSON.stringify(r.setCookies)}`);
      const ck = parseSetCookie(ours[0]);
      assert.ok(ck.value.length >= 16, 'session cookie value should be long');
      assert.equal(ck.attrs.path, '/', `Path=/ in ${ours[0]}`);
      assert.equal(ck.attrs.secure, true, `Secure in ${ours[0]}`);
      assert.equal(ck.attrs.httponly, true, `HttpOnly in ${ours[0]}`);
      assert.equal(String(ck.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax in ${ours[0]}`);
      assert.equal(ck.attrs.domain, undefined, `no Domain in ${ours[0]}`);
    });

    test('wrong password → 401 unauthenticated, no cookie', T, async () => {
      const c = new Client(srv.baseUrl);
      const r = await c.login(email, 'not-the-password');
      assertError(r, 401, 'unauthenticated', 'wrong password');
      assert.equal(c.cookie, null, 'no session cookie on failed login');
    });

    test('unknown e-mail → 401 unauthenticated', T, async () => {
      assertError(await new Client(srv.baseUrl).login(uniqueEmail('nobody')), 401, 'unauthenticated', 'unknown e-mail');
    });

    test('each login gives a new cookie value', T, async () => {
      const a = await loggedIn(srv.baseUrl, email);
      const b = await loggedIn(srv.baseUrl, email);
      assert.notEqual(a.cookie, b.cookie);
      // logging in again on the same client replaces its cookie too
      const before1 = a.cookie;
      assertStatus(await a.login(email), 200, 'relogin');
      assert.notEqual(a.cookie, before1);
    });

    test('GET /api/v1/me → 200 {id,email,display_name,roles,status,csrf_token,consent}', T, async () => {
      const c = await loggedIn(srv.baseUrl, email);
      const r = await c.me();
      assertStatus(r, 200, '/me');
      const me = r.body;
      assert.equal(me.id, c.account.id);
      assert.equal(me.email, email);
      assert.equal(me.display_name, 'Session User');
      assert.ok(Array.isArray(me.roles) && me.roles.includes('reader'), `roles: ${JSON.stringify(me.roles)}`);
      assert.equal(typeof me.status, 'string');
      assert.equal(typeof me.csrf_token, 'string');
      assert.ok(me.csrf_token.length > 0);
      assert.ok(me.consent && typeof me.consent === 'object' && !Array.isArray(me.consent), `consent: ${JSON.stringify(me.consent)}`);
    });

    test('the csrf_token from /me works for a state-changing request', T, async () => {
      const c = await loggedIn(srv.baseUrl, email);
      c.csrf = null;
      const me = await c.me();
      assertStatus(me, 200, '/me');
      assert.equal(c.csrf, me.body.csrf_token);
      assertStatus(await c.del('/api/v1/session'), 204, 'logout with the /me token');
    });

    test('/me without a cookie → 401 unauthenticated; with a bogus cookie → 401', T, async () => {
      assertError(await anon.me(), 401, 'unauthenticated', 'no cookie');
      const bogus = new Client(srv.baseUrl);
      bogus.cookie = 'definitely-not-a-session';
      assertError(await bogus.me(), 401, 'unauthenticated', 'bogus cookie');
    });

    test('DELETE /api/v1/session → 204; the old cookie then gets 401', T, async () => {
      const c = await loggedIn(srv.baseUrl, email);
      const old = c.cookie;
      assertStatus(await c.me(), 200, '/me before logout');
      const r = await c.del('/api/v1/session');
      assertStatus(r, 204, 'logout');
      const stale = new Client(srv.baseUrl);
      stale.cookie = old;
      assertError(await stale.me(), 401, 'unauthenticated', '/me with the logged-out cookie');
    });

    test('logging out one session leaves another session of the same account alive', T, async () => {
      const a = await loggedIn(srv.baseUrl, email);
      const b = await loggedIn(srv.baseUrl, email);
      assertStatus(await a.del('/api/v1/session'), 204, 'logout a');
      assertStatus(await b.me(), 200, '/me b');
    });
  });

  describe('roles from `tribune admin create`', () => {
    test('accounts get the requested role (reader, moderator, editor, admin)', { timeout: 120_000 }, async () => {
      for (const role of ['reader', 'moderator', 'editor', 'admin']) {
        const email = uniqueEmail(`cli-${role}`);
        await createAccount(TRIBUNE_BIN, srv.dataDir, email, role);
        const c = await loggedIn(srv.baseUrl, email);
        const me = await c.me();
        assertStatus(me, 200, `/me ${role}`);
        assert.ok(me.body.roles.includes(role), `${role} account roles: ${JSON.stringify(me.body.roles)}`);
        assert.deepEqual(c.account.roles.slice().sort(), me.body.roles.slice().sort(), 'login and /me agree on roles');
      }
    });

    test('an existing account gets the role added', T, async () => {
      const email = uniqueEmail('promote');
      const reg = await register({ email });
      assertStatus(reg, 201, 'register');
      await createAccount(TRIBUNE_BIN, srv.dataDir, email, 'moderator');
      const c = await loggedIn(srv.baseUrl, email);
      const me = await c.me();
      assertStatus(me, 200, '/me');
      assert.ok(me.body.roles.includes('moderator'), `roles: ${JSON.stringify(me.body.roles)}`);
      assert.ok(me.body.roles.includes('reader'), `reader role kept: ${JSON.stringify(me.body.roles)}`);
      // the CLI did not create a second account
      assert.equal(me.body.id, reg.body.id);
    });

    test('an unknown role is refused (non-zero exit)', T, async () => {
      const r = await runCli(['admin', 'create', '--data', srv.dataDir, '--email', uniqueEmail('bad'), '--role', 'superuser'],
        { input: `${PASSWORD}\n` });
      assert.notEqual(r.code, 0, `exit code for --role superuser: ${r.code}\n${r.stdout}${r.stderr}`);
    });
  });
});
