// Moderators' decisions over HTTP: approve / reject with a rule / edit a comment, clusters seen and decided,
// and every kind of garbage refused without a change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, commentTotal, assertError, assertStatus, runCli, newDataDir } from './harness.mjs';

const T = { timeout: 60_000 };

const CAMPAIGN = [
  'Vote for Maria Lopez on Sunday, she is the only candidate who will fix the roads and cut the taxes in our city!',
  'Friends, vote for Maria Lopez this Sunday: she is the only candidate who will fix our roads and cut taxes in the city',
  'vote for maria lopez on sunday!!! she is the only candidate that will fix the roads and cut the taxes in our city',
  'Please vote for Maria Lopez on Sunday, she is the one candidate who will fix the roads and cut the taxes in our city',
  'Vote for Maria Lopez on Sunday. She is the only candidate who will fix the roads and cut taxes in our town!',
];

describe('moderator decisions', () => {
  let ctx, articleId;
  before(async () => {
    const accounts = { mod: 'moderator', editor: 'editor', reader: 'reader', other: 'reader' };
    CAMPAIGN.forEach((_, i) => { accounts[`camp${i}`] = 'reader'; });
    ctx = await bootstrap({ accounts });
    articleId = (await createArticle(ctx.clients.editor)).id;
  });
  after(async () => { await ctx?.srv.stop(); });

  const post = async (client, body) => {
    const r = await client.post(`/api/v1/articles/${articleId}/comments`, { body });
    assertStatus(r, 201, 'post');
    return r.body;
  };
  const decide = (client, id, body) => client.json('POST', `/api/v1/moderation/comments/${id}/decision`, body);
  const visibleToAnon = async (id) => {
    const r = await ctx.anon.json('GET', `/api/v1/articles/${articleId}/comments?limit=200`);
    return r.body.items.some((c) => c.id === id);
  };

  test('a held comment is approved and becomes visible; a published one is rejected with a rule and disappears', T, async () => {
    const held = await post(ctx.clients.reader, 'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS ANYTHING');
    assert.equal(held.status, 'pending');
    assert.equal(await visibleToAnon(held.id), false);
    const before = await commentTotal(ctx.anon, articleId);
    const approved = await decide(ctx.clients.mod, held.id, { action: 'approve' });
    assertStatus(approved, 200, 'approve');
    assert.equal(approved.body.status, 'published');
    assert.equal(await visibleToAnon(held.id), true);
    assert.equal(await commentTotal(ctx.anon, articleId), before + 1);

    const fine = await post(ctx.clients.other, 'The new timetable is printed at every stop since Monday, worth a look.');
    assert.equal(fine.status, 'published');
    assert.equal(await commentTotal(ctx.anon, articleId), before + 2);
    const rejected = await decide(ctx.clients.mod, fine.id, { action: 'reject', rule: 'off_topic' });
    assertStatus(rejected, 200, 'reject');
    assert.equal(rejected.body.status, 'rejected');
    assert.equal(await visibleToAnon(fine.id), false);
    assert.equal(await commentTotal(ctx.anon, articleId), before + 1);
  });

  test('a decision made on a stale page does not undo another moderator\'s: 409 and nothing changes', T, async () => {
    const held = await post(ctx.clients.reader, 'WHY DOES THE LIBRARY CLOSE AT FOUR WHEN EVERYONE WORKS UNTIL FIVE OR LATER');
    assert.equal(held.status, 'pending');
    // Moderator A approves what both saw as pending.
    assertStatus(await decide(ctx.clients.mod, held.id, { action: 'approve', expected_status: 'pending' }), 200, 'first');
    // Moderator B, still looking at "pending", rejects: refused, and the comment stays published.
    const late = await decide(ctx.clients.mod, held.id, { action: 'reject', rule: 'form', expected_status: 'pending' });
    assertError(late, 409, 'conflict');
    assert.match(late.body.error.message, /already decided.*published/);
    assert.equal(await visibleToAnon(held.id), true);
    // Without expected_status the API keeps its old meaning (the last decision wins).
    for (const garbage of ['held', '', 7, null, ['pending']]) {
      const r = await decide(ctx.clients.mod, held.id, { action: 'reject', rule: 'form', expected_status: garbage });
      if (garbage === '' || garbage === null) continue;  // empty / null: not given
      assertError(r, 400, 'bad_request', `expected_status ${JSON.stringify(garbage)}`);
    }
    assert.equal(await visibleToAnon(held.id), false, 'the empty/null expected_status decisions applied');
  });

  test('a moderator edits a comment through a decision', T, async () => {
    const c = await post(ctx.clients.reader, 'The station will reopen in Mai, according to the council.');
    const r = await decide(ctx.clients.mod, c.id, { action: 'edit', body: 'The station will reopen in May, according to the council.' });
    assertStatus(r, 200, 'edit');
    assert.match(r.body.body, /in May/);
    assert.ok(r.body.edited_at);
  });

  test('readers and anonymous callers may not decide; garbage is refused and changes nothing', T, async () => {
    const c = await post(ctx.clients.reader, 'Cycling lanes on the bridge would help everyone who commutes from the east.');
    const total = await commentTotal(ctx.anon, articleId);
    assertError(await decide(ctx.clients.reader, c.id, { action: 'reject', rule: 'profanity' }), 403, 'forbidden');
    assertError(await decide(ctx.anon, c.id, { action: 'approve' }), 401, 'unauthenticated');
    for (const bad of [
      { action: 'obliterate' },
      { action: 'reject' },
      { action: 'reject', rule: 'not_a_rule' },
      { action: 'approve', rule: 'profanity' },
      { action: 'approve', body: 'new text' },
      { action: 'edit' },
      { action: 42 },
      { action: 'approve', extra: true },
      {},
    ]) {
      assertError(await decide(ctx.clients.mod, c.id, bad), 400, 'bad_request', JSON.stringify(bad));
    }
    assertError(await ctx.clients.mod.json('POST', `/api/v1/moderation/comments/${c.id}/decision`, '{"action": "appr'),
      400, 'bad_request');
    assertError(await decide(ctx.clients.mod, '999999999999', { action: 'approve' }), 404, 'not_found');
    assertError(await decide(ctx.clients.mod, 'abc', { action: 'approve' }), 404, 'not_found');
    assert.equal(await commentTotal(ctx.anon, articleId), total);
    assert.equal(await visibleToAnon(c.id), true);
  });

  test('a moderator sees a flash-mob cluster with every member and rejects it in one decision', T, async () => {
    const ids = [];
    for (const [i, text] of CAMPAIGN.entries()) ids.push((await post(ctx.clients[`camp${i}`], text)).id);
    const seen = await ctx.clients.mod.json('GET', `/api/v1/moderation/comments/${ids[1]}/cluster`);
    assertStatus(seen, 200, 'cluster');
    assert.equal(seen.body.id, ids[0], 'the cluster is named after its first member');
    assert.equal(seen.body.accounts, 5);
    assert.deepEqual(seen.body.members.map((m) => m.comment_id), ids);
    for (const [i, m] of seen.body.members.entries()) {
      assert.equal(m.author.id, ctx.clients[`camp${i}`].account.id);
      assert.equal(m.body, CAMPAIGN[i]);
      assert.equal(m.status, 'pending', 'held: retroactively, or on posting from the fifth account on');
      assert.ok(!Number.isNaN(Date.parse(m.created_at)));
    }
    assertError(await ctx.clients.reader.json('POST', `/api/v1/moderation/clusters/${seen.body.id}/decision`,
      { action: 'reject' }), 403, 'forbidden');
    assertError(await ctx.clients.mod.json('POST', `/api/v1/moderation/clusters/${seen.body.id}/decision`,
      { action: 'reject', rule: 'nonsense' }), 400, 'bad_request');
    const decided = await ctx.clients.mod.json('POST', `/api/v1/moderation/clusters/${seen.body.id}/decision`, { action: 'reject' });
    assertStatus(decided, 200, 'cluster decision');
    assert.equal(decided.body.decided, 5);
    const after = await ctx.clients.mod.json('GET', `/api/v1/moderation/clusters/${seen.body.id}`);
    assertStatus(after, 200);
    assert.ok(after.body.members.every((m) => m.status === 'rejected'), JSON.stringify(after.body.members));
    for (const id of ids) assert.equal(await visibleToAnon(id), false);
  });

  test('cluster endpoints: 404 for a comment outside any cluster and for unknown clusters; readers get 403', T, async () => {
    const c = await post(ctx.clients.reader, 'A single ordinary opinion about the bridge, nothing like anybody else wrote.');
    assertError(await ctx.clients.mod.json('GET', `/api/v1/moderation/comments/${c.id}/cluster`), 404, 'not_found');
    assertError(await ctx.clients.mod.json('GET', '/api/v1/moderation/clusters/123456789'), 404, 'not_found');
    assertError(await ctx.clients.reader.json('GET', '/api/v1/moderation/clusters/123456789'), 403, 'forbidden');
    assertError(await ctx.clients.mod.json('POST', '/api/v1/moderation/clusters/123456789/decision', { action: 'reject' }),
      404, 'not_found');
    assertError(await ctx.clients.mod.json('POST', '/api/v1/moderation/clusters/123456789/decision', { action: 'nope' }),
      400, 'bad_request');
  });
});

describe('behaviour settings', () => {
  test('nonsense in [behaviour] stops the server at start, naming the key', T, async () => {
    for (const [key, value] of [['SIMILARITY', '3'], ['WINDOW_HOURS', '0'], ['ACCOUNT_PER_MINUTE', '-1']]) {
      const r = await runCli(['serve', '--data', newDataDir(), '--listen', '127.0.0.1:0'],
        { env: { [`TRIBUNE_BEHAVIOUR_${key}`]: value } });
      assert.notEqual(r.code, 0, `${key}=${value} must not start`);
      assert.match(r.stderr, new RegExp(`behaviour\\.${key.toLowerCase()}`), r.stderr);
    }
  });
});
