import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, commentTotal, assertError, assertStatus, runCli, TRIBUNE_BIN } from './harness.mjs';

const T = { timeout: 60_000 };

// Spans are byte offsets into the UTF-8 text.
const slice = (text, [s, e]) => Buffer.from(text, 'utf8').subarray(s, e).toString('utf8');

describe('community-standards engine over HTTP', () => {
  let ctx, articleId;
  before(async () => {
    ctx = await bootstrap({ accounts: { mod: 'moderator', editor: 'editor', reader: 'reader' } });
    articleId = (await createArticle(ctx.clients.editor)).id;
  });
  after(async () => { await ctx?.srv.stop(); });

  test('a moderator checks a text: action and findings with spans pointing at the evidence', T, async () => {
    const text = 'Write to me at jane.doe@example.com, thanks';
    const r = await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text });
    assertStatus(r, 200, 'check');
    assert.equal(r.body.action, 'reject');
    const f = r.body.findings.find((x) => x.rule === 'privacy_personal_data');
    assert.ok(f, JSON.stringify(r.body));
    assert.equal(slice(text, f.spans[0]), 'jane.doe@example.com');
    assert.equal(typeof f.reason, 'string');
  });

  test('a clean text publishes with no findings', T, async () => {
    const r = await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: 'The bridge looks great after the repair.' });
    assertStatus(r, 200);
    assert.equal(r.body.action, 'publish');
    assert.deepEqual(r.body.findings, []);
  });

  test('readers may not run checks, anonymous callers must sign in, bad bodies are refused', T, async () => {
    assertError(await ctx.clients.reader.json('POST', '/api/v1/moderation/check', { text: 'x' }), 403, 'forbidden');
    assertError(await ctx.anon.json('POST', '/api/v1/moderation/check', { text: 'x' }), 401, 'unauthenticated');
    assertError(await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: 5 }), 400, 'bad_request');
    assertError(await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: 'x', rule: 'y' }), 400, 'bad_request');
  });

  test('posting personal data is refused with the rule, and nothing is stored', T, async () => {
    const before = await commentTotal(ctx.anon, articleId);
    const r = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`, { body: 'Call me on +44 20 7946 0958 tonight' });
    assertError(r, 422, 'rejected');
    assert.ok(r.body.error.findings.some((x) => x.rule === 'privacy_personal_data'), r.text);
    assert.equal(await commentTotal(ctx.anon, articleId), before);
  });

  test('shouting is held for a moderator, visible to its author only', T, async () => {
    const text = 'THIS IS THE WORST DECISION THE COUNCIL HAS EVER MADE, EVERYONE SHOULD KNOW';
    const r = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`, { body: text });
    assertStatus(r, 201, 'post');
    assert.equal(r.body.status, 'pending');
    assert.ok(r.body.findings.some((x) => x.rule === 'form'), r.text);
    const mine = await ctx.clients.reader.json('GET', `/api/v1/articles/${articleId}/comments?limit=200`);
    assert.ok(mine.body.items.some((c) => c.id === r.body.id && c.status === 'pending'), 'the author sees it');
    const theirs = await ctx.anon.json('GET', `/api/v1/articles/${articleId}/comments?limit=200`);
    assert.ok(!theirs.body.items.some((c) => c.id === r.body.id), 'nobody else does');
  });

  test('a comment is judged against its article: off_topic on post, and in checks given article_id', T, async () => {
    const tram = await createArticle(ctx.clients.editor, {
      title: 'City council approves budget for the new tram line',
      lead: 'The first stage links the railway station with the university campus.',
      body: 'The council voted to fund a tram line costing 240 million euros, shared between the city, the region ' +
        'and the national infrastructure fund. Construction of the tracks starts next spring and trams should carry ' +
        'passengers in 2029. Opponents preferred electric buses; shopkeepers on the high street fear two years of ' +
        'roadworks. The mayor promised fewer cars and links from the northern districts to jobs and lectures.',
    });
    const unrelated = 'My cat refuses to eat dry food since we moved to the countryside, any advice from other pet owners?';
    const posted = await ctx.clients.reader.post(`/api/v1/articles/${tram.id}/comments`, { body: unrelated });
    assertStatus(posted, 201, 'post');
    assert.equal(posted.body.status, 'published', 'off_topic alone never holds');
    assert.ok(posted.body.findings.some((x) => x.rule === 'off_topic'), posted.text);
    const related = 'Electric buses would carry the same passengers for a fraction of the price of this tram line.';
    const fine = await ctx.clients.reader.post(`/api/v1/articles/${tram.id}/comments`, { body: related });
    assertStatus(fine, 201, 'post');
    assert.ok(!fine.body.findings.some((x) => x.rule === 'off_topic'), fine.text);

    const checked = await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: unrelated, article_id: tram.id });
    assertStatus(checked, 200, 'check');
    assert.ok(checked.body.findings.some((x) => x.rule === 'off_topic'), checked.text);
    const without = await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: unrelated });
    assert.ok(!without.body.findings.some((x) => x.rule === 'off_topic'), 'no article, no judgement');
    assertError(await ctx.clients.mod.json('POST', '/api/v1/moderation/check', { text: unrelated, article_id: '999999999' }),
      404, 'not_found');
  });

  test("insults aimed at the publisher by name are refused under insult_publisher; criticism is not", T, async () => {
    const before = await commentTotal(ctx.anon, articleId);
    const r = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: "Tribune's editors are a bunch of liars." });
    assertError(r, 422, 'rejected');
    assert.ok(r.body.error.findings.some((x) => x.rule === 'insult_publisher'), r.text);
    assert.equal(await commentTotal(ctx.anon, articleId), before);
    const fair = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: 'Tribune should correct the date in the second paragraph.' });
    assertStatus(fair, 201, 'post');
    assert.equal(fair.body.status, 'published');
  });
});

describe('tribune moderate --explain', () => {
  test('prints the decision for a text, and one JSON object per line with --jsonl', T, async () => {
    const one = await runCli(['moderate', '--explain', 'mail me: a.b@example.org']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /action: reject/);
    assert.match(one.stdout, /privacy_personal_data/);
    const many = await runCli(['moderate', '--jsonl'], { input: 'hello there\nmail me: a.b@example.org\n' });
    assert.equal(many.code, 0, many.stderr);
    const lines = many.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].action, 'publish');
    assert.equal(lines[1].action, 'reject');
  });
});
