// Several servers on one PostgreSQL database (issue 9): two `tribune serve` processes, A and B, on different
// ports, each with its own data directory, sharing one database. What one node does, the other learns through
// the database (LISTEN/NOTIFY, the shared behaviour window): a comment posted on A reaches B's live streams and
// B's cached anonymous pages; a flash-mob campaign split across the nodes is one cluster; a policy published on A
// asks B's readers to consent again; killing A under load loses no acknowledged comment and B keeps working;
// the two nodes' ids never collide.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLive } from './support/sse.mjs';
import {
  BACKEND, Client, newDataDir, newDataDirSharing, databaseUrlFor, createAccount, startServer, loggedIn, uniqueEmail,
  createArticle, postComment, listComments, listAllComments, assertStatus, assertError, until, sleep, sql,
} from './harness.mjs';
import { CAMPAIGN, CAMPAIGN_ARTICLE } from './support/campaign.mjs';

const T = { timeout: 180_000 };
const WAIT_MS = 20_000;

const hasFlashMob = (body) => Array.isArray(body?.findings) && body.findings.some((f) => f.rule === 'flash_mob');
const slotOf = (id) => Number(BigInt(id) & 63n);

const CAMPAIGN_ACCOUNTS = CAMPAIGN.map((_, i) => `camp${i}`);
const WRITERS = ['w0', 'w1', 'w2', 'w3']; // fewer than behaviour.cluster_accounts: their load is never a campaign

