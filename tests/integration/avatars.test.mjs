// Avatars, black-box: PUT|DELETE /api/v1/me/avatar and GET /api/v1/accounts/{id}/avatar.
// Test images are made here with nothing but node: PNGs written by hand (zlib + CRC), one small real
// JPEG carrying EXIF embedded as base64.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrap, Client, assertError, assertStatus, retryOnConnError, unknownIdLike,
} from './harness.mjs';
// The hand-written PNGs, the decompression bomb and the EXIF-carrying JPEG (shared with the article-image tests).
import { makePng, bombPng, JPEG_WITH_EXIF } from './support/images.mjs';

const T = { timeout: 60_000 };

// ---------------------------------------------------------------------------
// Image fixtures


/** The RIFF chunks of a WebP file and its canvas size, from the VP8 / VP8L / VP8X header. */
function parseWebp(buf) {
  assert.ok(buf.length >= 30, `WebP too short: ${buf.length} bytes`);
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF', 'RIFF signature');
  assert.equal(buf.toString('latin1', 8, 12), 'WEBP', 'WEBP signature');
  assert.equal(buf.readUInt32LE(4) + 8, buf.length, 'RIFF size matches the body');
  const chunks = [];
  let width;
  let height;
  for (let at = 12; at + 8 <= buf.length;) {
    const fourcc = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const data = buf.subarray(at + 8, at + 8 + size);
    chunks.push(fourcc);
    if (fourcc === 'VP8X') {
      width = 1 + data.readUIntLE(4, 3);
      height = 1 + data.readUIntLE(7, 3);
    } else if (fourcc === 'VP8 ' && width === undefined) {
      assert.deepEqual([...data.subarray(3, 6)], [0x9D, 0x01, 0x2A], 'VP8 start code');
      width = data.readUInt16LE(6) & 0x3FFF;
      height = data.readUInt16LE(8) & 0x3FFF;
    } else if (fourcc === 'VP8L' && width === undefined) {
      assert.equal(data[0], 0x2F, 'VP8L signature');
      const bits = data.readUInt32LE(1);
      width = 1 + (bits & 0x3FFF);
      height = 1 + ((bits >>> 14) & 0x3FFF);
    }
    at += 8 + size + (size & 1);
  }
  return { chunks, width, height };
}

// ---------------------------------------------------------------------------

