// E-mail notices of replies through the real server (mails land as .eml files in <data>/mail): a reader who
// chose "immediate" gets a reply_notice with a one-click List-Unsubscribe link that works without signing in;
// "daily" collects the replies into one reply_digest after the digest hour (the clock is moved with
// testing.clock_control); garbage settings and forged tokens are refused and change nothing.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrap, createArticle, postComment, assertStatus, assertError, until, sql
} from './harness.mjs';

const T = { timeout: 120_000 };


function decodeQp(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

// Every .eml of `kind` addressed to `email`, oldest first: {file, raw, text}.
function mails(dataDir, kind, email) {
  const dir = join(dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((file) => {
    const raw = readFileSync(join(dir, file), 'utf8');
    return { file, raw, text: decodeQp(raw) };
  }).filter((m) => m.raw.includes(`X-Tribune-Mail: ${kind}\r\n`)
    && new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'm').test(m.raw));
}

const putSettings = (client, body, opts) => client.json('PUT', '/api/v1/me/notifications', body, opts);

async function mode(client) {
  const r = await client.get('/api/v1/me/notifications');
  assertStatus(r, 200, 'GET /api/v1/me/notifications');
  return r.body.email_replies;
}

// Runs the server's maintenance and mail worker once (testing.clock_control), without moving the clock.
async function flush(anon) {
  assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 0 }), 200, 'flush');
}

