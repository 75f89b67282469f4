#!/usr/bin/env node
// Side-by-side comparison of Tribune's community-standards engine with npm `obscenity` and `allprofanity`
// (rule "profanity") and `franc` and `eld` (rule "language") on the same texts.
//
//   node tools/compare/compare.mjs [--split] [--bin build/tribune] [extra.tsv ...]
//
// Reads tests/moderation/profanity.tsv and tests/moderation/language.tsv (plus any extra tables given), in the
// format of tests/support/moderation_table.hpp: `text<TAB>expected rules (comma-separated, or -)<TAB>action`,
// lines starting with '#' are comments (exactly as src/moderation/rules_data_test.cpp skips them), `\n` and `\t`
// in the text stand for newline and tab, and a `# languages: ...` line sets the edition's languages for the lines
// after it (passed to the CLI as TRIBUNE_SITE_LANGUAGES, the edition language stays "en").
// See tools/compare/README.md for what each tool is given and the caveats.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import allprofanity from 'allprofanity';
import { franc } from 'franc';
import { eld } from 'eld/large';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------- arguments
const args = process.argv.slice(2);
let split = false;
let bin = resolve(ROOT, 'build/tribune');
const extra = [];
for (let i = 0; i < args.length; ++i) {
  const a = args[i];
  if (a === '--split') split = true;
  else if (a === '--bin') bin = resolve(args[++i]);
  else if (a === '-h' || a === '--help') {
    console.log('usage: node tools/compare/compare.mjs [--split] [--bin PATH] [extra.tsv ...]');
    process.exit(0);
  } else if (a.startsWith('--')) {
    console.error(`compare: unknown option ${a}`);
    process.exit(2);
  } else extra.push(resolve(a));
}

// ---------------------------------------------------------------- tables
// The same escapes as tribune::testing::UnescapeTableText: backslash-n -> newline, backslash-t -> tab, nothing else.
function unescapeTableText(s) {
  let out = '';
  for (let i = 0; i < s.length; ++i) {
    if (s[i] === '\\' && i + 1 < s.length && (s[i + 1] === 'n' || s[i + 1] === 't')) {
      out += s[i + 1] === 'n' ? '\n' : '\t';
      ++i;
    } else out += s[i];
  }
  return out;
}

// Rows: {file, lineNo, raw, text, expected:Set, languages, section}
function readTable(path) {
  const rows = [];
  let languages = 'en';
  let section = '';
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, idx) => {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') return;
    if (line.startsWith('# languages:')) {
      languages = line.slice(12).trim();
      return;
    }
    if (line.startsWith('#')) {
      const m = /^#\s*---\s*(.*?)\s*-*\s*$/.exec(line);
      if (m) section = m[1];
      return;
    }
    const cols = line.split('\t');
    if (cols.length < 3) throw new Error(`${path}:${idx + 1} needs 3 tab-separated columns`);
    const text = unescapeTableText(cols[0]);
    const expected = new Set(cols[1] === '-' ? [] : cols[1].split(','));
    rows.push({ file: path, lineNo: idx + 1, raw: cols[0], text, expected, languages, section });
  });
  return rows;
}

// The CLI reads one text per line, so a text's newlines become spaces -- for every tool alike.
const flat = (text) => text.replace(/\r?\n/g, ' ');

// ---------------------------------------------------------------- Tribune (one CLI run per table and edition)
// Wall time of a run with one empty line: the CLI's start-up (config, lexicons, CLD2/fastText models).
let startupNs = null;
function measureStartup(languages) {
  const env = { ...process.env, TRIBUNE_SITE_LANGUAGES: languages };
  const t0 = process.hrtime.bigint();
  const res = spawnSync(bin, ['moderate', '--language', 'en', '--jsonl'], { input: '\n', env, cwd: ROOT, encoding: 'utf8' });
  if (res.error || res.status !== 0) throw new Error(`${bin} moderate --jsonl failed: ${res.error ?? res.stderr.slice(-2000)}`);
  return process.hrtime.bigint() - t0;
}

