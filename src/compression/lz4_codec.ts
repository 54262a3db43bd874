import { ProtocolError } from "../errors/client_errors.ts";
import type { Codec } from "./codec.ts";

/*
 * LZ4 frame format (what Kafka expects, KIP-57), written by us:
 *   magic 04 22 4D 18 | FLG | BD | HC | blocks... | end mark 00 00 00 00
 *   FLG 0x60: version 01, independent blocks; no block/content checksum, no content size.
 *   BD 0x40: 64 KiB maximum block size (Java's default; every block decodes on its own).
 *   HC: (xxh32(FLG BD) >> 8) & 0xFF — the descriptor only (the KIP-57 fix; not the magic).
 *   block: uint32 LE size (high bit set = stored uncompressed) + data.
 * LZ4 block: sequences of token (literal length << 4 | match length - 4), literal length
 * extension bytes, literals, uint16 LE offset, match length extension bytes. The last 5 bytes
 * are literals and no match starts within the last 12 bytes.
 */

const MAGIC = 0x184d2204;
const BLOCK_SIZE = 64 * 1024;
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_LOG = 14;

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function read32(data: Uint8Array, at: number): number {
  return data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
}

/**
 * xxHash32 of `data[start, end)` (seed 0 by default), used for the LZ4 frame's header checksum.
 *
 * @example
 * ```ts
 * import { xxh32 } from "./lz4_codec.ts";
 * if (xxh32(new Uint8Array(0)) !== 0x02cc5d05) throw new Error();
 * ```
 */
