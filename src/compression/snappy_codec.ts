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
const HASH_SHIFT = 32 - HASH_LOG;
const HASH_PRIME = 0x1e35a7bd;
/** Snappy's reference splits input into 64 KiB fragments; so do we (offsets stay < 65536). */
const FRAGMENT = 65536;
/** Absolute position + 1 of the last occurrence of each hashed 4-byte sequence; 0 = empty. */
let hashTable: Int32Array | undefined;

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
  if (n < 32) {
    for (let k = 0; k <= n; k++) out[at + k] = src[start + k]!;
  } else {
    out.set(src.subarray(start, end), at);
  }
  return at + n + 1;
}

/** Emits copies totalling `length` (>= 4) bytes at `offset` (< 65536). */
function emitCopy(out: Uint8Array, at: number, offset: number, length: number): number {
  // 64-byte copy2 elements, keeping the remainder >= 4 so the last element is always valid.
  while (length >= 68) {
    out[at++] = (63 << 2) | 2;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    out[at++] = (59 << 2) | 2;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
    length -= 60;
  }
  if (length <= 11 && offset < 2048) {
    out[at++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
    out[at++] = offset & 0xff;
  } else {
    out[at++] = ((length - 1) << 2) | 2;
    out[at++] = offset & 0xff;
    out[at++] = offset >>> 8;
  }
  return at;
}

/** Compresses one fragment `src[start, end)`; matches stay inside it. Returns the new end. */
function compressFragment(
  src: Uint8Array,
  words: DataView,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
  table: Int32Array,
): number {
  let anchor = start;
  const limit = end - 4; // a 4-byte sequence starting here still fits
  let i = start;
  search: while (i <= limit) {
    let ref: number;
    let attempts = 32; // step = attempts >> 5: +1 per 32 misses, as snappy's reference
    for (;;) {
      const sequence = words.getInt32(i, true);
      const slot = Math.imul(sequence, HASH_PRIME) >>> HASH_SHIFT;
      ref = table[slot]! - 1;
      table[slot] = i + 1;
      if (ref >= start && words.getInt32(ref, true) === sequence) break;
      i += attempts++ >> 5;
      if (i > limit) break search;
    }
    let matchEnd = i + 4;
    let refAt = ref + 4;
    while (matchEnd <= limit) {
      const difference = words.getInt32(matchEnd, true) ^ words.getInt32(refAt, true);
      if (difference !== 0) {
        matchEnd += (31 - Math.clz32(difference & -difference)) >>> 3;
        refAt = -1;
        break;
      }
      matchEnd += 4;
      refAt += 4;
    }
    if (refAt >= 0) {
      while (matchEnd < end && src[matchEnd] === src[refAt]) {
        matchEnd++;
        refAt++;
      }
    }
    if (anchor < i) at = emitLiteral(out, at, src, anchor, i);
    at = emitCopy(out, at, i - ref, matchEnd - i);
    i = matchEnd;
    anchor = i;
    if (i <= limit) table[Math.imul(words.getInt32(i - 1, true), HASH_PRIME) >>> HASH_SHIFT] = i;
  }
  if (anchor < end) at = emitLiteral(out, at, src, anchor, end);
  return at;
}

/**
 * Compresses to raw snappy (no framing), what librdkafka and KafkaJS write for Kafka codec 2.
 *
 * @param src The bytes to compress (at most 4 GiB - 1).
 * @returns A new array.
 *
 * @example
 * ```ts
 * import { snappyCompress, snappyDecompress } from "./snappy_codec.ts";
 * const data = new TextEncoder().encode("snappy snappy snappy snappy");
 * const compressed = snappyCompress(data);
 * if (compressed.length >= data.length) throw new Error("repetition shrinks");
 * if (snappyDecompress(compressed).length !== data.length) throw new Error();
 * ```
 */
export function snappyCompress(src: Uint8Array): Uint8Array {
  // Worst case (snappy's MaxCompressedLength): 32 + n + n / 6.
  const out = new Uint8Array(32 + src.length + Math.ceil(src.length / 6));
  let at = 0;
  let n = src.length;
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  if (src.length === 0) return out.slice(0, at);
  const table = hashTable ??= new Int32Array(1 << HASH_LOG);
  table.fill(0);
  const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let start = 0; start < src.length; start += FRAGMENT) {
    at = compressFragment(
      src,
      words,
      start,
      Math.min(src.length, start + FRAGMENT),
      out,
      at,
      table,
    );
  }
  return out.slice(0, at);
}

