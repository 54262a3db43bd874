import { ProtocolError } from "../errors/client_errors.ts";
import { checkLevel, type Codec } from "./codec.ts";
import { xxh32 } from "./xxh32.ts";

/*
 * LZ4 frame format (lz4's doc/lz4_Frame_format.md; Kafka's framing since KIP-57), written here:
 *
 *   frame      = magic:u32le(0x184D2204) FLG BD [contentSize:u64le] HC block* endMark:u32le(0)
 *                [contentChecksum:u32le]
 *   FLG        = version(01) << 6 | blockIndependence << 5 | blockChecksum << 4
 *                | contentSize << 3 | contentChecksum << 2 | dictId << 0
 *   BD         = blockMaxSize << 4   (4: 64 KiB, 5: 256 KiB, 6: 1 MiB, 7: 4 MiB)
 *   HC         = (xxh32(FLG BD [contentSize]) >> 8) & 0xFF — the descriptor only, not the magic
 *                (the magic was included by Kafka's pre-KIP-57 writer: magic v0/v1 only)
 *   block      = size:u32le data [blockChecksum:u32le]; size's high bit = stored uncompressed
 *
 * We write: independent blocks (Java's KafkaLZ4BlockInputStream rejects dependent ones and every
 * block must decode on its own), 64 KiB blocks by default (Java's own default), no block
 * checksums, optional content checksum. The reader accepts every field the format allows
 * except dictionaries, and checks every checksum present.
 *
 * LZ4 block format (doc/lz4_Block_format.md): sequences of
 *   token:u8 (literalLength:4 << 4 | matchLength-4:4) [literalLength - 15 as 255* rest]
 *   literals [offset:u16le [matchLength - 19 as 255* rest]]
 * The last sequence has literals only. Invariants kept by the compressor: the last 5 bytes are
 * literals, and no match starts within the last 12 bytes of a block; offsets are 1..65535.
 */

const MAGIC = 0x184d2204;
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;
const HASH_LOG = 14;
const HASH_SHIFT = 32 - HASH_LOG;
const HASH_PRIME = 2654435761;
const BLOCK_SIZE_IDS = { 65536: 4, 262144: 5, 1048576: 6, 4194304: 7 } as const;

/** Options for {@linkcode lz4FrameCompress}. */
export interface Lz4FrameOptions {
  /**
   * Maximum uncompressed bytes per block. Kafka's Java reader decodes each block on its own
   * into a buffer of this size, so it must be at most 4 MiB.
   *
   * @default 65536
   */
  blockSize?: 65536 | 262144 | 1048576 | 4194304;
  /** Append the xxh32 of the whole content (the `lz4` tool's default). @default false */
  contentChecksum?: boolean;
  /**
   * Effort: 1–2 (and undefined) the fast single-probe compressor; 3–17 searches hash chains
   * `2 ** (level - 1)` deep (at most 4096), trading speed for ratio.
   *
   * @default undefined (fast)
   */
  level?: number;
}

function read32(data: Uint8Array, at: number): number {
  return data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
}

function hash4(sequence: number): number {
  return Math.imul(sequence, HASH_PRIME) >>> HASH_SHIFT;
}

/** Writes the 255-run encoding of a length extension; returns the new end. */
function writeLengthRest(out: Uint8Array, at: number, rest: number): number {
  while (rest >= 255) {
    out[at++] = 255;
    rest -= 255;
  }
  out[at++] = rest;
  return at;
}

/** Writes one sequence (literals `src[anchor, start)`, then a match); returns the new end. */
function writeSequence(
  src: Uint8Array,
  anchor: number,
  start: number,
  offset: number,
  matchLength: number,
  out: Uint8Array,
  at: number,
): number {
  const literalLength = start - anchor;
  const tokenAt = at++;
  let token: number;
  if (literalLength >= 15) {
    token = 0xf0;
    at = writeLengthRest(out, at, literalLength - 15);
  } else {
    token = literalLength << 4;
  }
  if (literalLength < 32) {
    for (let k = 0; k < literalLength; k++) out[at + k] = src[anchor + k]!;
  } else {
    out.set(src.subarray(anchor, start), at);
  }
  at += literalLength;
  out[at++] = offset & 0xff;
  out[at++] = offset >>> 8;
  const rest = matchLength - MIN_MATCH;
  if (rest >= 15) {
    token |= 15;
    at = writeLengthRest(out, at, rest - 15);
  } else {
    token |= rest;
  }
  out[tokenAt] = token;
  return at;
}

