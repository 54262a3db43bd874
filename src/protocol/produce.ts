import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** Produce request. `records` are whole RecordBatch v2 bytes (one batch per partition). */
export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<
    { name: string; partitionData: Array<{ index: number; records: Uint8Array | null }> }
  >;
}

/** One partition's answer. */
export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  /** -1 unless the topic uses LogAppendTime (v2+). */
  logAppendTimeMs: bigint;
  /** v5+, else -1. */
  logStartOffset: bigint;
  /** v8+: the records of the batch that made it fail. */
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
  /** v8+ */
  errorMessage: string | null;
  /** v10+ (tagged): the new leader, sent with NOT_LEADER_OR_FOLLOWER. */
  currentLeader: { leaderId: number; leaderEpoch: number } | undefined;
}

/** Produce response. */
export interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;
  throttleTimeMs: number;
  /** v10+ (tagged): endpoints of the leaders named in `currentLeader`. */
  nodeEndpoints: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

/*
 * Produce Request (Version: 3-11) => transactional_id:nullable_string acks:int16
 *     timeout_ms:int32
 *     [topic_data] name:string
 *         [partition_data] index:int32 records:nullable_bytes TAG_BUFFER (v9+)
 *         TAG_BUFFER (v9+)
 *     TAG_BUFFER (v9+)                      (strings, bytes and arrays compact from v9)
 */
function encodeRequest(writer: Writer, version: number, request: ProduceRequest): void {
  const flexible = version >= 9;
  writer.nullableStringOf(request.transactionalId, flexible);
  writer.int16(request.acks).int32(request.timeoutMs);
  writer.arrayLength(request.topicData.length, flexible);
  for (const topic of request.topicData) {
    writer.stringOf(topic.name, flexible);
    writer.arrayLength(topic.partitionData.length, flexible);
    for (const partition of topic.partitionData) {
      writer.int32(partition.index);
      if (flexible) writer.compactNullableBytes(partition.records);
      else writer.nullableBytes(partition.records);
      if (flexible) writer.emptyTaggedFields();
    }
    if (flexible) writer.emptyTaggedFields();
  }
  if (flexible) writer.emptyTaggedFields();
}

/*
 * Produce Response (Version: 3-11) =>
 *     [responses] name:string
 *         [partition_responses] index:int32 error_code:int16 base_offset:int64
 *             log_append_time_ms:int64 log_start_offset:int64 (v5+)
 *             [record_errors] batch_index:int32 batch_index_error_message:nullable_string
 *                 TAG_BUFFER (v9+)   (v8+)
 *             error_message:nullable_string (v8+)
 *             TAG_BUFFER (v9+; tag 0 = current_leader: leader_id:int32 leader_epoch:int32, v10+)
 *         TAG_BUFFER (v9+)
 *     throttle_time_ms:int32
 *     TAG_BUFFER (v9+; tag 0 = [node_endpoints] node_id host port rack, v10+)
 */
function decodeResponse(reader: Reader, version: number): ProduceResponse {
  const flexible = version >= 9;
  const topicCount = reader.arrayLength(flexible, 2);
  const responses: ProduceResponse["responses"] = [];
  for (let i = 0; i < topicCount; i++) {
    const name = reader.stringOf(flexible);
    const partitionCount = reader.arrayLength(flexible, 22);
    const partitionResponses: ProducePartitionResponse[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const index = reader.int32();
      const errorCode = reader.int16();
      const baseOffset = reader.int64();
      const logAppendTimeMs = reader.int64();
      const logStartOffset = version >= 5 ? reader.int64() : -1n;
      const recordErrors: ProducePartitionResponse["recordErrors"] = [];
      let errorMessage: string | null = null;
      if (version >= 8) {
        const errorCount = reader.arrayLength(flexible, 5);
        for (let k = 0; k < errorCount; k++) {
          const batchIndex = reader.int32();
          const batchIndexErrorMessage = reader.nullableStringOf(flexible);
          if (flexible) reader.taggedFields();
          recordErrors.push({ batchIndex, batchIndexErrorMessage });
        }
        errorMessage = reader.nullableStringOf(flexible);
      }
      let currentLeader: ProducePartitionResponse["currentLeader"];
      if (flexible) {
        const tags = reader.taggedFields();
        const leader = tags.get(0);
        if (version >= 10 && leader !== undefined) {
          const leaderReader = new Reader(leader);
          currentLeader = { leaderId: leaderReader.int32(), leaderEpoch: leaderReader.int32() };
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
    if (flexible) reader.taggedFields();
    responses.push({ name, partitionResponses });
  }
  const throttleTimeMs = reader.int32();
  const nodeEndpoints: ProduceResponse["nodeEndpoints"] = [];
  if (flexible) {
    const tags = reader.taggedFields();
    const endpoints = tags.get(0);
    if (version >= 10 && endpoints !== undefined) {
      const endpointReader = new Reader(endpoints);
      const count = endpointReader.arrayLength(true, 10);
      for (let i = 0; i < count; i++) {
        const nodeId = endpointReader.int32();
        const host = endpointReader.compactString();
        const port = endpointReader.int32();
        const rack = endpointReader.compactNullableString();
        endpointReader.taggedFields();
        nodeEndpoints.push({ nodeId, host, port, rack });
      }
    }
  }
  return { responses, throttleTimeMs, nodeEndpoints };
}

/**
 * Produce v3–v11 (RecordBatch v2 only; acks=0 requests get no response).
 *
 * @example
 * ```ts
 * import { ProduceApi } from "./produce.ts";
 * if (ProduceApi.apiKey !== 0 || ProduceApi.minVersion !== 3 || ProduceApi.flexibleFrom !== 9) throw new Error();
 * ```
 */
export const ProduceApi: ApiDescriptor<ProduceRequest, ProduceResponse> = {
  apiKey: ApiKey.Produce,
  name: "Produce",
  minVersion: 3,
  maxVersion: 11,
  flexibleFrom: 9,
  encodeRequest,
  decodeResponse,
};
