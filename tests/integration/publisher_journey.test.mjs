// Issue 10's check, end to end on one data directory: a new publisher imports an RSS feed and a Disqus export with
// the real CLI, starts the server, searches, follows a short link, and sees Trending change as comments arrive
// (at once: comment events tell Trending to recompute, no 60 s wait).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  newDataDir, runCli, startServer, createAccount, loggedIn, Client, uniqueEmail, rawRequest, assertStatus,
  listAllComments,
} from './harness.mjs';

const T = { timeout: 120_000 };

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>The Old Gazette</title>
<item><title>Lighthouse keepers return to Gull Point</title><link>https://gazette.example/lighthouse</link>
<guid>gz-1</guid><description>After forty years of automation, the lighthouse has keepers again.</description>
<pubDate>Tue, 01 Oct 2024 08:00:00 GMT</pubDate><category>Coast</category></item>
<item><title>Ferry timetable changes for the winter</title><link>https://gazette.example/ferry</link>
<guid>gz-2</guid><description>Fewer crossings from November; the night boat stops.</description>
<pubDate>Wed, 02 Oct 2024 08:00:00 GMT</pubDate><category>Transport</category></item>
</channel></rss>`;

const DISQUS = `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="t1"><link>https://gazette.example/lighthouse</link><title>Lighthouse keepers</title></thread>
<post dsq:id="p1"><message><![CDATA[<p>My grandfather kept that light.</p>]]></message>
<createdAt>2024-10-01T09:00:00Z</createdAt><author><email>ann@gazette.example</email><name>Ann</name></author>
<thread dsq:id="t1"/></post>
<post dsq:id="p2"><message><![CDATA[<p>What a lovely story, thank you.</p>]]></message>
<createdAt>2024-10-01T10:00:00Z</createdAt><author><email>bo@gazette.example</email><name>Bo</name></author>
<thread dsq:id="t1"/><parent dsq:id="p1"/></post>
</disqus>`;

// The slugs of the front page's Trending block, in order.
function trendingSlugs(html) {
  const start = html.indexOf('id="trending"');
  assert.ok(start >= 0, 'the front page has a Trending block');
  const block = html.slice(start, html.indexOf('</section>', start));
  return [...new Set([...block.matchAll(/href="\/articles\/([a-z0-9-]+)"/g)].map((m) => m[1]))];
}

describe('a new publisher: import, search, short link, trending', { timeout: 300_000 }, () => {
  let dataDir;
  let srv;
  let reader;
  let anon;

  before(async () => {
    dataDir = newDataDir();
    writeFileSync(join(dataDir, 'feed.xml'), RSS);
    writeFileSync(join(dataDir, 'disqus.xml'), DISQUS);
    const rss = await runCli(['import', 'rss', join(dataDir, 'feed.xml'), '--data', dataDir], { timeoutMs: 90_000 });
    assert.equal(rss.code, 0, `import rss: ${rss.stderr}`);
    const disqus = await runCli(['import', 'disqus', join(dataDir, 'disqus.xml'), '--data', dataDir], { timeoutMs: 90_000 });
    assert.equal(disqus.code, 0, `import disqus: ${disqus.stderr}`);
    const email = uniqueEmail('reader');
    await createAccount(undefined, dataDir, email, 'reader');
    srv = await startServer({ dataDir });
    reader = await loggedIn(srv.baseUrl, email);
    anon = new Client(srv.baseUrl);
  });
  after(async () => { await srv?.kill(); });

  async function articleTitled(q, title) {
    const r = await anon.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
    assertStatus(r, 200, `search ${q}`);
    const hit = r.body.items.find((i) => i.article.title === title);
    assert.ok(hit, `"${q}" finds "${title}": ${r.text}`);
    return hit;
  }

  test('search finds the imported articles by a stemmed word, with the Disqus thread under one of them', T, async () => {
    const hit = await articleTitled('keeper', 'Lighthouse keepers return to Gull Point');
    assert.match(hit.snippet, /<mark>/, 'the snippet marks the match');
    const { items: comments } = await listAllComments(anon, hit.article.id);
    assert.deepEqual(comments.map((c) => c.author.display_name).sort(), ['Ann', 'Bo']);
    const reply = comments.find((c) => c.author.display_name === 'Bo');
    assert.equal(reply.parent_id, comments.find((c) => c.author.display_name === 'Ann').id, 'the tree is kept');
    await articleTitled('ferries', 'Ferry timetable changes for the winter');
  });

  test('the short link answers 301 to the canonical article URL', T, async () => {
    const { article } = await articleTitled('lighthouse', 'Lighthouse keepers return to Gull Point');
    const path = new URL(article.short_url).pathname;
    assert.match(path, /^\/s\/[A-Za-z0-9_-]+$/);
    const r = await rawRequest(srv.baseUrl, { path });
    assert.equal(r.status, 301);
    assert.equal(new URL(r.headers.location, srv.baseUrl).pathname, `/articles/${article.slug}`);
    const page = await anon.get(new URL(r.headers.location, srv.baseUrl).pathname);
    assertStatus(page, 200, 'the canonical page');
  });

  test('Trending follows the comments as they arrive', T, async () => {
    const lighthouse = (await articleTitled('lighthouse', 'Lighthouse keepers return to Gull Point')).article;
    const ferry = (await articleTitled('ferry', 'Ferry timetable changes for the winter')).article;
    // The imported comments are years old: nothing is trending yet.
    assert.deepEqual(trendingSlugs((await anon.get('/')).text), []);
    const post = async (article, body) => {
      const r = await reader.post(`/api/v1/articles/${article.id}/comments`, { body });
      assertStatus(r, 201, 'comment');
      assert.equal(r.body.status, 'published', JSON.stringify(r.body));
    };
    await post(lighthouse, 'I will visit the lighthouse this weekend with my children.');
    assert.deepEqual(trendingSlugs((await anon.get('/')).text), [lighthouse.slug]);
    await post(ferry, 'Losing the night boat is hard on people who work late shifts.');
    await post(ferry, 'Is there a bus connection planned for the evenings instead?');
    assert.deepEqual(trendingSlugs((await anon.get('/')).text), [ferry.slug, lighthouse.slug],
      'two fresh comments put the ferry story first, at once');
  });
});
