// The header's data panel: `tribune panel import jhu-csse DIR` from small CSV files in the JHU CSSE layout,
// shown in the visit's language; disabled → gone; malformed input → non-zero exit and the old panel stays.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, runCli, newDataDir, rawRequest, sql } from './harness.mjs';

const T = { timeout: 60_000 };
const HEADER = 'Province/State,Country/Region,Lat,Long,1/22/20,1/23/20,3/9/23';

function jhuDir({ confirmed, deaths, recovered }) {
  const dir = mkdtempSync(join(tmpdir(), 'jhu-'));
  const rows = (last) => [
    `${HEADER}`,
    `,Afghanistan,33.93911,67.709953,0,0,${last[0]}`,
    `"Korea, South","Korea, South",35.907757,127.766922,1,1,${last[1]}`,
    `Repatriated Travellers,Canada,,,0,0,${last[2]}`,
  ].join('\r\n') + '\r\n';
  if (confirmed) writeFileSync(join(dir, 'time_series_covid19_confirmed_global.csv'), rows(confirmed));
  if (deaths) writeFileSync(join(dir, 'time_series_covid19_deaths_global.csv'), rows(deaths));
  if (recovered) writeFileSync(join(dir, 'time_series_covid19_recovered_global.csv'), rows(recovered));
  return dir;
}

async function header(srv, lang = '') {
  await rawRequest(srv.baseUrl, { method: 'POST', path: '/api/v1/testing/clock', headers: { 'content-type': 'application/json' }, body: '{"advance_seconds":11}' });
  const r = await rawRequest(srv.baseUrl, { path: `/${lang}`, headers: { accept: 'text/html' } });
  assert.equal(r.status, 200);
  return r.text.slice(r.text.indexOf('<header'), r.text.indexOf('</header>'));
}

describe('data panel', { timeout: 300_000 }, () => {
  let srv;
  let dataDir;
  const dirs = [];
  before(async () => {
    dataDir = newDataDir();
    const good = jhuDir({ confirmed: [1000000, 234000, 567], deaths: [10, 20, 30], recovered: [900000, 0, 1] });
    dirs.push(good);
    const r = await runCli(['panel', 'import', 'jhu-csse', good, '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /confirmed 1234567/);
    srv = await startServer({ dataDir, env: { TRIBUNE_SITE_EDITIONS: 'en,fr,ru', TRIBUNE_TESTING_CLOCK_CONTROL: 'true' } });
  });
  after(async () => {
    await srv?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('the front page header shows the totals, date and source in the visit\'s language', T, async () => {
    const en = await header(srv);
    assert.match(en, /COVID-19 global data/);
    assert.match(en, /data-figure="confirmed">1,234,567</);
    assert.match(en, /data-figure="recovered">900,001</);
    assert.match(en, /data-figure="deaths">60</);
    assert.match(en, /datetime="2023-03-09"/);
    assert.match(en, /href="https:\/\/github.com\/CSSEGISandData\/COVID-19"[^>]*>JHU CSSE</);
    const fr = await header(srv, 'fr/');
    assert.match(fr, /data-figure="confirmed">1\u202F234\u202F567</);
    const ru = await header(srv, 'ru/');
    assert.match(ru, /data-figure="confirmed">1\u00A0234\u00A0567</);
  });

  test('malformed input: non-zero exit, a clear message, the stored panel unchanged', T, async () => {
    const cases = [
      ['missing file', jhuDir({ confirmed: [1, 2, 3], deaths: [1, 2, 3] }), /recovered/],
      ['non-numeric cell', jhuDir({ confirmed: [1, 'lots', 3], deaths: [1, 2, 3], recovered: [1, 2, 3] }), /whole number/],
    ];
    const ragged = jhuDir({ confirmed: [1, 2, 3], deaths: [1, 2, 3], recovered: [1, 2, 3] });
    writeFileSync(join(ragged, 'time_series_covid19_deaths_global.csv'), `${HEADER}\n,X,1,2,3\n`);
    cases.push(['ragged rows', ragged, /fields/]);
    const wrongHeader = jhuDir({ confirmed: [1, 2, 3], deaths: [1, 2, 3], recovered: [1, 2, 3] });
    writeFileSync(join(wrongHeader, 'time_series_covid19_confirmed_global.csv'), 'Country,Total\nX,1\n');
    cases.push(['wrong header', wrongHeader, /header/]);
    const empty = jhuDir({ confirmed: [1, 2, 3], deaths: [1, 2, 3], recovered: [1, 2, 3] });
    writeFileSync(join(empty, 'time_series_covid19_recovered_global.csv'), '');
    cases.push(['empty file', empty, /empty/]);
    for (const [what, dir, message] of cases) {
      dirs.push(dir);
      const r = await runCli(['panel', 'import', 'jhu-csse', dir, '--data', dataDir]);
      assert.notEqual(r.code, 0, `${what}: exit ${r.code}`);
      assert.match(r.stderr, message, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /unchanged/);
    }
    assert.equal(sql(dataDir, 'SELECT confirmed FROM panels'), '1234567');
    assert.match(await header(srv), /data-figure="confirmed">1,234,567</);
    const usage = await runCli(['panel', 'import', 'who-knows', dirs[0], '--data', dataDir]);
    assert.equal(usage.code, 2, usage.stderr);
  });

  test('disabled → not shown; enabled again → shown; unknown panel → exit 1', T, async () => {
    let r = await runCli(['panel', 'disable', 'covid-19', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(await header(srv), /COVID-19|data-figure/);
    r = await runCli(['panel', 'enable', 'covid-19', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await header(srv), /data-figure="confirmed">1,234,567</);
    r = await runCli(['panel', 'disable', 'nothing-here', '--data', dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no panel named "nothing-here"/);
    assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM panels'), '1');
  });

  test('a bad Listen Live URL stops the server at start with a clear message', T, async () => {
    await assert.rejects(startServer({ dataDir: newDataDir(), env: { TRIBUNE_LISTEN_LIVE_EN: 'javascript:alert(1)' } }),
      /listen_live.en "javascript:alert\(1\)" must be an http:\/\/ or https:\/\/ URL/);
  });
});
