// Mail delivery through the outbox against a real SMTP server that scripts its replies: 4xx is retried with
// backoff, 5xx fails for good, nothing is sent twice; without an SMTP server mails land in .eml files.
// Also `tribune purge --reapply` after a backup from before a purge is restored.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, createAccount, Client, loggedIn, newDataDir, uniqueEmail, assertStatus, runCli, PASSWORD, until, sql, BACKEND
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 120_000 };

function outboxRow(dataDir, email) {
  const row = sql(dataDir, `SELECT state || '|' || attempts || '|' || message_id || '|' || last_error FROM mail_outbox WHERE recipient = '${email}'`);
  if (!row) return null;
  const [state, attempts, messageId, lastError] = row.split('|');
  return { state, attempts: Number(attempts), messageId, lastError };
}

const register = (client, email) => client.post('/api/v1/accounts',
  { email, password: PASSWORD, display_name: 'Mail Reader', accept_terms: true });

describe('mail delivery', { timeout: 300_000 }, () => {
  const cleanup = [];
  after(async () => { for (const fn of cleanup.reverse()) await fn(); });

  async function serverWith(sinkScript) {
    const sink = await startSmtpSink({ script: sinkScript });
    cleanup.push(() => sink.close()); // also when the server does not start: an open sink keeps this process alive
    const srv = await startServer({
      dataDir: newDataDir(),
      env: { TRIBUNE_MAIL_SMTP_URL: sink.url, TRIBUNE_MAIL_POLL_MS: '50', TRIBUNE_TESTING_CLOCK_CONTROL: 'true' },
    });
    cleanup.push(() => srv.kill());
    return { sink, srv, anon: new Client(srv.baseUrl) };
  }

  test('451 twice: retried after the backoff, delivered once with the stored Message-ID', T, async () => {
    const { sink, srv, anon } = await serverWith([{ code: 451, message: 'greylisted' }, { code: 451, message: 'still greylisted' }]);
    const email = uniqueEmail('retry');
    assertStatus(await register(anon, email), 201);
    const first = await until('the first attempt', () => { const r = outboxRow(srv.dataDir, email); return r?.attempts === 1 && r.state === 'pending' ? r : null; });
    assert.match(first.lastError, /451/);
    // Nothing is retried before its time: the next attempt waits for the backoff (30 s ± 50 %).
    await new Promise((r) => { setTimeout(r, 300); });
    assert.equal(outboxRow(srv.dataDir, email).attempts, 1);
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 46 }), 200);
    // The claim counts the attempt (state "sending") before the 451 comes back: wait for its outcome, or the clock
    // moves while it is in flight and the third attempt is scheduled from the moved clock (a flake under ASan).
    const second = await until('the second attempt', () => {
      const r = outboxRow(srv.dataDir, email);
      return r?.attempts === 2 && r.state === 'pending' ? r : null;
    });
    assert.match(second.lastError, /451/);
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 91 }), 200);
    const delivered = await sink.waitFor((m) => m.envelope.rcptTo.includes(email));
    const row = await until('sent', () => { const r = outboxRow(srv.dataDir, email); return r?.state === 'sent' ? r : null; });
    assert.equal(row.attempts, 3);
    assert.equal(delivered.messageId, row.messageId);
    await new Promise((r) => { setTimeout(r, 300); });
    assert.equal(sink.messages.filter((m) => m.envelope.rcptTo.includes(email)).length, 1, 'delivered exactly once');
  });

  test('550: the mail fails for good and the next mails still go out', T, async () => {
    const { sink, srv, anon } = await serverWith([{ code: 550, message: 'no such mailbox' }]);
    const bounced = uniqueEmail('bounce');
    assertStatus(await register(anon, bounced), 201);
    const row = await until('failed', () => { const r = outboxRow(srv.dataDir, bounced); return r?.state === 'failed' ? r : null; });
    assert.equal(row.attempts, 1);
    assert.match(row.lastError, /550/);
    const next = uniqueEmail('next');
    assertStatus(await register(anon, next), 201);
    await sink.waitFor((m) => m.envelope.rcptTo.includes(next));
    assertStatus(await anon.post('/api/v1/testing/clock', { advance_seconds: 7200 }), 200);
    await new Promise((r) => { setTimeout(r, 300); });
    assert.equal(sink.messages.filter((m) => m.envelope.rcptTo.includes(bounced)).length, 0);
  });

  test('without an SMTP server mails are .eml files under the data directory, and the log says where', T, async () => {
    const srv = await startServer({ dataDir: newDataDir() });
    cleanup.push(() => srv.kill());
    const email = uniqueEmail('spool');
    assertStatus(await register(new Client(srv.baseUrl), email), 201);
    const dir = join(srv.dataDir, 'mail');
    const file = await until('an .eml file', () => existsSync(dir) && readdirSync(dir).find((f) => f.endsWith('.eml')));
    const eml = readFileSync(join(dir, file), 'utf8');
    assert.match(eml, new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}\\r$`, 'm'));
    assert.match(eml, /X-Tribune-Mail: confirm_account/);
    assert.ok(srv.logs.stderr.includes(dir), `the log names ${dir}`);
  });
});

// The backup is a copy of the SQLite file (`.backup`), restored by copying it back.
describe('purge --reapply after a backup is restored', {
  timeout: 300_000, skip: BACKEND === 'postgresql' && 'backs up and restores the SQLite database file',
}, () => {
  test('an account purged after the backup was taken is erased again', T, async () => {
    const dataDir = newDataDir();
    let srv = await startServer({ dataDir, env: { TRIBUNE_TESTING_CLOCK_CONTROL: 'true' } });
    await createAccount(undefined, dataDir, 'purge-reader@example.com', 'reader');
    const reader = await loggedIn(srv.baseUrl, 'purge-reader@example.com');
    const id = (await reader.me()).body.id;
    execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(dataDir, 'tribune.db'), `.backup ${join(dataDir, 'backup.db')}`]);
    assertStatus(await reader.del('/api/v1/me'), 202);
    assertStatus(await new Client(srv.baseUrl).post('/api/v1/testing/clock', { advance_seconds: 31 * 86_400 }), 200);
    assert.equal(sql(dataDir, `SELECT status FROM accounts WHERE id = ${id}`), 'purged');
    assert.match(readFileSync(join(dataDir, 'purged-accounts.log'), 'utf8'), new RegExp(`^${id}$`, 'm'));
    assert.equal(await srv.stop(), 0);

    // The operator restores last night's backup: the account is back, with its e-mail address.
    for (const f of ['tribune.db-wal', 'tribune.db-shm']) rmSync(join(dataDir, f), { force: true });
    copyFileSync(join(dataDir, 'backup.db'), join(dataDir, 'tribune.db'));
    assert.equal(sql(dataDir, `SELECT email FROM accounts WHERE id = ${id}`), 'purge-reader@example.com');
    const r = await runCli(['purge', '--reapply', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /re-erased 1 account/);
    assert.equal(sql(dataDir, `SELECT COUNT(*) FROM accounts WHERE email = 'purge-reader@example.com'`), '0');
    assert.equal(sql(dataDir, `SELECT status FROM accounts WHERE id = ${id}`), 'purged');
    srv = await startServer({ dataDir });
    assert.equal((await new Client(srv.baseUrl).login('purge-reader@example.com', PASSWORD)).status, 401);
    await srv.kill();
  });
});
