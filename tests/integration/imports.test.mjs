// `tribune import rss|disqus|wxr` (issue 10): small files written here, the real CLI against a data directory, then
// a server on the same data to see the result through the API. Bad files (malformed, wrong encodings, entity bombs,
// XXE) exit non-zero with a clear message and leave nothing in the database.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

import {
  newDataDir, runCli, startServer, createAccount, loggedIn, Client, uniqueEmail, listAllComments, sql,
} from './harness.mjs';

const T = { timeout: 120_000 };

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old site</title>
<item><title>Harbour reopens after storm</title><link>https://old.example/2019/harbour</link><guid>old-1</guid>
<description>The harbour is open again.</description>
<content:encoded><![CDATA[<p>The harbour <a href="https://old.example/map">reopened</a>.</p><script>evil()</script><p>Boats are back.</p>]]></content:encoded>
<pubDate>Mon, 04 Feb 2019 10:00:00 GMT</pubDate><category>Local</category><category>Sea</category>
<enclosure url="https://old.example/harbour.jpg" type="image/jpeg" length="100"/></item>
<item><title>Second story</title><link>https://old.example/2019/second</link></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom site</title>
<entry><title>Atom entry one</title><link href="https://atom.example/one"/><id>urn:uuid:atom-1</id>
<updated>2020-03-04T05:06:07Z</updated><summary>Short summary</summary><category term="science"/></entry>
</feed>`;

const post = (id, thread, parent, body, email, name, extra = '') =>
  `<post dsq:id="${id}"><message><![CDATA[${body}]]></message><createdAt>2019-02-0${id.length}T12:00:00Z</createdAt>` +
  `${extra}<author><email>${email}</email><name>${name}</name><username>${name.toLowerCase()}</username></author>` +
  `<thread dsq:id="${thread}"/>${parent ? `<parent dsq:id="${parent}"/>` : ''}</post>`;

const WORST = 'You are a fucking idiot, go kill yourself';
const DISQUS = `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<category dsq:id="1"><forum>old</forum><title>General</title></category>
<thread dsq:id="t1"><link>https://old.example/2019/harbour</link><title>Harbour reopens</title><createdAt>2019-02-04T10:00:00Z</createdAt></thread>
<thread dsq:id="t2"><link>https://old.example/2018/new-thread</link><title>A thread only Disqus knew</title><createdAt>2018-01-01T00:00:00Z</createdAt></thread>
${post('p1', 't1', '', '<p>Glad it is open.</p>', 'ann@old.example', 'Ann')}
${post('p3', 't1', 'p2', '<p>Reply to the reply.</p>', 'cy@old.example', 'Cy')}
${post('p2', 't1', 'p1', '<p>Me too!</p>', 'bo@old.example', 'Bo')}
${post('p4', 't1', 'p1', `<p>${WORST}</p>`, 'troll@old.example', 'Troll')}
${post('p5', 't1', '', 'deleted one', 'ann@old.example', 'Ann', '<isDeleted>true</isDeleted>')}
${post('p6', 't1', '', 'buy pills', 'spam@old.example', 'Spam', '<isSpam>true</isSpam>')}
${post('p7', 't2', '', '<p>First on the new thread.</p>', 'ann@old.example', 'Ann')}
</disqus>`;

const WXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>WP</title>
<item><title>WordPress post</title><link>https://wp.example/?p=5</link><dc:creator>editor</dc:creator>
<guid isPermaLink="false">https://wp.example/?p=5</guid><content:encoded><![CDATA[First paragraph.

Second paragraph.]]></content:encoded><wp:post_id>5</wp:post_id><wp:post_date_gmt>2016-06-01 08:00:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="post_tag" nicename="x">Tagged</category>
<wp:comment><wp:comment_id>50</wp:comment_id><wp:comment_author>Wendy</wp:comment_author><wp:comment_author_email>w@wp.example</wp:comment_author_email>
<wp:comment_date_gmt>2016-06-02 09:00:00</wp:comment_date_gmt><wp:comment_content>Nice post
with two lines</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>51</wp:comment_id><wp:comment_author>Xavier</wp:comment_author><wp:comment_content>Thanks Wendy</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>50</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>52</wp:comment_id><wp:comment_author>Bot</wp:comment_author><wp:comment_content>cheap</wp:comment_content>
<wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item>
<item><title>A draft</title><wp:post_id>6</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>`;