describe('two servers on one PostgreSQL database', { skip: BACKEND !== 'postgresql' && 'needs PostgreSQL (make pg-integration)', timeout: 900_000 }, () => {
  let A; // servers
  let B;
  const clients = {}; // name → {a: Client on A, b: Client on B}, one session
  const emails = {};
  let anonA;
  let anonB;
  const streams = [];
  // Every comment id any test got back, with the node that made it.
  const allIds = [];
  const note = (id, node) => { allIds.push({ id, node }); return id; };

  /** The same session on the other node: the session lives in the shared database. */
  function on(baseUrl, c) {
    const o = new Client(baseUrl);
    o.cookie = c.cookie;
    o.csrf = c.csrf;
    o.account = c.account;
    return o;
  }

  before(async () => {
    const dirA = newDataDir('tribune-it-a-');
    const dirB = newDataDirSharing(dirA, 'tribune-it-b-');
    const accounts = { editor: 'editor', mod: 'moderator', admin: 'admin', reader: 'reader' };
    for (const name of [...CAMPAIGN_ACCOUNTS, ...WRITERS]) accounts[name] = 'reader';
    for (const [name, role] of Object.entries(accounts)) {
      emails[name] = uniqueEmail(name);
      await createAccount(undefined, dirA, emails[name], role);
    }
    const env = { TRIBUNE_LIVE_HEARTBEAT_SECONDS: '1' };
    A = await startServer({ dataDir: dirA, env });
    // The database is A's, explicitly (newDataDirSharing maps dirB to it as well).
    B = await startServer({ dataDir: dirB, env: { ...env, TRIBUNE_STORAGE_URL: databaseUrlFor(dirA) } });
    for (const name of Object.keys(accounts)) {
      const c = await loggedIn(A.baseUrl, emails[name]);
      clients[name] = { a: c, b: on(B.baseUrl, c) };
    }
    anonA = new Client(A.baseUrl);
    anonB = new Client(B.baseUrl);
  });

  after(async () => {
    for (const s of streams) s.close();
    await A?.stop();
    await B?.stop();
  });

  test('the two servers share one database and hold different node slots', T, async () => {
    assert.notEqual(A.baseUrl, B.baseUrl);
    assert.equal(databaseUrlFor(A.dataDir), databaseUrlFor(B.dataDir), 'one database');
    // An article made on A is readable on B.
    const article = await createArticle(clients.editor.a);
    assertStatus(await anonB.get(`/api/v1/articles/${article.id}`), 200, 'the article on B');
    // A session made on A works on B.
    const me = await clients.reader.b.me();
    assertStatus(me, 200, 'the session of A on B');
    assert.equal(me.body.email, emails.reader);
    // The node slot is the low 6 bits of every id a node makes.
    const a = await postComment(clients.reader.a, article.id, 'Posted on the first server.');
    const b = await postComment(clients.reader.b, article.id, 'Posted on the second server.');
    note(a.id, 'A');
    note(b.id, 'B');
    assert.notEqual(slotOf(a.id), slotOf(b.id), `node slots differ: A ${slotOf(a.id)} (${a.id}), B ${slotOf(b.id)} (${b.id})`);
  });

  test('a comment posted on A appears live on a reader of B, and B\'s cached anonymous page shows it', T, async () => {
    const article = await createArticle(clients.editor.a);
    const path = `/api/v1/articles/${article.id}/comments`;
    const before1 = await postComment(clients.reader.b, article.id, 'An early comment, posted on B.');
    note(before1.id, 'B');

    // B's anonymous page, asked twice: the second answer comes from B's cache.
    for (let i = 0; i < 2; i++) {
      const page = await anonB.get(path);
      assertStatus(page, 200);
      assert.deepEqual(page.body.items.map((c) => c.id), [before1.id]);
    }

    const s = await openLive(B.baseUrl, article.id);
    streams.push(s);
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    await s.until(() => s.blocks[0], 'opening');

    const posted = await postComment(clients.reader.a, article.id, 'Posted on A, read on B.');
    note(posted.id, 'A');
    assert.equal(posted.status, 'published', JSON.stringify(posted));
    const e = await s.until(() => s.blocks.find((b) => b.event === 'comment' && b.data && JSON.parse(b.data).id === posted.id),
      `comment event for ${posted.id} (posted on A) on B's stream`);
    const data = JSON.parse(e.data);
    assert.equal(data.body, 'Posted on A, read on B.');
    assert.equal(data.status, 'published');
    // B numbers its events with its own slot.
    assert.equal(Number(BigInt(e.id) % 64n), slotOf(before1.id), `event id ${e.id} carries B's slot`);

    // B's cached page does not stay stale.
    await until('B\'s anonymous page to show the comment posted on A', async () => {
      const page = await anonB.get(path);
      assertStatus(page, 200);
      return page.body.items.some((c) => c.id === posted.id);
    }, WAIT_MS);
    const page = await listComments(anonB, article.id);
    assert.deepEqual(page.items.map((c) => c.id), [before1.id, posted.id]);
    assert.equal(page.total, 2);

    // And the other way round: an edit on B reaches a stream on A.
    const sa = await openLive(A.baseUrl, article.id);
    streams.push(sa);
    await sa.until(() => sa.blocks[0], 'opening');
    assertStatus(await clients.reader.b.patch(`/api/v1/comments/${posted.id}`, { body: 'Edited on B.' }), 200, 'edit on B');
    await sa.until(() => sa.blocks.find((b) => b.event === 'comment' && b.data && JSON.parse(b.data).body === 'Edited on B.'),
      'the edit made on B on A\'s stream');
    s.close();
    sa.close();
  });

  test('an article unpublished on A takes its discussion off B at once, cached pages included', T, async () => {
    const article = await createArticle(clients.editor.a);
    await postComment(clients.reader.a, article.id, 'A first comment before the article is pulled.');
    assertStatus(await anonB.get(`/api/v1/articles/${article.id}/comments`), 200, 'B caches the thread page');
    assertStatus(await clients.editor.a.post(`/api/v1/articles/${article.id}/unpublish`, {}), 200, 'unpublish on A');
    // The change travels by NOTIFY; B drops its cached pages of the thread when it hears it.
    await until('B answers 404 for the unpublished article\'s comments', async () =>
      (await anonB.get(`/api/v1/articles/${article.id}/comments`)).status === 404, WAIT_MS);
    assertError(await anonB.get(`/api/v1/articles/${article.id}/comments`), 404, 'not_found', 'on B');
  });

  test('a campaign split across both nodes is one flash-mob cluster', T, async () => {
    // Six accounts alternate A, B, A, B, A, B: each node alone sees three, fewer than the five
    // (behaviour.cluster_accounts) that make a campaign. Only the shared window sees five, then six.
    const article = await createArticle(clients.editor.a, CAMPAIGN_ARTICLE);
    const members = [];
    for (const [i, name] of CAMPAIGN_ACCOUNTS.entries()) {
      const node = i % 2 === 0 ? 'A' : 'B';
      const c = node === 'A' ? clients[name].a : clients[name].b;
      const r = await c.post(`/api/v1/articles/${article.id}/comments`, { body: CAMPAIGN[i] });
      assertStatus(r, 201, `${name} posts on ${node}`);
      note(r.body.id, node);
      members.push({ id: r.body.id, node, name });
      if (i < 4) {
        assert.equal(r.body.status, 'published', `member ${i + 1} (on ${node}) publishes: ${r.text}`);
        assert.ok(!hasFlashMob(r.body), `no flash_mob finding below five accounts: ${r.text}`);
      } else {
        assert.equal(r.body.status, 'pending',
          `member ${i + 1} (on ${node}; ${i + 1} accounts over both nodes, ${Math.ceil((i + 1) / 2)} on this one) is held: ${r.text}`);
        assert.ok(hasFlashMob(r.body), `a flash_mob finding: ${r.text}`);
      }
    }
    const ids = members.map((m) => m.id);

    // The earlier members are held retroactively, those posted on either node: readers of either node see none.
    for (const [name, anon] of [['A', anonA], ['B', anonB]]) {
      const { items } = await listAllComments(anon, article.id);
      const visible = items.filter((x) => ids.includes(x.id)).map((x) => x.id);
      assert.deepEqual(visible, [], `no campaign member is visible on ${name}`);
    }
    for (const m of members) {
      const own = await listAllComments(clients[m.name].b, article.id);
      assert.equal(own.items.find((x) => x.id === m.id)?.status, 'pending', `member ${m.id} (posted on ${m.node}) is held`);
    }

    // The moderators' view on either node: one cluster with all six members, posted on both nodes. B took the
    // last post (and caught up with A's before checking it); A must catch up with B's before it answers.
    let clusterId;
    for (const [name, mod] of [['B', clients.mod.b], ['A', clients.mod.a]]) {
      const clusterIds = new Set();
      for (const m of members) {
        const r = await mod.get(`/api/v1/moderation/comments/${m.id}/cluster`);
        assertStatus(r, 200, `cluster of ${m.id} (posted on ${m.node}) on ${name}`);
        clusterIds.add(r.body.id);
        assert.deepEqual(r.body.members.map((x) => x.comment_id).sort(), [...ids].sort(), `every member, on ${name}: ${r.text}`);
        assert.equal(r.body.accounts, 6, `six accounts in the cluster seen on ${name}: ${r.text}`);
        assert.ok(r.body.members.every((x) => x.status === 'pending'), `every member held, on ${name}: ${r.text}`);
      }
      assert.equal(clusterIds.size, 1, `one cluster on ${name}: ${[...clusterIds]}`);
      clusterId ??= [...clusterIds][0];
      assert.equal([...clusterIds][0], clusterId, 'the same cluster id on both nodes');
      const queue = await mod.get('/api/v1/moderation/queue?state=pending&rule=flash_mob&limit=200');
      assertStatus(queue, 200, `queue on ${name}`);
      const queued = queue.body.items.filter((it) => ids.includes(it.comment.id));
      assert.deepEqual(queued.map((it) => it.comment.id).sort(), [...ids].sort(), `every member is in ${name}'s queue`);
      for (const it of queued) {
        assert.deepEqual(it.cluster, { id: clusterId, accounts: 6 }, `queue item ${it.comment.id} on ${name}`);
      }
    }

    // A moderator on A rejects the cluster: every member goes, also the one posted last, on B.
    const decided = await clients.mod.a.post(`/api/v1/moderation/clusters/${clusterId}/decision`, { action: 'reject' });
    assertStatus(decided, 200, 'cluster decision on A');
    assert.equal(decided.body.decided, 6, `six members decided: ${decided.text}`);
    const view = await clients.mod.b.get(`/api/v1/moderation/clusters/${clusterId}`);
    assertStatus(view, 200);
    assert.deepEqual(view.body.members.map((x) => [x.comment_id, x.status]).sort(), ids.map((id) => [id, 'rejected']).sort(),
      `every member rejected: ${view.text}`);
    assert.deepEqual(new Set(members.map((m) => m.node)), new Set(['A', 'B']));
  });

  test('a privacy policy published on A makes B ask readers to consent again, without a restart', T, async () => {
    const article = await createArticle(clients.editor.b);
    const reader = clients.reader;
    note((await postComment(reader.b, article.id, 'Writing on B under the current policy.')).id, 'B');
    const current = await anonB.get('/api/v1/privacy-policy');
    assertStatus(current, 200);
    const published = await clients.admin.a.post('/api/v1/privacy-policy', { text: `${current.body.text}\n\nA paragraph added on A.` });
    assertStatus(published, 201, 'publish on A');
    const version = published.body.version;
    assert.equal(version, current.body.version + 1);

    // B learns the new version through the database's notification: its next write asks for consent.
    await until('B to ask for consent to the policy published on A', async () => {
      const r = await reader.b.post(`/api/v1/articles/${article.id}/comments`, { body: 'Can I still write on B?' });
      if (r.status === 201) { note(r.body.id, 'B'); return false; }
      assertError(r, 403, 'consent_required', 'a write on B after the policy changed on A');
      return true;
    }, WAIT_MS);
    const me = await reader.b.me();
    assert.deepEqual(me.body.consent, { policy_version: current.body.version, current_version: version });
    assertStatus(await anonB.get('/api/v1/privacy-policy'), 200);
    assert.equal((await anonB.get('/api/v1/privacy-policy')).body.version, version);

    // Consent given on B lets the reader write on A and on B.
    assertStatus(await reader.b.post('/api/v1/me/consents', { policy_version: version }), 204, 'consent on B');
    note((await postComment(reader.a, article.id, 'Consented on B, writing on A.')).id, 'A');
    note((await postComment(reader.b, article.id, 'Consented on B, writing on B.')).id, 'B');

    // Everyone else consents too (on A), for the tests below.
    for (const [name, c] of Object.entries(clients)) {
      if (name !== 'reader') assertStatus(await c.a.post('/api/v1/me/consents', { policy_version: version }), 204, `${name} consents`);
    }
  });

  test('killing A mid-load loses no acknowledged comment; B keeps working; no id is used twice', T, async () => {
    const article = await createArticle(clients.editor.a);
    const path = `/api/v1/articles/${article.id}/comments`;
    const acked = []; // {id, node, status}
    const failures = {};
    let n = 0;
    let stopB = false;
    async function loop(k, node) {
      const c = node === 'A' ? clients[WRITERS[k % WRITERS.length]].a : clients[WRITERS[k % WRITERS.length]].b;
      for (;;) {
        if (node === 'B' && stopB) return;
        const i = n++;
        const r = await c.raw('POST', path, {
          body: JSON.stringify({ body: `Loop ${k} on ${node}, comment ${i}: ${'the quick brown fox jumps over the lazy dog '.repeat(1 + (i % 3))}` }),
          headers: { 'content-type': 'application/json' },
          timeoutMs: 15_000,
        });
        if (!r.error && r.status === 201 && typeof r.body?.id === 'string') {
          acked.push({ id: r.body.id, node, status: r.body.status });
        } else {
          const key = `${node}: ${r.error ? `error ${r.error.code ?? r.error.message}` : `status ${r.status} ${r.text?.slice(0, 200)}`}`;
          failures[key] = (failures[key] ?? 0) + 1;
          if (node === 'A' && r.error) return; // A is gone
          if (node === 'B') await sleep(5);
        }
      }
    }
    const loopsA = Array.from({ length: 6 }, (_, k) => loop(k, 'A'));
    const loopsB = Array.from({ length: 6 }, (_, k) => loop(k + 6, 'B'));
    // Kill A once both nodes have acknowledged some comments: the loops are still posting.
    await until('acknowledgements from both nodes', () =>
      acked.filter((x) => x.node === 'A').length >= 30 && acked.filter((x) => x.node === 'B').length >= 30, 60_000);
    const ackedBeforeKill = acked.length;
    A.proc.kill('SIGKILL');
    await A.exited;
    await Promise.all(loopsA);
    // B goes on taking comments after A died.
    const ackedAtKill = acked.filter((x) => x.node === 'B').length;
    await until('B to acknowledge comments after the kill', () => acked.filter((x) => x.node === 'B').length >= ackedAtKill + 20, 60_000);
    stopB = true;
    await Promise.all(loopsB);
    const after1 = await postComment(clients.w0.b, article.id, 'Posted on B after A died.');
    acked.push({ id: after1.id, node: 'B', status: after1.status });

    const fromA = acked.filter((x) => x.node === 'A');
    const fromB = acked.filter((x) => x.node === 'B');
    assert.ok(fromA.length >= 30 && fromB.length >= ackedAtKill + 20,
      `load on both nodes: ${fromA.length} from A, ${fromB.length} from B (${ackedBeforeKill} before the kill); failures ${JSON.stringify(failures)}`);
    const otherFailures = Object.entries(failures).filter(([k]) => !k.startsWith('A: error'));
    assert.deepEqual(otherFailures, [], 'only requests to the killed node fail, at the connection');
    for (const x of acked) note(x.id, x.node);

    // Every acknowledged comment is in the thread, read through B; none twice.
    const ackedIds = acked.map((x) => x.id);
    assert.equal(new Set(ackedIds).size, ackedIds.length, 'no id acknowledged twice');
    const held = acked.filter((x) => x.status !== 'published');
    assert.deepEqual(held, [], 'the load is ordinary comments, all published');
    const { items } = await listAllComments(anonB, article.id, { limit: 200 });
    const listedIds = items.map((x) => x.id);
    assert.equal(new Set(listedIds).size, listedIds.length, 'no comment listed twice');
    const listed = new Set(listedIds);
    const missing = acked.filter((x) => !listed.has(x.id));
    assert.deepEqual(missing, [], `every acknowledged comment is in the thread on B (${acked.length} acknowledged, ${listedIds.length} listed)`);
    // Beyond them, only what A may have committed as it died without answering: one request in flight per A loop.
    assert.ok(listedIds.length <= acked.length + loopsA.length, `${listedIds.length} listed, ${acked.length} acknowledged`);
    const stored = Number(sql(B.dataDir, `SELECT COUNT(*) FROM comments WHERE article_id = ${article.id}`));
    assert.equal(stored, listedIds.length, 'the database holds what B lists');

    // The ids of both nodes never collide, and each node's ids carry its slot.
    const all = allIds.map((x) => x.id);
    assert.equal(new Set(all).size, all.length, `all ${all.length} comment ids of this file are unique`);
    const slots = { A: new Set(allIds.filter((x) => x.node === 'A').map((x) => slotOf(x.id))), B: new Set(allIds.filter((x) => x.node === 'B').map((x) => slotOf(x.id))) };
    assert.equal(slots.A.size, 1, `A's ids carry one slot: ${[...slots.A]}`);
    assert.equal(slots.B.size, 1, `B's ids carry one slot: ${[...slots.B]}`);
    assert.notEqual([...slots.A][0], [...slots.B][0], 'the slots differ');
  });
});
