// The reader pages in real Chromium: the front page's blocks, the article page, reading without JavaScript,
// and the discussion: post, live updates in another reader's page, the engine's explanation of a held or
// rejected comment (fixed and resent), edit, delete, report, "show more", the community standards.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';
import { bootstrap, createArticle, postComment, PASSWORD } from '../integration/harness.mjs';

const T = { timeout: 120_000 };

describe('reader pages', { timeout: 900_000 }, () => {
  let ctx;
  let browser;
  let story;
  let gallery;
  let video;
  let busy;
  const url = (p) => new URL(p, ctx.srv.baseUrl).href;

  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor', alice: 'reader', bob: 'reader', carol: 'reader' } });
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    story = await createArticle(ctx.clients.editor, {
      title: 'Harbour bridge reopens after two-year repair', section: 'city', tags: ['transport', 'harbour life'],
      byline: 'Maria Okafor', kind: 'story', recommended_until: soon,
      image: { url: '/static/demo/harbour.svg', caption: 'The reopened bridge at first light', credit: 'Tribune staff' },
      body: 'The bridge reopened on **Monday**.\n\nEngineers replaced 140 deck plates.',
    });
    gallery = await createArticle(ctx.clients.editor, {
      title: 'School gardens in pictures', section: 'education', kind: 'gallery', byline: 'Tomás Ferreira',
      image: { url: '/static/demo/garden.svg', caption: 'Pupils sorting beans', credit: '© Tribune demo' },
    });
    video = await createArticle(ctx.clients.editor, { title: 'Night trains return, on video', section: 'travel', kind: 'video', image: { url: '', caption: '', credit: '' } });
    await postComment(ctx.clients.bob, story.id, 'Finally. The ferry was nice for a week, then it was just slow.');
    const first = await postComment(ctx.clients.carol, story.id, 'Does the new bike lane go past the fish market?');
    await postComment(ctx.clients.bob, story.id, 'It stops at the ramp for now, I checked yesterday.', first.id);
    busy = await createArticle(ctx.clients.editor, {
      title: 'A busy discussion about the budget', section: 'politics',
      image: { url: '/static/demo/library.svg', caption: 'The council chamber', credit: 'Tribune staff' },
    });
    const voices = [ctx.clients.alice, ctx.clients.bob, ctx.clients.carol];
    for (let i = 0; i < 60; i++) {
      await postComment(voices[i % 3], busy.id, `Budget remark number ${i + 1}: the figures on page ${i + 3} need a second look.`);
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ctx?.srv.kill();
  });

  test('the front page shows All news, Recommended, Multimedia and Trending', T, async () => {
    const page = await newPage(browser);
    await page.goto(url('/'));
    const all = page.locator('#all-news');
    for (const t of [story.title, gallery.title, video.title, busy.title]) {
      await all.getByRole('link', { name: t, exact: true }).waitFor();
    }
    await page.locator('#recommended').getByRole('link', { name: story.title }).waitFor();
    assert.equal(await page.locator('#recommended').getByRole('link', { name: gallery.title }).count(), 0);
    await page.locator('#multimedia').getByRole('link', { name: gallery.title }).waitFor();
    await page.locator('#multimedia').getByRole('link', { name: video.title }).waitFor();
    assert.equal(await page.locator('#multimedia').getByRole('link', { name: story.title }).count(), 0);
    const trending = page.locator('#trending h3 a');
    assert.equal(await trending.first().textContent(), busy.title, 'the 60-comment discussion trends first');
    assert.equal(await page.locator('#all-news .card', { hasText: story.title }).locator('img').getAttribute('alt'),
      'The reopened bridge at first light');
    assert.match(await page.locator('#all-news .card', { hasText: story.title }).textContent(), /3 comments/);
    await screenshot(page, 'front');
    assertClean(page);
    await page.context().close();
  });

  test('the article page shows headline, photo, caption, credit, byline, tags, short URL', T, async () => {
    const page = await newPage(browser);
    await page.goto(url(`/articles/${story.slug}`));
    assert.equal(await page.locator('h1').textContent(), story.title);
    assert.equal(await page.locator('figure.lead-photo img').getAttribute('alt'), 'The reopened bridge at first light');
    assert.match(await page.locator('figure.lead-photo figcaption').textContent(), /The reopened bridge at first light\s+© Tribune staff/);
    assert.match(await page.locator('.byline').textContent(), /Maria Okafor/);
    assert.equal(await page.locator('.story-head .kicker').getAttribute('href'), '/section/city');
    assert.equal(await page.locator('.tags a', { hasText: 'harbour life' }).getAttribute('href'), '/tag/harbour%20life');
    assert.match(await page.locator('.story-body strong').textContent(), /Monday/);
    assert.match(await page.locator('#discussion-title').textContent(), /\(3\)/);
    await page.getByRole('link', { name: 'Get short URL' }).click();
    const short = await page.locator('#short-url-value').inputValue();
    assert.match(short, /^http:\/\/127\.0\.0\.1:\d+\/s\/[\w-]+$/);
    const res = await fetch(short, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.match(res.headers.get('location'), new RegExp(`/articles/${story.slug}$`));
    // the reply sits under its parent
    const parent = page.locator('li.comment', { hasText: 'fish market' });
    await parent.locator('ol.replies li.comment', { hasText: 'stops at the ramp' }).waitFor();
    await screenshot(page, 'article');
    assertClean(page);
    await page.context().close();
  });

  test('reading works with JavaScript disabled; tag and section pages list the article', T, async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.goto(url(`/articles/${story.slug}`));
    await page.locator('#thread .comment-body', { hasText: 'ferry was nice' }).waitFor();
    await page.locator('#thread li.comment li.comment .comment-body', { hasText: 'stops at the ramp' }).waitFor();
    await page.getByRole('link', { name: 'Log in' }).last().waitFor();
    assert.match(await page.locator('.join a').first().getAttribute('href'), /^\/login\?return=/);
    await page.goto(url(`/articles/${busy.slug}`));
    assert.equal(await page.locator('#thread li.comment').count(), 50);
    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.locator('#thread li.comment', { hasText: 'Budget remark number 60:' }).waitFor();
    await page.goto(url('/tag/harbour%20life'));
    await page.getByRole('link', { name: story.title }).waitFor();
    await page.goto(url('/section/education'));
    await page.getByRole('link', { name: gallery.title }).waitFor();
    assertClean(page);
    await page.context().close();
  });

  test('a signed-in reader comments; another reader sees it appear live', T, async () => {
    const bob = await newPage(browser);
    await bob.goto(url(`/articles/${story.slug}`));
    await bob.locator('#thread li.comment').first().waitFor();
    const alice = await newPage(browser);
    await signIn(alice, ctx.srv.baseUrl, ctx.emails.alice, PASSWORD);
    await alice.goto(url(`/articles/${story.slug}`));
    await alice.getByLabel('Your comment').fill('The new lighting makes the walk home much nicer.');
    await alice.getByRole('button', { name: 'Publish' }).click();
    await alice.locator('#thread li.comment', { hasText: 'The new lighting' }).waitFor();
    await alice.locator('#comment-count', { hasText: '4' }).waitFor();
    // Bob did not reload: the live stream brings it.
    await bob.locator('#thread li.comment', { hasText: 'The new lighting' }).waitFor({ timeout: 15_000 });
    await bob.locator('#comment-count', { hasText: '4' }).waitFor();
    assertClean(alice);
    assertClean(bob);
    await alice.context().close();
    await bob.context().close();
  });

  test('an all-capitals comment is explained with the span highlighted, fixed and resent', T, async () => {
    const page = await newPage(browser);
    await signIn(page, ctx.srv.baseUrl, ctx.emails.carol, PASSWORD);
    await page.goto(url(`/articles/${story.slug}`));
    const shout = 'THE BRIDGE WAS CLOSED FOR FAR TOO LONG AND NOBODY AT THE COUNCIL EVER APOLOGISED FOR THE DETOUR';
    const box = page.getByLabel('Your comment');
    await box.fill(shout);
    await page.getByRole('button', { name: 'Publish' }).click();
    const explain = page.locator('#composer .explain .notice');
    await explain.waitFor();
    assert.match(await explain.textContent(), /Write readable text/);
    const marked = await explain.locator('mark').allTextContents();
    assert.ok(marked.join('').length > 10, `highlighted spans: ${JSON.stringify(marked)}`);
    assert.ok(shout.includes(marked[0]), 'the highlight is a piece of the text');
    assert.equal(await box.inputValue(), shout, 'the text stays to be fixed');
    await screenshot(page, 'held-explanation');
    const fixed = 'The bridge was closed for far too long, and nobody at the council ever apologised for the detour.';
    await box.fill(fixed);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('#thread li.comment[data-status="published"]', { hasText: 'nobody at the council ever apologised' }).waitFor();
    await page.locator('#composer .explain .notice').waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), '');
    assert.equal(await page.locator('#thread li.comment', { hasText: /THE BRIDGE WAS CLOSED/ }).count(), 0);
    assertClean(page, [/status of 422/]);
    await page.context().close();
  });

  test('edit and delete own comment; report another reader\'s', T, async () => {
    const mine = await postComment(ctx.clients.alice, gallery.id, 'The beans look wonderful this year.');
    await postComment(ctx.clients.bob, gallery.id, 'I bought a bag of them at the Saturday stall.');
    const page = await newPage(browser);
    await signIn(page, ctx.srv.baseUrl, ctx.emails.alice, PASSWORD);
    await page.goto(url(`/articles/${gallery.slug}`));
    const li = page.locator(`#c${mine.id}`);
    await li.getByRole('button', { name: 'Edit' }).click();
    const editor = li.locator('form.editor textarea');
    assert.equal(await editor.inputValue(), 'The beans look wonderful this year.');
    await editor.fill('The beans and the squash look wonderful this year.');
    await li.locator('form.editor').getByRole('button', { name: 'Publish' }).click();
    await page.locator(`#c${mine.id} .comment-body`, { hasText: 'beans and the squash' }).waitFor();
    await page.locator(`#c${mine.id} .edited`).waitFor();

    await page.locator(`#c${mine.id}`).getByRole('button', { name: 'Delete' }).click();
    await page.locator(`#c${mine.id}`).getByRole('button', { name: 'Yes, delete' }).click();
    await page.locator(`#c${mine.id} .tombstone`).waitFor();
    assert.equal(await page.locator(`#c${mine.id} .comment-body`).count(), 0);
    await page.reload();
    await page.locator(`#c${mine.id} .tombstone`).waitFor();

    const other = page.locator('li.comment', { hasText: 'Saturday stall' });
    assert.equal(await other.getByRole('button', { name: 'Edit' }).count(), 0);
    await other.getByRole('button', { name: 'Report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Report a comment' });
    await dialog.getByLabel('Rule').selectOption('unauthorised_promotion');
    await dialog.getByLabel('Anything to add (optional)').fill('Selling beans in the comments.');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#discussion-status', { hasText: 'A moderator will look at it' }).waitFor();
    const again = await ctx.clients.alice.post(`/api/v1/comments/${await other.getAttribute('data-id')}/reports`, { rule: 'off_topic' });
    assert.notEqual(again.status, 201, 'the report was stored: a second one is refused');
    assertClean(page);
    await page.context().close();
  });

  test('"Show more" loads the next page of comments with JavaScript', T, async () => {
    const page = await newPage(browser);
    await page.goto(url(`/articles/${busy.slug}`));
    assert.equal(await page.locator('#thread li.comment').count(), 50);
    await page.getByRole('link', { name: 'Show more comments' }).click();
    await page.locator('#thread li.comment', { hasText: 'Budget remark number 60:' }).waitFor();
    assert.equal(await page.locator('#thread li.comment').count(), 60);
    assert.equal(await page.locator('#show-more').count(), 0);
    assert.equal(new URL(page.url()).search, '', 'loaded in place, not by navigation');
    await screenshot(page, 'article-discussion');
    assertClean(page);
    await page.context().close();
  });

  test('the community standards list every rule with an anchor; the article links to them', T, async () => {
    const page = await newPage(browser);
    await page.goto(url('/standards'));
    const ids = ['off_topic', 'hate', 'minors', 'extremism_illegal', 'insult_threat', 'insult_publisher',
      'privacy_personal_data', 'violence_cruelty', 'suicide', 'commercial_political_ads', 'unauthorised_promotion',
      'profanity', 'spam_scheme', 'drugs', 'malware_links', 'flash_mob', 'flood', 'trolling', 'form', 'language'];
    for (const id of ids) await page.locator(`#rule-${id} h2, #rule-${id} h3`).waitFor();
    assert.equal(await page.locator('ol.rules > li').count(), 19);
    assert.match(await page.locator('#sanctions').textContent(), /second block is final/i);
    await screenshot(page, 'standards');
    await page.goto(url('/standards?lang=ru'));
    assert.equal(await page.locator('h1').textContent(), 'Правила сообщества');
    await page.goto(url('/standards?lang=fr'));
    assert.equal(await page.locator('#rule-form h3').textContent(), 'Écrivez lisiblement');
    assertClean(page);
    await page.context().close();
  });
});
