import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, createArticle, postComment, listComments, listAllComments, commentTotal, unknownIdLike,
  assertError, assertStatus, assertTime,
} from './harness.mjs';

const T = { timeout: 60_000 };
const COMMENT_FIELDS = ['id', 'parent_id', 'author', 'body', 'body_html', 'created_at', 'edited_at', 'status'];

function assertCommentShape(c) {
  for (const f of COMMENT_FIELDS) assert.ok(f in c, `comment lacks "${f}": ${JSON.stringify(c)}`);
  assert.equal(typeof c.id, 'string');
  assert.ok(c.parent_id === null || typeof c.parent_id === 'string', `parent_id: ${JSON.stringify(c.parent_id)}`);
  assert.equal(typeof c.author?.id, 'string', `author.id: ${JSON.stringify(c.author)}`);
  assert.equal(typeof c.author?.display_name, 'string', `author.display_name: ${JSON.stringify(c.author)}`);
  assert.equal(typeof c.body, 'string');
  assert.equal(typeof c.body_html, 'string');
  assertTime(c.created_at, 'created_at');
  if (c.edited_at !== null) assertTime(c.edited_at, 'edited_at');
  assert.equal(typeof c.status, 'string');
}

function assertRejected(r, what) {
  assertError(r, 422, 'rejected', what);
  const f = r.body.error.findings;
  assert.ok(Array.isArray(f) && f.length > 0, `${what}: error.findings must be a non-empty array: ${r.text}`);
  const form = f.filter((x) => x.rule === 'form');
  assert.ok(form.length > 0, `${what}: a finding with rule "form": ${JSON.stringify(f)}`);
  for (const x of f) {
    assert.equal(typeof x.rule, 'string');
    assert.equal(typeof x.score, 'number', `${what}: finding.score: ${JSON.stringify(x)}`);
    assert.equal(typeof x.reason, 'string', `${what}: finding.reason: ${JSON.stringify(x)}`);
    assert.ok(Array.isArray(x.spans), `${what}: finding.spans: ${JSON.stringify(x)}`);
    for (const s of x.spans) {
      assert.ok(Array.isArray(s) && s.length === 2 && s.every(Number.isInteger) && s[0] <= s[1], `${what}: span ${JSON.stringify(s)}`);
    }
  }
}

