// Test images made with nothing but node (copied from avatars.test.mjs): PNGs written by hand (zlib + CRC), one
// small real JPEG carrying EXIF, and readers of the size of a WebP or JPEG file.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xFFFFFFFF;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}

function pngChunk(type, data = Buffer.alloc(0)) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

function ihdr(width, height) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = 8; // bit depth
  d[9] = 2; // truecolour RGB
  return pngChunk('IHDR', d);
}

// A minimal little-endian TIFF/EXIF block with IFD0 Artist = text.
function exifBlock(text) {
  const value = Buffer.from(`${text}\0`, 'latin1');
  const header = Buffer.from([0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]); // II*\0, IFD0 at 8
  const ifd = Buffer.alloc(2 + 12 + 4);
  ifd.writeUInt16LE(1, 0);            // one entry
  ifd.writeUInt16LE(0x013B, 2);       // Artist
  ifd.writeUInt16LE(2, 4);            // ASCII
  ifd.writeUInt32LE(value.length, 6); // count
  ifd.writeUInt32LE(8 + ifd.length, 10); // offset of the value
  ifd.writeUInt32LE(0, 14);           // no next IFD
  return Buffer.concat([header, ifd, value]);
}

/** A width×height RGB PNG with a colourful pattern; `secret` goes into tEXt, iTXt and eXIf chunks. */
export function makePng(width, height, { secret } = {}) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[o++] = (x * 255 / width) | 0;
      raw[o++] = (y * 255 / height) | 0;
      raw[o++] = ((x ^ y) & 0xFF);
    }
  }
  const chunks = [PNG_SIGNATURE, ihdr(width, height)];
  if (secret) {
    chunks.push(pngChunk('tEXt', Buffer.from(`Author\0${secret}`, 'latin1')));
    chunks.push(pngChunk('iTXt', Buffer.from(`Description\0\0\0\0\0${secret}`, 'utf8')));
    chunks.push(pngChunk('eXIf', exifBlock(secret)));
  }
  chunks.push(pngChunk('IDAT', deflateSync(raw)));
  chunks.push(pngChunk('IEND'));
  return Buffer.concat(chunks);
}

/** A decompression bomb: a valid, tiny PNG whose header declares width×height pixels. */
export function bombPng(width, height) {
  // Rows of zeros compress to almost nothing; a few rows are enough, the header is what counts.
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))), pngChunk('IEND')]);
}

// A real 96×64 baseline JPEG (libvips, Q 50) with EXIF: Artist and Copyright "Secret Person".
export const JPEG_WITH_EXIF = Buffer.from(
  '/9j/4QDwRXhpZgAASUkqAAgAAAAIABIBAwABAAAAAQAAABoBBQABAAAAbgAAABsBBQABAAAAdgAAACgBAwABAAAAAgAAADsBAgAO' +
  'AAAAfgAAABMCAwABAAAAAQAAAJiCAgAOAAAAjAAAAGmHBAABAAAAmgAAAAAAAAA4YwAA6AMAADhjAADoAwAAU2VjcmV0IFBlcnNv' +
  'bgBTZWNyZXQgUGVyc29uAAYAAJAHAAQAAAAwMjEwAZEHAAQAAAABAgMAAKAHAAQAAAAwMTAwAaADAAEAAAD//wAAAqAEAAEAAABg' +
  'AAAAA6AEAAEAAABAAAAAAAAAAP/bAEMAEAsMDgwKEA4NDhIREBMYKBoYFhYYMSMlHSg6Mz08OTM4N0BIXE5ARFdFNzhQbVFXX2Jn' +
  'aGc+TXF5cGR4XGVnY//bAEMBERISGBUYLxoaL2NCOEJjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj' +
  'Y2NjY2NjY//AABEIAEAAYAMBIgACEQEDEQH/xAAfAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgv/xAC1EAACAQMDAgQDBQUE' +
  'BAAAAX0BAgMABBEFEiExQQYTUWEHInEUMoGRoQgjQrHBFVLR8CQzYnKCCQoWFxgZGiUmJygpKjQ1Njc4OTpDREVGR0hJSlNUVVZX' +
  'WFlaY2RlZmdoaWpzdHV2d3h5eoOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4eLj' +
  '5OXm5+jp6vHy8/T19vf4+fr/xAAfAQADAQEBAQEBAQEBAAAAAAAAAQIDBAUGBwgJCgv/xAC1EQACAQIEBAMEBwUEBAABAncAAQID' +
  'EQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZn' +
  'aGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery' +
  '8/T19vf4+fr/2gAMAwEAAhEDEQA/AMuiiiuI+mCiiigC5RRRSPgQooooAyqKKK+wO4KKKKALNFFFfIH2AUUUUAXKKKKR8CFFFFAG' +
  'VRRRX2B3BRRRQBZooor5A+wCiiigC5RRRSPgQooooAyqKKK+wO4KKKKALNFFFfIH2AUUUUAXKKKKR8CFFFFAGVRRRX2B3BRRRQB/' +
  '/9k=',
  'base64');


/** {width, height} of a WebP (VP8, VP8L or VP8X). */
export function webpSize(buf) {
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP');
  for (let at = 12; at + 8 <= buf.length;) {
    const fourcc = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const data = buf.subarray(at + 8, at + 8 + size);
    if (fourcc === 'VP8X') return { width: 1 + data.readUIntLE(4, 3), height: 1 + data.readUIntLE(7, 3) };
    if (fourcc === 'VP8 ') return { width: data.readUInt16LE(6) & 0x3FFF, height: data.readUInt16LE(8) & 0x3FFF };
    if (fourcc === 'VP8L') {
      const bits = data.readUInt32LE(1);
      return { width: 1 + (bits & 0x3FFF), height: 1 + ((bits >>> 14) & 0x3FFF) };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('WebP without an image chunk');
}

/** {width, height} of a JPEG (its first SOFn segment). */
export function jpegSize(buf) {
  if (buf[0] !== 0xFF || buf[1] !== 0xD8) throw new Error('not a JPEG');
  for (let at = 2; at + 4 <= buf.length;) {
    if (buf[at] !== 0xFF) throw new Error(`bad JPEG marker at ${at}`);
    const marker = buf[at + 1];
    const len = buf.readUInt16BE(at + 2);
    if (marker >= 0xC0 && marker <= 0xCF && ![0xC4, 0xC8, 0xCC].includes(marker)) {
      return { height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) };
    }
    at += 2 + len;
  }
  throw new Error('JPEG without SOF');
}
