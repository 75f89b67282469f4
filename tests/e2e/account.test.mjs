// The account pages in Chromium: register with the real ALTCHA captcha and confirm from the mail, log in
// (wrong password, no open redirect), password recovery through the mail, the profile (avatar, data
// export), deleting and restoring the account, the privacy re-consent modal, and the blocked reader's
// page with its appeal. Mails are read from the server's spool directory.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import {
  startServer, createAccount, TRIBUNE_BIN, Client, loggedIn, newDataDir, uniqueEmail, PASSWORD,
} from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';

const T = { timeout: 120_000 };
const NEW_PASSWORD = 'lantern orchard quietly';

let server;
let browser;
let spool;
let admin;
let moderator;
let article;

async function mailsIn(dir) {
  let names = [];
  try { names = readdirSync(dir).filter((n) => n.endsWith('.eml')); } catch { /* not created yet */ }
  return Promise.all(names.map(async (n) => simpleParser(readFileSync(join(dir, n)))));
}

/** The newest mail of `kind` to `to`, polled from the spool until it lands. */
async function mailTo(to, kind) {
  for (;;) {
    const all = await mailsIn(spool);
    const hit = all.find((m) => m.to?.text.includes(to) && m.headers.get('x-tribune-mail') === kind);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));  // polling the directory, not a timing assumption
  }
}

