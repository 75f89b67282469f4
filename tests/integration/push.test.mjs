// Web Push end to end against a real push service (npm web-push-testing: it checks the VAPID token against the
// key the subscription was made with, decrypts the aes128gcm body with the subscription's keys and keeps the
// plaintext): subscribe, a reply arrives decrypted with the right payload; an expired subscription answers 410
// and is deleted; breaking news fans out; a followed article notifies its followers. A scripted push endpoint
// answers 429/5xx/404 and hangs, to check retries and that a hanging service does not hold up the others.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  bootstrap, startServer, Client, createAccount, loggedIn, createArticle, postComment, assertError, assertStatus, newDataDir, until, sql
} from './harness.mjs';
import { startPushTesting, startScriptedPush } from './support/push_service.mjs';

const T = { timeout: 120_000 };



const b64url = (buf) => Buffer.from(buf).toString('base64url');

// Keys of a browser that the scripted service stands for (it does not decrypt; the keys must still be valid).
async function browserKeys() {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const raw = await webcrypto.subtle.exportKey('raw', pair.publicKey);
  return { p256dh: b64url(raw), auth: b64url(webcrypto.getRandomValues(new Uint8Array(16))) };
}

describe('web push', { timeout: 600_000 }, () => {
  let push;
  let ctx;
  let key;
  before(async () => {
    push = await startPushTesting();
    ctx = await bootstrap({
      accounts: { editor: 'editor', alice: 'reader', bob: 'reader' },
      env: { TRIBUNE_PUSH_ALLOW_LOCALHOST: 'true', TRIBUNE_PUSH_POLL_MS: '50', TRIBUNE_TESTING_CLOCK_CONTROL: 'true' },
    });
    const r = await ctx.anon.get('/api/v1/push/key');
    assertStatus(r, 200);
    key = r.body.vapid_public_key;
  });
  after(async () => { await ctx?.srv.kill(); await push?.close(); });

  const subscribeAt = async (client, topics, extra = {}) => {
    const sub = await push.subscribe(key);
    const r = await client.post('/api/v1/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys, topics, ...extra });
    assertStatus(r, 201, 'subscribe');
    return sub;
  };

  test('the VAPID key is a P-256 public key, made once and kept across restarts', T, async () => {
    const raw = Buffer.from(key, 'base64url');
    assert.equal(raw.length, 65);
    assert.equal(raw[0], 4);
    await webcrypto.subtle.importKey('raw', raw, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const dataDir = newDataDir();
    const first = await startServer({ dataDir });
    const k1 = (await new Client(first.baseUrl).get('/api/v1/push/key')).body.vapid_public_key;
    await first.stop();
    const second = await startServer({ dataDir });
    const k2 = (await new Client(second.baseUrl).get('/api/v1/push/key')).body.vapid_public_key;
    await second.stop();
    assert.equal(k1, k2);
    assert.notEqual(k1, key, 'every site makes its own key');
  });

  test('a reply reaches the author of the comment, decrypted, with the reply\'s title, link and tag', T, async () => {
    const { alice, bob, editor } = ctx.clients;
    const sub = await subscribeAt(alice, ['replies', 'breaking:en']);
    const article = await createArticle(editor);
    const parent = await postComment(alice, article.id, 'A first comment that someone will answer.');
    await postComment(alice, article.id, 'Alice answers herself: nobody is told about that.', parent.id);
    const reply = await postComment(bob, article.id, 'Bob answers Alice with a thought of his own.', parent.id);
    const messages = await until('the push', async () => { const m = await push.messages(sub.clientHash); return m.length ? m : null; });
    assert.equal(messages.length, 1, JSON.stringify(messages));
    const [m] = messages;
    assert.match(m.title, /replied to your comment/);
    assert.match(m.title, new RegExp(bob.account.display_name));
    assert.match(m.body, /Bob answers Alice/);
    assert.equal(m.url, `/articles/${article.slug}#c${reply.id}`);
    assert.equal(m.tag, `reply-${reply.id}`);
    // Delivered rows are gone; the message counts the delivery; the subscription remembers its last success.
    await until('the delivery recorded', () => sql(ctx.srv.dataDir, `SELECT delivered FROM push_messages WHERE message_key = 'reply:${reply.id}'`) === '1');
    assert.equal(sql(ctx.srv.dataDir, 'SELECT COUNT(*) FROM push_deliveries'), '0');
    const me = await alice.get('/api/v1/me/notifications');
    const device = me.body.devices.find((d) => d.origin === push.base);
    assert.ok(device?.last_success_at, JSON.stringify(me.body));
    assert.deepEqual(device.topics, ['breaking:en', 'replies']);
    // Bob, who has no subscription, got nothing queued when Alice replied to herself either.
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'reply:%' AND recipients > 0`), '1');
  });

  test('a reader\'s export holds their devices and notice choice; deleting the account drops the devices', T, async () => {
    const email = `leaver-${Date.now()}@example.com`;
    await createAccount(undefined, ctx.srv.dataDir, email, 'reader');
    const leaver = await loggedIn(ctx.srv.baseUrl, email);
    const sub = await subscribeAt(leaver, ['replies']);
    assertStatus(await leaver.json('PUT', '/api/v1/me/notifications', { email_replies: 'daily' }), 200);
    const exported = await leaver.get('/api/v1/me/export');
    assertStatus(exported, 200);
    assert.equal(exported.body.email_replies, 'daily');
    assert.deepEqual(exported.body.push_subscriptions.map((d) => [d.endpoint, d.topics]), [[sub.endpoint, ['replies']]]);
    assertStatus(await leaver.del('/api/v1/me'), 202);
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = '${sub.endpoint}'`), '0');
  });

  test('an expired subscription answers 410 on the next send and is deleted with its topics', T, async () => {
    const { alice, bob, editor } = ctx.clients;
    const sub = await subscribeAt(alice, ['replies']);
    const id = sql(ctx.srv.dataDir, `SELECT id FROM push_subscriptions WHERE endpoint = '${sub.endpoint}'`);
    assert.ok(id);
    await push.expire(sub.clientHash);
    const article = await createArticle(editor);
    const parent = await postComment(alice, article.id, 'Comment before the browser forgot us.');
    const reply = await postComment(bob, article.id, 'A reply that finds the subscription expired.', parent.id);
    await until('the subscription deleted', () => sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_subscriptions WHERE id = ${id}`) === '0');
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_topics WHERE subscription_id = ${id}`), '0');
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = ${id}`), '0');
    assert.equal(sql(ctx.srv.dataDir, `SELECT expired FROM push_messages WHERE message_key = 'reply:${reply.id}'`), '1');
    assert.deepEqual(await push.messages(sub.clientHash), []);
  });

  test('breaking news fans out to every subscriber of the edition, signed in or not, once', T, async () => {
    const { editor, alice } = ctx.clients;
    const anonSubs = [];
    for (let i = 0; i < 5; i += 1) anonSubs.push(await subscribeAt(new Client(ctx.srv.baseUrl), ['breaking:en']));
    const article = await createArticle(editor, { title: 'Bridge reopens after a year', lead: 'Traffic is back on the river crossing.' });
    assertError(await alice.post('/api/v1/push/breaking', { article_id: article.id }), 403, 'forbidden');
    const r = await editor.post('/api/v1/push/breaking', { article_id: article.id });
    assertStatus(r, 202);
    const subscribers = Number(sql(ctx.srv.dataDir, "SELECT COUNT(*) FROM push_topics WHERE topic = 'breaking:en'"));
    assert.equal(r.body.recipients, subscribers);
    for (const sub of anonSubs) {
      const [m] = await until('breaking news', async () => { const x = await push.messages(sub.clientHash); return x.length ? x : null; });
      assert.equal(m.title, 'Breaking news');
      assert.match(m.body, /Bridge reopens after a year — Traffic is back/);
      assert.equal(m.url, `/articles/${article.slug}`);
    }
    assertError(await editor.post('/api/v1/push/breaking', { article_id: article.id }), 409, 'conflict');
    // Scheduling comes with the news issue; until then a future publication time can only be written directly.
    const scheduled = await createArticle(editor);
    sql(ctx.srv.dataDir, `UPDATE articles SET published_at = 4070944800000000 WHERE id = ${scheduled.id}`);
    assertError(await editor.post('/api/v1/push/breaking', { article_id: scheduled.id }), 409, 'conflict', 'a scheduled article');
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_messages WHERE message_key = 'breaking:${scheduled.id}'`), '0');
    assertError(await editor.post('/api/v1/push/breaking', { article_id: '999999999' }), 404, 'not_found');
    assertError(await editor.post('/api/v1/push/breaking', { article: article.id }), 400, 'bad_request');
  });

  test('followers of an article hear once per window, when it ends, about comments other than their own', T, async () => {
    const { editor, alice, bob } = ctx.clients;
    const article = await createArticle(editor);
    const anon = new Client(ctx.srv.baseUrl);
    const follower = await subscribeAt(anon, ['breaking:en']);
    const patched = await anon.patch('/api/v1/push/subscriptions', { endpoint: follower.endpoint, add: [`article:${article.id}`] });
    assertStatus(patched, 200);
    assert.deepEqual(patched.body.topics, ['article:' + article.id, 'breaking:en'].sort());
    const bobFollows = await subscribeAt(bob, [`article:${article.id}`]);
    const aliceFollows = await subscribeAt(alice, [`article:${article.id}`]);
    const first = await postComment(bob, article.id, 'Bob opens the discussion of this story.');
    await postComment(bob, article.id, 'Bob adds a second thought in the same ten minutes.');
    const key = `follow:${article.id}:%`;
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_messages WHERE message_key LIKE '${key}'`), '1');
    // Nothing goes out before the window ends.
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_deliveries d JOIN push_messages m ON m.id = d.message_id WHERE m.message_key LIKE '${key}' AND d.next_attempt_at > (SELECT created_at FROM push_messages WHERE message_key LIKE '${key}')`), '2');
    await postComment(alice, article.id, 'Alice follows up within the window.');
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 660 }), 200);
    const [m] = await until('the follower push', async () => { const x = await push.messages(follower.clientHash); return x.length ? x : null; });
    assert.match(m.title, /^New comments: /);
    assert.equal(m.url, `/articles/${article.slug}#c${first.id}`);
    await until('Bob hears of Alice\'s comment', async () => (await push.messages(bobFollows.clientHash)).length === 1);
    await until('Alice hears of Bob\'s', async () => (await push.messages(aliceFollows.clientHash)).length === 1);
    await until('deliveries done', () => sql(ctx.srv.dataDir, 'SELECT COUNT(*) FROM push_deliveries') === '0');
    assert.equal((await push.messages(follower.clientHash)).length, 1, 'three comments, one notice');
    // In a new window, only Alice writes: everyone but Alice hears of it.
    await postComment(alice, article.id, 'Alice again, after the window has passed.');
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 660 }), 200);
    await until('a second follower push', async () => (await push.messages(follower.clientHash)).length === 2);
    await until('Bob\'s second', async () => (await push.messages(bobFollows.clientHash)).length === 2);
    await until('deliveries done', () => sql(ctx.srv.dataDir, 'SELECT COUNT(*) FROM push_deliveries') === '0');
    assert.equal((await push.messages(aliceFollows.clientHash)).length, 1, 'Alice is not told of her own comment');
    const unfollowed = await anon.patch('/api/v1/push/subscriptions', { endpoint: follower.endpoint, remove: [`article:${article.id}`] });
    assert.deepEqual(unfollowed.body.topics, ['breaking:en']);
  });

  test('bad subscriptions get a clear 4xx and store nothing', T, async () => {
    const { alice } = ctx.clients;
    const anon = new Client(ctx.srv.baseUrl);
    const good = await push.subscribe(key);
    const count = () => sql(ctx.srv.dataDir, 'SELECT (SELECT COUNT(*) FROM push_subscriptions) || \'/\' || (SELECT COUNT(*) FROM push_topics)');
    const before = count();
    const notOnCurve = Buffer.alloc(65, 7); notOnCurve[0] = 4;
    const cases = [
      [{ endpoint: good.endpoint, keys: { p256dh: notOnCurve.toString('base64url'), auth: good.keys.auth }, topics: ['breaking:en'] }, 400, 'bad_request', 'a point not on the curve'],
      [{ endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh.slice(0, 40), auth: good.keys.auth }, topics: ['breaking:en'] }, 400, 'bad_request', 'a short key'],
      [{ endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh, auth: 'AAAA' }, topics: ['breaking:en'] }, 400, 'bad_request', 'a 3-byte auth secret'],
      [{ endpoint: good.endpoint, keys: { p256dh: '!!!', auth: good.keys.auth }, topics: ['breaking:en'] }, 400, 'bad_request', 'not base64url'],
      [{ endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh }, topics: ['breaking:en'] }, 400, 'bad_request', 'auth missing'],
      [{ endpoint: 'http://push.example.com/x', keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'plain http on a public host'],
      [{ endpoint: 'https://10.1.2.3/push/x', keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'a private address'],
      [{ endpoint: 'https://[fd00::1]/push/x', keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'a unique-local v6 address'],
      [{ endpoint: 'https://169.254.169.254/latest', keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'the metadata address'],
      [{ endpoint: 'https://intranet/push', keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'a single-label host'],
      [{ endpoint: `https://push.example.com/${'x'.repeat(3000)}`, keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'a 3 KB endpoint'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: ['breaking:xx'] }, 400, 'bad_request', 'an edition the site has not'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: ['weather'] }, 400, 'bad_request', 'an unknown topic'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: [] }, 400, 'bad_request', 'no topic'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: Array.from({ length: 40 }, (_, i) => `article:${i + 1}`) }, 400, 'bad_request', '40 topics'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: ['article:999999999'] }, 404, 'not_found', 'an article that does not exist'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: ['replies'] }, 401, 'unauthenticated', 'replies without an account'],
      [{ endpoint: good.endpoint, keys: good.keys, topics: ['breaking:en'], extra: 1 }, 400, 'bad_request', 'an unknown field'],
      [{ endpoint: 42, keys: good.keys, topics: ['breaking:en'] }, 400, 'bad_request', 'a number for the endpoint'],
    ];
    for (const [body, status, code, what] of cases) assertError(await anon.post('/api/v1/push/subscriptions', body), status, code, what);
    assertError(await anon.post('/api/v1/push/subscriptions', '{"endpoint":'), 400, 'bad_request', 'broken JSON');
    assertError(await anon.raw('POST', '/api/v1/push/subscriptions', { body: 'endpoint=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then((r) => ({ ...r, headers: r.headers })), 415, 'unsupported_media_type', 'a form');
    const huge = { endpoint: good.endpoint, keys: good.keys, topics: ['breaking:en'], language: 'x'.repeat(2 * 1024 * 1024) };
    const tooBig = await anon.post('/api/v1/push/subscriptions', huge);
    assert.equal(tooBig.status, 413, tooBig.text);
    // A signed-in reader's browser must send the CSRF token: a forged cross-site POST cannot bind its account.
    assertError(await alice.post('/api/v1/push/subscriptions', { endpoint: good.endpoint, keys: good.keys, topics: ['replies'] }, { csrf: false }), 403, 'forbidden', 'no CSRF');
    assertError(await anon.patch('/api/v1/push/subscriptions', { endpoint: good.endpoint, add: ['breaking:en'] }), 404, 'not_found', 'patching an unknown endpoint');
    assert.equal(count(), before);
  });

  test('a subscription is deleted by whoever holds its endpoint, idempotently', T, async () => {
    const anon = new Client(ctx.srv.baseUrl);
    const sub = await subscribeAt(anon, ['breaking:en']);
    const known = await anon.post('/api/v1/push/subscriptions/state', { endpoint: sub.endpoint });
    assertStatus(known, 200);
    assert.equal(known.body.known, true);
    assert.deepEqual(known.body.topics, ['breaking:en']);
    assertError(await anon.post('/api/v1/push/subscriptions/state', { endpoint: 7 }), 400, 'bad_request');
    assertError(await anon.post('/api/v1/push/subscriptions/state', { endpoint: sub.endpoint, x: 1 }), 400, 'bad_request');
    assertStatus(await anon.json('DELETE', '/api/v1/push/subscriptions', { endpoint: sub.endpoint }), 204);
    assert.deepEqual((await anon.post('/api/v1/push/subscriptions/state', { endpoint: sub.endpoint })).body, { known: false });
    assert.equal(sql(ctx.srv.dataDir, `SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = '${sub.endpoint}'`), '0');
    assertStatus(await anon.json('DELETE', '/api/v1/push/subscriptions', { endpoint: sub.endpoint }), 204);
    assertError(await anon.json('DELETE', '/api/v1/push/subscriptions', {}), 400, 'bad_request');
  });
});

