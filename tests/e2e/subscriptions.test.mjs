// The "Subscribe" box in Chromium: under an article, an anonymous reader subscribes by e-mail (a plain form: the
// "check your mailbox" page, and the pending topic stored), and turns on breaking news on this device next to it
// (push.js with the fake push service: the subscription is stored with topic breaking:en). No console errors and no
// CSP violations on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, sql, uniqueEmail, until } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot } from './browser.mjs';
import { fakePushService } from './fake_push.mjs';

const T = { timeout: 120_000 };
const NO_IMAGE = { url: '', caption: '', credit: '' };
let ctx;
let browser;
let article;

before(async () => {
  ctx = await bootstrap({ accounts: { editor: 'editor' } });
  article = await createArticle(ctx.clients.editor,
    { title: 'Harbour bridge reopens', section: 'city', tags: ['transport'], image: NO_IMAGE });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ctx?.srv.stop();
});

test('an anonymous reader subscribes by e-mail from the article page', T, async () => {
  const page = await newPage(browser);
  await page.goto(`${ctx.srv.baseUrl}/articles/${article.slug}`);
  // The "Subscribe" button of the article's tools leads to the box.
  assert.equal(await page.getByRole('link', { name: 'Subscribe', exact: true }).getAttribute('href'), '#subscribe');
  const box = page.locator('#subscribe');
  assert.deepEqual(await box.getByLabel('Subscribe to').locator('option').allTextContents(),
    ['Section: City', 'Tag: transport', 'All news']);
  await box.getByLabel('Subscribe to').selectOption('tag:transport');
  const email = uniqueEmail('e2e');
  await box.getByLabel('Your e-mail address').fill(email);
  await screenshot(page, 'subscribe-box');
  await box.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.getByRole('heading', { name: 'Check your mailbox' }).waitFor();
  assert.equal(sql(ctx.srv.dataDir, `SELECT t.topic FROM newsletter_topics t JOIN newsletter_subscribers s ON s.id = t.subscriber_id WHERE s.email = '${email}' AND t.confirmed_at IS NULL`), 'tag:transport');
  assertClean(page);
  await page.context().close();
});

test('"Breaking news on this device" next to the form stores a push subscription for breaking:en', T, async () => {
  const page = await newPage(browser);
  await page.context().grantPermissions(['notifications'], { origin: ctx.srv.baseUrl });
  await fakePushService(page);
  const before = Number(sql(ctx.srv.dataDir, "SELECT COUNT(*) FROM push_topics WHERE topic = 'breaking:en'"));
  await page.goto(`${ctx.srv.baseUrl}/section/city`);
  const button = page.locator('#subscribe').getByRole('button', { name: 'Breaking news on this device' });
  await button.click();
  await page.locator('#subscribe').getByText('Breaking news will come to this device.').waitFor();
  await until('the subscription stored', () =>
    Number(sql(ctx.srv.dataDir, "SELECT COUNT(*) FROM push_topics WHERE topic = 'breaking:en'")) === before + 1);
  assert.equal(await button.isHidden(), true, 'the button goes once it is done');
  assertClean(page);
  await page.context().close();
});
