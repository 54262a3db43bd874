import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import { Reader } from "./reader.ts";
import { isZeroUuid } from "./uuid.ts";
import type { Writer } from "./writer.ts";

/** One partition's records in a Produce request. */
export interface ProducePartitionData {
  /** The partition number. */
  index: number;
  /** Complete RecordBatch v2 bytes (written once, with `Writer.raw`), or null. */
  records: Uint8Array | null;
}

/** One topic's partitions in a Produce request. */
export interface ProduceTopicData {
  /** The topic name (sent up to v12). */
  name: string;
  /**
   * v13+: the topic id (16 bytes, from Metadata v10+), sent instead of the name; required
   * for v13, ignored before.
   */
  topicId?: Uint8Array;
  /** Its partitions. */
  partitionData: ProducePartitionData[];
}

/** Produce request. */
export interface ProduceRequest {
  /** The transactional id, or null for a non-transactional producer. */
  transactionalId: string | null;
  /** 0 (no response is sent), 1 (leader) or -1 (all in-sync replicas). */
  acks: number;
  /** How long the broker may wait for replication, in ms. */
  timeoutMs: number;
  /** The topics. */
  topicData: ProduceTopicData[];
}

/** A batch-level record error (v8+). */
export interface ProduceRecordError {
  /** The index of the failed record within the batch. */
  batchIndex: number;
  /** Why, or null. */
  batchIndexErrorMessage: string | null;
}

/** One partition's answer. */
export interface ProducePartitionResponse {
  /** The partition number. */
  index: number;
  /** 0, or the error. */
  errorCode: number;
  /** The offset of the batch's first record, -1 on error. */
  baseOffset: bigint;
  /** The broker's append time when the topic uses LogAppendTime, else -1. */
  logAppendTimeMs: bigint;
  /** v5+, else -1. */
  logStartOffset: bigint;
  /** v8+: the records of the batch that made it fail, else []. */
  recordErrors: ProduceRecordError[];
  /** v8+: a summary of the failure, else null. */
  errorMessage: string | null;
  /** v10+ (tagged field 0): the new leader, sent with NOT_LEADER_OR_FOLLOWER; else undefined. */
  currentLeader: { leaderId: number; leaderEpoch: number } | undefined;
}

/** One topic's answers. */
export interface ProduceTopicResponse {
  /** The topic name up to v12; null from v13 (the topic is named by `topicId`). */
  name: string | null;
  /**
   * v13+: the topic id (16 bytes); absent before (optional so that code building responses
   * for older versions, e.g. test fakes, need not mention it).
   */
  topicId?: Uint8Array;
  /** Its partitions. */
  partitionResponses: ProducePartitionResponse[];
}

/** A broker endpoint named in a Produce response (v10+). */
export interface ProduceNodeEndpoint {
  /** The broker id. */
  nodeId: number;
  /** Its host. */
  host: string;
  /** Its port. */
  port: number;
  /** Its rack, or null. */
  rack: string | null;
}

/** Produce response. */
export interface ProduceResponse {
  /** The topics. */
  responses: ProduceTopicResponse[];
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** v10+ (tagged field 0): endpoints of the leaders named in `currentLeader`, else []. */
  nodeEndpoints: ProduceNodeEndpoint[];
}

/*
 * Produce Request (Version: 3-13) =>
 *     transactional_id:NULLABLE_STRING
 *     acks:INT16
 *     timeout_ms:INT32
 *     [topic_data]
 *         name:STRING (v0-v12)
 *         topic_id:UUID (v13+)
 *         [partition_data]
 *             index:INT32
 *             records:RECORDS (NULLABLE_BYTES)
 *             TAG_BUFFER (v9+)
 *         TAG_BUFFER (v9+)
 *     TAG_BUFFER (v9+)
 * Strings, bytes and arrays are compact from v9. v3-v8 and v9-v12 are byte-identical among
 * themselves: later versions change broker behaviour and the response. v11 may answer
 * TRANSACTION_ABORTABLE; v12 (KIP-890 part 2) lets a transactional Produce add its partitions
 * to the transaction, so with transactions v1 a producer in a transaction must stay <= v11;
 * v13 (KIP-516) names topics by id and may answer UNKNOWN_TOPIC_ID.
 */
