// GET /api/v1/search and the /search page against a real server: stemming, ranking, tags, phrases, exclusions,
// language filter, scheduled articles, pages, the start-up catch-up, and readers' worst queries.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, createArticle, startServer, rawRequest, retryOnConnError, sql, unique, assertError, assertStatus,
} from './harness.mjs';

const T = { timeout: 60_000 };

describe('search', { timeout: 300_000 }, () => {
  let ctx;
  // A word no other article holds, ending in a letter no stemmer strips.
  const word = `zq${unique('').toLowerCase().replace(/[^a-z]/g, '')}q`;
  const made = {};

  before(async () => {
    // Three editions: a query is stemmed in each edition's language.
    ctx = await bootstrap({ accounts: { editor: 'editor' }, env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru' } });
    const e = ctx.clients.editor;
    made.body = await createArticle(e, { title: 'Weather report', body: `Crowds were running ${word} through the city.` });
    made.head = await createArticle(e, { title: `Marathon runners run ${word}`, body: 'A short report.' });
    made.tag = await createArticle(e, { title: 'Markets today', body: 'Shares rose.', tags: [`${word}tag`, 'Economy'] });
    made.phrase = await createArticle(e, { title: `${word} city news`, body: 'The new harbour office opened.' });
    made.scrambled = await createArticle(e, { title: `${word} city news two`, body: 'The harbour has a new office.' });
    made.fr = await createArticle(e, { title: `Les élections ${word}`, body: 'Les électeurs ont voté.', language: 'fr' });
  });
  after(async () => { await ctx?.srv.kill(); });

  async function search(params, client = ctx.anon) {
    const qs = new URLSearchParams(params);
    const r = await client.get(`/api/v1/search?${qs}`);
    assertStatus(r, 200, `GET /api/v1/search?${qs}`);
    assert.ok(Array.isArray(r.body.items), r.text);
    assert.ok('next_cursor' in r.body, r.text);
    return r.body;
  }
  const ids = (page) => page.items.map((i) => i.article.id);

  test('stemmed variants find both; the headline match ranks above the body-only match', T, async () => {
    for (const q of [`runs ${word}`, `RUNNING ${word}`, `run ${word}`]) {
      assert.deepEqual(ids(await search({ q })), [made.head.id, made.body.id], q);
    }
  });

  test('each item carries the article as GET /api/v1/articles/{id} shows it, and an HTML snippet', T, async () => {
    const page = await search({ q: `running ${word}` });
    const hit = page.items.find((i) => i.article.id === made.body.id);
    const one = await ctx.anon.get(`/api/v1/articles/${made.body.id}`);
    assertStatus(one, 200);
    assert.deepEqual(hit.article, one.body);
    assert.match(hit.snippet, /<mark>running<\/mark>/);
  });

  test('tags, phrases, exclusions and prefixes', T, async () => {
    assert.deepEqual(ids(await search({ q: `${word}tag` })), [made.tag.id]);
    assert.deepEqual(ids(await search({ q: `"new harbour" ${word}` })), [made.phrase.id]);
    assert.deepEqual(ids(await search({ q: `harbour ${word} -opened` })), [made.scrambled.id]);
    const pre = ids(await search({ q: `${word.slice(0, -2)}*` }));
    for (const a of Object.values(made)) assert.ok(pre.includes(a.id), `prefix finds ${a.title}`);
  });

  test('the language filter', T, async () => {
    assert.deepEqual(ids(await search({ q: `élection ${word}` })), [made.fr.id]);
    assert.deepEqual(ids(await search({ q: `election ${word}`, lang: 'fr' })), [made.fr.id]);
    assert.deepEqual(ids(await search({ q: `election ${word}`, lang: 'en' })), []);
  });

  test('an article scheduled for later is not found until then', T, async () => {
    const later = await createArticle(ctx.clients.editor, { title: `Eclipse ${word}` });
    assert.deepEqual(ids(await search({ q: `eclipse ${word}` })), [later.id]);
    const future = (Date.now() + 3600_000) * 1000;
    sql(ctx.srv.dataDir, `UPDATE articles SET published_at = ${future} WHERE id = ${later.id}`);
    assert.deepEqual(ids(await search({ q: `eclipse ${word}` })), []);
  });

  test('pages follow each other without repeats', T, async () => {
    const seen = [];
    let cursor;
    for (let i = 0; i < 20; i++) {
      const page = await search({ q: word, limit: '2', ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= 2);
      seen.push(...ids(page));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    assert.equal(new Set(seen).size, seen.length, `no repeats: ${seen}`);
    assert.equal(seen.length, 5, `every published article with the word, once: ${seen}`);
    assertError(await ctx.anon.get(`/api/v1/search?q=${word}&cursor=nonsense`), 400, 'bad_request');
  });

  test('bad queries get a 400 bad_request that says why', T, async () => {
    const cases = [['', /Type something/], ['   ', /Type something/], ['"open', /quote/], ['x'.repeat(300), /too long/],
      ['-only', /exclusions/], ['!!! ???', /Nothing to search/], ['a*', /at least 3 letters/], [Array(13).fill('w').join(' '), /too many/]];
    for (const [q, says] of cases) {
      const r = await ctx.anon.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      assertError(r, 400, 'bad_request', q);
      assert.match(r.body.error.message, says, q);
    }
    assertError(await ctx.anon.get('/api/v1/search'), 400, 'bad_request');
    assertError(await ctx.anon.get(`/api/v1/search?q=${word}&section=${encodeURIComponent('a b')}`), 400, 'bad_request');
    assertError(await ctx.anon.get(`/api/v1/search?q=${word}&limit=0`), 400, 'bad_request');
  });

  test('nasty strings get a 200 or a 400, never a 5xx', T, async () => {
    const nasty = ['NEAR(a b)', 'a AND', 'OR', 'NOT', 'AND OR NOT', '^start', 'title:x', 'body : y', '*', '"', '""',
      '( )', '{title lead}: x', '"unterminated', "'; DROP TABLE articles; --", "O'Brien", '\\', "''", '😀', '😀 report',
      'עברית', 'مرحبا بالعالم', '\u202Ereport', 'report\u200B', 'x:*', '!report', 'a & b | c', '<-> report',
      'report:A', 'NEAR("report" weather, 2)', '-', '--', '-""', 'a -', '%', '%%', '_', '\t', 'a\nb', '`rm -rf`',
      '<script>alert(1)</script>', '&amp;', 'ｆｕｌｌ', 'x'.repeat(256), 'x'.repeat(257)];
    for (const q of nasty) {
      const r = await ctx.anon.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      assert.ok(r.status === 200 || r.status === 400, `${JSON.stringify(q)} → ${r.status} ${r.text}`);
      if (r.status === 400) assert.equal(r.body?.error?.code, 'bad_request', q);
    }
    for (const raw of ['%00', 'a%00b', '%FF', '%C3%28', '%ED%A0%80', '%', '%zz', '%E2%80']) {
      const r = await ctx.anon.get(`/api/v1/search?q=${raw}`);
      assert.ok(r.status === 200 || r.status === 400, `q=${raw} → ${r.status} ${r.text}`);
      assert.equal(typeof r.body?.items === 'object' || r.body?.error?.code === 'bad_request', true, r.text);
    }
    assertStatus(await ctx.anon.get('/healthz'), 200);
    assert.equal(sql(ctx.srv.dataDir, 'SELECT COUNT(*) FROM articles'), '7');
  });

  test('a 1 MB query gets a 4xx JSON answer, not a 5xx', T, async () => {
    const r = await retryOnConnError(() => rawRequest(ctx.srv.baseUrl, { path: `/api/v1/search?q=${'a'.repeat(1 << 20)}` }));
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.equal(typeof r.body?.error?.code, 'string', r.text);
    const page = await retryOnConnError(() => rawRequest(ctx.srv.baseUrl, { path: `/search?q=${'a'.repeat(1 << 20)}` }));
    assert.ok(page.status >= 400 && page.status < 500, `page status ${page.status}`);
    assertStatus(await ctx.anon.get('/healthz'), 200);
  });

  test('the results page: count, highlighted snippets, and a 400 page for a bad query', T, async () => {
    const r = await ctx.anon.get(`/search?q=${encodeURIComponent(`running ${word}`)}`);
    assertStatus(r, 200);
    assert.match(r.text, /2 articles found/);
    assert.match(r.text, /<mark>running<\/mark>/);
    assert.ok(r.text.includes(`href="/articles/${made.head.slug}"`));
    const xss = await ctx.anon.get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    assertStatus(xss, 200);
    assert.ok(!xss.text.includes('<script>alert(1)'), 'the query is escaped');
    assert.match(xss.text, /No article matches/);
    const bad = await ctx.anon.get(`/search?q=${encodeURIComponent('"open')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /We could not search for that/);
    const form = await ctx.anon.get('/search');
    assertStatus(form, 200);
    assert.match(form.text, /<form class="search-form"/);
  });

  test('articles written straight into the database are indexed at the next start', T, async () => {
    const dataDir = ctx.srv.dataDir;
    const id = BigInt(made.fr.id) + 1000n;
    const now = Date.now() * 1000;
    sql(dataDir, `INSERT INTO articles (id, edition_id, slug, title, lead, body, section, language, short_code, published_at,`
      + ` created_at, updated_at) VALUES (${id}, 'en', 'imported-${word}', 'Imported glacier ${word}', '', 'Ice.', 'news',`
      + ` 'en', 'imp${word.slice(0, 5)}', ${now - 1000}, ${now - 1000}, ${now - 1000})`);
    assert.deepEqual(ids(await search({ q: `glacier ${word}` })), []);
    await ctx.srv.kill();
    ctx.srv = await startServer({ dataDir, env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru' } });
    ctx.anon.baseUrl = ctx.srv.baseUrl;
    assert.deepEqual(ids(await search({ q: `glaciers ${word}` })), [String(id)]);
  });
});
