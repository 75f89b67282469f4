// Accessibility of the main pages, checked by axe-core (the engine behind Lighthouse's accessibility audit) in
// Chromium against WCAG 2.1 A and AA: names for every control, labels, contrast, landmarks, headings, lang.
// A violation of impact "serious" or "critical" fails the test and is listed with the element it was found on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { bootstrap, createArticle, assertStatus, PASSWORD } from '../integration/harness.mjs';
import { launchBrowser, signIn } from './browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const T = { timeout: 120_000 };
let ctx;
let browser;
let article;

before(async () => {
  ctx = await bootstrap({ accounts: { mod: 'moderator', editor: 'editor', reader: 'reader' },
    env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru' } });
  article = await createArticle(ctx.clients.editor);
  const first = await ctx.clients.reader.post(`/api/v1/articles/${article.id}/comments`, { body: 'The ferry timetable is on the council site.' });
  assertStatus(first, 201, 'comment');
  assertStatus(await ctx.clients.mod.post(`/api/v1/articles/${article.id}/comments`,
    { body: 'Thanks, that helps.', parent_id: first.body.id }), 201, 'reply');
  assertStatus(await ctx.clients.reader.post(`/api/v1/articles/${article.id}/comments`,
    { body: 'THE FERRY WAS LATE EVERY SINGLE DAY THIS WEEK AND NOBODY SAID A WORD ABOUT IT' }), 201, 'held');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await ctx?.srv.stop();
});

async function audit(path, who) {
  // axe is injected as a script: the test context bypasses the site's CSP for that (the site itself never does).
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const page = await context.newPage();
  if (who) await signIn(page, ctx.srv.baseUrl, ctx.emails[who], PASSWORD);
  await page.goto(ctx.srv.baseUrl + path);
  await page.waitForLoadState('networkidle');
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' + n.failureSummary.split('\n').slice(1, 2).join('')) }));
  });
  await context.close();
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const PAGES = [
  ['/', null], ['/fr/', null], ['/ru/', null], ['/articles/ARTICLE', null], ['/articles/ARTICLE', 'reader'],
  ['/standards', null], ['/privacy', null], ['/login', null], ['/register', null], ['/recover', null],
  ['/account', 'reader'], ['/account/delete', 'reader'], ['/account/notifications', 'reader'],
  ['/unsubscribe?token=not-a-token', null], ['/moderation', 'mod'], ['/moderation/dashboard', 'mod'],
  ['/moderation/appeals', 'mod'], ['/no/such/page', null],
];

for (const [path, who] of PAGES) {
  test(`axe finds no serious WCAG 2.1 AA problem on ${path}${who ? ` (as ${who})` : ''}`, T, async () => {
    const problems = await audit(path.replace('ARTICLE', article.slug), who);
    assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
  });
}