function encodeRequest(writer: Writer, version: number, request: ProduceRequest): void {
  const flexible = version >= 9;
  writer.nullableStringOf(request.transactionalId, flexible);
  writer.int16(request.acks).int32(request.timeoutMs);
  const topics = request.topicData;
  writer.arrayLength(topics.length, flexible);
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i]!;
    if (version >= 13) { // v13+
      if (topic.topicId === undefined || isZeroUuid(topic.topicId)) {
        throw new TypeError(
          `Cannot encode Produce v${version} for topic "${topic.name}" without its topicId: ` +
            "v13+ names topics by id (take it from Metadata v10+) or use v12",
        );
      }
      writer.uuid(topic.topicId);
    } else {
      writer.stringOf(topic.name, flexible);
    }
    const partitions = topic.partitionData;
    writer.arrayLength(partitions.length, flexible);
    for (let j = 0; j < partitions.length; j++) {
      const partition = partitions[j]!;
      writer.int32(partition.index);
      if (flexible) writer.compactNullableBytes(partition.records).emptyTaggedFields(); // v9+
      else writer.nullableBytes(partition.records);
    }
    if (flexible) writer.emptyTaggedFields(); // v9+
  }
  if (flexible) writer.emptyTaggedFields(); // v9+
}

/**
 * An upper bound of the body `encodeRequest` writes for any version: strings at 3 bytes per
 * UTF-16 unit, every length prefix at its largest (5 bytes), one tag byte per structure; a
 * topic with an id takes the larger of its name and its 16-byte id (v13).
 */
function bodySizeBound(request: ProduceRequest): number {
  let size = 5 + 3 * (request.transactionalId?.length ?? 0) + 2 + 4 + 5 + 1;
  const topics = request.topicData;
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i]!;
    const nameBound = 5 + 3 * topic.name.length;
    size += (topic.topicId === undefined ? nameBound : Math.max(nameBound, 16)) + 5 + 1;
    const partitions = topic.partitionData;
    for (let j = 0; j < partitions.length; j++) {
      size += 4 + 5 + (partitions[j]!.records?.length ?? 0) + 1;
    }
  }
  return size;
}

/*
 * Produce Response (Version: 3-13) =>
 *     [responses]
 *         name:STRING (v0-v12)
 *         topic_id:UUID (v13+)
 *         [partition_responses]
 *             index:INT32 error_code:INT16 base_offset:INT64 log_append_time_ms:INT64
 *             log_start_offset:INT64 (v5+)
 *             [record_errors] (v8+)
 *                 batch_index:INT32 batch_index_error_message:NULLABLE_STRING TAG_BUFFER (v9+)
 *             error_message:NULLABLE_STRING (v8+)
 *             TAG_BUFFER (v9+; tag 0 (v10+) current_leader =>
 *                 leader_id:INT32 leader_epoch:INT32 TAG_BUFFER)
 *         TAG_BUFFER (v9+)
 *     throttle_time_ms:INT32
 *     TAG_BUFFER (v9+; tag 0 (v10+) [node_endpoints] =>
 *         node_id:INT32 host:COMPACT_STRING port:INT32 rack:COMPACT_NULLABLE_STRING TAG_BUFFER)
 * Strings and arrays are compact from v9. v12 is v11's layout; v13 has topic ids for names.
 */