function linkIn(mail, prefix) {
  for (const m of (mail.text ?? '').matchAll(/https?:\/\/[^\s<>"')]+/g)) {
    const url = new URL(m[0]);
    if (url.pathname === prefix) return url.pathname + url.search;
  }
  throw new Error(`no ${prefix} link in:\n${mail.text}`);
}

/** A valid 16×16 PNG made here (solid colour). */
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, body) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type), body]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(tb));
    return Buffer.concat([len, tb, c]);
  };
  const w = 16;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(w, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < w; y++) {
    rows.push(Buffer.from([0]));
    for (let x = 0; x < w; x++) rows.push(Buffer.from([200, 40 + x * 10, 60]));
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Publishes a new privacy policy as the admin; the staff accounts of the test accept it at once. */
async function publishPolicy(text) {
  const published = await admin.post('/api/v1/privacy-policy', { text });
  assert.equal(published.status, 201, published.text);
  for (const staff of [admin, moderator]) {
    const r = await staff.post('/api/v1/me/consents', { policy_version: published.body.version });
    assert.equal(r.status, 204, r.text);
  }
  return published.body;
}

async function reader(prefix) {
  const email = uniqueEmail(prefix);
  await createAccount(TRIBUNE_BIN, server.dataDir, email, 'reader');
  return email;
}

async function signedInPage(email, password = PASSWORD) {
  const page = await newPage(browser);
  await page.goto(server.baseUrl + ARTICLE);
  await signIn(page, server.baseUrl, email, password);
  return page;
}

// A reader page to land on (the front page belongs to another area of the site).
const ARTICLE = '/articles/account-test';
/** Answers "/" with a stub, so a test can see a redirect to the front page land without loading it. */
const stubFront = (page, base) => page.route(`${base}/`, (r) => r.fulfill({
  status: 200, contentType: 'text/html', body: '<!doctype html><title>front</title><p>front</p>',
}));

const status = (page, form) => page.locator(`form[data-form="${form}"] [data-status] .notice`);

before(async () => {
  spool = newDataDir('tribune-spool-');
  const dataDir = newDataDir();
  const adminEmail = uniqueEmail('admin');
  const modEmail = uniqueEmail('mod');
  const editorEmail = uniqueEmail('editor');
  await createAccount(TRIBUNE_BIN, dataDir, adminEmail, 'admin');
  await createAccount(TRIBUNE_BIN, dataDir, modEmail, 'moderator');
  await createAccount(TRIBUNE_BIN, dataDir, editorEmail, 'editor');
  server = await startServer({
    dataDir,
    env: { TRIBUNE_CAPTCHA_REQUIRED: 'true', TRIBUNE_MAIL_SPOOL_DIR: spool, TRIBUNE_MAIL_POLL_MS: '50' },
  });
  admin = await loggedIn(server.baseUrl, adminEmail);
  moderator = await loggedIn(server.baseUrl, modEmail);
  const editor = await loggedIn(server.baseUrl, editorEmail);
  const res = await editor.post('/api/v1/articles', {
    slug: 'account-test', title: 'Bridge reopens', lead: 'Traffic flows again.', body: 'The bridge is open.',
    section: 'local', tags: ['roads'], language: 'en', image: { url: '', caption: '', credit: '' },
  });
  assert.equal(res.status, 201, res.text);
  article = res.body;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('account pages in Chromium', { timeout: 900_000 }, () => {
  test('register through the page with the real captcha, then confirm from the mail', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${server.baseUrl}/register`);
    await page.locator('altcha-widget').waitFor();
    await screenshot(page, 'register');
    const email = uniqueEmail('newcomer');
    await page.fill('#reg-email', email);
    await page.fill('#reg-name', 'Nadia Newcomer');
    await page.fill('#reg-password', 'short');
    await page.check('#reg-terms');
    await page.click('#register-form button[type="submit"]');
    await status(page, 'register').filter({ hasText: '12 to 128 characters' }).waitFor();
    assert.equal(await page.inputValue('#reg-email'), email, 'nothing is lost from the form');
    await page.fill('#reg-password', 'password1234');  // long enough, but a common one
    await page.click('#register-form button[type="submit"]');
    await status(page, 'register').filter({ hasNotText: 'robot' }).waitFor({ timeout: 60_000 });
    const refused = await status(page, 'register').textContent();
    assert.ok(refused.length > 10, `the API's refusal is shown: ${refused}`);
    assert.equal(await page.inputValue('#reg-name'), 'Nadia Newcomer');
    await page.fill('#reg-password', PASSWORD);
    await page.click('#register-form button[type="submit"]');
    await page.locator('#register-done').waitFor({ timeout: 60_000 });  // the widget solves the captcha first
    assert.match(await page.locator('#register-done').textContent(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    assertClean(page, [/status of 400/]);

    const link = linkIn(await mailTo(email, 'confirm_account'), '/confirm');
    await page.goto(server.baseUrl + link);
    await page.click('main form button[type="submit"]');
    await page.locator('.notice.ok').filter({ hasText: 'confirmed' }).waitFor();
    const api = await loggedIn(server.baseUrl, email);
    assert.equal((await api.me()).body.status, 'active');
    assertClean(page, [/status of 400/]);
    await page.context().close();
  });

  test('log in: a wrong password is explained, ?return= brings the reader back, never to another site', T, async () => {
    const email = await reader('login');
    const page = await newPage(browser);
    await page.goto(`${server.baseUrl}/login?return=/account`);
    await screenshot(page, 'login');
    await page.fill('#login-email', email);
    await page.fill('#login-password', 'not the password');
    await page.click('#login-form button[type="submit"]');
    await status(page, 'login').filter({ hasText: 'Wrong e-mail address or password' }).waitFor();
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type="submit"]');
    await page.waitForURL(`${server.baseUrl}/account`);
    assertClean(page, [/status of 401/]);
    await page.context().close();

    for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example/', '/%2F%2Fevil.example']) {
      const p = await newPage(browser);
      await stubFront(p, server.baseUrl);
      await p.goto(`${server.baseUrl}/login?return=${encodeURIComponent(evil)}`);
      const data = JSON.parse(await p.locator('#tribune-data').textContent());
      assert.ok(data.return_to === '/' || data.return_to.startsWith('/%2F'), `return_to for ${evil}: ${data.return_to}`);
      await p.fill('#login-email', email);
      await p.fill('#login-password', PASSWORD);
      await p.click('#login-form button[type="submit"]');
      await p.waitForURL((u) => u.pathname !== '/login');
      assert.equal(new URL(p.url()).origin, server.baseUrl, `${evil} was followed to ${p.url()}`);
      // "/%2F%2Fevil.example" is a path on this site (a 404 here), not another site.
      assertClean(p, evil.startsWith('/%2F') ? [/status of 404/] : []);
      await p.context().close();
    }
  });

  test('password recovery: the page, the mail, the new password, logging in with it', T, async () => {
    const email = await reader('recover');
    const page = await newPage(browser);
    await page.goto(`${server.baseUrl}/login`);
    await page.click('a[href^="/recover"]');
    await page.waitForURL(/\/recover/);
    await screenshot(page, 'recover');
    await page.fill('#rec-email', email);
    await page.click('#recover-form button[type="submit"]');
    await page.locator('#recover-done').waitFor({ timeout: 60_000 });
    const link = linkIn(await mailTo(email, 'password_reset'), '/password-reset/confirm');
    await page.goto(server.baseUrl + link);
    await page.fill('#pw', NEW_PASSWORD);
    await page.fill('#pw2', NEW_PASSWORD);
    await page.click('main form button[type="submit"]');
    await page.locator('.notice.ok').waitFor();
    assert.ok(await page.locator('main a.button[href^="/login"]').isVisible());
    await page.goto(`${server.baseUrl}/login?return=${ARTICLE}`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', NEW_PASSWORD);
    await page.click('#login-form button[type="submit"]');
    await page.waitForURL(server.baseUrl + ARTICLE);
    assert.match(await page.locator('header .hello').textContent(), /Hello/);
    assertClean(page);
    await page.context().close();
  });

  test('profile: not signed in goes to log in; avatar upload shows; the export downloads JSON', T, async () => {
    const anon = await newPage(browser);
    await anon.goto(`${server.baseUrl}/account`);
    assert.equal(new URL(anon.url()).pathname + new URL(anon.url()).search, '/login?return=/account');
    await anon.context().close();

    const email = await reader('profile');
    const page = await signedInPage(email);
    await page.goto(`${server.baseUrl}/account`);
    assert.match(await page.locator('h1').textContent(), /^Hello, .+!$/);
    await page.setInputFiles('#avatar-file', { name: 'me.png', mimeType: 'image/png', buffer: png() });
    await page.click('#avatar-form button[type="submit"]');
    await status(page, 'avatar').filter({ hasText: 'saved' }).waitFor();
    const src = await page.getAttribute('#avatar-img', 'src');
    await page.waitForFunction(() => document.getElementById('avatar-img').complete
      && document.getElementById('avatar-img').naturalWidth > 16);
    const res = await page.request.get(server.baseUrl + src);
    assert.equal(res.headers()['content-type'], 'image/webp', 'the uploaded picture, not the default one');
    await screenshot(page, 'account');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-export]')]);
    assert.match(download.suggestedFilename(), /\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.ok(JSON.stringify(exported).includes(email), 'the export holds the account');
    assertClean(page);
    await page.context().close();
  });

  test('delete the account with confirmation, restore it from the mail, sign in again', T, async () => {
    const email = await reader('deleter');
    const page = await signedInPage(email);
    await page.goto(`${server.baseUrl}/account`);
    await page.click('a[href^="/account/delete"]');
    await page.waitForURL(/\/account\/delete/);
    const text = await page.locator('main').textContent();
    assert.match(text, /30 days/);
    assert.match(text, /hidden/);
    await screenshot(page, 'delete-confirm');
    await page.click('#delete-form button[type="submit"]');
    await page.waitForURL(`${server.baseUrl}/account/deleted`);
    assert.match(await page.locator('main').textContent(), /restore link/);
    assert.equal((await new Client(server.baseUrl).login(email)).status, 401, 'deleted: no login');

    const link = linkIn(await mailTo(email, 'account_deleted'), '/restore');
    await page.goto(server.baseUrl + link);
    await page.click('main form button[type="submit"]');
    await page.locator('.restored').waitFor();
    await screenshot(page, 'restored');
    assert.ok(await page.locator('main a.button[href^="/login"]').isVisible());
    await page.goto(`${server.baseUrl}/login?return=/account`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type="submit"]');
    await page.waitForURL(`${server.baseUrl}/account`);
    assertClean(page);
    await page.context().close();
  });

  test('the re-consent modal: cannot be dismissed; Continue with the box ticked; commenting works', T, async () => {
    const email = await reader('consent');
    const page = await signedInPage(email);
    await publishPolicy('# Privacy\n\nVersion for the modal test.');
    await page.goto(server.baseUrl + ARTICLE);
    const modal = page.locator('#consent-modal');
    await modal.waitFor();
    await screenshot(page, 'consent-modal');
    await page.keyboard.press('Escape');
    assert.ok(await modal.isVisible(), 'Escape does not dismiss it');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => document.getElementById('consent-modal').contains(document.activeElement)),
        'focus stays inside the modal');
    }
    await page.click('#consent-form button[type="submit"]');
    await page.locator('#consent-status .notice').waitFor();
    assert.ok(await modal.isVisible());
    await page.check('#consent-accept');
    await page.click('#consent-form button[type="submit"]');
    await modal.waitFor({ state: 'hidden' });
    const posted = await page.evaluate(async (id) => {
      const data = JSON.parse(document.getElementById('tribune-data').textContent);
      const r = await fetch(`/api/v1/articles/${id}/comments`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': data.csrf },
        body: JSON.stringify({ body: 'Glad the bridge is open again, the detour was long.' }),
      });
      return r.status;
    }, article.id);
    assert.equal(posted, 201, 'after consenting the reader can comment');
    await page.reload();
    assert.equal(await page.locator('#consent-modal').count(), 0, 'the modal does not come back');
    assertClean(page);
    await page.context().close();
  });

  test('the re-consent form works without JavaScript; unticked or forged forms record nothing', T, async () => {
    const email = await reader('nojs-consent');
    const page = await newPage(browser, { javaScriptEnabled: false });
    await signIn(page, server.baseUrl, email, PASSWORD);
    const policy = await publishPolicy('# Privacy\n\nVersion for the no-JavaScript test.');
    const version = async () => (await (await page.request.get(server.baseUrl + '/api/v1/me')).json()).consent.policy_version;
    const before = await version();
    // A forged form (no or a wrong CSRF token) changes nothing.
    for (const csrf of ['', 'not-the-token']) {
      await page.request.post(server.baseUrl + '/privacy/accept',
        { form: { csrf, accept: 'yes', policy_version: String(policy.version) }, maxRedirects: 0 });
      assert.equal(await version(), before, `csrf ${JSON.stringify(csrf)}`);
    }
    await page.goto(server.baseUrl + ARTICLE);
    await page.locator('#consent-modal').waitFor();
    // Sent without the box ticked: told so, nothing recorded.
    // The browser's own "required" check is taken away, as an old browser or a hand-made request would skip it.
    await page.locator('#consent-accept').evaluate((el) => el.removeAttribute('required'));
    await page.click('#consent-form button[type="submit"]');
    await page.getByText('Tick the box to accept the policy').waitFor();  // the form was sent and refused
    assert.equal(await version(), before, 'an unticked form records nothing');
    await page.goto(server.baseUrl + ARTICLE);
    await page.check('#consent-accept');
    await page.click('#consent-form button[type="submit"]');
    await page.waitForLoadState('load');
    assert.equal(await version(), policy.version);
    await page.goto(server.baseUrl + ARTICLE);
    assert.equal(await page.locator('#consent-modal').count(), 0, 'the modal is gone');
    await page.context().close();
  });

  test('the re-consent modal: "delete my account instead" leads to the confirmation', T, async () => {
    const email = await reader('refuser');
    const page = await signedInPage(email);
    await publishPolicy('# Privacy\n\nAnother version.');
    await page.goto(server.baseUrl + ARTICLE);
    await page.locator('#consent-modal').waitFor();
    await page.click('#consent-modal a[href="/account/delete"]');
    await page.waitForURL(/\/account\/delete/);
    assert.equal(await page.locator('#consent-modal').count(), 0, 'no modal over the confirmation');
    await page.click('#delete-form button[type="submit"]');
    await page.waitForURL(`${server.baseUrl}/account/deleted`);
    assert.equal((await new Client(server.baseUrl).login(email)).status, 401);
    assertClean(page);
    await page.context().close();
  });

  test('blocked reader: the block explained, an appeal (too short first), then a final block', T, async () => {
    const email = await reader('blocked');
    const page = await signedInPage(email);
    await page.goto(server.baseUrl + ARTICLE);
    if (await page.locator('#consent-modal').count()) {  // earlier tests published newer policies
      await page.check('#consent-accept');
      await page.click('#consent-form button[type="submit"]');
      await page.locator('#consent-modal').waitFor({ state: 'hidden' });
    }
    const me = await page.request.get(`${server.baseUrl}/api/v1/me`);
    const id = (await me.json()).id;
    const block = await moderator.post(`/api/v1/moderation/accounts/${id}/blocks`,
      { rule: 'trolling', note: 'Baiting other readers under three articles.' });
    assert.equal(block.status, 201, block.text);

    await page.goto(`${server.baseUrl}/blocked`);
    const facts = await page.locator('.block-facts').textContent();
    assert.match(facts, /Trolling and provocation/);
    assert.match(facts, /Baiting other readers/);
    await screenshot(page, 'blocked');
    assert.equal(await page.inputValue('#ap-user'), id);
    await page.fill('#ap-text', 'Sorry.');
    await page.click('#appeal-form button[type="submit"]');
    await status(page, 'appeal').filter({ hasText: 'too short' }).waitFor();
    const none = await (await page.request.get(`${server.baseUrl}/api/v1/me/appeals`)).json();
    assert.equal(none.items.length, 0, 'nothing stored');
    await page.fill('#ap-text', 'I got carried away in the roads thread and answered people instead of the article. '
      + 'I have read the standards again and will keep to the topic.');
    assert.match(await page.locator('[data-count]').textContent(), /^\d+ \/ 5000$/);
    await page.click('#appeal-form button[type="submit"]');
    await page.waitForURL(/\/blocked\?sent=1/);
    assert.match(await page.locator('.appeal-list').textContent(), /Open/);
    await screenshot(page, 'appeal-sent');
    const mine = await (await page.request.get(`${server.baseUrl}/api/v1/me/appeals`)).json();
    assert.equal(mine.items[0].state, 'open');
    assertClean(page);

    const decided = await moderator.post(`/api/v1/moderation/appeals/${mine.items[0].id}/decision`,
      { action: 'restore', note: 'Welcome back.' });
    assert.equal(decided.status, 200, decided.text);
    assert.equal((await moderator.post(`/api/v1/moderation/accounts/${id}/blocks`,
      { rule: 'flood', note: 'Twenty posts in a minute.' })).status, 201);
    await page.goto(`${server.baseUrl}/blocked`);
    assert.match(await page.locator('.final').textContent(), /final/);
    assert.equal(await page.locator('#appeal-form').count(), 0, 'no appeal after a final block');
    await screenshot(page, 'blocked-final');
    assertClean(page);
    await page.context().close();
  });
});

