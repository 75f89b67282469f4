// Reader reports: POST /api/v1/comments/{id}/reports {rule, note?} → 201 {id, reports, queued}.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, createArticle, postComment, unknownIdLike, assertError, assertStatus,
} from './harness.mjs';

const T = { timeout: 60_000 };
const READERS = ['r1', 'r2', 'r3', 'r4', 'r5'];

const reportsPath = (commentId) => `/api/v1/comments/${commentId}/reports`;

/** A valid report; asserts 201 and the answer's shape; returns the body. */
async function report(client, commentId, rule = 'off_topic', note) {
  const payload = note === undefined ? { rule } : { rule, note };
  const r = await client.post(reportsPath(commentId), payload);
  assertStatus(r, 201, `report ${commentId}`);
  assert.equal(typeof r.body?.id, 'string', `report id should be a string: ${r.text}`);
  assert.match(r.body.id, /^\d+$/);
  assert.equal(typeof r.body.reports, 'number', `reports should be a number: ${r.text}`);
  assert.equal(typeof r.body.queued, 'boolean', `queued should be a boolean: ${r.text}`);
  return r.body;
}

describe('reader reports', { timeout: 600_000 }, () => {
  let ctx;
  let author;
  let article;
  const readers = {};

  before(async () => {
    const accounts = { editor: 'editor', author: 'reader' };
    for (const name of READERS) accounts[name] = 'reader';
    ctx = await bootstrap({ accounts, env: { TRIBUNE_REPORTS_THRESHOLD: '3' } });
    author = ctx.clients.author;
    for (const name of READERS) readers[name] = ctx.clients[name];
    article = await createArticle(ctx.clients.editor);
  });
  after(async () => { await ctx?.srv.kill(); });

  const newComment = async (text = 'An ordinary opinion about the story.') =>
    (await postComment(author, article.id, text)).id;

  test('the third distinct reader queues the comment; later reports still count; a repeat is 409', T, async () => {
    const id = await newComment();
    const first = await report(readers.r1, id, 'off_topic');
    assert.deepEqual([first.reports, first.queued], [1, false]);
    const second = await report(readers.r2, id, 'insult_threat', 'Threatens another reader.');
    assert.deepEqual([second.reports, second.queued], [2, false]);
    const third = await report(readers.r3, id, 'off_topic');
    assert.deepEqual([third.reports, third.queued], [3, true]);
    const fourth = await report(readers.r4, id, 'spam_scheme');
    assert.deepEqual([fourth.reports, fourth.queued], [4, true]);
    assert.equal(new Set([first.id, second.id, third.id, fourth.id]).size, 4, 'report ids are distinct');

    const again = await readers.r1.post(reportsPath(id), { rule: 'off_topic' });
    assertError(again, 409, 'conflict', 'the same reader again');
    const otherRule = await readers.r3.post(reportsPath(id), { rule: 'hate' });
    assertError(otherRule, 409, 'conflict', 'the same reader with another rule');
    // The conflicts counted nothing.
    const fifth = await report(readers.r5, id);
    assert.deepEqual([fifth.reports, fifth.queued], [5, true]);
  });

  test('garbage bodies → 400 and nothing stored', T, async () => {
    const id = await newComment('Another ordinary opinion.');
    const c = readers.r1;
    const cases = [
      ['missing rule', {}],
      ['only a note', { note: 'no rule here' }],
      ['rule is a number', { rule: 42 }],
      ['rule is null', { rule: null }],
      ['unknown rule', { rule: 'not_a_rule' }],
      ['empty rule', { rule: '' }],
      ['extra field', { rule: 'off_topic', severity: 'high' }],
      ['note is a number', { rule: 'off_topic', note: 7 }],
      ['note too long', { rule: 'off_topic', note: 'x'.repeat(2048) }],
      ['not JSON', '{"rule": "off_topic"'],
      ['a JSON array', '["off_topic"]'],
    ];
    for (const [what, body] of cases) {
      const r = await c.post(reportsPath(id), body);
      assertError(r, 400, 'bad_request', what);
    }
    // Wrong-type bodies from the other readers too, so that a stray count would show up below.
    for (const name of ['r2', 'r3']) {
      assertError(await readers[name].post(reportsPath(id), { rule: 42 }), 400, 'bad_request', `${name} rule 42`);
    }
    // Nothing was stored: every reader can still report, and the count starts at 1.
    const first = await report(c, id);
    assert.deepEqual([first.reports, first.queued], [1, false]);
    const second = await report(readers.r2, id);
    assert.deepEqual([second.reports, second.queued], [2, false]);
  });

  test('anonymous → 401, no CSRF token → 403, and neither counts', T, async () => {
    const id = await newComment('A third ordinary opinion.');
    assertError(await ctx.anon.post(reportsPath(id), { rule: 'off_topic' }), 401, 'unauthenticated', 'anonymous');
    assertError(await readers.r1.post(reportsPath(id), { rule: 'off_topic' }, { csrf: false }), 403, 'forbidden',
      'no CSRF token');
    assertError(await readers.r1.post(reportsPath(id), { rule: 'off_topic' }, { csrf: 'wrong' }), 403, 'forbidden',
      'wrong CSRF token');
    const r = await report(readers.r1, id);
    assert.deepEqual([r.reports, r.queued], [1, false]);
  });

  test('a comment that does not exist → 404', T, async () => {
    const id = await newComment('A fourth ordinary opinion.');
    assertError(await readers.r1.post(reportsPath(unknownIdLike(id)), { rule: 'off_topic' }), 404, 'not_found',
      'unknown id');
    assertError(await readers.r1.post(reportsPath('not-an-id'), { rule: 'off_topic' }), 404, 'not_found',
      'malformed id');
  });

  test('a deleted comment → 404', T, async () => {
    const id = await newComment('An opinion its author will take back.');
    assertStatus(await author.del(`/api/v1/comments/${id}`), 204, 'delete');
    assertError(await readers.r1.post(reportsPath(id), { rule: 'off_topic' }), 404, 'not_found', 'deleted comment');
  });

  test("one's own comment → 403", T, async () => {
    const id = await newComment('Nobody reports themselves.');
    assertError(await author.post(reportsPath(id), { rule: 'off_topic' }), 403, 'forbidden', 'own comment');
    const r = await report(readers.r1, id);
    assert.deepEqual([r.reports, r.queued], [1, false]);
  });
});

describe('reader reports: the hourly limit', { timeout: 600_000 }, () => {
  let ctx;
  after(async () => { await ctx?.srv.kill(); });

  test('per_hour reports an hour, then 429 with Retry-After; nothing stored by the refused one', T, async () => {
    ctx = await bootstrap({
      accounts: { editor: 'editor', author: 'reader', r1: 'reader', r2: 'reader' },
      env: { TRIBUNE_LIMITS_ENABLED: 'true', TRIBUNE_REPORTS_PER_HOUR: '2', TRIBUNE_REPORTS_THRESHOLD: '3' },
    });
    const { author, r1, r2 } = ctx.clients;
    const article = await createArticle(ctx.clients.editor);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await postComment(author, article.id, `Opinion number ${i + 1}.`)).id);
    await report(r1, ids[0]);
    await report(r1, ids[1]);
    const limited = await r1.post(reportsPath(ids[2]), { rule: 'off_topic' });
    assertError(limited, 429, 'rate_limited', 'third report within the hour');
    const retry = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry > 3500 && retry <= 3600, `Retry-After: ${limited.headers['retry-after']}`);
    // Another reader is not limited, and the refused report was not counted.
    const other = await report(r2, ids[2]);
    assert.deepEqual([other.reports, other.queued], [1, false]);
  });
});
