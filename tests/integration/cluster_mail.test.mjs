// Several servers on one PostgreSQL database (issue 9): the mail outbox is shared, and no mail is sent twice.
// Two `tribune serve` processes, A and B, on one database, both with their outbox worker polling quickly and
// pointed at one SMTP sink (npm smtp-server). Registrations split across both nodes each enqueue one
// confirmation mail into the shared mail_outbox; either worker may claim any of them.
//
// How this can fail: a worker claims a mail with an UPDATE … RETURNING inside a write (state 'pending' →
// 'sending', attempts + 1, a 5-minute lease), then sends it outside the transaction with the Message-ID stored
// in the row. If both workers could claim the same row (no serialisation of the write batches, or a claim that
// does not re-check the row's state after waiting for another claimer's lock, or a lease shorter than a send),
// both would hand the same row to the SMTP server: the sink would receive that Message-ID twice and its
// recipient two messages, and both nodes would log "mail sent" for it. A mail that no worker finishes (a claim
// lost between the nodes, a sent row never marked) shows up as a missing message or a row not in state 'sent'.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKEND, Client, PASSWORD, newDataDir, newDataDirSharing, databaseUrlFor, startServer, uniqueEmail, assertStatus,
  until, sleep, sql,
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 180_000 };
const MAILS = 40; // registrations, half on each node: one confirmation mail each

/** Message-IDs a server's log (stderr, JSON lines) reports as sent. */
function sentInLog(srv) {
  const ids = [];
  for (const line of srv.logs.stderr.split('\n')) {
    if (!line.includes('"msg":"mail sent"')) continue;
    const m = /"message_id":"([^"]*)"/.exec(line);
    if (m) ids.push(m[1]);
  }
  return ids;
}

describe('two servers on one PostgreSQL database share the mail outbox', { skip: BACKEND !== 'postgresql' && 'needs PostgreSQL (make pg-integration)', timeout: 300_000 }, () => {
  let sink;
  let A;
  let B;

  before(async () => {
    sink = await startSmtpSink();
    const dirA = newDataDir('tribune-it-mail-a-');
    const dirB = newDataDirSharing(dirA, 'tribune-it-mail-b-');
    const env = { TRIBUNE_MAIL_SMTP_URL: sink.url, TRIBUNE_MAIL_POLL_MS: '20', TRIBUNE_CAPTCHA_REQUIRED: 'false' };
    A = await startServer({ dataDir: dirA, env });
    B = await startServer({ dataDir: dirB, env: { ...env, TRIBUNE_STORAGE_URL: databaseUrlFor(dirA) } });
  });

  after(async () => {
    await A?.stop();
    await B?.stop();
    await sink?.close();
  });

  test('registrations on both nodes: every mail is sent once, by one worker, and marked sent', T, async (t) => {
    assert.equal(databaseUrlFor(A.dataDir), databaseUrlFor(B.dataDir), 'one database');
    const anon = { A: new Client(A.baseUrl), B: new Client(B.baseUrl) };
    const emails = Array.from({ length: MAILS }, (_, i) => uniqueEmail(`cm${i}`));

    // All at once: both workers poll every 20 ms while the outbox fills from both nodes.
    const results = await Promise.all(emails.map((email, i) => {
      const node = i % 2 === 0 ? 'A' : 'B';
      return anon[node].post('/api/v1/accounts', { email, password: PASSWORD, display_name: 'Cluster Mail Reader', accept_terms: true })
        .then((r) => ({ r, node, email }));
    }));
    for (const { r, node, email } of results) assertStatus(r, 201, `register ${email} on ${node}`);

    const inList = emails.map((e) => `'${e}'`).join(', ');
    const rowsOf = () => sql(A.dataDir, `SELECT recipient || '|' || state || '|' || attempts || '|' || message_id FROM mail_outbox WHERE recipient IN (${inList}) ORDER BY id`)
      .split('\n').filter(Boolean).map((l) => { const [recipient, state, attempts, messageId] = l.split('|'); return { recipient, state, attempts: Number(attempts), messageId }; });

    // One mail per registration in the shared outbox.
    const queued = rowsOf();
    assert.deepEqual(queued.map((x) => x.recipient).sort(), [...emails].sort(), 'one outbox row per registration');

    await until(`the sink to receive ${MAILS} mails and every row to be sent`, () =>
      sink.messages.length >= MAILS && rowsOf().every((x) => x.state === 'sent'), 60_000);
    // A duplicate would come from a second claim of a row already claimed, within a poll or two: give both
    // workers many more rounds (20 ms each) to send one.
    await sleep(1500);

    const received = sink.messages;
    const byId = new Map();
    for (const m of received) byId.set(m.messageId, (byId.get(m.messageId) ?? 0) + 1);
    const twice = [...byId].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no Message-ID received twice');
    assert.equal(received.length, MAILS, `exactly ${MAILS} messages received`);
    for (const email of emails) {
      const got = received.filter((m) => m.envelope.rcptTo.includes(email));
      assert.equal(got.length, 1, `${email} got exactly one message`);
      assert.equal(got[0].headers['x-tribune-mail'], 'confirm_account', `${email}: the confirmation mail`);
    }

    // The database: every row of this test sent, once (a row claimed twice would show attempts 2), and the
    // Message-IDs received are exactly those stored.
    const rows = rowsOf();
    assert.deepEqual(rows.filter((x) => x.state !== 'sent' || x.attempts !== 1), [], 'every row sent on its first attempt');
    assert.deepEqual(rows.map((x) => x.messageId).sort(), [...byId.keys()].sort(), 'the stored Message-IDs were received');
    // And no row of the outbox at all is left unsent (nothing else in this database is pending or stuck).
    assert.equal(sql(A.dataDir, "SELECT COUNT(*) FROM mail_outbox WHERE state <> 'sent'"), '0', 'every mail_outbox row is sent');

    // The workers' own account: each Message-ID logged as sent by one node only. Both nodes should have done
    // some of the work (both poll every 20 ms while the registrations arrive); reported, not required.
    const sentA = sentInLog(A);
    const sentB = sentInLog(B);
    const both = sentA.filter((id) => sentB.includes(id));
    assert.deepEqual(both, [], 'no mail sent by both nodes');
    assert.equal(new Set([...sentA, ...sentB]).size, sentA.length + sentB.length, 'no mail logged as sent twice');
    assert.equal(sentA.length + sentB.length, MAILS, `the nodes logged ${MAILS} sends between them`);
    t.diagnostic(`sent by A: ${sentA.length}, by B: ${sentB.length}`);
  });
});
