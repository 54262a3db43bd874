import { ProtocolError } from "../errors/client_errors.ts";
import { crc32c } from "./crc32c.ts";
import { Reader } from "./reader.ts";

/** Bytes of a RecordBatch v2 header, before the first record. */
export const RECORD_BATCH_OVERHEAD = 61;

/** A record header: a UTF-8 name and a byte value (or null). */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/*
 * RecordBatch v2 (implementation.html "Record Batch"):
 *   0 baseOffset:int64  8 batchLength:int32  12 partitionLeaderEpoch:int32  16 magic:int8 (2)
 *   17 crc:uint32 (CRC-32C of bytes 21..end)  21 attributes:int16  23 lastOffsetDelta:int32
 *   27 baseTimestamp:int64  35 maxTimestamp:int64  43 producerId:int64  51 producerEpoch:int16
 *   53 baseSequence:int32  57 recordCount:int32  61 records...
 * attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3
 *   timestamp type, bit 4 transactional, bit 5 control.
 *
 * Record => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *           keyLength:varint key valueLength:varint value headerCount:varint [Header]
 * Header => keyLength:varint key valueLength:varint value        (null = length -1)
 */
const OFFSET_BATCH_LENGTH = 8;
const OFFSET_CRC = 17;
const OFFSET_ATTRIBUTES = 21;

const encoder = new TextEncoder();

function varintSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Size of a zigzag varlong for a safe integer (timestamps in ms). */
function varlongSize(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/**
 * An upper bound of a record's encoded size (length prefix included), computable before
 * encoding; the producer reserves this much of `bufferMemory` per record.
 *
 * @param keyLength Key bytes, or -1 for null.
 * @param valueLength Value bytes, or -1 for null.
 * @param headers The headers, if any.
 *
 * @example
 * ```ts
 * import { recordSizeUpperBound } from "./record_batch.ts";
 * if (recordSizeUpperBound(-1, 100, undefined) < 100 + 7) throw new Error();
 * ```
 */
export function recordSizeUpperBound(
  keyLength: number,
  valueLength: number,
  headers: readonly RecordHeader[] | undefined,
): number {
  // length(5) attributes(1) timestampDelta(10) offsetDelta(5) keyLength(5) valueLength(5) headerCount(5)
  let size = 36 + Math.max(0, keyLength) + Math.max(0, valueLength);
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      size += 10 + header.key.length * 3 + (header.value === null ? 0 : header.value.length);
    }
  }
  return size;
}

/** Options for `RecordBatchWriter.finish()`. */
export interface FinishOptions {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  isTransactional?: boolean;
  /** Compressed records replacing the records section, with the codec's attribute id. */
  compression?: { attribute: number; records: Uint8Array };
}