/** Writes the final literals-only sequence; returns the new end. */
function writeLastLiterals(
  src: Uint8Array,
  anchor: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const literalLength = end - anchor;
  if (literalLength >= 15) {
    out[at++] = 0xf0;
    at = writeLengthRest(out, at, literalLength - 15);
  } else {
    out[at++] = literalLength << 4;
  }
  out.set(src.subarray(anchor, end), at);
  return at + literalLength;
}

/**
 * The fast compressor: one hash probe per position, skipping faster through data that does not
 * match. `table` holds absolute position + 1 (0 = empty) and is cleared once per frame; entries
 * from earlier blocks are below `start` and ignored, which keeps blocks independent.
 */
function compressBlockFast(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
  table: Int32Array,
): number {
  const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let anchor = start;
  const matchLimit = end - MF_LIMIT;
  const literalLimit = end - LAST_LITERALS;
  let i = start;
  search: while (i < matchLimit) {
    let ref: number;
    let attempts = 64; // step = attempts >> 6: +1 per 64 misses
    for (;;) {
      const sequence = words.getInt32(i, true);
      const slot = hash4(sequence);
      ref = table[slot]! - 1;
      table[slot] = i + 1;
      if (ref >= start && i - ref <= MAX_OFFSET && words.getInt32(ref, true) === sequence) break;
      i += attempts++ >> 6;
      if (i >= matchLimit) break search;
    }
    while (i > anchor && ref > start && src[i - 1] === src[ref - 1]) {
      i--;
      ref--;
    }
    let matchEnd = i + MIN_MATCH;
    let refAt = ref + MIN_MATCH;
    // Extend 4 bytes at a time; the first differing word's lowest set bit of the XOR locates
    // the first differing byte (little-endian words).
    while (matchEnd + 4 <= literalLimit) {
      const difference = words.getInt32(matchEnd, true) ^ words.getInt32(refAt, true);
      if (difference !== 0) {
        matchEnd += (31 - Math.clz32(difference & -difference)) >>> 3;
        refAt = -1; // found the end
        break;
      }
      matchEnd += 4;
      refAt += 4;
    }
    if (refAt >= 0) {
      while (matchEnd < literalLimit && src[matchEnd] === src[refAt]) {
        matchEnd++;
        refAt++;
      }
    }
    at = writeSequence(src, anchor, i, i - ref, matchEnd - i, out, at);
    i = matchEnd;
    anchor = i;
    if (i < matchLimit) table[hash4(words.getInt32(i - 2, true))] = i - 1;
  }
  return writeLastLiterals(src, anchor, end, out, at);
}

/**
 * The high-effort compressor: hash chains over the last 64 KiB, longest match of up to `depth`
 * candidates. `head` is as `table` above; `chain[position & 0xFFFF]` is the distance back to
 * the previous position with the same hash (0 = none). A stale or overwritten chain link can
 * only lead to a wrong candidate, which the byte comparison rejects.
 */