function decodeResponse(reader: Reader, version: number): ProduceResponse {
  const flexible = version >= 9;
  const topicCount = reader.arrayLength(flexible, flexible ? 3 : 6);
  const responses: ProduceTopicResponse[] = [];
  for (let i = 0; i < topicCount; i++) {
    let name: string | null = null;
    let topicId: Uint8Array | undefined;
    if (version >= 13) topicId = reader.uuid(); // v13+
    else name = reader.stringOf(flexible);
    const partitionCount = reader.arrayLength(flexible, 22);
    const partitionResponses: ProducePartitionResponse[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const index = reader.int32();
      const errorCode = reader.int16();
      const baseOffset = reader.int64();
      const logAppendTimeMs = reader.int64();
      const logStartOffset = version >= 5 ? reader.int64() : -1n; // v5+
      const recordErrors: ProduceRecordError[] = [];
      let errorMessage: string | null = null;
      if (version >= 8) { // v8+
        const errorCount = reader.arrayLength(flexible, 6);
        for (let k = 0; k < errorCount; k++) {
          const batchIndex = reader.int32();
          const batchIndexErrorMessage = reader.nullableStringOf(flexible);
          if (flexible) reader.readTaggedFields(); // v9+
          recordErrors.push({ batchIndex, batchIndexErrorMessage });
        }
        errorMessage = reader.nullableStringOf(flexible);
      }
      let currentLeader: ProducePartitionResponse["currentLeader"];
      if (flexible) { // v9+
        const leader = reader.readTaggedFields().get(0);
        if (version >= 10 && leader !== undefined) { // v10+
          const leaderReader = new Reader(leader);
          currentLeader = { leaderId: leaderReader.int32(), leaderEpoch: leaderReader.int32() };
          leaderReader.readTaggedFields();
        }
      }
      partitionResponses.push({
        index,
        errorCode,
        baseOffset,
        logAppendTimeMs,
        logStartOffset,
        recordErrors,
        errorMessage,
        currentLeader,
      });
    }
    if (flexible) reader.readTaggedFields(); // v9+
    responses.push(
      topicId === undefined ? { name, partitionResponses } : { name, topicId, partitionResponses },
    );
  }
  const throttleTimeMs = reader.int32();
  const nodeEndpoints: ProduceNodeEndpoint[] = [];
  if (flexible) { // v9+
    const endpoints = reader.readTaggedFields().get(0);
    if (version >= 10 && endpoints !== undefined) { // v10+
      const endpointReader = new Reader(endpoints);
      const count = endpointReader.arrayLength(true, 11);
      for (let i = 0; i < count; i++) {
        const nodeId = endpointReader.int32();
        const host = endpointReader.compactString();
        const port = endpointReader.int32();
        const rack = endpointReader.compactNullableString();
        endpointReader.readTaggedFields();
        nodeEndpoints.push({ nodeId, host, port, rack });
      }
    }
  }
  return { responses, throttleTimeMs, nodeEndpoints };
}

/**
 * Produce v3–v13 (RecordBatch v2 only; with acks=0 the broker sends no response). v13 (Kafka
 * 4.1+) names topics by `topicId` in the request and the response; a caller that has no topic
 * ids must cap the version at 12. A transactional producer on transactions v1 must cap it at
 * 11 (v12 implies KIP-890's implicit AddPartitionsToTxn).
 *
 * @example Encode a v3 request with one batch
 * ```ts
 * import { ProduceApi } from "./produce.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * ProduceApi.encodeRequest(writer, 3, {
 *   transactionalId: null,
 *   acks: -1,
 *   timeoutMs: 30000,
 *   topicData: [{ name: "t", partitionData: [{ index: 0, records: new Uint8Array([1, 2]) }] }],
 * });
 * // null txn id (2) acks (2) timeout (4) [1] "t" (3+4) [1] index (4+4) records (4+2)
 * if (writer.length !== 2 + 2 + 4 + 4 + 3 + 4 + 4 + 4 + 2) throw new Error();
 * ```
 */
export const ProduceApi: ApiDescriptor<ProduceRequest, ProduceResponse> = {
  apiKey: ApiKey.Produce,
  name: "Produce",
  minVersion: 3,
  maxVersion: 13,
  flexibleFrom: 9,
  encodeRequest,
  decodeResponse,
  bodySizeBound,
};
