// The embeddable widget: a page on another origin with <script src=".../embed.js" data-article="...">
// shows the discussion in an iframe sized to its content; an origin not in embed.allowed_origins is refused
// by CSP frame-ancestors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launchBrowser, newPage, assertClean, screenshot } from './browser.mjs';
import {
  startServer, newDataDir, createAccount, TRIBUNE_BIN, loggedIn, uniqueEmail, createArticle, postComment,
} from '../integration/harness.mjs';

const T = { timeout: 120_000 };

function hostServer(html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('embeddable discussion', { timeout: 600_000 }, () => {
  let srv;
  let browser;
  let article;
  let allowed;
  let denied;
  let tribune = '';
  const page = (key) => () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head>
<body><h1>Partner site</h1><p>Our own story text.</p>
<script src="${tribune}/embed.js" data-article="${key()}"></script><p id="after">Footer of the partner page.</p></body></html>`;

  before(async () => {
    let key = '';
    allowed = await hostServer(page(() => key));
    denied = await hostServer(page(() => key));
    const dataDir = newDataDir();
    const editorEmail = uniqueEmail('editor');
    const readerEmail = uniqueEmail('reader');
    await createAccount(TRIBUNE_BIN, dataDir, editorEmail, 'editor');
    await createAccount(TRIBUNE_BIN, dataDir, readerEmail, 'reader');
    srv = await startServer({ dataDir, env: { TRIBUNE_EMBED_ALLOWED_ORIGINS: `http://127.0.0.1:${allowed.address().port}` } });
    tribune = srv.baseUrl;
    const editor = await loggedIn(srv.baseUrl, editorEmail);
    const reader = await loggedIn(srv.baseUrl, readerEmail);
    article = await createArticle(editor, { title: 'Storm warning for the coast' });
    key = `${srv.baseUrl}/articles/${article.slug}`;
    for (let i = 1; i <= 8; i++) await postComment(reader, article.id, `Ferry question number ${i}: will the morning boat run?`);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.kill();
    allowed?.close();
    denied?.close();
  });

  test('an allowed origin shows the discussion in a frame sized to its content', T, async () => {
    const p = await newPage(browser);
    await p.goto(`http://127.0.0.1:${allowed.address().port}/`);
    const frame = p.frameLocator('iframe.tribune-embed');
    await frame.locator('#thread li.comment', { hasText: 'Ferry question number 8' }).waitFor();
    const el = await p.locator('iframe.tribune-embed').elementHandle();
    const inner = await el.contentFrame();
    assert.match(inner.url(), new RegExp(`/embed/${article.slug}$`));
    const content = await inner.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
    assert.ok(content > 200, `content height ${content}`);
    await p.waitForFunction((h) => Math.abs(document.querySelector('iframe.tribune-embed').getBoundingClientRect().height - h) <= 1, content);
    // links open Tribune in a new tab; signing in happens there
    const open = frame.getByRole('link', { name: 'Open the article' });
    assert.equal(await open.getAttribute('target'), '_blank');
    assert.equal(await frame.locator('textarea').count(), 0);
    await screenshot(p, 'embed');
    assertClean(p);
    await p.context().close();
  });

  test('the frame follows its content when comments arrive', T, async () => {
    const p = await newPage(browser);
    await p.goto(`http://127.0.0.1:${allowed.address().port}/`);
    const frame = p.frameLocator('iframe.tribune-embed');
    await frame.locator('#thread li.comment').first().waitFor();
    const before = await p.locator('iframe.tribune-embed').evaluate((e) => e.getBoundingClientRect().height);
    const inner = await (await p.locator('iframe.tribune-embed').elementHandle()).contentFrame();
    await inner.evaluate(() => {
      const li = document.querySelector('#thread li.comment').cloneNode(true);
      li.id = 'c-extra';
      document.getElementById('thread').append(li, li.cloneNode(true), li.cloneNode(true));
    });
    await p.waitForFunction((b) => document.querySelector('iframe.tribune-embed').getBoundingClientRect().height > b + 100, before);
    assertClean(p);
    await p.context().close();
  });

  test('an origin that is not allowed is refused by frame-ancestors', T, async () => {
    const res = await fetch(`${srv.baseUrl}/embed/${article.slug}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy'), new RegExp(`frame-ancestors http://127\\.0\\.0\\.1:${allowed.address().port}(;|$)`));
    assert.equal(res.headers.get('x-frame-options'), null);
    const articlePage = await fetch(`${srv.baseUrl}/articles/${article.slug}`);
    assert.match(articlePage.headers.get('content-security-policy'), /frame-ancestors 'none'/);

    const p = await newPage(browser);
    const refused = p.waitForEvent('console', (m) => /frame-ancestors|Refused to frame/i.test(m.text()));
    await p.goto(`http://127.0.0.1:${denied.address().port}/`);
    await refused;
    const frame = await (await p.locator('iframe.tribune-embed').elementHandle()).contentFrame();
    assert.equal(await p.frameLocator('iframe.tribune-embed').locator('#discussion').count(), 0);
    assert.ok(!frame || !/\/embed\//.test(await frame.evaluate(() => document.body?.innerHTML || '').catch(() => '')));
    assertClean(p, [/frame-ancestors|Refused to frame/i]);
    await p.context().close();
  });
});
