// flash_mob over HTTP: near-identical comments from five or more accounts within the window are a campaign.
// The fifth account's comment is held (status "pending", a flash_mob finding) and the earlier members,
// published until then, are held retroactively; organic comments around them stay published. A stock
// one-word comment posted by many accounts is not a campaign.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, listAllComments, assertStatus } from './harness.mjs';
import { CAMPAIGN, CAMPAIGN_ARTICLE } from './support/campaign.mjs';

const T = { timeout: 120_000 };

// Ordinary readers on the same story, each in their own words.
const ORGANIC = [
  'I read the whole report and the numbers on page 14 do not match the summary at the top.',
  'My grandmother lived on that street for forty years and never saw a bus arrive on time.',
  'Has anyone asked why the consultation closed in early January, before most people heard of it?',
  'The library cuts worry me more than the parking fees, the reading room is always full after school.',
  'Could the editors add a map? It is hard to follow which roads will close and for how long.',
  'We moved here because of the schools, and the schools are still the reason we stay.',
  'Interesting that the spokesperson declined to comment on the second audit of the accounts.',
  'I volunteer at the food bank on Saturdays and demand has doubled since last winter.',
  'A correction: the old bridge was built in 1884, not 1848 as the caption says.',
  'Everyone complains about the festival noise, but it fills the cafés and hotels every summer.',
];

const CAMPAIGN_ACCOUNTS = CAMPAIGN.map((_, i) => `camp${i}`);
const ORGANIC_ACCOUNTS = ORGANIC.map((_, i) => `org${i}`);
const OK_ACCOUNTS = Array.from({ length: 10 }, (_, i) => `ok${i}`);

const hasFlashMob = (body) => Array.isArray(body?.findings) && body.findings.some((f) => f.rule === 'flash_mob');

