// The moderator console off the scripted path: fast keyboard decisions, evidence highlighting in mixed-script
// texts, plurals, odd query values, a moderator's own decision in the rejected tab, the flash-mob cluster page,
// blocking twice, an expired session, and an account with more comments than the history shows.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, assertStatus, PASSWORD } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, clearProblems, screenshot, signIn } from './browser.mjs';
// A paraphrase campaign: the fifth account makes it a cluster.
import { CAMPAIGN } from '../integration/support/campaign.mjs';

const T = { timeout: 120_000 };
const HELD = [
  'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS ANYTHING',
  'THE COUNCIL NEVER ANSWERS A SINGLE LETTER ABOUT THE BROKEN STREET LIGHTS HERE',
  'WHY DOES THE LIBRARY CLOSE AT FOUR WHEN EVERYONE WORKS UNTIL FIVE OR LATER',
  'THE MARKET SQUARE IS A MESS EVERY SATURDAY AND NOBODY EVER CLEANS IT UP AT ALL',
];
// Emoji and Arabic before the capitals: the form rule's span starts at a UTF-8 byte offset past them.
const CAPS = 'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS';
const MIXED = `🙂🙂 مرحبا بكم في الموقع ${CAPS}`;

describe('moderator console, unscripted paths', () => {
  let ctx, browser, article, mod;
  const base = () => ctx.srv.baseUrl;
  const post = async (who, body, articleId = article.id) => {
    const r = await ctx.clients[who].post(`/api/v1/articles/${articleId}/comments`, { body });
    assertStatus(r, 201, `${who} posts`);
    return r.body;
  };
  const status = async (id) => {
    for (const state of ['pending', 'rejected']) {
      const r = await ctx.clients.mod.get(`/api/v1/moderation/queue?state=${state}&limit=200`);
      if (r.body.items.some((i) => i.comment.id === id)) return state;
    }
    return 'published';
  };

  before(async () => {
    const accounts = { mod: 'moderator', editor: 'editor', reader: 'reader', other: 'reader', once: 'reader', mixed: 'reader', busy: 'reader' };
    CAMPAIGN.forEach((_, i) => { accounts[`camp${i}`] = 'reader'; });
    ctx = await bootstrap({ accounts });
    article = await createArticle(ctx.clients.editor);
    browser = await launchBrowser();
    mod = await newPage(browser);
    await signIn(mod, base(), ctx.emails.mod, PASSWORD);
  });
  after(async () => { await browser?.close(); await ctx?.srv.stop(); });

  test('pressing a twice quickly decides two items, not the same one twice', T, async () => {
    const ids = [];
    for (const body of HELD) ids.push((await post('reader', body)).id);
    await mod.goto(`${base()}/moderation`);
    await mod.locator(`#item-${ids[0]}.current`).waitFor();
    await mod.keyboard.press('a');
    await mod.keyboard.press('a');
    await mod.locator(`#item-${ids[0]}`).waitFor({ state: 'detached' });
    await mod.locator(`#item-${ids[1]}`).waitFor({ state: 'detached' });
    await mod.locator(`#item-${ids[2]}.current`).waitFor();
    assert.equal(await status(ids[0]), 'published');
    assert.equal(await status(ids[1]), 'published');
    assert.equal(await status(ids[2]), 'pending');
    assert.equal(await mod.evaluate(() => document.activeElement.id), `item-${ids[2]}`, 'the next item has the focus');
    // Clean up for the tests below.
    for (const id of ids.slice(2)) assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/comments/${id}/decision`, { action: 'approve' }), 200, 'approve');
    assertClean(mod);
  });

  test('two moderators on one item: the one on a stale page is told, and the first decision stands', T, async () => {
    const held = await post('reader', 'THE MARKET SQUARE IS A MESS EVERY SATURDAY AND NOBODY EVER CLEANS IT UP AT ALL');
    await mod.goto(`${base()}/moderation`);
    const item = mod.locator(`#item-${held.id}`);
    await item.waitFor();
    // Another moderator approves it meanwhile.
    assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/comments/${held.id}/decision`,
      { action: 'approve', expected_status: 'pending' }), 200, 'the other moderator approves');
    await item.getByRole('button', { name: /Reject/ }).click();
    await mod.getByText(/already decided this comment/).waitFor();
    assert.equal(await status(held.id), 'published', 'the stale rejection did not undo the approval');
    assertClean(mod, [/status of 409/]);
    clearProblems(mod);  // the page is shared with the tests below: the 409 was provoked on purpose
  });

  test('evidence after emoji and Arabic is marked on exactly its characters; counts use plurals', T, async () => {
    // A long article the text has nothing to do with: off_topic adds a span over the whole text.
    const story = await createArticle(ctx.clients.editor, {
      title: 'Harbour bridge reopens after two-year repair',
      lead: 'Cyclists were first across at dawn as the city\u2019s oldest crossing returned to service.',
      body: 'Engineers replaced one hundred and forty corroded deck plates and added a separated lane for bicycles. '
        + 'The council said the work came in under budget. Ferry operators expect fewer passengers now that the '
        + 'crossing is open again, and shop owners near the quay hope the new lighting brings evening visitors.',
    });
    const c = await post('mixed', MIXED, story.id);
    assert.equal(c.status, 'pending');
    const rules = c.findings.map((f) => f.rule);
    assert.ok(rules.includes('form') && rules.includes('off_topic'), JSON.stringify(c.findings));
    await mod.goto(`${base()}/moderation`);
    const li = mod.locator(`#item-${c.id}`);
    const marks = li.locator('.comment-body mark');
    assert.equal(await marks.count(), 1);
    assert.equal(await marks.textContent(), CAPS, 'only the capitals are marked, not the whole text');
    assert.equal(await li.locator('.comment-body').textContent(), MIXED);
    assert.match(await li.locator('.item-meta').innerText(), /\b1 comment, 0 rejected, 0 blocks\b/);
    await screenshot(mod, 'console-edge-mixed');
    assertClean(mod);
  });

  test('odd query values: an unknown rule filter shows the whole queue, escaped', T, async () => {
    const res = await mod.goto(`${base()}/moderation?rule=%3Cscript%3Ealert(1)%3C%2Fscript%3E&cursor=garbage&state=bogus`);
    assert.equal(res.status(), 200);
    assert.ok(!(await res.text()).includes('<script>alert(1)'));
    assert.ok(await mod.locator('li.item').count() >= 1, 'the held comments are listed');
    assert.equal(await mod.locator('#rule-filter').inputValue(), '');
    assertClean(mod);
  });

  test('the rejected tab names a moderator\u2019s decision instead of a zero score', T, async () => {
    const c = await post('other', 'WHY DOES THE POOL CLOSE EVERY HOLIDAY WHEN CHILDREN FINALLY HAVE TIME TO SWIM');
    assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/comments/${c.id}/decision`, { action: 'reject', rule: 'trolling' }), 200, 'reject');
    await mod.goto(`${base()}/moderation?state=rejected`);
    const row = mod.locator(`#item-${c.id} table.findings tbody tr`, { hasText: 'trolling' });
    const text = await row.innerText();
    assert.match(text, /Decided by a moderator/);
    assert.doesNotMatch(text, /0\.00/);
    assert.match(await mod.locator(`#item-${c.id} .item-meta`).innerText(), /rejected \d+ min ago/);
    assertClean(mod);
  });

  test('cluster page: approve all shows the new statuses and says so', T, async () => {
    let held;
    for (const [i, body] of CAMPAIGN.entries()) {
      const c = await post(`camp${i}`, body);
      if (c.status === 'pending') held = c;
    }
    assert.ok(held, 'the campaign is held');
    await mod.goto(`${base()}/moderation?rule=flash_mob`);
    await mod.locator(`#item-${held.id} p.cluster a`).click();
    await mod.locator('button[data-act=cluster-approve]').waitFor();
    assert.ok((await mod.locator('td.status').allTextContents()).includes('held'));
    await mod.locator('button[data-act=cluster-approve]').click();
    await mod.locator('#console-live', { hasText: 'Comments changed' }).waitFor();
    const statuses = await mod.locator('td.status').allTextContents();
    assert.ok(statuses.length >= 5 && statuses.every((s) => s === 'published'), statuses.join(','));
    await screenshot(mod, 'console-edge-cluster');
    assertClean(mod);
  });

  test('block from the queue, then again: the second dialog warns that it is final', T, async () => {
    const a = await post('once', 'THE TRAMS ARE ALWAYS LATE IN THE MORNING AND NOBODY APOLOGISES FOR IT EVER');
    const b = await post('once', 'THE BIKE LANES END IN THE MIDDLE OF NOWHERE AND NOBODY SEEMS TO CARE AT ALL');
    await mod.goto(`${base()}/moderation`);
    const first = mod.locator(`#item-${a.id}`);
    assert.ok(await first.locator('.blocked-tag').isHidden());
    await first.locator('button[data-act=block]').click();
    assert.ok(await mod.locator('#block-dialog [data-slot=first]').isVisible());
    assert.equal(await mod.locator('#block-rule').inputValue(), 'form', 'the item\u2019s rule is preselected');
    await mod.locator('#block-dialog button[type=submit]').click();
    await mod.locator('#console-live', { hasText: 'The account is blocked.' }).waitFor();
    assert.equal((await ctx.clients.once.me()).body.status, 'blocked');
    assert.ok(await mod.locator(`#item-${b.id} .blocked-tag`).isVisible(), 'the other item shows the block');
    assertStatus(await ctx.clients.mod.del(`/api/v1/moderation/accounts/${ctx.clients.once.account.id}/blocks`), 204, 'unblock');
    await mod.locator(`#item-${b.id} button[data-act=block]`).click();
    assert.ok(await mod.locator('#block-dialog [data-slot=final]').isVisible(), 'the second block is announced as final');
    await mod.locator('#block-dialog button[data-act=close-dialog]').click();
    assertClean(mod);
  });

  test('user history: the block dialog asks for a rule, the result is announced after the reload', T, async () => {
    const id = ctx.clients.other.account.id;
    await mod.goto(`${base()}/moderation/accounts/${id}`);
    await mod.locator('section[data-account] button[data-act=block]').first().click();
    assert.equal(await mod.locator('#block-rule').inputValue(), '', 'no rule is preselected');
    await mod.locator('#block-dialog button[type=submit]').click();
    assert.ok(await mod.locator('#block-dialog').evaluate((d) => d.open), 'no rule: the dialog stays open');
    assert.equal((await ctx.clients.other.me()).body.status, 'active');
    await mod.locator('#block-rule').selectOption('trolling');
    await mod.locator('#block-dialog button[type=submit]').click();
    await mod.locator('#console-live', { hasText: 'The account is blocked.' }).waitFor();
    await mod.locator('#unblock-note').fill('A mistake.');
    await mod.locator('button[data-act=unblock]').click();
    await mod.locator('#console-live', { hasText: 'The account is unblocked.' }).waitFor();
    assert.equal(await mod.locator('table.dense time').count(), 2, 'the block and its lifting are both times');
    assertClean(mod);
  });

  test('an account with more comments than the history lists says so', T, async () => {
    for (let i = 0; i < 51; i++) await post('busy', `Remark number ${i} about the harbour bridge and its new lighting, ${i} times.`);
    await mod.goto(`${base()}/moderation/accounts/${ctx.clients.busy.account.id}`);
    assert.equal(await mod.locator('ol.history > li').count(), 50);
    assert.match(await mod.locator('main').innerText(), /The 50 most recent of 51 are shown/);
    assertClean(mod);
  });

  test('an expired session: the decision fails with a way to sign in again, the item stays', T, async () => {
    const c = await post('reader', 'THE STATION CLOCK HAS BEEN WRONG FOR THREE MONTHS AND STILL NOBODY FIXES IT');
    const page = await newPage(browser);
    await signIn(page, base(), ctx.emails.mod, PASSWORD);
    await page.goto(`${base()}/moderation`);
    await page.locator(`#item-${c.id}`).click({ position: { x: 5, y: 5 } });
    await page.context().clearCookies();
    await page.keyboard.press('a');
    const link = page.locator('#console-live.bad a[href^="/login?return="]');
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), '/login?return=%2Fmoderation');
    assert.equal(await page.locator(`#item-${c.id}`).count(), 1, 'nothing is lost');
    assert.equal(await status(c.id), 'pending');
    assertClean(page, [/401/]);
  });
});