describe('comments', { timeout: 600_000 }, () => {
  let ctx;
  let alice;
  let bob;
  let article;
  let other;

  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor', alice: 'reader', bob: 'reader' } });
    ({ alice, bob } = ctx.clients);
    article = await createArticle(ctx.clients.editor);
    other = await createArticle(ctx.clients.editor);
  });
  after(async () => { await ctx?.srv.kill(); });

  test('post → 201 {id, status:"published", findings:[]}; listed with every field', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const r = await alice.post(`/api/v1/articles/${a.id}/comments`, { body: 'First! A perfectly ordinary comment.' });
    assertStatus(r, 201, 'post');
    assert.equal(typeof r.body.id, 'string');
    assert.equal(r.body.status, 'published');
    assert.deepEqual(r.body.findings, []);

    const page = await listComments(ctx.anon, a.id);
    assert.equal(page.total, 1);
    assert.equal(page.items.length, 1);
    assert.equal(page.next_cursor, null);
    const c = page.items[0];
    assertCommentShape(c);
    assert.equal(c.id, r.body.id);
    assert.equal(c.parent_id, null);
    assert.equal(c.author.id, alice.account.id);
    assert.equal(c.author.display_name, alice.account.display_name);
    assert.equal(c.body, 'First! A perfectly ordinary comment.');
    assert.ok(c.body_html.includes('First! A perfectly ordinary comment.'), c.body_html);
    assert.equal(c.edited_at, null);
    assert.equal(c.status, 'published');
    // The answer carries the comment as the thread shows it, so a page renders it without another request.
    assert.equal(r.body.body_html, c.body_html);
    assert.equal(r.body.created_at, c.created_at);
  });

  test('the 201 answer renders Markdown exactly as the listing does', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const r = await alice.post(`/api/v1/articles/${a.id}/comments`, { body: 'Some **bold** words and <script>x</script>.' });
    assertStatus(r, 201, 'post');
    assert.match(r.body.body_html, /<strong>bold<\/strong>/);
    assert.doesNotMatch(r.body.body_html, /<script>/);
    const page = await listComments(ctx.anon, a.id);
    assert.equal(page.items[0].body_html, r.body.body_html);
  });

  test("the article's comment_count follows its published comments", T, async () => {
    const a = await createArticle(ctx.clients.editor);
    await postComment(alice, a.id, 'one');
    const c2 = await postComment(bob, a.id, 'two');
    let art = await ctx.anon.get(`/api/v1/articles/${a.id}`);
    assertStatus(art, 200, 'article');
    assert.equal(art.body.comment_count, 2);
    assertStatus(await bob.del(`/api/v1/comments/${c2.id}`), 204, 'delete');
    art = await ctx.anon.get(`/api/v1/articles/${a.id}`);
    assert.equal(art.body.comment_count, 1, 'deleted comments do not count');
  });

  test('anonymous post → 401 unauthenticated; nothing stored', T, async () => {
    const before1 = await commentTotal(ctx.anon, article.id);
    assertError(await ctx.anon.post(`/api/v1/articles/${article.id}/comments`, { body: 'hello' }), 401, 'unauthenticated', 'anon');
    assert.equal(await commentTotal(ctx.anon, article.id), before1);
  });

  test('default sort is oldest first; sort=newest reverses it', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await postComment(i % 2 ? bob : alice, a.id, `comment number ${i}`)).id);
    assert.deepEqual((await listComments(ctx.anon, a.id)).items.map((c) => c.id), ids, 'default');
    assert.deepEqual((await listComments(ctx.anon, a.id, { sort: 'oldest' })).items.map((c) => c.id), ids, 'oldest');
    assert.deepEqual((await listComments(ctx.anon, a.id, { sort: 'newest' })).items.map((c) => c.id), ids.slice().reverse(), 'newest');
  });

  test('replies carry parent_id; top-level comments have parent_id null', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const root = await postComment(alice, a.id, 'root comment');
    const reply = await postComment(bob, a.id, 'a reply', root.id);
    const page = await listComments(ctx.anon, a.id);
    const byId = Object.fromEntries(page.items.map((c) => [c.id, c]));
    assert.equal(byId[root.id].parent_id, null);
    assert.equal(byId[reply.id].parent_id, root.id);
    assert.equal(byId[reply.id].author.id, bob.account.id);
    assert.equal(page.total, 2);
  });

  test('sort=top puts comments with more replies first', T, async () => {
    const a = await createArticle(ctx.clients.editor);
    const c1 = await postComment(alice, a.id, 'no replies');
    const c2 = await postComment(alice, a.id, 'two replies');
    const c3 = await postComment(alice, a.id, 'one reply');
    await postComment(bob, a.id, 'reply to c2 #1', c2.id);
    await postComment(bob, a.id, 'reply to c3', c3.id);
    await postComment(bob, a.id, 'reply to c2 #2', c2.id);
    const page = await listComments(ctx.anon, a.id, { sort: 'top', limit: 50 });
    assert.equal(page.total, 6);
    assert.equal(page.items.length, 6, 'all comments listed');
    const tops = page.items.filter((c) => c.parent_id === null).map((c) => c.id);
    assert.deepEqual(tops, [c2.id, c3.id, c1.id], `top-level order under sort=top: ${JSON.stringify(page.items.map((c) => c.body))}`);
    assert.equal(page.items[0].id, c2.id, 'the most-replied comment comes first');
  });

  describe('markdown rendering', () => {
    async function rendered(body) {
      const a = await createArticle(ctx.clients.editor);
      const posted = await postComment(alice, a.id, body);
      const page = await listComments(ctx.anon, a.id);
      const c = page.items.find((x) => x.id === posted.id);
      assert.ok(c, 'comment listed');
      assert.equal(c.body, body, 'body is returned verbatim');
      return c.body_html;
    }

    test('**b** → <strong>', T, async () => {
      const html = await rendered('this is **bold** text');
      assert.match(html, /<strong>bold<\/strong>/, html);
    });

    test('<script> is escaped', T, async () => {
      const html = await rendered('hello <script>alert(1)</script> world');
      assert.ok(!/<script/i.test(html), `raw <script> in body_html: ${html}`);
      assert.ok(html.includes('&lt;script&gt;'), `escaped <script> expected: ${html}`);
    });

    test('[x](javascript:alert(1)) produces no link', T, async () => {
      const html = await rendered('click [x](javascript:alert(1)) please');
      assert.ok(!/<a[\s>]/i.test(html), `no <a> expected: ${html}`);
      assert.ok(!/href\s*=\s*["']?\s*javascript:/i.test(html), `no javascript: href: ${html}`);
    });

    test('[x](https://example.com) → <a href> with rel="nofollow ugc noopener"', T, async () => {
      const html = await rendered('see [x](https://example.com) for more');
      const m = /<a\s[^>]*>/i.exec(html);
      assert.ok(m, `a link expected: ${html}`);
      assert.match(m[0], /href="https:\/\/example\.com\/?"/, m[0]);
      assert.match(m[0], /rel="nofollow ugc noopener"/, m[0]);
    });
  });

  test('reply whose parent is in another article → 400 bad_request; nothing stored', T, async () => {
    const foreign = await postComment(alice, other.id, 'lives in the other article');
    const t1 = await commentTotal(ctx.anon, article.id);
    const t2 = await commentTotal(ctx.anon, other.id);
    const r = await bob.post(`/api/v1/articles/${article.id}/comments`, { body: 'cross-article reply', parent_id: foreign.id });
    assertError(r, 400, 'bad_request', 'cross-article parent');
    assert.equal(await commentTotal(ctx.anon, article.id), t1);
    assert.equal(await commentTotal(ctx.anon, other.id), t2);
  });

  test('reply to an unknown parent → 400 bad_request; nothing stored', T, async () => {
    const real = await postComment(alice, article.id, 'a real parent');
    const t1 = await commentTotal(ctx.anon, article.id);
    const r = await bob.post(`/api/v1/articles/${article.id}/comments`, { body: 'orphan', parent_id: unknownIdLike(real.id) });
    assertError(r, 400, 'bad_request', 'unknown parent');
    assert.equal(await commentTotal(ctx.anon, article.id), t1);
  });

  test('unknown article → 404 not_found for listing and posting', T, async () => {
    const missing = unknownIdLike(article.id);
    assertError(await ctx.anon.get(`/api/v1/articles/${missing}/comments`), 404, 'not_found', 'list');
    assertError(await alice.post(`/api/v1/articles/${missing}/comments`, { body: 'into the void' }), 404, 'not_found', 'post');
  });

  describe('editing', () => {
    test('PATCH by the author → 200 with the updated comment', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const c = await postComment(alice, a.id, 'original text');
      const r = await alice.patch(`/api/v1/comments/${c.id}`, { body: 'edited **text**' });
      assertStatus(r, 200, 'patch');
      assert.equal(r.body.id, c.id);
      assert.equal(r.body.body, 'edited **text**');
      assertTime(r.body.edited_at, 'edited_at');
      assert.match(r.body.body_html, /<strong>text<\/strong>/);

      const listed = (await listComments(ctx.anon, a.id)).items.find((x) => x.id === c.id);
      assert.equal(listed.body, 'edited **text**');
      assertTime(listed.edited_at, 'listed edited_at');
      assert.equal(listed.status, 'published');
      assert.ok(Date.parse(listed.edited_at) >= Date.parse(listed.created_at), 'edited_at >= created_at');
    });

    test('PATCH by another reader → 403 forbidden; comment unchanged', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const c = await postComment(alice, a.id, 'alice wrote this');
      assertError(await bob.patch(`/api/v1/comments/${c.id}`, { body: 'bob was here' }), 403, 'forbidden', 'foreign edit');
      const listed = (await listComments(ctx.anon, a.id)).items.find((x) => x.id === c.id);
      assert.equal(listed.body, 'alice wrote this');
      assert.equal(listed.edited_at, null);
    });

    test('PATCH anonymous → 401; unknown comment → 404', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const c = await postComment(alice, a.id, 'text');
      assertError(await ctx.anon.patch(`/api/v1/comments/${c.id}`, { body: 'anon edit' }), 401, 'unauthenticated', 'anon edit');
      assertError(await alice.patch(`/api/v1/comments/${unknownIdLike(c.id)}`, { body: 'x' }), 404, 'not_found', 'unknown comment');
    });
  });

  describe('deleting', () => {
    test('DELETE by the author → 204; a tombstone stays, total drops by one; editing it → 409 conflict', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const keep = await postComment(alice, a.id, 'stays');
      const gone = await postComment(alice, a.id, 'will be deleted');
      assert.equal(await commentTotal(ctx.anon, a.id), 2);
      assertStatus(await alice.del(`/api/v1/comments/${gone.id}`), 204, 'delete');

      const page = await listComments(ctx.anon, a.id);
      assert.equal(page.total, 1, 'total dropped by one');
      const tomb = page.items.find((x) => x.id === gone.id);
      assert.ok(tomb, `tombstone kept in the listing: ${JSON.stringify(page.items)}`);
      assert.equal(tomb.status, 'deleted');
      assert.equal(tomb.body, '');
      assert.equal(tomb.body_html, '');
      assert.equal(page.items.find((x) => x.id === keep.id)?.body, 'stays');

      assertError(await alice.patch(`/api/v1/comments/${gone.id}`, { body: 'resurrect' }), 409, 'conflict', 'edit deleted');
      const again = (await listComments(ctx.anon, a.id)).items.find((x) => x.id === gone.id);
      assert.equal(again.body, '', 'still a tombstone');
      assert.equal(again.status, 'deleted');
    });

    test('DELETE by another reader → 403 forbidden; comment kept', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const c = await postComment(alice, a.id, 'mine');
      assertError(await bob.del(`/api/v1/comments/${c.id}`), 403, 'forbidden', 'foreign delete');
      const listed = (await listComments(ctx.anon, a.id)).items.find((x) => x.id === c.id);
      assert.equal(listed.status, 'published');
      assert.equal(listed.body, 'mine');
    });
  });

  describe('paging', () => {
    let a;
    let ids;
    before(async () => {
      a = await createArticle(ctx.clients.editor);
      ids = [];
      for (let i = 0; i < 120; i++) ids.push((await postComment(i % 3 ? alice : bob, a.id, `paged comment ${i}`)).id);
    });

    test('120 comments, limit=50 → pages of 50, 50, 20; next_cursor null at the end; no repeats', { timeout: 120_000 }, async () => {
      const all = await listAllComments(ctx.anon, a.id, { limit: 50 });
      assert.deepEqual(all.pages, [50, 50, 20]);
      assert.equal(all.lastCursor, null);
      assert.equal(all.total, 120);
      const seen = all.items.map((c) => c.id);
      assert.equal(new Set(seen).size, 120, 'ids never repeat');
      assert.deepEqual(seen, ids, 'oldest first across pages');
    });

    test('sort=newest pages through the reverse order', { timeout: 120_000 }, async () => {
      const all = await listAllComments(ctx.anon, a.id, { limit: 50, sort: 'newest' });
      assert.deepEqual(all.pages, [50, 50, 20]);
      assert.deepEqual(all.items.map((c) => c.id), ids.slice().reverse());
    });

    test('sort=top pages without repeats or gaps', { timeout: 120_000 }, async () => {
      const all = await listAllComments(ctx.anon, a.id, { limit: 50, sort: 'top' });
      assert.deepEqual(all.pages, [50, 50, 20]);
      assert.deepEqual(all.items.map((c) => c.id).sort(), ids.slice().sort());
    });
  });

  describe('engine: form rule', () => {
    test('blank body → 422 rejected with a "form" finding; nothing stored', T, async () => {
      const t = await commentTotal(ctx.anon, article.id);
      assertRejected(await alice.post(`/api/v1/articles/${article.id}/comments`, { body: '   \n ' }), 'blank body');
      assert.equal(await commentTotal(ctx.anon, article.id), t, 'total unchanged');
    });

    test("5,001 'é' is too long (422); 5,000 'é' is fine (201)", T, async () => {
      const t = await commentTotal(ctx.anon, article.id);
      assertRejected(await alice.post(`/api/v1/articles/${article.id}/comments`, { body: 'é'.repeat(5001) }), "5001 × 'é'");
      assert.equal(await commentTotal(ctx.anon, article.id), t, 'total unchanged');
      const ok = await alice.post(`/api/v1/articles/${article.id}/comments`, { body: 'é'.repeat(5000) });
      assertStatus(ok, 201, "5000 × 'é'");
      assert.equal(ok.body.status, 'published');
      assert.equal(await commentTotal(ctx.anon, article.id), t + 1);
    });

    test('5,001 ASCII characters → 422; 5,000 → 201', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      assertRejected(await alice.post(`/api/v1/articles/${a.id}/comments`, { body: 'a'.repeat(5001) }), '5001 × a');
      assert.equal(await commentTotal(ctx.anon, a.id), 0);
      assertStatus(await alice.post(`/api/v1/articles/${a.id}/comments`, { body: 'a'.repeat(5000) }), 201, '5000 × a');
    });

    test('editing a comment to a blank body → 422 rejected; comment unchanged', T, async () => {
      const a = await createArticle(ctx.clients.editor);
      const c = await postComment(alice, a.id, 'fine text');
      assertRejected(await alice.patch(`/api/v1/comments/${c.id}`, { body: '  ' }), 'blank edit');
      const listed = (await listComments(ctx.anon, a.id)).items.find((x) => x.id === c.id);
      assert.equal(listed.body, 'fine text');
    });
  });
});