describe('avatars', { timeout: 300_000 }, () => {
  let srv;
  let anon;
  let alice; // a reader
  let bob;   // another reader, for the failure cases

  before(async () => {
    ({ srv, anon, clients: { alice, bob } } = await bootstrap({ accounts: { alice: 'reader', bob: 'reader' } }));
  });
  after(async () => { await srv?.kill(); });

  const avatarPath = (client) => `/api/v1/accounts/${client.account.id}/avatar`;
  const put = (client, body, type, opts = {}) =>
    client.raw('PUT', '/api/v1/me/avatar', { body, headers: type ? { 'content-type': type } : {}, ...opts });
  const get = (path, headers = {}) => anon.raw('GET', path, { headers });
  const getBytes = async (path, headers = {}) => {
    const r = await fetch(new URL(path, srv.baseUrl), { headers });
    return { status: r.status, headers: Object.fromEntries(r.headers), bytes: Buffer.from(await r.arrayBuffer()) };
  };

  /** The account shows the generated SVG default with its initial. */
  async function assertDefault(client, what) {
    const r = await get(avatarPath(client));
    assertStatus(r, 200, `${what}: GET avatar`);
    assert.match(r.headers['content-type'], /^image\/svg\+xml/, `${what}: content type`);
    assert.match(r.text, /^<svg[\s>]/, `${what}: an SVG document`);
    assert.ok(!/<script/i.test(r.text), `${what}: no script in the SVG`);
    const initial = [...client.account.display_name.trim()][0].toUpperCase();
    assert.ok(r.text.includes(`>${initial}</text>`), `${what}: the SVG shows the initial ${initial}: ${r.text}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(r.headers.etag, `${what}: ETag`);
    return r;
  }

  async function assertWebp(client, what) {
    const r = await getBytes(avatarPath(client));
    assert.equal(r.status, 200, `${what}: GET avatar → ${r.status}`);
    assert.equal(r.headers['content-type'], 'image/webp', `${what}: content type`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['cache-control'], 'public, max-age=300');
    assert.ok(r.headers.etag, `${what}: ETag`);
    const webp = parseWebp(r.bytes);
    assert.equal(webp.width, 256, `${what}: width`);
    assert.equal(webp.height, 256, `${what}: height`);
    for (const meta of ['EXIF', 'XMP ', 'ICCP']) assert.ok(!webp.chunks.includes(meta), `${what}: no ${meta} chunk: ${webp.chunks}`);
    assert.equal(r.bytes.indexOf('Secret'), -1, `${what}: the upload's metadata is gone`);
    return r;
  }

  test('without an upload the default is an SVG with the initial, cacheable and revalidated', T, async () => {
    const r = await assertDefault(alice, 'fresh account');
    assert.equal(r.headers['cache-control'], 'public, max-age=300');
    assert.ok(r.headers['content-security-policy']?.includes("default-src 'none'"), 'SVG gets a locked-down CSP');
    const again = await get(avatarPath(alice), { 'if-none-match': r.headers.etag });
    assertStatus(again, 304, 'If-None-Match with the current ETag');
  });

  test('unknown and malformed account ids → 404 JSON', T, async () => {
    assertError(await get(`/api/v1/accounts/${unknownIdLike(alice.account.id)}/avatar`), 404, 'not_found', 'unknown id');
    assertError(await get('/api/v1/accounts/not-an-id/avatar'), 404, 'not_found', 'malformed id');
  });

  test('a PNG with metadata becomes a 256×256 WebP without it', T, async () => {
    const png = makePng(640, 480, { secret: 'Secret Person' });
    const r = await put(alice, png, 'image/png');
    assertStatus(r, 200, 'PUT PNG');
    assert.match(r.body?.avatar_url ?? '', new RegExp(`^/api/v1/accounts/${alice.account.id}/avatar\\?v=[A-Za-z0-9_-]+$`), r.text);
    const got = await assertWebp(alice, 'PNG upload');
    // The URL the upload returned serves the same picture.
    const viaUrl = await getBytes(r.body.avatar_url);
    assert.equal(viaUrl.status, 200);
    assert.ok(viaUrl.bytes.equals(got.bytes), 'avatar_url serves the stored image');
    // Conditional GET.
    const cond = await get(avatarPath(alice), { 'if-none-match': got.headers.etag });
    assertStatus(cond, 304, 'If-None-Match');
    const stale = await get(avatarPath(alice), { 'if-none-match': '"something-else"' });
    assertStatus(stale, 200, 'If-None-Match with another ETag');
  });

  test('a JPEG with EXIF becomes a 256×256 WebP without it; a new upload changes URL and ETag', T, async () => {
    const before = await getBytes(avatarPath(alice));
    const r = await put(alice, JPEG_WITH_EXIF, 'image/jpeg');
    assertStatus(r, 200, 'PUT JPEG');
    const got = await assertWebp(alice, 'JPEG upload');
    assert.notEqual(got.headers.etag, before.headers.etag, 'the ETag changes with the picture');
    // image/jpg is accepted as image/jpeg, and a tall image is cropped square.
    assertStatus(await put(alice, makePng(100, 300), 'image/png'), 200, 'tall PNG');
    await assertWebp(alice, 'tall PNG');
    assertStatus(await put(alice, JPEG_WITH_EXIF, 'image/jpg'), 200, 'image/jpg');
    await assertWebp(alice, 'image/jpg');
  });

  test('DELETE brings back the default; again is still 204', T, async () => {
    assertStatus(await put(alice, makePng(64, 64), 'image/png'), 200, 'PUT');
    await assertWebp(alice, 'before DELETE');
    const d = await alice.del('/api/v1/me/avatar');
    assertStatus(d, 204, 'DELETE');
    await assertDefault(alice, 'after DELETE');
    assertStatus(await alice.del('/api/v1/me/avatar'), 204, 'DELETE again');
  });

  describe('refused uploads store nothing', () => {
    before(async () => { await assertDefault(bob, 'bob before'); });
    after(async () => { await assertDefault(bob, 'bob after every refusal'); });

    test('a text file claiming to be a PNG → 415', T, async () => {
      assertError(await put(bob, 'just some text, not an image at all\n', 'image/png'), 415, 'unsupported_media_type', 'text as PNG');
      await assertDefault(bob, 'after the text upload');
    });

    test('SVG, BMP and other formats → 415', T, async () => {
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
      assertError(await put(bob, svg, 'image/svg+xml'), 415, 'unsupported_media_type', 'SVG');
      assertError(await put(bob, Buffer.from('424d3600000000000000360000002800', 'hex'), 'image/bmp'), 415, 'unsupported_media_type', 'BMP');
    });

    test('a PNG declared as image/jpeg → 415', T, async () => {
      assertError(await put(bob, makePng(64, 64), 'image/jpeg'), 415, 'unsupported_media_type', 'PNG as JPEG');
      assertError(await put(bob, JPEG_WITH_EXIF, 'image/png'), 415, 'unsupported_media_type', 'JPEG as PNG');
    });

    test('a truncated PNG or JPEG → 400', T, async () => {
      const png = makePng(320, 240);
      assertError(await put(bob, png.subarray(0, png.length >> 1), 'image/png'), 400, 'bad_request', 'half a PNG');
      assertError(await put(bob, png.subarray(0, png.length - 12), 'image/png'), 400, 'bad_request', 'PNG without IEND');
      assertError(await put(bob, JPEG_WITH_EXIF.subarray(0, JPEG_WITH_EXIF.length - 100), 'image/jpeg'), 400, 'bad_request', 'truncated JPEG');
    });

    test('a 1.5 MB body → 413', T, async () => {
      const big = Buffer.concat([makePng(16, 16).subarray(0, 33), Buffer.alloc(1_500_000 - 33, 7)]);
      const r = await retryOnConnError(() => put(bob, big, 'image/png'));
      assertError(r, 413, 'payload_too_large', '1.5 MB');
    });

    test('a decompression bomb (a small PNG declaring 20000×20000) → 413', T, async () => {
      const bomb = bombPng(20000, 20000);
      assert.ok(bomb.length < 10_000, `the bomb is small: ${bomb.length} bytes`);
      assertError(await put(bob, bomb, 'image/png'), 413, 'payload_too_large', 'bomb');
    });

    test('no CSRF token → 403; anonymous → 401', T, async () => {
      const png = makePng(64, 64);
      assertError(await put(bob, png, 'image/png', { csrf: false }), 403, 'forbidden', 'PUT without CSRF');
      assertError(await bob.del('/api/v1/me/avatar', { csrf: false }), 403, 'forbidden', 'DELETE without CSRF');
      assertError(await put(anon, png, 'image/png'), 401, 'unauthenticated', 'anonymous PUT');
      assertError(await anon.del('/api/v1/me/avatar'), 401, 'unauthenticated', 'anonymous DELETE');
      const fresh = new Client(srv.baseUrl);
      assertError(await fresh.raw('DELETE', '/api/v1/me/avatar'), 401, 'unauthenticated', 'anonymous raw DELETE');
    });
  });
});
