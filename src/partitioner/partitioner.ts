import type { SerializedRecord } from "../record/serialized_record.ts";

/**
 * What a custom partitioner may ask about the cluster: kept minimal on purpose, so the
 * producer can pass its live metadata view without copying anything per record.
 *
 * @example
 * ```ts
 * import type { PartitionerClusterView } from "./partitioner.ts";
 * const view: PartitionerClusterView = { availablePartitions: () => [0, 2] };
 * if (view.availablePartitions("t").length !== 2) throw new Error();
 * ```
 */
export interface PartitionerClusterView {
  /** Partitions of `topic` that currently have a leader (ascending; empty when unknown). */
  availablePartitions(topic: string): readonly number[];
}

/**
 * A custom partitioner: returns the partition (an integer in 0..partitionCount-1) for a
 * serialized record without an explicit partition, synchronously. Called once per record on the
 * send path, so it should be cheap. If it throws (anything) or returns something else (a
 * Promise, an out-of-range number), that record fails with a `RecordError` (code
 * "SERIALIZATION", the thrown value as `cause`); nothing else is affected.
 *
 * @example Route by the first key byte, avoiding partitions without a leader
 * ```ts
 * import type { Partitioner } from "./partitioner.ts";
 * const byFirstByte: Partitioner = (record, partitionCount, cluster) => {
 *   const available = cluster.availablePartitions(record.topic);
 *   const wanted = (record.key?.[0] ?? 0) % partitionCount;
 *   return available.length === 0 || available.includes(wanted) ? wanted : available[0]!;
 * };
 * const record = { topic: "t", partition: -1, key: new Uint8Array([5]), value: null, headers: undefined, timestamp: 0 };
 * if (byFirstByte(record, 4, { availablePartitions: () => [0, 2] }) !== 0) throw new Error();
 * if (byFirstByte(record, 4, { availablePartitions: () => [1] }) !== 1) throw new Error();
 * ```
 */
export type Partitioner = (
  record: SerializedRecord,
  partitionCount: number,
  cluster: PartitionerClusterView,
) => number;