describe('log in after repeated failures', { timeout: 300_000 }, () => {
  let srv;
  before(async () => {
    srv = await startServer({ env: { TRIBUNE_CAPTCHA_REQUIRED: 'true', TRIBUNE_LIMITS_ENABLED: 'true' } });
  });
  after(async () => { await srv?.kill(); });

  test('after three failures the page shows the captcha, and logging in with it works', T, async () => {
    const email = uniqueEmail('throttled');
    await createAccount(TRIBUNE_BIN, srv.dataDir, email, 'reader');
    const page = await newPage(browser);
    await stubFront(page, srv.baseUrl);
    await page.goto(`${srv.baseUrl}/login`);
    assert.ok(await page.locator('[data-login-captcha]').isHidden(), 'no captcha at first');
    await page.fill('#login-email', email);
    for (let i = 0; i < 3; i++) {
      await page.fill('#login-password', `wrong ${i}`);
      await page.click('#login-form button[type="submit"]');
      await status(page, 'login').filter({ hasText: 'Wrong' }).waitFor();
      await page.evaluate(() => { document.querySelector('[data-status]').textContent = ''; });
    }
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type="submit"]');
    await page.locator('[data-login-captcha] altcha-widget').waitFor();
    await page.click('#login-form button[type="submit"]');
    await page.waitForURL(`${srv.baseUrl}/`, { timeout: 60_000 });
    assertClean(page, [/status of 40[01]/]);
    await page.context().close();
  });
});
