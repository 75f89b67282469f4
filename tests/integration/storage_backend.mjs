// The storage backend of the integration tests: SQLite files by default, or one PostgreSQL database per data
// directory when TRIBUNE_TEST_POSTGRES is set (`make pg-integration`). harness.mjs re-exports all of it.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve as resolvePath } from 'node:path';

/**
 * The storage backend under test. With TRIBUNE_TEST_POSTGRES set to a PostgreSQL URL whose role may CREATE DATABASE
 * (`scripts/pg-test-cluster url`), every data directory the harness hands out gets its own fresh database
 * `tribune_it_<random>`, and every server / CLI the harness spawns for that directory gets TRIBUNE_STORAGE_URL
 * pointing at it (the data directory still holds the mail spool, media, logs...). Without it: SQLite, as always.
 */
export const PG_BASE_URL = process.env.TRIBUNE_TEST_POSTGRES || '';
export const BACKEND = PG_BASE_URL ? 'postgresql' : 'sqlite';

/** PostgreSQL only: data directory (resolved) → URL of its database. */
const pgDatabases = new Map();

/** PostgreSQL only: `dir` uses the database of `dataDir` (another server on the same database). */
export function shareDatabase(dir, dataDir) {
  pgDatabases.set(resolvePath(dir), databaseUrlFor(dataDir));
}

// ---------------------------------------------------------------------------
// PostgreSQL: one database per data directory.

function psqlArgs(url, ...rest) {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...rest];
}

/** The URL of PG_BASE_URL's server with another database name (keeps user, host, port and query parameters). */
function withDatabase(baseUrl, name) {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * PostgreSQL only: the URL of the database that belongs to `dataDir`, created (empty) on first use. The same
 * directory always maps to the same database, so a server restarted on it finds its data again.
 */
export function databaseUrlFor(dataDir) {
  if (BACKEND !== 'postgresql') throw new Error('databaseUrlFor: TRIBUNE_TEST_POSTGRES is not set');
  const key = resolvePath(dataDir);
  let url = pgDatabases.get(key);
  if (url) return url;
  const name = `tribune_it_${randomBytes(8).toString('hex')}`;
  try {
    execFileSync('psql', psqlArgs(PG_BASE_URL, '-c', `CREATE DATABASE ${name}`), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`could not create the test database ${name} on ${PG_BASE_URL} (TRIBUNE_TEST_POSTGRES; ` +
      `\`scripts/pg-test-cluster start\` starts one): ${e.stderr || e.message}`);
  }
  url = withDatabase(PG_BASE_URL, name);
  pgDatabases.set(key, url);
  return url;
}

/** Environment that points a process at `dataDir`'s database: {} on SQLite (the database is a file in the directory). */
export function storageEnv(dataDir) {
  if (BACKEND !== 'postgresql' || !dataDir) return {};
  return { TRIBUNE_STORAGE_URL: databaseUrlFor(dataDir) };
}

/** Best effort, at exit: drop every database this process created (servers are killed first). */
export function dropDatabases() {
  if (pgDatabases.size === 0) return;
  const drops = [];
  for (const url of pgDatabases.values()) {
    drops.push('-c', `DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  }
  pgDatabases.clear();
  try {
    execFileSync('psql', psqlArgs(PG_BASE_URL, ...drops), { stdio: 'ignore', timeout: 60_000 });
  } catch { /* the cluster is throw-away anyway */ }
}

/**
 * One SQL statement on the database of a data directory, through the sqlite3 shell on SQLite or psql on
 * PostgreSQL; the output, trimmed: one row per line, columns joined by '|', NULL as ''. Throws if the statement
 * fails (the error message carries the shell's stderr). Write it portably: plain SQL, `||` for concatenation.
 */
export function sql(dataDir, query) {
  if (BACKEND === 'postgresql') {
    return execFileSync('psql', psqlArgs(databaseUrlFor(dataDir), '-A', '-t', '-F', '|', '-c', query),
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }
  // The server may hold the write lock for a moment: wait for it rather than fail with SQLITE_BUSY.
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(dataDir, 'tribune.db'), query],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

