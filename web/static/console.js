// The moderators' console: decisions through the JSON API, the queue's keyboard, the block dialog.
'use strict';
(() => {
  const data = JSON.parse(document.getElementById('tribune-data').textContent);
  const S = data.strings || {};
  const live = document.getElementById('console-live');
  const say = (text, bad) => { live.textContent = text; live.classList.toggle('bad', !!bad); };
  const fmt = (s, v) => (s || '').replace(/\{(\w+)\}/g, (m, k) => (k in v ? v[k] : m));

  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf || '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((out.error && out.error.message) || S['console.failed']);
    return out;
  }
  const run = (fn) => fn().catch((e) => say(e.message, true));

  // ---- the queue ----
  const queue = document.getElementById('queue');
  const items = () => (queue ? [...queue.querySelectorAll('li.item')] : []);
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
  function leave(li, message) {
    const list = items();
    const next = list[list.indexOf(li) + 1] || list[list.indexOf(li) - 1];
    li.remove();
    current = null;
    say(message + (items().length ? '' : ' ' + S['console.empty']));
    if (next) select(next);
  }
  const decide = (li, body) => api('POST', `/api/v1/moderation/comments/${li.dataset.id}/decision`, body);
  const act = {
    approve: (li) => run(async () => { await decide(li, { action: 'approve' }); leave(li, S['console.approved']); }),
    reject: (li) => run(async () => {
      const rule = li.querySelector('.rule-select').value;
      await decide(li, { action: 'reject', rule });
      leave(li, fmt(S['console.rejected'], { rule }));
    }),
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
    if (sel) dialog.querySelector('#block-rule').value = sel.value;
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
          say(S['console.blocked']);
          if (document.body.dataset.reloadAfterBlock !== undefined || data.page === 'history') location.reload();
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
        say(S['console.unblocked']);
        location.reload();
      });
      return;
    }
    if ((name === 'bulk-approve' || name === 'bulk-reject') && acct) {
      const body = { action: name === 'bulk-approve' ? 'approve' : 'reject', since_hours: Number(document.getElementById('bulk-hours').value) };
      if (body.action === 'reject') body.rule = document.getElementById('bulk-rule').value;
      run(async () => {
        const r = await api('POST', `/api/v1/moderation/accounts/${acct.dataset.account}/comments/decision`, body);
        say(fmt(S['console.decided'], { n: r.decided }));
      });
      return;
    }
    const cl = b.closest('[data-cluster]');
    if (cl && (name === 'cluster-approve' || name === 'cluster-reject')) {
      const body = { action: name === 'cluster-approve' ? 'approve' : 'reject' };
      if (body.action === 'reject') body.rule = document.getElementById('cluster-rule').value;
      run(async () => {
        const r = await api('POST', `/api/v1/moderation/clusters/${cl.dataset.cluster}/decision`, body);
        say(fmt(S['console.decided'], { n: r.decided }));
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
