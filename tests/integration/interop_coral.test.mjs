// Coral's External Moderation Phase (INTEROP.md §2, §3.3, §4.2) against a real server, signed the way Coral signs
// (Node's crypto.createHmac over the exact bytes of JSON.stringify(request, null, 2)) with secrets made up per run:
// rotation, bad and missing signatures, replays, the three kinds of answer, the decision record, and webhooks
// turning Coral moderators' later decisions into learned examples.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { newDataDir, startServer, rawRequest, sql, until } from './harness.mjs';

const T = { timeout: 120_000 };
const PATH = '/api/v1/interop/coral/moderation';

const secret = () => `empsec_${randomBytes(32).toString('hex')}`;
const sign = (raw, s) => `sha256=${createHmac('sha256', s).update(raw).digest('hex')}`;

// Exactly what Coral sends: JSON.stringify(request, null, 2), keys in this order.
function coralBody(body, { story = 'story-1', author = 'author-1', tenant = 'tenant-1', parentID = null, action = 'NEW' } = {}) {
  return JSON.stringify({
    action,
    comment: { body, parentID },
    author: { id: author, role: 'COMMENTER' },
    story: { id: story, url: `https://news.example/2026/12/01/${story}/` },
    site: { id: 'site-1' },
    tenantID: tenant,
    tenantDomain: 'news.example',
  }, null, 2);
}

function post(srv, raw, signature, { path = PATH } = {}) {
  const headers = { 'content-type': 'application/json', 'user-agent': 'Coral Moderation/9.11.8' };
  if (signature !== undefined) headers['x-coral-signature'] = signature;
  return rawRequest(srv.baseUrl, { method: 'POST', path, body: raw, headers });
}

// §4.2's body, byte for byte (520 bytes, no trailing newline).
const VECTOR = JSON.stringify({
  action: 'NEW',
  comment: { body: 'Visit my shop at cheap-watches.example for 50% off! Use code SAVE50', parentID: null },
  author: { id: 'baf4e943-3594-4fcc-b2ba-3e8de7a76352', role: 'COMMENTER' },
  story: { id: '245b3856-b0a0-4d2f-a6bb-58c71f18d6a6', url: 'https://news.example/2020/09/20/wechat-ruling/' },
  site: { id: 'a4bede88-2d2c-4424-bc18-4322a9e285a6' },
  tenantID: '19ba5794-7eeb-4d46-a81b-c00c61672501',
  tenantDomain: 'news.example',
}, null, 2);

