// Feeds (Atom, RSS, JSON Feed) per edition, section and tag, and the view counter that counts a reader once a day.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, unique, assertStatus, assertError, rawRequest, sql, BACKEND } from './harness.mjs';

const T = { timeout: 60_000 };
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Feeds-Test/1.0';

const entries = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, 'g'))].map((m) => m[0]);
const linkOf = (entry) => /<id>([^<]*)<\/id>/.exec(entry)?.[1];

describe('feeds', { timeout: 300_000 }, () => {
  let ctx;
  let editor;
  const section = unique('sec').toLowerCase();
  const tag = unique('tag').toLowerCase();
  const made = {};
  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor' },
      env: { TRIBUNE_SITE_EDITIONS: 'en,fr', TRIBUNE_TESTING_CLOCK_CONTROL: 'true' } });
    editor = ctx.clients.editor;
    made.a = await createArticle(editor, { section, tags: [tag, 'shared'], title: 'Plain one', byline: 'Ann Writer' });
    made.b = await createArticle(editor, { section: 'other', tags: [tag], body: 'Some **bold** text' });
    made.hostile = await createArticle(editor, {
      section, tags: ['x&y'],
      title: 'Evil <script>alert(1)</script> & ]]> placeholder bell',
      lead: 'Lead with <b>tags</b> & "quotes"',
      body: 'Body <script>steal()</script> ]]> and **bold**',
    });
    // The API refuses control characters; an older import might not have: put two in behind its back.
    const ctl = BACKEND === 'postgresql' ? 'chr(1) || chr(8)' : 'char(1) || char(8)';
    sql(ctx.srv.dataDir, `UPDATE articles SET title = replace(title, 'placeholder', ${ctl}) WHERE slug = '${made.hostile.slug}'`);
    made.future = await createArticle(editor, { section, tags: [tag], title: 'From the future' });
    sql(ctx.srv.dataDir, `UPDATE articles SET published_at = published_at + 31536000000000 WHERE slug = '${made.future.slug}'`);
    made.fr = await createArticle(editor, { section, tags: [tag], language: 'fr', title: 'Article en français' });
  });
  after(async () => { await ctx?.srv.kill(); });

  test('section Atom feed lists that section\'s published articles of the edition, newest first', T, async () => {
    const r = await ctx.anon.get(`/feeds/section/${section}.atom`);
    assertStatus(r, 200, 'section atom');
    assert.equal(r.headers['content-type'], 'application/atom+xml; charset=utf-8');
    assert.match(r.headers['cache-control'], /max-age=\d+/);
    assert.ok(r.headers.etag, 'ETag');
    const ids = entries(r.text, 'entry').map(linkOf);
    assert.deepEqual(ids, [made.hostile.url, made.a.url], r.text);  // no future, no other section, no French one
    assert.ok(ids.every((u) => u.startsWith(ctx.srv.baseUrl)), 'absolute URLs on the base URL');
    assert.match(r.text, /<name>Ann Writer<\/name>/);
    assert.match(r.text, /<published>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z<\/published>/);
    assert.match(r.text, /<link rel="enclosure" type="image\/jpeg" href="https:\/\/example.com\/img.jpg"/);
  });

  test('hostile titles and bodies are escaped, forbidden characters removed', T, async () => {
    for (const path of [`/feeds/section/${section}.atom`, `/feeds/section/${section}.rss`, '/feeds/all.atom']) {
      const r = await ctx.anon.get(path);
      assertStatus(r, 200, path);
      assert.ok(!r.text.includes('<script>'), `${path} has a raw <script>`);
      assert.ok(!r.text.includes(']]>'), `${path} has a raw ]]>`);
      assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(r.text), `${path} has a control character`);
      assert.ok(r.text.includes('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt;  bell'), `${path}: ${r.text}`);
    }
    const json = await ctx.anon.get('/feeds/all.json');
    const item = json.body.items.find((i) => i.url === made.hostile.url);
    assert.equal(item.title, 'Evil <script>alert(1)</script> & ]]>  bell');
    assert.ok(!item.content_html.includes('<script>'), item.content_html);
  });

  test('tag RSS feed and the edition\'s feeds under its prefix', T, async () => {
    const r = await ctx.anon.get(`/feeds/tag/${tag}.rss`);
    assertStatus(r, 200, 'tag rss');
    assert.equal(r.headers['content-type'], 'application/rss+xml; charset=utf-8');
    const links = entries(r.text, 'item').map((e) => /<link>([^<]*)<\/link>/.exec(e)[1]);
    assert.deepEqual(links, [made.b.url, made.a.url]);
    assert.match(r.text, /<pubDate>[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000<\/pubDate>/);
    const fr = await ctx.anon.get(`/fr/feeds/tag/${tag}.atom`);
    assertStatus(fr, 200, 'fr tag atom');
    assert.deepEqual(entries(fr.text, 'entry').map(linkOf), [made.fr.url]);
  });

  test('front-page JSON Feed', T, async () => {
    const r = await ctx.anon.get('/feeds/all.json');
    assertStatus(r, 200, 'json feed');
    assert.equal(r.headers['content-type'], 'application/feed+json; charset=utf-8');
    assert.equal(r.body.version, 'https://jsonfeed.org/version/1.1');
    const urls = r.body.items.map((i) => i.url);
    assert.ok(urls.includes(made.a.url) && urls.includes(made.b.url), urls.join());
    assert.ok(!urls.includes(made.future.url) && !urls.includes(made.fr.url), urls.join());
    const b = r.body.items.find((i) => i.url === made.b.url);
    assert.match(b.content_html, /<strong>bold<\/strong>/);
    assert.deepEqual(b.tags, [tag]);
  });

  test('If-None-Match with the ETag → 304 without a body; a new article changes the ETag', T, async () => {
    const path = `/feeds/section/${section}.rss`;
    const first = await rawRequest(ctx.srv.baseUrl, { path });
    const again = await rawRequest(ctx.srv.baseUrl, { path, headers: { 'if-none-match': first.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    await createArticle(editor, { section });
    const changed = await rawRequest(ctx.srv.baseUrl, { path, headers: { 'if-none-match': first.headers.etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, first.headers.etag);
  });

  test('empty section: an empty feed; unknown format or name too long: 404', T, async () => {
    const r = await ctx.anon.get(`/feeds/section/${unique('none')}.atom`);
    assertStatus(r, 200, 'empty section');
    assert.equal(entries(r.text, 'entry').length, 0);
    assertError(await ctx.anon.get(`/feeds/section/${section}.html`), 404, 'not_found');
    assertError(await ctx.anon.get(`/feeds/section/${section}.json`), 404, 'not_found');
    assertError(await ctx.anon.get('/feeds/other.atom'), 404, 'not_found');
    assertError(await ctx.anon.get(`/feeds/tag/${'x'.repeat(300)}.atom`), 404, 'not_found');
  });

  test('front, section and tag pages link their feeds in the head', T, async () => {
    for (const [path, feed] of [['/', '/feeds/all.atom'], [`/section/${section}`, `/feeds/section/${section}.atom`],
      [`/tag/${tag}`, `/feeds/tag/${tag}.rss`], ['/fr/', '/fr/feeds/all.json']]) {
      const r = await rawRequest(ctx.srv.baseUrl, { path, headers: { accept: 'text/html' } });
      assert.equal(r.status, 200, path);
      const head = r.text.slice(0, r.text.indexOf('</head>'));
      assert.ok(head.includes(`<link rel="alternate" type="application/`) && head.includes(`href="${feed}"`), `${path}: ${head}`);
    }
  });

  test('views: a reader counts once a day; reloads, robots and the next day as expected', T, async () => {
    const a = await createArticle(editor, { section });
    const page = (ua) => rawRequest(ctx.srv.baseUrl, { path: `/articles/${a.slug}`, headers: { accept: 'text/html', 'user-agent': ua } });
    const views = async () => {
      assertStatus(await ctx.anon.post('/api/v1/testing/clock', { advance_seconds: 0 }), 200);  // flushes the views
      return (await ctx.anon.get(`/api/v1/articles/${a.id}`)).body.views;
    };
    assert.equal((await page(BROWSER)).status, 200);
    assert.equal((await page(BROWSER)).status, 200);  // reload
    assert.equal(await views(), 1);
    await page('Googlebot/2.1 (+http://www.google.com/bot.html)');
    await page('');
    assert.equal(await views(), 1);
    const other = await page(`${BROWSER} other`);
    assert.equal(await views(), 2);
    assert.match(other.text, /2 views|2 просмотр|2 vues/, 'the page shows the count');
    assertStatus(await ctx.anon.post('/api/v1/testing/clock', { advance_seconds: 86_400 }), 200);
    await page(BROWSER);
    assert.equal(await views(), 3);
  });
});
