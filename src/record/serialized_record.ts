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
