// A reader's notifications in Chromium: the push bar stores a real subscription, the settings page
// (/account/notifications) with and without JavaScript, the unsubscribe link of a real reply-notice mail (its page,
// and RFC 8058 one-click), the service worker showing a pushed notification, Follow / Unfollow and "Send as breaking
// news" on the article page, and axe on the new pages.
// The browser's push service is the only fake (fake_push.mjs): Chromium cannot reach FCM from here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createECDH, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, createArticle, assertStatus, loggedIn, createAccount, TRIBUNE_BIN, uniqueEmail, PASSWORD, until } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';
import { fakePushService, fakeEndpoint } from './fake_push.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const T = { timeout: 120_000 };
const NO_IMAGE = { url: '', caption: '', credit: '' };  // no request to the outside world from the pages
let ctx;
let browser;
let article;
let base;

before(async () => {
  ctx = await bootstrap({ accounts: { editor: 'editor', reader: 'reader', other: 'reader' } });
  base = ctx.srv.baseUrl;
  article = await createArticle(ctx.clients.editor, { title: 'Night ferry timetable changes', image: NO_IMAGE });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ctx?.srv.stop();
});

// A fresh signed-in reader (their own devices and settings) in a new browser page.
async function readerPage(options = {}) {
  const email = uniqueEmail('notif');
  await createAccount(TRIBUNE_BIN, ctx.srv.dataDir, email, 'reader');
  const page = await newPage(browser, options);
  await signIn(page, base, email, PASSWORD);
  return { page, email, api: await loggedIn(base, email) };
}

async function settingsOf(client) {
  const r = await client.get('/api/v1/me/notifications');
  assertStatus(r, 200, 'GET /api/v1/me/notifications');
  return r.body;
}

// A subscription stored through the API with a real P-256 key, as a browser would send it.
async function storeDevice(client, topics, endpoint = `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString('base64url')}`) {
  const ecdh = createECDH('prime256v1');
  const p256dh = ecdh.generateKeys().toString('base64url');
  const r = await client.post('/api/v1/push/subscriptions', { endpoint, keys: { p256dh, auth: randomBytes(16).toString('base64url') }, topics });
  assertStatus(r, 201, 'subscription');
  return r.body;
}

async function axe(path, email) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const page = await context.newPage();
  if (email) await signIn(page, base, email, PASSWORD);
  await page.goto(base + path);
  await page.waitForLoadState('networkidle');
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  await context.close();
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('Accept on the push bar registers /sw.js and the server stores the subscription with its topics', T, async () => {
  const { page, api } = await readerPage();
  await page.context().grantPermissions(['notifications'], { origin: base });
  await fakePushService(page);
  await page.goto(`${base}/articles/${article.slug}`);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByText('Notifications are on.').waitFor();
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.scope);
  assert.equal(scope, base + '/');
  assert.deepEqual(await page.evaluate(() => window.__subscribeOptions), { userVisibleOnly: true, keyLength: 65 });
  const { devices } = await settingsOf(api);
  assert.equal(devices.length, 1, JSON.stringify(devices));
  assert.equal(devices[0].origin, 'https://fcm.googleapis.com');
  assert.deepEqual([...devices[0].topics].sort(), ['breaking:en', 'replies']);
  assert.match(await fakeEndpoint(page), /^https:\/\/fcm\.googleapis\.com\/fcm\/send\//);
  assertClean(page);
  await page.context().close();
});

