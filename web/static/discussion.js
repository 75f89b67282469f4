// The article page's discussion (also inside the /embed/ frame): short link, "show more", live updates
// (Server-Sent Events), and for signed-in readers: post, reply, edit, delete, report, with the engine's
// explanations (reason + highlighted spans). Comments are cloned from the server's own markup
// (<template id="tpl-comment">, rendered from comment.mustache), so both look the same.
'use strict';
(() => {
  const data = JSON.parse(document.getElementById('tribune-data').textContent);
  const S = data.strings || {};
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'long', timeStyle: 'short' });
  const localise = (root) => root.querySelectorAll('time[datetime]').forEach((t) => {
    const d = new Date(t.dateTime);
    if (!isNaN(d)) t.textContent = fmt.format(d);
  });

  const shortLink = $('short-link');
  if (shortLink) shortLink.addEventListener('click', async (e) => {
    e.preventDefault();
    const url = new URL(shortLink.getAttribute('href'), location.href).href;
    const input = $('short-url-value');
    input.value = url;
    $('short-url').hidden = false;
    input.focus();
    input.select();
    try {
      await navigator.clipboard.writeText(url);
      $('short-status').textContent = S.d_copied;
    } catch { /* the URL is selected: the reader copies it */ }
  });

  const root = $('discussion');
  if (!root || !data.article) return;
  localise(document);
  const thread = $('thread');
  const status = $('discussion-status');
  const me = data.viewer ? data.viewer.id : null;
  const max = data.max_length || 5000;
  const own = new Map(Object.entries(data.own || {}));
  const base = `/api/v1/articles/${data.article.id}`;
  let cursor = data.next_cursor;
  let total = data.total || 0;
  let seq = 0;

  const announce = (msg) => { status.textContent = msg; };
  const setCount = (d) => {
    total = Math.max(0, total + d);
    $('comment-count').textContent = String(total);
  };
  const byId = (id) => $('c' + id);
  const newTab = (scope) => {
    if (data.embed) scope.querySelectorAll('a[href]:not([href^="#"])').forEach((a) => { a.target = '_blank'; a.rel = 'noopener'; });
  };

  async function api(method, path, body) {
    const opts = { method, headers: { 'x-csrf-token': data.csrf || '' }, credentials: 'same-origin' };
    if (body !== undefined) {
      opts.headers['content-type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let res;
    try { res = await fetch(path, opts); } catch { return { status: 0, json: { error: { message: S.network_error } } }; }
    let json = null;
    if (res.status !== 204) { try { json = await res.json(); } catch { json = null; } }
    return { status: res.status, json };
  }
  const errorText = (r) => (r.json && r.json.error && r.json.error.message) || S.network_error;

  // --- one comment, from the server's template -------------------------------------------------
  function render(c) {
    const deleted = c.status === 'deleted';
    const li = $(deleted ? 'tpl-deleted' : 'tpl-comment').content.querySelector('li').cloneNode(true);
    li.id = 'c' + c.id;
    li.dataset.id = c.id;
    li.dataset.parent = c.parent_id || '';
    li.dataset.status = c.status;
    li.dataset.author = (!deleted && c.author && c.author.id) || '';
    li.classList.toggle('pending', c.status === 'pending');
    if (!deleted) {
      li.querySelector('.who').textContent = c.author.display_name;
      li.querySelector('.when').href = '#c' + c.id;
      const t = li.querySelector('time');
      t.dateTime = c.created_at;
      t.textContent = fmt.format(new Date(c.created_at));
      if (!c.edited_at) li.querySelector('.edited').remove();
      if (c.status !== 'pending') li.querySelector('.badge').remove();
      li.querySelector('.comment-body').innerHTML = c.body_html; // the server's safe Markdown rendering
      if (me && c.author.id === me) own.set(String(c.id), c.body);
    }
    decorate(li);
    newTab(li);
    return li;
  }

  function decorate(li) {
    const slot = li.querySelector(':scope > .comment-box > .comment-actions');
    if (!slot || !me || data.embed || li.dataset.status === 'deleted') return;
    slot.replaceChildren($('tpl-actions').content.cloneNode(true));
    const mine = li.dataset.author === me;
    slot.querySelectorAll(mine ? '.act-report' : '.act-edit, .act-delete').forEach((b) => b.remove());
    if (li.dataset.status === 'pending') slot.querySelector('.act-reply')?.remove();
  }

  // Places a comment: in its parent's replies (or beside the parent at the deepest level), by id order;
  // an existing one is replaced in place, keeping its replies and any open form. Returns true when new.
  function place(li, c) {
    const old = byId(c.id);
    if (old) {
      li.dataset.depth = old.dataset.depth;
      li.querySelector(':scope > ol.replies').replaceWith(old.querySelector(':scope > ol.replies'));
      const form = old.querySelector(':scope > .comment-box > form.editor');
      if (form && li.dataset.status !== 'deleted') li.querySelector(':scope > .comment-box').append(form);
      old.replaceWith(li);
      return false;
    }
    let container = thread;
    let depth = 1;
    const parent = c.parent_id && byId(c.parent_id);
    if (parent) {
      const pd = Number(parent.dataset.depth) || 1;
      if (pd >= 4) { container = parent.parentElement; depth = pd; } else { container = parent.querySelector(':scope > ol.replies'); depth = pd + 1; }
    }
    li.dataset.depth = depth;
    const id = BigInt(c.id);
    const next = [...container.children].find((x) => x.dataset.id && BigInt(x.dataset.id) > id);
    container.insertBefore(li, next || null);
    $('thread-empty')?.remove();
    return true;
  }

  // A comment from the list or the live stream. `live`: it changes the count and is announced.
  function upsert(c, live) {
    if (c.status === 'pending' && !(me && c.author && c.author.id === me)) return;
    const old = byId(c.id);
    const before = old ? old.dataset.status : null;
    const isNew = place(render(c), c);
    if (!live) return;
    if ((isNew || before !== 'published') && c.status === 'published') {
      setCount(1);
      if (isNew && !(c.author && c.author.id === me)) announce((S.d_new || '').replace('{name}', c.author.display_name));
    } else if (before === 'published' && c.status !== 'published') {
      setCount(-1);
    }
  }

  // --- show more ---------------------------------------------------------------------------------
  const more = $('show-more');
  if (more) more.addEventListener('click', async (e) => {
    e.preventDefault();
    if (!cursor) return;
    more.setAttribute('aria-disabled', 'true');
    const r = await api('GET', `${base}/comments?cursor=${encodeURIComponent(cursor)}`);
    more.removeAttribute('aria-disabled');
    if (r.status !== 200) return announce(errorText(r));
    const known = new Set([...thread.querySelectorAll('li.comment')].map((li) => li.id));
    r.json.items.forEach((c) => upsert(c, false));
    cursor = r.json.next_cursor;
    announce(S.d_loaded);
    if (cursor) return;
    // The button goes away: keyboard focus moves to the first comment that came in, not to the page's top.
    more.parentElement.remove();
    const first = [...thread.querySelectorAll('li.comment')].find((li) => !known.has(li.id));
    first?.querySelector('a.when, button')?.focus();
  });

  // --- live updates ------------------------------------------------------------------------------
  async function reloadThread() {
    const r = await api('GET', `${base}/comments`);
    if (r.status !== 200) return;
    thread.replaceChildren();
    r.json.items.forEach((c) => upsert(c, false));
    cursor = r.json.next_cursor;
    total = r.json.total;
    setCount(0);
  }
  if ('EventSource' in window) {
    const es = new EventSource(`${base}/live`);
    es.addEventListener('comment', (e) => upsert(JSON.parse(e.data), true));
    es.addEventListener('removed', (e) => {
      const li = byId(JSON.parse(e.data).id);
      if (!li) return;
      if (li.dataset.status === 'published') setCount(-1);
      li.remove();
    });
    es.addEventListener('reset', reloadThread);
  }

  if (data.embed) {
    const post = () => parent.postMessage({ type: 'tribune:height', height: Math.ceil(document.body.getBoundingClientRect().height) }, '*');
    new ResizeObserver(post).observe(document.body);
    window.addEventListener('load', post);
    newTab(document);
    post();
  }
  thread.querySelectorAll('li.comment').forEach(decorate);
  if (!me || data.embed) return;

  // --- explanations: the rule's reason and the offending spans, highlighted ----------------------
  // The standards in the page's language (the note above the thread links to them with ?lang=).
  const standards = root.querySelector('.standards-note a')?.getAttribute('href') || '/standards';
  const ruleName = (id) => ((data.rules || []).find((r) => r.id === id) || { name: id }).name;
  function highlight(text, findings) {
    const bytes = new TextEncoder().encode(text);
    const dec = new TextDecoder();
    const at = (b) => dec.decode(bytes.slice(0, Math.max(0, Math.min(b, bytes.length)))).length;
    const spans = findings.flatMap((f) => f.spans || []).map(([s, e]) => [at(s), at(e)]).filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([...s]);
    }
    const out = el('blockquote', 'preview');
    let pos = 0;
    for (const [s, e] of merged) {
      out.append(text.slice(pos, s), el('mark', null, text.slice(s, e)));
      pos = e;
    }
    out.append(text.slice(pos));
    return out;
  }
  function explain(box, headline, text, findings, tone) {
    const n = el('div', `notice ${tone}`);
    n.append(el('p', 'headline', headline));
    for (const f of findings || []) {
      const p = el('p', 'finding');
      const a = el('a', null, ruleName(f.rule));
      a.href = `${standards}#rule-${f.rule}`;
      a.target = '_blank';
      a.rel = 'noopener';
      p.append(el('strong', null, `${S.d_rule} `), a, `: ${f.reason || ''}`);
      n.append(p);
    }
    // "Change the highlighted part" only when something is highlighted.
    if ((findings || []).some((f) => (f.spans || []).length)) n.append(highlight(text, findings), el('p', null, S.d_fix));
    box.replaceChildren(n);
  }
  const escapeHtml = (s) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const plainHtml = (s) => s.trim().split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');

  // --- editors: the main composer, replies, edits --------------------------------------------------
  function wire(form, { parentId = null, commentId = null, initial = '', onDone = null }) {
    const ta = form.querySelector('textarea');
    const counter = form.querySelector('.counter');
    const send = form.querySelector('button[type=submit]');
    const box = form.querySelector('.explain');
    let editing = commentId; // a held comment is fixed by editing it
    ta.value = initial;
    const update = () => {
      const n = [...ta.value].length;
      counter.textContent = `${n} / ${max}`;
      counter.classList.toggle('over', n > max);
      send.disabled = !ta.value.trim() || n > max;
    };
    ta.addEventListener('input', update);
    update();
    form.querySelector('.cancel').addEventListener('click', () => (onDone ? onDone() : null));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = ta.value;
      if ([...text].length > max) return explain(box, S.d_too_long, text, [], 'bad');
      send.disabled = true;
      const r = editing
        ? await api('PATCH', `/api/v1/comments/${editing}`, { body: text })
        : await api('POST', `${base}/comments`, parentId ? { body: text, parent_id: parentId } : { body: text });
      update();
      if (r.status === 422 && r.json.error.code === 'rejected') {
        const f = r.json.error.findings || [];
        return explain(box, f.length ? S.d_rejected : `${S.d_rejected} ${r.json.error.message || ''}`, text, f, 'bad');
      }
      if (r.status !== 200 && r.status !== 201) return explain(box, errorText(r), text, [], 'bad');
      let c;
      if (r.status === 200) {
        c = r.json;
      } else {
        c = { id: r.json.id, parent_id: parentId, author: { id: me, display_name: data.viewer.display_name }, body: text,
          body_html: r.json.body_html ?? plainHtml(text), created_at: r.json.created_at || new Date().toISOString(),
          edited_at: null, status: r.json.status };
      }
      const was = byId(c.id);
      const before = was ? was.dataset.status : null;
      place(render(c), c);
      if (c.status === 'published' && before !== 'published') setCount(1);
      if (c.status === 'pending') {
        editing = c.id;
        explain(box, S.d_held, text, r.json.findings || [], 'warn');
        return;
      }
      box.replaceChildren();
      ta.value = '';
      editing = commentId;
      update();
      announce(S.d_published);
      if (onDone) onDone();
    });
  }

  function openEditor(li, opts) {
    const boxEl = li.querySelector(':scope > .comment-box');
    if (boxEl.querySelector(':scope > form.editor')) return boxEl.querySelector('textarea').focus();
    const frag = $('tpl-editor').content.cloneNode(true);
    const form = frag.querySelector('form');
    const prefix = `e${++seq}`;
    form.querySelector('label').htmlFor = `${prefix}-body`;
    form.querySelector('textarea').id = `${prefix}-body`;
    form.querySelector('textarea').setAttribute('aria-describedby', `${prefix}-count`);
    form.querySelector('.counter').id = `${prefix}-count`;
    boxEl.append(form);
    const done = () => { form.remove(); li.querySelector('.comment-actions button')?.focus(); };
    wire(form, { ...opts, onDone: done });
    form.querySelector('textarea').focus();
  }

  const composer = $('composer');
  if (composer) wire(composer.querySelector('form'), {});

  // --- actions on comments -------------------------------------------------------------------------
  const dialog = $('report-dialog');
  root.addEventListener('click', async (e) => {
    const b = e.target.closest('button');
    const li = b && b.closest('li.comment');
    if (!li || !b.closest('.comment-actions')) return;
    const id = li.dataset.id;
    const confirm = li.querySelector('.confirm');
    if (b.classList.contains('act-reply')) openEditor(li, { parentId: id });
    else if (b.classList.contains('act-edit')) openEditor(li, { commentId: id, initial: own.get(id) || li.querySelector('.comment-body').innerText.trim() });
    else if (b.classList.contains('act-delete')) { confirm.hidden = false; confirm.querySelector('.act-delete-no').focus(); }
    else if (b.classList.contains('act-delete-no')) { confirm.hidden = true; li.querySelector('.act-delete').focus(); }
    else if (b.classList.contains('act-delete-yes')) {
      const r = await api('DELETE', `/api/v1/comments/${id}`);
      if (r.status !== 204) return announce(errorText(r));
      // The live stream may have shown the tombstone (and counted it) while the request was on its way.
      const before = byId(id)?.dataset.status;
      place(render({ id, parent_id: li.dataset.parent || null, status: 'deleted' }), { id });
      if (before === 'published') setCount(-1);
      announce(S.d_deleted);
    } else if (b.classList.contains('act-report')) {
      dialog.dataset.id = id;
      dialog.querySelector('.report-error').textContent = '';
      dialog.querySelector('textarea').value = '';
      dialog.showModal();
    }
  });
  if (dialog) {
    dialog.querySelector('.report-cancel').addEventListener('click', () => dialog.close());
    dialog.querySelector('form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const id = dialog.dataset.id;
      const note = dialog.querySelector('textarea').value.trim();
      const r = await api('POST', `/api/v1/comments/${id}/reports`, note ? { rule: dialog.querySelector('select').value, note } : { rule: dialog.querySelector('select').value });
      if (r.status !== 201 && r.status !== 200) { dialog.querySelector('.report-error').textContent = errorText(r); return; }
      dialog.close();
      announce(S.d_reported);
      byId(id)?.querySelector('.act-report')?.focus();
    });
  }
})();
