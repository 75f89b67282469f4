// A minimal Server-Sent Events reader for the live-update tests (GET /api/v1/articles/{id}/live).

import http from 'node:http';

const WAIT_MS = 20_000;

// One SSE message: {id, event, data, retry, comment} as far as its lines give them.
function parseBlock(raw) {
  const m = {};
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) { m.comment = line.slice(1).trim(); continue; }
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') m.data = m.data === undefined ? value : `${m.data}\n${value}`;
    else m[field] = value;
  }
  return m;
}

export class LiveStream {
  constructor(req, res) {
    this.req = req;
    this.status = res.statusCode;
    this.headers = res.headers;
    this.blocks = [];
    this.pos = 0;
    this.buf = '';
    this.end = null; // 'end' (the response completed) | 'aborted' | 'error'
    this.waiters = new Set();
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\n\n')) >= 0) {
        this.blocks.push(parseBlock(this.buf.slice(0, i)));
        this.buf = this.buf.slice(i + 2);
      }
      this.notify();
    });
    res.on('end', () => { this.end ??= 'end'; this.notify(); });
    res.on('aborted', () => { this.end ??= 'aborted'; this.notify(); });
    res.on('error', () => { this.end ??= 'error'; this.notify(); });
  }

  notify() { for (const w of this.waiters) w(); }

  /** Waits until `cond()` holds (re-checked whenever bytes arrive or the response ends). */
  until(cond, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = cond();
        if (v) { cleanup(); resolve(v); }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`live stream: no ${what} within ${WAIT_MS} ms; got ${JSON.stringify(this.blocks)} end=${this.end}`));
      }, WAIT_MS);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** The next message that is an event (pings and the opening skipped). */
  async next() {
    return this.until(() => {
      while (this.pos < this.blocks.length) {
        const b = this.blocks[this.pos++];
        if (b.event !== undefined) return b;
      }
      return null;
    }, 'event');
  }

  close() { this.req.destroy(); }
}

export function openLive(baseUrl, articleId, { headers = {}, query = '' } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(`/api/v1/articles/${articleId}/live${query}`, baseUrl);
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent: false },
      (res) => resolve(new LiveStream(req, res)));
    req.on('error', reject);
    req.end();
  });
}

