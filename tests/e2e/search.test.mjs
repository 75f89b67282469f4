// The search results page in real Chromium: the form submits GET /search, results show highlighted snippets and
// link to the article, a bad query is a friendly 400 page, and the page is clean (no console errors, no CSP
// violations). Screenshots: build/screenshots/search-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertClean, clearProblems, screenshot } from './browser.mjs';
import { bootstrap, createArticle } from '../integration/harness.mjs';

const T = { timeout: 120_000 };

describe('search page', { timeout: 300_000 }, () => {
  let ctx;
  let browser;
  let bridge;
  const url = (p) => new URL(p, ctx.srv.baseUrl).href;

  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor' } });
    bridge = await createArticle(ctx.clients.editor, {
      title: 'Harbour bridge reopens after two-year repair', section: 'city', tags: ['transport'],
      lead: 'Engineers replaced 140 deck plates on the harbour bridge.',
      body: 'The bridge reopened on **Monday**. Cyclists were the first to cross the <b>bridges</b> at dawn.',
    });
    await createArticle(ctx.clients.editor, {
      title: 'Ferry timetable for the summer', section: 'travel',
      body: 'While the bridge was closed, the ferry carried twice as many passengers.',
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ctx?.srv.kill();
  });

  test('the form finds articles and marks the matched words', T, async () => {
    const page = await newPage(browser);
    await page.goto(url('/search'));
    await page.fill('#search-q', 'bridges');
    await Promise.all([page.waitForNavigation(), page.click('.search-form button[type="submit"]')]);
    assert.match(page.url(), /\/search\?q=bridges/);
    assert.equal(await page.locator('.search-result').count(), 2);
    assert.match(await page.locator('.search-count').innerText(), /2 articles found/);
    const first = page.locator('.search-result').first();
    assert.equal(await first.locator('h2 a').getAttribute('href'), `/articles/${bridge.slug}`);
    assert.ok((await first.locator('mark').count()) >= 1, 'matched words are marked');
    await screenshot(page, 'search-results');
    assertClean(page);
  });

  test('a bad query is a friendly 400 page; no result says so', T, async () => {
    const page = await newPage(browser);
    const bad = await page.goto(url('/search?q=%22unclosed'));
    assert.equal(bad.status(), 400);
    assert.match(await page.locator('.search-bad').innerText(), /We could not search for that/);
    await screenshot(page, 'search-bad');
    assertClean(page, [/status of 400/]);  // the page's own status, nothing else
    clearProblems(page);
    const none = await page.goto(url('/search?q=zebra'));
    assert.equal(none.status(), 200);
    assert.match(await page.locator('.search-none').innerText(), /No article matches/);
    assertClean(page);
  });
});
