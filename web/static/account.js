// The account pages' forms (register, log in, recovery, profile, appeal), sent to the JSON API.
// Page data (layout): lang, strings, viewer, csrf; per page: page, return_to, password {min, max},
// account_id, appeal_min/appeal_max. The captcha is the vendored ALTCHA widget (static/altcha/).
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('tribune-data').textContent);
  const S = data.strings || {};
  const t = (k, v = {}) => (S[k] || S.acct_failed || k).replace(/\{(\w+)\}/g, (_, n) => (n in v ? v[n] : ''));
  const $ = (sel, root = document) => root.querySelector(sel);
  const count = (s) => [...s].length;

  function say(box, text, kind = 'bad') {
    if (!box) return;
    box.textContent = '';
    if (!text) return;
    const p = document.createElement('p');
    p.className = `notice ${kind}`;
    p.textContent = text;
    box.append(p);
  }

  async function api(method, path, body, headers = {}) {
    const init = { method, headers: { ...headers }, credentials: 'same-origin' };
    if (data.csrf && method !== 'GET') init.headers['X-CSRF-Token'] = data.csrf;
    if (body instanceof Blob) init.body = body;
    else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch {
      return { ok: false, status: 0, error: { message: S.network_error } };
    }
    let json = null;
    try { json = JSON.parse(await res.text()); } catch { /* empty or not JSON */ }
    return { ok: res.ok, status: res.status, body: json, error: json && json.error, retry: res.headers.get('Retry-After') };
  }

  function problem(r) {
    if (r.status === 429) return t('acct_rate_limited', { n: Math.max(1, Math.ceil((Number(r.retry) || 60) / 60)) });
    if (r.error && r.error.code === 'captcha_failed') return t('acct_captcha_failed');
    return (r.error && r.error.message) || t('acct_failed');
  }

  // Only a path on this site: one leading "/", no "//" or backslash (no open redirect).
  const safePath = (p) => (typeof p === 'string' && /^\/(?![/\\])/.test(p) && !/[\\\u0000-\u001f]/.test(p) ? p : '/');

  // --- captcha (ALTCHA) ---
  const widgetOf = (form) => {
    const w = form.querySelector('altcha-widget');
    return w && !w.closest('[hidden]') ? w : null;
  };
  function solve(w) {
    return new Promise((resolve) => {
      const field = () => w.querySelector('input[name="captcha"]');
      if (w.getState() === 'verified' && field() && field().value) { resolve(field().value); return; }
      const on = (e) => {
        const st = e.detail && e.detail.state;
        if (st === 'verified') { w.removeEventListener('statechange', on); resolve(e.detail.payload || (field() && field().value)); }
        if (st === 'error' || st === 'expired') { w.removeEventListener('statechange', on); resolve(null); }
      };
      w.addEventListener('statechange', on);
      if (w.getState() !== 'verifying') w.verify();
    });
  }
  // {value} (undefined when the page has no widget), or null when the check failed (message shown).
  async function captcha(form, status) {
    const w = widgetOf(form);
    if (!w) return { value: undefined };
    say(status, t('acct_captcha_wait'), 'info');
    const value = await solve(w);
    say(status, '');
    if (!value) { say(status, t('acct_captcha_failed')); return null; }
    return { value };
  }
  const resetWidget = (form) => { const w = widgetOf(form); if (w) w.reset(); };

  function handle(form, fn) {
    if (!form) return;
    form.noValidate = true;
    // The submit button starts disabled in the page: without JavaScript the form cannot be sent (the page says why).
    const ready = form.querySelector('button[type="submit"]');
    if (ready) ready.disabled = false;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (form.dataset.busy) return;
      const button = form.querySelector('button[type="submit"]');
      form.dataset.busy = '1';
      if (button) button.disabled = true;
      try {
        await fn(form, form.querySelector('[data-status]'));
      } finally {
        delete form.dataset.busy;
        if (button) button.disabled = false;
      }
    });
  }

  function showDone(form, done) {
    form.hidden = true;
    done.hidden = false;
    done.focus();
  }

  // --- register ---
  handle($('form[data-form="register"]'), async (f, status) => {
    const v = { email: f.email.value.trim(), display_name: f.display_name.value.trim(), password: f.password.value };
    if (!v.email || !v.display_name || !v.password) return say(status, t('acct_fill_all'));
    if (!f.email.checkValidity()) return say(status, t('acct_bad_email'));
    const pw = data.password || { min: 12, max: 128 };
    const n = count(v.password);
    if (n < pw.min || n > pw.max) return say(status, t('acct_pw_length', pw));
    if (!f.accept_terms.checked) return say(status, t('acct_terms'));
    const c = await captcha(f, status);
    if (!c) return;
    const body = { ...v, accept_terms: true, language: data.lang };
    if (c.value) body.captcha = c.value;
    const r = await api('POST', '/api/v1/accounts', body);
    resetWidget(f);
    if (!r.ok) return say(status, problem(r));
    const done = $('#register-done');
    $('[data-done-email]', done).textContent = v.email;
    showDone(f, done);
  });

  // --- log in ---
  handle($('form[data-form="login"]'), async (f, status) => {
    const body = { email: f.email.value.trim(), password: f.password.value };
    if (!body.email || !body.password) return say(status, t('acct_fill_all'));
    const box = $('[data-login-captcha]', f);
    if (box && !box.hidden) {
      const c = await captcha(f, status);
      if (!c) return;
      if (c.value) body.captcha = c.value;
    }
    let r = await api('POST', '/api/v1/session', body);
    if (!r.ok && r.error && r.error.code === 'captcha_failed' && !box && !body.captcha) {
      body.captcha = 'off';  // the site checks no captchas: the throttle only needs a field
      r = await api('POST', '/api/v1/session', body);
    }
    if (r.ok) {
      const account = r.body && r.body.account;
      location.assign(account && account.status === 'blocked' ? '/blocked' : safePath(data.return_to));
      return;
    }
    if (box && !box.hidden) resetWidget(f);
    if (r.error && r.error.code === 'captcha_failed' && box && box.hidden) {
      box.hidden = false;
      say(status, t('acct_captcha_needed'), 'warn');
      return;
    }
    say(status, r.status === 401 ? t('acct_wrong_login') : problem(r));
  });

  // --- password recovery ---
  handle($('form[data-form="recover"]'), async (f, status) => {
    const body = { email: f.email.value.trim() };
    if (!body.email || !f.email.checkValidity()) return say(status, t('acct_bad_email'));
    const c = await captcha(f, status);
    if (!c) return;
    if (c.value) body.captcha = c.value;
    const r = await api('POST', '/api/v1/password-resets', body);
    resetWidget(f);
    if (!r.ok) return say(status, problem(r));
    showDone(f, $('#recover-done'));
  });

  // --- profile ---
  const img = $('#avatar-img');
  const removeButton = $('[data-avatar-remove]');
  handle($('form[data-form="avatar"]'), async (f, status) => {
    const file = f.file.files[0];
    if (!file) return say(status, t('acct_avatar_pick'));
    const r = await api('PUT', '/api/v1/me/avatar', file, { 'Content-Type': file.type || 'application/octet-stream' });
    if (!r.ok) return say(status, problem(r));
    img.src = r.body.avatar_url;
    removeButton.hidden = false;
    f.reset();
    say(status, t('acct_avatar_saved'), 'ok');
  });
  if (removeButton) {
    removeButton.addEventListener('click', async () => {
      const status = $('form[data-form="avatar"] [data-status]');
      const r = await api('DELETE', '/api/v1/me/avatar');
      if (!r.ok) return say(status, problem(r));
      img.src = `/api/v1/accounts/${data.account_id}/avatar?t=${Date.now()}`;
      removeButton.hidden = true;
      say(status, t('acct_avatar_removed'), 'ok');
    });
  }

  handle($('form[data-form="password"]'), async (f, status) => {
    const body = { current_password: f.current_password.value, new_password: f.new_password.value };
    if (!body.current_password || !body.new_password) return say(status, t('acct_fill_all'));
    const r = await api('POST', '/api/v1/me/password', body);
    if (!r.ok) return say(status, problem(r));
    f.reset();
    say(status, t('acct_pw_changed'), 'ok');
  });

  const sessionStatus = $('[data-sessions-status]');
  const endSession = async (li) => {
    const r = await api('DELETE', `/api/v1/me/sessions/${encodeURIComponent(li.dataset.session)}`);
    if (!r.ok && r.status !== 404) { say(sessionStatus, problem(r)); return false; }
    li.remove();
    return true;
  };
  document.addEventListener('click', async (e) => {
    const end = e.target.closest('[data-end-session]');
    if (end && (await endSession(end.closest('li')))) say(sessionStatus, t('acct_session_ended'), 'ok');
    if (!e.target.closest('[data-signout-all]')) return;
    for (const li of document.querySelectorAll('#sessions li:not([data-current])')) {
      if (!(await endSession(li))) return;
    }
    await api('DELETE', '/api/v1/session');
    location.assign('/login?return=/account');
  });

  // --- appeal ---
  const appeal = $('form[data-form="appeal"]');
  if (appeal) {
    const text = appeal.explanation;
    const counter = $('[data-count]', appeal);
    const min = data.appeal_min;
    const max = data.appeal_max;
    const update = () => { counter.textContent = `${count(text.value)} / ${max}`; };
    text.addEventListener('input', update);
    update();
    handle(appeal, async (f, status) => {
      const n = count(text.value.trim());
      if (n < min) return say(status, t('acct_appeal_short', { min, n }));
      if (n > max) return say(status, t('acct_appeal_long', { max }));
      const r = await api('POST', '/api/v1/appeals',
        { subject: f.subject.value, user_id: f.user_id.value, explanation: text.value.trim() });
      if (!r.ok) return say(status, problem(r));
      location.assign('/blocked?sent=1');
    });
  }
})();
