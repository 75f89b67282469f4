// Writes a Disqus XML export with N comments to stdout (bench/import_bench.sh): N/300 threads (at least 10), posts in
// thread order with realistic bodies (HTML paragraphs, a link now and then, entities), 45 % replies (a parent
// earlier in its thread; 2 % of replies come before their parent in the file), authors from a pool of N/20,
// 1 % deleted, 1 % spam, a few insults (the engine's queue). Deterministic (seeded), streamed in chunks: memory does not grow with N.
//   node bench/import_gen.mjs --comments 1000000 > export.xml
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const N = Number(args.comments ?? 1_000_000);
const THREADS = Math.max(10, Math.floor(N / 300));
const AUTHORS = Math.max(10, Math.floor(N / 20));

let seed = 42;
const rnd = () => {  // mulberry32
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const WORDS = ('the council harbour storm vote budget school teachers parents policy minister election results city ' +
  'residents traffic bridge repairs weather rain wind week plan money tax people think really agree disagree article ' +
  'author point fair good bad wrong right years ago again never always maybe local news report data numbers said ' +
  'would could should because however although question answer thanks interesting').split(' ');
const sentence = () => {
  const n = 6 + Math.floor(rnd() * 14);
  const w = [];
  for (let i = 0; i < n; i++) w.push(pick(WORDS));
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return w.join(' ') + pick(['.', '.', '.', '?', '!']);
};
const body = () => {
  const paras = 1 + Math.floor(rnd() * 3);
  let out = '';
  for (let p = 0; p < paras; p++) {
    let para = '';
    const s = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < s; i++) para += (i ? ' ' : '') + sentence();
    if (rnd() < 0.05) para += ` See <a href="https://example.org/page/${Math.floor(rnd() * 1000)}">this</a>.`;
    if (rnd() < 0.05) para += ' Tom &amp; Jerry &gt; them.';
    if (rnd() < 0.002) para += ' You are a fucking idiot and a moron.';  // for the moderators' queue
    out += `<p>${para}</p>`;
  }
  return out;
};

const chunks = [];
let size = 0;
const write = (s) => {
  chunks.push(s);
  size += s.length;
  if (size > 1 << 20) flush();
};
const flush = () => {
  if (chunks.length) process.stdout.write(chunks.join(''));
  chunks.length = 0;
  size = 0;
};

write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n');
write('<category dsq:id="1"><forum>bench</forum><title>General</title><isDefault>true</isDefault></category>\n');
const t0 = Date.UTC(2015, 0, 1);
for (let t = 0; t < THREADS; t++) {
  write(`<thread dsq:id="t${t}"><id>ident-${t}</id><forum>bench</forum><category dsq:id="1"/>` +
    `<link>https://old.example/${2015 + (t % 8)}/story-${t}</link><title>Story number ${t}: ${sentence()}</title>` +
    `<createdAt>${new Date(t0 + t * 3_600_000).toISOString().replace('.000', '')}</createdAt>` +
    `<author><name>Desk</name><isAnonymous>false</isAnonymous></author><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n`);
}
const perThread = Math.ceil(N / THREADS);
let id = 0;
const post = (pid, t, parent, when) => {
  const a = Math.floor(rnd() * AUTHORS);
  const flags = rnd();
  write(`<post dsq:id="p${pid}"><id/><message><![CDATA[${body()}]]></message>` +
    `<createdAt>${new Date(when).toISOString().replace('.000', '')}</createdAt>` +
    `<isDeleted>${flags < 0.01}</isDeleted><isSpam>${flags > 0.99}</isSpam>` +
    `<author><email>reader${a}@old.example</email><name>Reader ${a}</name><isAnonymous>false</isAnonymous>` +
    `<username>reader${a}</username></author><thread dsq:id="t${t}"/>${parent === null ? '' : `<parent dsq:id="p${parent}"/>`}</post>\n`);
};
for (let t = 0; t < THREADS && id < N; t++) {
  const first = id;
  const n = Math.min(perThread, N - id);
  let held = null;  // a reply written after the post that follows it (parent after child)
  for (let i = 0; i < n; i++, id++) {
    const when = t0 + t * 3_600_000 + i * 60_000;
    const parent = i > 0 && rnd() < 0.45 ? first + Math.floor(rnd() * i) : null;
    if (parent !== null && held === null && rnd() < 0.02 && i + 1 < n) {
      // Write the next post's reply to it first: its parent comes later in the file.
      held = id;
      post(id + 1, t, id, when + 1000);
      post(id, t, parent, when);
      id++;
      i++;
      held = null;
      continue;
    }
    post(id, t, parent, when);
  }
}
write('</disqus>\n');
flush();