test('the settings page needs a signed-in reader', async () => {
  const res = await fetch(`${base}/account/notifications`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login?return=/account/notifications');
  const post = await fetch(`${base}/account/notifications`, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email_replies=daily' });
  assert.equal(post.status, 303);
  assert.match(post.headers.get('location'), /^\/login/);
});

test('settings without JavaScript: the daily digest is saved by the form, a device is removed by its form', T, async () => {
  const { page, api } = await readerPage({ javaScriptEnabled: false });
  const kept = await storeDevice(api, ['replies', 'breaking:en', `article:${article.id}`]);
  const gone = await storeDevice(api, ['breaking:en']);
  await page.goto(`${base}/account`);
  await page.getByRole('link', { name: 'Notification settings' }).click();  // the profile links to the page
  await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/account/notifications');
  assert.equal(await page.getByLabel('Off').isChecked(), true, 'off is the default');
  // The topics in words, the push service by name, the article by its title.
  const item = page.locator(`li[data-device="${kept.id}"]`);
  await item.getByText('Chrome / Android').waitFor();
  await item.getByText('Replies to my comments').waitFor();
  await item.getByText('Breaking news (English)').waitFor();
  await item.getByText('New comments on:').waitFor();
  assert.equal(await item.getByRole('link', { name: 'Night ferry timetable changes' }).getAttribute('href'), `/articles/${article.slug}`);
  await screenshot(page, 'notifications-settings');

  await page.getByLabel('Daily digest').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  assert.match(page.url(), /\/account\/notifications\?saved=1$/);
  assert.equal(await page.getByLabel('Daily digest').isChecked(), true);
  assert.equal((await settingsOf(api)).email_replies, 'daily');

  await page.locator(`li[data-device="${gone.id}"]`).getByRole('button', { name: 'Remove' }).click();
  await page.getByText('The browser is removed: it receives nothing more.').waitFor();
  assert.equal(await page.locator(`li[data-device="${gone.id}"]`).count(), 0);
  const ids = (await settingsOf(api)).devices.map((d) => d.id);
  assert.deepEqual(ids, [kept.id]);
  await page.context().close();
});

test('settings forms refuse garbage and forged posts, and nothing changes', T, async () => {
  const { api } = await readerPage();
  const mine = await storeDevice(api, ['replies']);
  const otherDevice = await storeDevice(ctx.clients.other, ['breaking:en']);
  const form = (path, body, csrf = api.csrf) => fetch(base + path, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-tribune_session=${api.cookie}` },
    body: new URLSearchParams({ ...(csrf ? { csrf } : {}), ...body }).toString() });

  const bad = await form('/account/notifications', { email_replies: 'hourly' });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Choose one of the three options/);
  assert.equal((await form('/account/notifications', { email_replies: 'daily' }, null)).status, 303, 'no CSRF token');
  assert.equal((await form('/account/notifications', { email_replies: 'daily' }, 'forged')).status, 303, 'a wrong token');
  assert.equal((await settingsOf(api)).email_replies, 'off');

  // Another reader's device, a made-up id, something that is no id: 404, and both devices stay.
  for (const id of [otherDevice.id, '123456789', 'x%27']) {
    const r = await form(`/account/notifications/devices/${id}/remove`, {});
    assert.equal(r.status, 404, id);
  }
  assert.equal((await form(`/account/notifications/devices/${mine.id}/remove`, {}, null)).status, 303);
  assert.deepEqual((await settingsOf(api)).devices.map((d) => d.id), [mine.id]);
  assert.deepEqual((await settingsOf(ctx.clients.other)).devices.map((d) => d.id).includes(otherDevice.id), true);
  assertStatus(await ctx.clients.other.del(`/api/v1/me/notifications/devices/${otherDevice.id}`), 204, 'clean-up');
});

test('settings with JavaScript: the choice is sent to the API, a device is removed in place, and push can be turned on', T, async () => {
  const { page, api } = await readerPage();
  await page.context().grantPermissions(['notifications'], { origin: base });
  await fakePushService(page);
  const device = await storeDevice(api, ['breaking:en']);
  await page.goto(`${base}/account/notifications`);
  await page.getByLabel('Daily digest').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-status]').getByText('Saved.').waitFor();
  assert.equal(new URL(page.url()).search, '', 'the script saved it: no form post');
  assert.equal((await settingsOf(api)).email_replies, 'daily');
  await page.getByLabel('At once').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await until('immediate', async () => (await settingsOf(api)).email_replies === 'immediate');

  await page.locator(`li[data-device="${device.id}"]`).getByRole('button', { name: 'Remove' }).click();
  await page.locator('[data-devices-status]').getByText('The browser is removed').waitFor();
  assert.equal(new URL(page.url()).search, '');
  assert.deepEqual((await settingsOf(api)).devices, []);

  await page.getByRole('button', { name: 'Turn on push notifications in this browser' }).click();
  await page.locator('li[data-device]').getByText('Chrome / Android').waitFor();
  assert.equal(await page.locator('#push-bar').isVisible(), false, 'the bar comes back after push was turned on');
  const { devices } = await settingsOf(api);
  assert.equal(devices.length, 1);
  assert.deepEqual([...devices[0].topics].sort(), ['breaking:en', 'replies']);
  await screenshot(page, 'notifications-settings-js');
  assertClean(page);
  await page.context().close();
});

// The unsubscribe link of a real reply notice: `email` gets e-mail at once, another reader replies.
async function unsubscribeLink(email, api) {
  assertStatus(await api.json('PUT', '/api/v1/me/notifications', { email_replies: 'immediate' }), 200, 'immediate');
  const mine = await api.post(`/api/v1/articles/${article.id}/comments`, { body: 'Does the night ferry still stop at the island?' });
  assertStatus(mine, 201, 'comment');
  assertStatus(await ctx.clients.other.post(`/api/v1/articles/${article.id}/comments`,
    { body: 'Yes, twice a night since Monday.', parent_id: mine.body.id }), 201, 'reply');
  const dir = join(ctx.srv.dataDir, 'mail');
  const header = await until(`a reply notice to ${email}`, () => {
    if (!existsSync(dir)) return null;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
      const text = readFileSync(join(dir, f), 'utf8').replace(/\r\n[ \t]+/g, ' ');
      if (!new RegExp(`^To:.*${email.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) continue;
      const m = /^List-Unsubscribe: <([^>]+)>/mi.exec(text);
      if (m) {
        assert.match(text, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/mi);
        return m[1];
      }
    }
    return null;
  });
  const url = new URL(header);
  assert.equal(url.pathname, '/unsubscribe');
  return url.pathname + url.search;
}

test('the unsubscribe page: GET changes nothing, its button stops the notices; one-click POST works without a cookie', T, async () => {
  const { page, email, api } = await readerPage();
  const link = await unsubscribeLink(email, api);
  const anon = await newPage(browser);
  const res = await anon.goto(base + link);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  await anon.getByRole('heading', { name: 'Stop e-mail notices of replies?' }).waitFor();
  assert.equal((await settingsOf(api)).email_replies, 'immediate', 'a GET changed the setting');
  await screenshot(anon, 'unsubscribe-page');
  await anon.getByRole('button', { name: 'Stop these e-mails' }).click();
  await anon.getByRole('heading', { name: 'You will not get these e-mails any more' }).waitFor();
  assert.match(await anon.title(), /^You will not get these e-mails any more/);
  assert.equal((await settingsOf(api)).email_replies, 'off');
  assert.equal(await anon.getByRole('link', { name: 'notification settings' }).getAttribute('href'), '/account/notifications');
  await screenshot(anon, 'unsubscribe-done');
  assertClean(anon);
  await anon.context().close();

  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL, with no cookie.
  assertStatus(await api.json('PUT', '/api/v1/me/notifications', { email_replies: 'daily' }), 200, 'daily');
  const one = await fetch(base + link, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(one.status, 200);
  assert.equal(one.headers.get('referrer-policy'), 'no-referrer');
  assert.match(await one.text(), /You will not get these e-mails any more/);
  assert.equal((await settingsOf(api)).email_replies, 'off');
  // A second click is fine.
  assert.equal((await fetch(base + link, { method: 'POST', body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 200);
  await page.context().close();
});

test('a bad unsubscribe token is a 400 page, and changes nothing', T, async () => {
  const { email, api } = await readerPage();
  const link = await unsubscribeLink(email, api);
  const token = new URL(link, base).searchParams.get('token');
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  const page = await newPage(browser);
  for (const bad of ['', 'garbage', tampered, token + 'x']) {
    const res = await page.goto(`${base}/unsubscribe?token=${encodeURIComponent(bad)}`);
    assert.equal(res.status(), 400, bad);
    await page.getByText('This unsubscribe link is not valid.').waitFor();
    const post = await fetch(`${base}/unsubscribe?token=${encodeURIComponent(bad)}`, { method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(post.status, 400, bad);
    assert.equal(post.headers.get('referrer-policy'), 'no-referrer');
  }
  await screenshot(page, 'unsubscribe-bad');
  assertClean(page, [/status of 400/]);
  assert.equal((await settingsOf(api)).email_replies, 'immediate');
  await page.context().close();
});

test('the service worker shows a pushed notification; a URL on another site is stored as "/"', T, async () => {
  const page = await newPage(browser);
  await page.context().grantPermissions(['notifications'], { origin: base });
  await page.goto(base + '/');
  const cdp = await page.context().newCDPSession(page);
  let registrationId = null;
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const r = registrations.find((x) => x.scopeURL === base + '/' && !x.isDeleted);
    if (r) registrationId = r.registrationId;
  });
  await cdp.send('ServiceWorker.enable');
  await page.evaluate(async () => { await navigator.serviceWorker.register('/sw.js', { scope: '/' }); await navigator.serviceWorker.ready; });
  await until('the registration id', () => registrationId);

  const shown = (tag) => page.evaluate(async (t) => {
    const reg = await navigator.serviceWorker.getRegistration('/');
    const n = (await reg.getNotifications({ tag: t }))[0];
    return n ? { title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url } : null;
  }, tag);
  const push = async (message) => {
    // CDP hands the message to the worker. Once, in a run of several files, a notification never showed (cause
    // not found); a message not shown within 5 s is delivered again — same tag, so it can only replace, not add.
    for (let attempt = 1; ; attempt += 1) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId, data: JSON.stringify(message) });
      try {
        return await until(`notification ${message.tag}`, () => shown(message.tag), 5_000);
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  };
  assert.deepEqual(await push({ title: 'Reply from Ana', body: 'Yes, twice a night.', url: `/articles/${article.slug}#c42`, tag: 'reply-42' }),
    { title: 'Reply from Ana', body: 'Yes, twice a night.', tag: 'reply-42', url: `/articles/${article.slug}#c42` });
  assert.equal((await push({ title: 'Elsewhere', body: 'b', url: 'https://evil.example/phish', tag: 'other' })).url, '/');
  assert.equal((await push({ title: 'Protocol-relative', body: 'b', url: '//evil.example/x', tag: 'pr' })).url, '/');
  assertClean(page);
  await page.context().close();
});

test('Follow the discussion adds article:<id> to this browser\'s subscription; Unfollow removes it', T, async () => {
  const { page, api } = await readerPage();
  await page.context().grantPermissions(['notifications'], { origin: base });
  await fakePushService(page);
  await page.goto(`${base}/articles/${article.slug}`);
  await page.locator('#push-bar').waitFor();
  await page.getByRole('button', { name: 'Follow the discussion' }).click();
  await page.getByText('You will be notified of new comments.').waitFor();
  assert.equal(await page.locator('#push-bar').isVisible(), false, 'push is on: the bar has nothing left to ask');
  await page.getByRole('button', { name: 'Unfollow' }).waitFor();
  let { devices } = await settingsOf(api);
  assert.equal(devices.length, 1);
  assert.deepEqual(devices[0].topics, [`article:${article.id}`], 'following does not also sign up for breaking news');
  await screenshot(page, 'article-following');

  await page.reload();
  await page.getByRole('button', { name: 'Unfollow' }).click();
  await page.getByText('You no longer follow this discussion.').waitFor();
  await page.getByRole('button', { name: 'Follow the discussion' }).waitFor();
  ({ devices } = await settingsOf(api));
  assert.deepEqual(devices, [], 'the subscription had no other topic: it is gone');

  // Following again stores the browser's subscription again: one device.
  await page.getByRole('button', { name: 'Follow the discussion' }).click();
  await page.getByRole('button', { name: 'Unfollow' }).waitFor();
  ({ devices } = await settingsOf(api));
  assert.equal(devices.length, 1);
  assert.deepEqual(devices[0].topics, [`article:${article.id}`]);

  // Signing out of this browser ends the reader's reply notices on it, and keeps the follow.
  const endpoint = await page.evaluate(async () => (await (await navigator.serviceWorker.getRegistration('/')).pushManager.getSubscription()).endpoint);
  assertStatus(await api.patch('/api/v1/push/subscriptions', { endpoint, add: ['replies'] }), 200);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).first().waitFor();
  ({ devices } = await settingsOf(api));
  assert.deepEqual(devices.map((d) => d.topics), [[`article:${article.id}`]], 'replies went with the sign-out; the follow stayed');
  assertClean(page);
  await page.context().close();
});

test('the site, not the browser\'s memory, says what this browser receives: Follow after a removal, replies after signing in again, "this browser" in the settings', T, async () => {
  const { page, email, api } = await readerPage();
  await page.context().grantPermissions(['notifications'], { origin: base });
  await fakePushService(page);
  await page.goto(`${base}/articles/${article.slug}`);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('button', { name: 'Follow the discussion' }).click();
  await page.getByRole('button', { name: 'Unfollow' }).waitFor();
  // The settings page names this browser, and has nothing to turn on.
  await page.goto(`${base}/account/notifications`);
  assert.equal(await page.locator('#push-bar').isVisible(), false, 'no push question on account pages');
  await page.getByText('(this browser)').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Turn on push notifications in this browser' }).isVisible(), false);
  // Removed in the settings: the article offers Follow again, the focus is kept on the list, and it says it is empty.
  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('No browser receives', { exact: false }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'n-devices');
  await page.goto(`${base}/articles/${article.slug}`);
  await page.getByRole('button', { name: 'Follow the discussion' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Unfollow' }).isVisible(), false);
  // Turn push on again, sign out (reply notices leave this browser), sign in again (they come back).
  await page.getByRole('button', { name: 'Follow the discussion' }).click();
  await page.getByRole('button', { name: 'Unfollow' }).waitFor();
  await page.goto(`${base}/account/notifications`);
  await page.getByRole('button', { name: 'Turn on push notifications in this browser' }).click();
  await page.waitForLoadState('load');
  await until('replies on', async () => (await settingsOf(api)).devices[0]?.topics.includes('replies'));
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).first().waitFor();
  await until('replies off', async () => !(await settingsOf(api)).devices[0]?.topics.includes('replies'));
  await signIn(page, base, email, PASSWORD);
  await page.goto(`${base}/articles/${article.slug}`);
  await until('replies back', async () => (await settingsOf(api)).devices[0]?.topics.includes('replies'));
  assert.deepEqual([...(await settingsOf(api)).devices[0].topics].sort(), [`article:${article.id}`, 'breaking:en', 'replies']);
  assertClean(page);
  await page.context().close();
});

test('an editor sends an article as breaking news once; readers see no such button', T, async () => {
  const subscriber = await readerPage();
  await storeDevice(subscriber.api, ['breaking:en']);
  await subscriber.page.goto(`${base}/articles/${article.slug}`);
  await subscriber.page.locator('h1').waitFor();
  assert.equal(await subscriber.page.getByRole('button', { name: 'Send as breaking news' }).count(), 0);
  await subscriber.page.context().close();

  const page = await newPage(browser);
  await signIn(page, base, ctx.emails.editor, PASSWORD);
  const second = await createArticle(ctx.clients.editor, { title: 'Bridge closed after the storm', image: NO_IMAGE });
  await page.goto(`${base}/articles/${second.slug}`);
  await page.getByRole('button', { name: 'Send as breaking news' }).click();
  await page.getByText('It can be sent only once.').waitFor();
  await screenshot(page, 'article-breaking-confirm');
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.getByText('It can be sent only once.').isVisible(), false);
  await page.getByRole('button', { name: 'Send as breaking news' }).click();
  await page.getByRole('button', { name: 'Yes, send it' }).click();
  const sent = await page.getByText(/Sent to subscribers: \d+\./).textContent();
  assert.ok(Number(/(\d+)/.exec(sent)[1]) >= 1, sent);
  await page.reload();
  await page.getByRole('button', { name: 'Send as breaking news' }).click();
  await page.getByRole('button', { name: 'Yes, send it' }).click();
  await page.getByText('Already sent as breaking news.').waitFor();
  assertClean(page, [/status of 409/]);
  await page.context().close();
});

test('axe finds no serious WCAG 2.1 AA problem on the settings page (with devices) and the unsubscribe pages', T, async () => {
  const { email, api } = await readerPage();
  await storeDevice(api, ['replies', 'breaking:en', `article:${article.id}`]);
  await storeDevice(api, ['breaking:en'], 'https://updates.push.services.mozilla.com/wpush/v2/abc');
  const link = await unsubscribeLink(email, api);
  for (const [path, who] of [['/account/notifications', email], ['/account/notifications?saved=1', email],
    [link, null], ['/unsubscribe?token=bad', null]]) {
    const problems = await axe(path, who);
    assert.deepEqual(problems, [], `${path}: ${JSON.stringify(problems, null, 2)}`);
  }
});
