// The "Get push notifications — Accept / Refuse" bar (DESIGN N1), and the push flow other scripts reuse
// (window.tribunePush: follow.js's Follow button, the settings page's "Turn on" button). The bar is shown once
// per browser, only where push works and nobody has answered yet; Refuse is remembered in localStorage; Accept
// registers the service worker (/sw.js), asks the browser's permission, subscribes with the site's VAPID key and
// hands the subscription to the API. The bar never covers content and never comes back after an answer.
(() => {
  'use strict';
  const KEY = 'tribune.push';
  const bar = document.getElementById('push-bar');
  const dataEl = document.getElementById('tribune-data');
  if (!dataEl) return;
  const page = JSON.parse(dataEl.textContent);
  const t = (k) => (page.strings && page.strings[k]) || k;
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

  const b64url = (s) => {
    const raw = atob((s + '='.repeat((4 - (s.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const key64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const send = (method, body, path = '/api/v1/push/subscriptions') => {
    const headers = { 'Content-Type': 'application/json' };
    if (page.csrf) headers['X-CSRF-Token'] = page.csrf;
    return fetch(path, { method, credentials: 'same-origin', headers, body: JSON.stringify(body) });
  };

  const remember = (v) => { try { localStorage.setItem(KEY, v); } catch (e) { /* ignore */ } };
  // Push is on in this browser (from the bar, a Follow button or the settings page): the bar is not needed.
  const accepted = (device) => {
    remember('accepted');
    if (bar && !bar.dataset.busy) bar.hidden = true;  // the bar's own Accept says so in the bar
    return device;
  };

  // This browser's subscription, or null (nothing registered, or push unavailable).
  async function current() {
    if (!supported) return null;
    const reg = await navigator.serviceWorker.getRegistration('/');
    return reg ? reg.pushManager.getSubscription() : null;
  }

  // Makes sure this browser receives `topics`: subscribes if it has no subscription yet, and stores the
  // subscription with these topics added to what the server already holds for it (merge). Resolves to the
  // device JSON; null when the reader refused the permission. Throws on failure.
  async function enable(topics) {
    if (!supported) throw new Error('unsupported');
    asked = null;
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    if ((await Notification.requestPermission()) !== 'granted') return null;
    await navigator.serviceWorker.ready;
    let sub = await reg.pushManager.getSubscription();
    if (!sub) {
      const keyRes = await fetch('/api/v1/push/key', { credentials: 'same-origin' });
      if (!keyRes.ok) throw new Error('no key');
      const { vapid_public_key: vapid } = await keyRes.json();
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64url(vapid) });
    }
    const res = await send('POST', {
      endpoint: sub.endpoint, keys: { p256dh: key64(sub.getKey('p256dh')), auth: key64(sub.getKey('auth')) },
      topics, language: page.lang, merge: true,
    });
    if (!res.ok) throw new Error('subscription refused');
    return accepted(await res.json());
  }

  // Stops `topics` on this browser's subscription (without topics left, the server ends the subscription).
  async function disable(topics) {
    asked = null;
    const sub = await current();
    if (!sub) return;
    const res = await send('PATCH', { endpoint: sub.endpoint, remove: topics });
    if (!res.ok && res.status !== 404) throw new Error('refused');
  }

  const usable = () => supported && Notification.permission !== 'denied';
  // What the site holds for this browser's subscription: the device JSON, or null (no subscription here, or one
  // the site forgot: removed in the settings, expired, the account deleted).
  // Asked once per page (the bar, Follow and the settings page all want it); enable/disable forget the answer.
  let asked = null;
  function state() {
    asked = asked || (async () => {
      const sub = await current();
      if (!sub) return null;
      const res = await send('POST', { endpoint: sub.endpoint }, '/api/v1/push/subscriptions/state');
      if (!res.ok) return null;
      const device = await res.json();
      return device.known ? device : null;
    })();
    return asked;
  }

  window.tribunePush = { usable, current, enable, disable, state, defaultTopics: () => ['breaking:' + page.lang].concat(page.viewer ? ['replies'] : []) };
  const DETACHED = 'tribune.push.replies';

  // Signing out of a shared browser ends that reader's reply notices on it (breaking news and follows stay).
  const logout = document.querySelector('form[action="/logout"]');
  if (logout && page.viewer && supported) {
    logout.addEventListener('submit', (ev) => {
      if (logout.dataset.detached) return;
      ev.preventDefault();
      const go = () => { logout.dataset.detached = '1'; logout.requestSubmit(); };
      // Remembered, so that signing in again here gives the reply notices back.
      const detach = state().then((d) => {
        if (!d || !d.topics.includes('replies')) return null;
        try { localStorage.setItem(DETACHED, '1'); } catch (e) { /* not remembered */ }
        return disable(['replies']);
      }).catch(() => {});
      Promise.race([detach, new Promise((r) => { setTimeout(r, 1500); })]).then(go, go);
    });
  }

  let answered = null;
  try { answered = localStorage.getItem(KEY); } catch (e) { /* storage off: ask again next time */ }
  if (supported && answered === 'accepted') {
    // Signed in again on a browser whose reply notices went with a sign-out: they come back. A browser the site
    // forgot (removed in the settings, an account deleted) is asked again next time.
    state().then((d) => {
      let detached = null;
      try { detached = localStorage.getItem(DETACHED); } catch (e) { /* storage off */ }
      if (!d) { try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ } return null; }
      if (page.viewer && detached) {
        try { localStorage.removeItem(DETACHED); } catch (e) { /* ignore */ }
        return enable(['replies']);
      }
      return null;
    }).catch(() => {});
  }
  // Not on account pages (signing in, settings, unsubscribing): there the question is out of place.
  if (!bar || !usable() || answered || document.body.classList.contains('embed') ||
      document.body.classList.contains('account')) return;

  const say = (text) => {
    bar.textContent = text;
    bar.setAttribute('role', 'status');
    setTimeout(() => { bar.hidden = true; }, 6000);
  };

  async function accept() {
    bar.dataset.busy = '1';
    bar.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const device = await enable(window.tribunePush.defaultTopics());
      if (!device) { remember('refused'); bar.hidden = true; return; }
      say(t('push_done'));
    } catch (e) {
      say(t('push_failed'));
    }
  }

  bar.addEventListener('click', (ev) => {
    const choice = ev.target.closest('button') && ev.target.closest('button').dataset.push;
    if (choice === 'refuse') { remember('refused'); bar.hidden = true; }
    if (choice === 'accept') accept();
  });
  bar.hidden = false;
})();