/** Decompresses the raw snappy block `src[start, end)`. */
function decompressRaw(src: Uint8Array, start: number, end: number): Uint8Array {
  let i = start;
  let length = 0;
  for (let shift = 0;; shift += 7) {
    if (i >= end || shift > 28) throw new ProtocolError("Cannot decompress snappy: bad length");
    const byte = src[i++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  // No element expands more than 64 bytes from 3 (a copy2), so a larger claim is corrupt and
  // must not make us allocate it.
  if (length > (end - i) * 22 + 64) {
    throw new ProtocolError(
      `Cannot decompress snappy: ${length} bytes cannot come from ${end - i}`,
    );
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
        for (let b = 0; b < bytes; b++) n += src[i + b]! * 2 ** (8 * b);
        i += bytes;
      }
      n += 1;
      if (i + n > end || at + n > length) {
        throw new ProtocolError("Cannot decompress snappy: literal overruns");
      }
      if (n < 32) {
        for (let k = 0; k < n; k++) out[at + k] = src[i + k]!;
      } else {
        out.set(src.subarray(i, i + n), at);
      }
      i += n;
      at += n;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      copyLength = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (src[i++] ?? 0);
    } else if (kind === 2) {
      copyLength = (tag >>> 2) + 1;
      offset = (src[i] ?? 0) | ((src[i + 1] ?? 0) << 8);
      i += 2;
    } else {
      copyLength = (tag >>> 2) + 1;
      offset = ((src[i] ?? 0) | ((src[i + 1] ?? 0) << 8) | ((src[i + 2] ?? 0) << 16) |
        ((src[i + 3] ?? 0) << 24)) >>> 0;
      i += 4;
    }
    if (i > end || offset === 0 || offset > at || at + copyLength > length) {
      throw new ProtocolError(
        `Cannot decompress snappy: bad copy (offset ${offset}, length ${copyLength})`,
      );
    }
    let from = at - offset;
    if (offset >= copyLength && copyLength >= 32) {
      out.copyWithin(at, from, from + copyLength);
      at += copyLength;
    } else {
      // Overlapping copies repeat the last `offset` bytes: copy byte by byte, in order.
      const copyEnd = at + copyLength;
      while (at < copyEnd) out[at++] = out[from++]!;
    }
  }
  if (at !== length) {
    throw new ProtocolError(`Cannot decompress snappy: got ${at} of ${length} bytes`);
  }
  return out;
}

/** xerial's snappy-java stream header: magic, then int32 BE version and compatible version. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00] as const;

function isXerial(data: Uint8Array): boolean {
  if (data.length < 16) return false;
  for (let k = 0; k < 8; k++) if (data[k] !== XERIAL_MAGIC[k]) return false;
  return true;
}

/**
 * Decompresses raw snappy, or xerial-framed snappy (what Java producers write:
 * `"\x82SNAPPY\0"`, int32 BE version, int32 BE compatible version, then blocks of int32 BE
 * length + raw snappy).
 *
 * @param data Raw or xerial-framed snappy.
 * @returns The decompressed bytes.
 * @throws {ProtocolError} When `data` is malformed.
 *
 * @example
 * ```ts
 * import { snappyDecompress } from "./snappy_codec.ts";
 * // length 3, then a 3-byte literal "abc"
 * if (snappyDecompress(new Uint8Array([3, 8, 97, 98, 99]))[2] !== 99) throw new Error();
 * ```
 */
export function snappyDecompress(data: Uint8Array): Uint8Array {
  if (!isXerial(data)) return decompressRaw(data, 0, data.length);
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
      throw new ProtocolError(
        `Cannot decompress xerial snappy: block of ${size} bytes overruns the data`,
      );
    }
    const block = decompressRaw(data, at, at + size);
    blocks.push(block);
    total += block.length;
    at += size;
  }
  if (blocks.length === 1) return blocks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

/**
 * snappy (Kafka codec 2): raw snappy as librdkafka and KafkaJS write it, compressed by our
 * TypeScript compressor (no native addon, no WASM). Snappy has no levels. Java consumers read
 * raw snappy through snappy-java's fallback (`SnappyInputStream` decodes input without the
 * xerial header as one raw block).
 *
 * @example
 * ```ts
 * import { snappyCodec } from "./snappy_codec.ts";
 * const data = new TextEncoder().encode("abcd".repeat(100));
 * if (snappyCodec.id !== 2 || snappyCodec.decompress(snappyCodec.compress(data)).length !== 400) {
 *   throw new Error();
 * }
 * ```
 */
export const snappyCodec: Codec = {
  id: 2,
  name: "snappy",
  compress: (data, level) => {
    if (level !== undefined) {
      throw new RangeError(`Cannot compress with snappy at level "${level}": snappy has no levels`);
    }
    return snappyCompress(data);
  },
  decompress: (data) => snappyDecompress(data),
};