describe('push subscriptions per address', { timeout: 120_000 }, () => {
  test('an address that subscribes too often gets 429 with Retry-After, and nothing more is stored', T, async () => {
    const srv = await startServer({ env: { TRIBUNE_PUSH_ALLOW_LOCALHOST: 'true', TRIBUNE_LIMITS_ENABLED: 'true',
      TRIBUNE_PUSH_SUBSCRIPTIONS_PER_ADDRESS_HOUR: '3', TRIBUNE_TESTING_CLOCK_CONTROL: 'true' } });
    try {
      const anon = new Client(srv.baseUrl);
      const sub = async (i) => anon.post('/api/v1/push/subscriptions',
        { endpoint: `http://localhost:9/push/limit-${i}`, keys: await browserKeys(), topics: ['breaking:en'] });
      // Refused requests do not count.
      assertError(await anon.post('/api/v1/push/subscriptions', { endpoint: 'http://localhost:9/x', keys: await browserKeys(), topics: ['nope'] }), 400, 'bad_request');
      for (let i = 0; i < 3; i += 1) assertStatus(await sub(i), 201, `subscription ${i}`);
      const refused = await sub(3);
      assertError(refused, 429, 'rate_limited');
      assert.ok(Number(refused.headers['retry-after']) > 3500, `Retry-After ${refused.headers['retry-after']}`);
      assert.equal(sql(srv.dataDir, 'SELECT COUNT(*) FROM push_subscriptions'), '3');
      assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 3601 }), 200);
      assertStatus(await sub(4), 201, 'an hour later');
    } finally {
      await srv.kill();
    }
  });
});

