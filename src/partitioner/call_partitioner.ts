import { callUserCode, handleIfThenable, UserCodeFailure } from "../errors/call_user_code.ts";
import { RecordError } from "../errors/client_errors.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import type { SerializedRecord } from "../record/serialized_record.ts";
import type { Partitioner, PartitionerClusterView } from "./partitioner.ts";

/**
 * Asks a custom partitioner (the user's code) for a record's partition, safely: whatever it
 * throws, and anything but an integer in range returned synchronously (a promise, a number out
 * of range), fails that record with a `RecordError` ("SERIALIZATION") saying which, the thrown
 * value as `cause`; it never reaches the caller's host.
 *
 * @param partitioner The user's partitioner.
 * @param record The record (the partitioner may keep it: pass one it can own).
 * @param partitionCount The topic's partition count.
 * @param cluster What the partitioner may ask about the cluster.
 * @returns The partition, in 0..partitionCount-1.
 * @throws {RecordError} When the partitioner threw or returned something else.
 *
 * @example
 * ```ts
 * import { callPartitioner } from "./call_partitioner.ts";
 * const record = { topic: "t", partition: -1, key: null, value: null, headers: undefined, timestamp: 0 };
 * const cluster = { availablePartitions: () => [0, 1] };
 * if (callPartitioner(() => 1, record, 2, cluster) !== 1) throw new Error();
 * let refused = false;
 * try { callPartitioner(() => 7, record, 2, cluster); } catch { refused = true; }
 * if (!refused) throw new Error();
 * ```
 */
export function callPartitioner(
  partitioner: Partitioner,
  record: SerializedRecord,
  partitionCount: number,
  cluster: PartitionerClusterView,
): number {
  const partition = callUserCode(partitioner, undefined, record, partitionCount, cluster);
  if (partition instanceof UserCodeFailure) {
    throw new RecordError(
      `Cannot send record to "${record.topic}": the custom partitioner threw ${partition.description}`,
      "SERIALIZATION",
      { cause: partition.thrown },
    );
  }
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
    handleIfThenable(partition, () => {}); // an async partitioner: no unhandled rejection
    throw new RecordError(
      `Cannot send record: the custom partitioner returned ${
        describeThrown(partition)
      } for "${record.topic}", which has ${partitionCount} partitions: it must return an integer from 0 to ${
        partitionCount - 1
      }, synchronously`,
      "SERIALIZATION",
    );
  }
  return partition;
}
