// "Subscribe" end to end through the real server and a real SMTP server (npm smtp-server): subscribe to a section →
// confirmation mail → confirm through the API → articles in that section and in another → the testing clock moved
// past the digest's send hour → exactly one digest mail with the right articles only, with the RFC 8058 headers →
// the one-click POST (no cookie, no CSRF token) → the next day no digest. Garbage is refused with a 400 and stores
// nothing; the page form works without JavaScript; bad tokens are refused.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, createArticle, assertStatus, assertError, until, sql, Client, uniqueEmail, rawRequest,
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 120_000 };
const SEND_HOUR = 6;
const HOUR = 3600;

const count = (srv, table, where = '1=1') => Number(sql(srv.dataDir, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const kindOf = (m) => m.headers['x-tribune-mail'];

// Seconds from the server's clock to an hour past the next send hour (at least a day minus an hour ahead, so the
// digest of the day the subscription was confirmed on is never the one that counts).
function toNextSendHour(nowMs) {
  const now = new Date(nowMs);
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, SEND_HOUR, 30);
  return Math.ceil((next - nowMs) / 1000);
}

function form(client, path, fields, headers = {}) {
  return client.raw('POST', path, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    cookie: null,
    csrf: false,
  });
}

describe('e-mail subscriptions and the daily digest', { timeout: 600_000 }, () => {
  let sink;
  let fx;
  let serverNow = Date.now();  // the server's clock: the real one plus every advance
  const advance = async (seconds) => {
    assertStatus(await fx.anon.post('/api/v1/testing/clock', { advance_seconds: seconds }), 200, 'advance the clock');
    serverNow += seconds * 1000;
  };

  before(async () => {
    sink = await startSmtpSink();
    fx = await bootstrap({
      accounts: { editor: 'editor' },
      env: {
        TRIBUNE_TESTING_CLOCK_CONTROL: 'true',
        TRIBUNE_MAIL_SMTP_URL: sink.url,
        TRIBUNE_MAIL_POLL_MS: '50',
        TRIBUNE_DIGEST_SEND_HOUR: String(SEND_HOUR),
      },
    });
    fx.anon = new Client(fx.srv.baseUrl);
    // The sections and tag the tests subscribe to exist (a topic must name a section or tag with articles).
    await createArticle(fx.clients.editor, { section: 'world', tags: ['climate'], title: 'Before anyone subscribed' });
    await createArticle(fx.clients.editor, { section: 'sport', tags: [], title: 'Old sport story' });
  });
  after(async () => {
    await fx?.srv.kill();
    await sink?.close();
  });

  test('garbage is refused with 400 and stores nothing', T, async () => {
    const { srv } = fx;
    const anon = fx.anon;
    const before = [count(srv, 'newsletter_subscribers'), count(srv, 'newsletter_topics'), count(srv, 'mail_outbox')];
    const bad = [
      ['wrong types', { email: 42, topic: 'all' }],
      ['topic not a string', { email: uniqueEmail('g'), topic: ['all'] }],
      ['unknown topic kind', { email: uniqueEmail('g'), topic: 'everything' }],
      ['unknown section', { email: uniqueEmail('g'), topic: 'section:no-such-section' }],
      ['unknown tag', { email: uniqueEmail('g'), topic: 'tag:no such tag' }],
      ['bad section syntax', { email: uniqueEmail('g'), topic: 'section:World News' }],
      ['10 KB e-mail', { email: `${'a'.repeat(10_240)}@example.com`, topic: 'all' }],
      ['not an address', { email: 'not-an-address', topic: 'all' }],
      ['header injection', { email: 'a@example.com\r\nBcc: b@example.com', topic: 'all' }],
      ['unknown language', { email: uniqueEmail('g'), topic: 'all', language: 'de' }],
      ['unknown field', { email: uniqueEmail('g'), topic: 'all', admin: true }],
      ['missing topic', { email: uniqueEmail('g') }],
    ];
    for (const [what, body] of bad) {
      assertError(await anon.post('/api/v1/subscriptions', body), 400, 'bad_request', what);
    }
    const malformed = await anon.post('/api/v1/subscriptions', '{"email": "a@example.com", "topic": ');
    assertError(malformed, 400, 'bad_request', 'bad JSON');
    const notJson = await anon.post('/api/v1/subscriptions', 'email=a@example.com&topic=all',
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.ok(notJson.status === 415 || notJson.status === 400, `form body on the API: ${notJson.status}`);
    for (const [path, body] of [
      ['/api/v1/subscriptions/confirm', { token: 'A'.repeat(43) }],
      ['/api/v1/subscriptions/confirm', { token: 'short' }],
      ['/api/v1/subscriptions/confirm', { token: 7 }],
      ['/api/v1/subscriptions/unsubscribe', { token: '1.forged' }],
      ['/api/v1/subscriptions/unsubscribe', { token: 'x'.repeat(5000) }],
    ]) {
      const r = await anon.post(path, body);
      assertError(r, 400, 'bad_request', `${path} ${JSON.stringify(body).slice(0, 40)}`);
    }
    const after = [count(srv, 'newsletter_subscribers'), count(srv, 'newsletter_topics'), count(srv, 'mail_outbox')];
    assert.deepEqual(after, before, 'nothing stored, nothing mailed');
  });

  test('subscribe → confirm → one digest with the section\'s new articles → one-click unsubscribe → no more',
    { timeout: 300_000 }, async () => {
      const { srv, clients: { editor } } = fx;
      const anon = fx.anon;
      const email = uniqueEmail('reader');
      const sub = await anon.post('/api/v1/subscriptions', { email, topic: 'section:world', language: 'en' });
      assertStatus(sub, 202, 'subscribe');
      const confirmMail = await sink.waitFor((m) => m.to.includes(email) && kindOf(m) === 'newsletter_confirm');
      assert.match(confirmMail.subject, /Confirm your subscription/);
      assert.ok(confirmMail.text.includes('World'), `the mail names the section:\n${confirmMail.text}`);
      const link = sink.linkFrom(confirmMail, '/subscriptions/confirm');
      assert.ok(link && link.startsWith(`${srv.baseUrl}/subscriptions/confirm?token=`), `confirm link: ${link}`);
      const token = new URL(link).searchParams.get('token');
      assert.equal(count(srv, 'newsletter_topics', `token_hash = '${token}'`), 0, 'the token is stored hashed only');

      // The page behind the link only shows a button; a GET changes nothing.
      const page = await rawRequest(srv.baseUrl, { path: new URL(link).pathname + new URL(link).search });
      assert.equal(page.status, 200);
      assert.match(page.text, /<form class="box" method="post" action="\/subscriptions\/confirm"/);
      assert.equal(count(srv, 'newsletter_topics', 'confirmed_at IS NOT NULL'), 0, 'GET confirms nothing');

      assertStatus(await anon.post('/api/v1/subscriptions/confirm', { token }), 204, 'confirm');
      assertError(await anon.post('/api/v1/subscriptions/confirm', { token }), 410, 'gone', 'a second use');

      // Subscribing again to a confirmed topic: the same answer, and no second confirmation mail.
      assertStatus(await anon.post('/api/v1/subscriptions', { email, topic: 'section:world' }), 202, 'again');

      const a1 = await createArticle(editor, { section: 'world', tags: [], title: 'World story one' });
      const other = await createArticle(editor, { section: 'sport', tags: [], title: 'Sport story, not subscribed' });
      const a2 = await createArticle(editor, { section: 'world', tags: ['climate'], title: 'World story two' });

      await advance(toNextSendHour(serverNow));
      const digest = await sink.waitFor((m) => m.to.includes(email) && kindOf(m) === 'newsletter_digest', 20_000);
      assert.ok(digest.text.includes(a1.title) && digest.text.includes(a2.title), `both world stories:\n${digest.text}`);
      assert.ok(!digest.text.includes(other.title), 'not the sport story');
      assert.ok(!digest.text.includes('Before anyone subscribed'), 'not what was published before confirming');
      assert.ok(digest.text.indexOf(a2.title) < digest.text.indexOf(a1.title), 'newest first');
      assert.match(digest.subject, /2 new articles/);
      const listUnsubscribe = /^List-Unsubscribe: <([^>\r\n]+)>\r$/m.exec(digest.raw);
      assert.ok(listUnsubscribe, `List-Unsubscribe header in\n${digest.raw.slice(0, 2000)}`);
      assert.match(digest.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      const oneClick = new URL(listUnsubscribe[1]);
      assert.equal(`${oneClick.origin}${oneClick.pathname}`, `${srv.baseUrl}/subscriptions/unsubscribe`);
      assert.ok(digest.text.includes(listUnsubscribe[1]), 'the body carries the unsubscribe link too');

      // Running the due jobs again the same day queues nothing more.
      await advance(0);
      assert.equal(count(srv, 'mail_outbox', "kind = 'newsletter_digest'"), 1, 'one digest that day');
      assert.equal(sink.messages.filter((m) => m.to.includes(email) && kindOf(m) === 'newsletter_confirm').length, 1,
        'one confirmation mail');

      // The mail client's one-click POST: the URL as it is, body "List-Unsubscribe=One-Click", no cookie.
      const scanner = await rawRequest(srv.baseUrl, { path: oneClick.pathname + oneClick.search });
      assert.equal(scanner.status, 200, 'a GET shows a button');
      assert.equal(count(srv, 'newsletter_subscribers', `email = '${email}'`), 1, 'a GET unsubscribes nobody');
      const click = await rawRequest(srv.baseUrl, {
        method: 'POST', path: oneClick.pathname + oneClick.search, body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(click.status, 200, `one-click POST: ${click.status} ${click.text?.slice(0, 200)}`);
      assert.equal(count(srv, 'newsletter_subscribers', `email = '${email}'`), 0, 'the address is gone');

      await createArticle(editor, { section: 'world', tags: [], title: 'World story after unsubscribing' });
      await advance(24 * HOUR);
      await advance(0);
      assert.equal(count(srv, 'mail_outbox', "kind = 'newsletter_digest'"), 1, 'no digest the next day');
    });

  test('the page form works without JavaScript: form post, mailed link page, confirmation', T, async () => {
    const { srv } = fx;
    const anon = fx.anon;
    const email = uniqueEmail('pageform');
    const section = await rawRequest(srv.baseUrl, { path: '/section/world' });
    assert.equal(section.status, 200);
    assert.match(section.text, /<form class="subscribe-form" method="post" action="\/subscriptions"/);
    assert.match(section.text, /<option value="section:world" selected>/);

    const posted = await form(anon, '/subscriptions', { email, topic: 'tag:climate', language: 'en' });
    assert.equal(posted.status, 200, posted.text?.slice(0, 300));
    assert.match(posted.text, /Check your mailbox/);
    const mail = await sink.waitFor((m) => m.to.includes(email) && kindOf(m) === 'newsletter_confirm');
    const link = new URL(sink.linkFrom(mail, '/subscriptions/confirm'));
    const shown = await rawRequest(srv.baseUrl, { path: link.pathname + link.search });
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Tag: climate/);
    const done = await form(anon, '/subscriptions/confirm', { token: link.searchParams.get('token') });
    assert.equal(done.status, 200, done.text?.slice(0, 300));
    assert.match(done.text, /Your subscription is confirmed/);
    assert.equal(count(srv, 'newsletter_topics', "topic = 'tag:climate' AND confirmed_at IS NOT NULL"), 1);

    const again = await form(anon, '/subscriptions/confirm', { token: link.searchParams.get('token') });
    assert.equal(again.status, 410, 'a used link');
    const forged = await rawRequest(srv.baseUrl, { path: '/subscriptions/unsubscribe?token=1.forged' });
    assert.equal(forged.status, 400, 'a forged unsubscribe link');

    const before = count(srv, 'newsletter_topics');
    const refused = await form(anon, '/subscriptions', { email: 'nope', topic: 'tag:climate' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Enter a valid e-mail address/);
    assert.match(refused.text, /<form class="subscribe-form"/, 'the form again');
    assert.equal(count(srv, 'newsletter_topics'), before, 'nothing stored');
  });

  test('a signed-in reader sees and cancels their own subscriptions on the notifications page', T, async () => {
    const { srv, clients: { editor }, emails } = fx;
    assertStatus(await fx.anon.post('/api/v1/subscriptions', { email: emails.editor, topic: 'section:sport' }), 202);
    const mail = await sink.waitFor((m) => m.to.includes(emails.editor) && kindOf(m) === 'newsletter_confirm');
    assertStatus(await fx.anon.post('/api/v1/subscriptions/confirm', { token: sink.tokenFrom(mail, '/subscriptions/confirm') }), 204);
    const mine = await editor.get('/api/v1/me/subscriptions');
    assertStatus(mine, 200, 'GET /api/v1/me/subscriptions');
    assert.deepEqual(mine.body, { email: emails.editor, items: [{ topic: 'section:sport', confirmed: true }] });
    assertError(await fx.anon.get('/api/v1/me/subscriptions'), 401, 'unauthenticated', 'anonymous');
    assertError(await editor.json('DELETE', '/api/v1/me/subscriptions', { topic: 'section:sport' }, { csrf: false }),
      403, 'forbidden', 'DELETE without the CSRF token');
    for (const body of [{ topic: 7 }, { topic: 'section:sport', x: 1 }, {}]) {
      assertError(await editor.json('DELETE', '/api/v1/me/subscriptions', body), 400, 'bad_request', JSON.stringify(body));
    }
    assertError(await editor.json('DELETE', '/api/v1/me/subscriptions', { topic: 'tag:climate' }), 404, 'not_found');
    assert.equal(count(srv, 'newsletter_topics', "topic = 'section:sport'"), 1, 'nothing removed so far');
    const page = await editor.raw('GET', '/account/notifications');
    assert.equal(page.status, 200);
    assert.match(page.text, /Section: Sport/);
    assert.match(page.text, /<input type="hidden" name="topic" value="section:sport">/);
    // Without the CSRF token nothing is removed.
    const forged = await form(editor, '/account/subscriptions/remove', { topic: 'section:sport' }, { cookie: `__Host-tribune_session=${editor.cookie}` });
    assert.equal(forged.status, 303);
    assert.equal(count(srv, 'newsletter_topics', "topic = 'section:sport'"), 1, 'no CSRF token, nothing removed');
    const removed = await form(editor, '/account/subscriptions/remove', { topic: 'section:sport', csrf: editor.csrf },
      { cookie: `__Host-tribune_session=${editor.cookie}` });
    assert.equal(removed.status, 303);
    assert.equal(count(srv, 'newsletter_subscribers', `email = '${emails.editor}'`), 0, 'the address went with its last topic');
  });
});
