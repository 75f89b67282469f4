// The moderators' console in Chromium: the queue with highlighted evidence and keyboard decisions, editing,
// the reported tab, blocking from the user history, appeals, the audit log, the dashboard's SVG charts, and who
// may enter.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, assertStatus, assertError, PASSWORD } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot, signIn } from './browser.mjs';

const T = { timeout: 120_000 };
// All-capitals texts the engine holds for the `form` rule (tests/integration/queue.test.mjs).
const HELD = [
  'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS ANYTHING',
  'THE COUNCIL NEVER ANSWERS A SINGLE LETTER ABOUT THE BROKEN STREET LIGHTS HERE',
  'WHY DOES THE LIBRARY CLOSE AT FOUR WHEN EVERYONE WORKS UNTIL FIVE OR LATER',
];
const SUBJECT = 'restoration of account / unlock access';

describe('moderator console', () => {
  let ctx, browser, article, held = [], reported, mod;
  const base = () => ctx.srv.baseUrl;

  before(async () => {
    ctx = await bootstrap({ accounts: { mod: 'moderator', admin: 'admin', editor: 'editor', reader: 'reader', other: 'reader', r2: 'reader', r3: 'reader' } });
    article = await createArticle(ctx.clients.editor);
    for (const body of HELD) {
      const r = await ctx.clients.reader.post(`/api/v1/articles/${article.id}/comments`, { body });
      assertStatus(r, 201, 'post');
      assert.equal(r.body.status, 'pending', body);
      held.push(r.body.id);
    }
    const ok = await ctx.clients.reader.post(`/api/v1/articles/${article.id}/comments`,
      { body: 'The new tram line should stop near the hospital as well, it would help many patients.' });
    assertStatus(ok, 201, 'post a published comment');
    reported = ok.body.id;
    // Three distinct readers put a comment in the reported queue.
    for (const who of ['other', 'r2', 'r3']) {
      assertStatus(await ctx.clients[who].post(`/api/v1/comments/${reported}/reports`,
        { rule: 'spam_scheme', note: 'looks like an advert' }), 201, 'report');
    }
    browser = await launchBrowser();
    mod = await newPage(browser);
    await signIn(mod, base(), ctx.emails.mod, PASSWORD);
  });
  after(async () => { await browser?.close(); await ctx?.srv.stop(); });

  const commentStatus = async (id) => {
    for (const state of ['pending', 'rejected']) {
      const r = await ctx.clients.mod.get(`/api/v1/moderation/queue?state=${state}&limit=200`);
      if (r.body.items.some((i) => i.comment.id === id)) return state;
    }
    const pub = await ctx.anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    return pub.body.items.some((c) => c.id === id) ? 'published' : 'unknown';
  };

  test('the queue shows held comments with the evidence highlighted', T, async () => {
    await mod.goto(`${base()}/moderation`);
    const first = mod.locator(`#item-${held[0]}`);
    await first.waitFor();
    assert.equal(await mod.locator('li.item').count(), 3);
    const marks = first.locator('.comment-body mark');
    assert.ok(await marks.count() >= 1, 'evidence is marked');
    assert.match(await marks.first().getAttribute('title'), /^form/);
    assert.match(await first.locator('table.findings').innerText(), /form/);
    assert.equal(await first.locator('.rule-select').inputValue(), 'form');
    await screenshot(mod, 'console-queue');
    assertClean(mod);
  });

  test('keyboard: j then r rejects, a approves and publishes', T, async () => {
    await mod.goto(`${base()}/moderation`);
    await mod.locator(`#item-${held[0]}.current`).waitFor();
    await mod.keyboard.press('j');
    await mod.locator(`#item-${held[1]}.current`).waitFor();
    await mod.keyboard.press('r');
    await mod.locator(`#item-${held[1]}`).waitFor({ state: 'detached' });
    await mod.locator('#console-live', { hasText: 'form' }).waitFor();
    assert.equal(await commentStatus(held[1]), 'rejected');
    const pub = await ctx.anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    assert.ok(!pub.body.items.some((c) => c.id === held[1]), 'a rejected comment is not public');
    // The selection moved to the next item (held[2]): approve it.
    await mod.locator(`#item-${held[2]}.current`).waitFor();
    await mod.keyboard.press('a');
    await mod.locator(`#item-${held[2]}`).waitFor({ state: 'detached' });
    assert.equal(await commentStatus(held[2]), 'published');
    assertClean(mod);
  });

  test('edit: the inline textarea saves the moderator’s text', T, async () => {
    await mod.goto(`${base()}/moderation`);
    const item = mod.locator(`#item-${held[0]}`);
    await item.locator('button[data-act=edit]').click();
    const text = 'The bus timetable changes every week and nobody tells the passengers.';
    await item.locator('textarea').fill(text);
    await item.locator('button[data-act=save]').click();
    await item.locator('.comment-body', { hasText: 'nobody tells the passengers.' }).waitFor();
    const pub = await ctx.anon.get(`/api/v1/articles/${article.id}/comments?limit=200`);
    const q = await ctx.clients.mod.get('/api/v1/moderation/queue?limit=200');
    const all = [...pub.body.items, ...q.body.items.map((i) => i.comment)];
    assert.equal(all.find((c) => c.id === held[0])?.body, text);
    assertClean(mod);
  });

  test('the reported tab lists the reported comment', T, async () => {
    await mod.goto(`${base()}/moderation?state=reported`);
    const item = mod.locator(`#item-${reported}`);
    await item.waitFor();
    assert.match(await item.locator('.reports').innerText(), /spam_scheme/);
    assert.equal(await mod.locator('.tabs a[aria-current=page]').innerText(), 'Reported');
    assertClean(mod);
  });

  test('block from the user history, appeal, restore from the appeals page', T, async () => {
    const readerId = ctx.clients.reader.account.id;
    await mod.goto(`${base()}/moderation/accounts/${readerId}`);
    await mod.locator('h1').waitFor();
    assert.match(await mod.locator('ol.history').innerText(), /BUS TIMETABLE|bus timetable/);
    await mod.locator('section[data-account] button[data-act=block]').click();
    const dialog = mod.locator('#block-dialog');
    await dialog.waitFor();
    assert.ok(await dialog.locator('[data-slot=first]').isVisible(), 'a first block says it is not final');
    await dialog.locator('#block-rule').selectOption('insult_threat');
    await dialog.locator('#block-note').fill('Shouting at other readers.');
    await dialog.locator('button[type=submit]').click();
    await mod.locator('table.dense caption', { hasText: 'Blocks' }).waitFor();
    assert.match(await mod.locator('dl.facts').innerText(), /blocked/);
    await screenshot(mod, 'console-history');
    assertClean(mod);
    // The reader is blocked: writes answer 403 account_blocked.
    assertError(await ctx.clients.reader.post(`/api/v1/articles/${article.id}/comments`,
      { body: 'A calm remark about the buses.' }), 403, 'account_blocked', 'comment while blocked');
    const appeal = await ctx.clients.reader.post('/api/v1/appeals', { subject: SUBJECT, user_id: readerId,
      explanation: 'I wrote in capitals by mistake, my keyboard was stuck; I will write normally from now on.' });
    assertStatus(appeal, 201, 'appeal');
    await mod.goto(`${base()}/moderation/appeals`);
    const li = mod.locator(`#appeal-${appeal.body.id}`);
    await li.waitFor();
    assert.match(await li.innerText(), /keyboard was stuck/);
    await screenshot(mod, 'console-appeals');
    await li.locator('textarea').fill('Accepted: welcome back.');
    await li.locator('button[data-act=restore]').click();
    await li.waitFor({ state: 'detached' });
    const me = await ctx.clients.reader.me();
    assert.equal(me.body.status ?? me.body.account?.status, 'active');
    assertClean(mod);
    // A second block is announced as final.
    await mod.goto(`${base()}/moderation/accounts/${readerId}`);
    await mod.locator('section[data-account] button[data-act=block]').click();
    assert.ok(await mod.locator('#block-dialog [data-slot=final]').isVisible(), 'the second block is final');
    await mod.locator('#block-dialog button[data-act=close-dialog]').click();
    assertClean(mod);
  });

  test('an appeal can be denied', T, async () => {
    const otherId = ctx.clients.other.account.id;
    assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/accounts/${otherId}/blocks`, { rule: 'spam_scheme' }), 201, 'block other');
    const appeal = await ctx.clients.other.post('/api/v1/appeals', { subject: SUBJECT, user_id: otherId,
      explanation: 'My report was honest and I do not advertise anything at all on this site, please check again.' });
    assertStatus(appeal, 201, 'appeal');
    await mod.goto(`${base()}/moderation/appeals`);
    const li = mod.locator(`#appeal-${appeal.body.id}`);
    await li.locator('button[data-act=deny]').click();
    await li.waitFor({ state: 'detached' });
    const mine = await ctx.clients.other.get('/api/v1/me/appeals');
    assert.equal(mine.body.items[0].state, 'denied');
    assertClean(mod);
  });

  test('the audit log lists the decisions (admins)', T, async () => {
    const admin = await newPage(browser);
    await signIn(admin, base(), ctx.emails.admin, PASSWORD);
    await admin.goto(`${base()}/moderation/audit`);
    const table = admin.locator('table.audit');
    await table.waitFor();
    const text = await table.innerText();
    for (const action of ['comment.reject', 'comment.approve', 'comment.edit', 'account.block', 'appeal.restore', 'appeal.deny']) {
      assert.ok(text.includes(action), `${action} in the audit log`);
    }
    await screenshot(admin, 'console-audit');
    assertClean(admin);
    // A moderator is told the log is for admins.
    await mod.goto(`${base()}/moderation/audit`);
    await mod.locator('.notice').waitFor();
    assertClean(mod);
  });

  test('the dashboard draws SVG charts with bars for the decided rules', T, async () => {
    await mod.goto(`${base()}/moderation/dashboard`);
    const bars = mod.locator('svg[aria-labelledby^="chart-rules"]');
    await bars.waitFor();
    assert.ok(await bars.locator('rect.bar').count() >= 1, 'bars are drawn');
    assert.match(await bars.textContent(), /form/);
    assert.equal(await mod.locator('svg[aria-labelledby^="chart-age"] polyline').count(), 2);
    assert.match(await mod.locator('svg[aria-labelledby^="chart-rules"] title').first().textContent(), /7 days/);
    await screenshot(mod, 'console-dashboard');
    assertClean(mod);
    await mod.goto(`${base()}/moderation/dashboard?lang=fr`);
    await mod.locator('h1', { hasText: 'Tableau de bord' }).waitFor();
    assertClean(mod);
  });

  test('readers get 403; the anonymous are sent to log in', T, async () => {
    const page = await newPage(browser);
    const anon = await page.goto(`${base()}/moderation?state=reported`);
    assert.match(page.url(), /\/login\?return=%2Fmoderation%3Fstate%3Dreported|\/login\?return=/);
    await signIn(page, base(), ctx.emails.editor, PASSWORD);
    const res = await page.goto(`${base()}/moderation`);
    assert.equal(res.status(), 403);
    assertClean(page, [/403/]);
    void anon;
  });
});