describe('push delivery against a scripted service', { timeout: 600_000 }, () => {
  const cleanup = [];
  after(async () => { for (const fn of cleanup.reverse()) await fn(); });

  async function setUp(script, env = {}) {
    const service = await startScriptedPush(script);
    const ctx = await bootstrap({
      accounts: { editor: 'editor' },
      env: { TRIBUNE_PUSH_ALLOW_LOCALHOST: 'true', TRIBUNE_PUSH_POLL_MS: '50', TRIBUNE_TESTING_CLOCK_CONTROL: 'true', ...env },
    });
    cleanup.push(() => ctx.srv.kill(), () => service.close());
    return { service, ...ctx };
  }

  async function subscribe(ctx, endpoint) {
    const r = await ctx.anon.post('/api/v1/push/subscriptions', { endpoint, keys: await browserKeys(), topics: ['breaking:en'] });
    assertStatus(r, 201);
  }

  test('429 with Retry-After is honoured; the request carries TTL, Urgency, Topic and VAPID', T, async () => {
    const { service, clients, srv, anon } = await setUp((req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '600' } } : { status: 201 }));
    await subscribe({ anon }, service.endpoint('one'));
    const article = await createArticle(clients.editor);
    assertStatus(await clients.editor.post('/api/v1/push/breaking', { article_id: article.id }), 202);
    await until('the first attempt deferred', () => sql(srv.dataDir, "SELECT state || '/' || attempts FROM push_deliveries") === 'pending/1');
    const [first] = service.requests;
    assert.equal(first.headers['content-encoding'], 'aes128gcm');
    assert.equal(first.headers['content-type'], 'application/octet-stream');
    assert.equal(first.headers.ttl, String(6 * 3600));
    assert.equal(first.headers.urgency, 'high');
    assert.equal(first.headers.topic, `b${article.id}`);
    assert.match(first.headers.authorization, /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]{87}$/);
    const claims = JSON.parse(Buffer.from(first.headers.authorization.split('t=')[1].split('.')[1], 'base64url').toString());
    assert.equal(claims.aud, service.base);
    assert.match(claims.sub, /^mailto:/);
    assert.equal(first.body.length > 86 + 16, true, 'salt, rs, idlen, key id, then a record');
    // Not again before the service said: half of the wait passes, nothing is sent.
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 300 }), 200);
    await until('a worker round', () => sql(srv.dataDir, 'SELECT last_error FROM push_deliveries').startsWith('429'));
    assert.equal(service.requests.length, 1);
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 301 }), 200);
    await until('the second attempt delivered', () => sql(srv.dataDir, 'SELECT COUNT(*) FROM push_deliveries') === '0');
    assert.equal(service.requests.length, 2);
    assert.equal(sql(srv.dataDir, 'SELECT delivered FROM push_messages'), '1');
  });

  test('5xx is retried with backoff; 404 deletes the subscription; 400 fails for good', T, async () => {
    const { service, clients, srv, anon } = await setUp((req, n) => {
      if (req.url.endsWith('/flaky')) return n === 1 ? { status: 503 } : { status: 201 };
      if (req.url.endsWith('/gone')) return { status: 404 };
      return { status: 400, body: 'bad request' };
    });
    for (const name of ['flaky', 'gone', 'refusing']) await subscribe({ anon }, service.endpoint(name));
    const article = await createArticle(clients.editor);
    assertStatus(await clients.editor.post('/api/v1/push/breaking', { article_id: article.id }), 202);
    await until('three answers', () => service.requests.length >= 3);
    await until('outcomes recorded', () => sql(srv.dataDir, "SELECT COUNT(*) FROM push_deliveries WHERE state = 'sending'") === '0');
    assert.equal(sql(srv.dataDir, `SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE '%/gone'`), '0');
    assert.equal(sql(srv.dataDir, "SELECT state FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id WHERE s.endpoint LIKE '%/refusing'"), 'failed');
    const flaky = sql(srv.dataDir, "SELECT state || '/' || attempts FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id WHERE s.endpoint LIKE '%/flaky'");
    assert.equal(flaky, 'pending/1');
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 46 }), 200);  // past 30 s + 50 % jitter
    await until('the retry delivered', () => sql(srv.dataDir, "SELECT COUNT(*) FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id WHERE s.endpoint LIKE '%/flaky'") === '0');
    assert.equal(sql(srv.dataDir, 'SELECT delivered || \'/\' || expired || \'/\' || failed FROM push_messages'), '1/1/1');
  });

  test('a push service that hangs does not hold up deliveries to the others', T, async () => {
    const { service, clients, srv, anon } = await setUp((req) => (req.url.includes('/hang') ? 'hang' : { status: 201 }),
      { TRIBUNE_PUSH_TIMEOUT_MS: '120000', TRIBUNE_PUSH_PER_SERVICE: '2', TRIBUNE_PUSH_CONCURRENCY: '8' });
    const other = await startPushTesting();
    cleanup.push(() => other.close());
    const key = (await anon.get('/api/v1/push/key')).body.vapid_public_key;
    for (let i = 0; i < 6; i += 1) await subscribe({ anon }, service.endpoint(`hang-${i}`));
    const fine = [];
    for (let i = 0; i < 4; i += 1) {
      const sub = await other.subscribe(key);
      assertStatus(await anon.post('/api/v1/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys, topics: ['breaking:en'] }), 201);
      fine.push(sub);
    }
    const article = await createArticle(clients.editor);
    assertStatus(await clients.editor.post('/api/v1/push/breaking', { article_id: article.id }), 202);
    for (const sub of fine) await until('delivery to the working service', async () => (await other.messages(sub.clientHash)).length === 1);
    // The hanging service holds at most its share of slots, and still has not answered.
    assert.ok(service.requests.length >= 1 && service.requests.length <= 2, `${service.requests.length} requests reached the hanging service`);
    assert.equal(sql(srv.dataDir, "SELECT COUNT(*) FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id WHERE s.endpoint LIKE '%/hang-%'"), '6');
  });
});