function compressBlockChain(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
  head: Int32Array,
  chain: Uint16Array,
  depth: number,
): number {
  let anchor = start;
  const matchLimit = end - MF_LIMIT;
  const literalLimit = end - LAST_LITERALS;
  let inserted = start; // positions below this are in the chains
  let i = start;
  while (i < matchLimit) {
    for (; inserted <= i; inserted++) {
      const slot = hash4(read32(src, inserted));
      const previous = head[slot]! - 1;
      const distance = inserted - previous;
      chain[inserted & 0xffff] = previous >= start && distance <= MAX_OFFSET ? distance : 0;
      head[slot] = inserted + 1;
    }
    const sequence = read32(src, i);
    let bestLength = 0;
    let bestRef = 0;
    let candidate = i - chain[i & 0xffff]!;
    for (let tries = depth; tries > 0 && candidate < i && i - candidate <= MAX_OFFSET; tries--) {
      if (
        src[candidate + bestLength] === src[i + bestLength] && read32(src, candidate) === sequence
      ) {
        let length = MIN_MATCH;
        while (i + length < literalLimit && src[i + length] === src[candidate + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestRef = candidate;
          if (i + length >= literalLimit) break;
        }
      }
      const step = chain[candidate & 0xffff]!;
      if (step === 0) break;
      candidate -= step;
    }
    if (bestLength < MIN_MATCH) {
      i++;
      continue;
    }
    at = writeSequence(src, anchor, i, i - bestRef, bestLength, out, at);
    i += bestLength;
    anchor = i;
  }
  return writeLastLiterals(src, anchor, end, out, at);
}

/**
 * Decompresses one block `src[i, end)` into `out` at `at`; returns the new end. Matches may
 * reach back to `windowStart`: the block's own start for independent blocks, else earlier
 * output (linked blocks).
 */
function decompressBlock(
  src: Uint8Array,
  i: number,
  end: number,
  out: Uint8Array,
  at: number,
  windowStart: number,
): number {
  const capacity = out.length;
  for (;;) {
    if (i >= end) throw new ProtocolError("Cannot decompress LZ4 block: it ends inside a sequence");
    const token = src[i++]!;
    let literalLength = token >>> 4;
    if (literalLength === 15) {
      let byte = 255;
      while (byte === 255) {
        if (i >= end) {
          throw new ProtocolError("Cannot decompress LZ4 block: truncated literal length");
        }
        byte = src[i++]!;
        literalLength += byte;
      }
    }
    if (i + literalLength > end || at + literalLength > capacity) {
      throw new ProtocolError("Cannot decompress LZ4 block: literals overrun the block");
    }
    if (literalLength < 32) {
      for (let k = 0; k < literalLength; k++) out[at + k] = src[i + k]!;
    } else {
      out.set(src.subarray(i, i + literalLength), at);
    }
    i += literalLength;
    at += literalLength;
    if (i === end) return at; // the last sequence: literals only
    if (i + 2 > end) throw new ProtocolError("Cannot decompress LZ4 block: truncated offset");
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    let matchLength = (token & 15) + MIN_MATCH;
    if ((token & 15) === 15) {
      let byte = 255;
      while (byte === 255) {
        if (i >= end) {
          throw new ProtocolError("Cannot decompress LZ4 block: truncated match length");
        }
        byte = src[i++]!;
        matchLength += byte;
      }
    }
    if (offset === 0 || offset > at - windowStart || at + matchLength > capacity) {
      throw new ProtocolError(`Cannot decompress LZ4 block: bad match (offset ${offset})`);
    }
    let from = at - offset;
    if (offset >= matchLength && matchLength >= 32) {
      out.copyWithin(at, from, from + matchLength);
      at += matchLength;
    } else {
      // Overlapping copies repeat the last `offset` bytes: copy byte by byte, in order.
      const matchEnd = at + matchLength;
      while (at < matchEnd) out[at++] = out[from++]!;
    }
  }
}

function blockBound(size: number): number {
  return size + ((size / 255) | 0) + 16;
}

let fastTable: Int32Array | undefined;
let chainHead: Int32Array | undefined;
let chainLinks: Uint16Array | undefined;

/**
 * Writes an LZ4 frame as Kafka expects it (KIP-57): independent blocks, a correct header
 * checksum, blocks of at most `blockSize` bytes (stored uncompressed when they do not shrink).
 *
 * @param data The bytes to compress.
 * @param options Block size, content checksum and effort.
 * @returns A new array holding the whole frame.
 * @throws {RangeError} When `level` is not an integer from 1 to 17 or `blockSize` is not one
 * of the four the format allows.
 *
 * @example Round trip through 64 KiB blocks
 * ```ts
 * import { lz4FrameCompress, lz4FrameDecompress } from "./lz4_codec.ts";
 * const data = new TextEncoder().encode("abcabcabc ".repeat(20_000));
 * const frame = lz4FrameCompress(data);
 * if (frame[4] !== 0x60 || frame[5] !== 0x40) throw new Error("independent 64 KiB blocks");
 * if (lz4FrameDecompress(frame).length !== data.length) throw new Error();
 * ```
 */
export function lz4FrameCompress(data: Uint8Array, options: Lz4FrameOptions = {}): Uint8Array {
  const blockSize = options.blockSize ?? 65536;
  const blockSizeId = BLOCK_SIZE_IDS[blockSize];
  if (blockSizeId === undefined) {
    throw new RangeError(
      `Cannot write an LZ4 frame with block size "${blockSize}": use 65536, 262144, 1048576 or 4194304`,
    );
  }
  const level = options.level;
  if (level !== undefined) checkLevel("lz4", level, 1, 17);
  const contentChecksum = options.contentChecksum === true;
  const blocks = Math.ceil(data.length / blockSize);
  const lastBlock = data.length - (blocks - 1) * blockSize;
  const capacity = 7 + (blocks > 1 ? (blocks - 1) * (4 + blockBound(blockSize)) : 0) +
    (blocks > 0 ? 4 + blockBound(lastBlock) : 0) + 4 + (contentChecksum ? 4 : 0);
  const out = new Uint8Array(capacity);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  out[4] = 0x60 | (contentChecksum ? 0x04 : 0);
  out[5] = blockSizeId << 4;
  out[6] = (xxh32(out, 4, 6) >>> 8) & 0xff;
  let at = 7;
  const depth = level === undefined || level < 3 ? 0 : 2 ** Math.min(level - 1, 12);
  if (data.length > 0) {
    if (depth === 0) {
      fastTable ??= new Int32Array(1 << HASH_LOG);
      fastTable.fill(0);
    } else {
      chainHead ??= new Int32Array(1 << HASH_LOG);
      chainLinks ??= new Uint16Array(65536);
      chainHead.fill(0);
    }
  }
  for (let start = 0; start < data.length; start += blockSize) {
    const end = Math.min(data.length, start + blockSize);
    const compressedEnd = depth === 0
      ? compressBlockFast(data, start, end, out, at + 4, fastTable!)
      : compressBlockChain(data, start, end, out, at + 4, chainHead!, chainLinks!, depth);
    const compressedSize = compressedEnd - at - 4;
    if (compressedSize >= end - start) {
      view.setUint32(at, (end - start) | 0x80000000, true);
      out.set(data.subarray(start, end), at + 4);
      at += 4 + end - start;
    } else {
      view.setUint32(at, compressedSize, true);
      at = compressedEnd;
    }
  }
  view.setUint32(at, 0, true);
  at += 4;
  if (contentChecksum) {
    view.setUint32(at, xxh32(data), true);
    at += 4;
  }
  return out.slice(0, at);
}

/**
 * Reads an LZ4 frame as written by librdkafka, Java, the `lz4` tool or
 * {@linkcode lz4FrameCompress}: any block size, linked or independent blocks, with or without
 * block checksums, content size and content checksum (all checked when present).
 *
 * @param frame One LZ4 frame.
 * @returns The decompressed bytes.
 * @throws {ProtocolError} When the frame is malformed, a checksum does not match, or it needs
 * a dictionary.
 *
 * @example A bad magic number is an error
 * ```ts
 * import { lz4FrameDecompress } from "./lz4_codec.ts";
 * let failed = false;
 * try { lz4FrameDecompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7])); } catch { failed = true; }
 * if (!failed) throw new Error();
 * ```
 */
export function lz4FrameDecompress(frame: Uint8Array): Uint8Array {
  if (frame.length < 7) {
    throw new ProtocolError(`Cannot decompress LZ4 frame: ${frame.length} bytes is too short`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== MAGIC) {
    throw new ProtocolError(
      `Cannot decompress LZ4 frame: bad magic number 0x${view.getUint32(0, true).toString(16)}`,
    );
  }
  const flg = frame[4]!;
  if (flg >> 6 !== 1) {
    throw new ProtocolError(`Cannot decompress LZ4 frame: unknown version ${flg >> 6}`);
  }
  if ((flg & 0x01) !== 0) {
    throw new ProtocolError("Cannot decompress LZ4 frame: dictionaries are not supported");
  }
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const blockSizeId = (frame[5]! >> 4) & 7;
  if (blockSizeId < 4) {
    throw new ProtocolError(`Cannot decompress LZ4 frame: bad block size id ${blockSizeId}`);
  }
  const maxBlock = 1 << (8 + 2 * blockSizeId);
  const descriptorEnd = 6 + (hasContentSize ? 8 : 0);
  if (frame.length < descriptorEnd + 1) {
    throw new ProtocolError("Cannot decompress LZ4 frame: truncated descriptor");
  }
  const headerChecksum = (xxh32(frame, 4, descriptorEnd) >>> 8) & 0xff;
  if (frame[descriptorEnd] !== headerChecksum) {
    throw new ProtocolError(
      `Cannot decompress LZ4 frame: header checksum is ${
        frame[descriptorEnd]
      }, expected ${headerChecksum}`,
    );
  }
  let contentSize = -1;
  if (hasContentSize) {
    const size = view.getBigUint64(6, true);
    if (size > 0x7fffffffn) {
      throw new ProtocolError(`Cannot decompress LZ4 frame: content size ${size} is too large`);
    }
    contentSize = Number(size);
  }
  let out = new Uint8Array(contentSize >= 0 ? contentSize : Math.min(frame.length * 4, 1 << 30));
  let at = 0;
  let i = descriptorEnd + 1;
  for (;;) {
    if (i + 4 > frame.length) {
      throw new ProtocolError("Cannot decompress LZ4 frame: truncated block size");
    }
    const word = view.getUint32(i, true);
    i += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const stored = word >>> 31 === 1;
    if (size > maxBlock || i + size + (blockChecksum ? 4 : 0) > frame.length) {
      throw new ProtocolError(
        `Cannot decompress LZ4 frame: block of ${size} bytes overruns the frame`,
      );
    }
    if (blockChecksum && view.getUint32(i + size, true) !== xxh32(frame, i, i + size)) {
      throw new ProtocolError("Cannot decompress LZ4 frame: block checksum mismatch");
    }
    // A block of `size` bytes decodes to at most min(maxBlock, 255 bytes per input byte).
    const room = stored ? size : Math.min(maxBlock, size * 255 + 16);
    if (at + room > out.length) {
      if (contentSize >= 0 && at + size > contentSize) {
        throw new ProtocolError(
          `Cannot decompress LZ4 frame: content exceeds its declared size ${contentSize}`,
        );
      }
      const grown = new Uint8Array(
        contentSize >= 0 ? Math.max(contentSize, at + room) : Math.max(out.length * 2, at + room),
      );
      grown.set(out.subarray(0, at));
      out = grown;
    }
    if (stored) {
      out.set(frame.subarray(i, i + size), at);
      at += size;
    } else {
      const blockEnd = decompressBlock(frame, i, i + size, out, at, independent ? at : 0);
      if (blockEnd - at > maxBlock) {
        throw new ProtocolError("Cannot decompress LZ4 frame: block exceeds its maximum size");
      }
      at = blockEnd;
    }
    i += size + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) {
    if (i + 4 > frame.length) {
      throw new ProtocolError("Cannot decompress LZ4 frame: truncated content checksum");
    }
    if (view.getUint32(i, true) !== xxh32(out, 0, at)) {
      throw new ProtocolError("Cannot decompress LZ4 frame: content checksum mismatch");
    }
  }
  if (contentSize >= 0 && at !== contentSize) {
    throw new ProtocolError(
      `Cannot decompress LZ4 frame: got ${at} bytes, the header declares ${contentSize}`,
    );
  }
  return at === out.length ? out : out.slice(0, at);
}

/**
 * lz4 (Kafka codec 3): our frame writer and block compressors in TypeScript — no native addon,
 * no WASM to load. Levels 1–17 (KIP-390): 1–2 the fast compressor (the default), 3–17 deeper
 * match searches.
 *
 * @example
 * ```ts
 * import { lz4Codec } from "./lz4_codec.ts";
 * const data = new TextEncoder().encode("lz4 lz4 lz4 lz4 lz4 lz4 lz4 lz4");
 * if (lz4Codec.id !== 3 || lz4Codec.decompress(lz4Codec.compress(data, 9)).length !== data.length) {
 *   throw new Error();
 * }
 * ```
 */
export const lz4Codec: Codec = {
  id: 3,
  name: "lz4",
  compress: (data, level) => lz4FrameCompress(data, level === undefined ? {} : { level }),
  decompress: (data) => lz4FrameDecompress(data),
};
