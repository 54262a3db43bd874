/**
 * Where an acknowledged record was written.
 *
 * @example
 * ```ts
 * import type { RecordMetadata } from "./record_metadata.ts";
 * const metadata: RecordMetadata = { topic: "t", partition: 0, offset: 10n, timestamp: 0, serializedKeySize: -1, serializedValueSize: 3 };
 * if (metadata.offset !== 10n) throw new Error();
 * ```
 */
export interface RecordMetadata {
  /** The topic the record was written to. */
  topic: string;
  /** The partition the record was written to. */
  partition: number;
  /** The record's offset; -1n with `acks: 0` (nothing to wait for). */
  offset: bigint;
  /** Milliseconds: the record's timestamp, or the broker's LogAppendTime when the topic uses it. */
  timestamp: number;
  /** Bytes of the serialized key, -1 for null. */
  serializedKeySize: number;
  /** Bytes of the serialized value, -1 for null. */
  serializedValueSize: number;
}
