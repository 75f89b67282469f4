import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrap, startServer, createArticle, listAllComments, Client, newDataDir, sleep, BACKEND,
} from './harness.mjs';

const LOOPS = 16;
const LOAD_MS = 2000;

function sqlite(dbPath, sql) {
  return new Promise((resolve) => {
    execFile('sqlite3', ['-cmd', '.timeout 10000', dbPath, sql], { timeout: 120_000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
}

describe('durability', { timeout: 300_000 }, () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.kill(); });

  test('kill -9 under write load loses no acknowledged comment; the database passes integrity_check', { timeout: 240_000 }, async (t) => {
    const dataDir = newDataDir();
    const accounts = { editor: 'editor' };
    for (let i = 0; i < 4; i++) accounts[`w${i}`] = 'reader';
    const ctx = await bootstrap({ dataDir, accounts });
    servers.push(ctx.srv);
    const article = await createArticle(ctx.clients.editor);
    const path = `/api/v1/articles/${article.id}/comments`;

    const acked = [];
    const failures = {};
    let stop = false;
    let n = 0;
    async function loop(k) {
      const c = ctx.clients[`w${k % 4}`];
      while (!stop) {
        const i = n++;
        const r = await c.raw('POST', path, {
          body: JSON.stringify({ body: `loop ${k} comment ${i}: the quick brown fox jumps over the lazy dog` }),
          headers: { 'content-type': 'application/json' },
          timeoutMs: 10_000,
        });
        if (!r.error && r.status === 201 && typeof r.body?.id === 'string') {
          acked.push(r.body.id);
        } else {
          const key = r.error ? `error ${r.error.code ?? r.error.message}` : `status ${r.status}`;
          failures[key] = (failures[key] ?? 0) + 1;
          if (r.error) return; // the server is gone
          await sleep(5);
        }
      }
    }

    const loops = Array.from({ length: LOOPS }, (_, k) => loop(k));
    await sleep(LOAD_MS);
    const ackedBeforeKill = acked.length;
    ctx.srv.proc.kill('SIGKILL'); // mid-load: the loops are still posting
    await ctx.srv.exited;
    stop = true;
    await Promise.all(loops);
    t.diagnostic(`acknowledged ${acked.length} comments (${ackedBeforeKill} before SIGKILL was sent); other outcomes: ${JSON.stringify(failures)}`);
    assert.ok(ackedBeforeKill > 0, `no comment was acknowledged during ${LOAD_MS} ms of load; outcomes: ${JSON.stringify(failures)}`);
    const nonErrors = Object.keys(failures).filter((k) => k.startsWith('status'));
    assert.deepEqual(nonErrors, [], `unexpected non-201 answers under load: ${JSON.stringify(failures)}`);

    const srv2 = await startServer({ dataDir });
    servers.push(srv2);
    const all = await listAllComments(new Client(srv2.baseUrl), article.id, { limit: 50, maxPages: 10_000 });
    const ids = all.items.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'no comment listed twice');
    const present = new Set(ids);
    const missing = acked.filter((id) => !present.has(id));
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${acked.length} acknowledged comments lost after kill -9`);
    assert.ok(all.total >= acked.length, `total ${all.total} < acknowledged ${acked.length}`);

    const code = await srv2.stop('SIGTERM', 15_000);
    assert.equal(code, 0, `restarted server exit code on SIGTERM: ${code}`);

    // On PostgreSQL there is no database file to check: the server's own crash recovery is not ours to test.
    if (BACKEND !== 'sqlite') { t.diagnostic(`${BACKEND}: no database file to integrity_check`); return; }
    const db = join(dataDir, 'tribune.db');
    assert.ok(existsSync(db), `${db} exists`);
    const r = await sqlite(db, 'PRAGMA integrity_check');
    assert.ok(!r.err, `sqlite3 failed: ${r.err?.message}\n${r.stderr}`);
    assert.equal(r.stdout.trim(), 'ok', `integrity_check: ${r.stdout}${r.stderr}`);
  });
});