describe('Coral external moderation phase', () => {
  const dataDir = newDataDir();
  const oldSecret = secret();
  const newSecret = secret();
  let srv;
  const records = () => Number(sql(dataDir, 'SELECT COUNT(*) FROM interop_decisions'));
  // Records are written off the request path, in order: after one more answered request's record is in, any
  // record a refused request had wrongly made would be in too.
  const assertNoNewRecords = async (before) => {
    const raw = coralBody(`Sentinel ${randomBytes(4).toString('hex')}: thanks for the article.`, { story: 'sentinel' });
    assert.equal((await post(srv, raw, sign(raw, newSecret))).status, 204);
    await until('the sentinel record', () => records() >= before + 1);
    assert.equal(records(), before + 1, 'only the sentinel was recorded');
  };
  before(async () => {
    srv = await startServer({ dataDir, env: { TRIBUNE_INTEROP_CORAL_SECRETS: `${oldSecret},${newSecret}` } });
  });
  after(async () => { await srv?.stop(); });

  test('§4.2: the vector body is what the spec says, and the documented made-up secret signs it as documented', () => {
    assert.equal(Buffer.byteLength(VECTOR), 520);
    assert.equal(createHash('sha256').update(VECTOR).digest('hex'), '2740ee3853a01274b44c3bc39403dfb383e2e09ffe6b8f3cef027bd9b3a2c19b');
    assert.equal(sign(VECTOR, `empsec_${'3f1c'.repeat(16)}`), 'sha256=968cf790c7d1684c23b3c36ee889473f0efa72ce681b383c3a7385b5bbcddd33');
    assert.equal(sign(VECTOR, `empsec_${'a7e2'.repeat(16)}`), 'sha256=f220ed3e7f7073fad6dfcde03c824e029f1ca7d4b570390ec69626ff580df78a');
  });

  test('the advert is rejected as an AD with a spam flag, under either secret of a rotation', T, async () => {
    const expected = (b) => {
      assert.equal(b.status, 'REJECTED');
      assert.deepEqual(b.actions, [{ actionType: 'FLAG', reason: 'COMMENT_DETECTED_SPAM' }]);
      assert.equal(b.moderationAction.status, 'REJECTED');
      assert.equal(b.moderationAction.rejectionReason.code, 'AD');
      assert.match(b.moderationAction.rejectionReason.detailedExplanation, /^unauthorised_promotion: \S/);
      assert.deepEqual(Object.keys(b), ['status', 'actions', 'moderationAction']);
    };
    const before = records();
    for (const header of [
      `${sign(VECTOR, oldSecret)},${sign(VECTOR, newSecret)}`,  // during the overlap
      sign(VECTOR, oldSecret),
      sign(VECTOR, newSecret),                                  // after the old one's inactiveAt
      `foo=bar,${sign(VECTOR, newSecret)}`,
    ]) {
      const res = await post(srv, VECTOR, header);
      assert.equal(res.status, 200, `${header}: ${res.text}`);
      assert.equal(res.headers['content-type'], 'application/json');
      expected(res.body);
    }
    await until('four decision records', () => records() === before + 4);
    const row = sql(dataDir, `SELECT tenant_id || '|' || story_id || '|' || author_id || '|' || action FROM interop_decisions ORDER BY id DESC LIMIT 1`);
    assert.equal(row, '19ba5794-7eeb-4d46-a81b-c00c61672501|245b3856-b0a0-4d2f-a6bb-58c71f18d6a6|baf4e943-3594-4fcc-b2ba-3e8de7a76352|reject');
  });

  test('unsigned, wrongly signed and foreign-secret requests: 401 in Tribune\'s format, nothing recorded', T, async () => {
    const good = sign(VECTOR, newSecret);
    const flipped = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    const before = records();
    for (const header of [undefined, '', 'sha256=', flipped, sign(VECTOR, secret()), 'sha1=abc', 'garbage', `sha256=${'0'.repeat(64)}`,
      `${'sha256=00,'.repeat(500)}`]) {
      const res = await post(srv, VECTOR, header);
      assert.equal(res.status, 401, `${header}: ${res.text}`);
      assert.equal(res.body.error.code, 'unauthenticated');
      assert.ok(res.body.error.request_id);
    }
    // A signature over other bytes (the same JSON re-serialised) does not verify the body sent.
    const compact = JSON.stringify(JSON.parse(VECTOR));
    assert.equal((await post(srv, VECTOR, sign(compact, newSecret))).status, 401);
    await assertNoNewRecords(before);
  });

  test('a clean comment: 204 with no body; a held one: SYSTEM_WITHHELD with a toxicity flag', T, async () => {
    const clean = coralBody('<p>Thanks, good summary of the ruling.</p>');
    const res = await post(srv, clean, sign(clean, newSecret));
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const held = coralBody('<p>Café owners are idiots. Nice article.</p>', { story: 'story-held' });
    const h = await post(srv, held, sign(held, newSecret));
    assert.equal(h.status, 200, h.text);
    assert.equal(h.text, '{"status":"SYSTEM_WITHHELD","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}]}');
    // The phase URL may ask for an explicit approval of clean comments.
    const approved = await post(srv, clean, sign(clean, newSecret), { path: `${PATH}?approve_on_publish=true` });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.text, '{"status":"APPROVED"}');
  });

  test('malformed bodies, even well signed, get 400 and no record', T, async () => {
    // The records of the answers so far are written off the request path: 4 + 1 + 3 answered above.
    await until('earlier records are in', () => records() === 8);
    const before = records();
    for (const raw of ['{', '[]', '{"action":"NEW"}', coralBody('').replace('"NEW"', '"DELETE"'), JSON.stringify({ action: 'NEW', comment: { body: 5 } })]) {
      const res = await post(srv, raw, sign(raw, newSecret));
      assert.equal(res.status, 400, `${raw}: ${res.text}`);
      assert.equal(res.body.error.code, 'bad_request');
    }
    const badEdition = coralBody('hello');
    assert.equal((await post(srv, badEdition, sign(badEdition, newSecret), { path: `${PATH}?edition=NOT%20AN%20EDITION` })).status, 400);
    assert.equal((await post(srv, badEdition, sign(badEdition, secret()), { path: `${PATH}?edition=NOT%20AN%20EDITION` })).status, 401);
    await assertNoNewRecords(before);
  });

  test("webhooks: a Coral moderator's rejection of a withheld comment teaches the model", T, async () => {
    const story = `story-wh-${randomBytes(3).toString('hex')}`;
    const held = coralBody('<p>Honestly, the mayor is an idiot and so are his voters.</p>', { story, tenant: 'tenant-wh' });
    const h = await post(srv, held, sign(held, newSecret));
    assert.equal(h.status, 200, h.text);
    assert.equal(h.body.status, 'SYSTEM_WITHHELD', h.text);
    await until('the held decision is recorded', () =>
      sql(dataDir, `SELECT COUNT(*) FROM interop_decisions WHERE story_id = '${story}'`) === '1');
    const event = (type, data) => JSON.stringify({
      id: randomBytes(8).toString('hex'), type, tenantID: 'tenant-wh', tenantDomain: 'news.example',
      data: { storyID: story, siteID: 'site-1', ...data }, createdAt: new Date().toISOString(),
    }, null, 2);
    const hook = (raw, signature) => post(srv, raw, signature, { path: '/api/v1/interop/coral/webhook' });
    const entered = event('COMMENT_ENTERED_MODERATION_QUEUE', { commentID: 'coral-c1', queue: 'PENDING', status: 'SYSTEM_WITHHELD' });
    assert.equal((await hook(entered, sign(entered, secret()))).status, 401);
    const r1 = await hook(entered, sign(entered, oldSecret));
    assert.equal(r1.status, 200, r1.text);
    assert.deepEqual(r1.body, { received: true });
    assert.equal(sql(dataDir, `SELECT coral_comment_id FROM interop_decisions WHERE story_id = '${story}'`), 'coral-c1');
    const left = event('COMMENT_LEFT_MODERATION_QUEUE', { commentID: 'coral-c1', queue: 'PENDING', status: 'REJECTED' });
    assert.equal((await hook(left, sign(left, newSecret))).status, 200);
    assert.equal(sql(dataDir, "SELECT label || '|' || source FROM interop_feedback WHERE reference = 'coral-c1'"), 'insult_threat|coral');
    // Unknown event types are acknowledged; malformed events are not.
    const other = event('STORY_CREATED', { storyURL: 'https://news.example/x' });
    assert.equal((await hook(other, sign(other, newSecret))).status, 200);
    for (const raw of ['{', '[]', JSON.stringify({ type: 'COMMENT_LEFT_MODERATION_QUEUE', data: {} })]) {
      assert.equal((await hook(raw, sign(raw, newSecret))).status, 400, raw);
    }
    assert.equal(sql(dataDir, "SELECT COUNT(*) FROM interop_feedback WHERE source = 'coral'"), '1');
  });

  test('without a replay window the same body gets the same answer', T, async () => {
    const raw = coralBody('You idiot, nobody asked.', { story: 'story-replay' });
    const a = await post(srv, raw, sign(raw, newSecret));
    const b = await post(srv, raw, sign(raw, newSecret));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.text, a.text);
  });
});

describe('Coral phase with a replay window', () => {
  const s = secret();
  let srv;
  before(async () => {
    srv = await startServer({ env: { TRIBUNE_INTEROP_CORAL_SECRETS: s, TRIBUNE_INTEROP_CORAL_REPLAY_SECONDS: '600' } });
  });
  after(async () => { await srv?.stop(); });

  test('a replayed body is refused with 409 and not judged again', T, async () => {
    const raw = coralBody('Thanks, good summary of the ruling.', { story: 'story-r' });
    assert.equal((await post(srv, raw, sign(raw, s))).status, 204);
    const again = await post(srv, raw, sign(raw, s));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'conflict');
    // Another body from the same author is fine.
    const other = coralBody('Thanks, a good summary of the ruling indeed.', { story: 'story-r' });
    assert.equal((await post(srv, other, sign(other, s))).status, 204);
  });
});
