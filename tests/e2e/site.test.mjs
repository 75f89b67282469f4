// The site as a whole in Chromium: security headers on every page, static files, the push prompt (N1),
// languages, and the JavaScript budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startServer, createAccount, createArticle, loggedIn, TRIBUNE_BIN, Client, PASSWORD, uniqueEmail, sql } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';
import { fakePushService } from './fake_push.mjs';

let server;
let browser;
let article;

before(async () => {
  // The real captcha, so the register page loads the ALTCHA widget the JS budget must include.
  server = await startServer({ env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru', TRIBUNE_CAPTCHA_REQUIRED: 'true' } });
  const editor = uniqueEmail('editor');
  await createAccount(TRIBUNE_BIN, server.dataDir, editor, 'editor');
  article = await createArticle(await loggedIn(server.baseUrl, editor), {
    slug: 'site-test', title: 'Harbour reopens after storm', section: 'world', tags: ['weather'],
    image: { url: '', caption: '', credit: '' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGES = ['/', '/articles/site-test', '/login', '/register', '/standards', '/privacy'];

test('every page carries a CSP without unsafe-inline, and the other security headers', async () => {
  for (const path of PAGES) {
    const res = await fetch(server.baseUrl + path);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.match(res.headers.get('referrer-policy') || '', /strict-origin-when-cross-origin|no-referrer/, path);
    const html = await res.text();
    assert.doesNotMatch(html, /<style|style="|\son[a-z]+="/i, `${path} has inline style or handlers`);
    assert.doesNotMatch(html, /<script>(?!\s*<\/script>)/, `${path} has an inline script`);
  }
});

test('static files are versioned, compressed and revalidated', async () => {
  const html = await (await fetch(server.baseUrl + '/')).text();
  const css = /href="(\/static\/site\.css\?v=[0-9a-f]{16})"/.exec(html);
  assert.ok(css, 'the stylesheet link carries its version');
  const res = await fetch(server.baseUrl + css[1], { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control'), /immutable/);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  const etag = res.headers.get('etag');
  const again = await fetch(server.baseUrl + '/static/site.css', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  const unversioned = await fetch(server.baseUrl + '/static/site.css');
  assert.equal(unversioned.headers.get('cache-control'), 'no-cache');
  assert.equal((await fetch(server.baseUrl + '/static/../config/defaults.toml')).status, 404);
  const sw = await fetch(server.baseUrl + '/sw.js');
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /javascript/);
});

test('each page loads less than 30 KB of JavaScript, gzipped', async () => {
  const sizes = {};
  for (const path of PAGES) {
    const html = await (await fetch(server.baseUrl + path)).text();
    let total = 0;
    for (const m of html.matchAll(/<script src="([^"]+)"/g)) {
      const body = Buffer.from(await (await fetch(server.baseUrl + m[1])).arrayBuffer());
      total += gzipSync(body, { level: 9 }).length;
    }
    sizes[path] = total;
    assert.ok(total < 30 * 1024, `${path} loads ${total} bytes of gzipped JS`);
  }
  console.log('gzipped JS per page:', JSON.stringify(sizes));
});

test('the page language follows the edition, ?lang= and Accept-Language', async () => {
  const fr = await (await fetch(server.baseUrl + '/fr/')).text();
  assert.match(fr, /<html lang="fr"/);
  assert.match(fr, /Règles de la communauté/);
  const ru = await (await fetch(server.baseUrl + '/login', { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } })).text();
  assert.match(ru, /<html lang="ru"/);
  assert.match(ru, /Правила сообщества/);
  const en = await (await fetch(server.baseUrl + '/login?lang=en', { headers: { 'accept-language': 'ru' } })).text();
  assert.match(en, /<html lang="en"/);
  // An article's page speaks the article's language whatever the browser prefers.
  const art = await (await fetch(server.baseUrl + '/articles/site-test', { headers: { 'accept-language': 'fr' } })).text();
  assert.match(art, /<html lang="en"/);
});

test('the push prompt: Refuse is remembered, and the bar does not come back', async () => {
  const page = await newPage(browser);
  await page.goto(server.baseUrl + '/');
  const bar = page.locator('#push-bar');
  await bar.waitFor({ state: 'visible' });
  await screenshot(page, 'push-prompt');
  await page.getByRole('button', { name: 'Refuse' }).click();
  await bar.waitFor({ state: 'hidden' });
  await page.reload();
  await page.waitForLoadState('load');
  assert.equal(await bar.isVisible(), false, 'the bar comes back after Refuse');
  assert.equal(await page.evaluate(() => localStorage.getItem('tribune.push')), 'refused');
  assertClean(page);
  await page.context().close();
});

test('the push prompt: Accept registers the service worker and the server stores the subscription', async () => {
  const page = await newPage(browser);
  await page.context().grantPermissions(['notifications'], { origin: server.baseUrl });
  // Chromium's own push service is unreachable here: only the browser half of subscribe() is replaced (a
  // subscription with a real P-256 key, fake_push.mjs); the site's script, the API and the database are real.
  await fakePushService(page);
  const reader = uniqueEmail('reader');
  await createAccount(TRIBUNE_BIN, server.dataDir, reader, 'reader');
  await signIn(page, server.baseUrl, reader, PASSWORD);
  await page.goto(server.baseUrl + '/articles/site-test');
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByText('Notifications are on.').waitFor();
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.scope);
  assert.equal(scope, server.baseUrl + '/');
  assert.deepEqual(await page.evaluate(() => window.__subscribeOptions), { userVisibleOnly: true, keyLength: 65 });
  const settings = await page.request.get(server.baseUrl + '/api/v1/me/notifications');
  assert.equal(settings.status(), 200);
  const { devices } = await settings.json();
  assert.equal(devices.length, 1, JSON.stringify(devices));
  assert.equal(devices[0].origin, 'https://fcm.googleapis.com');
  assert.deepEqual([...devices[0].topics].sort(), ['breaking:en', 'replies']);
  assert.equal(await page.evaluate(() => localStorage.getItem('tribune.push')), 'accepted');
  assertClean(page);
  await page.context().close();
});

test('signing out works from the header form, without JavaScript', async () => {
  const reader = uniqueEmail('reader');
  await createAccount(TRIBUNE_BIN, server.dataDir, reader, 'reader');
  const page = await newPage(browser, { javaScriptEnabled: false });
  await signIn(page, server.baseUrl, reader, PASSWORD);
  await page.goto(server.baseUrl + '/');
  await page.getByText(/Hello, /).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).waitFor();
  const me = await page.request.get(server.baseUrl + '/api/v1/me');
  assert.equal(me.status(), 401);
  await page.context().close();
});

test('an unknown page is an HTML page for browsers, and the API keeps its JSON errors', async () => {
  const page = await newPage(browser, { locale: 'fr-FR' });
  const res = await page.goto(server.baseUrl + '/no/such/page');
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
  await page.getByRole('link', { name: 'Retour à la une' }).waitFor();
  assertClean(page, [/status of 404/]);
  await page.context().close();
  const api = await fetch(server.baseUrl + '/api/v1/no-such-thing', { headers: { accept: 'text/html' } });
  assert.equal(api.status, 404);
  assert.equal((await api.json()).error.code, 'not_found');
  const json = await fetch(server.baseUrl + '/no/such/page');
  assert.equal(json.status, 404);
  assert.match(json.headers.get('content-type'), /application\/json/);
});

test('a dead short link shows the 404 page to a browser; the API-style JSON stays for other clients', async () => {
  const page = await newPage(browser);
  const res = await page.goto(server.baseUrl + '/s/ZZZZZZZZ');
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assertClean(page, [/status of 404/]);
  await page.context().close();
  const json = await fetch(server.baseUrl + '/s/ZZZZZZZZ', { redirect: 'manual' });
  assert.equal(json.status, 404);
  assert.equal((await json.json()).error.code, 'not_found');
});

test('on a phone, a reader with a very long name does not push the header off the screen', async () => {
  const email = uniqueEmail('long');
  await createAccount(TRIBUNE_BIN, server.dataDir, email, 'reader');
  const page = await newPage(browser, { viewport: { width: 375, height: 740 } });
  await signIn(page, server.baseUrl, email, PASSWORD);
  const name = 'Bartholomew'.repeat(6).slice(0, 64);
  // No API renames an account yet: the name is set where it is stored (64 characters, the longest allowed).
  await page.context().close();
  sql(server.dataDir, `UPDATE accounts SET display_name = '${name}' WHERE email = '${email}'`);
  const again = await newPage(browser, { viewport: { width: 375, height: 740 } });
  await signIn(again, server.baseUrl, email, PASSWORD);
  await again.goto(server.baseUrl + '/');
  await again.getByText(name).waitFor();
  const width = await again.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width} px wide on a 375 px screen`);
  await again.context().close();
});

test('a signed-in reader\'s pages (with their CSRF token) are never cached; anonymous ones may be', async () => {
  const email = uniqueEmail('cache');
  await createAccount(TRIBUNE_BIN, server.dataDir, email, 'reader');
  const api = new Client(server.baseUrl);
  assert.equal((await api.json('POST', '/api/v1/session', { email, password: PASSWORD })).status, 200);
  for (const path of ['/', '/standards', '/articles/site-test', '/section/world', '/tag/weather']) {
    const signed = await api.raw('GET', path);
    assert.equal(signed.status, 200, path);
    assert.match(signed.headers['cache-control'] || '', /no-store/, `${path} signed in`);
    const anon = await fetch(server.baseUrl + path);
    assert.doesNotMatch(anon.headers.get('cache-control') || '', /no-store/, `${path} anonymous`);
  }
});

test('the embed page answers 404, not 500, to a cursor it did not issue', async () => {
  assert.equal((await fetch(`${server.baseUrl}/embed/site-test?comments=garbage`)).status, 404);
  assert.equal((await fetch(`${server.baseUrl}/embed/site-test`)).status, 200);
});
