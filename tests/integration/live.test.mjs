// Live updates of a discussion: GET /api/v1/articles/{id}/live (Server-Sent Events). A reader's stream sees
// comments appear, change and leave as other readers and moderators act; a reconnect with Last-Event-ID replays
// what it missed; shutting the server down ends open streams at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLive } from './support/sse.mjs';
import {
  bootstrap, createArticle, postComment, listComments, startServer, createAccount, loggedIn, newDataDir,
  rawRequest, assertError, assertStatus, unknownIdLike, uniqueEmail, articlePayload,
} from './harness.mjs';

const T = { timeout: 60_000 };
const SHOUTING = 'THE BUS TIMETABLE CHANGES EVERY WEEK AND NOBODY TELLS THE PASSENGERS ANYTHING AT ALL';

const listed = async (client, articleId, id) => (await listComments(client, articleId, { limit: 200 })).items.find((c) => c.id === id);

describe('live updates of a discussion', { timeout: 600_000 }, () => {
  let ctx;
  let article;
  const open = [];
  const live = async (...args) => {
    const s = await openLive(ctx.srv.baseUrl, ...args);
    open.push(s);
    return s;
  };

  before(async () => {
    ctx = await bootstrap({
      accounts: { editor: 'editor', alice: 'reader', bob: 'reader', carol: 'reader', mod: 'moderator' },
      env: { TRIBUNE_LIVE_HEARTBEAT_SECONDS: '1' },
    });
    article = await createArticle(ctx.clients.editor);
  });
  after(async () => {
    for (const s of open) s.close();
    await ctx?.srv.stop();
  });

  test('the stream: event-stream headers, retry first, then each new comment exactly as the listing shows it', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const s = await live(a.id);
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    assert.equal(s.headers['cache-control'], 'no-store');
    assert.equal(s.headers['x-accel-buffering'], 'no');
    assert.equal(s.headers['content-length'], undefined);
    const first = await s.until(() => s.blocks[0], 'opening');
    assert.equal(first.retry, '3000');
    assert.match(first.id, /^\d+$/);

    const posted = await postComment(ctx.clients.alice, a.id, 'Live comments are a fine idea.');
    const e = await s.next();
    assert.equal(e.event, 'comment');
    assert.match(e.id, /^\d+$/);
    assert.ok(BigInt(e.id) > BigInt(first.id), `${e.id} after ${first.id}`);
    assert.ok(!e.data.includes('\n'), 'data is one line');
    assert.deepEqual(JSON.parse(e.data), await listed(ctx.anon, a.id, posted.id));
  });

  test('edit → comment with the new body; delete → comment with status deleted', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const s = await live(a.id);
    const posted = await postComment(ctx.clients.bob, a.id, 'First version of my thoughts.');
    assert.equal((await s.next()).event, 'comment');
    assertStatus(await ctx.clients.bob.patch(`/api/v1/comments/${posted.id}`, { body: 'Second, better version.' }), 200, 'edit');
    const edited = await s.next();
    assert.equal(edited.event, 'comment');
    const body = JSON.parse(edited.data);
    assert.equal(body.id, posted.id);
    assert.equal(body.body, 'Second, better version.');
    assert.ok(body.edited_at, 'edited_at is set');
    assert.ok(BigInt(edited.id) > 0n);
    assertStatus(await ctx.clients.bob.del(`/api/v1/comments/${posted.id}`), 204, 'delete');
    const deleted = await s.next();
    assert.equal(deleted.event, 'comment');
    assert.equal(JSON.parse(deleted.data).status, 'deleted');
    assert.equal(JSON.parse(deleted.data).body, '');
    assert.ok(BigInt(deleted.id) > BigInt(edited.id), 'ids increase');
  });

  test('a moderator rejects a published comment → removed {id}', T, async () => {
    const s = await live(article.id);
    const posted = await postComment(ctx.clients.alice, article.id, 'The council meets again on Thursday evening.');
    assert.equal((await s.next()).event, 'comment');
    assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/comments/${posted.id}/decision`, { action: 'reject', rule: 'off_topic' }),
      200, 'reject');
    const e = await s.next();
    assert.equal(e.event, 'removed');
    assert.deepEqual(JSON.parse(e.data), { id: posted.id });
  });

  test('a held comment is never sent; approved, it arrives', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const s = await live(a.id);
    const held = await postComment(ctx.clients.bob, a.id, SHOUTING);
    assert.equal(held.status, 'pending');
    // A later published comment is the next event: nothing about the held one came before it.
    const fine = await postComment(ctx.clients.alice, a.id, 'Buses were on time this morning, for once.');
    const e = await s.next();
    assert.equal(JSON.parse(e.data).id, fine.id);
    assert.ok(!s.blocks.some((b) => (b.data ?? '').includes(held.id)), 'the held comment was not sent');
    assertStatus(await ctx.clients.mod.post(`/api/v1/moderation/comments/${held.id}/decision`, { action: 'approve' }), 200, 'approve');
    const approved = await s.next();
    assert.equal(approved.event, 'comment');
    assert.deepEqual(JSON.parse(approved.data), await listed(ctx.anon, a.id, held.id));
    assert.equal(JSON.parse(approved.data).status, 'published');
  });

  test('reconnecting with Last-Event-ID replays exactly the missed events, then continues', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const s1 = await live(a.id);
    const c1 = await postComment(ctx.clients.alice, a.id, 'Before the tunnel.');
    const got = await s1.next();
    assert.equal(JSON.parse(got.data).id, c1.id);
    s1.close();
    const c2 = await postComment(ctx.clients.bob, a.id, 'Said while you were in the tunnel.');
    assertStatus(await ctx.clients.alice.patch(`/api/v1/comments/${c1.id}`, { body: 'Before the tunnel, edited.' }), 200);
    assertStatus(await ctx.clients.bob.del(`/api/v1/comments/${c2.id}`), 204);

    const s2 = await live(a.id, { headers: { 'last-event-id': got.id } });
    const missed = [await s2.next(), await s2.next(), await s2.next()];
    assert.deepEqual(missed.map((e) => [e.event, JSON.parse(e.data).id]), [['comment', c2.id], ['comment', c1.id], ['comment', c2.id]]);
    assert.equal(JSON.parse(missed[1].data).body, 'Before the tunnel, edited.');
    assert.equal(JSON.parse(missed[2].data).status, 'deleted');
    const ids = missed.map((e) => BigInt(e.id));
    assert.ok(ids[0] > BigInt(got.id) && ids[1] > ids[0] && ids[2] > ids[1], `increasing ids: ${ids}`);
    const opening = s2.blocks[0];
    assert.equal(opening.retry, '3000');
    assert.equal(opening.event, undefined, 'no reset');
    // Nothing else was replayed: the next event is the next change.
    const c3 = await postComment(ctx.clients.carol, a.id, 'Back above ground.');
    const after = await s2.next();
    assert.equal(JSON.parse(after.data).id, c3.id);

    // The same through the query parameter, from the middle.
    const s3 = await live(a.id, { query: `?last_event_id=${missed[1].id}` });
    const rest = [await s3.next(), await s3.next()];
    assert.deepEqual(rest.map((e) => e.id), [missed[2].id, after.id]);
  });

  test('an id older than what is kept → event reset with data {}', T, async () => {
    const s = await live(article.id, { headers: { 'last-event-id': '1' } });
    const e = await s.next();
    assert.equal(e.event, 'reset');
    assert.deepEqual(JSON.parse(e.data), {});
    assert.match(e.id, /^\d+$/);
  });

  test('a silent stream gets ": ping" comments', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const s = await live(a.id);
    await s.until(() => s.blocks.find((b) => b.comment === 'ping'), 'ping');
    assert.equal(s.end, null, 'still open');
  });

  test("an account's deletion removes its published comments from the stream", T, async () => {
    const email = uniqueEmail('leaver');
    await createAccount(undefined, ctx.srv.dataDir, email, 'reader');
    const leaver = await loggedIn(ctx.srv.baseUrl, email);
    const a = await createArticle(ctx.clients.editor);
    const s = await live(a.id);
    const posted = await postComment(leaver, a.id, 'I will not be here for long.');
    assert.equal((await s.next()).event, 'comment');
    assertStatus(await leaver.del('/api/v1/me'), 202, 'delete account');
    const e = await s.next();
    assert.equal(e.event, 'removed');
    assert.deepEqual(JSON.parse(e.data), { id: posted.id });
  });

  test('unknown article → 404 not_found; a Last-Event-ID this server never writes → 400 bad_request', T, async () => {
    const r = await rawRequest(ctx.srv.baseUrl, { path: `/api/v1/articles/${unknownIdLike(article.id)}/live` });
    assertError(r, 404, 'not_found');
    assert.match(r.headers['content-type'], /^application\/json/);
    assertError(await rawRequest(ctx.srv.baseUrl, { path: '/api/v1/articles/not-an-id/live' }), 404, 'not_found');
    assertError(await rawRequest(ctx.srv.baseUrl, { path: `/api/v1/articles/${article.id}/live`, headers: { 'last-event-id': 'abc' } }),
      400, 'bad_request');
    assertError(await rawRequest(ctx.srv.baseUrl, { path: `/api/v1/articles/${article.id}/live?last_event_id=-5` }), 400, 'bad_request');
  });
});

describe('live streams and shutdown', { timeout: 120_000 }, () => {
  test('SIGTERM with a stream open: the stream ends cleanly and the server exits without waiting its grace period', T, async () => {
    // A grace period far longer than the stop helper waits: only closing the stream promptly lets it exit in time.
    const srv = await startServer({ dataDir: newDataDir(), env: { TRIBUNE_SERVER_SHUTDOWN_GRACE_MS: '600000', TRIBUNE_LIVE_HEARTBEAT_SECONDS: '3600' } });
    try {
      await createAccount(undefined, srv.dataDir, 'live-ed@example.com', 'editor');
      const editor = await loggedIn(srv.baseUrl, 'live-ed@example.com');
      const a = await editor.post('/api/v1/articles', articlePayload());
      assertStatus(a, 201, 'article');
      const s = await openLive(srv.baseUrl, a.body.id);
      await s.until(() => s.blocks[0], 'opening');
      const code = await srv.stop('SIGTERM', 20_000);
      assert.ok(!srv.stopTimedOut, 'the server exited before the stop helper gave up');
      assert.equal(code, 0);
      await s.until(() => s.end, 'end of the response');
      assert.equal(s.end, 'end', 'the chunked body was terminated, not cut');
    } finally {
      if (srv.running) await srv.kill();
    }
  });
});
