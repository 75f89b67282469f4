// Tribune's service worker: shows the notifications the site pushes and opens the article or comment on click.
// A push message is JSON: {"title", "body", "url", "tag"}; a url outside this site is never opened.
'use strict';

self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (e) { msg = { body: event.data ? event.data.text() : '' }; }
  const title = typeof msg.title === 'string' && msg.title ? msg.title : self.location.host;
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof msg.body === 'string' ? msg.body : '',
    tag: typeof msg.tag === 'string' ? msg.tag : undefined,
    data: { url: typeof msg.url === 'string' ? msg.url : '/' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  let url;
  try { url = new URL(event.notification.data && event.notification.data.url || '/', self.location.origin); } catch (e) { url = new URL('/', self.location.origin); }
  if (url.origin !== self.location.origin) url = new URL('/', self.location.origin);
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of open) {
      if (c.url === url.href && 'focus' in c) return c.focus();
    }
    return self.clients.openWindow(url.href);
  })());
});

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
