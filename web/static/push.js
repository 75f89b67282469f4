// The "Get push notifications — Accept / Refuse" bar (DESIGN N1). Shown once per browser, only where push
// works and nobody has answered yet; Refuse is remembered in localStorage; Accept registers the service
// worker (/sw.js), asks the browser's permission, subscribes with the site's VAPID key and hands the
// subscription to the API. The bar never covers content and never comes back after an answer.
(() => {
  'use strict';
  const KEY = 'tribune.push';
  const bar = document.getElementById('push-bar');
  const dataEl = document.getElementById('tribune-data');
  if (!bar || !dataEl) return;
  const page = JSON.parse(dataEl.textContent);
  const t = (k) => (page.strings && page.strings[k]) || k;
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  let answered = null;
  try { answered = localStorage.getItem(KEY); } catch (e) { /* storage off: ask again next time */ }
  if (!supported || answered || Notification.permission === 'denied' || document.body.classList.contains('embed')) return;

  const remember = (v) => { try { localStorage.setItem(KEY, v); } catch (e) { /* ignore */ } };
  const say = (text) => {
    bar.textContent = text;
    bar.setAttribute('role', 'status');
    setTimeout(() => { bar.hidden = true; }, 6000);
  };
  const b64url = (s) => {
    const raw = atob((s + '='.repeat((4 - (s.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const key64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  async function accept() {
    bar.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      if ((await Notification.requestPermission()) !== 'granted') { remember('refused'); bar.hidden = true; return; }
      const keyRes = await fetch('/api/v1/push/key', { credentials: 'same-origin' });
      if (!keyRes.ok) throw new Error('no key');
      const { vapid_public_key: vapid } = await keyRes.json();
      await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64url(vapid) });
      const topics = ['breaking:' + page.lang];
      if (page.viewer) topics.push('replies');
      const headers = { 'Content-Type': 'application/json' };
      if (page.csrf) headers['X-CSRF-Token'] = page.csrf;
      const res = await fetch('/api/v1/push/subscriptions', {
        method: 'POST', credentials: 'same-origin', headers,
        body: JSON.stringify({ endpoint: sub.endpoint, keys: { p256dh: key64(sub.getKey('p256dh')), auth: key64(sub.getKey('auth')) }, topics }),
      });
      if (!res.ok) throw new Error('subscription refused');
      remember('accepted');
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
