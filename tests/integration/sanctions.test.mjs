// Sanctions over HTTP (DESIGN.md D3): a moderator blocks a reader, who keeps reading, is refused every write
// but an appeal, appeals, is restored; a second block is final: it cannot be lifted nor appealed. Mails reach
// a real SMTP sink and every moderator action is in the audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrap, createArticle, commentTotal, assertError, assertStatus, assertTime } from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 60_000 };
const SUBJECT = 'restoration of account / unlock access';
const OWN_TEXT = 'The new bridge timetable is printed at every stop since Monday.';
const EXPLANATION = 'I lost my temper under the article about the bridge; I apologise and will keep to the rules.';

describe('sanctions and appeals', () => {
  let ctx, sink, articleId, readerId, ownComment;
  before(async () => {
    sink = await startSmtpSink();
    ctx = await bootstrap({
      accounts: { mod: 'moderator', admin: 'admin', editor: 'editor', reader: 'reader', other: 'reader' },
      env: { TRIBUNE_MAIL_SMTP_URL: sink.url, TRIBUNE_MAIL_POLL_MS: '50' },
    });
    articleId = (await createArticle(ctx.clients.editor)).id;
    readerId = ctx.clients.reader.account.id;
    const c = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: OWN_TEXT });
    assertStatus(c, 201, 'comment before the block');
    ownComment = c.body;
  });
  after(async () => {
    await ctx?.srv.stop();
    await sink?.close();
  });

  const mailsOf = (kind) => sink.messages.filter((m) =>
    m.envelope.rcptTo.some((r) => r.toLowerCase() === ctx.emails.reader.toLowerCase()) && m.headers['x-tribune-mail'] === kind);
  const waitMails = async (kind, n) => {
    const deadline = Date.now() + 10_000;
    while (mailsOf(kind).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(mailsOf(kind).length, n, `${n} ${kind} mail(s) to the reader`);
    return mailsOf(kind);
  };
  const block = (client, id, body) => client.post(`/api/v1/moderation/accounts/${id}/blocks`, body);
  const appeal = (client, body) => client.post('/api/v1/appeals', body);
  const valid = () => ({ subject: SUBJECT, user_id: readerId, explanation: EXPLANATION });

  test('a first block: the reader still reads, every other write is refused and stores nothing', T, async () => {
    const r = await block(ctx.clients.mod, readerId, { rule: 'insult_threat', note: 'Threats against another reader.' });
    assertStatus(r, 201, 'block');
    assert.equal(typeof r.body.id, 'string');
    assert.equal(r.body.block_number, 1);
    assert.equal(r.body.final, false);

    assertStatus(await ctx.clients.reader.me(), 200, 'GET /me while blocked');
    const total = await commentTotal(ctx.anon, articleId);
    assertError(await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: 'Another perfectly polite remark about the timetable.' }), 403, 'account_blocked', 'comment');
    assertError(await ctx.clients.reader.patch(`/api/v1/comments/${ownComment.id}`,
      { body: 'An edited remark about the timetable.' }), 403, 'account_blocked', 'edit');
    const otherComment = await ctx.clients.other.post(`/api/v1/articles/${articleId}/comments`,
      { body: 'Buses run every ten minutes on weekdays now.' });
    assertStatus(otherComment, 201);
    assertError(await ctx.clients.reader.post(`/api/v1/comments/${otherComment.body.id}/reports`,
      { rule: 'off_topic' }), 403, 'account_blocked', 'report');
    assert.equal(await commentTotal(ctx.anon, articleId), total + 1, 'only the other reader\'s comment is new');
    const list = await ctx.anon.get(`/api/v1/articles/${articleId}/comments?limit=200`);
    const own = list.body.items.find((c) => c.id === ownComment.id);
    assert.equal(own?.body, OWN_TEXT, 'the edit was not stored');
    assert.equal(own.edited_at, null);

    const blocks = await ctx.clients.mod.get(`/api/v1/moderation/accounts/${readerId}/blocks`);
    assertStatus(blocks, 200, 'list blocks');
    assert.equal(blocks.body.items.length, 1);
    assert.equal(blocks.body.items[0].rule, 'insult_threat');
    assertTime(blocks.body.items[0].created_at);

    const [mail] = await waitMails('account_blocked', 1);
    assert.match(mail.text, /insult_threat/);
    assert.match(mail.text, /\/appeal/);
    assert.doesNotMatch(mail.text, /final/);
  });

  test('appeals: bad letters are refused, a valid one is filed, a second while open conflicts', T, async () => {
    const long49 = 'x'.repeat(49);
    assertError(await appeal(ctx.clients.reader, { ...valid(), explanation: long49 }), 400, 'bad_request', '49 chars');
    assertError(await appeal(ctx.clients.reader, { user_id: readerId, explanation: EXPLANATION }), 400, 'bad_request', 'no subject');
    assertError(await appeal(ctx.clients.reader, { ...valid(), subject: 'please unblock me' }), 400, 'bad_request', 'subject');
    assertError(await appeal(ctx.clients.reader, { ...valid(), user_id: 'me' }), 400, 'bad_request', 'user_id');
    assertError(await appeal(ctx.clients.reader, { subject: SUBJECT, explanation: EXPLANATION }), 400, 'bad_request',
      'user_id missing');
    assertError(await appeal(ctx.clients.reader, { ...valid(), extra: 1 }), 400, 'bad_request', 'unknown field');
    assertError(await appeal(ctx.clients.reader, { ...valid(), user_id: ctx.clients.other.account.id }), 403, 'forbidden',
      'someone else\'s id');
    assertError(await appeal(ctx.clients.other, { ...valid(), user_id: ctx.clients.other.account.id }), 403, 'forbidden',
      'not blocked');
    assertError(await appeal(ctx.anon, valid()), 401, 'unauthenticated');
    const none = await ctx.clients.mod.get('/api/v1/moderation/appeals?state=open');
    assertStatus(none, 200);
    assert.equal(none.body.items.filter((a) => a.account.id === readerId).length, 0, 'nothing stored by refusals');

    const filed = await appeal(ctx.clients.reader, valid());
    assertStatus(filed, 201, 'appeal');
    assert.equal(filed.body.state, 'open');
    assert.equal(typeof filed.body.id, 'string');
    assertError(await appeal(ctx.clients.reader, valid()), 409, 'conflict', 'second appeal');

    const mine = await ctx.clients.reader.get('/api/v1/me/appeals');
    assertStatus(mine, 200, 'my appeals');
    assert.equal(mine.body.items.length, 1);
    assert.equal(mine.body.items[0].state, 'open');
  });

  test('a moderator lists open appeals and restores: the reader comments again', T, async () => {
    const open = await ctx.clients.mod.get('/api/v1/moderation/appeals?state=open');
    assertStatus(open, 200, 'list appeals');
    const a = open.body.items.find((x) => x.account.id === readerId);
    assert.ok(a, JSON.stringify(open.body));
    assert.equal(a.subject, SUBJECT);
    assert.equal(a.explanation, EXPLANATION);
    assert.equal(a.block.number, 1);
    assert.equal(a.block.rule, 'insult_threat');
    assert.equal(a.block.final, false);
    assert.equal(a.account.display_name, ctx.clients.reader.account.display_name);
    assertTime(a.created_at);
    assert.equal(a.decided_at, null);
    assert.ok('next_cursor' in open.body);

    assertError(await ctx.clients.mod.post(`/api/v1/moderation/appeals/${a.id}/decision`, { action: 'pardon' }), 400, 'bad_request');
    const decided = await ctx.clients.mod.post(`/api/v1/moderation/appeals/${a.id}/decision`,
      { action: 'restore', note: 'Apology accepted.' });
    assertStatus(decided, 200, 'restore');
    assert.equal(decided.body.state, 'restored');
    assert.equal(decided.body.note, 'Apology accepted.');
    assertTime(decided.body.decided_at);
    assertError(await ctx.clients.mod.post(`/api/v1/moderation/appeals/${a.id}/decision`, { action: 'deny' }), 409, 'conflict');

    const c = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: 'Thank you, the timetable at the stop is clearer now.' });
    assertStatus(c, 201, 'comment after the restore');
    const [mail] = await waitMails('appeal_decided', 1);
    assert.match(mail.text, /Apology accepted/);
    assert.equal(mailsOf('account_unblocked').length, 0);
  });

  test('a second block is final: no lifting, no appeal, no third block', T, async () => {
    const r = await block(ctx.clients.mod, readerId, { rule: 'insult_threat', note: 'Threats again.' });
    assertStatus(r, 201, 'second block');
    assert.equal(r.body.block_number, 2);
    assert.equal(r.body.final, true);
    assertError(await ctx.clients.mod.del(`/api/v1/moderation/accounts/${readerId}/blocks`), 403, 'forbidden', 'unblock');
    assertError(await appeal(ctx.clients.reader, valid()), 403, 'forbidden', 'appeal a final block');
    assertError(await block(ctx.clients.mod, readerId, { rule: 'insult_threat' }), 409, 'conflict', 'third block');
    const denied = await ctx.clients.reader.post(`/api/v1/articles/${articleId}/comments`,
      { body: 'One more polite remark about the buses.' });
    assertError(denied, 403, 'account_blocked');
    const mails = await waitMails('account_blocked', 2);
    assert.match(mails[1].text, /final/);
  });

  test('readers may not moderate, anonymous callers are asked to sign in, unknown accounts are 404', T, async () => {
    const otherId = ctx.clients.other.account.id;
    assertError(await block(ctx.clients.other, readerId, { rule: 'insult_threat' }), 403, 'forbidden');
    assertError(await ctx.clients.other.del(`/api/v1/moderation/accounts/${readerId}/blocks`), 403, 'forbidden');
    assertError(await ctx.clients.other.get(`/api/v1/moderation/accounts/${readerId}/blocks`), 403, 'forbidden');
    assertError(await ctx.clients.other.get('/api/v1/moderation/appeals'), 403, 'forbidden');
    assertError(await ctx.clients.other.post('/api/v1/moderation/appeals/1/decision', { action: 'restore' }), 403, 'forbidden');
    assertError(await ctx.clients.reader.get('/api/v1/moderation/appeals'), 403, 'forbidden');
    assertError(await block(ctx.anon, otherId, { rule: 'insult_threat' }), 401, 'unauthenticated');
    assertError(await ctx.anon.get('/api/v1/moderation/appeals'), 401, 'unauthenticated');
    assertError(await ctx.anon.get('/api/v1/me/appeals'), 401, 'unauthenticated');
    assertError(await block(ctx.clients.mod, ctx.clients.admin.account.id, { rule: 'insult_threat' }), 403, 'forbidden',
      'a moderator blocks an admin');
    assertError(await block(ctx.clients.mod, otherId, { rule: 'no_such_rule' }), 400, 'bad_request');
    assertError(await block(ctx.clients.mod, otherId, {}), 400, 'bad_request');
    assertError(await block(ctx.clients.mod, '987654321987', { rule: 'insult_threat' }), 404, 'not_found');
    assertError(await ctx.clients.mod.del(`/api/v1/moderation/accounts/${otherId}/blocks`), 404, 'not_found');
    assertError(await ctx.clients.mod.post('/api/v1/moderation/appeals/987654321987/decision', { action: 'deny' }), 404,
      'not_found');
    const blocks = await ctx.clients.mod.get(`/api/v1/moderation/accounts/${otherId}/blocks`);
    assertStatus(blocks, 200);
    assert.deepEqual(blocks.body.items, []);
  });

  test('the audit log holds every moderator action on the account, newest first', T, async () => {
    const r = await ctx.clients.admin.get(`/api/v1/moderation/audit?target_type=account&target_id=${readerId}`);
    assertStatus(r, 200, 'audit');
    assert.deepEqual(r.body.items.map((e) => e.action), ['account.block', 'appeal.restore', 'account.block']);
    const [second, restore, first] = r.body.items;
    assert.equal(first.actor_id, ctx.clients.mod.account.id);
    assert.equal(first.before.status, 'active');
    assert.equal(first.after.status, 'blocked');
    assert.equal(first.after.final, false);
    assert.equal(second.after.final, true);
    assert.equal(restore.note, 'Apology accepted.');
    assert.equal(restore.after.status, 'active');
  });
});
