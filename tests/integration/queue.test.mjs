// The moderators' queue over HTTP: held comments oldest first with their evidence, decisions take them out,
// rejected ones show up in state=rejected, keyset paging, and who may look.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, assertError, assertStatus, assertTime } from './harness.mjs';

const T = { timeout: 60_000 };

// All-caps texts the engine holds for a moderator (see decisions.test.mjs).
const HELD = [
  'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS ANYTHING',
  'THE COUNCIL NEVER ANSWERS A SINGLE LETTER ABOUT THE BROKEN STREET LIGHTS HERE',
  'WHY DOES THE LIBRARY CLOSE AT FOUR WHEN EVERYONE WORKS UNTIL FIVE OR LATER',
];

describe('moderation queue', () => {
  let ctx, articleId;
  const held = [];
  before(async () => {
    ctx = await bootstrap({ accounts: { mod: 'moderator', editor: 'editor', reader: 'reader', other: 'reader' } });
    articleId = (await createArticle(ctx.clients.editor)).id;
    for (const [i, body] of HELD.entries()) {
      const r = await (i % 2 ? ctx.clients.other : ctx.clients.reader).post(`/api/v1/articles/${articleId}/comments`, { body });
      assertStatus(r, 201, 'post');
      assert.equal(r.body.status, 'pending', body);
      held.push(r.body.id);
    }
  });
  after(async () => { await ctx?.srv.stop(); });

  const queue = (client, query = '') => client.json('GET', `/api/v1/moderation/queue${query}`);
  const decide = (id, body) => ctx.clients.mod.json('POST', `/api/v1/moderation/comments/${id}/decision`, body);
  const ids = (r) => r.body.items.map((i) => i.comment.id);

  test('held comments are listed oldest first with findings, article and author history', T, async () => {
    const r = await queue(ctx.clients.mod, '?state=pending');
    assertStatus(r, 200, 'queue');
    assert.deepEqual(ids(r), held);
    assert.equal(r.body.next_cursor, null);
    const item = r.body.items[0];
    assert.equal(item.comment.body, HELD[0]);
    assert.equal(item.comment.status, 'pending');
    assert.equal(typeof item.comment.author.display_name, 'string');
    assert.deepEqual(item.article.id, articleId);
    assert.equal(typeof item.article.title, 'string');
    assert.equal(typeof item.article.slug, 'string');
    assert.ok(Array.isArray(item.findings) && item.findings.length > 0, JSON.stringify(item.findings));
    assert.equal(typeof item.findings[0].rule, 'string');
    assert.ok(Array.isArray(item.findings[0].spans));
    assert.deepEqual(item.reports, []);
    assert.deepEqual(item.author_history, { comments: 2, rejected: 0, blocks: 0, status: 'active' });
    assert.ok(item.cluster === null || typeof item.cluster.id === 'string');
    assertTime(item.queued_at, 'queued_at');
    // The default state is pending; the rule filter keeps what the findings name.
    const byRule = await queue(ctx.clients.mod, `?rule=${encodeURIComponent(item.findings[0].rule)}`);
    assertStatus(byRule, 200, 'rule filter');
    assert.ok(ids(byRule).includes(held[0]));
    const none = await queue(ctx.clients.mod, '?rule=privacy_no_such_finding');
    assertStatus(none, 200, 'rule filter, no match');
    assert.deepEqual(none.body.items, []);
    const old = await queue(ctx.clients.mod, '?min_age=86400');
    assertStatus(old, 200, 'min_age');
    assert.deepEqual(old.body.items, []);
  });

  test('paging with limit=1 walks every held comment exactly once', T, async () => {
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const r = await queue(ctx.clients.mod, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assertStatus(r, 200, 'page');
      assert.ok(r.body.items.length <= 1);
      seen.push(...ids(r));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, held);
  });

  test('an approved comment leaves the queue and is in the thread; a rejected one is in state=rejected', T, async () => {
    assertStatus(await decide(held[0], { action: 'approve' }), 200, 'approve');
    assertStatus(await decide(held[1], { action: 'reject', rule: 'off_topic' }), 200, 'reject');
    const pending = await queue(ctx.clients.mod);
    assertStatus(pending, 200, 'queue');
    assert.deepEqual(ids(pending), [held[2]]);
    const thread = await ctx.anon.json('GET', `/api/v1/articles/${articleId}/comments?limit=200`);
    assert.ok(thread.body.items.some((c) => c.id === held[0]));
    assert.ok(!thread.body.items.some((c) => c.id === held[1]));
    const rejected = await queue(ctx.clients.mod, '?state=rejected');
    assertStatus(rejected, 200, 'rejected');
    assert.deepEqual(ids(rejected), [held[1]]);
    assert.ok(rejected.body.items[0].findings.some((f) => f.rule === 'off_topic'), JSON.stringify(rejected.body.items[0].findings));
    assert.equal(rejected.body.items[0].author_history.rejected, 1);
    const reported = await queue(ctx.clients.mod, '?state=reported');
    assertStatus(reported, 200, 'reported');
    assert.deepEqual(reported.body.items, []);
  });

  test('a refused edit does not lend its evidence to the held text the comment still holds', T, async () => {
    const body = 'Nice bridge. THE NEW LIGHTS ON THE BRIDGE ARE FAR TOO BRIGHT FOR EVERYONE WHO LIVES NEARBY';
    const posted = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`, { body });
    assertStatus(posted, 201, 'post');
    assert.equal(posted.body.status, 'pending');
    const refused = await ctx.clients.reader.json('PATCH', `/api/v1/comments/${posted.body.id}`,
      { body: 'ok see http://malware-drop.test/x' });
    assertError(refused, 422, 'rejected');
    const rules = async (query) => {
      const r = await queue(ctx.clients.mod, `${query}${query ? '&' : '?'}limit=200`);
      assertStatus(r, 200, 'queue');
      const item = r.body.items.find((i) => i.comment.id === posted.body.id);
      return item ? item.findings.map((f) => f.rule) : null;
    };
    const shown = await rules('');
    assert.ok(shown, 'the held comment is in the queue');
    assert.ok(shown.includes('form'), `the held text's own finding: ${shown}`);
    assert.ok(!shown.includes('malware_links'), `the refused edit's finding is not shown: ${shown}`);
    assert.equal(await rules('?rule=malware_links'), null, 'the malware filter does not list it');
    assertStatus(await decide(posted.body.id, { action: 'approve' }), 200, 'clean up');
  });

  test('readers get 403, anonymous callers 401, bad parameters 400', T, async () => {
    assertError(await queue(ctx.clients.reader), 403, 'forbidden');
    assertError(await queue(ctx.anon), 401, 'unauthenticated');
    for (const q of ['?state=foo', '?limit=0', '?limit=500', '?limit=abc', '?min_age=-1', '?max_age=x',
                     '?cursor=garbage', '?state=reported&cursor=AAAA']) {
      assertError(await queue(ctx.clients.mod, q), 400, 'bad_request', q);
    }
  });
});
