import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, articlePayload, createArticle, unknownIdLike, unique,
  assertError, assertStatus, assertTime,
} from './harness.mjs';

const T = { timeout: 60_000 };
const ARTICLE_FIELDS = ['id', 'slug', 'title', 'lead', 'body', 'section', 'tags', 'image', 'language',
  'published_at', 'url', 'short_url', 'views', 'comment_count'];

function assertArticle(a, payload, what = 'article') {
  for (const f of ARTICLE_FIELDS) assert.ok(f in a, `${what} lacks "${f}": ${JSON.stringify(a)}`);
  assert.equal(typeof a.id, 'string', `${what}.id is a string`);
  assert.ok(a.id.length > 0);
  for (const f of ['slug', 'title', 'lead', 'body', 'section', 'language']) {
    assert.equal(a[f], payload[f], `${what}.${f}`);
  }
  assert.deepEqual(a.tags, payload.tags, `${what}.tags`);
  assert.deepEqual(a.image, payload.image, `${what}.image`);
  assertTime(a.published_at, `${what}.published_at`);
  assert.equal(typeof a.url, 'string');
  assert.ok(a.url.length > 0, `${what}.url not empty`);
  assert.equal(typeof a.short_url, 'string');
  assert.ok(a.short_url.length > 0, `${what}.short_url not empty`);
  assert.equal(typeof a.views, 'number', `${what}.views is a number`);
  assert.equal(typeof a.comment_count, 'number', `${what}.comment_count is a number`);
}

