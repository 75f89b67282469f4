// The engine learning the publisher's own standards: `tribune model train` from a labelled table, the model
// used by the server on posting, moderators' decisions teaching it further, and everything surviving a restart.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  newDataDir, createAccount, startServer, loggedIn, runCli, uniqueEmail, createArticle, assertStatus,
} from './harness.mjs';

const T = { timeout: 120_000 };

// A made-up scheme no lexicon knows ("zorblax" mining pools), and ordinary comments; varied by a seeded PRNG.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
function scheme(r) {
  return `${pick(r, ['Join', 'Try', 'Get into', 'Sign up for'])} the ${pick(r, ['zorblax', 'Zorblax'])} ` +
    `${pick(r, ['pool', 'mining pool', 'staking pool'])} ${pick(r, ['today', 'now', 'this week'])}, ` +
    `${pick(r, ['friends', 'folks', 'everyone'])}: ${pick(r, ['daily payouts', 'guaranteed yield', 'free tokens'])} ` +
    `${pick(r, ['for early members', 'for the first hundred', 'while it lasts'])}.`;
}
function ordinary(r) {
  return `${pick(r, ['The council', 'The mayor', 'Our district', 'The transport office', 'The school board'])} ` +
    `${pick(r, ['should explain', 'has to publish', 'never told us', 'finally announced', 'keeps delaying'])} ` +
    `${pick(r, ['the budget', 'the timetable', 'the repair plan', 'the new rules', 'the survey results'])} ` +
    `${pick(r, ['for the northern districts', 'before the vote', 'to the residents', 'this spring', 'in detail'])}.`;
}

describe('learning from moderators', () => {
  const dataDir = newDataDir();
  let srv;
  after(async () => { await srv?.kill(); });

  const stats = async () => {
    const r = await runCli(['model', 'stats', '--data', dataDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const examples = (s, label) => s.classes.find((c) => c.label === label)?.examples ?? 0;

  test('train from a table; garbage tables change nothing', T, async () => {
    const r = rng(7);
    const lines = ['# label<TAB>text'];
    for (let i = 0; i < 60; ++i) lines.push(`spam_scheme\t${scheme(r)}`);
    for (let i = 0; i < 60; ++i) lines.push(`ok\t${ordinary(r)}`);
    const file = join(dataDir, 'train.tsv');
    writeFileSync(file, lines.join('\n') + '\n');
    const trained = await runCli(['model', 'train', '--from', file, '--data', dataDir]);
    assert.equal(trained.code, 0, trained.stderr);
    let s = await stats();
    assert.equal(examples(s, 'spam_scheme'), 60);
    assert.equal(examples(s, 'ok'), 60);

    const bad = join(dataDir, 'bad.tsv');
    writeFileSync(bad, `ok\t${ordinary(r)}\nnot_a_rule\tsomething\n`);
    const refused = await runCli(['model', 'train', '--from', bad, '--data', dataDir]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /bad\.tsv:2/);
    s = await stats();
    assert.equal(examples(s, 'ok'), 60, 'nothing from a bad table is learned');
    assert.equal(s.updates, 120);
  });

  test('the server holds what the model learned, publishes the rest, and keeps learning from decisions', T, async () => {
    const modEmail = uniqueEmail('mod');
    const readerEmail = uniqueEmail('reader');
    await createAccount(undefined, dataDir, modEmail, 'moderator');
    await createAccount(undefined, dataDir, readerEmail, 'reader');
    const editorEmail = uniqueEmail('editor');
    await createAccount(undefined, dataDir, editorEmail, 'editor');
    srv = await startServer({ dataDir });
    const mod = await loggedIn(srv.baseUrl, modEmail);
    const reader = await loggedIn(srv.baseUrl, readerEmail);
    const editor = await loggedIn(srv.baseUrl, editorEmail);
    const article = await createArticle(editor);

    const r = rng(99);
    const spam = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: scheme(r) });
    assertStatus(spam, 201, 'post');
    assert.equal(spam.body.status, 'pending', JSON.stringify(spam.body));
    const f = spam.body.findings.find((x) => x.rule === 'spam_scheme');
    assert.ok(f, JSON.stringify(spam.body.findings));
    const fine = await reader.post(`/api/v1/articles/${article.id}/comments`, { body: ordinary(r) });
    assertStatus(fine, 201, 'post');
    assert.equal(fine.body.status, 'published', JSON.stringify(fine.body));

    // Two decisions: both are learned at once and written when the server stops.
    assertStatus(await mod.post(`/api/v1/moderation/comments/${spam.body.id}/decision`,
      { action: 'reject', rule: 'spam_scheme' }), 200, 'reject');
    assertStatus(await mod.post(`/api/v1/moderation/comments/${fine.body.id}/decision`, { action: 'approve' }),
      200, 'approve');
    assert.equal(await srv.stop(), 0);
    srv = null;
    const s = await stats();
    assert.equal(examples(s, 'spam_scheme'), 61);
    assert.equal(examples(s, 'ok'), 61);
    assert.equal(s.updates, 122);
  });

  test('a decision lost in a crash is learned again at start-up', T, async () => {
    const modEmail = uniqueEmail('mod');
    const editorEmail = uniqueEmail('editor');
    await createAccount(undefined, dataDir, modEmail, 'moderator');
    await createAccount(undefined, dataDir, editorEmail, 'editor');
    srv = await startServer({ dataDir });
    const mod = await loggedIn(srv.baseUrl, modEmail);
    const editor = await loggedIn(srv.baseUrl, editorEmail);
    const article = await createArticle(editor);
    const c = await mod.post(`/api/v1/articles/${article.id}/comments`, { body: ordinary(rng(5)) });
    assertStatus(c, 201, 'post');
    assertStatus(await mod.post(`/api/v1/moderation/comments/${c.body.id}/decision`, { action: 'approve' }), 200);
    await srv.kill();  // SIGKILL: no chance to save the model
    srv = await startServer({ dataDir });  // catches up from the decision records
    await srv.stop();
    srv = null;
    assert.equal(examples(await stats(), 'ok'), 62);
  });
});