/**
 * Encodes records straight into a RecordBatch v2 buffer, behind a reserved 61-byte header
 * that `finish()` fills in (lengths, timestamps, producer state, CRC-32C). `finish()` may be
 * called again with other producer state (a retry after an epoch bump) without re-encoding
 * the records; `reset()` keeps the buffer for the next batch.
 *
 * Invariants: records are at `[61, length)`; offset deltas are 0..recordCount-1; timestamp
 * deltas are relative to the first record's timestamp.
 *
 * @example Build a batch of two records
 * ```ts
 * import { decodeRecordBatches, RecordBatchWriter } from "./record_batch.ts";
 * const writer = new RecordBatchWriter(256);
 * writer.append(1000, null, new TextEncoder().encode("a"));
 * writer.append(1005, new TextEncoder().encode("k"), new TextEncoder().encode("b"), [{ key: "h", value: null }]);
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

  /** @param initialCapacity Bytes to allocate up front (grows as needed). */
  constructor(initialCapacity = 16384) {
    this.#buffer = new Uint8Array(Math.max(RECORD_BATCH_OVERHEAD + 64, initialCapacity));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Records appended. */
  get recordCount(): number {
    return this.#count;
  }

  /** Header plus records, uncompressed. */
  get sizeInBytes(): number {
    return this.#length;
  }

  get firstTimestamp(): number {
    return this.#firstTimestamp;
  }

  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /** The encoded records section (a view), e.g. for compression. */
  recordsView(): Uint8Array {
    return this.#buffer.subarray(RECORD_BATCH_OVERHEAD, this.#length);
  }

  /**
   * Encodes one record.
   *
   * @param timestamp Milliseconds since the epoch.
   * @returns The bytes it took.
   */
  append(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers?: readonly RecordHeader[],
  ): number {
    if (this.#count === 0) {
      this.#firstTimestamp = timestamp;
      this.#maxTimestamp = timestamp;
    } else if (timestamp > this.#maxTimestamp) {
      this.#maxTimestamp = timestamp;
    }
    const timestampDelta = timestamp - this.#firstTimestamp;
    const offsetDelta = this.#count;
    const keyLength = key === null ? -1 : key.length;
    const valueLength = value === null ? -1 : value.length;
    let headerKeys: Uint8Array[] | undefined;
    let headersSize = varintSize(headers === undefined ? 0 : headers.length);
    if (headers !== undefined && headers.length > 0) {
      headerKeys = new Array(headers.length);
      for (let i = 0; i < headers.length; i++) {
        const header = headers[i]!;
        const name = encoder.encode(header.key);
        headerKeys[i] = name;
        const headerValueLength = header.value === null ? -1 : header.value.length;
        headersSize += varintSize(name.length) + name.length + varintSize(headerValueLength) +
          Math.max(0, headerValueLength);
      }
    }
    const bodySize = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta) +
      varintSize(keyLength) +
      Math.max(0, keyLength) + varintSize(valueLength) + Math.max(0, valueLength) + headersSize;
    const total = varintSize(bodySize) + bodySize;
    this.#ensure(total);
    const buffer = this.#buffer;
    let at = this.#length;
    at = writeVarint(buffer, at, bodySize);
    buffer[at++] = 0; // record attributes: unused
    at = writeVarlong(buffer, at, timestampDelta);
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
    at = writeVarint(buffer, at, headers === undefined ? 0 : headers.length);
    if (headerKeys !== undefined) {
      for (let i = 0; i < headerKeys.length; i++) {
        const name = headerKeys[i]!;
        const headerValue = headers![i]!.value;
        at = writeVarint(buffer, at, name.length);
        buffer.set(name, at);
        at += name.length;
        at = writeVarint(buffer, at, headerValue === null ? -1 : headerValue.length);
        if (headerValue !== null) {
          buffer.set(headerValue, at);
          at += headerValue.length;
        }
      }
    }
    this.#length = at;
    this.#count++;
    return total;
  }

  /**
   * Fills in the header and returns the whole batch. Without compression the result is a
   * view of the writer's buffer, valid until the next `append()` or `reset()`.
   */
  finish(options: FinishOptions): Uint8Array {
    let batch: Uint8Array;
    let view: DataView;
    let attributes = options.isTransactional ? 0x10 : 0;
    if (options.compression !== undefined) {
      const records = options.compression.records;
      batch = new Uint8Array(RECORD_BATCH_OVERHEAD + records.length);
      batch.set(records, RECORD_BATCH_OVERHEAD);
      view = new DataView(batch.buffer);
      attributes |= options.compression.attribute & 0x07;
    } else {
      batch = this.#buffer.subarray(0, this.#length);
      view = this.#view;
    }
    view.setBigInt64(0, 0n); // baseOffset: assigned by the broker
    view.setInt32(OFFSET_BATCH_LENGTH, batch.length - 12);
    view.setInt32(12, -1); // partitionLeaderEpoch: set by the broker
    view.setInt8(16, 2); // magic
    view.setInt16(OFFSET_ATTRIBUTES, attributes);
    view.setInt32(23, this.#count - 1); // lastOffsetDelta
    view.setBigInt64(27, BigInt(this.#firstTimestamp));
    view.setBigInt64(35, BigInt(this.#maxTimestamp));
    view.setBigInt64(43, options.producerId);
    view.setInt16(51, options.producerEpoch);
    view.setInt32(53, options.baseSequence);
    view.setInt32(57, this.#count);
    view.setUint32(OFFSET_CRC, crc32c(batch, OFFSET_ATTRIBUTES, batch.length));
    return batch;
  }

  /** Empties the writer for a new batch, keeping its buffer. */
  reset(): void {
    this.#length = RECORD_BATCH_OVERHEAD;
    this.#count = 0;
    this.#firstTimestamp = 0;
    this.#maxTimestamp = 0;
  }

  #ensure(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
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

function writeVarlong(buffer: Uint8Array, at: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    buffer[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buffer[at++] = v;
  return at;
}

/** A record read back from a batch. */
export interface DecodedRecord {
  offsetDelta: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** A RecordBatch read back. */
export interface DecodedRecordBatch {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: DecodedRecord[];
}

/** Options for `decodeRecordBatches()`. */
export interface DecodeOptions {
  /** Check each batch's CRC-32C. @default true */
  verifyCrc?: boolean;
  /** Decompresses a records section for codec `attribute` (1 gzip … 4 zstd). */
  decompress?: (attribute: number, data: Uint8Array) => Uint8Array;
}

const headerDecoder = new TextDecoder();

/**
 * Decodes RecordBatch v2 bytes (one or more batches back to back). Malformed input throws
 * `ProtocolError`; a CRC mismatch too.
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
        `Cannot read record batch at offset ${start}: invalid length ${batchLength}`,
      );
    }
    const batchBytes = bytes.subarray(start, start + 12 + batchLength);
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
    let records = reader.subarray(start + 12 + batchLength - reader.offset);
    const compression = attributes & 0x07;
    if (compression !== 0) {
      if (options.decompress === undefined) {
        throw new ProtocolError(
          `Cannot read record batch at offset ${start}: codec ${compression} needs a decompress hook`,
        );
      }
      records = options.decompress(compression, records);
    }
    const recordReader = new Reader(records);
    if (count < 0 || count > records.length) {
      throw new ProtocolError(
        `Cannot read record batch at offset ${start}: invalid record count ${count}`,
      );
    }
    const decoded: DecodedRecord[] = [];
    for (let i = 0; i < count; i++) {
      const length = recordReader.varint();
      const end = recordReader.offset + length;
      if (length < 0 || end > records.length) {
        throw new ProtocolError(`Cannot read record ${i}: invalid length ${length}`);
      }
      recordReader.int8();
      const timestamp = firstTimestamp + Number(recordReader.varlong());
      const offsetDelta = recordReader.varint();
      const keyLength = recordReader.varint();
      const key = keyLength < 0 ? null : recordReader.subarray(keyLength);
      const valueLength = recordReader.varint();
      const value = valueLength < 0 ? null : recordReader.subarray(valueLength);
      const headerCount = recordReader.varint();
      if (headerCount < 0 || headerCount > length) {
        throw new ProtocolError(`Cannot read record ${i}: invalid header count ${headerCount}`);
      }
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const nameLength = recordReader.varint();
        const name = headerDecoder.decode(recordReader.subarray(nameLength));
        const headerValueLength = recordReader.varint();
        headers.push({
          key: name,
          value: headerValueLength < 0 ? null : recordReader.subarray(headerValueLength),
        });
      }
      if (recordReader.offset !== end) {
        throw new ProtocolError(`Cannot read record ${i}: its length says ${length} bytes`);
      }
      decoded.push({ offsetDelta, timestamp, key, value, headers });
    }
    batches.push({
      baseOffset,
      partitionLeaderEpoch,
      attributes,
      compression,
      lastOffsetDelta,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      baseSequence,
      records: decoded,
    });
  }
  return batches;
}
