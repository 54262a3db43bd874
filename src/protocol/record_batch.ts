import { ProtocolError } from "../errors/client_errors.ts";
import { crc32c } from "./crc32c.ts";
import { Reader } from "./reader.ts";
import { utf8Length } from "./utf8_length.ts";
import { growBuffer } from "./writer.ts";

/** Bytes of a RecordBatch v2 header, before the first record. */
export const RECORD_BATCH_OVERHEAD = 61;

/**
 * The largest record timestamp (ms) the writer takes: `Number.MAX_SAFE_INTEGER`. RecordBatch
 * v2 stores int64 timestamps, but the writer computes each record's delta from the batch's
 * first timestamp in numbers, which are exact only up to here (year 285,426). Producers check
 * timestamps against it before anything is reserved or appended.
 */
export const MAX_TIMESTAMP_MS = Number.MAX_SAFE_INTEGER;

/** A record header: a UTF-8 name and a byte value (or null). */
export interface RecordHeader {
  /** The header's name (UTF-8 on the wire). */
  key: string;
  /** The header's value, or null. */
  value: Uint8Array | null;
}

/*
 * RecordBatch v2 (implementation.html "Record Batch"), byte offsets:
 *    0 baseOffset:int64              8 batchLength:int32 (bytes after this field)
 *   12 partitionLeaderEpoch:int32   16 magic:int8 (2)
 *   17 crc:uint32 (CRC-32C of bytes 21..end)
 *   21 attributes:int16 (bits 0-2 codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd;
 *                        bit 3 timestampType; bit 4 isTransactional; bit 5 isControl)
 *   23 lastOffsetDelta:int32        27 baseTimestamp:int64   35 maxTimestamp:int64
 *   43 producerId:int64             51 producerEpoch:int16   53 baseSequence:int32
 *   57 recordCount:int32            61 records...
 *
 * Record => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *           keyLength:varint key valueLength:varint value headerCount:varint [Header]
 * Header => headerKeyLength:varint headerKey headerValueLength:varint headerValue
 * (null key/value: length -1; length counts the bytes after the length field)
 */
const OFFSET_BATCH_LENGTH = 8;
const OFFSET_LEADER_EPOCH = 12;
const OFFSET_MAGIC = 16;
const OFFSET_CRC = 17;
const OFFSET_ATTRIBUTES = 21;
const OFFSET_LAST_OFFSET_DELTA = 23;
const OFFSET_BASE_TIMESTAMP = 27;
const OFFSET_MAX_TIMESTAMP = 35;
const OFFSET_PRODUCER_ID = 43;
const OFFSET_PRODUCER_EPOCH = 51;
const OFFSET_BASE_SEQUENCE = 53;
const OFFSET_RECORD_COUNT = 57;
const ATTRIBUTE_TRANSACTIONAL = 0x10;
const ATTRIBUTE_CONTROL = 0x20;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_SAFE_DELTA = BigInt(Number.MAX_SAFE_INTEGER);

