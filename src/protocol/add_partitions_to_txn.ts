import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** One topic's partitions to add to a transaction. */
export interface AddPartitionsToTxnTopic {
  /** The topic name. */
  name: string;
  /** The partition numbers. */
  partitions: number[];
}

/** AddPartitionsToTxn request (the client form, v0–v3). */
export interface AddPartitionsToTxnRequest {
  /** The transactional id. */
  transactionalId: string;
  /** The producer id from InitProducerId. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
  /** The partitions to add. */
  topics: AddPartitionsToTxnTopic[];
}

/** One partition's answer. */
export interface AddPartitionsToTxnPartitionResult {
  /** The partition number. */
  partitionIndex: number;
  /**
   * 0, or e.g. 51 (CONCURRENT_TRANSACTIONS), 90 (PRODUCER_FENCED), 48 (INVALID_TXN_STATE), 55
   * (OPERATION_NOT_ATTEMPTED: another partition of the request failed).
   */
  partitionErrorCode: number;
}

/** One topic's answers. */
export interface AddPartitionsToTxnTopicResult {
  /** The topic name. */
  name: string;
  /** Its partitions. */
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}

/** AddPartitionsToTxn response (the client form, v0–v3). */
export interface AddPartitionsToTxnResponse {
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** Per topic and partition. */
  resultsByTopic: AddPartitionsToTxnTopicResult[];
}

/*
 * AddPartitionsToTxn Request (Version: 0-3, the client form) =>
 *     v3_and_below_transactional_id:STRING
 *     v3_and_below_producer_id:INT64
 *     v3_and_below_producer_epoch:INT16
 *     [v3_and_below_topics]
 *         name:STRING
 *         [partitions:INT32]
 *         TAG_BUFFER (v3+)
 *     TAG_BUFFER (v3+)
 * Strings and arrays are compact from v3. v2 may answer PRODUCER_FENCED.
 *
 * AddPartitionsToTxn Request (Version: 4-5, the broker form, not implemented) =>
 *     [transactions] transactional_id producer_id producer_epoch verify_only:BOOLEAN
 *         [topics] name [partitions:INT32]
 * is what a partition leader sends to the transaction coordinator to verify (KIP-890 part 1)
 * or add partitions for many transactions at once; the response gains a top-level
 * error_code and results_by_transaction. Brokers require CLUSTER_ACTION for it, so clients
 * stay on v0-v3: Java's AddPartitionsToTxnRequest.Builder.forClient caps the version at 3
 * (LAST_CLIENT_VERSION). With transactions v2, a producer adds partitions through Produce v12+
 * instead and does not send this request at all.
 */
function encodeRequest(
  writer: Writer,
  version: number,
  request: AddPartitionsToTxnRequest,
): void {
  const flexible = version >= 3;
  writer.stringOf(request.transactionalId, flexible);
  writer.int64(request.producerId).int16(request.producerEpoch);
  const topics = request.topics;
  writer.arrayLength(topics.length, flexible);
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i]!;
    writer.stringOf(topic.name, flexible);
    const partitions = topic.partitions;
    writer.arrayLength(partitions.length, flexible);
    for (let j = 0; j < partitions.length; j++) writer.int32(partitions[j]!);
    if (flexible) writer.emptyTaggedFields(); // v3+
  }
  if (flexible) writer.emptyTaggedFields(); // v3+
}

/*
 * AddPartitionsToTxn Response (Version: 0-3, the client form) =>
 *     throttle_time_ms:INT32
 *     [results_by_topic_v3_and_below]
 *         name:STRING
 *         [results_by_partition]
 *             partition_index:INT32 partition_error_code:INT16 TAG_BUFFER (v3+)
 *         TAG_BUFFER (v3+)
 *     TAG_BUFFER (v3+)
 * Strings and arrays are compact from v3.
 */
function decodeResponse(reader: Reader, version: number): AddPartitionsToTxnResponse {
  const flexible = version >= 3;
  const throttleTimeMs = reader.int32();
  const topicCount = reader.arrayLength(flexible, flexible ? 3 : 6);
  const resultsByTopic: AddPartitionsToTxnTopicResult[] = [];
  for (let i = 0; i < topicCount; i++) {
    const name = reader.stringOf(flexible);
    const partitionCount = reader.arrayLength(flexible, flexible ? 7 : 6);
    const resultsByPartition: AddPartitionsToTxnPartitionResult[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const partitionIndex = reader.int32();
      const partitionErrorCode = reader.int16();
      if (flexible) reader.readTaggedFields(); // v3+
      resultsByPartition.push({ partitionIndex, partitionErrorCode });
    }
    if (flexible) reader.readTaggedFields(); // v3+
    resultsByTopic.push({ name, resultsByPartition });
  }
  if (flexible) reader.readTaggedFields(); // v3+
  return { throttleTimeMs, resultsByTopic };
}

/**
 * AddPartitionsToTxn v0–v3, the client form: adds partitions to the open transaction before
 * the producer writes to them (transactions v1). Flexible from v3. v4+ is the broker-to-broker
 * batched form (see the grammar in the source) and is not offered to clients.
 *
 * @example Add partition 0 of "t" to a transaction
 * ```ts
 * import { AddPartitionsToTxnApi } from "./add_partitions_to_txn.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * AddPartitionsToTxnApi.encodeRequest(writer, 3, {
 *   transactionalId: "tx",
 *   producerId: 5n,
 *   producerEpoch: 1,
 *   topics: [{ name: "t", partitions: [0] }],
 * });
 * // "tx" (3) id (8) epoch (2) [1] "t" (2) [1] 0 (1 + 4) tags (1), tags (1)
 * if (writer.length !== 3 + 8 + 2 + 1 + 2 + 1 + 4 + 1 + 1) throw new Error();
 * ```
 */
export const AddPartitionsToTxnApi: ApiDescriptor<
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse
> = {
  apiKey: ApiKey.AddPartitionsToTxn,
  name: "AddPartitionsToTxn",
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};
