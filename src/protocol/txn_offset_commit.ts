import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import { isZeroUuid } from "./uuid.ts";
import type { Writer } from "./writer.ts";

/** One partition's offset to commit. */
export interface TxnOffsetCommitPartition {
  /** The partition number. */
  partitionIndex: number;
  /** The offset to commit: the next record the group will read. */
  committedOffset: bigint;
  /**
   * v2+: the leader epoch of the last record consumed, or -1; dropped before v2.
   * @default -1
   */
  committedLeaderEpoch?: number;
  /** Metadata to store with the offset, or null. */
  committedMetadata: string | null;
}

/** One topic's offsets. */
export interface TxnOffsetCommitTopic {
  /** The topic name (sent up to v5). */
  name: string;
  /** v6+: the topic id (16 bytes), sent instead of the name; required for v6. */
  topicId?: Uint8Array;
  /** Its partitions. */
  partitions: TxnOffsetCommitPartition[];
}

/** TxnOffsetCommit request. */
export interface TxnOffsetCommitRequest {
  /** The transactional id. */
  transactionalId: string;
  /** The consumer group. */
  groupId: string;
  /** The producer id. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
  /**
   * v3+: the group's generation (classic protocol) or the member epoch (KIP-848 consumer
   * protocol), from the consumer's group metadata; -1 when unknown.
   * @default -1
   */
  generationIdOrMemberEpoch?: number;
  /**
   * v3+: the member id the group coordinator assigned, "" when unknown.
   * @default ""
   */
  memberId?: string;
  /**
   * v3+: the consumer's `group.instance.id` (static membership), or null.
   * @default null
   */
  groupInstanceId?: string | null;
  /** The offsets. */
  topics: TxnOffsetCommitTopic[];
}

/** One partition's answer. */
export interface TxnOffsetCommitPartitionResponse {
  /** The partition number. */
  partitionIndex: number;
  /** 0, or e.g. 22 (ILLEGAL_GENERATION), 25 (UNKNOWN_MEMBER_ID), 82 (FENCED_INSTANCE_ID). */
  errorCode: number;
}

/** One topic's answers. */
export interface TxnOffsetCommitTopicResponse {
  /** The topic name up to v5; null from v6. */
  name: string | null;
  /** v6+: the topic id (16 bytes); null before. */
  topicId: Uint8Array | null;
  /** Its partitions. */
  partitions: TxnOffsetCommitPartitionResponse[];
}

/** TxnOffsetCommit response. */
export interface TxnOffsetCommitResponse {
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** Per topic and partition. */
  topics: TxnOffsetCommitTopicResponse[];
}

/*
 * TxnOffsetCommit Request (Version: 0-6) =>
 *     transactional_id:STRING group_id:STRING producer_id:INT64 producer_epoch:INT16
 *     generation_id_or_member_epoch:INT32 (v3+)
 *     member_id:STRING (v3+)
 *     group_instance_id:NULLABLE_STRING (v3+)
 *     [topics]
 *         name:STRING (v0-v5)
 *         topic_id:UUID (v6+)
 *         [partitions]
 *             partition_index:INT32 committed_offset:INT64
 *             committed_leader_epoch:INT32 (v2+)
 *             committed_metadata:NULLABLE_STRING
 *             TAG_BUFFER (v3+)
 *         TAG_BUFFER (v3+)
 *     TAG_BUFFER (v3+)
 * Strings and arrays are compact from v3. v4 may answer TRANSACTION_ABORTABLE; v5 (KIP-890)
 * also does AddOffsetsToTxn's work under transactions v2, so with transactions v1 a producer
 * must stay <= v4; v6 (KIP-1319) names topics by id.
 */