describe('tribune import', () => {
  let dataDir;
  let modEmail;
  let feedServer;
  let feedUrl;
  const file = (name, body) => {
    const p = join(dataDir, name);
    writeFileSync(p, body);
    return p;
  };
  const counts = () => sql(dataDir, 'SELECT (SELECT COUNT(*) FROM articles) || \',\' || (SELECT COUNT(*) FROM comments)' +
    ' || \',\' || (SELECT COUNT(*) FROM accounts) || \',\' || (SELECT COUNT(*) FROM import_map)');
  const importCli = (kind, source) => runCli(['import', kind, source, '--data', dataDir], { timeoutMs: 90_000 });

  before(async () => {
    dataDir = newDataDir();
    modEmail = uniqueEmail('mod');
    await createAccount(undefined, dataDir, modEmail, 'moderator');
    feedServer = http.createServer((req, res) => {
      if (req.url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(`<rss version="2.0"><channel><item><title>From the network</title><link>https://net.example/a</link>` +
          `<guid>net-1</guid><description>Fetched over http</description></item></channel></rss>`);
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (req.url === '/to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      } else if (req.url === '/huge') {
        // 51 MB without a Content-Length: the download must stop at the 50 MB cap.
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(1 << 20, 'x');
        let sent = 0;
        const more = () => {
          while (sent < 51) {
            sent++;
            if (!res.write(chunk)) return res.once('drain', more);
          }
          res.end();
        };
        res.on('error', () => {});
        more();
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/feed.xml' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
    await new Promise((r) => feedServer.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${feedServer.address().port}`;
  });
  after(() => feedServer?.close());

  describe('refused files leave nothing behind', () => {
    const bad = {
      truncated: ['disqus', DISQUS.slice(0, DISQUS.length / 2), /malformed XML at line \d+, column \d+/],
      mismatched: ['wxr', '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>x</channel></rss>', /mismatched tag/],
      'declared UTF-8 with Latin-1 bytes': ['rss', Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<rss><channel><item><title>caf'),
        Buffer.from([0xe9]), Buffer.from('</title><guid>l1</guid></item></channel></rss>')]), /line 2, column \d+.*invalid token/],
      'unknown declared encoding': ['rss', '<?xml version="1.0" encoding="X-MAC-KLINGON"?><rss/>', /encoding "X-MAC-KLINGON".*not supported/],
      'billion laughs': ['disqus', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
        `<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><disqus><thread dsq:id="1" xmlns:dsq="http://disqus.com/disqus-internals"><title>&lol2;</title></thread></disqus>`,
      /declares the entity "lol"/],
      'XXE reading /etc/passwd': ['rss', '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        '<rss><channel><item><title>&xxe;</title><guid>x</guid></item></channel></rss>', /declares the entity "xxe"/],
      'external DTD with an undeclared entity': ['rss', '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd">' +
        '<rss><channel><item><title>&xxe;</title><guid>x</guid></item></channel></rss>', /never read/],
      'not a Disqus export': ['disqus', RSS, /not a Disqus export/],
    };
    for (const [name, [kind, body, message]] of Object.entries(bad)) {
      test(`${name}: non-zero exit, clear message, no rows`, T, async () => {
        const before = counts();
        const r = await importCli(kind, file(`bad-${name.replace(/\W+/g, '-')}.xml`, body));
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /nothing was imported/);
        assert.doesNotMatch(r.stdout + r.stderr, /root:x:0/);
        assert.equal(counts(), before);
      });
    }
    test('an http feed that answers 404: non-zero exit, no rows', T, async () => {
      const before = counts();
      const r = await importCli('rss', `${feedUrl}/missing.xml`);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /404/);
      assert.equal(counts(), before);
    });
    test('redirect loops and redirects away from http(s) are refused', T, async () => {
      const before = counts();
      const loop = await importCli('rss', `${feedUrl}/loop`);
      assert.notEqual(loop.code, 0);
      assert.match(loop.stderr, /redirect/i);
      const toFile = await importCli('rss', `${feedUrl}/to-file`);
      assert.notEqual(toFile.code, 0);
      assert.doesNotMatch(toFile.stdout + toFile.stderr, /root:x:0/);
      assert.equal(counts(), before);
    });
    test('a feed larger than 50 MB is refused', T, async () => {
      const before = counts();
      const r = await importCli('rss', `${feedUrl}/huge`);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /larger than 52428800 bytes/);
      assert.equal(counts(), before);
    });
    test('an unknown kind or a missing FILE is a usage error', T, async () => {
      assert.equal((await importCli('csv', 'x.csv')).code, 2);
      assert.equal((await runCli(['import', 'rss', '--data', dataDir])).code, 2);
    });
  });

  describe('imports, then the site shows them', () => {
    const out = {};
    before(async () => {
      for (const [name, kind, source] of [
        ['rss', 'rss', () => file('feed.xml', RSS)],
        ['atom', 'rss', () => file('atom.xml', ATOM)],
        ['http', 'rss', () => `${feedUrl}/moved`],
        ['disqus', 'disqus', () => file('disqus.xml', DISQUS)],
        ['wxr', 'wxr', () => file('wp.xml', WXR)],
      ]) {
        const src = source();
        const first = await importCli(kind, src);
        assert.equal(first.code, 0, `${name}: ${first.stdout}${first.stderr}`);
        const rowsAfterFirst = counts();
        const second = await importCli(kind, src);
        assert.equal(second.code, 0, `${name} again: ${second.stdout}${second.stderr}`);
        out[name] = { first: first.stdout, second: second.stdout, same: counts() === rowsAfterFirst };
      }
    });

    test('RSS, Atom and RSS over http: articles created once, with the feed\'s fields', T, async () => {
      assert.match(out.rss.first, /articles created: 2/);
      assert.match(out.atom.first, /articles created: 1/);
      assert.match(out.http.first, /articles created: 1/);
      for (const name of ['rss', 'atom', 'http']) {
        assert.match(out[name].second, /articles created: 0/);
        assert.match(out[name].second, /skipped: \d+ duplicates/);
        assert.ok(out[name].same, `${name}: a second run changed the database`);
      }
      const row = sql(dataDir, "SELECT slug, title, image_url, published_at, body FROM articles WHERE title = 'Harbour reopens after storm'");
      const [slug, title, image, published, body] = row.split('|');
      assert.equal(slug, 'harbour-reopens-after-storm');
      assert.equal(title, 'Harbour reopens after storm');
      assert.equal(image, 'https://old.example/harbour.jpg');
      assert.equal(Number(published), Date.UTC(2019, 1, 4, 10) * 1000);
      assert.match(body, /\[reopened\]\(https:\/\/old\.example\/map\)/);
      assert.doesNotMatch(body, /evil/);
      const tags = sql(dataDir, "SELECT tag FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE a.slug = 'harbour-reopens-after-storm' ORDER BY position");
      assert.deepEqual(tags.split('\n'), ['Local', 'Sea']);
      assert.equal(sql(dataDir, "SELECT COUNT(*) FROM articles WHERE title = 'From the network'"), '1');
      assert.equal(sql(dataDir, "SELECT COUNT(*) FROM articles WHERE title = 'Atom entry one'"), '1');
    });

    test('Disqus: counts printed, the thread matched by the RSS link, a second run imports nothing', T, async () => {
      assert.match(out.disqus.first, /threads: 1 created, 1 matched/);
      assert.match(out.disqus.first, /comments imported: 5/);
      assert.match(out.disqus.first, /skipped: 1 deleted, 1 spam/);
      assert.match(out.disqus.first, /authors created: 4/);
      assert.match(out.disqus.first, /1 would reject/);
      assert.match(out.disqus.second, /comments imported: 0/);
      assert.match(out.disqus.second, /skipped: 5 duplicates/);
      assert.ok(out.disqus.same);
      assert.match(out.wxr.first, /articles created: 1/);
      assert.match(out.wxr.first, /comments imported: 2/);
      assert.match(out.wxr.second, /comments imported: 0/);
      assert.ok(out.wxr.same);
    });

    describe('through the API', () => {
      let srv;
      let mod;
      before(async () => {
        srv = await startServer({ dataDir });
        mod = await loggedIn(srv.baseUrl, modEmail);
      });
      after(async () => { await srv?.kill(); });
      const articleId = (slug) => sql(dataDir, `SELECT id FROM articles WHERE slug = '${slug}'`);

      test('Disqus comments are under the RSS article with their tree, names and dates', T, async () => {
        const { items, total } = await listAllComments(new Client(srv.baseUrl), articleId('harbour-reopens-after-storm'));
        assert.equal(total, 4);
        const byBody = Object.fromEntries(items.map((c) => [c.body, c]));
        const top = byBody['Glad it is open.'];
        const reply = byBody['Me too!'];
        const deeper = byBody['Reply to the reply.'];
        const worst = byBody[WORST];
        assert.ok(top && reply && deeper && worst, JSON.stringify(items.map((c) => c.body)));
        assert.equal(top.parent_id, null);
        assert.equal(reply.parent_id, top.id);
        assert.equal(deeper.parent_id, reply.id);   // its parent came after it in the file
        assert.ok(items.indexOf(deeper) > items.indexOf(reply), 'a reply is listed after its parent');
        assert.equal(worst.parent_id, top.id);
        assert.equal(top.reply_count, 2);
        assert.equal(reply.reply_count, 1);
        assert.equal(top.author.display_name, 'Ann');
        assert.equal(Date.parse(top.created_at), Date.UTC(2019, 1, 2, 12));
        assert.equal(top.body_html, '<p>Glad it is open.</p>\n');
        assert.equal(worst.status, 'published');  // report only: nothing hidden
        const other = await listAllComments(new Client(srv.baseUrl), articleId('a-thread-only-disqus-knew'));
        assert.equal(other.total, 1);
      });

      test('WordPress comments keep their tree and line breaks', T, async () => {
        const { items } = await listAllComments(new Client(srv.baseUrl), articleId('wordpress-post'));
        assert.equal(items.length, 2);
        const [wendy, xavier] = items;
        assert.equal(wendy.author.display_name, 'Wendy');
        assert.equal(wendy.body, 'Nice post\nwith two lines');
        assert.equal(xavier.parent_id, wendy.id);
        assert.equal(sql(dataDir, "SELECT COUNT(*) FROM articles WHERE title = 'A draft'"), '0');
      });

      test('the worst comment is in the moderators\' reported queue with the engine\'s findings', T, async () => {
        const r = await mod.get('/api/v1/moderation/queue?state=reported');
        assert.equal(r.status, 200, r.text);
        const item = r.body.items.find((i) => i.comment.body === WORST);
        assert.ok(item, JSON.stringify(r.body.items.map((i) => i.comment.body)));
        assert.ok(item.findings.length > 0);
        assert.equal(item.reports.length, 1);
        assert.equal(item.author_history.status, 'imported');
        const anon = await new Client(srv.baseUrl).get('/api/v1/moderation/queue?state=reported');
        assert.equal(anon.status, 401);
      });

      test('imported authors are unclaimed profiles: no login, no recovery mail, one per author', T, async () => {
        assert.equal(sql(dataDir, "SELECT COUNT(*) FROM accounts WHERE status = 'imported' AND display_name = 'Ann'"), '1');
        assert.equal(sql(dataDir, "SELECT COUNT(*) FROM accounts WHERE status = 'imported' AND (password_hash <> '' OR email LIKE '%@%')"), '0');
        const stored = sql(dataDir, "SELECT email FROM accounts WHERE display_name = 'Ann' AND status = 'imported'");
        assert.equal(stored, `imported:${createHash('sha256').update('email:ann@old.example').digest('hex')}`);
        const mailsBefore = sql(dataDir, 'SELECT COUNT(*) FROM mail_outbox');
        for (const email of [stored, 'ann@old.example']) {
          for (const password of ['', 'correct horse battery staple']) {
            const r = await new Client(srv.baseUrl).post('/api/v1/session', { email, password });
            assert.ok(r.status === 401 || r.status === 400, `login as ${email}: ${r.status} ${r.text}`);
          }
          const reset = await new Client(srv.baseUrl).post('/api/v1/password-resets', { email, captcha: '' });
          assert.ok(reset.status < 500, reset.text);
        }
        assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM mail_outbox'), mailsBefore);
        assert.equal(sql(dataDir, "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.status = 'imported'"), '0');
      });
    });
  });
});