export function xxh32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let at = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    while (at <= end - 16) {
      v1 = Math.imul(rotl((v1 + Math.imul(read32(data, at), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(read32(data, at + 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(read32(data, at + 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(read32(data, at + 12), P2)) | 0, 13), P1);
      at += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + (end - start)) | 0;
  while (at <= end - 4) {
    h = Math.imul(rotl((h + Math.imul(read32(data, at), P3)) | 0, 17), P4);
    at += 4;
  }
  while (at < end) {
    h = Math.imul(rotl((h + Math.imul(data[at]!, P5)) | 0, 11), P1);
    at++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

const hashTable = new Int32Array(1 << HASH_LOG);

/** Compresses one block into `out` at `at`; returns the new end, or -1 if it did not shrink. */
function compressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const limit = at + (end - start); // give up when not smaller than stored
  hashTable.fill(-1);
  let anchor = start;
  let i = start;
  const matchLimit = end - MF_LIMIT;
  const literalEnd = end - LAST_LITERALS;
  let misses = 0;
  while (i < matchLimit) {
    const sequence = read32(src, i);
    const hash = Math.imul(sequence, P1) >>> (32 - HASH_LOG);
    const ref = hashTable[hash]!;
    hashTable[hash] = i;
    if (ref < start || i - ref > 65535 || read32(src, ref) !== sequence) {
      i += 1 + (misses++ >> 6); // skip faster through incompressible data
      continue;
    }
    misses = 0;
    let matchEnd = i + MIN_MATCH;
    let refAt = ref + MIN_MATCH;
    while (matchEnd < literalEnd && src[matchEnd] === src[refAt]) {
      matchEnd++;
      refAt++;
    }
    const literalLength = i - anchor;
    const matchLength = matchEnd - i - MIN_MATCH;
    if (at + 1 + literalLength + (literalLength >> 8) + 2 + (matchLength >> 8) + 2 > limit) {
      return -1;
    }
    const tokenAt = at++;
    let token = 0;
    if (literalLength >= 15) {
      token = 15 << 4;
      let rest = literalLength - 15;
      while (rest >= 255) {
        out[at++] = 255;
        rest -= 255;
      }
      out[at++] = rest;
    } else {
      token = literalLength << 4;
    }
    out.set(src.subarray(anchor, i), at);
    at += literalLength;
    const offset = i - ref;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
    if (matchLength >= 15) {
      token |= 15;
      let rest = matchLength - 15;
      while (rest >= 255) {
        out[at++] = 255;
        rest -= 255;
      }
      out[at++] = rest;
    } else {
      token |= matchLength;
    }
    out[tokenAt] = token;
    i = matchEnd;
    anchor = i;
    if (i < matchLimit) hashTable[Math.imul(read32(src, i - 2), P1) >>> (32 - HASH_LOG)] = i - 2;
  }
  const literalLength = end - anchor;
  if (at + 1 + literalLength + (literalLength >> 8) + 1 > limit) return -1;
  if (literalLength >= 15) {
    out[at++] = 15 << 4;
    let rest = literalLength - 15;
    while (rest >= 255) {
      out[at++] = 255;
      rest -= 255;
    }
    out[at++] = rest;
  } else {
    out[at++] = literalLength << 4;
  }
  out.set(src.subarray(anchor, end), at);
  return at + literalLength;
}

/** Decompresses one LZ4 block into `out` at `at`; returns the new end. */
function decompressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
  outStart: number,
): number {
  let i = start;
  while (i < end) {
    const token = src[i++]!;
    let literalLength = token >>> 4;
    if (literalLength === 15) {
      let byte: number;
      do {
        if (i >= end) throw new ProtocolError("Cannot decompress LZ4: truncated literal length");
        byte = src[i++]!;
        literalLength += byte;
      } while (byte === 255);
    }
    if (i + literalLength > end || at + literalLength > out.length) {
      throw new ProtocolError("Cannot decompress LZ4: literals overrun");
    }
    out.set(src.subarray(i, i + literalLength), at);
    i += literalLength;
    at += literalLength;
    if (i >= end) break; // the last sequence has no match
    if (i + 2 > end) throw new ProtocolError("Cannot decompress LZ4: truncated offset");
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    let matchLength = (token & 15) + MIN_MATCH;
    if ((token & 15) === 15) {
      let byte: number;
      do {
        if (i >= end) throw new ProtocolError("Cannot decompress LZ4: truncated match length");
        byte = src[i++]!;
        matchLength += byte;
      } while (byte === 255);
    }
    let from = at - offset;
    if (offset === 0 || from < outStart || at + matchLength > out.length) {
      throw new ProtocolError("Cannot decompress LZ4: bad match");
    }
    for (let k = 0; k < matchLength; k++) out[at++] = out[from++]!;
  }
  return at;
}

/**
 * Writes an LZ4 frame (64 KiB independent blocks, header checksum) for `data`.
 *
 * @example
 * ```ts
 * import { lz4FrameCompress, lz4FrameDecompress } from "./lz4_codec.ts";
 * const data = new TextEncoder().encode("abcabcabcabcabcabcabcabc");
 * if (lz4FrameDecompress(lz4FrameCompress(data)).length !== data.length) throw new Error();
 * ```
 */
export function lz4FrameCompress(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK_SIZE));
  const out = new Uint8Array(7 + data.length + blocks * 4 + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  out[4] = 0x60;
  out[5] = 0x40;
  out[6] = (xxh32(out, 4, 6) >>> 8) & 0xff;
  let at = 7;
  for (let start = 0; start < data.length; start += BLOCK_SIZE) {
    const end = Math.min(data.length, start + BLOCK_SIZE);
    const compressedEnd = compressBlock(data, start, end, out, at + 4);
    if (compressedEnd < 0) {
      view.setUint32(at, (end - start) | 0x80000000, true);
      out.set(data.subarray(start, end), at + 4);
      at += 4 + end - start;
    } else {
      view.setUint32(at, compressedEnd - at - 4, true);
      at = compressedEnd;
    }
  }
  view.setUint32(at, 0, true);
  return out.subarray(0, at + 4);
}

/**
 * Reads an LZ4 frame (any block size, with or without block/content checksums, content size
 * or dictionary id fields) as written by librdkafka, Java or the `lz4` tool.
 *
 * @example
 * ```ts
 * import { lz4FrameDecompress } from "./lz4_codec.ts";
 * let failed = false;
 * try { lz4FrameDecompress(new Uint8Array([1, 2, 3])); } catch { failed = true; }
 * if (!failed) throw new Error();
 * ```
 */
export function lz4FrameDecompress(frame: Uint8Array): Uint8Array {
  if (frame.length < 7) throw new ProtocolError("Cannot decompress LZ4: frame too short");
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== MAGIC) {
    throw new ProtocolError("Cannot decompress LZ4: bad magic number");
  }
  const flg = frame[4]!;
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const dictionary = (flg & 0x01) !== 0;
  const maxBlock = 1 << (8 + 2 * ((frame[5]! >> 4) & 7));
  let at = 6 + (contentSize ? 8 : 0) + (dictionary ? 4 : 0) + 1;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (at + 4 > frame.length) {
      throw new ProtocolError("Cannot decompress LZ4: truncated block size");
    }
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (at + size > frame.length || size > maxBlock) {
      throw new ProtocolError("Cannot decompress LZ4: block overruns the frame");
    }
    let block: Uint8Array;
    if (word & 0x80000000) {
      block = frame.slice(at, at + size);
    } else {
      const out = new Uint8Array(maxBlock);
      block = out.subarray(0, decompressBlock(frame, at, at + size, out, 0, 0));
    }
    chunks.push(block);
    total += block.length;
    at += size + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) at += 4;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * lz4 (Kafka codec 3): our frame writer and block compressor in TypeScript (no native addon,
 * no WASM to load). `level` is accepted for KIP-390 compatibility (1–17) but this fast
 * compressor has one speed.
 *
 * @example
 * ```ts
 * import { lz4Codec } from "./lz4_codec.ts";
 * if (lz4Codec.id !== 3) throw new Error();
 * ```
 */
export const lz4Codec: Codec = {
  id: 3,
  name: "lz4",
  compress: (data) => lz4FrameCompress(data),
  decompress: (data) => lz4FrameDecompress(data),
};