function varintSize(value: number): number {
  const v = ((value << 1) ^ (value >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/*
 * Zigzag varlongs of timestamp deltas, in exact integer arithmetic. The zigzag value of d is
 * 2d (d >= 0) or -2d - 1 (d < 0), which exceeds 2^53 (and so is rounded as a float) once
 * |d| > 2^52; half of it is not: h = d or -d - 1, with zigzag = 2h + (d < 0 ? 1 : 0). The first
 * byte carries the low 6 bits of h and the sign bit, each later byte 7 bits of h / 64, so every
 * intermediate value stays <= |d| (a safe integer). Deltas beyond the safe integers (only
 * possible between timestamps of opposite sign) take a bigint path.
 */

/** Bytes of the zigzag varlong of `value` (a safe integer); exactly what `writeVarlong` writes. */
function varlongSize(value: number): number {
  let rest = Math.floor((value >= 0 ? value : -value - 1) / 64); // h without its first 6 bits
  let size = 1;
  while (rest > 0) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}
function writeVarint(buffer: Uint8Array, at: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buffer[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[at++] = v;
  return at;
}

/** Writes the zigzag varlong of `value` (a safe integer) at `at`; returns the end. */
function writeVarlong(buffer: Uint8Array, at: number, value: number): number {
  if (value >= -64 && value < 64) { // the common case: one byte (deltas under 64 ms)
    buffer[at] = value >= 0 ? value << 1 : (-value << 1) - 1;
    return at + 1;
  }
  const half = value >= 0 ? value : -value - 1;
  let rest = Math.floor(half / 64);
  // Low 6 bits of h, shifted over the sign bit, and the continuation bit (rest > 0 here).
  buffer[at++] = ((half % 64) << 1) | (value >= 0 ? 0 : 1) | 0x80;
  while (rest >= 0x80) {
    buffer[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  buffer[at++] = rest;
  return at;
}

/** Size of the zigzag varlong of a bigint (a delta beyond the safe integers). */
function bigVarlongSize(value: bigint): number {
  let v = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** Writes the zigzag varlong of a bigint (a delta beyond the safe integers). */
function writeBigVarlong(buffer: Uint8Array, at: number, value: bigint): number {
  let v = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  while (v >= 0x80n) {
    buffer[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buffer[at++] = Number(v);
  return at;
}

/** Bytes of a length or count (>= -1) with its zigzag varint prefix: `varintSize(n) + n`. */
function prefixed(n: number): number {
  // zigzag(n) = 2n for n >= 0 and 1 for -1: one byte below 64, two below 8192, ...
  return n < 64
    ? 1 + Math.max(0, n)
    : n + (n < 8192 ? 2 : n < 0x100000 ? 3 : n < 0x8000000 ? 4 : 5);
}

/**
 * A record's body without its two deltas and its length prefix: attributes, key and value
 * with their lengths, the header count and every header (names measured in UTF-8 exactly).
 */
function bodyWithoutDeltas(
  keyLength: number,
  valueLength: number,
  headers: readonly RecordHeader[] | undefined,
): number {
  // attributes(1), key, value, header count (the count is no payload: its prefix alone)
  if (headers === undefined) return 2 + prefixed(keyLength) + prefixed(valueLength);
  let size = 1 + prefixed(keyLength) + prefixed(valueLength) + varintSize(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    size += prefixed(utf8Length(header.key)) +
      prefixed(header.value === null ? -1 : header.value.length);
  }
  return size;
}

/**
 * The exact size of a record inside a batch (length prefix included), as
 * `RecordBatchWriter.append()` writes it: alone in its batch with the default deltas of 0.
 * The producer checks this against `maxRequestSize` (less the batch header), so a record
 * that fits is never refused.
 *
 * @param keyLength Key bytes, or -1 for null.
 * @param valueLength Value bytes, or -1 for null.
 * @param headers The headers, if any (names counted in UTF-8 bytes).
 * @param timestampDelta Its timestamp less the batch's first timestamp (ms). @default 0
 * @param offsetDelta Its index in the batch. @default 0
 * @returns Bytes the record takes in its batch.
 *
 * @example
 * ```ts
 * import { encodedRecordSize, RecordBatchWriter } from "./record_batch.ts";
 * const headers = [{ key: "é", value: null }];
 * const written = new RecordBatchWriter().append(Date.now(), null, new Uint8Array(100), headers);
 * if (written !== encodedRecordSize(-1, 100, headers)) throw new Error();
 * ```
 */
export function encodedRecordSize(
  keyLength: number,
  valueLength: number,
  headers: readonly RecordHeader[] | undefined,
  timestampDelta = 0,
  offsetDelta = 0,
): number {
  const body = bodyWithoutDeltas(keyLength, valueLength, headers) +
    varlongSize(timestampDelta) + varintSize(offsetDelta);
  return varintSize(body) + body;
}

/**
 * An upper bound of a record's encoded size (length prefix included) wherever it lands in a
 * batch; the producer reserves this much of `bufferMemory` and checks `batchSize` with it.
 * Exact but for the deltas, counted at their widest (timestamp delta 10 bytes, offset delta
 * 5): it exceeds `encodedRecordSize()` by at most 14 bytes (13 plus a longer length prefix).
 *
 * @param keyLength Key bytes, or -1 for null.
 * @param valueLength Value bytes, or -1 for null.
 * @param headers The headers, if any.
 * @returns Bytes the record takes at most inside a batch.
 *
 * @example
 * ```ts
 * import { recordSizeUpperBound, RecordBatchWriter } from "./record_batch.ts";
 * const writer = new RecordBatchWriter();
 * const written = writer.append(Date.now(), null, new Uint8Array(100));
 * if (written > recordSizeUpperBound(-1, 100, undefined)) throw new Error();
 * ```
 */
export function recordSizeUpperBound(
  keyLength: number,
  valueLength: number,
  headers: readonly RecordHeader[] | undefined,
): number {
  const body = bodyWithoutDeltas(keyLength, valueLength, headers) + 10 + 5;
  return varintSize(body) + body;
}

/** Options for `RecordBatchWriter.finish()`. */
export interface FinishOptions {
  /** The idempotent producer id, or -1n. */
  producerId: bigint;
  /** Its epoch, or -1. */
  producerEpoch: number;
  /** The first record's sequence number, or -1. */
  baseSequence: number;
  /**
   * Sets the transactional attribute bit.
   * @default false
   */
  isTransactional?: boolean;
  /**
   * The compressed records section, replacing the encoded records, with the codec's id for
   * the attribute bits 0-2 (1 gzip, 2 snappy, 3 lz4, 4 zstd).
   */
  compression?: { attribute: number; records: Uint8Array };
}

/**
 * Encodes records straight into a RecordBatch v2 buffer, behind a reserved 61-byte header
 * that `finish()` fills in (lengths, timestamps, producer state, CRC-32C). `finish()` may be
 * called again with other producer state (a retry after an epoch bump) without re-encoding
 * the records; `reset()` keeps the buffer for the next batch (pooling).
 *
 * Invariants: records are at `[61, sizeInBytes)`; offset deltas are 0..recordCount-1;
 * timestamp deltas are relative to the first record's timestamp; nothing is allocated per
 * record unless the buffer must grow.
 *
 * @example Build a batch of two records and read it back
 * ```ts
 * import { decodeRecordBatches, RecordBatchWriter } from "./record_batch.ts";
 * const utf8 = new TextEncoder();
 * const writer = new RecordBatchWriter(256);
 * writer.append(1000, null, utf8.encode("a"));
 * writer.append(1005, utf8.encode("k"), utf8.encode("b"), [{ key: "h", value: null }]);
 * const batch = writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
 * const [decoded] = decodeRecordBatches(batch, { verifyCrc: true });
 * if (decoded!.records.length !== 2 || decoded!.maxTimestamp !== 1005) throw new Error();
 * ```
 */
export class RecordBatchWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = RECORD_BATCH_OVERHEAD;
  #count = 0;
  #firstTimestamp = 0;
  #maxTimestamp = 0;
  /** The last compressed batch and the records it was built from, reused by a re-finish. */
  #compressedBatch: Uint8Array | undefined;
  #compressedFrom: Uint8Array | undefined;

  /**
   * @param initialCapacity Bytes to allocate up front (grows by doubling as needed).
   * @default 16384
   */
  constructor(initialCapacity = 16384) {
    this.#buffer = new Uint8Array(Math.max(RECORD_BATCH_OVERHEAD + 64, initialCapacity));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.#count;
  }

  /** Header plus records, uncompressed. */
  get sizeInBytes(): number {
    return this.#length;
  }

  /** The first record's timestamp (ms), 0 while empty. */
  get firstTimestamp(): number {
    return this.#firstTimestamp;
  }

  /** The largest record timestamp (ms), 0 while empty. */
  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /**
   * The encoded records section, e.g. for compression.
   *
   * @returns A view of the buffer, valid until the next `append()` or `reset()`.
   */
  recordsView(): Uint8Array {
    return this.#buffer.subarray(RECORD_BATCH_OVERHEAD, this.#length);
  }

  /**
   * Encodes one record at the end of the batch.
   *
   * Atomic: a record it refuses (it throws) leaves the batch as it was.
   *
   * @param timestamp Milliseconds since the epoch (a safe integer, see `MAX_TIMESTAMP_MS`).
   * @param key The key, or null.
   * @param value The value, or null (a tombstone).
   * @param headers The headers, if any.
   * @returns The bytes the record took (length prefix included).
   * @throws {RangeError} When `timestamp` is not a safe integer.
   */
  append(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers?: readonly RecordHeader[],
  ): number {
    if (!Number.isSafeInteger(timestamp)) {
      throw new RangeError(
        `Cannot append record with timestamp "${timestamp}": must be integer ms, at most ${MAX_TIMESTAMP_MS}`,
      );
    }
    // The batch's timestamps change only once the record is written (below): anything that
    // throws before then leaves the batch as it was.
    const firstTimestamp = this.#count === 0 ? timestamp : this.#firstTimestamp;
    const timestampDelta = timestamp - firstTimestamp;
    // Both are safe integers, so the difference is exact whenever it is a safe integer too;
    // otherwise (timestamps of opposite sign more than 2^53 ms apart) it is taken as a bigint.
    const bigDelta = Number.isSafeInteger(timestampDelta)
      ? undefined
      : BigInt(timestamp) - BigInt(firstTimestamp);
    const offsetDelta = this.#count;
    const keyLength = key === null ? -1 : key.length;
    const valueLength = value === null ? -1 : value.length;
    const headerCount = headers === undefined ? 0 : headers.length;
    // Exact size first (header names measured, not encoded), so the length prefix is written
    // before the body and every byte is written once.
    let headersSize = varintSize(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const header = headers![i]!;
      const nameLength = utf8Length(header.key);
      const headerValueLength = header.value === null ? -1 : header.value.length;
      headersSize += varintSize(nameLength) + nameLength + varintSize(headerValueLength) +
        Math.max(0, headerValueLength);
    }
    const bodySize = 1 +
      (bigDelta === undefined ? varlongSize(timestampDelta) : bigVarlongSize(bigDelta)) +
      varintSize(offsetDelta) +
      varintSize(keyLength) + Math.max(0, keyLength) +
      varintSize(valueLength) + Math.max(0, valueLength) + headersSize;
    const total = varintSize(bodySize) + bodySize;
    this.#ensure(total);
    const buffer = this.#buffer;
    let at = this.#length;
    at = writeVarint(buffer, at, bodySize);
    buffer[at++] = 0; // record attributes: unused
    at = bigDelta === undefined
      ? writeVarlong(buffer, at, timestampDelta)
      : writeBigVarlong(buffer, at, bigDelta);
    at = writeVarint(buffer, at, offsetDelta);
    at = writeVarint(buffer, at, keyLength);
    if (key !== null) {
      buffer.set(key, at);
      at += key.length;
    }
    at = writeVarint(buffer, at, valueLength);
    if (value !== null) {
      buffer.set(value, at);
      at += value.length;
    }
    at = writeVarint(buffer, at, headerCount);
    for (let i = 0; i < headerCount; i++) {
      const header = headers![i]!;
      const nameLength = utf8Length(header.key);
      at = writeVarint(buffer, at, nameLength);
      at += encoder.encodeInto(header.key, buffer.subarray(at, at + nameLength)).written;
      const headerValue = header.value;
      at = writeVarint(buffer, at, headerValue === null ? -1 : headerValue.length);
      if (headerValue !== null) {
        buffer.set(headerValue, at);
        at += headerValue.length;
      }
    }
    this.#length = at;
    if (this.#count === 0 || timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    this.#firstTimestamp = firstTimestamp;
    this.#count++;
    return total;
  }

  /**
   * Fills in the header and returns the whole batch. May be called again (other producer
   * state after an epoch bump) without re-encoding the records.
   *
   * @param options Producer state, the transactional bit and, optionally, compressed records.
   * @returns Without compression, a view of the writer's buffer, valid until the next
   *   `append()`, `finish()` or `reset()`; with compression, a batch owned by the writer
   *   (reused when `finish()` is called again with the same compressed records).
   */
  finish(options: FinishOptions): Uint8Array {
    if (this.#count === 0) throw new RangeError("Cannot finish a record batch without records");
    let batch: Uint8Array;
    let view: DataView;
    let attributes = options.isTransactional ? ATTRIBUTE_TRANSACTIONAL : 0;
    const compression = options.compression;
    if (compression !== undefined) {
      const codec = compression.attribute;
      if (!(codec >= 1 && codec <= 7 && Number.isInteger(codec))) {
        throw new RangeError(`Invalid compression attribute "${codec}": must be 1 to 7`);
      }
      attributes |= codec;
      batch = this.#compressedBatch !== undefined && this.#compressedFrom === compression.records
        ? this.#compressedBatch
        : this.#buildCompressed(compression.records);
      view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    } else {
      batch = this.#buffer.subarray(0, this.#length);
      view = this.#view;
    }
    view.setBigInt64(0, 0n); // baseOffset: assigned by the broker
    view.setInt32(OFFSET_BATCH_LENGTH, batch.length - 12);
    view.setInt32(OFFSET_LEADER_EPOCH, -1); // set by the broker
    view.setInt8(OFFSET_MAGIC, 2);
    view.setInt16(OFFSET_ATTRIBUTES, attributes);
    view.setInt32(OFFSET_LAST_OFFSET_DELTA, this.#count - 1);
    view.setBigInt64(OFFSET_BASE_TIMESTAMP, BigInt(this.#firstTimestamp));
    view.setBigInt64(OFFSET_MAX_TIMESTAMP, BigInt(this.#maxTimestamp));
    view.setBigInt64(OFFSET_PRODUCER_ID, options.producerId);
    view.setInt16(OFFSET_PRODUCER_EPOCH, options.producerEpoch);
    view.setInt32(OFFSET_BASE_SEQUENCE, options.baseSequence);
    view.setInt32(OFFSET_RECORD_COUNT, this.#count);
    view.setUint32(OFFSET_CRC, crc32c(batch, OFFSET_ATTRIBUTES, batch.length));
    return batch;
  }

  /** Empties the writer for a new batch, keeping its buffer. */
  reset(): void {
    this.#length = RECORD_BATCH_OVERHEAD;
    this.#count = 0;
    this.#firstTimestamp = 0;
    this.#maxTimestamp = 0;
    this.#compressedBatch = undefined;
    this.#compressedFrom = undefined;
  }

  #buildCompressed(records: Uint8Array): Uint8Array {
    const batch = new Uint8Array(RECORD_BATCH_OVERHEAD + records.length);
    batch.set(records, RECORD_BATCH_OVERHEAD);
    this.#compressedBatch = batch;
    this.#compressedFrom = records;
    return batch;
  }

  #ensure(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    this.#buffer = growBuffer(this.#buffer, this.#length, needed);
    this.#view = new DataView(this.#buffer.buffer);
  }
}

/** A record read back from a batch. */
export interface DecodedRecord {
  /** Its offset relative to the batch's base offset. */
  offsetDelta: number;
  /** Its timestamp (ms): the batch's first timestamp plus the record's delta. */
  timestamp: number;
  /** The key (a view of the input), or null. */
  key: Uint8Array | null;
  /** The value (a view of the input), or null. */
  value: Uint8Array | null;
  /** The headers (values are views of the input). */
  headers: RecordHeader[];
}

/** A RecordBatch read back. */
export interface DecodedRecordBatch {
  /** The first record's offset (0 in a batch the producer wrote). */
  baseOffset: bigint;
  /** The leader epoch, -1 from a producer. */
  partitionLeaderEpoch: number;
  /** The raw attributes. */
  attributes: number;
  /** The codec (attribute bits 0-2). */
  compression: number;
  /** Attribute bit 4. */
  isTransactional: boolean;
  /** Attribute bit 5. */
  isControl: boolean;
  /** The last record's offset delta. */
  lastOffsetDelta: number;
  /** The base timestamp (ms). */
  firstTimestamp: number;
  /** The largest timestamp (ms). */
  maxTimestamp: number;
  /** The producer id, -1 when not idempotent. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
  /** The first record's sequence number. */
  baseSequence: number;
  /** The records. */
  records: DecodedRecord[];
}

/** Options for `decodeRecordBatches()`. */
export interface DecodeOptions {
  /**
   * Check each batch's CRC-32C.
   * @default true
   */
  verifyCrc?: boolean;
  /**
   * Decompresses a records section for codec `attribute` (1 gzip, 2 snappy, 3 lz4, 4 zstd).
   * Without it, a compressed batch throws `ProtocolError`.
   */
  decompress?: (attribute: number, data: Uint8Array) => Uint8Array;
}

/**
 * Decodes RecordBatch v2 bytes (one or more batches back to back), e.g. for tests and
 * consumers. Malformed input, a CRC mismatch or a compressed batch without a `decompress`
 * hook throws `ProtocolError`.
 *
 * @param bytes The batches.
 * @param options CRC checking and decompression.
 * @returns The batches with their records.
 *
 * @example
 * ```ts
 * import { decodeRecordBatches } from "./record_batch.ts";
 * let failed = false;
 * try { decodeRecordBatches(new Uint8Array(10)); } catch { failed = true; }
 * if (!failed) throw new Error("truncated input must throw");
 * ```
 */
export function decodeRecordBatches(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): DecodedRecordBatch[] {
  const batches: DecodedRecordBatch[] = [];
  const reader = new Reader(bytes);
  while (reader.remaining > 0) {
    const start = reader.offset;
    const baseOffset = reader.int64();
    const batchLength = reader.int32();
    if (batchLength < RECORD_BATCH_OVERHEAD - 12 || batchLength > reader.remaining) {
      throw new ProtocolError(
        `Cannot read record batch at offset ${start}: its length ${batchLength} is not in ${
          RECORD_BATCH_OVERHEAD - 12
        }..${reader.remaining}`,
      );
    }
    const end = start + 12 + batchLength;
    const batchBytes = bytes.subarray(start, end);
    const partitionLeaderEpoch = reader.int32();
    const magic = reader.int8();
    if (magic !== 2) {
      throw new ProtocolError(
        `Cannot read record batch at offset ${start}: magic ${magic} is not 2`,
      );
    }
    const crc = reader.uint32();
    if (options.verifyCrc !== false) {
      const actual = crc32c(batchBytes, OFFSET_ATTRIBUTES, batchBytes.length);
      if (actual !== crc) {
        throw new ProtocolError(
          `Cannot read record batch at offset ${start}: CRC ${actual} does not match ${crc}`,
        );
      }
    }
    const attributes = reader.int16();
    const lastOffsetDelta = reader.int32();
    const firstTimestamp = Number(reader.int64());
    const maxTimestamp = Number(reader.int64());
    const producerId = reader.int64();
    const producerEpoch = reader.int16();
    const baseSequence = reader.int32();
    const count = reader.int32();
    let records = reader.subarray(end - reader.offset);
    const compression = attributes & 0x07;
    if (compression !== 0) {
      if (options.decompress === undefined) {
        throw new ProtocolError(
          `Cannot read record batch at offset ${start}: codec ${compression} not supported yet`,
        );
      }
      records = options.decompress(compression, records);
    }
    // Every record takes at least 7 bytes, which bounds the count before the loop.
    if (count < 0 || count * 7 > records.length) {
      throw new ProtocolError(
        `Cannot read record batch at offset ${start}: invalid record count ${count}`,
      );
    }
    batches.push({
      baseOffset,
      partitionLeaderEpoch,
      attributes,
      compression,
      isTransactional: (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0,
      isControl: (attributes & ATTRIBUTE_CONTROL) !== 0,
      lastOffsetDelta,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      baseSequence,
      records: decodeRecords(new Reader(records), count, firstTimestamp),
    });
  }
  return batches;
}

function decodeRecords(reader: Reader, count: number, firstTimestamp: number): DecodedRecord[] {
  const decoded: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    const end = reader.offset + length;
    if (length < 6 || length > reader.remaining) {
      throw new ProtocolError(`Cannot read record ${i}: invalid length ${length}`);
    }
    reader.int8(); // attributes
    const delta = reader.varlong();
    // Exact when the delta is a safe integer; else through bigint (the sum may still be safe).
    const timestamp = delta >= -MAX_SAFE_DELTA && delta <= MAX_SAFE_DELTA
      ? firstTimestamp + Number(delta)
      : Number(BigInt(firstTimestamp) + delta);
    const offsetDelta = reader.varint();
    const key = nullableVarBytes(reader, i, "key");
    const value = nullableVarBytes(reader, i, "value");
    const headerCount = reader.varint();
    if (headerCount < 0 || headerCount * 2 > end - reader.offset) {
      throw new ProtocolError(`Cannot read record ${i}: invalid header count ${headerCount}`);
    }
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const name = nullableVarBytes(reader, i, "header key");
      if (name === null) throw new ProtocolError(`Cannot read record ${i}: a header key is null`);
      headers.push({
        key: decoder.decode(name),
        value: nullableVarBytes(reader, i, "header value"),
      });
    }
    if (reader.offset !== end) {
      throw new ProtocolError(
        `Cannot read record ${i}: its length says ${length} bytes, its fields take ${
          length + reader.offset - end
        }`,
      );
    }
    decoded.push({ offsetDelta, timestamp, key, value, headers });
  }
  return decoded;
}

function nullableVarBytes(reader: Reader, index: number, what: string): Uint8Array | null {
  const length = reader.varint();
  if (length === -1) return null;
  if (length < -1) throw new ProtocolError(`Cannot read record ${index}: ${what} length ${length}`);
  return reader.subarray(length);
}
