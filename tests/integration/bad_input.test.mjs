import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, createArticle, articlePayload, postComment, listComments, Client, loggedIn, uniqueEmail, unique,
  assertError, assertStatus, retryOnConnError, PASSWORD,
} from './harness.mjs';

const T = { timeout: 60_000 };
const JSON_CT = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;

/** A JSON comment payload `{"body":"aaa…"}` of exactly `size` bytes. */
function commentOfSize(size) {
  const prefix = '{"body":"';
  const suffix = '"}';
  return Buffer.from(prefix + 'a'.repeat(size - prefix.length - suffix.length) + suffix);
}

describe('bad input', { timeout: 600_000 }, () => {
  let ctx;
  let alice;
  let bob;
  let article;
  let commentsPath;

  before(async () => {
    ctx = await bootstrap({ accounts: { editor: 'editor', alice: 'reader', bob: 'reader' } });
    ({ alice, bob } = ctx.clients);
    article = await createArticle(ctx.clients.editor);
    commentsPath = `/api/v1/articles/${article.id}/comments`;
    await postComment(alice, article.id, 'a comment that exists before the bad input starts');
  });
  after(async () => { await ctx?.srv.kill(); });

  /** Run fn; assert the article's comment total and the newest comment did not change. */
  async function storesNothing(fn) {
    const before1 = await listComments(ctx.anon, article.id, { sort: 'newest', limit: 5 });
    await fn();
    const after1 = await listComments(ctx.anon, article.id, { sort: 'newest', limit: 5 });
    assert.equal(after1.total, before1.total, 'total unchanged');
    assert.deepEqual(after1.items.map((c) => [c.id, c.body, c.status]), before1.items.map((c) => [c.id, c.body, c.status]),
      'newest comments unchanged');
  }

  const rawComment = (body, headers = JSON_CT, opts = {}) => alice.raw('POST', commentsPath, { body, headers, ...opts });

  describe('JSON syntax and types', () => {
    test('malformed JSON → 400 bad_request, nothing stored', T, async () => {
      await storesNothing(async () => {
        for (const text of ['{"body":', '{body:"x"}', '{"body":"x"}}', '{"body":"x",}', "{'body':'x'}", '', ' ', '{"body":"x"} trailing', '{"body":"x\\q"}']) {
          assertError(await rawComment(text), 400, 'bad_request', `payload ${JSON.stringify(text)}`);
        }
      });
    });

    test('JSON that is not an object → 400 bad_request', T, async () => {
      await storesNothing(async () => {
        for (const text of ['[]', '["x"]', '"x"', 'null', '42', 'true']) {
          assertError(await rawComment(text), 400, 'bad_request', `payload ${text}`);
        }
      });
    });

    test('wrong-typed or missing fields → 400 bad_request, nothing stored', T, async () => {
      const existing = (await listComments(ctx.anon, article.id)).items[0].id;
      await storesNothing(async () => {
        for (const payload of [
          { body: 5 }, { body: null }, { body: ['x'] }, { body: { text: 'x' } }, { body: true },
          { body: 'x', parent_id: {} }, { body: 'x', parent_id: 5 }, { body: 'x', parent_id: [existing] }, {},
        ]) {
          assertError(await alice.post(commentsPath, payload), 400, 'bad_request', JSON.stringify(payload));
        }
      });
    });

    test('unknown fields in a comment → 400 bad_request, nothing stored', T, async () => {
      await storesNothing(async () => {
        for (const payload of [
          { body: 'x', author_id: '1' },
          { body: 'x', status: 'published' },
          { body: 'x', article_id: article.id },
        ]) {
          assertError(await alice.post(commentsPath, payload), 400, 'bad_request', JSON.stringify(payload));
        }
      });
    });

    test('unknown fields in a registration → 400 bad_request, no account', T, async () => {
      for (const extra of [{ roles: ['admin'] }, { role: 'editor' }, { id: '1' }]) {
        const email = uniqueEmail('extra');
        const r = await ctx.anon.post('/api/v1/accounts',
          { email, password: PASSWORD, display_name: 'X', accept_terms: true, ...extra });
        assertError(r, 400, 'bad_request', JSON.stringify(extra));
        assertError(await new Client(ctx.srv.baseUrl).login(email), 401, 'unauthenticated', 'no account was created');
      }
    });

    test('unknown fields in an article → 400 bad_request, nothing stored', T, async () => {
      const section = unique('xf').toLowerCase();
      for (const extra of [{ author_id: '1' }, { views: 1000 }, { id: '42' }]) {
        const r = await ctx.clients.editor.post('/api/v1/articles', articlePayload({ section, ...extra }));
        assertError(r, 400, 'bad_request', JSON.stringify(extra));
      }
      const list = await ctx.anon.get(`/api/v1/articles?section=${section}`);
      assertStatus(list, 200, 'list');
      assert.deepEqual(list.body.items, []);
    });
  });

  describe('encoding', () => {
    const INVALID = {
      'lone 0xFF': [0xff],
      'bad continuation (C3 28)': [0xc3, 0x28],
      'overlong slash (C0 AF)': [0xc0, 0xaf],
      'UTF-8 encoded surrogate (ED A0 80)': [0xed, 0xa0, 0x80],
      'truncated sequence (E2 82)': [0xe2, 0x82],
      'beyond U+10FFFF (F4 90 80 80)': [0xf4, 0x90, 0x80, 0x80],
      'lone continuation byte (80)': [0x80],
    };
    for (const [name, bytes] of Object.entries(INVALID)) {
      test(`invalid UTF-8 inside the JSON string: ${name} → 400 bad_request`, T, async () => {
        await storesNothing(async () => {
          const body = Buffer.concat([Buffer.from('{"body":"abc '), Buffer.from(bytes), Buffer.from(' def"}')]);
          assertError(await rawComment(body), 400, 'bad_request', name);
        });
      });
    }

    test('invalid UTF-8 in a registration → 400 bad_request, no account', T, async () => {
      const email = uniqueEmail('utf');
      const body = Buffer.concat([
        Buffer.from(`{"email":"${email}","password":"${PASSWORD}","accept_terms":true,"display_name":"bad `),
        Buffer.from([0xff, 0xfe]), Buffer.from('"}'),
      ]);
      assertError(await ctx.anon.raw('POST', '/api/v1/accounts', { body, headers: JSON_CT }), 400, 'bad_request', 'registration');
      assertError(await new Client(ctx.srv.baseUrl).login(email), 401, 'unauthenticated', 'no account');
    });

    test('\\u0000 in the body → 400 bad_request, nothing stored', T, async () => {
      await storesNothing(async () => {
        assertError(await alice.post(commentsPath, { body: 'before\u0000after' }), 400, 'bad_request', 'escaped NUL');
        const rawNul = Buffer.concat([Buffer.from('{"body":"before'), Buffer.from([0]), Buffer.from('after"}')]);
        assertError(await rawComment(rawNul), 400, 'bad_request', 'raw NUL byte');
      });
    });

    test('valid multi-byte UTF-8 is stored verbatim', T, async () => {
      const text = 'Grüße, 東京 — emoji 🎉 and combining é';
      const c = await postComment(alice, article.id, text);
      const listed = (await listComments(ctx.anon, article.id, { sort: 'newest', limit: 5 })).items.find((x) => x.id === c.id);
      assert.equal(listed.body, text);
    });
  });

  describe('size', () => {
    test('body of 1,048,577 bytes → 413 payload_too_large, nothing stored', T, async () => {
      await storesNothing(async () => {
        const body = commentOfSize(MiB + 1);
        assert.equal(body.length, 1_048_577);
        assertError(await retryOnConnError(() => rawComment(body)), 413, 'payload_too_large', 'Content-Length body');
      });
      assertStatus(await ctx.anon.get('/healthz'), 200, 'server still healthy');
    });

    test('chunked body over 1 MiB → 413 payload_too_large, nothing stored', T, async () => {
      await storesNothing(async () => {
        const r = await retryOnConnError(() => rawComment(commentOfSize(MiB + 4096), JSON_CT, { chunked: true }));
        assertError(r, 413, 'payload_too_large', 'chunked body');
      });
      assertStatus(await ctx.anon.get('/healthz'), 200, 'server still healthy');
    });

    test('the 413 reaches the client every time (no connection reset before the answer): 300 oversized posts', { timeout: 180_000 }, async () => {
      const body = commentOfSize(MiB + 1);
      const outcomes = {};
      await storesNothing(async () => {
        for (let i = 0; i < 300; i++) {
          const r = await rawComment(body);
          const k = r.error ? `connection error ${r.error.code ?? r.error.message}` : `${r.status} ${r.body?.error?.code}`;
          outcomes[k] = (outcomes[k] ?? 0) + 1;
        }
      });
      assert.deepEqual(outcomes, { '413 payload_too_large': 300 }, 'every oversized request must receive its 413');
    });

    test('body of exactly 1 MiB is read (the engine then rejects it as too long: 422)', T, async () => {
      await storesNothing(async () => {
        const r = await rawComment(commentOfSize(MiB));
        assertError(r, 422, 'rejected', '1 MiB body');
      });
    });
  });

  describe('content type', () => {
    test('Content-Type: text/plain → 415 unsupported_media_type, nothing stored', T, async () => {
      await storesNothing(async () => {
        const r = await rawComment('{"body":"plain text type"}', { 'content-type': 'text/plain' });
        assertError(r, 415, 'unsupported_media_type', 'comment as text/plain');
        const f = await rawComment('body=form', { 'content-type': 'application/x-www-form-urlencoded' });
        assertError(f, 415, 'unsupported_media_type', 'comment as form');
      });
      const email = uniqueEmail('ct');
      const reg = await ctx.anon.raw('POST', '/api/v1/accounts', {
        body: JSON.stringify({ email, password: PASSWORD, display_name: 'X', accept_terms: true }),
        headers: { 'content-type': 'text/plain' },
      });
      assertError(reg, 415, 'unsupported_media_type', 'registration as text/plain');
      assertError(await new Client(ctx.srv.baseUrl).login(email), 401, 'unauthenticated', 'no account');
      const login = await new Client(ctx.srv.baseUrl).raw('POST', '/api/v1/session', {
        body: JSON.stringify({ email: ctx.emails.alice, password: PASSWORD }),
        headers: { 'content-type': 'text/plain' },
      });
      assertError(login, 415, 'unsupported_media_type', 'login as text/plain');
    });

    test('application/json; charset=utf-8 is accepted', T, async () => {
      const r = await rawComment('{"body":"charset parameter is fine"}', { 'content-type': 'application/json; charset=utf-8' });
      assertStatus(r, 201, 'charset parameter');
    });
  });

  describe('CSRF', () => {
    test('cookie without X-CSRF-Token → 403 forbidden on POST/PATCH/DELETE; nothing changes', T, async () => {
      const mine = await postComment(alice, article.id, 'csrf target');
      await storesNothing(async () => {
        assertError(await alice.post(commentsPath, { body: 'no token' }, { csrf: false }), 403, 'forbidden', 'POST comment');
        assertError(await alice.patch(`/api/v1/comments/${mine.id}`, { body: 'no token edit' }, { csrf: false }), 403, 'forbidden', 'PATCH');
        assertError(await alice.del(`/api/v1/comments/${mine.id}`, { csrf: false }), 403, 'forbidden', 'DELETE comment');
      });
      const section = unique('csrf').toLowerCase();
      assertError(await ctx.clients.editor.post('/api/v1/articles', articlePayload({ section }), { csrf: false }), 403, 'forbidden', 'POST article');
      assert.deepEqual((await ctx.anon.get(`/api/v1/articles?section=${section}`)).body.items, []);
      const s = await loggedIn(ctx.srv.baseUrl, ctx.emails.alice);
      assertError(await s.del('/api/v1/session', { csrf: false }), 403, 'forbidden', 'DELETE session');
      assertStatus(await s.me(), 200, 'session survived');
    });

    test('wrong X-CSRF-Token → 403 forbidden', T, async () => {
      const mine = await postComment(alice, article.id, 'csrf target 2');
      await storesNothing(async () => {
        for (const token of ['wrong-token', `${alice.csrf}x`, alice.csrf.slice(0, -1), '']) {
          assertError(await alice.post(commentsPath, { body: 'bad token' }, { headers: { 'x-csrf-token': token } }),
            403, 'forbidden', `token ${JSON.stringify(token)}`);
        }
        assertError(await alice.patch(`/api/v1/comments/${mine.id}`, { body: 'x' }, { csrf: 'nope' }), 403, 'forbidden', 'PATCH');
        assertError(await alice.del(`/api/v1/comments/${mine.id}`, { csrf: 'nope' }), 403, 'forbidden', 'DELETE');
      });
      const s = await loggedIn(ctx.srv.baseUrl, ctx.emails.alice);
      assertError(await s.del('/api/v1/session', { csrf: 'nope' }), 403, 'forbidden', 'DELETE session');
      assertStatus(await s.me(), 200, 'session survived');
    });

    test("another session's CSRF token does not work", T, async () => {
      await storesNothing(async () => {
        assert.notEqual(bob.csrf, alice.csrf);
        assertError(await alice.post(commentsPath, { body: "bob's token" }, { csrf: bob.csrf }), 403, 'forbidden', "bob's token");
      });
    });
  });

  describe('routing and query parameters', () => {
    test('unknown route → 404 not_found', T, async () => {
      for (const [m, p] of [['GET', '/api/v1/nope'], ['GET', '/definitely/not/here'], ['POST', '/api/v1/nope'],
        ['GET', `/api/v1/articles/${article.id}/nope`], ['GET', '/api/v2/articles']]) {
        const r = m === 'GET' ? await ctx.anon.get(p) : await ctx.anon.post(p, {});
        assertError(r, 404, 'not_found', `${m} ${p}`);
      }
    });

    for (const limit of ['abc', '0', '-1', '5x']) {
      test(`limit=${limit} → 400 bad_request (comments and articles)`, T, async () => {
        assertError(await ctx.anon.get(`${commentsPath}?limit=${limit}`), 400, 'bad_request', 'comments');
        assertError(await ctx.anon.get(`/api/v1/articles?limit=${limit}`), 400, 'bad_request', 'articles');
      });
    }

    test('garbage cursor → 400 bad_request (comments and articles)', T, async () => {
      const forged = Buffer.from('{"x":1}').toString('base64url');
      for (const cursor of ['garbage', '!!!', forged]) {
        const q = encodeURIComponent(cursor);
        assertError(await ctx.anon.get(`${commentsPath}?cursor=${q}`), 400, 'bad_request', `comments cursor ${cursor}`);
        assertError(await ctx.anon.get(`/api/v1/articles?cursor=${q}`), 400, 'bad_request', `articles cursor ${cursor}`);
      }
    });

    test('unknown sort → 400 bad_request', T, async () => {
      assertError(await ctx.anon.get(`${commentsPath}?sort=sideways`), 400, 'bad_request', 'sort=sideways');
    });
  });
});
