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
  topic: string;
  partition: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[] | undefined;
  timestamp: number;
}
