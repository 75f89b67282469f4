// Chromium's own push service (FCM) is unreachable from the test machine, so PushManager.subscribe would fail.
// fakePushService(page) replaces only the browser half: PushManager.prototype.subscribe / getSubscription
// return a subscription shaped like Chrome's (endpoint https://fcm.googleapis.com/fcm/send/<random>) whose
// p256dh is a real P-256 public key made with WebCrypto (raw, 65 bytes) and whose auth is 16 random bytes, so
// the server's own checks run on it. The subscription lives in the page's localStorage: it survives reloads
// and navigations of that context like a real one. Everything after it (the site's scripts, the API, the
// database) is real.

const STORE = '__fake_push_subscription';

export async function fakePushService(page) {
  await page.addInitScript((store) => {
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
    const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;
    const url = (buf) => b64(buf).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const make = (saved) => ({
      endpoint: saved.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      getKey: (name) => bytes(name === 'p256dh' ? saved.p256dh : saved.auth),
      toJSON: () => ({ endpoint: saved.endpoint, expirationTime: null,
        keys: { p256dh: url(bytes(saved.p256dh)), auth: url(bytes(saved.auth)) } }),
      unsubscribe: async () => { localStorage.removeItem(store); return true; },
    });
    const load = () => { const s = localStorage.getItem(store); return s ? JSON.parse(s) : null; };
    PushManager.prototype.getSubscription = async function getSubscription() {
      const saved = load();
      return saved ? make(saved) : null;
    };
    PushManager.prototype.subscribe = async function subscribe(options) {
      window.__subscribeOptions = { userVisibleOnly: options.userVisibleOnly,
        keyLength: new Uint8Array(options.applicationServerKey).byteLength };
      const known = load();
      if (known) return make(known);
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
      const id = url(crypto.getRandomValues(new Uint8Array(24)));
      const saved = { endpoint: `https://fcm.googleapis.com/fcm/send/${id}`, p256dh: b64(raw),
        auth: b64(crypto.getRandomValues(new Uint8Array(16))) };
      localStorage.setItem(store, JSON.stringify(saved));
      return make(saved);
    };
  }, STORE);
}

/** The fake subscription's endpoint in this page (null before subscribe). */
export async function fakeEndpoint(page) {
  return page.evaluate((store) => { const s = localStorage.getItem(store); return s ? JSON.parse(s).endpoint : null; }, STORE);
}
