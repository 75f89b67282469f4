// The Perspective-compatible API (INTEROP.md §1, §3, §4.1) driven with each client's exact request shape: Coral's,
// Commento++'s non-strict JSON, Discourse's (no languages), plus Google's errors, API keys, quotas, suggestscore
// feeding the learned model, and `serve --engine-only`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newDataDir, startServer, runCli, rawRequest, sql,
} from './harness.mjs';

const T = { timeout: 120_000 };
const CLOCK = { TRIBUNE_TESTING_CLOCK_CONTROL: 'true' };
const JSON_UTF8 = 'application/json; charset=UTF-8';

async function createKey(dataDir, ...flags) {
  const r = await runCli(['apikey', 'create', '--data', dataDir, ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const key = lines[lines.length - 1].trim();
  assert.match(key, /^[A-Za-z0-9_-]{30,}$/, `the last line is the key: ${r.stdout}`);
  return key;
}

function analyze(srv, body, { key, path = '/v1alpha1/comments:analyze', headers = {} } = {}) {
  const p = key === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
  return rawRequest(srv.baseUrl, {
    method: 'POST', path: p, body, headers: { 'content-type': 'application/json', ...headers },
  });
}

// Google's error envelope, byte-level shape: {"error":{"code","message","status"[,"details"]}}.
function assertGoogleError(res, code, status, errorType, messagePart) {
  assert.equal(res.status, code, res.text);
  assert.equal(res.headers['content-type'], JSON_UTF8);
  const e = res.body?.error;
  assert.ok(e, res.text);
  assert.deepEqual(Object.keys(e).slice(0, 3), ['code', 'message', 'status']);
  assert.equal(e.code, code);
  assert.equal(e.status, status);
  if (messagePart) assert.ok(e.message.includes(messagePart), e.message);
  if (errorType) {
    assert.equal(e.details?.[0]?.['@type'], 'type.googleapis.com/google.commentanalyzer.v1alpha1.Error');
    assert.equal(e.details[0].errorType, errorType);
  }
}

const CORAL_VECTOR =
  '{"comment":{"text":"Café owners are idiots. Nice article."},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]}';
const SPAM = 'Visit my shop at cheap-watches.example for 50% off! Use code SAVE50';

describe('Perspective-compatible API', () => {
  const dataDir = newDataDir();
  let srv;
  let key;
  before(async () => {
    key = await createKey(dataDir);
    srv = await startServer({ dataDir, env: CLOCK });
  });
  after(async () => { await srv?.stop(); });

  test("Coral's request byte for byte: the held insult scores in the hold band, as JSON with charset", T, async () => {
    const res = await analyze(srv, CORAL_VECTOR, { key });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], JSON_UTF8);
    assert.deepEqual(Object.keys(res.body), ['attributeScores', 'languages', 'detectedLanguages']);
    assert.deepEqual(Object.keys(res.body.attributeScores), ['TOXICITY']);
    const s = res.body.attributeScores.TOXICITY.summaryScore;
    assert.equal(s.type, 'PROBABILITY');
    assert.ok(s.value >= 0.81 && s.value <= 0.89, `hold band: ${s.value}`);
    assert.equal(res.body.attributeScores.TOXICITY.spanScores, undefined, 'spans only when asked');
    assert.deepEqual(res.body.languages, ['en']);
    assert.deepEqual(res.body.detectedLanguages, ['en']);
    // The same decision through every way Coral and Google's clients address the method.
    for (const [path, headers] of [
      ['/v1alpha1/comments%3Aanalyze', {}],
      ['/v1alpha1/comments:analyze?alt=json&prettyPrint=false&%24.xgafv=2&fields=attributeScores&quotaUser=x', {}],
      ['/api/v1/interop/perspective/v1alpha1/comments:analyze', {}],
    ]) {
      const again = await analyze(srv, CORAL_VECTOR, { key, path, headers });
      assert.equal(again.status, 200, `${path}: ${again.text}`);
      assert.equal(again.body.attributeScores.TOXICITY.summaryScore.value, s.value, path);
    }
    const byHeader = await analyze(srv, CORAL_VECTOR, { headers: { 'x-goog-api-key': key } });
    assert.equal(byHeader.status, 200, byHeader.text);
  });

  test('span annotations: one span per sentence in UTF-16 code units', T, async () => {
    const body = JSON.parse(CORAL_VECTOR);
    body.spanAnnotations = true;
    const res = await analyze(srv, JSON.stringify(body), { key });
    assert.equal(res.status, 200, res.text);
    const spans = res.body.attributeScores.TOXICITY.spanScores;
    assert.deepEqual(spans.map((s) => [s.begin, s.end]), [[0, 23], [24, 37]]);
    assert.ok(spans[0].score.value >= 0.81, 'the insult is in the first sentence');
    assert.ok(spans[1].score.value < 0.5, 'the second sentence is clean');
    // A character outside the BMP counts two UTF-16 units.
    const emoji = await analyze(srv, JSON.stringify({
      comment: { text: '🙂 Fine. You are an idiot.' }, requestedAttributes: { INSULT: {} }, languages: ['en'], spanAnnotations: true,
    }), { key });
    assert.equal(emoji.status, 200, emoji.text);
    assert.deepEqual(emoji.body.attributeScores.INSULT.spanScores.map((s) => [s.begin, s.end]), [[0, 8], [9, 26]]);
  });

  test("Commento++'s non-strict body parses (unquoted keys, raw newlines)", T, async () => {
    const body = '{comment: {text: "You idiot"},\n       languages: ["en"],\n       requestedAttributes: {TOXICITY:{}} }';
    const res = await analyze(srv, body, { key });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.attributeScores.TOXICITY.summaryScore.value > 0.5, res.text);
    // Markdown with a raw line break inside the string.
    const md = '{comment: {text: "First line\nsecond *line* of a calm remark"},\n       languages: ["en"],\n       requestedAttributes: {TOXICITY:{}} }';
    const calm = await analyze(srv, md, { key });
    assert.equal(calm.status, 200, calm.text);
    assert.ok(calm.body.attributeScores.TOXICITY.summaryScore.value < 0.5, calm.text);
  });

  test("Discourse's request (no languages, scoreType, sessionId): the language is detected", T, async () => {
    const body = JSON.stringify({
      comment: { text: 'Thanks for the thorough write-up, the figures on the new tram line were very helpful to read.' },
      doNotStore: true,
      sessionId: 'https://forum.example_42',
      requestedAttributes: { SEVERE_TOXICITY: { scoreType: 'PROBABILITY' } },
    });
    const res = await analyze(srv, body, { key });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.languages, ['en']);
    assert.equal(res.body.detectedLanguages[0], 'en');
    assert.ok(res.body.attributeScores.SEVERE_TOXICITY.summaryScore.value < 0.5);
    const fr = await analyze(srv, JSON.stringify({
      comment: { text: "Merci pour cet article très clair sur le budget de la ville, j'ai appris beaucoup de choses." },
      requestedAttributes: { TOXICITY: {} },
    }), { key });
    assert.equal(fr.status, 200, fr.text);
    assert.deepEqual(fr.body.languages, ['fr']);
  });

  test('the whole policy as LIKELY_TO_REJECT, one rule as RULE_<ID>, keys spelled as requested, thresholds', T, async () => {
    const res = await analyze(srv, JSON.stringify({
      comment: { text: SPAM }, languages: ['en'], clientToken: 'tok-1',
      requestedAttributes: { LIKELY_TO_REJECT: {}, RULE_UNAUTHORISED_PROMOTION: {}, SPAM: {}, TOXICITY_EXPERIMENTAL: {}, INSULT: { scoreThreshold: 0.5 } },
    }), { key });
    assert.equal(res.status, 200, res.text);
    const a = res.body.attributeScores;
    assert.deepEqual(Object.keys(a).sort(), ['LIKELY_TO_REJECT', 'RULE_UNAUTHORISED_PROMOTION', 'SPAM', 'TOXICITY_EXPERIMENTAL']);
    assert.ok(a.LIKELY_TO_REJECT.summaryScore.value >= 0.91, res.text);
    assert.ok(a.RULE_UNAUTHORISED_PROMOTION.summaryScore.value >= 0.91);
    assert.ok(a.SPAM.summaryScore.value >= 0.91);
    assert.ok(a.TOXICITY_EXPERIMENTAL.summaryScore.value < 0.5, 'no toxicity in an advert');
    assert.equal(res.body.clientToken, 'tok-1');
  });

  test("errors in Google's format: the §4.1 vectors byte for byte and every listed case", T, async () => {
    const empty = await analyze(srv, '{"comment":{"text":""},"requestedAttributes":{"TOXICITY":{}}}', { key });
    assert.equal(empty.status, 400);
    assert.equal(empty.text,
      '{"error":{"code":400,"message":"Comment must be non-empty.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.commentanalyzer.v1alpha1.Error","errorType":"COMMENT_EMPTY"}]}}');
    const flirt = await analyze(srv, '{"comment":{"text":"hello there"},"requestedAttributes":{"FLIRTATION":{}}}', { key });
    assertGoogleError(flirt, 400, 'INVALID_ARGUMENT', 'INVALID_REQUEST', 'Unknown requested attribute: FLIRTATION');
    const long = await analyze(srv, JSON.stringify({ comment: { text: 'word '.repeat(5000) }, requestedAttributes: { TOXICITY: {} } }), { key });
    assertGoogleError(long, 400, 'INVALID_ARGUMENT', 'COMMENT_TOO_LONG');
    const none = await analyze(srv, '{"comment":{"text":"hello"},"requestedAttributes":{}}', { key });
    assertGoogleError(none, 400, 'INVALID_ARGUMENT', 'NO_REQUESTED_ATTRIBUTES');
    const missing = await analyze(srv, '{"comment":{"text":"hello"}}', { key });
    assertGoogleError(missing, 400, 'INVALID_ARGUMENT', 'NO_REQUESTED_ATTRIBUTES');
    const scoreType = await analyze(srv, '{"comment":{"text":"hello"},"requestedAttributes":{"TOXICITY":{"scoreType":"RAW"}}}', { key });
    assertGoogleError(scoreType, 400, 'INVALID_ARGUMENT', null, 'RAW');
    for (const broken of ['{"comment":', 'not json at all', '[]', '{"comment":{"text":5},"requestedAttributes":{"TOXICITY":{}}}', '']) {
      const r = await analyze(srv, broken, { key });
      assertGoogleError(r, 400, 'INVALID_ARGUMENT', null);
    }
    const both = await analyze(srv, JSON.stringify({
      comment: { text: 'hello' }, requestedAttributes: { TOXICITY: {} },
      context: { entries: [{ text: 'a' }], articleAndParentComment: { article: { text: 'b' } } },
    }), { key });
    assertGoogleError(both, 400, 'INVALID_ARGUMENT', null);
    const pt = await analyze(srv, '{"comment":{"text":"Obrigado pelo artigo"},"requestedAttributes":{"TOXICITY":{}},"languages":["pt"]}', { key });
    assertGoogleError(pt, 400, 'INVALID_ARGUMENT', 'LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE');
    // Keys: none → 403, unknown → 400.
    assertGoogleError(await analyze(srv, CORAL_VECTOR), 403, 'PERMISSION_DENIED', null);
    assertGoogleError(await analyze(srv, CORAL_VECTOR, { key: 'trb_not-a-key-of-this-server-000000000000000' }), 400, 'INVALID_ARGUMENT', null);
    assertGoogleError(await analyze(srv, CORAL_VECTOR, { key: 'x'.repeat(5000) }), 400, 'INVALID_ARGUMENT', null);
    // Analysing stores nothing (doNotStore or not).
    assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM interop_feedback'), '0');
    assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM interop_decisions'), '0');
  });

  test("a key's quota: 429 RESOURCE_EXHAUSTED with Retry-After; a revoked key is refused", T, async () => {
    const slow = await createKey(dataDir, '--qps', '1', '--label', 'quota test');
    const results = [];
    for (let i = 0; i < 5; ++i) results.push(await analyze(srv, CORAL_VECTOR, { key: slow }));
    const limited = results.filter((r) => r.status === 429);
    assert.ok(results[0].status === 200, results[0].text);
    assert.ok(limited.length >= 3, `statuses: ${results.map((r) => r.status)}`);
    assertGoogleError(limited[0], 429, 'RESOURCE_EXHAUSTED', null);
    assert.ok(Number(limited[0].headers['retry-after']) >= 1);

    const doomed = await createKey(dataDir, '--label', 'to revoke');
    assert.equal((await analyze(srv, CORAL_VECTOR, { key: doomed })).status, 200);
    const listed = await runCli(['apikey', 'list', '--data', dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.includes(doomed.slice(0, 8)), listed.stdout);
    assert.ok(!listed.stdout.includes(doomed), 'listings never show a whole key');
    const revoked = await runCli(['apikey', 'revoke', doomed.slice(0, 8), '--data', dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    // The server re-reads a cached key after a minute: move its clock past that.
    const moved = await rawRequest(srv.baseUrl, {
      method: 'POST', path: '/api/v1/testing/clock', body: '{"advance_seconds":120}', headers: { 'content-type': 'application/json' },
    });
    assert.equal(moved.status, 200, moved.text);
    assertGoogleError(await analyze(srv, CORAL_VECTOR, { key: doomed }), 400, 'INVALID_ARGUMENT', null);
  });

  test('suggestscore (Coral sendFeedback) stores a labelled example; garbage stores nothing', T, async () => {
    const text = 'Visit my shop at cheap-watches.example for 50% off! Use code SAVE50 today';
    const body = JSON.stringify({
      comment: { text },
      context: { entries: [{ text: JSON.stringify({ url: 'https://news.example/a?commentID=c1', Coral_comment_id: 'c1' }) }] },
      attributeScores: { LIKELY_TO_REJECT: { summaryScore: { value: 1 } } },
      languages: ['en'], communityId: 'Coral:https://news.example/', clientToken: 'comment:c1',
    });
    const res = await rawRequest(srv.baseUrl, {
      method: 'POST', path: `/v1alpha1/comments:suggestscore?key=${key}`, body, headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.clientToken, 'comment:c1');
    assert.deepEqual(res.body.requestedLanguages, ['en']);
    assert.equal(sql(dataDir, "SELECT label || '|' || source || '|' || reference FROM interop_feedback"),
      'unauthorised_promotion|suggestscore|comment:c1');

    const ok = await rawRequest(srv.baseUrl, {
      method: 'POST', path: `/v1alpha1/comments:suggestscore?key=${key}`, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment: { text: 'A perfectly civil remark about the tram.' }, attributeScores: { TOXICITY: { summaryScore: { value: 0 } } } }),
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(sql(dataDir, "SELECT COUNT(*) FROM interop_feedback WHERE label = 'ok'"), '1');

    for (const garbage of [
      '{"comment":{"text":"x"}}',
      '{"comment":{"text":"x"},"attributeScores":{}}',
      '{"comment":{"text":""},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}}}',
      '{"comment":{"text":"x"},"attributeScores":{"FLIRTATION":{"summaryScore":{"value":1}}}}',
      '{"comment":{"text":"x"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":"high"}}}}',
      '{"comment":',
    ]) {
      const r = await rawRequest(srv.baseUrl, {
        method: 'POST', path: `/v1alpha1/comments:suggestscore?key=${key}`, body: garbage, headers: { 'content-type': 'application/json' },
      });
      assertGoogleError(r, 400, 'INVALID_ARGUMENT', null);
    }
    const noKey = await rawRequest(srv.baseUrl, {
      method: 'POST', path: '/v1alpha1/comments:suggestscore', body, headers: { 'content-type': 'application/json' },
    });
    assertGoogleError(noKey, 403, 'PERMISSION_DENIED', null);
    assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM interop_feedback'), '2');
  });

  test('the learned model keeps the examples across a restart', T, async () => {
    await srv.stop();
    const stats = await runCli(['model', 'stats', '--data', dataDir, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const classes = JSON.parse(stats.stdout).classes;
    assert.ok((classes.find((c) => c.label === 'unauthorised_promotion')?.examples ?? 0) >= 1, stats.stdout);
    srv = await startServer({ dataDir, env: CLOCK });
  });
});

describe('suggestscore quota per key', () => {
  const dataDir = newDataDir();
  let srv;
  let key;
  before(async () => {
    key = await createKey(dataDir);
    srv = await startServer({ dataDir, env: { TRIBUNE_INTEROP_FEEDBACK_PER_KEY_HOUR: '2' } });
  });
  after(async () => { await srv?.stop(); });

  test('a key teaches at most feedback_per_key_hour examples an hour; beyond: 429, nothing stored', T, async () => {
    const suggest = (i) => rawRequest(srv.baseUrl, {
      method: 'POST', path: `/v1alpha1/comments:suggestscore?key=${key}`, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment: { text: `A calm remark number ${i} about the tram timetable.` }, attributeScores: { TOXICITY: { summaryScore: { value: 0 } } } }),
    });
    assert.equal((await suggest(1)).status, 200);
    assert.equal((await suggest(2)).status, 200);
    const third = await suggest(3);
    assertGoogleError(third, 429, 'RESOURCE_EXHAUSTED', null, 'Feedback quota');
    assert.ok(Number(third.headers['retry-after']) >= 1);
    assert.equal(sql(dataDir, 'SELECT COUNT(*) FROM interop_feedback'), '2');
    // Analysing is not feedback: the key still scores.
    assert.equal((await analyze(srv, CORAL_VECTOR, { key })).status, 200);
  });
});

describe('serve --engine-only', () => {
  const dataDir = newDataDir();
  let srv;
  let key;
  before(async () => {
    key = await createKey(dataDir);
    srv = await startServer({ dataDir, args: ['--engine-only'] });
  });
  after(async () => { await srv?.stop(); });

  test('serves the engine endpoints and health, not the site', T, async () => {
    const res = await analyze(srv, CORAL_VECTOR, { key });
    assert.equal(res.status, 200, res.text);
    assert.equal((await rawRequest(srv.baseUrl, { path: '/healthz' })).status, 200);
    assert.equal((await rawRequest(srv.baseUrl, { path: '/' })).status, 404);
    assert.equal((await rawRequest(srv.baseUrl, { path: '/api/v1/articles' })).status, 404);
    const check = await rawRequest(srv.baseUrl, {
      method: 'POST', path: '/api/v1/moderation/check', body: '{"text":"hi"}', headers: { 'content-type': 'application/json' },
    });
    assert.equal(check.status, 401, 'the moderation check is there, for moderators only');
  });
});
