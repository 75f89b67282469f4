// The reader and account pages off the scripted paths, each test a bug a new reader found: long words and names
// on a phone, deleting one's own comment while the live stream is quicker than the answer, "show more" from the
// keyboard, the later page of comments without JavaScript, explanations that speak of highlights only when there
// are some and link the standards in the reader's language, account forms without JavaScript.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';
import {
  createAccount, createArticle, loggedIn, newDataDir, postComment, runCli, startServer, uniqueEmail, PASSWORD,
  TRIBUNE_BIN,
} from '../integration/harness.mjs';

const T = { timeout: 120_000 };
const PHONE = { width: 375, height: 740 };

describe('reader and account pages, off the scripted paths', { timeout: 900_000 }, () => {
  let srv;
  let browser;
  let story;
  let busy;
  let french;
  const clients = {};
  const emails = {};
  const url = (p) => new URL(p, srv.baseUrl).href;

  /** Elements of `root` that stick out to the right of the viewport. */
  const overflowing = (page, root) => page.locator(root).evaluate((r) => {
    const w = document.documentElement.clientWidth;
    return [r, ...r.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > w + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  });

  before(async () => {
    const dataDir = newDataDir();
    for (const [name, role] of [['editor', 'editor'], ['alice', 'reader'], ['bob', 'reader']]) {
      emails[name] = uniqueEmail(name);
      await createAccount(TRIBUNE_BIN, dataDir, emails[name], role);
    }
    emails.long = uniqueEmail('long');
    const r = await runCli(['admin', 'create', '--data', dataDir, '--email', emails.long, '--role', 'reader',
      '--name', 'W'.repeat(60)], { input: `${PASSWORD}\n` });
    assert.equal(r.code, 0, r.stderr);
    srv = await startServer({
      dataDir, env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru' },
    });
    for (const name of ['editor', 'alice', 'bob', 'long']) clients[name] = await loggedIn(srv.baseUrl, emails[name]);
    const image = { url: '', caption: '', credit: '' };
    story = await createArticle(clients.editor, { title: 'Harbour bridge reopens', section: 'city', image });
    french = await createArticle(clients.editor, {
      title: 'Le tramway de nuit prolongé', section: 'ville', language: 'fr', image,
      lead: 'Le tramway roulera la nuit.', body: 'Le tramway de nuit est prolongé jusqu\'au port.',
    });
    busy = await createArticle(clients.editor, { title: 'A busy discussion', section: 'politics', image });
    for (let i = 0; i < 55; i++) {
      await postComment(i % 2 ? clients.alice : clients.bob, busy.id, `Remark number ${i + 1} on the budget figures.`);
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.kill();
  });

  test('phone: a long name, a long word, a code block and their explanation stay inside the page', T, async () => {
    const word = 'Supercalifragilistic'.repeat(12);
    await postComment(clients.long, story.id, `A long one: ${word}\n\n\`\`\`\n${'code'.repeat(60)}\n\`\`\``);
    const page = await newPage(browser, { viewport: PHONE });
    await signIn(page, srv.baseUrl, emails.long, PASSWORD);
    await page.goto(url(`/articles/${story.slug}`));
    await page.locator('#thread li.comment', { hasText: 'A long one' }).waitFor();
    // The engine holds capitals: its explanation quotes the text with the long word highlighted.
    await page.fill('#composer textarea', `LOOK AT THIS ${'SHOUTINGWORD'.repeat(30)} NOW`);
    await page.click('#composer button[type=submit]');
    await page.locator('#composer .explain mark').waitFor();
    await screenshot(page, 'edge-phone-long-words');
    assert.deepEqual(await overflowing(page, '#discussion'), []);
    assertClean(page);
    await page.context().close();
  });

  test('deleting one\'s own comment counts it once, even when the live stream is quicker than the answer', T, async () => {
    const mine = await postComment(clients.alice, story.id, 'A comment I will take back.');
    const page = await newPage(browser);
    await signIn(page, srv.baseUrl, emails.alice, PASSWORD);
    await page.goto(url(`/articles/${story.slug}`));
    const li = page.locator(`#c${mine.id}`);
    await li.waitFor();
    const before = Number(await page.locator('#comment-count').textContent());
    // The DELETE's answer is held back until the stream has shown the tombstone.
    await page.route(`**/api/v1/comments/${mine.id}`, async (route) => {
      const res = await route.fetch();
      await page.locator(`#c${mine.id}.deleted`).waitFor();
      await route.fulfill({ response: res });
    });
    await li.locator('.act-delete').click();
    await li.locator('.act-delete-yes').click();
    await page.locator('#discussion-status', { hasText: 'Comment deleted.' }).waitFor();
    assert.equal(Number(await page.locator('#comment-count').textContent()), before - 1);
    await page.reload();
    assert.equal(Number(await page.locator('#comment-count').textContent()), before - 1);
    assertClean(page);
    await page.context().close();
  });

  test('"show more" from the keyboard: the focus goes to the first new comment, not to the top', T, async () => {
    const page = await newPage(browser);
    await page.goto(url(`/articles/${busy.slug}`));
    assert.equal(await page.locator('#thread li.comment').count(), 50);
    await page.focus('#show-more');
    await page.keyboard.press('Enter');
    await page.locator('#show-more').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#thread li.comment').count(), 55);
    const focused = await page.evaluate(() => document.activeElement.closest('li.comment')?.textContent ?? '');
    assert.match(focused, /Remark number 51 /);
    assertClean(page);
    await page.context().close();
  });

  test('without JavaScript, the later page of comments links back to the first ones', T, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url(`/articles/${busy.slug}`));
    await page.click('#show-more');
    await page.waitForURL(/comments=/);
    assert.equal(await page.locator('#thread li.comment').count(), 5);
    await page.getByRole('link', { name: 'Back to the first comments' }).click();
    await page.waitForURL((u) => !u.search.includes('comments='));
    assert.equal(await page.locator('#thread li.comment').count(), 50);
    await context.close();
  });

  test('explanations: "change the highlighted part" only with a highlight; rule links in the page\'s language', T, async () => {
    const page = await newPage(browser);
    await signIn(page, srv.baseUrl, emails.bob, PASSWORD);
    await page.goto(url(`/articles/${french.slug}`));
    await page.fill('#composer textarea', 'CE TRAMWAY EST VRAIMENT UNE EXCELLENTE NOUVELLE POUR TOUT LE QUARTIER');
    await page.click('#composer button[type=submit]');
    const notice = page.locator('#composer .explain .notice');
    await notice.locator('mark').waitFor();
    const rule = await notice.locator('.finding a').first().getAttribute('href');
    assert.match(rule, /^\/standards\?lang=fr#rule-/, 'the rule in French, like the page');
    // Fixed in capitals again: the edit stays held, and the answer to an edit has no findings to highlight.
    await page.fill('#composer textarea', 'CE TRAMWAY EST VRAIMENT UNE TRES BONNE NOUVELLE POUR TOUT LE QUARTIER');
    await page.click('#composer button[type=submit]');
    await notice.locator('mark').waitFor({ state: 'detached' });
    assert.equal(await notice.locator('.finding').count(), 0);
    assert.doesNotMatch(await notice.textContent(), /surlign/i, 'no "change the highlighted part" without a highlight');
    assertClean(page, [/status of 4\d\d/]);
    await page.context().close();
  });

  test('without JavaScript the account forms cannot be sent (no JSON page, no password in a URL)', T, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    for (const [path, form] of [['/register', 'register'], ['/login', 'login'], ['/recover', 'recover']]) {
      await page.goto(url(path));
      assert.ok(await page.locator(`form[data-form="${form}"] button[type=submit]`).isDisabled(), `${path}: disabled`);
      assert.match(await page.locator('main').textContent(), /needs JavaScript/);
    }
    await context.close();
    const withJs = await newPage(browser);
    await withJs.goto(url('/login'));
    await withJs.locator('form[data-form="login"] button[type=submit]:enabled').waitFor();
    await withJs.context().close();
  });

  test('phone: the profile of a reader with a long name stays inside the page', T, async () => {
    const page = await newPage(browser, { viewport: PHONE });
    await signIn(page, srv.baseUrl, emails.long, PASSWORD);
    await page.goto(url('/account'));
    await screenshot(page, 'edge-phone-profile');
    assert.deepEqual(await overflowing(page, 'main'), []);
    assertClean(page);
    await page.context().close();
  });
});