describe('articles', { timeout: 300_000 }, () => {
  let ctx;
  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor', admin: 'admin', reader: 'reader', mod: 'moderator' } });
  });
  after(async () => { await ctx?.srv.kill(); });

  async function listArticles(query, client = ctx.anon) {
    const qs = new URLSearchParams(query);
    const r = await client.get(`/api/v1/articles?${qs}`);
    assertStatus(r, 200, `GET /api/v1/articles?${qs}`);
    assert.ok(Array.isArray(r.body.items), `items array: ${r.text}`);
    assert.ok('next_cursor' in r.body, `next_cursor present: ${r.text}`);
    return r.body;
  }

  async function listAllArticles(query, limit) {
    const seen = [];
    let cursor;
    for (let i = 0; i < 100; i++) {
      const page = await listArticles({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= limit, `page larger than limit ${limit}: ${page.items.length}`);
      seen.push(...page.items);
      if (page.next_cursor === null) return seen;
      assert.equal(typeof page.next_cursor, 'string', `next_cursor: ${JSON.stringify(page.next_cursor)}`);
      cursor = page.next_cursor;
    }
    throw new Error('article paging did not end');
  }

  test('editor creates an article → 201 with every contract field', T, async () => {
    const payload = articlePayload({ tags: ['politics', 'local'], section: 'politics' });
    const r = await ctx.clients.editor.post('/api/v1/articles', payload);
    assertStatus(r, 201, 'create');
    assertArticle(r.body, payload, 'created article');
    assert.equal(r.body.views, 0);
    assert.equal(r.body.comment_count, 0);
  });

  test('admin may create articles too', T, async () => {
    const payload = articlePayload();
    const r = await ctx.clients.admin.post('/api/v1/articles', payload);
    assertStatus(r, 201, 'admin create');
    assertArticle(r.body, payload);
  });

  test('reader → 403 forbidden, moderator → 403, anonymous → 401; nothing stored', T, async () => {
    const section = unique('sec').toLowerCase();
    const p1 = articlePayload({ section });
    assertError(await ctx.clients.reader.post('/api/v1/articles', p1), 403, 'forbidden', 'reader');
    const p2 = articlePayload({ section });
    assertError(await ctx.clients.mod.post('/api/v1/articles', p2), 403, 'forbidden', 'moderator');
    const p3 = articlePayload({ section });
    assertError(await ctx.anon.post('/api/v1/articles', p3), 401, 'unauthenticated', 'anonymous');
    const list = await listArticles({ section });
    assert.equal(list.items.length, 0, `nothing stored: ${JSON.stringify(list.items.map((a) => a.slug))}`);
    // the slugs are still free
    assertStatus(await ctx.clients.editor.post('/api/v1/articles', p1), 201, 'slug still free');
  });

  test('same slug twice → 409 conflict', T, async () => {
    const payload = articlePayload();
    assertStatus(await ctx.clients.editor.post('/api/v1/articles', payload), 201, 'first');
    const again = await ctx.clients.editor.post('/api/v1/articles', { ...payload, title: 'Another title' });
    assertError(again, 409, 'conflict', 'duplicate slug');
  });

  test('GET /api/v1/articles/{id} → 200 with the article', T, async () => {
    const payload = articlePayload({ tags: ['a', 'b', 'c'] });
    const created = await createArticle(ctx.clients.editor, payload);
    const r = await ctx.anon.get(`/api/v1/articles/${created.id}`);
    assertStatus(r, 200, 'get');
    assertArticle(r.body, payload, 'fetched article');
    assert.equal(r.body.id, created.id);
    assert.equal(r.body.published_at, created.published_at);
    assert.equal(r.body.url, created.url);
    assert.equal(r.body.short_url, created.short_url);
  });

  test('unknown article id → 404 not_found', T, async () => {
    const created = await createArticle(ctx.clients.editor);
    const missing = unknownIdLike(created.id);
    assertError(await ctx.anon.get(`/api/v1/articles/${missing}`), 404, 'not_found', `GET ${missing}`);
  });

  test('listing is newest first and filters by section and tag', T, async () => {
    const section = unique('sec').toLowerCase();
    const other = unique('oth').toLowerCase();
    const tag = unique('tag').toLowerCase();
    const made = [];
    made.push(await createArticle(ctx.clients.editor, { section, tags: [tag, 'x'] }));
    made.push(await createArticle(ctx.clients.editor, { section, tags: ['y'] }));
    made.push(await createArticle(ctx.clients.editor, { section: other, tags: [tag] }));
    made.push(await createArticle(ctx.clients.editor, { section, tags: ['z', tag] }));

    const bySection = await listArticles({ section });
    assert.deepEqual(bySection.items.map((a) => a.id), [made[3].id, made[1].id, made[0].id], 'section filter, newest first');
    for (const a of bySection.items) assert.equal(a.section, section);
    assert.equal(bySection.next_cursor, null);

    const byTag = await listArticles({ tag });
    assert.deepEqual(byTag.items.map((a) => a.id), [made[3].id, made[2].id, made[0].id], 'tag filter, newest first');
    for (const a of byTag.items) assert.ok(a.tags.includes(tag));

    const both = await listArticles({ section, tag });
    assert.deepEqual(both.items.map((a) => a.id), [made[3].id, made[0].id], 'section+tag');

    const all = await listArticles({ limit: '50' });
    const times = all.items.map((a) => Date.parse(a.published_at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'unfiltered list is newest first');
    const pos = made.map((m) => all.items.findIndex((a) => a.id === m.id));
    assert.ok(pos.every((p) => p >= 0), 'all created articles are listed');
    assert.deepEqual(pos.slice().sort((a, b) => b - a), pos, 'later articles come earlier');

    for (const a of bySection.items) {
      assert.ok(['id', 'slug', 'title', 'section', 'tags', 'published_at', 'url'].every((f) => f in a), `list item fields: ${JSON.stringify(a)}`);
    }
  });

  test('paging with next_cursor visits every article exactly once; next_cursor null at the end', { timeout: 120_000 }, async () => {
    const section = unique('pg').toLowerCase();
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await createArticle(ctx.clients.editor, { section })).id);
    for (const limit of [1, 2, 3, 7, 10]) {
      const seen = await listAllArticles({ section }, limit);
      const seenIds = seen.map((a) => a.id);
      assert.equal(new Set(seenIds).size, seenIds.length, `limit=${limit}: no repeats: ${seenIds}`);
      assert.deepEqual(seenIds, ids.slice().reverse(), `limit=${limit}: every article once, newest first`);
    }
  });

  test('unknown section or tag → empty list with next_cursor null', T, async () => {
    const r = await listArticles({ section: unique('none').toLowerCase() });
    assert.deepEqual(r.items, []);
    assert.equal(r.next_cursor, null);
  });

  test('missing required field (title) → 400 bad_request', T, async () => {
    const p = articlePayload();
    delete p.title;
    assertError(await ctx.clients.editor.post('/api/v1/articles', p), 400, 'bad_request', 'no title');
  });

  test('wrong-typed field (tags as a string) → 400 bad_request; nothing stored', T, async () => {
    const section = unique('wt').toLowerCase();
    assertError(await ctx.clients.editor.post('/api/v1/articles', articlePayload({ section, tags: 'politics' })),
      400, 'bad_request', 'tags: string');
    assertError(await ctx.clients.editor.post('/api/v1/articles', articlePayload({ section, image: 'https://example.com/x.jpg' })),
      400, 'bad_request', 'image: string');
    assert.equal((await listArticles({ section })).items.length, 0);
  });

  test('kind, byline and recommended_until are stored and returned; defaults story, "", null', T, async () => {
    const until = '2031-05-01T12:00:00Z';
    const payload = articlePayload({ kind: 'gallery', byline: 'Ana Lima', recommended_until: until });
    const r = await ctx.clients.editor.post('/api/v1/articles', payload);
    assertStatus(r, 201, 'create with the new fields');
    assert.equal(r.body.kind, 'gallery');
    assert.equal(r.body.byline, 'Ana Lima');
    assert.equal(Date.parse(r.body.recommended_until), Date.parse(until));
    const got = await ctx.anon.get(`/api/v1/articles/${r.body.id}`);
    assertStatus(got, 200);
    assert.equal(got.body.kind, 'gallery');
    assert.equal(got.body.byline, 'Ana Lima');
    assert.equal(Date.parse(got.body.recommended_until), Date.parse(until));
    const plain = await ctx.clients.editor.post('/api/v1/articles', articlePayload());
    assertStatus(plain, 201);
    assert.equal(plain.body.kind, 'story');
    assert.equal(plain.body.byline, '');
    assert.equal(plain.body.recommended_until, null);
  });

  test('wrong kind, byline or recommended_until → 400 bad_request; nothing stored', T, async () => {
    const section = unique('kind').toLowerCase();
    for (const bad of [{ kind: 'podcast' }, { kind: 'Story' }, { kind: 7 }, { byline: ['a'] }, { byline: 'x'.repeat(201) },
      { recommended_until: 'tomorrow' }, { recommended_until: 12345 }, { recommended_until: '2031-13-01T00:00:00Z' }]) {
      assertError(await ctx.clients.editor.post('/api/v1/articles', articlePayload({ section, ...bad })),
        400, 'bad_request', JSON.stringify(bad));
    }
    assert.equal((await listArticles({ section })).items.length, 0);
  });
});
