// Tribune's service worker: shows the notifications the site pushes and opens the article or comment on click.
// A push message is JSON: {"title", "body", "url", "tag"}. Only a URL on this site is kept (as a path): any
// other is stored as "/", so a click never leaves the site. A click focuses a tab that already shows the page
// (moving it to the comment's anchor), else opens one.
'use strict';

const sitePath = (raw) => {
  try {
    const u = new URL(typeof raw === 'string' && raw ? raw : '/', self.location.origin);
    return u.origin === self.location.origin ? u.pathname + u.search + u.hash : '/';
  } catch (e) {
    return '/';
  }
};

self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (e) { msg = { body: event.data ? event.data.text() : '' }; }
  if (!msg || typeof msg !== 'object') msg = {};
  const title = typeof msg.title === 'string' && msg.title ? msg.title : self.location.host;
  const options = { body: typeof msg.body === 'string' ? msg.body : '', data: { url: sitePath(msg.url) } };
  if (typeof msg.tag === 'string' && msg.tag) options.tag = msg.tag;
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(sitePath(event.notification.data && event.notification.data.url), self.location.origin);
  const bare = (href) => href.split('#')[0];
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const same = open.find((c) => c.url === url.href) || open.find((c) => bare(c.url) === bare(url.href));
    if (same) {
      const focused = 'focus' in same ? await same.focus() : same;
      if (focused && focused.url !== url.href && 'navigate' in focused) {
        try { await focused.navigate(url.href); } catch (e) { /* an uncontrolled tab cannot be moved: it is focused */ }
      }
      return focused;
    }
    return self.clients.openWindow(url.href);
  })());
});

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
