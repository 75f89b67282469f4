// The moderators' console: decisions through the JSON API, the queue's keyboard, the block dialog.
'use strict';
(() => {
  const data = JSON.parse(document.getElementById('tribune-data').textContent);
  const S = data.strings || {};
  const live = document.getElementById('console-live');
  const say = (text, bad, login) => {
    live.textContent = text;
    live.classList.toggle('bad', !!bad);
    if (login) {  // the session ended: a way back that returns here
      const a = document.createElement('a');
      a.href = '/login?return=' + encodeURIComponent(location.pathname + location.search);
      a.textContent = S['console.login_again'];
      live.append(' ', a);
    }
  };
  // A message that survives the reload after a change (block, bulk and cluster decisions).
  const FLASH = 'tribune-console-say';
  const reloadSaying = (text) => { try { sessionStorage.setItem(FLASH, text); } catch (e) { /* private mode */ } location.reload(); };
  try { const f = sessionStorage.getItem(FLASH); if (f) { sessionStorage.removeItem(FLASH); say(f); } } catch (e) { /* private mode */ }
  const fmt = (s, v) => (s || '').replace(/\{(\w+)\}/g, (m, k) => (k in v ? v[k] : m));

  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf || '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = new Error((out.error && out.error.message) || S['console.failed']);
      e.login = res.status === 401;
      throw e;
    }
    return out;
  }
  const run = (fn) => fn().catch((e) => say(e.message, true, e.login));

  // ---- the queue ----
  // An item being decided is "busy": it is skipped by the keyboard and the selection moves on at once, so that
  // pressing a, a, a approves three items, never the same one three times.
  const queue = document.getElementById('queue');
  const items = () => (queue ? [...queue.querySelectorAll('li.item:not(.busy)')] : []);
  let current = null;
  function select(li, focus = true) {
    if (!li) return;
    if (current) current.classList.remove('current');
    current = li;
    li.classList.add('current');
    if (focus) { li.focus({ preventScroll: true }); li.scrollIntoView({ block: 'nearest' }); }
  }
  function move(step) {
    const list = items();
    if (!list.length) return;
    const i = current ? list.indexOf(current) : -1;
    select(list[Math.max(0, Math.min(list.length - 1, i + step))] || list[0]);
  }
  // The item after li (or before it, at the end), skipping busy ones.
  function neighbour(li) {
    const all = queue ? [...queue.querySelectorAll('li.item')] : [];
    const i = all.indexOf(li);
    const free = (x) => x && x !== li && !x.classList.contains('busy');
    return all.slice(i + 1).find(free) || all.slice(0, Math.max(i, 0)).reverse().find(free) || null;
  }
  function decideItem(li, body, message) {
    if (li.classList.contains('busy')) return;
    li.classList.add('busy');
    li.setAttribute('aria-busy', 'true');
    let next = null;
    if (current === li) {
      const focus = li.contains(document.activeElement) || document.activeElement === document.body;
      li.classList.remove('current');
      current = null;
      next = neighbour(li);
      select(next, focus);
    }
    run(async () => {
      try {
        await decide(li, body);
      } catch (e) {  // the item stays; back to it unless the moderator moved on meanwhile
        li.classList.remove('busy');
        li.removeAttribute('aria-busy');
        if (current === next) select(li);
        throw e;
      }
      li.remove();
      if (!current) select(items()[0], false);
      say(message + (items().length ? '' : ' ' + S['console.empty']));
    });
  }
  const decide = (li, body) => api('POST', `/api/v1/moderation/comments/${li.dataset.id}/decision`,
    body.action === 'edit' || !li.dataset.status ? body : { ...body, expected_status: li.dataset.status });
  const act = {
    approve: (li) => decideItem(li, { action: 'approve' }, S['console.approved']),
    reject: (li) => {
      const rule = li.querySelector('.rule-select').value;
      decideItem(li, { action: 'reject', rule }, fmt(S['console.rejected'], { rule }));
    },
    edit: (li) => {
      const box = li.querySelector('.edit-box');
      box.hidden = false;
      box.querySelector('textarea').focus();
    },
    cancel: (li) => { li.querySelector('.edit-box').hidden = true; li.focus(); },
    save: (li) => run(async () => {
      const text = li.querySelector('.edit-box textarea').value;
      const c = await decide(li, { action: 'edit', body: text });
      li.querySelector('.comment-body').innerHTML = c.body_html;
      li.querySelector('.edit-box').hidden = true;
      say(S['console.saved']);
      li.focus();
    }),
    block: (el) => openBlock(el),
  };

  // ---- block dialog ----
  const dialog = document.getElementById('block-dialog');
  let blockTarget = null;
  function openBlock(el) {
    if (!dialog) return;
    blockTarget = el;
    const prior = Number(el.dataset.blocks || 0) > 0;
    dialog.querySelector('[data-slot=name]').textContent = el.dataset.authorName || '';
    dialog.querySelector('[data-slot=final]').hidden = !prior;
    dialog.querySelector('[data-slot=first]').hidden = prior;
    dialog.querySelector('[data-slot=error]').textContent = '';
    const sel = el.querySelector('.rule-select');
    dialog.querySelector('#block-rule').value = sel ? sel.value : '';  // no rule chosen by accident
    dialog.querySelector('#block-note').value = '';
    dialog.showModal();
  }
  if (dialog) {
    dialog.querySelector('#block-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const id = blockTarget.dataset.author || blockTarget.dataset.account;
      api('POST', `/api/v1/moderation/accounts/${id}/blocks`, { rule: f.rule.value, note: f.note.value })
        .then(() => {
          dialog.close();
          if (data.page === 'history') { reloadSaying(S['console.blocked']); return; }
          say(S['console.blocked']);
          // Every item of this author on the page now knows: a next block would be the final one.
          document.querySelectorAll(`li.item[data-author="${id}"]`).forEach((li) => {
            li.dataset.blocks = String(Number(li.dataset.blocks || 0) + 1);
            const tag = li.querySelector('.blocked-tag');
            if (tag) tag.hidden = false;
          });
        })
        .catch((e) => { dialog.querySelector('[data-slot=error]').textContent = e.message; });
    });
  }

  // ---- buttons ----
  document.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-act]');
    if (!b) return;
    const name = b.dataset.act;
    if (name === 'help') { document.getElementById('help-dialog').showModal(); return; }
    if (name === 'close-dialog') { b.closest('dialog').close(); return; }
    const li = b.closest('li.item[data-id]');
    if (li && act[name]) { select(li, false); act[name](li); return; }
    const acct = b.closest('[data-account]');
    if (name === 'block' && acct) { openBlock(acct); return; }
    if (name === 'unblock' && acct) {
      run(async () => {
        await api('DELETE', `/api/v1/moderation/accounts/${acct.dataset.account}/blocks`, { note: document.getElementById('unblock-note').value });
        reloadSaying(S['console.unblocked']);
      });
      return;
    }
    if ((name === 'bulk-approve' || name === 'bulk-reject') && acct) {
      const body = { action: name === 'bulk-approve' ? 'approve' : 'reject', since_hours: Number(document.getElementById('bulk-hours').value) };
      if (body.action === 'reject') body.rule = document.getElementById('bulk-rule').value;
      run(async () => {
        const r = await api('POST', `/api/v1/moderation/accounts/${acct.dataset.account}/comments/decision`, body);
        reloadSaying(fmt(S['console.decided'], { n: r.decided }));
      });
      return;
    }
    const cl = b.closest('[data-cluster]');
    if (cl && (name === 'cluster-approve' || name === 'cluster-reject')) {
      const body = { action: name === 'cluster-approve' ? 'approve' : 'reject' };
      if (body.action === 'reject') body.rule = document.getElementById('cluster-rule').value;
      run(async () => {
        const r = await api('POST', `/api/v1/moderation/clusters/${cl.dataset.cluster}/decision`, body);
        reloadSaying(fmt(S['console.decided'], { n: r.decided }));
      });
      return;
    }
    const ap = b.closest('li[data-appeal]');
    if (ap && (name === 'restore' || name === 'deny')) {
      run(async () => {
        await api('POST', `/api/v1/moderation/appeals/${ap.dataset.appeal}/decision`,
          { action: name, note: ap.querySelector('textarea').value });
        const rest = ap.parentElement.children.length - 1;
        ap.remove();
        say(S[name === 'restore' ? 'console.restored' : 'console.denied'] + (rest ? '' : ' ' + S['console.empty']));
      });
    }
  });

  // ---- keyboard (queue) ----
  if (queue) {
    queue.addEventListener('focusin', (ev) => { const li = ev.target.closest('li.item'); if (li && li !== current) select(li, false); });
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const t = ev.target;
      if (t.closest && t.closest('input, textarea, select, dialog, [contenteditable]')) {
        if (ev.key === 'Escape' && t.closest('.edit-box')) act.cancel(t.closest('li.item'));
        return;
      }
      const keys = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
      if (ev.key in keys) { ev.preventDefault(); move(keys[ev.key]); return; }
      if (ev.key === '?') { ev.preventDefault(); document.getElementById('help-dialog').showModal(); return; }
      const name = { a: 'approve', r: 'reject', e: 'edit', b: 'block' }[ev.key];
      if (!name && ev.key !== 'R') return;
      if (!current) select(items()[0]);
      if (!current) return;
      ev.preventDefault();
      if (ev.key === 'R') current.querySelector('.rule-select').focus();
      else act[name](current);
    });
    const first = items()[0];
    if (first) select(first, false);
  }

  // Local times for <time datetime> in tables.
  const df = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' });
  document.querySelectorAll('table time[datetime]').forEach((t) => { t.textContent = df.format(new Date(t.dateTime)); });
})();
