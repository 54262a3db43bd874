import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** Metadata request. `topics: null` asks for every topic. */
export interface MetadataRequest {
  topics: Array<{ name: string | null; topicId?: Uint8Array }> | null;
  /** v4+ @default true */
  allowAutoTopicCreation?: boolean;
  /** v8–v10 */
  includeClusterAuthorizedOperations?: boolean;
  /** v8+ */
  includeTopicAuthorizedOperations?: boolean;
}

/** A broker in a Metadata response. */
export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** A partition in a Metadata response. */
export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/** A topic in a Metadata response. */
export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  topicId: Uint8Array | null;
  isInternal: boolean;
  partitions: MetadataPartition[];
  topicAuthorizedOperations: number;
}

/** Metadata response. */
export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
  clusterAuthorizedOperations: number;
}

const ZERO_UUID = new Uint8Array(16);

/*
 * Metadata Request (Version: 1-12) =>
 *     [topics] (nullable v1+; compact v9+)
 *         topic_id:uuid (v10+) name:string (nullable v10+)  TAG_BUFFER (v9+)
 *     allow_auto_topic_creation:bool (v4+)
 *     include_cluster_authorized_operations:bool (v8-v10)
 *     include_topic_authorized_operations:bool (v8+)
 *     TAG_BUFFER (v9+)
 */
function encodeRequest(writer: Writer, version: number, request: MetadataRequest): void {
  const flexible = version >= 9;
  const topics = request.topics;
  writer.arrayLength(topics === null ? null : topics.length, flexible);
  for (const topic of topics ?? []) {
    if (version >= 10) writer.uuid(topic.topicId ?? ZERO_UUID); // v10+
    if (version >= 10) writer.nullableStringOf(topic.name, flexible);
    else writer.stringOf(topic.name ?? "", flexible);
    if (flexible) writer.emptyTaggedFields();
  }
  if (version >= 4) writer.boolean(request.allowAutoTopicCreation ?? true); // v4+
  if (version >= 8 && version <= 10) {
    writer.boolean(request.includeClusterAuthorizedOperations ?? false); // v8-10
  }
  if (version >= 8) writer.boolean(request.includeTopicAuthorizedOperations ?? false); // v8+
  if (flexible) writer.emptyTaggedFields();
}

/*
 * Metadata Response (Version: 1-12) =>
 *     throttle_time_ms:int32 (v3+)
 *     [brokers] node_id:int32 host:string port:int32 rack:nullable_string TAG_BUFFER (v9+)
 *     cluster_id:nullable_string (v2+)
 *     controller_id:int32
 *     [topics] error_code:int16 name:string (nullable v12+) topic_id:uuid (v10+)
 *              is_internal:bool
 *              [partitions] error_code:int16 partition_index:int32 leader_id:int32
 *                           leader_epoch:int32 (v7+) [replica_nodes:int32] [isr_nodes:int32]
 *                           [offline_replicas:int32] (v5+) TAG_BUFFER (v9+)
 *              topic_authorized_operations:int32 (v8+) TAG_BUFFER (v9+)
 *     cluster_authorized_operations:int32 (v8-v10)
 *     TAG_BUFFER (v9+)
 */
function decodeResponse(reader: Reader, version: number): MetadataResponse {
  const flexible = version >= 9;
  const throttleTimeMs = version >= 3 ? reader.int32() : 0;
  const brokerCount = reader.arrayLength(flexible, 10);
  const brokers: MetadataBroker[] = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = reader.int32();
    const host = reader.stringOf(flexible);
    const port = reader.int32();
    const rack = reader.nullableStringOf(flexible);
    if (flexible) reader.taggedFields();
    brokers.push({ nodeId, host, port, rack });
  }
  const clusterId = version >= 2 ? reader.nullableStringOf(flexible) : null;
  const controllerId = reader.int32();
  const topicCount = reader.arrayLength(flexible, 4);
  const topics: MetadataTopic[] = [];
  for (let i = 0; i < topicCount; i++) {
    const errorCode = reader.int16();
    const name = version >= 12 ? reader.nullableStringOf(flexible) : reader.stringOf(flexible);
    const topicId = version >= 10 ? reader.uuid() : null;
    const isInternal = reader.boolean();
    const partitionCount = reader.arrayLength(flexible, 14);
    const partitions: MetadataPartition[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const partitionError = reader.int16();
      const partitionIndex = reader.int32();
      const leaderId = reader.int32();
      const leaderEpoch = version >= 7 ? reader.int32() : -1;
      const replicaNodes = reader.int32Array(flexible);
      const isrNodes = reader.int32Array(flexible);
      const offlineReplicas = version >= 5 ? reader.int32Array(flexible) : [];
      if (flexible) reader.taggedFields();
      partitions.push({
        errorCode: partitionError,
        partitionIndex,
        leaderId,
        leaderEpoch,
        replicaNodes,
        isrNodes,
        offlineReplicas,
      });
    }
    const topicAuthorizedOperations = version >= 8 ? reader.int32() : -2147483648;
    if (flexible) reader.taggedFields();
    topics.push({ errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations });
  }
  const clusterAuthorizedOperations = version >= 8 && version <= 10 ? reader.int32() : -2147483648;
  if (flexible) reader.taggedFields();
  return { throttleTimeMs, brokers, clusterId, controllerId, topics, clusterAuthorizedOperations };
}

/**
 * Metadata v1–v12: brokers, topics, partitions and their leaders.
 *
 * @example
 * ```ts
 * import { MetadataApi } from "./metadata.ts";
 * if (MetadataApi.apiKey !== 3 || MetadataApi.maxVersion !== 12) throw new Error();
 * ```
 */
export const MetadataApi: ApiDescriptor<MetadataRequest, MetadataResponse> = {
  apiKey: ApiKey.Metadata,
  name: "Metadata",
  minVersion: 1,
  maxVersion: 12,
  flexibleFrom: 9,
  encodeRequest,
  decodeResponse,
};