function runTribune(rows) {
  const answers = new Array(rows.length);
  let totalNs = 0n;
  const groups = new Map();
  rows.forEach((r, i) => {
    if (!groups.has(r.languages)) groups.set(r.languages, []);
    groups.get(r.languages).push(i);
  });
  for (const [languages, idxs] of groups) {
    const input = idxs.map((i) => flat(rows[i].text)).join('\n') + '\n';
    const env = { ...process.env, TRIBUNE_SITE_LANGUAGES: languages.split(/[\s,]+/).filter(Boolean).join(',') };
    const t0 = process.hrtime.bigint();
    const res = spawnSync(bin, ['moderate', '--language', 'en', '--jsonl'], {
      input, env, cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28,
    });
    totalNs += process.hrtime.bigint() - t0;
    if (res.error || res.status !== 0) {
      throw new Error(`${bin} moderate --jsonl failed (status ${res.status}): ${res.error ?? res.stderr.slice(-2000)}`);
    }
    const out = res.stdout.split('\n').filter((l) => l.trim() !== '');
    if (out.length !== idxs.length) throw new Error(`tribune printed ${out.length} lines for ${idxs.length} texts`);
    idxs.forEach((i, k) => {
      const d = JSON.parse(out[k]);
      answers[i] = new Set(d.findings.map((f) => f.rule));
    });
  }
  return { answers, totalNs };
}

// ---------------------------------------------------------------- the npm tools
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

const jsTools = {
  profanity: {
    obscenity: (t) => obscenity.hasMatch(t),
    allprofanity: (t) => allprofanity.check(t), // default instance: languages english + hindi
  },
  language: {
    franc: (t) => {
      const l = franc(t);
      return l !== 'eng' && l !== 'und';
    },
    eld: (t) => {
      const l = eld.detect(t).language;
      return l !== 'en' && l !== '';
    },
  },
};

// One warm-up call on an unrelated string (lazy initialisation), then one timed pass over the texts. A single pass
// because allprofanity keeps an LRU result cache: a second pass over the same texts would time map lookups.
function runTimed(fn, texts) {
  fn('Warming up the detector with an ordinary sentence.');
  const t0 = process.hrtime.bigint();
  const answers = texts.map((t) => !!fn(t));
  return { answers, ns: process.hrtime.bigint() - t0 };
}

// ---------------------------------------------------------------- split: English vs other-language lines
// Section headers saying "other languages" decide; elsewhere Cyrillic script, or more French/German/Spanish
// stop words than English ones, make a line "other". Independent of every tool compared.
const STOP = {
  en: 'the a an and or of to in is are was were this that it for on with not at by be i you he she we they my your what who',
  fr: 'le la les un une des et est ce cette de du au aux qui que en pas il elle ils sont ont à',
  de: 'der die das den dem des ein eine und ist nicht zu für mit ich sie er wir war sind auf im',
  es: 'el la los las un una y es de del que en por para con no se me otra vez era',
};
const STOPSETS = Object.fromEntries(Object.entries(STOP).map(([k, v]) => [k, new Set(v.split(' '))]));
function isOtherLanguage(row) {
  if (/other languages/i.test(row.section)) return true;
  if (/english/i.test(row.section)) return false;
  if (/[\u0400-\u04FF]/.test(row.text)) return true;
  const words = row.text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const score = {};
  for (const [lang, set] of Object.entries(STOPSETS)) score[lang] = words.filter((w) => set.has(w)).length;
  const other = Math.max(score.fr, score.de, score.es);
  return other > score.en;
}

// ---------------------------------------------------------------- scoring and printing
function metrics(want, got) {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < want.length; ++i) {
    tp += want[i] && got[i];
    fp += !want[i] && got[i];
    fn += want[i] && !got[i];
  }
  const p = tp + fp ? tp / (tp + fp) : NaN;
  const r = tp + fn ? tp / (tp + fn) : NaN;
  const f1 = p + r ? (2 * p * r) / (p + r) : NaN;
  return { tp, fp, fn, p, r, f1 };
}
const fmt = (x) => (Number.isNaN(x) ? '    -' : x.toFixed(3));

function printTable(title, rows, results, idxs) {
  const pos = idxs.filter((i) => rows[i].expectedHas).length;
  console.log(`\n${title}: ${idxs.length} texts, ${pos} expected positive`);
  console.log('  tool           TP   FP   FN  precision  recall     F1   mean µs/text');
  for (const res of results) {
    const m = metrics(idxs.map((i) => rows[i].expectedHas), idxs.map((i) => res.answers[i]));
    const us = res.usPerText == null ? '' : res.usPerText.toFixed(1).padStart(12) + (res.note ? ` ${res.note}` : '');
    console.log(
      `  ${res.tool.padEnd(13)} ${String(m.tp).padStart(3)}  ${String(m.fp).padStart(3)}  ${String(m.fn).padStart(3)}` +
        `      ${fmt(m.p)}   ${fmt(m.r)}  ${fmt(m.f1)}  ${us}`,
    );
  }
}

