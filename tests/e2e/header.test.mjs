// The header in Chromium: Listen Live plays and pauses the edition's stream (served here by a tiny node server of
// its own, so the CSP's media-src must allow that origin), the search box, the data panel, and how it all fits on a
// desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServer, runCli, newDataDir } from '../integration/harness.mjs';
import { launchBrowser, newPage, assertClean, screenshot } from './browser.mjs';

const T = { timeout: 120_000 };
let server;
let browser;
let audio;
let audioUrl;
const audioRequests = [];
let csvDir;

// 60 s of 8 kHz 8-bit mono silence: long enough never to end during the test.
function wav(seconds = 60, rate = 8000) {
  const data = Buffer.alloc(seconds * rate, 0x80);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate, 28); h.writeUInt16LE(1, 32); h.writeUInt16LE(8, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

before(async () => {
  const body = wav();
  audio = http.createServer((req, res) => {
    audioRequests.push(req.url);
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range || '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : body.length - 1;
      res.writeHead(206, { 'content-type': 'audio/wav', 'accept-ranges': 'bytes',
        'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((r) => audio.listen(0, '127.0.0.1', r));
  audioUrl = `http://127.0.0.1:${audio.address().port}/live.wav`;

  const dataDir = newDataDir();
  csvDir = mkdtempSync(join(tmpdir(), 'jhu-e2e-'));
  const head = 'Province/State,Country/Region,Lat,Long,1/22/20,3/9/23\n';
  writeFileSync(join(csvDir, 'time_series_covid19_confirmed_global.csv'), `${head},A,0,0,1,676570149\n`);
  writeFileSync(join(csvDir, 'time_series_covid19_deaths_global.csv'), `${head},A,0,0,0,6881802\n`);
  writeFileSync(join(csvDir, 'time_series_covid19_recovered_global.csv'), `${head},A,0,0,0,0\n`);
  const imported = await runCli(['panel', 'import', 'jhu-csse', csvDir, '--data', dataDir]);
  assert.equal(imported.code, 0, imported.stderr);
  server = await startServer({ dataDir, env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru', TRIBUNE_LISTEN_LIVE_EN: audioUrl } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => (audio ? audio.close(r) : r()));
  if (csvDir) rmSync(csvDir, { recursive: true, force: true });
});

test('Listen Live plays the configured stream and pauses it, within the CSP', T, async () => {
  const res = await fetch(`${server.baseUrl}/`);
  assert.match(res.headers.get('content-security-policy'), new RegExp(`media-src 'self' https: http://127\\.0\\.0\\.1:${audio.address().port};`));
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/`);
  const button = page.getByRole('button', { name: 'Listen Live' });
  assert.equal(audioRequests.length, 0, 'nothing is fetched before the reader asks (preload="none")');
  await button.click();
  await page.waitForFunction(() => document.getElementById('listen-audio').paused === false);
  await page.waitForFunction(() => document.getElementById('listen-live').classList.contains('playing'));
  assert.ok(audioRequests.some((u) => u === '/live.wav'), `the stream was requested: ${audioRequests}`);
  await page.getByRole('button', { name: 'Pause live audio' }).click();
  await page.waitForFunction(() => document.getElementById('listen-audio').paused === true);
  await page.waitForFunction(() => !document.getElementById('listen-live').classList.contains('playing'));
  assert.equal(await page.locator('#listen-live').textContent(), 'Listen Live');
  assertClean(page);
});

test('no stream for an edition: no button and no listen.js', T, async () => {
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/fr/`);
  assert.equal(await page.locator('#listen-live').count(), 0);
  assert.equal(await page.locator('script[src*="listen.js"]').count(), 0);
  assertClean(page);
});

test('the search box sends q to /search', T, async () => {
  const page = await newPage(browser);
  await page.goto(`${server.baseUrl}/ru/`);
  await page.getByRole('searchbox', { name: 'Поиск по сайту' }).fill('паром');
  await page.getByRole('searchbox', { name: 'Поиск по сайту' }).press('Enter');
  await page.waitForURL(/\/search\?/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('q'), 'паром');
  assert.equal(url.searchParams.get('lang'), 'ru');
});

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]]) {
  test(`${name}: the header with search, Listen Live and the panel fits the screen`, T, async () => {
    const page = await newPage(browser, { viewport });
    await page.goto(`${server.baseUrl}/`);
    assert.equal(await page.locator('[data-figure="confirmed"]').textContent(), '676,570,149');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `the page is ${width} px wide on a ${viewport.width} px screen`);
    await screenshot(page, `header-${name}`);
    assertClean(page);
  });
}

test('axe finds no serious WCAG 2.1 AA problem in the full header (panel, Listen Live, search)', T, async () => {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/`);
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  await context.close();
  assert.deepEqual(violations, []);
});
