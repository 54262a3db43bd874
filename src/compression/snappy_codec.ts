import { ProtocolError } from "../errors/client_errors.ts";
import type { Codec } from "./codec.ts";

/*
 * Raw snappy (what librdkafka and KafkaJS write for Kafka codec 2):
 *   uvarint uncompressed length, then elements:
 *   literal  tag xxxxxx00: length-1 in the upper 6 bits (< 60), or 60..63 = 1..4 extra bytes LE
 *   copy1    tag ooolll01 + 1 byte: length 4..11, 11-bit offset
 *   copy2    tag llllll10 + 2 bytes LE offset: length 1..64
 *   copy4    tag llllll11 + 4 bytes LE offset
 * Java's consumer reads raw snappy through xerial's SnappyInputStream fallback; the decoder
 * below also reads xerial framing ("\x82SNAPPY\0" + version + [int32 BE length, raw block]...).
 */

const HASH_LOG = 14;
const hashTable = new Int32Array(1 << HASH_LOG);

function read32(data: Uint8Array, at: number): number {
  return data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
}

function emitLiteral(
  out: Uint8Array,
  at: number,
  src: Uint8Array,
  start: number,
  end: number,
): number {
  const n = end - start - 1;
  if (n < 60) {
    out[at++] = n << 2;
  } else if (n < 0x100) {
    out[at++] = 60 << 2;
    out[at++] = n;
  } else if (n < 0x10000) {
    out[at++] = 61 << 2;
    out[at++] = n & 0xff;
    out[at++] = n >>> 8;
  } else {
    out[at++] = 62 << 2;
    out[at++] = n & 0xff;
    out[at++] = (n >>> 8) & 0xff;
    out[at++] = n >>> 16;
  }
  out.set(src.subarray(start, end), at);
  return at + end - start;
}

function emitCopy(out: Uint8Array, at: number, offset: number, length: number): number {
  while (length > 0) {
    // Keep the last piece >= 4 bytes long so it never needs a 1-byte-offset edge case.
    const piece = length > 64 ? (length - 64 < 4 ? 60 : 64) : length;
    out[at++] = ((piece - 1) << 2) | 2;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
    length -= piece;
  }
  return at;
}

/**
 * Compresses to raw snappy (no framing).
 *
 * @example
 * ```ts
 * import { snappyCompress, snappyDecompress } from "./snappy_codec.ts";
 * const data = new TextEncoder().encode("snappy snappy snappy snappy");
 * if (snappyDecompress(snappyCompress(data)).length !== data.length) throw new Error();
 * ```
 */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + src.length + Math.ceil(src.length / 6));
  let at = 0;
  let n = src.length;
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  hashTable.fill(-1);
  let anchor = 0;
  let i = 0;
  const limit = src.length - 4;
  let misses = 0;
  while (i <= limit) {
    const sequence = read32(src, i);
    const hash = Math.imul(sequence, 0x1e35a7bd) >>> (32 - HASH_LOG);
    const ref = hashTable[hash]!;
    hashTable[hash] = i;
    if (ref < 0 || i - ref > 65535 || read32(src, ref) !== sequence) {
      i += 1 + (misses++ >> 5);
      continue;
    }
    misses = 0;
    let end = i + 4;
    let refAt = ref + 4;
    while (end < src.length && src[end] === src[refAt]) {
      end++;
      refAt++;
    }
    if (anchor < i) at = emitLiteral(out, at, src, anchor, i);
    at = emitCopy(out, at, i - ref, end - i);
    i = end;
    anchor = i;
  }
  if (anchor < src.length) at = emitLiteral(out, at, src, anchor, src.length);
  return out.subarray(0, at);
}

function decompressRaw(src: Uint8Array, start: number, end: number): Uint8Array {
  let i = start;
  let length = 0;
  for (let shift = 0;; shift += 7) {
    if (i >= end || shift > 28) throw new ProtocolError("Cannot decompress snappy: bad length");
    const byte = src[i++]!;
    length |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  length >>>= 0;
  if (length > 256 * 1024 * 1024) {
    throw new ProtocolError(`Cannot decompress snappy: ${length} bytes is too large`);
  }
  const out = new Uint8Array(length);
  let at = 0;
  while (i < end) {
    const tag = src[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        if (i + bytes > end) throw new ProtocolError("Cannot decompress snappy: truncated literal");
        n = 0;
        for (let b = 0; b < bytes; b++) n |= src[i + b]! << (8 * b);
        i += bytes;
      }
      n += 1;
      if (i + n > end || at + n > length) {
        throw new ProtocolError("Cannot decompress snappy: literal overruns");
      }
      out.set(src.subarray(i, i + n), at);
      i += n;
      at += n;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      copyLength = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[i++]!;
    } else if (kind === 2) {
      copyLength = (tag >>> 2) + 1;
      offset = src[i]! | (src[i + 1]! << 8);
      i += 2;
    } else {
      copyLength = (tag >>> 2) + 1;
      offset = read32(src, i) >>> 0;
      i += 4;
    }
    if (i > end || offset === 0 || offset > at || at + copyLength > length) {
      throw new ProtocolError("Cannot decompress snappy: bad copy");
    }
    let from = at - offset;
    for (let k = 0; k < copyLength; k++) out[at++] = out[from++]!;
  }
  if (at !== length) {
    throw new ProtocolError(`Cannot decompress snappy: got ${at} of ${length} bytes`);
  }
  return out;
}

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

/**
 * Decompresses raw snappy, or xerial-framed snappy (as Java producers write it).
 *
 * @example
 * ```ts
 * import { snappyDecompress } from "./snappy_codec.ts";
 * if (snappyDecompress(new Uint8Array([3, 8, 97, 98, 99]))[2] !== 99) throw new Error();
 * ```
 */
export function snappyDecompress(data: Uint8Array): Uint8Array {
  if (data.length >= 16 && XERIAL_MAGIC.every((byte, i) => data[i] === byte)) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const blocks: Uint8Array[] = [];
    let total = 0;
    for (let at = 16; at < data.length;) {
      if (at + 4 > data.length) {
        throw new ProtocolError("Cannot decompress xerial snappy: truncated block size");
      }
      const size = view.getInt32(at);
      at += 4;
      if (size < 0 || at + size > data.length) {
        throw new ProtocolError("Cannot decompress xerial snappy: block overruns");
      }
      const block = decompressRaw(data, at, at + size);
      blocks.push(block);
      total += block.length;
      at += size;
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const block of blocks) {
      out.set(block, offset);
      offset += block.length;
    }
    return out;
  }
  return decompressRaw(data, 0, data.length);
}

/**
 * snappy (Kafka codec 2): raw snappy, our compressor in TypeScript (no native addon or WASM).
 *
 * @example
 * ```ts
 * import { snappyCodec } from "./snappy_codec.ts";
 * if (snappyCodec.id !== 2) throw new Error();
 * ```
 */
export const snappyCodec: Codec = {
  id: 2,
  name: "snappy",
  compress: (data) => snappyCompress(data),
  decompress: (data) => snappyDecompress(data),
};
