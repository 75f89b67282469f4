// `tribune apikey create|list|revoke` (docs/INTEGRATIONS.md): the keys of the Perspective-compatible endpoints.
// The key is the last line of create's stdout and is stored only as its SHA-256; bad flags exit 2 and store nothing.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, newDataDir, sql, BACKEND } from './harness.mjs';

const T = { timeout: 60_000 };
const KEY = /^trb_[A-Za-z0-9_-]{43}$/;

const lastLine = (out) => out.trimEnd().split('\n').at(-1);
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const editionAndQps = (dataDir, key) => {
  const [edition, qps] = sql(dataDir, `SELECT edition, qps FROM api_keys WHERE key_hash = '${sha256(key)}'`).split('|');
  return [edition, Number(qps)];
};
const count = (dataDir, where = '1=1') => Number(sql(dataDir, `SELECT count(*) FROM api_keys WHERE ${where}`));

describe(`tribune apikey (${BACKEND})`, { timeout: 300_000 }, () => {
  let dataDir;
  before(async () => {
    dataDir = newDataDir();
    const r = await runCli(['apikey', 'list', '--data', dataDir]);  // creates and migrates the database
    assert.equal(r.code, 0, r.stderr);
  });

  test('create prints the key last; only its hash, prefix, edition and quota are stored', T, async () => {
    const r = await runCli(['apikey', 'create', '--data', dataDir, '--label', 'Coral prod']);
    assert.equal(r.code, 0, r.stderr);
    const key = lastLine(r.stdout);
    assert.match(key, KEY);
    const row = sql(dataDir, `SELECT prefix, label, edition, qps, revoked_at FROM api_keys WHERE key_hash = '${sha256(key)}'`).split('|');
    row[3] = Number(row[3]);  // sqlite3 prints 50.0, psql 50
    assert.deepEqual(row, [key.slice(0, 8), 'Coral prod', 'en', 50, '']);  // site default edition, default qps
    assert.equal(count(dataDir, `key_hash = '${key}' OR prefix = '${key}' OR label = '${key}'`), 0);

    const fr = await runCli(['apikey', 'create', '--data', dataDir, '--policy', 'fr', '--qps', '0']);
    assert.equal(fr.code, 0, fr.stderr);
    const frKey = lastLine(fr.stdout);
    assert.match(frKey, KEY);
    assert.notEqual(frKey, key);
    assert.deepEqual(editionAndQps(dataDir, frKey), ['fr', 0]);

    // The configured default edition and default quota apply.
    const cfg = await runCli(['apikey', 'create', '--data', dataDir],
      { env: { TRIBUNE_SITE_DEFAULT_EDITION: 'ru', TRIBUNE_INTEROP_APIKEY_DEFAULT_QPS: '2.5' } });
    assert.equal(cfg.code, 0, cfg.stderr);
    assert.deepEqual(editionAndQps(dataDir, lastLine(cfg.stdout)), ['ru', 2.5]);
  });

  test('list shows every key by id and prefix, never the key', T, async () => {
    const made = await runCli(['apikey', 'create', '--data', dataDir, '--label', 'listed']);
    const key = lastLine(made.stdout);
    const r = await runCli(['apikey', 'list', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(key));
    const line = r.stdout.split('\n').find((l) => l.includes(key.slice(0, 8)));
    assert.ok(line, r.stdout);
    assert.match(line, /\ben\b.*50\/s.*active.*listed$/);
    assert.equal(r.stdout.trim().split('\n').length, 1 + count(dataDir));  // a header, then one line per key
  });

  test('revoke by prefix or id; unknown or missing key refused', T, async () => {
    const a = lastLine((await runCli(['apikey', 'create', '--data', dataDir, '--label', 'to revoke'])).stdout);
    const b = lastLine((await runCli(['apikey', 'create', '--data', dataDir])).stdout);
    const r = await runCli(['apikey', 'revoke', a.slice(0, 8), '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(sql(dataDir, `SELECT revoked_at FROM api_keys WHERE key_hash = '${sha256(a)}'`), '');
    const idB = sql(dataDir, `SELECT id FROM api_keys WHERE key_hash = '${sha256(b)}'`);
    assert.equal((await runCli(['apikey', 'revoke', idB, '--data', dataDir])).code, 0);
    assert.notEqual(sql(dataDir, `SELECT revoked_at FROM api_keys WHERE id = ${idB}`), '');
    const listed = await runCli(['apikey', 'list', '--data', dataDir]);
    assert.match(listed.stdout.split('\n').find((l) => l.includes(a.slice(0, 8))), /revoked 20\d\d-/);

    const revoked = count(dataDir, 'revoked_at IS NOT NULL');
    const unknown = await runCli(['apikey', 'revoke', 'trb_zzzz', '--data', dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key/);
    assert.equal((await runCli(['apikey', 'revoke', '999999', '--data', dataDir])).code, 1);
    assert.equal((await runCli(['apikey', 'revoke', '--data', dataDir])).code, 2);
    assert.equal(count(dataDir, 'revoked_at IS NOT NULL'), revoked);
  });

  test('bad flags exit 2 with a message and store nothing', T, async () => {
    const before = count(dataDir);
    const bad = [
      ['--qps', 'abc'], ['--qps', '-1'], ['--qps', '1e7'], ['--qps', 'nan'], ['--qps', 'inf'], ['--qps', ''],
      ['--qps', '5x'], ['--policy', 'FR'], ['--policy', 'e'], ['--policy', 'en-gb'], ['--policy', 'abcdefghi'],
      ['--label', 'two\nlines'], ['--label', 'x'.repeat(101)], ['--bogus', '1'], ['extra'],
    ];
    for (const flags of bad) {
      const r = await runCli(['apikey', 'create', '--data', dataDir, ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /tribune apikey: .+/, flags.join(' '));
      assert.ok(!KEY.test(lastLine(r.stdout) ?? ''), flags.join(' '));
    }
    for (const args of [['apikey'], ['apikey', 'rotate'], ['apikey', 'list', 'extra'], ['apikey', 'list', '--qps', '1']]) {
      const r = await runCli([...args, '--data', dataDir]);
      assert.equal(r.code, 2, args.join(' '));
    }
    assert.equal(count(dataDir), before);
    if (BACKEND === 'sqlite') {
      // A bad flag does not even create the database.
      const fresh = join(newDataDir(), 'sub');
      assert.equal((await runCli(['apikey', 'create', '--data', fresh, '--qps', '-5'])).code, 2);
      assert.equal(existsSync(join(fresh, 'tribune.db')), false);
    }
  });
});
