// The account lifecycle end to end, against the real server, a real SMTP server (npm smtp-server) and the
// ALTCHA solver the widget uses: captcha, confirmation, recovery, throttling, deletion with the 30-day
// restore (the server's clock moved by config testing.clock_control), purge, re-consent, export.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createAccount, Client, loggedIn, newDataDir, uniqueEmail, assertError, assertStatus, PASSWORD,
  articlePayload, sql
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';
import { solveCaptcha } from './support/altcha_solve.mjs';

const T = { timeout: 120_000 };
const DAY = 86_400;


describe('account lifecycle with a real SMTP server', { timeout: 600_000 }, () => {
  let sink;
  let srv;
  let anon;
  let admin;
  let article;

  before(async () => {
    sink = await startSmtpSink();
    srv = await startServer({
      dataDir: newDataDir(),
      env: {
        TRIBUNE_CAPTCHA_REQUIRED: 'true',
        TRIBUNE_CAPTCHA_MAX_NUMBER: '2000',
        TRIBUNE_LIMITS_ENABLED: 'true',
        TRIBUNE_MAIL_SMTP_URL: sink.url,
        TRIBUNE_MAIL_POLL_MS: '50',
        TRIBUNE_TESTING_CLOCK_CONTROL: 'true',
      },
    });
    anon = new Client(srv.baseUrl);
    await createAccount(undefined, srv.dataDir, 'lifecycle-admin@example.com', 'admin');
    admin = await loggedIn(srv.baseUrl, 'lifecycle-admin@example.com');
    const a = await admin.post('/api/v1/articles', articlePayload());
    assertStatus(a, 201, 'article');
    article = a.body;
  });
  after(async () => {
    await srv?.kill();
    await sink?.close();
  });

  const mailTo = (to, kind) => sink.waitFor((m) => m.envelope.rcptTo.includes(to) && m.headers['x-tribune-mail'] === kind);
  const mailsTo = (to, kind) => sink.messages.filter((m) => m.envelope.rcptTo.includes(to) && m.headers['x-tribune-mail'] === kind);

  async function captcha() {
    const c = await anon.get('/api/v1/captcha');
    assertStatus(c, 200, 'captcha');
    return solveCaptcha(c.body);
  }

  async function register(email, fields = {}) {
    return anon.post('/api/v1/accounts', {
      email, password: PASSWORD, display_name: 'Lifecycle Reader', accept_terms: true, captcha: await captcha(), ...fields,
    });
  }

  async function registerConfirmed(email) {
    assertStatus(await register(email), 201, 'register');
    const token = sink.tokenFrom(await mailTo(email, 'confirm_account'), '/confirm');
    assertStatus(await anon.post('/api/v1/account-confirmations', { token }), 204, 'confirm');
    return loggedIn(srv.baseUrl, email);
  }

  // Moves the server's clock (and runs its due jobs); sessions idle past 30 days end, so the admin signs in again.
  async function advance(seconds) {
    const r = await anon.post('/api/v1/testing/clock', { advance_seconds: seconds });
    admin = await loggedIn(srv.baseUrl, 'lifecycle-admin@example.com');
    return r;
  }

  test('GET /api/v1/captcha is an ALTCHA v1 challenge with the expiry in the salt', T, async () => {
    const c = await anon.get('/api/v1/captcha');
    assertStatus(c, 200);
    assert.deepEqual(Object.keys(c.body).sort(), ['algorithm', 'challenge', 'maxnumber', 'salt', 'signature']);
    assert.equal(c.body.algorithm, 'SHA-256');
    assert.match(c.body.challenge, /^[0-9a-f]{64}$/);
    assert.match(c.body.salt, /\?expires=\d+/);
    assert.equal(c.headers['cache-control'], 'no-store');
  });

  test('registration needs a solved captcha; a replayed one is refused and stores nothing', T, async () => {
    const email = uniqueEmail('cap');
    const missing = await anon.post('/api/v1/accounts', { email, password: PASSWORD, display_name: 'X', accept_terms: true });
    assertError(missing, 400, 'captcha_failed', 'no captcha');
    const solved = await captcha();
    assertStatus(await register(email, { captcha: solved }), 201, 'first use');
    const other = uniqueEmail('replay');
    assertError(await register(other, { captcha: solved }), 400, 'captcha_failed', 'replay');
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM accounts WHERE email = '${other}'`), '0');
  });

  test('forged captcha payloads: a string number, a spliced salt, garbage → 400 captcha_failed', T, async () => {
    const a = JSON.parse(Buffer.from(await captcha(), 'base64').toString());
    const b = JSON.parse(Buffer.from(await captcha(), 'base64').toString());
    const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64');
    const bad = [
      enc({ ...a, number: String(a.number) }),
      enc({ ...a, salt: b.salt }),
      enc({ ...a, salt: a.salt.replace(/expires=(\d+)/, (_, s) => `expires=${Number(s) + 3600}`) }),
      enc({ ...a, number: a.number + 0.5 }),
      enc({ ...a, algorithm: 'SHA-1' }),
      'not base64 at all!',
      enc({ ...a }).slice(0, 40),
    ];
    for (const payload of bad) {
      const email = uniqueEmail('forged');
      assertError(await register(email, { captcha: payload }), 400, 'captcha_failed', payload.slice(0, 30));
      assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM accounts WHERE email = '${email}'`), '0');
    }
  });

  test('confirmation: unconfirmed readers cannot comment; the mailed link confirms once', T, async () => {
    const email = uniqueEmail('confirm');
    const r = await register(email);
    assertStatus(r, 201);
    const reader = await loggedIn(srv.baseUrl, email);
    assert.equal((await reader.me()).body.status, 'unconfirmed');
    assertError(await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Hello there, neighbours.' }),
      403, 'forbidden', 'unconfirmed comment');
    const mail = await mailTo(email, 'confirm_account');
    const token = sink.tokenFrom(mail, '/confirm');
    assert.ok(token && token.length >= 22, `a token of at least 128 bits in ${mail.text}`);
    assertError(await anon.post('/api/v1/account-confirmations', { token: token.slice(0, 20) }), 400, 'bad_request', 'truncated');
    assertError(await anon.post('/api/v1/account-confirmations', { token: `${token.slice(0, -2)}AA` }), 400, 'bad_request', 'forged');
    assertStatus(await anon.post('/api/v1/account-confirmations', { token }), 204, 'confirm');
    assertError(await anon.post('/api/v1/account-confirmations', { token }), 410, 'gone', 'reused');
    assert.equal((await reader.me()).body.status, 'active');
    assertStatus(await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Hello there, neighbours.' }), 201);
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM account_tokens WHERE token_hash = '${token}'`), '0',
      'tokens are stored hashed');
  });

  test('a second registration with a known address looks new and mails the owner instead', T, async () => {
    const email = uniqueEmail('dup');
    const first = await register(email, { display_name: 'Owner' });
    assertStatus(first, 201);
    const second = await register(email, { display_name: 'Intruder' });
    assertStatus(second, 201);
    assert.deepEqual(Object.keys(second.body).sort(), Object.keys(first.body).sort());
    assert.notEqual(second.body.id, first.body.id);
    const warning = await mailTo(email, 'duplicate_registration');
    assert.match(warning.text, /Owner/);
    assert.equal(sql(srv.dataDir, `SELECT display_name FROM accounts WHERE email = '${email}'`), 'Owner');
  });

  test('password recovery: 202 always, one single-use link, every session ended', T, async () => {
    const email = uniqueEmail('reset');
    const reader = await registerConfirmed(email);
    const unknown = uniqueEmail('nobody');
    const r1 = await anon.post('/api/v1/password-resets', { email: unknown, captcha: await captcha() });
    const r2 = await anon.post('/api/v1/password-resets', { email, captcha: await captcha() });
    assertStatus(r1, 202);
    assertStatus(r2, 202);
    assert.deepEqual(r1.body, r2.body, 'known and unknown addresses answer alike');
    assertError(await anon.post('/api/v1/password-resets', { email }), 400, 'captcha_failed');
    const token = sink.tokenFrom(await mailTo(email, 'password_reset'), '/password-reset/confirm');
    assertError(await anon.post('/api/v1/password-resets/confirm', { token, password: 'short' }), 400, 'bad_request');
    assertStatus(await anon.post('/api/v1/password-resets/confirm', { token, password: 'a brand new passphrase' }), 204);
    assertError(await anon.post('/api/v1/password-resets/confirm', { token, password: 'another new passphrase' }), 410, 'gone');
    assertError(await reader.me(), 401, 'unauthenticated', 'old session after reset');
    assertError(await new Client(srv.baseUrl).login(email, PASSWORD), 401, 'unauthenticated');
    assertStatus(await new Client(srv.baseUrl).login(email, 'a brand new passphrase'), 200);
    await mailTo(email, 'password_changed');
    await new Promise((res) => { setTimeout(res, 300); });
    assert.equal(sink.messages.filter((m) => m.envelope.rcptTo.includes(unknown)).length, 0, 'no mail to an unknown address');
  });

  test('change password: the current one is required; other sessions end, this one stays (ASVS 2.1.6, 3.3.3)', T, async () => {
    const email = uniqueEmail('change');
    const here = await registerConfirmed(email);
    const elsewhere = await loggedIn(srv.baseUrl, email);
    assertError(await here.post('/api/v1/me/password', { current_password: 'not the password', new_password: 'quiet copper meadow' }),
      401, 'unauthenticated', 'wrong current password');
    assertError(await here.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'password1234' }),
      400, 'bad_request', 'common new password');
    assertError(await here.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'quiet copper meadow' },
      { csrf: false }), 403, 'forbidden', 'no CSRF token');
    assertStatus(await elsewhere.me(), 200, 'the other session before the change');
    assertStatus(await here.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'quiet copper meadow' }), 204);
    assertStatus(await here.me(), 200, 'this session stays');
    assertError(await elsewhere.me(), 401, 'unauthenticated', 'the other session ended');
    assertStatus(await new Client(srv.baseUrl).login(email, 'quiet copper meadow'), 200);
    await mailTo(email, 'password_changed');
  });

  test('sessions: a reader sees each session and can end one (ASVS 3.3.4)', T, async () => {
    const email = uniqueEmail('sessions');
    const here = await registerConfirmed(email);
    const other = await loggedIn(srv.baseUrl, email);
    const list = await here.get('/api/v1/me/sessions');
    assertStatus(list, 200);
    assert.equal(list.body.items.length, 2);
    const mine = list.body.items.find((x) => x.current);
    const theirs = list.body.items.find((x) => !x.current);
    assert.ok(mine && theirs);
    assert.match(theirs.id, /^[0-9a-f]{16}$/);
    assert.ok(!other.cookie.includes(theirs.id), 'the id does not reveal the cookie');
    assertError(await here.del('/api/v1/me/sessions/0000000000000000'), 404, 'not_found');
    assertStatus(await here.del(`/api/v1/me/sessions/${theirs.id}`), 204);
    assertError(await other.me(), 401, 'unauthenticated');
    assertStatus(await here.me(), 200);
    const stranger = await registerConfirmed(uniqueEmail('stranger'));
    assertError(await stranger.del(`/api/v1/me/sessions/${mine.id}`), 404, 'not_found', 'another reader\'s session');
    assertStatus(await here.me(), 200);
  });

  test('a reset link expires after 30 minutes', T, async () => {
    const email = uniqueEmail('expire');
    await registerConfirmed(email);
    assertStatus(await anon.post('/api/v1/password-resets', { email, captcha: await captcha() }), 202);
    const token = sink.tokenFrom(await mailTo(email, 'password_reset'), '/password-reset/confirm');
    assertStatus(await advance(31 * 60), 200);
    assertError(await anon.post('/api/v1/password-resets/confirm', { token, password: 'a brand new passphrase' }), 410, 'gone');
  });

  test('login throttling: a captcha after 3 failures, 429 after 10, for unknown addresses alike', T, async () => {
    const email = uniqueEmail('throttle');
    await registerConfirmed(email);
    for (const who of [email, uniqueEmail('ghost')]) {
      const c = new Client(srv.baseUrl);
      for (let i = 0; i < 3; i++) assertError(await c.login(who, 'wrong password!'), 401, 'unauthenticated', `failure ${i}`);
      assertError(await c.login(who, PASSWORD), 400, 'captcha_failed', `${who}: 4th try without captcha`);
    }
    const c = new Client(srv.baseUrl);
    const ok = await c.post('/api/v1/session', { email, password: PASSWORD, captcha: await captcha() });
    assertStatus(ok, 200, 'right password with a captcha');
    for (let i = 0; i < 10; i++) {
      await c.post('/api/v1/session', { email, password: 'wrong password!', captcha: await captcha() });
    }
    const locked = await c.post('/api/v1/session', { email, password: PASSWORD, captcha: await captcha() });
    assertError(locked, 429, 'rate_limited', 'locked');
    assert.ok(Number(locked.headers['retry-after']) > 0, 'Retry-After');
    assertStatus(await advance(16 * 60), 200);
    assertStatus(await c.post('/api/v1/session', { email, password: PASSWORD }), 200, 'after the window');
  });

  test('per-address throttling behind a trusted proxy: 50 failures from one client lock that client only', T, async () => {
    const email = uniqueEmail('proxied');
    await registerConfirmed(email);
    const from = (ip) => ({ headers: { 'x-forwarded-for': `198.51.100.1, ${ip}` } });
    const c = new Client(srv.baseUrl);
    for (let i = 0; i < 50; i++) {
      assertError(await c.post('/api/v1/session', { email: uniqueEmail('spray'), password: 'wrong password!' }, from('203.0.113.7')),
        401, 'unauthenticated', `spray ${i}`);
    }
    assertError(await c.post('/api/v1/session', { email, password: PASSWORD }, from('203.0.113.7')), 429, 'rate_limited');
    assertStatus(await c.post('/api/v1/session', { email, password: PASSWORD }, from('203.0.113.8')), 200, 'another client');
  });

  test('deletion hides at once; the mailed link restores on day 29', T, async () => {
    const email = uniqueEmail('del29');
    const reader = await registerConfirmed(email);
    const posted = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'A comment worth keeping.' });
    assertStatus(posted, 201);
    const before = await anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    assert.ok(before.body.items.some((c) => c.id === posted.body.id));
    const del = await reader.del('/api/v1/me');
    assertStatus(del, 202);
    assertError(await reader.me(), 401, 'unauthenticated', 'session after delete');
    assertError(await new Client(srv.baseUrl).login(email, PASSWORD), 401, 'unauthenticated');
    const hidden = await anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    assert.ok(!hidden.body.items.some((c) => c.id === posted.body.id), 'comment hidden');
    const token = sink.tokenFrom(await mailTo(email, 'account_deleted'), '/restore');
    assertStatus(await advance(29 * DAY), 200);
    const restored = await anon.post('/api/v1/account-restorations', { token });
    assertStatus(restored, 200, 'restore on day 29');
    assert.equal(restored.body.account.status, 'active');
    assertError(await anon.post('/api/v1/account-restorations', { token }), 410, 'gone', 'second use');
    const back = await anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    assert.ok(back.body.items.some((c) => c.id === posted.body.id && c.body === 'A comment worth keeping.'));
    assertStatus(await new Client(srv.baseUrl).login(email, PASSWORD), 200);
  });

  test('day 31: restore answers 410 and the personal data is gone from the database file', T, async () => {
    const email = uniqueEmail('del31');
    const reader = await registerConfirmed(email);
    const id = (await reader.me()).body.id;
    const posted = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Words that will go away.' });
    assertStatus(posted, 201);
    const other = await registerConfirmed(uniqueEmail('replier'));
    assertStatus(await other.post(`/api/v1/articles/${article.id}/comments`,
      { body: 'A reply that stays readable.', parent_id: posted.body.id }), 201);
    assertStatus(await reader.del('/api/v1/me'), 202);
    const token = sink.tokenFrom(await mailTo(email, 'account_deleted'), '/restore');
    assertStatus(await advance(31 * DAY), 200);
    assertError(await anon.post('/api/v1/account-restorations', { token }), 410, 'gone', 'restore on day 31');
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM accounts WHERE email = '${email}'`), '0');
    assert.equal(sql(srv.dataDir, `SELECT status || '|' || display_name FROM accounts WHERE id = ${id}`), 'purged|');
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM comments WHERE body LIKE '%Words that will go away%'`), '0');
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM purged_accounts WHERE account_id = ${id}`), '1');
    const thread = await anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    const placeholder = thread.body.items.find((c) => c.id === posted.body.id);
    assert.ok(placeholder, 'the purged comment stays as a placeholder');
    assert.equal(placeholder.status, 'deleted');
    assert.equal(placeholder.body, '');
    assert.ok(thread.body.items.some((c) => c.body === 'A reply that stays readable.'));
  });

  test('privacy policy: a new version blocks writes with consent_required until the reader accepts', T, async () => {
    const reader = await registerConfirmed(uniqueEmail('consent'));
    const current = await anon.get('/api/v1/privacy-policy');
    assertStatus(current, 200);
    assert.ok(current.body.text.length > 100);
    assertError(await reader.post('/api/v1/privacy-policy', { text: 'mine' }), 403, 'forbidden', 'reader publishing');
    const published = await admin.post('/api/v1/privacy-policy', { text: `${current.body.text}\n\nNew paragraph.` });
    assertStatus(published, 201);
    assert.equal(published.body.version, current.body.version + 1);
    const me = await reader.me();
    assert.deepEqual(me.body.consent, { policy_version: current.body.version, current_version: published.body.version });
    const blocked = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Can I still write here?' });
    assertError(blocked, 403, 'consent_required');
    assertError(await reader.post('/api/v1/me/consents', { policy_version: current.body.version }), 409, 'conflict');
    assertError(await reader.post('/api/v1/me/consents', { policy_version: 'latest' }), 400, 'bad_request');
    assertStatus(await reader.post('/api/v1/me/consents', { policy_version: published.body.version }), 204);
    assertStatus(await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Can I still write here?' }), 201);
    const log = sql(srv.dataDir, `SELECT document || ':' || version || ':' || method FROM consent_log WHERE account_id = ${me.body.id} ORDER BY id`);
    assert.deepEqual(log.split('\n'), [
      `community_standards:1:registration`, `privacy_policy:${current.body.version}:registration`,
      `privacy_policy:${published.body.version}:prompt`]);
    assert.throws(() => sql(srv.dataDir, `DELETE FROM consent_log WHERE account_id = ${me.body.id}`), /append-only/);
  });

  test('a reader asked to re-consent may delete the account from the same prompt', T, async () => {
    const email = uniqueEmail('optout');
    const reader = await registerConfirmed(email);
    const current = await anon.get('/api/v1/privacy-policy');
    // Admins are readers too: the admin accepts the current version before publishing the next.
    assertError(await admin.post('/api/v1/privacy-policy', { text: 'x' }), 403, 'consent_required');
    assertStatus(await admin.post('/api/v1/me/consents', { policy_version: current.body.version }), 204);
    assertStatus(await admin.post('/api/v1/privacy-policy', { text: `${current.body.text}\n\nAnother change.` }), 201);
    assertStatus(await admin.post('/api/v1/me/consents', { policy_version: current.body.version + 1 }), 204);
    assertStatus(await reader.del('/api/v1/me'), 202);
    await mailTo(email, 'account_deleted');
  });

  test('export: all of the reader\'s data as JSON', T, async () => {
    const email = uniqueEmail('export');
    const reader = await registerConfirmed(email);
    const c = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'Exported words, first draft.' });
    assertStatus(await reader.patch(`/api/v1/comments/${c.body.id}`, { body: 'Exported words, second draft.' }), 200);
    const r = await reader.get('/api/v1/me/export');
    assertStatus(r, 200);
    assert.match(r.headers['content-disposition'], /attachment/);
    assert.equal(r.body.account.email, email);
    assert.ok(r.body.consents.length >= 2);
    const mine = r.body.comments.find((x) => x.id === c.body.id);
    assert.equal(mine.body, 'Exported words, second draft.');
    assert.ok(mine.revisions.some((v) => v.body === 'Exported words, first draft.'));
    assert.ok(r.body.sessions.length >= 1);
    for (const key of ['reports', 'appeals', 'sanctions', 'moderation_decisions']) assert.ok(Array.isArray(r.body[key]), key);
    assert.ok(!r.text.includes('argon2'), 'no password hash in the export');
    assertError(await anon.get('/api/v1/me/export'), 401, 'unauthenticated');
  });

  test('bad input on every lifecycle write: a 4xx JSON error and nothing stored', T, async () => {
    const before = sql(srv.dataDir, 'SELECT (SELECT COUNT(*) FROM accounts) || \'/\' || (SELECT COUNT(*) FROM mail_outbox) || \'/\' || (SELECT COUNT(*) FROM account_tokens)');
    const cases = [
      ['/api/v1/accounts', { email: 'not-an-address', password: PASSWORD, display_name: 'X', accept_terms: true }, 400],
      ['/api/v1/accounts', { email: uniqueEmail('t'), password: PASSWORD, display_name: 'X', accept_terms: false, captcha: 'x' }, 400],
      ['/api/v1/accounts', { email: uniqueEmail('t'), password: PASSWORD, display_name: 'X'.repeat(5000), accept_terms: true }, 400],
      ['/api/v1/account-confirmations', { token: 42 }, 400],
      ['/api/v1/account-confirmations', { token: 'x'.repeat(10_000) }, 400],
      ['/api/v1/password-resets', { email: ['a@b.c'] }, 400],
      ['/api/v1/password-resets/confirm', { token: 'A'.repeat(43), password: 'a brand new passphrase' }, 400],
      ['/api/v1/account-restorations', { token: '' }, 400],
      ['/api/v1/account-restorations', { token: 'A'.repeat(43), extra: 1 }, 400],
    ];
    for (const [path, body, status] of cases) {
      const r = await anon.post(path, body);
      assert.equal(r.status, status, `${path} ${JSON.stringify(body).slice(0, 60)} → ${r.status} ${r.text}`);
      assert.equal(typeof r.body?.error?.code, 'string');
    }
    const notJson = await anon.post('/api/v1/accounts', '{"email":', {});
    assertError(notJson, 400, 'bad_request');
    const after = sql(srv.dataDir, 'SELECT (SELECT COUNT(*) FROM accounts) || \'/\' || (SELECT COUNT(*) FROM mail_outbox) || \'/\' || (SELECT COUNT(*) FROM account_tokens)');
    assert.equal(after, before);
  });
});
