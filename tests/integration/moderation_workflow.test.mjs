// The moderation workflow end to end, across its parts: readers' reports fill the queue, a rejection mails the
// author the rule, a moderator's edit is marked and audited, a bulk decision takes down a reader's recent
// comments, an admin deletes an account without notice — and the audit log has every step.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createAccount, loggedIn, newDataDir, uniqueEmail, assertError, assertStatus, articlePayload, Client, sql,
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 120_000 };

describe('moderation workflow', { timeout: 600_000 }, () => {
  let sink;
  let srv;
  let admin;
  let mod;
  let article;
  const readers = [];
  let author;
  let authorId;

  before(async () => {
    sink = await startSmtpSink();
    srv = await startServer({
      dataDir: newDataDir(),
      env: { TRIBUNE_MAIL_SMTP_URL: sink.url, TRIBUNE_MAIL_POLL_MS: '50', TRIBUNE_REPORTS_THRESHOLD: '3' },
    });
    await createAccount(undefined, srv.dataDir, 'wf-admin@example.com', 'admin');
    await createAccount(undefined, srv.dataDir, 'wf-mod@example.com', 'moderator');
    admin = await loggedIn(srv.baseUrl, 'wf-admin@example.com');
    mod = await loggedIn(srv.baseUrl, 'wf-mod@example.com');
    const a = await admin.post('/api/v1/articles', articlePayload());
    assertStatus(a, 201, 'article');
    article = a.body;
    const authorEmail = uniqueEmail('wf-author');
    await createAccount(undefined, srv.dataDir, authorEmail, 'reader');
    author = await loggedIn(srv.baseUrl, authorEmail);
    author.email = authorEmail;
    authorId = (await author.me()).body.id;
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail(`wf-reader${i}`);
      await createAccount(undefined, srv.dataDir, email, 'reader');
      readers.push(await loggedIn(srv.baseUrl, email));
    }
  });
  after(async () => {
    await srv?.kill();
    await sink?.close();
  });

  const post = async (client, body) => {
    const r = await client.post(`/api/v1/articles/${article.id}/comments`, { body });
    assertStatus(r, 201, 'post');
    return r.body;
  };
  const audit = async (type, id) => {
    const r = await admin.get(`/api/v1/moderation/audit?target_type=${type}&target_id=${id}`);
    assertStatus(r, 200, 'audit');
    return r.body.items.map((x) => x.action);
  };

  test('three reports → the reported queue → rejected with a rule → the author is mailed the rule', T, async () => {
    const c = await post(author, 'The council should publish the minutes of every meeting online.');
    for (const [i, reader] of readers.entries()) {
      const r = await reader.post(`/api/v1/comments/${c.id}/reports`, { rule: 'spam_scheme', note: `report ${i}` });
      assertStatus(r, 201, `report ${i}`);
      assert.equal(r.body.queued, i === 2, `queued after report ${i}`);
    }
    const queue = await mod.get('/api/v1/moderation/queue?state=reported');
    assertStatus(queue, 200);
    const item = queue.body.items.find((x) => x.comment.id === c.id);
    assert.ok(item, 'the reported comment is in the queue');
    assert.deepEqual(item.reports, [{ rule: 'spam_scheme', count: 3 }]);
    const decided = await mod.post(`/api/v1/moderation/comments/${c.id}/decision`, { action: 'reject', rule: 'spam_scheme' });
    assertStatus(decided, 200);
    const after = await mod.get('/api/v1/moderation/queue?state=reported');
    assert.ok(!after.body.items.some((x) => x.comment.id === c.id), 'a decision resolves the reports');
    const mail = await sink.waitFor((m) => m.envelope.rcptTo.includes(author.email) && m.headers['x-tribune-mail'] === 'comment_rejected');
    assert.match(mail.text, /spam_scheme/);
    assert.deepEqual(await audit('comment', c.id), ['comment.reject']);
  });

  test('a moderator\'s edit keeps the history, is marked, and is audited', T, async () => {
    const c = await post(author, 'My phone number is in my profile, call me about the bake sale.');
    const r = await mod.post(`/api/v1/moderation/comments/${c.id}/decision`,
      { action: 'edit', body: 'Call me about the bake sale (contact details removed by a moderator).' });
    assertStatus(r, 200);
    assert.equal(r.body.edited_by_moderator, true);
    const thread = await new Client(srv.baseUrl).get(`/api/v1/articles/${article.id}/comments?limit=200`);
    assert.equal(thread.body.items.find((x) => x.id === c.id).edited_by_moderator, true);
    const own = await post(author, 'A comment the author edits himself, with a typo.');
    const edited = await author.patch(`/api/v1/comments/${own.id}`, { body: 'A comment the author edits himself, without a typo.' });
    assertStatus(edited, 200);
    assert.equal(edited.body.edited_by_moderator, false);
    const actions = await admin.get(`/api/v1/moderation/audit?target_type=comment&target_id=${c.id}`);
    assert.equal(actions.body.items[0].action, 'comment.edit');
    assert.match(actions.body.items[0].before.body, /phone number/);
    assert.match(actions.body.items[0].after.body, /removed by a moderator/);
  });

  test('a bulk decision rejects the reader\'s recent comments in one go', T, async () => {
    const ids = [];
    for (const text of ['First of a series of remarks on parking.', 'Second remark: the meters are broken.']) {
      ids.push((await post(author, text)).id);
    }
    assertError(await mod.post(`/api/v1/moderation/accounts/${authorId}/comments/decision`, { action: 'reject', rule: 'nope' }),
      400, 'bad_request', 'unknown rule');
    assertError(await readers[0].post(`/api/v1/moderation/accounts/${authorId}/comments/decision`, { action: 'reject', rule: 'spam_scheme' }),
      403, 'forbidden', 'a reader');
    const r = await mod.post(`/api/v1/moderation/accounts/${authorId}/comments/decision`, { action: 'reject', rule: 'spam_scheme', since_hours: 1 });
    assertStatus(r, 200);
    assert.ok(r.body.decided >= 2, JSON.stringify(r.body));
    const thread = await new Client(srv.baseUrl).get(`/api/v1/articles/${article.id}/comments?limit=200`);
    for (const id of ids) assert.ok(!thread.body.items.some((x) => x.id === id), `comment ${id} taken down`);
  });

  test('an admin deletes an account without notice: erased, no mail, audited; moderators may not', T, async () => {
    const email = uniqueEmail('wf-gone');
    await createAccount(undefined, srv.dataDir, email, 'reader');
    const gone = await loggedIn(srv.baseUrl, email);
    const id = (await gone.me()).body.id;
    assertError(await mod.del(`/api/v1/moderation/accounts/${id}`), 403, 'forbidden');
    assertStatus(await admin.del(`/api/v1/moderation/accounts/${id}`), 204);
    assertError(await gone.me(), 401, 'unauthenticated');
    const row = sql(srv.dataDir, `SELECT status, email FROM accounts WHERE id = ${id}`);
    assert.equal(row, `purged|purged-${id}@invalid`);
    assertError(await admin.del(`/api/v1/moderation/accounts/${id}`), 404, 'not_found', 'twice');
    await new Promise((r) => { setTimeout(r, 300); });
    assert.equal(sink.messages.filter((m) => m.envelope.rcptTo.includes(email)).length, 0, 'no mail');
    assert.deepEqual(await audit('account', id), ['account.delete']);
    assertError(await mod.get('/api/v1/moderation/audit'), 403, 'forbidden', 'moderators do not read the audit log');
  });
});