describe('reply notices by e-mail', { timeout: 300_000 }, () => {
  const cleanup = [];
  after(async () => { for (const fn of cleanup.reverse()) await fn(); });

  async function setUp(env = {}) {
    const fx = await bootstrap({
      accounts: { editor: 'editor', alice: 'reader', bob: 'reader' },
      env: { TRIBUNE_TESTING_CLOCK_CONTROL: 'true', TRIBUNE_MAIL_POLL_MS: '50', ...env },
    });
    cleanup.push(() => fx.srv.kill());
    const article = await createArticle(fx.clients.editor);
    return { ...fx, article };
  }

  test('immediate: a reply_notice with a one-click unsubscribe link that turns notices off', T, async () => {
    const { srv, clients: { alice, bob }, emails, anon, article } = await setUp();
    assert.equal(await mode(alice), 'off', 'notices are opt-in');
    const put = await putSettings(alice, { email_replies: 'immediate' });
    assertStatus(put, 200, 'PUT immediate');
    assert.equal(put.body.email_replies, 'immediate');
    assert.ok(Array.isArray(put.body.devices));

    const parent = await postComment(alice, article.id, 'What do you all think about this story?');
    const reply = await postComment(bob, article.id, 'I think it is a fine story, thanks.', parent.id);
    const [mail] = await until('a reply_notice for alice', () => {
      const found = mails(srv.dataDir, 'reply_notice', emails.alice);
      return found.length ? found : null;
    });
    const unsubscribe = /^List-Unsubscribe: <([^>\r\n]+)>\r$/m.exec(mail.raw);
    assert.ok(unsubscribe, `List-Unsubscribe header in\n${mail.raw.slice(0, 3000)}`);
    const url = new URL(unsubscribe[1]);
    assert.equal(`${url.origin}${url.pathname}`, `${srv.baseUrl}/unsubscribe`);
    const token = url.searchParams.get('token');
    assert.ok(token, 'the link carries a token');
    assert.match(mail.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    assert.ok(mail.text.includes('I think it is a fine story, thanks.'), 'the mail quotes the reply');
    assert.ok(mail.text.includes(`#c${reply.id}`), 'the mail links to the reply');
    assert.equal(mails(srv.dataDir, 'reply_notice', emails.bob).length, 0, 'bob chose nothing: no mail');

    // One click, no session.
    const off = await anon.post('/api/v1/notifications/unsubscribe', { token });
    assertStatus(off, 200, 'unsubscribe');
    assert.equal(off.body.email_replies, 'off');
    assert.equal(await mode(alice), 'off');
    assertStatus(await anon.post('/api/v1/notifications/unsubscribe', { token }), 200, 'a second click is fine');

    await postComment(bob, article.id, 'One more reply after the unsubscribe.', parent.id);
    // A mail would be queued in the reply's own transaction: the outbox says at once whether there is one.
    assert.equal(sql(srv.dataDir, "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'reply_notice'"), '1', 'no mail after unsubscribing');
    await flush(anon);
    assert.equal(mails(srv.dataDir, 'reply_notice', emails.alice).length, 1, 'no mail after unsubscribing');
  });

  test('daily: the replies of the day in one reply_digest after the digest hour', T, async () => {
    // A digest hour two hours ahead of the server's (real) clock, so that it is reached only by moving the clock.
    const digestHour = (new Date().getUTCHours() + 2) % 24;
    const { srv, clients: { alice, bob }, emails, anon, article } = await setUp({
      TRIBUNE_NOTIFICATIONS_DIGEST_HOUR: String(digestHour),
    });
    assertStatus(await putSettings(alice, { email_replies: 'daily' }), 200, 'PUT daily');
    const parent = await postComment(alice, article.id, 'Tell me your thoughts on this one.');
    const r1 = await postComment(bob, article.id, 'First reply for the digest.', parent.id);
    const r2 = await postComment(bob, article.id, 'Second reply for the digest.', parent.id);
    assert.equal(sql(srv.dataDir, "SELECT COUNT(*) FROM mail_outbox WHERE kind IN ('reply_notice', 'reply_digest')"), '0', 'daily: no mail per reply');
    await flush(anon);
    assert.equal(mails(srv.dataDir, 'reply_notice', emails.alice).length, 0, 'daily: no mail per reply');
    assert.equal(mails(srv.dataDir, 'reply_digest', emails.alice).length, 0, 'no digest before the hour');

    const now = new Date((await anon.post('/api/v1/testing/clock', { advance_seconds: 0 })).body.now);
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), digestHour, 1, 0));
    if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
    const advance = Math.ceil((next - now) / 1000) + 60;
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: advance }), 200, 'advance the clock');
    const [digest] = await until('a reply_digest for alice', () => {
      const found = mails(srv.dataDir, 'reply_digest', emails.alice);
      return found.length ? found : null;
    });
    assert.ok(digest.text.includes('First reply for the digest.'), digest.text.slice(0, 3000));
    assert.ok(digest.text.includes('Second reply for the digest.'));
    assert.ok(digest.text.includes(`#c${r1.id}`) && digest.text.includes(`#c${r2.id}`), 'links to both replies');
    assert.match(digest.raw, /^List-Unsubscribe: <[^>]+\/unsubscribe\?token=[^>]+>\r$/m);
    // Once a day: the clock move runs the digests again (synchronously), and they queue nothing more.
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 60 }), 200);
    assert.equal(sql(srv.dataDir, "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'reply_digest'"), '1', 'one digest');
    assert.equal(mails(srv.dataDir, 'reply_digest', emails.alice).length, 1, 'one digest');
  });

  test('garbage settings and forged tokens are refused and change nothing', T, async () => {
    const { srv, clients: { alice }, anon } = await setUp();
    assertStatus(await putSettings(alice, { email_replies: 'immediate' }), 200);
    const bad = [
      ['weekly', { email_replies: 'weekly' }],
      ['empty object', {}],
      ['not JSON', 'email_replies=daily'],
      ['truncated JSON', '{"email_replies": "daily"'],
      ['unknown field', { email_replies: 'daily', frequency: 'often' }],
      ['wrong type', { email_replies: 1 }],
      ['null', { email_replies: null }],
      ['array', ['daily']],
      ['upper case', { email_replies: 'DAILY' }],
    ];
    for (const [what, body] of bad) {
      assertError(await putSettings(alice, body), 400, 'bad_request', what);
      assert.equal(await mode(alice), 'immediate', `${what}: mode unchanged`);
    }

    const forged = ['1.AAAA', 'garbage', '', `${'9'.repeat(17)}.${'A'.repeat(43)}`, 'x'.repeat(5000)];
    for (const token of forged) {
      assertError(await anon.post('/api/v1/notifications/unsubscribe', { token }), 400, 'bad_request', `token ${token.slice(0, 20)}`);
    }
    assertError(await anon.post('/api/v1/notifications/unsubscribe', {}), 400, 'bad_request', 'no token');
    assertError(await anon.post('/api/v1/notifications/unsubscribe', { token: 'x', extra: 1 }), 400, 'bad_request', 'extra field');
    assertError(await anon.post('/api/v1/notifications/unsubscribe', 'token=x'), 400, 'bad_request', 'not JSON');
    assert.equal(await mode(alice), 'immediate', 'forged tokens change nothing');

    assertError(await putSettings(anon, { email_replies: 'off' }), 401, 'unauthenticated', 'no session');
    assertError(await anon.get('/api/v1/me/notifications'), 401, 'unauthenticated', 'GET without a session');
    const noCsrf = await putSettings(alice, { email_replies: 'off' }, { csrf: false });
    assert.ok(noCsrf.status >= 400 && noCsrf.status < 500, `without the CSRF header: ${noCsrf.status}`);
    assert.equal(await mode(alice), 'immediate', 'no change without the CSRF header');
    assert.equal(srv.proc.exitCode, null, 'the server is still up');
  });
});
