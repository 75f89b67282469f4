// The pages that the links in account mails open: a GET only shows a form (mail scanners that fetch links
// change nothing), the form's POST does the work; no JavaScript needed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, createAccount, Client, loggedIn, newDataDir, uniqueEmail, assertStatus, PASSWORD,
} from './harness.mjs';
import { startSmtpSink } from './support/smtp_sink.mjs';

const T = { timeout: 60_000 };

describe('account pages', { timeout: 300_000 }, () => {
  let sink;
  let srv;

  before(async () => {
    sink = await startSmtpSink();
    srv = await startServer({ dataDir: newDataDir(), env: { TRIBUNE_MAIL_SMTP_URL: sink.url, TRIBUNE_MAIL_POLL_MS: '50' } });
  });
  after(async () => {
    await srv?.kill();
    await sink?.close();
  });

  const page = (path) => fetch(new URL(path, srv.baseUrl), { redirect: 'manual' });
  const submit = (path, fields) => fetch(new URL(path, srv.baseUrl), {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const mailTo = (to, kind) => sink.waitFor((m) => m.envelope.rcptTo.includes(to) && m.headers['x-tribune-mail'] === kind);

  test('/confirm: the GET shows a button and changes nothing; the POST confirms; a second POST is 410', T, async () => {
    const email = uniqueEmail('page');
    assertStatus(await new Client(srv.baseUrl).post('/api/v1/accounts',
      { email, password: PASSWORD, display_name: 'Page <Reader>', accept_terms: true }), 201);
    const link = sink.linkFrom(await mailTo(email, 'confirm_account'), '/confirm');
    const token = new URL(link).searchParams.get('token');
    const shown = await page(new URL(link).pathname + new URL(link).search);
    assert.equal(shown.status, 200);
    assert.equal(shown.headers.get('referrer-policy'), 'no-referrer');
    const html = await shown.text();
    assert.match(html, /<form[^>]+method="post"[^>]+action="\/confirm"/);
    assert.ok(html.includes(`value="${token}"`));
    const reader = await loggedIn(srv.baseUrl, email);
    assert.equal((await reader.me()).body.status, 'unconfirmed', 'a GET confirms nothing');
    const done = await submit('/confirm', { token });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /confirmed/);
    assert.equal((await reader.me()).body.status, 'active');
    assert.equal((await submit('/confirm', { token })).status, 410);
    assert.equal((await submit('/confirm', { token: 'forged' })).status, 400);
  });

  test('/password-reset/confirm: two different passwords are refused; the right form resets', T, async () => {
    const email = uniqueEmail('pagereset');
    await createAccount(undefined, srv.dataDir, email, 'reader');
    assertStatus(await new Client(srv.baseUrl).post('/api/v1/password-resets', { email }), 202);
    const token = sink.tokenFrom(await mailTo(email, 'password_reset'), '/password-reset/confirm');
    const form = await (await page(`/password-reset/confirm?token=${token}`)).text();
    assert.match(form, /type="password"/);
    assert.match(form, /autocomplete="new-password"/, 'password managers may fill it (ASVS 2.1.11)');
    assert.doesNotMatch(form, /onpaste/, 'pasting is not blocked');
    const differ = await submit('/password-reset/confirm', { token, password: 'velvet morning tide', again: 'other' });
    assert.equal(differ.status, 400);
    const ok = await submit('/password-reset/confirm', { token, password: 'velvet morning tide', again: 'velvet morning tide' });
    assert.equal(ok.status, 200);
    assertStatus(await new Client(srv.baseUrl).login(email, 'velvet morning tide'), 200);
  });

  test('/restore: the form restores a deleted account', T, async () => {
    const email = uniqueEmail('pagerestore');
    await createAccount(undefined, srv.dataDir, email, 'reader');
    const reader = await loggedIn(srv.baseUrl, email);
    assertStatus(await reader.del('/api/v1/me'), 202);
    const token = sink.tokenFrom(await mailTo(email, 'account_deleted'), '/restore');
    assert.equal((await page(`/restore?token=${token}`)).status, 200);
    assert.equal((await new Client(srv.baseUrl).login(email)).status, 401, 'still deleted after the GET');
    assert.equal((await submit('/restore', { token })).status, 200);
    assertStatus(await new Client(srv.baseUrl).login(email), 200);
  });

  test('a JSON body to a form endpoint is 415; /privacy shows the policy and its contact', T, async () => {
    const r = await fetch(new URL('/confirm', srv.baseUrl), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"x"}',
    });
    assert.equal(r.status, 415);
    const privacy = await page('/privacy');
    assert.equal(privacy.status, 200);
    const html = await privacy.text();
    assert.match(html, /Privacy policy/);
    assert.match(html, /privacy@localhost/);
  });
});
