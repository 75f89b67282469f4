// Request bodies for bench/interop: N (default 256) different comments of about 500 bytes, each made of
// consecutive example texts of tests/moderation/*.tsv (every rule's examples: clean, borderline and bad ones,
// several languages), so the engine does its real work and no two requests are alike.
// Writes DIR/analyze.jsonl (Perspective comments:analyze, one attribute, as Coral sends it) and DIR/check.jsonl
// (the same texts for POST /api/v1/moderation/check), one JSON body per line.
// --mix clean: only the examples expected to be published with no finding (rules "-", action publish) — what most
// of a real comment stream looks like; the default mix is every example, mostly violations in several languages.
//   node bench/interop/bodies.mjs --out DIR [--n 256] [--bytes 500] [--mix all|clean]
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const out = args.out || (() => { throw new Error('--out DIR is required'); })();
const n = Number(args.n || 256);
const target = Number(args.bytes || 500);
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'moderation');

const texts = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsv')).sort()) {
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('\t');
    const text = cols[0].replace(/\\n/g, '\n').trim();
    if (args.mix === 'clean' && !((cols[1] || '').trim() === '-' && (cols[2] || '').trim() === 'publish')) continue;
    if (text) texts.push(text);
  }
}
if (texts.length < 50) throw new Error(`only ${texts.length} example texts under ${dir}`);

const bytes = (s) => Buffer.byteLength(s, 'utf8');
// Cut on a code point boundary at most `max` bytes long.
const cut = (s, max) => { let r = ''; for (const ch of s) { if (bytes(r + ch) > max) break; r += ch; } return r; };

const comments = new Set();
// A stride coprime with the number of texts walks all of them, mixing the files.
let stride = 97;
while (texts.length % stride === 0) stride += 2;
for (let start = 0, tries = 0; comments.size < n && tries < n * 20; tries++, start += 13) {
  let s = '';
  for (let k = 0; bytes(s) < target - 40; k++) s += (s ? ' ' : '') + texts[(start + k * stride) % texts.length];
  comments.add(cut(s, target + 60));
}
if (comments.size < n) throw new Error(`only ${comments.size} distinct comments`);

mkdirSync(out, { recursive: true });
const list = [...comments];
writeFileSync(join(out, 'analyze.jsonl'), list.map((text) => JSON.stringify({
  comment: { text }, doNotStore: true, requestedAttributes: { TOXICITY: {} }, languages: ['en'],
})).join('\n') + '\n');
writeFileSync(join(out, 'check.jsonl'), list.map((text) => JSON.stringify({ text, language: 'en' })).join('\n') + '\n');
const mean = list.reduce((a, t) => a + bytes(t), 0) / list.length;
process.stderr.write(`bodies: ${list.length} comments, mean ${mean.toFixed(0)} bytes of text, from ${texts.length} examples\n`);