function listDisagreements(rule, rows, results) {
  const lines = [];
  rows.forEach((r, i) => {
    const wrong = results.filter((res) => res.answers[i] !== r.expectedHas).map((res) => res.tool);
    if (wrong.length) {
      lines.push(`  ${r.expectedHas ? 'pos' : 'neg'}  wrong: ${wrong.join(',').padEnd(40)} ${basename(r.file)}:${r.lineNo} ${r.raw.slice(0, 90)}`);
    }
  });
  if (lines.length) {
    console.log(`  errors per text (${rule}; "pos" = the table expects the rule):`);
    for (const l of lines) console.log(l);
  }
}

function evaluate(rule, rows) {
  for (const r of rows) r.expectedHas = r.expected.has(rule);
  const texts = rows.map((r) => flat(r.text));
  const trib = runTribune(rows);
  const results = [
    {
      tool: 'tribune',
      answers: trib.answers.map((s) => s.has(rule)),
      usPerText: Number(trib.totalNs) / 1000 / rows.length,
      note: '(CLI wall time / n, incl. process start-up and model loading)',
    },
  ];
  if (startupNs === null) startupNs = measureStartup('en');
  const groupsRun = new Set(rows.map((r) => r.languages)).size;
  for (const [name, fn] of Object.entries(jsTools[rule])) {
    const { answers, ns } = runTimed(fn, texts);
    results.push({ tool: name, answers, usPerText: Number(ns) / 1000 / rows.length });
  }
  const multiline = rows.filter((r) => /\n/.test(r.text)).length;
  const all = rows.map((_, i) => i);
  printTable(`rule ${rule}`, rows, results, all);
  console.log(
    `  tribune: ${groupsRun} CLI run(s), ${(Number(trib.totalNs) / 1e9).toFixed(2)} s wall; a run with one empty line ` +
      `(start-up alone) took ${(Number(startupNs) / 1e9).toFixed(2)} s, so start-up dominates the CLI figure`,
  );
  if (multiline) console.log(`  note: ${multiline} text(s) contain newlines; replaced by spaces for every tool alike`);
  if (split && rule === 'profanity') {
    const other = all.filter((i) => isOtherLanguage(rows[i]));
    const en = all.filter((i) => !isOtherLanguage(rows[i]));
    printTable(`rule ${rule}, English lines only`, rows, results, en);
    printTable(`rule ${rule}, other-language lines only (ru/fr/de/es; obscenity is English-only, allprofanity loads english+hindi by default)`, rows, results, other);
    const held = all.filter((i) => /held out/i.test(rows[i].section));
    if (held.length) printTable(`rule ${rule}, "held out" section only`, rows, results, held);
  }
  if (split && rule === 'language') {
    const judged = all.filter((i) => !/quoted|too short/i.test(rows[i].section));
    printTable(`rule ${rule}, without the sections "quoted, linked or in a reply quote" and "too short to judge" (Tribune policy exemptions)`, rows, results, judged);
  }
  if (split) listDisagreements(rule, rows, results);
}

// ---------------------------------------------------------------- main
const tables = { profanity: [], language: [] };
tables.profanity.push(...readTable(resolve(ROOT, 'tests/moderation/profanity.tsv')));
tables.language.push(...readTable(resolve(ROOT, 'tests/moderation/language.tsv')));
for (const f of extra) {
  const rows = readTable(f);
  const b = basename(f);
  if (b.startsWith('profanity')) tables.profanity.push(...rows);
  else if (b.startsWith('language')) tables.language.push(...rows);
  else {
    tables.profanity.push(...rows);
    tables.language.push(...rows.map((r) => ({ ...r })));
  }
}

console.log(`Tribune binary: ${bin}`);
console.log(
  `Tools: obscenity (englishDataset + englishRecommendedTransformers, hasMatch); allprofanity (default instance, ` +
    `languages ${allprofanity.getLoadedLanguages().join('+')}, check); franc v6 (franc(text) not eng/und); ` +
    `eld/large (detect(text).language not en/empty)`,
);
evaluate('profanity', tables.profanity);
evaluate('language', tables.language);
