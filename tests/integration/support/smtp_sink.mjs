// A real SMTP server for tests (npm smtp-server + mailparser): records and parses every message it
// accepts; `script` scripts the replies to successive DATA commands before it starts accepting.
//
//   const sink = await startSmtpSink({ script: [{ code: 451, message: 'try later' }] });
//   ... point the server at sink.url ...
//   const mail = await sink.waitFor((m) => m.to.includes('alice@example.com'));
//   const token = sink.tokenFrom(mail, '/confirm');
//   await sink.close();
//
// Standalone: `node smtp_sink.mjs PORT [--script 451,550]` prints `listening PORT` when ready (PORT 0
// picks a free one) and then one JSON line per accepted message.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { pathToFileURL } from 'node:url';

function readStream(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function addressText(a) {
  if (!a) return '';
  return Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text;
}

export async function startSmtpSink({ script = [], port = 0, host = '127.0.0.1', onMessage } = {}) {
  const pending = [...script];
  const messages = [];
  const waiters = [];

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      readStream(stream)
        .then(async (raw) => {
          const reply = pending.shift();
          if (reply) {
            const err = new Error(reply.message ?? (reply.code >= 500 ? 'rejected' : 'try again later'));
            err.responseCode = reply.code;
            callback(err);
            return;
          }
          const parsed = await simpleParser(raw);
          const message = {
            messageId: parsed.messageId,
            from: addressText(parsed.from),
            to: addressText(parsed.to),
            envelope: {
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
            },
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: Object.fromEntries([...parsed.headers.keys()].map((k) => [k, String(parsed.headers.get(k))])),
            raw: raw.toString('utf8'),
          };
          messages.push(message);
          if (onMessage) onMessage(message);
          for (const w of [...waiters]) {
            if (w.predicate(message)) {
              waiters.splice(waiters.indexOf(w), 1);
              clearTimeout(w.timer);
              w.resolve(message);
            }
          }
          callback();
        })
        .catch((err) => {
          err.responseCode = 451;
          callback(err);
        });
    },
  });
  server.on('error', () => {}); // client disconnects are not the test's failure

  await new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.server.address().port;

  function waitFor(predicate = () => true, timeoutMs = 10000) {
    const found = messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve };
      w.timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`smtp sink: no matching message within ${timeoutMs} ms (${messages.length} received)`));
      }, timeoutMs);
      waiters.push(w);
    });
  }

  function linkFrom(message, pathPrefix) {
    for (const match of (message.text ?? '').matchAll(/https?:\/\/[^\s<>"')]+/g)) {
      try {
        const url = new URL(match[0]);
        if (url.pathname.startsWith(pathPrefix)) return match[0];
      } catch {
        // not a URL after all
      }
    }
    return null;
  }

  function tokenFrom(message, pathPrefix) {
    const link = linkFrom(message, pathPrefix);
    return link ? new URL(link).searchParams.get('token') : null;
  }

  function close() {
    for (const w of waiters.splice(0)) clearTimeout(w.timer);
    return new Promise((resolve) => server.close(() => resolve()));
  }

  return { port: actualPort, url: `smtp://127.0.0.1:${actualPort}`, messages, waitFor, linkFrom, tokenFrom, close };
}

function parseArgs(argv) {
  const port = Number(argv[0] ?? 2525);
  const script = [];
  const i = argv.indexOf('--script');
  if (i >= 0 && argv[i + 1]) {
    for (const code of argv[i + 1].split(',').filter(Boolean)) {
      const n = Number(code);
      script.push({ code: n, message: n >= 500 ? 'scripted permanent failure' : 'scripted temporary failure' });
    }
  }
  return { port, script };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { port, script } = parseArgs(process.argv.slice(2));
  const sink = await startSmtpSink({
    port,
    script,
    onMessage: (m) => {
      const { raw, headers, ...rest } = m;
      process.stdout.write(JSON.stringify(rest) + '\n');
    },
  });
  process.stdout.write(`listening ${sink.port}\n`);
  const stop = () => sink.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
