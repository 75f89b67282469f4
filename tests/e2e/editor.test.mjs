// The editor pages in Chromium: an editor signs in, writes an article with an uploaded lead photo through the
// form (editor.js uploads it), publishes it, and finds it on the front page and the article page with the
// picture, caption and credit.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, PASSWORD } from '../integration/harness.mjs';
import { makePng } from '../integration/support/images.mjs';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';

const T = { timeout: 120_000 };

describe('editor pages', () => {
  let ctx, browser, page;
  const base = () => ctx.srv.baseUrl;

  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor' } });
    browser = await launchBrowser();
    page = await newPage(browser);
    await signIn(page, base(), ctx.emails.editor, PASSWORD);
  });
  after(async () => { await browser?.close(); await ctx?.srv.stop(); });

  test('write, upload a photo, publish; readers see it with picture, caption and credit', T, async () => {
    const photo = join(mkdtempSync(join(tmpdir(), 'tribune-e2e-')), 'harbour.png');
    writeFileSync(photo, makePng(1800, 1200));
    await page.goto(`${base()}/editor`);
    await page.getByRole('link', { name: 'New article' }).click();
    await page.locator('#f-title').fill('Harbour reopens after the storm');
    await page.locator('#f-slug').fill('harbour-reopens');
    await page.locator('#f-lead').fill('Boats are back in the water a week after the storm.');
    await page.locator('#f-body').fill('The harbour opened again on Monday.\n\nFishermen were relieved.\n\nRepairs go on.');
    await page.locator('#f-section').selectOption('city');
    await page.locator('#f-tags').fill('harbour, storm');
    await page.locator('#f-byline').fill('Mara Quill');
    await page.locator('#f-image-file').setInputFiles(photo);
    await page.locator('#image-status', { hasText: 'Photo uploaded.' }).waitFor();
    assert.match(await page.locator('#f-image-url').inputValue(), /^\/images\/\d+$/);
    await page.locator('#f-caption').fill('The harbour at dawn');
    await page.locator('#f-credit').fill('Ana Lens');
    await screenshot(page, 'editor-form');
    await page.locator('#publish').click();
    await page.waitForURL(/\/editor\/articles\/\d+\?saved=1$/);
    assert.equal(await page.locator('#editor-status').innerText(), 'published');

    await page.goto(`${base()}/`);
    await page.getByRole('link', { name: 'Harbour reopens after the storm' }).first().waitFor();
    await page.goto(`${base()}/articles/harbour-reopens`);
    const img = page.locator('figure.lead-photo picture img');
    await img.waitFor();
    assert.equal(await img.getAttribute('alt'), 'The harbour at dawn');
    assert.equal(await img.getAttribute('width'), '1600');
    assert.match(await img.getAttribute('height'), /^106[67]$/);
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the picture loaded');
    assert.match(await page.locator('figure.lead-photo figcaption').innerText(), /The harbour at dawn\s+© Ana Lens/);
    await screenshot(page, 'editor-article');
    assertClean(page);

    await page.goto(`${base()}/editor`);
    assert.ok(await page.locator('#published a', { hasText: 'Harbour reopens after the storm' }).count() >= 1);
    await screenshot(page, 'editor-home');
  });
});
