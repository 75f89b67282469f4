// A reader's notification controls, over push.js's window.tribunePush and the JSON API. On the article page:
// "Follow the discussion" (push topic article:<id>) where this browser can receive pushes, and for editors
// "Send as breaking news" with a confirmation step. On /account/notifications: the e-mail choice (PUT), Remove
// for each browser (DELETE) and "Turn on push notifications in this browser"; those forms also work without
// this script. Whether this browser follows an article is asked of the site (POST /api/v1/push/subscriptions/state).
(() => {
  'use strict';
  const dataEl = document.getElementById('tribune-data');
  if (!dataEl) return;
  const page = JSON.parse(dataEl.textContent);
  const S = page.strings || {};
  const t = (k, v = {}) => (S[k] || S.acct_failed || k).replace(/\{(\w+)\}/g, (_, n) => (n in v ? v[n] : ''));
  const $ = (sel, root = document) => root.querySelector(sel);
  const push = window.tribunePush;
  const api = (method, path, body) => {
    const init = { method, credentials: 'same-origin', headers: {} };
    if (page.csrf) init.headers['X-CSRF-Token'] = page.csrf;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).catch(() => ({ ok: false, status: 0, json: async () => ({}) }));
  };
  const say = (box, text, kind = 'ok') => {
    if (!box) return;
    box.textContent = '';
    if (!text) return;
    const p = document.createElement('p');
    p.className = `notice ${kind}`;
    p.textContent = text;
    box.append(p);
  };
  const busy = async (button, fn) => {
    if (button.disabled) return;
    button.disabled = true;
    try { await fn(); } finally { button.disabled = false; }
  };

  // --- the article page: follow the discussion ---
  const follow = $('[data-follow]');
  const article = page.article && page.article.id;
  if (follow && article && push && push.usable()) {
    const topic = 'article:' + article;
    const status = $('[data-follow-status]');
    const mark = (on) => {
      $('[data-follow-on]', follow).hidden = on;
      $('[data-following]', follow).hidden = !on;
    };
    follow.hidden = false;
    // What the site holds for this browser decides, not what the browser remembers.
    push.state().then((device) => mark(!!device && device.topics.includes(topic)), () => mark(false));
    follow.addEventListener('click', (ev) => {
      const button = ev.target.closest('button');
      if (!button) return;
      if (button.matches('[data-follow-on]')) {
        busy(button, async () => {
          try {
            const device = await push.enable([topic]);
            if (!device) return say(status, t('push_failed'), 'bad');
            mark(true);
            say(status, t('follow_on'));
            $('[data-follow-off]', follow).focus();
          } catch (e) { say(status, t('push_failed'), 'bad'); }
        });
      } else if (button.matches('[data-follow-off]')) {
        busy(button, async () => {
          try {
            await push.disable([topic]);
            mark(false);
            say(status, t('follow_off'));
            $('[data-follow-on]', follow).focus();
          } catch (e) { say(status, t('acct_failed'), 'bad'); }
        });
      }
    });
  }

  // --- the article page: send as breaking news (editors) ---
  const breaking = $('[data-breaking]');
  if (breaking && article) {
    const confirm = $('[data-breaking-confirm]', breaking);
    const status = $('[data-breaking-status]', breaking);
    const start = $('[data-breaking-start]', breaking);
    breaking.hidden = false;
    breaking.addEventListener('click', (ev) => {
      const button = ev.target.closest('button');
      if (!button) return;
      if (button === start) {
        confirm.hidden = false;
        say(status, '');
        $('[data-breaking-send]', confirm).focus();
      } else if (button.matches('[data-breaking-cancel]')) {
        confirm.hidden = true;
        start.focus();
      } else if (button.matches('[data-breaking-send]')) {
        busy(button, async () => {
          const res = await api('POST', '/api/v1/push/breaking', { article_id: article });
          confirm.hidden = true;
          if (res.status === 202) {
            const body = await res.json();
            say(status, t('breaking_sent', { n: body.recipients }));
            start.disabled = true;
          } else if (res.status === 409) {
            say(status, t('breaking_already'), 'info');
            start.disabled = true;
          } else {
            say(status, t('breaking_failed'), 'bad');
          }
        });
      }
    });
  }

  // --- /account/notifications ---
  const email = $('form[data-notif="email"]');
  if (email) {
    email.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const choice = email.querySelector('input[name="email_replies"]:checked');
      if (!choice) return;
      busy(email.querySelector('button[type="submit"]'), async () => {
        const res = await api('PUT', '/api/v1/me/notifications', { email_replies: choice.value });
        say($('[data-status]', email), res.ok ? t('notif_saved') : t('acct_failed'), res.ok ? 'ok' : 'bad');
      });
    });
  }
  const devices = $('#devices');
  if (devices) {
    const status = $('[data-devices-status]');
    devices.addEventListener('submit', (ev) => {
      const form = ev.target.closest('form[data-remove-device]');
      if (!form) return;
      ev.preventDefault();
      busy(form.querySelector('button'), async () => {
        const res = await api('DELETE', '/api/v1/me/notifications/devices/' + form.dataset.removeDevice);
        if (!res.ok && res.status !== 404) return say(status, t('acct_failed'), 'bad');
        form.closest('li[data-device]').remove();
        say(status, t('notif_removed'));
        // The button that had the focus is gone: the list's heading takes it, and an empty list says so.
        const heading = $('[data-devices-heading]') || devices;
        heading.setAttribute('tabindex', '-1');
        heading.focus();
        if (!devices.querySelector('li[data-device]')) { const none = $('[data-devices-none]'); if (none) none.hidden = false; }
      });
    });
  }
  const here = $('[data-push-here]');
  if (here && push && push.usable()) {
    push.state().then((device) => {
      if (!device) return;
      // This browser is in the list: say which one, and offer "Turn on" only if it lacks a default topic.
      const li = document.querySelector(`li[data-device="${device.id}"]`);
      const name = li && li.querySelector('[data-device-name]');
      if (name && S.notif_this_browser) name.append(` (${S.notif_this_browser})`);
      if (push.defaultTopics().every((x) => device.topics.includes(x))) here.hidden = true;
    }, () => {});
    here.hidden = false;
    const button = $('button', here);
    button.addEventListener('click', () => busy(button, async () => {
      try {
        const device = await push.enable(push.defaultTopics());
        if (!device) return say($('[data-devices-status]'), t('push_failed'), 'bad');
        location.reload();
      } catch (e) { say($('[data-devices-status]'), t('push_failed'), 'bad'); }
    }));
  }
})();
