import type { SerializedRecord } from "../record/serialized_record.ts";

/**
 * A custom partitioner: returns the partition (0..partitionCount-1) for a serialized record
 * without an explicit partition.
 *
 * @example Route by the first key byte
 * ```ts
 * import type { Partitioner } from "./partitioner.ts";
 * const byFirstByte: Partitioner = (record, partitionCount) => (record.key?.[0] ?? 0) % partitionCount;
 * if (byFirstByte({ topic: "t", partition: -1, key: new Uint8Array([5]), value: null, headers: undefined, timestamp: 0 }, 4) !== 1) throw new Error();
 * ```
 */
export type Partitioner = (record: SerializedRecord, partitionCount: number) => number;