describe('flash_mob: campaigns across accounts', () => {
  let ctx;
  before(async () => {
    const accounts = { editor: 'editor' };
    for (const name of [...CAMPAIGN_ACCOUNTS, ...ORGANIC_ACCOUNTS, ...OK_ACCOUNTS]) accounts[name] = 'reader';
    ctx = await bootstrap({ accounts });
  });
  after(async () => { await ctx?.srv.stop(); });

  async function post(name, articleId, body) {
    const r = await ctx.clients[name].post(`/api/v1/articles/${articleId}/comments`, { body });
    assertStatus(r, 201, `${name} posts "${body.slice(0, 40)}"`);
    assert.equal(typeof r.body?.id, 'string', r.text);
    return r.body;
  }

  test('the fifth account of a paraphrase campaign is held, the earlier four retroactively; organic comments stay', T, async () => {
    const article = await createArticle(ctx.clients.editor, CAMPAIGN_ARTICLE);
    const campaign = [];
    const organic = [];
    // Organic comments before, between and after the campaign's comments.
    const order = ['o', 'c', 'o', 'o', 'c', 'o', 'c', 'o', 'c', 'o'];
    let c = 0;
    let o = 0;
    for (const who of order) {
      if (who === 'c') {
        const r = await post(CAMPAIGN_ACCOUNTS[c], article.id, CAMPAIGN[c]);
        assert.equal(r.status, 'published', `campaign comment ${c + 1} (account ${c + 1} of the cluster) publishes: ${JSON.stringify(r)}`);
        assert.ok(!hasFlashMob(r), `no flash_mob finding below five accounts: ${JSON.stringify(r)}`);
        campaign.push(r.id);
        c += 1;
      } else {
        const r = await post(ORGANIC_ACCOUNTS[o], article.id, ORGANIC[o]);
        assert.equal(r.status, 'published', `organic comment ${o}: ${JSON.stringify(r)}`);
        organic.push(r.id);
        o += 1;
      }
    }
    assert.equal(c, 4);

    // The fifth account makes the cluster a campaign.
    const fifth = await post(CAMPAIGN_ACCOUNTS[4], article.id, CAMPAIGN[4]);
    assert.equal(fifth.status, 'pending', `the fifth account's comment is held: ${JSON.stringify(fifth)}`);
    assert.ok(hasFlashMob(fifth), `a flash_mob finding: ${JSON.stringify(fifth)}`);
    campaign.push(fifth.id);

    // More organic comments, and a sixth campaign account: still held.
    for (; o < ORGANIC.length - 1; o += 1) {
      const r = await post(ORGANIC_ACCOUNTS[o], article.id, ORGANIC[o]);
      assert.equal(r.status, 'published', `organic comment ${o} after the campaign: ${JSON.stringify(r)}`);
      organic.push(r.id);
    }
    const sixth = await post(CAMPAIGN_ACCOUNTS[5], article.id, CAMPAIGN[5]);
    assert.equal(sixth.status, 'pending', `the sixth account's comment is held: ${JSON.stringify(sixth)}`);
    assert.ok(hasFlashMob(sixth), JSON.stringify(sixth));
    campaign.push(sixth.id);
    const last = await post(ORGANIC_ACCOUNTS[o], article.id, ORGANIC[o]);
    assert.equal(last.status, 'published', JSON.stringify(last));
    organic.push(last.id);

    // An anonymous reader sees every organic comment and none of the campaign's.
    const { items } = await listAllComments(ctx.anon, article.id, { limit: 50 });
    const visible = new Map(items.map((x) => [x.id, x]));
    for (const [i, id] of campaign.entries()) {
      assert.ok(!visible.has(id), `campaign comment ${i + 1} is no longer visible to readers: ${JSON.stringify(visible.get(id))}`);
    }
    for (const [i, id] of organic.entries()) {
      assert.equal(visible.get(id)?.status, 'published', `organic comment ${i} stays published`);
    }
    assert.equal(items.length, organic.length, `only the organic comments are listed: ${JSON.stringify(items.map((x) => x.body))}`);

    // Each campaign author still sees their own comment, held.
    const own = await listAllComments(ctx.clients[CAMPAIGN_ACCOUNTS[0]], article.id, { limit: 50 });
    const first = own.items.find((x) => x.id === campaign[0]);
    assert.ok(first, 'the first campaign author still sees their comment');
    assert.equal(first.status, 'pending', `held retroactively: ${JSON.stringify(first)}`);
  });

  test('50 identical one-word comments "ok" by 10 accounts are not a flash mob', T, async () => {
    const article = await createArticle(ctx.clients.editor);
    const published = [];
    for (let round = 0; round < 5; round += 1) {
      for (const name of OK_ACCOUNTS) {
        const r = await post(name, article.id, 'ok');
        assert.ok(!hasFlashMob(r), `"ok" by ${name} (round ${round + 1}) has no flash_mob finding: ${JSON.stringify(r)}`);
        if (r.status === 'published') published.push(r.id);
      }
    }
    assert.ok(published.length > 0, 'some "ok" comments publish');
    const { items } = await listAllComments(ctx.anon, article.id, { limit: 50 });
    const visible = new Set(items.map((x) => x.id));
    const hidden = published.filter((id) => !visible.has(id));
    assert.deepEqual(hidden, [], 'no published "ok" comment is held afterwards');
  });

  test('one short slogan copied by ten accounts within the hour is a flash mob; nine are not', T, async () => {
    const article = await createArticle(ctx.clients.editor);
    const ids = [];
    for (const [i, name] of OK_ACCOUNTS.entries()) {
      const r = await post(name, article.id, i % 2 ? 'Vote Lopez on Sunday, honest man!' : 'vote lopez on sunday... HONEST MAN');
      if (i < 9) {
        assert.equal(r.status, 'published', `copy ${i + 1}: ${JSON.stringify(r)}`);
        assert.ok(!hasFlashMob(r), JSON.stringify(r));
      } else {
        assert.equal(r.status, 'pending', `the tenth copy is held: ${JSON.stringify(r)}`);
        assert.ok(hasFlashMob(r), JSON.stringify(r));
      }
      ids.push(r.id);
    }
    const { items } = await listAllComments(ctx.anon, article.id, { limit: 50 });
    assert.deepEqual(items.filter((x) => ids.includes(x.id)), [], 'every copy is held once the tenth arrives');
  });
});
