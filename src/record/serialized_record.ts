import type { RecordHeader } from "../protocol/record_batch.ts";

/**
 * A record after serialization: bytes ready for the accumulator. `partition` is -1 until the
 * partitioner chose one (or the user's explicit partition).
 *
 * @example
 * ```ts
 * import type { SerializedRecord } from "./serialized_record.ts";
 * const record: SerializedRecord = { topic: "t", partition: -1, key: null, value: new Uint8Array(1), headers: undefined, timestamp: 0 };
 * if (record.partition !== -1) throw new Error();
 * ```
 */
export interface SerializedRecord {
  /** The topic. */
  topic: string;
  /** The partition, or -1 until the partitioner chose one. */
  partition: number;
  /** The serialized key, or null. */
  key: Uint8Array | null;
  /** The serialized value, or null (a tombstone). */
  value: Uint8Array | null;
  /** Serialized headers, in order. */
  headers: RecordHeader[] | undefined;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/**
 * A copy of a serialized record that shares no bytes with the caller: key, value and header
 * values copied (`new Uint8Array(bytes)` copies whatever the subclass; `Buffer#slice` would
 * not). For records that must wait (metadata, buffer space) while the caller may reuse its
 * arrays.
 *
 * @param record The record.
 * @returns The copy.
 *
 * @example
 * ```ts
 * import { ownedCopy } from "./serialized_record.ts";
 * const value = new Uint8Array([1]);
 * const copy = ownedCopy({ topic: "t", partition: 0, key: null, value, headers: undefined, timestamp: 0 });
 * value[0] = 2;
 * if (copy.value![0] !== 1) throw new Error();
 * ```
 */
export function ownedCopy(record: SerializedRecord): SerializedRecord {
  let headers = record.headers;
  if (headers !== undefined) {
    headers = headers.map((header) => ({
      key: header.key,
      value: header.value === null ? null : new Uint8Array(header.value),
    }));
  }
  return {
    topic: record.topic,
    partition: record.partition,
    key: record.key === null ? null : new Uint8Array(record.key),
    value: record.value === null ? null : new Uint8Array(record.value),
    headers,
    timestamp: record.timestamp,
  };
}
