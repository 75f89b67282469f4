// The service worker's click handler (web/static/sw.js), run in Node against stand-ins for the worker's globals:
// headless Chromium shows notifications but cannot click one, so the click is dispatched here. The stand-ins record
// what the worker asks of the browser (open a window, focus or move a tab); the decisions are the worker's own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const SOURCE = readFileSync(new URL('../../web/static/sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://news.example.org';

function worker(tabs = []) {
  const calls = [];
  const handlers = {};
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type, fn) => { handlers[type] = fn; },
    registration: { showNotification: async (title, options) => { calls.push(['show', title, options]); } },
    clients: {
      matchAll: async () => tabs,
      openWindow: async (href) => { calls.push(['open', href]); return null; },
      claim: async () => {},
    },
    skipWaiting: () => {},
  };
  new Function('self', SOURCE)(self);  // eslint-disable-line no-new-func
  const dispatch = async (type, event) => {
    let done = Promise.resolve();
    handlers[type]({ ...event, waitUntil: (p) => { done = p; } });
    await done;
  };
  return {
    calls,
    push: (msg) => dispatch('push', { data: { json: () => msg, text: () => JSON.stringify(msg) } }),
    click: (url) => dispatch('notificationclick', { notification: { data: { url }, close: () => calls.push(['close']) } }),
  };
}

function tab(url, calls) {
  return {
    url,
    focus: async function focus() { calls.push(['focus', this.url]); return this; },
    navigate: async function navigate(href) { calls.push(['navigate', href]); this.url = href; return this; },
  };
}

test('a click opens the comment on this site in a new window when no tab shows it', async () => {
  const w = worker();
  await w.click('/articles/bridge#c42');
  assert.deepEqual(w.calls, [['close'], ['open', `${ORIGIN}/articles/bridge#c42`]]);
});

test('a click focuses the tab that already shows the article, moving it to the comment', async () => {
  const calls = [];
  const open = tab(`${ORIGIN}/articles/bridge`, calls);
  const w = worker([tab(`${ORIGIN}/`, calls), open]);
  await w.click('/articles/bridge#c42');
  assert.deepEqual(calls, [['focus', `${ORIGIN}/articles/bridge`], ['navigate', `${ORIGIN}/articles/bridge#c42`]]);
  assert.deepEqual(w.calls, [['close']], 'no new window');
});

test('a URL on another site, protocol-relative or not a URL, opens the front page instead', async () => {
  for (const url of ['https://evil.example/phish', '//evil.example/x', 'javascript:alert(1)', undefined, 42]) {
    const w = worker();
    await w.click(url);
    assert.deepEqual(w.calls.at(-1), ['open', `${ORIGIN}/`], String(url));
  }
});

test('a push is shown with its title, body and tag, and keeps only a path on this site', async () => {
  const w = worker();
  await w.push({ title: 'Reply from Ana', body: 'Yes.', url: `${ORIGIN}/articles/x?lang=fr#c1`, tag: 'reply-1' });
  await w.push({ title: '', body: 7, url: 'https://evil.example/', tag: 3 });
  assert.deepEqual(w.calls, [
    ['show', 'Reply from Ana', { body: 'Yes.', data: { url: '/articles/x?lang=fr#c1' }, tag: 'reply-1' }],
    ['show', 'news.example.org', { body: '', data: { url: '/' } }],
  ]);
});