function encodeRequest(writer: Writer, version: number, request: TxnOffsetCommitRequest): void {
  const flexible = version >= 3;
  const generation = request.generationIdOrMemberEpoch ?? -1;
  const memberId = request.memberId ?? "";
  const groupInstanceId = request.groupInstanceId ?? null;
  writer.stringOf(request.transactionalId, flexible).stringOf(request.groupId, flexible);
  writer.int64(request.producerId).int16(request.producerEpoch);
  if (version >= 3) { // v3+
    writer.int32(generation).stringOf(memberId, true).nullableStringOf(groupInstanceId, true);
  } else if (generation !== -1 || memberId !== "" || groupInstanceId !== null) {
    // As Java's client: without them the group coordinator cannot fence a zombie member.
    throw new RangeError(
      `Cannot encode TxnOffsetCommit v${version} with group metadata ` +
        "(generationIdOrMemberEpoch, memberId, groupInstanceId): it needs v3+",
    );
  }
  const topics = request.topics;
  writer.arrayLength(topics.length, flexible);
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i]!;
    if (version >= 6) { // v6+
      if (topic.topicId === undefined || isZeroUuid(topic.topicId)) {
        throw new TypeError(
          `Cannot encode TxnOffsetCommit v${version} for topic "${topic.name}" without its ` +
            "topicId: v6+ names topics by id (take it from Metadata v10+) or use v5",
        );
      }
      writer.uuid(topic.topicId);
    } else {
      writer.stringOf(topic.name, flexible);
    }
    const partitions = topic.partitions;
    writer.arrayLength(partitions.length, flexible);
    for (let j = 0; j < partitions.length; j++) {
      const partition = partitions[j]!;
      writer.int32(partition.partitionIndex).int64(partition.committedOffset);
      if (version >= 2) writer.int32(partition.committedLeaderEpoch ?? -1); // v2+
      writer.nullableStringOf(partition.committedMetadata, flexible);
      if (flexible) writer.emptyTaggedFields(); // v3+
    }
    if (flexible) writer.emptyTaggedFields(); // v3+
  }
  if (flexible) writer.emptyTaggedFields(); // v3+
}

/*
 * TxnOffsetCommit Response (Version: 0-6) =>
 *     throttle_time_ms:INT32
 *     [topics]
 *         name:STRING (v0-v5)
 *         topic_id:UUID (v6+)
 *         [partitions]
 *             partition_index:INT32 error_code:INT16 TAG_BUFFER (v3+)
 *         TAG_BUFFER (v3+)
 *     TAG_BUFFER (v3+)
 * Strings and arrays are compact from v3.
 */
function decodeResponse(reader: Reader, version: number): TxnOffsetCommitResponse {
  const flexible = version >= 3;
  const throttleTimeMs = reader.int32();
  const topicCount = reader.arrayLength(flexible, flexible ? 3 : 6);
  const topics: TxnOffsetCommitTopicResponse[] = [];
  for (let i = 0; i < topicCount; i++) {
    const byId = version >= 6; // v6+
    const name = byId ? null : reader.stringOf(flexible);
    const topicId = byId ? reader.uuid() : null;
    const partitionCount = reader.arrayLength(flexible, flexible ? 7 : 6);
    const partitions: TxnOffsetCommitPartitionResponse[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const partitionIndex = reader.int32();
      const errorCode = reader.int16();
      if (flexible) reader.readTaggedFields(); // v3+
      partitions.push({ partitionIndex, errorCode });
    }
    if (flexible) reader.readTaggedFields(); // v3+
    topics.push({ name, topicId, partitions });
  }
  if (flexible) reader.readTaggedFields(); // v3+
  return { throttleTimeMs, topics };
}

/**
 * TxnOffsetCommit v0–v6: stores a consumer group's offsets in the open transaction, sent to
 * the group coordinator; they become the group's committed offsets when the transaction
 * commits. Flexible from v3; v3 adds the group metadata that fences zombie consumers; v5
 * also adds the group to the transaction (transactions v2), so on transactions v1 the caller
 * caps the version at 4 (after AddOffsetsToTxn); v6 (KIP-1319, in Kafka 4.4's schema) names
 * topics by `topicId`, so a caller without topic ids caps it at 5.
 *
 * @example Commit offset 42 of "t"-0 with v3
 * ```ts
 * import { TxnOffsetCommitApi } from "./txn_offset_commit.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * TxnOffsetCommitApi.encodeRequest(writer, 3, {
 *   transactionalId: "tx",
 *   groupId: "g",
 *   producerId: 5n,
 *   producerEpoch: 1,
 *   topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: null }] }],
 * });
 * // "tx" "g" id epoch | generation -1, member "", instance null | [1] "t" [1] 0 42 -1 null tags, tags, tags
 * if (writer.length !== 3 + 2 + 8 + 2 + 4 + 1 + 1 + 1 + 2 + 1 + 4 + 8 + 4 + 1 + 1 + 1 + 1) {
 *   throw new Error();
 * }
 * ```
 */
export const TxnOffsetCommitApi: ApiDescriptor<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = {
  apiKey: ApiKey.TxnOffsetCommit,
  name: "TxnOffsetCommit",
  minVersion: 0,
  maxVersion: 6,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};
