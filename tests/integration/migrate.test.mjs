// `tribune migrate --from sqlite:PATH --to postgresql://…` (issue 9): a site running on SQLite moves to
// PostgreSQL while its server keeps running; a server started on the copy serves the same articles,
// comments and accounts. Needs a PostgreSQL server: TRIBUNE_TEST_POSTGRES (`scripts/pg-test-cluster url`).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import {
  PG_BASE_URL, PASSWORD, newDataDir, runCli, startServer, loggedIn, createArticle, postComment, listAllComments,
  uniqueEmail, Client, assertStatus,
} from './harness.mjs';

// The source site runs on SQLite even when the harness runs everything else on PostgreSQL.
const SQLITE = { TRIBUNE_STORAGE_URL: '' };
const T = { timeout: 180_000 };

function psql(url, ...args) {
  return execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-d', url, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const created = [];
function freshDatabase() {
  const name = `tribune_mig_${randomBytes(6).toString('hex')}`;
  psql(PG_BASE_URL, '-c', `CREATE DATABASE ${name}`);
  created.push(name);
  const u = new URL(PG_BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Row counts of a few tables of a PostgreSQL database, as one string. */
function counts(url) {
  return psql(url, '-c', 'SELECT (SELECT count(*) FROM accounts) || \'/\' || (SELECT count(*) FROM articles) || ' +
    '\'/\' || (SELECT count(*) FROM comments) || \'/\' || (SELECT count(*) FROM meta)');
}

async function createSqliteAccount(dataDir, email, role) {
  const r = await runCli(['admin', 'create', '--data', dataDir, '--email', email, '--role', role],
    { input: `${PASSWORD}\n`, env: SQLITE });
  assert.equal(r.code, 0, `admin create ${email}: ${r.stdout}${r.stderr}`);
}

describe('tribune migrate: SQLite → PostgreSQL', { skip: !PG_BASE_URL && 'needs TRIBUNE_TEST_POSTGRES' }, () => {
  let dataDir;
  let source;           // the SQLite server
  let article;
  let comments;         // as the SQLite server lists them
  const emails = {};
  let readerId;
  let target;           // URL of the migrated database

  before(async () => {
    dataDir = newDataDir();
    emails.editor = uniqueEmail('editor');
    emails.reader = uniqueEmail('reader');
    await createSqliteAccount(dataDir, emails.editor, 'editor');
    await createSqliteAccount(dataDir, emails.reader, 'reader');
    source = await startServer({ dataDir, env: SQLITE });
    const editor = await loggedIn(source.baseUrl, emails.editor);
    const reader = await loggedIn(source.baseUrl, emails.reader);
    readerId = reader.account.id;
    article = await createArticle(editor, { title: 'Migrated story — «quotes» and "more"' });
    const first = await postComment(reader, article.id, 'First comment, with ümlauts and \'quotes\'.');
    await postComment(editor, article.id, 'A reply from the editor.', first.id);
    await postComment(reader, article.id, 'Second top-level comment.');
    comments = (await listAllComments(new Client(source.baseUrl), article.id)).items;
    assert.equal(comments.length, 3);
  });

  after(async () => {
    await source?.kill();
    for (const name of created) {
      try { psql(PG_BASE_URL, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* throw-away */ }
    }
  });

  test('copies a running site, every table verified', T, async () => {
    assert.ok(source.running, 'the SQLite server keeps running during the migration');
    target = freshDatabase();
    const r = await runCli(['migrate', '--from', `sqlite:${join(dataDir, 'tribune.db')}`, '--to', target],
      { env: SQLITE, timeoutMs: 120_000 });
    assert.equal(r.code, 0, `migrate exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /every table matches/);
    assert.doesNotMatch(r.stdout, /MISMATCH/);
    assert.match(r.stderr, /comments: \d+ rows copied/, 'progress per table on stderr');
    const row = (table) => {
      const m = new RegExp(`^${table}\\s+(\\d+)\\s+(\\d+)\\s+([0-9a-f]{16})\\s+([0-9a-f]{16})\\s+ok$`, 'm').exec(r.stdout);
      assert.ok(m, `no report line for ${table} in\n${r.stdout}`);
      assert.equal(m[1], m[2]);
      assert.equal(m[3], m[4]);
      return Number(m[1]);
    };
    assert.equal(row('comments'), 3);
    assert.equal(row('articles'), 1);
    assert.ok(row('accounts') >= 2);
    assert.ok(row('meta') >= 1, 'the site secrets move too');
    assert.doesNotMatch(r.stdout, /schema_migrations/);
    assert.equal(psql(target, '-c', 'SELECT count(*) FROM comments'), '3');
    assert.ok(source.running);
  });

  test('a server on the PostgreSQL copy serves the same site', T, async () => {
    assert.ok(target, 'the migration ran');
    const pgServer = await startServer({ dataDir: newDataDir(), env: { TRIBUNE_STORAGE_URL: target } });
    try {
      const anon = new Client(pgServer.baseUrl);
      const a = await anon.get(`/api/v1/articles/${article.id}`);
      assertStatus(a, 200, 'the article');
      assert.equal(a.body.title, article.title);
      const listed = (await listAllComments(anon, article.id)).items;
      assert.deepEqual(listed.map((c) => [c.id, c.parent_id, c.body]), comments.map((c) => [c.id, c.parent_id, c.body]));
      const reader = await loggedIn(pgServer.baseUrl, emails.reader);
      assert.equal(reader.account.id, readerId, 'same account, same password');
      const wrong = await new Client(pgServer.baseUrl).login(emails.reader, 'not the password at all');
      assert.notEqual(wrong.status, 200);
      // New rows get fresh ids next to the copied ones.
      const more = await postComment(reader, article.id, 'Posted after the move.');
      assert.ok(!comments.some((c) => c.id === more.id));
    } finally {
      await pgServer.stop();
    }
  });

  test('refuses a target that is not empty and leaves it as it was', T, async () => {
    assert.ok(target, 'the migration ran');
    const before = counts(target);
    const r = await runCli(['migrate', '--from', `sqlite:${join(dataDir, 'tribune.db')}`, '--to', target], { env: SQLITE });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not empty/);
    assert.match(r.stderr, /Nothing was written/);
    assert.equal(counts(target), before);
  });

  test('bad sources and targets fail with a clear message', T, async () => {
    const fresh = freshDatabase();
    let r = await runCli(['migrate', '--from', `sqlite:${join(dataDir, 'no-such.db')}`, '--to', fresh]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such\.db does not exist/);
    r = await runCli(['migrate', '--from', join(dataDir, 'tribune.db'), '--to', fresh]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--from must be sqlite:PATH/);
    r = await runCli(['migrate', '--from', `sqlite:${join(dataDir, 'tribune.db')}`, '--to', 'mysql://x@y/z']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--to must be a postgresql:\/\/… URL/);
    // Unreachable: the message names the server, never the password.
    r = await runCli(['migrate', '--from', `sqlite:${join(dataDir, 'tribune.db')}`,
      '--to', 'postgresql://tribune:hunter2secret@127.0.0.1:1/nothing'], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot open the target postgresql:\/\/tribune:\*\*\*@127\.0\.0\.1:1\/nothing/);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2secret/);
    assert.equal(psql(fresh, '-c', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '0',
      'nothing was created in the untouched target');
  });
});
