import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** One topic asked for in a Metadata request. */
export interface MetadataRequestTopic {
  /** The topic's name; null (v10+) when asking by `topicId`. */
  name: string | null;
  /**
   * v10+: the topic id (16 bytes) when asking by id.
   * @default the zero UUID
   */
  topicId?: Uint8Array;
}

/** Metadata request. */
export interface MetadataRequest {
  /** The topics to describe; null asks for every topic, [] for none (brokers only). */
  topics: MetadataRequestTopic[] | null;
  /**
   * v4+: let the broker auto-create the topics (if it is configured to).
   * @default true
   */
  allowAutoTopicCreation?: boolean;
  /**
   * v8–v10: include `clusterAuthorizedOperations`.
   * @default false
   */
  includeClusterAuthorizedOperations?: boolean;
  /**
   * v8+: include each topic's `topicAuthorizedOperations`.
   * @default false
   */
  includeTopicAuthorizedOperations?: boolean;
}

/** A broker in a Metadata response. */
export interface MetadataBroker {
  /** The broker id. */
  nodeId: number;
  /** Its host name. */
  host: string;
  /** Its port. */
  port: number;
  /** Its rack, or null. */
  rack: string | null;
}

/** A partition in a Metadata response. */
export interface MetadataPartition {
  /** 0, or e.g. LEADER_NOT_AVAILABLE (5). */
  errorCode: number;
  /** The partition number. */
  partitionIndex: number;
  /** The leader's broker id, -1 when there is none. */
  leaderId: number;
  /** v7+, else -1. */
  leaderEpoch: number;
  /** Every replica's broker id. */
  replicaNodes: number[];
  /** The in-sync replicas. */
  isrNodes: number[];
  /** v5+, else []. */
  offlineReplicas: number[];
}

/** A topic in a Metadata response. */
export interface MetadataTopic {
  /** 0, or e.g. UNKNOWN_TOPIC_OR_PARTITION (3). */
  errorCode: number;
  /** The name; null only in v12+ for an unknown topic asked for by id. */
  name: string | null;
  /** v10+ (16 bytes), else null. */
  topicId: Uint8Array | null;
  /** True for internal topics such as __consumer_offsets. */
  isInternal: boolean;
  /** The partitions. */
  partitions: MetadataPartition[];
  /** v8+, else -2147483648 (not requested). */
  topicAuthorizedOperations: number;
}

/** Metadata response. */
export interface MetadataResponse {
  /** v3+, else 0. */
  throttleTimeMs: number;
  /** The brokers. */
  brokers: MetadataBroker[];
  /** v2+, else null. */
  clusterId: string | null;
  /** The controller's broker id, -1 when unknown. */
  controllerId: number;
  /** The topics. */
  topics: MetadataTopic[];
  /** v8–v10, else -2147483648 (not requested). */
  clusterAuthorizedOperations: number;
  /**
   * v13+: a top-level error, e.g. REBOOTSTRAP_REQUIRED (129, KIP-1102: the client's metadata
   * is stale, bootstrap again); 0 before v13.
   */
  errorCode: number;
}

const ZERO_UUID = new Uint8Array(16);
const NO_OPERATIONS = -2147483648;

/*
 * Metadata Request (Version: 1-13) =>
 *     [topics] (nullable; compact v9+)
 *         topic_id:UUID (v10+)
 *         name:STRING (nullable v10+; compact v9+)
 *         TAG_BUFFER (v9+)
 *     allow_auto_topic_creation:BOOLEAN (v4+)
 *     include_cluster_authorized_operations:BOOLEAN (v8-v10)
 *     include_topic_authorized_operations:BOOLEAN (v8+)
 *     TAG_BUFFER (v9+)
 */
function encodeRequest(writer: Writer, version: number, request: MetadataRequest): void {
  const flexible = version >= 9;
  const topics = request.topics;
  writer.arrayLength(topics === null ? null : topics.length, flexible);
  if (topics !== null) {
    for (let i = 0; i < topics.length; i++) {
      const topic = topics[i]!;
      if (version >= 10) { // v10+
        writer.uuid(topic.topicId ?? ZERO_UUID);
        writer.nullableStringOf(topic.name, flexible);
      } else {
        if (topic.name === null) {
          throw new TypeError(
            `Cannot encode Metadata v${version} topic without a name: topic ids need v10+`,
          );
        }
        writer.stringOf(topic.name, flexible);
      }
      if (flexible) writer.emptyTaggedFields(); // v9+
    }
  }
  if (version >= 4) writer.boolean(request.allowAutoTopicCreation ?? true); // v4+
  if (version >= 8 && version <= 10) { // v8-v10
    writer.boolean(request.includeClusterAuthorizedOperations ?? false);
  }
  if (version >= 8) writer.boolean(request.includeTopicAuthorizedOperations ?? false); // v8+
  if (flexible) writer.emptyTaggedFields(); // v9+
}

/*
 * Metadata Response (Version: 1-13) =>
 *     throttle_time_ms:INT32 (v3+)
 *     [brokers] (compact v9+)
 *         node_id:INT32 host:STRING port:INT32 rack:NULLABLE_STRING TAG_BUFFER (v9+)
 *     cluster_id:NULLABLE_STRING (v2+)
 *     controller_id:INT32
 *     [topics] (compact v9+)
 *         error_code:INT16
 *         name:STRING (nullable v12+)
 *         topic_id:UUID (v10+)
 *         is_internal:BOOLEAN
 *         [partitions] (compact v9+)
 *             error_code:INT16 partition_index:INT32 leader_id:INT32
 *             leader_epoch:INT32 (v7+)
 *             [replica_nodes:INT32] [isr_nodes:INT32]
 *             [offline_replicas:INT32] (v5+)
 *             TAG_BUFFER (v9+)
 *         topic_authorized_operations:INT32 (v8+)
 *         TAG_BUFFER (v9+)
 *     cluster_authorized_operations:INT32 (v8-v10)
 *     error_code:INT16 (v13+)
 *     TAG_BUFFER (v9+)
 * Strings are compact from v9. Null arrays in the response read as empty. The request of v13
 * is v12's; topic ids come with every topic from v10 (the zero UUID when the broker has none).
 */
function decodeResponse(reader: Reader, version: number): MetadataResponse {
  const flexible = version >= 9;
  const throttleTimeMs = version >= 3 ? reader.int32() : 0; // v3+
  // Minimum element sizes bound the counts before any loop: a broker is at least
  // node_id + host + port + rack (+ tags).
  const brokerCount = reader.arrayLength(flexible, flexible ? 11 : 12);
  const brokers: MetadataBroker[] = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = reader.int32();
    const host = reader.stringOf(flexible);
    const port = reader.int32();
    const rack = reader.nullableStringOf(flexible);
    if (flexible) reader.readTaggedFields(); // v9+
    brokers.push({ nodeId, host, port, rack });
  }
  const clusterId = version >= 2 ? reader.nullableStringOf(flexible) : null; // v2+
  const controllerId = reader.int32();
  const topicCount = reader.arrayLength(flexible, flexible ? 5 : 9);
  const topics: MetadataTopic[] = [];
  for (let i = 0; i < topicCount; i++) {
    const errorCode = reader.int16();
    const name = version >= 12 ? reader.nullableStringOf(flexible) : reader.stringOf(flexible);
    const topicId = version >= 10 ? reader.uuid() : null; // v10+
    const isInternal = reader.boolean();
    const partitionCount = reader.arrayLength(flexible, flexible ? 14 : 18);
    const partitions: MetadataPartition[] = [];
    for (let j = 0; j < partitionCount; j++) {
      const partitionError = reader.int16();
      const partitionIndex = reader.int32();
      const leaderId = reader.int32();
      const leaderEpoch = version >= 7 ? reader.int32() : -1; // v7+
      const replicaNodes = reader.int32Array(flexible);
      const isrNodes = reader.int32Array(flexible);
      const offlineReplicas = version >= 5 ? reader.int32Array(flexible) : []; // v5+
      if (flexible) reader.readTaggedFields(); // v9+
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
    const topicAuthorizedOperations = version >= 8 ? reader.int32() : NO_OPERATIONS; // v8+
    if (flexible) reader.readTaggedFields(); // v9+
    topics.push({ errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations });
  }
  const clusterAuthorizedOperations = version >= 8 && version <= 10 // v8-v10
    ? reader.int32()
    : NO_OPERATIONS;
  const errorCode = version >= 13 ? reader.int16() : 0; // v13+
  if (flexible) reader.readTaggedFields(); // v9+
  return {
    throttleTimeMs,
    brokers,
    clusterId,
    controllerId,
    topics,
    clusterAuthorizedOperations,
    errorCode,
  };
}

/**
 * Metadata v1–v13: brokers, topics (with their ids from v10), partitions and their leaders.
 * Flexible from v9; v13 adds a top-level error code (REBOOTSTRAP_REQUIRED).
 *
 * @example Encode a v1 request for one topic
 * ```ts
 * import { MetadataApi } from "./metadata.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * MetadataApi.encodeRequest(writer, 1, { topics: [{ name: "t" }] });
 * // [1 topic] "t"
 * if (writer.toBytes().join(",") !== "0,0,0,1,0,1,116") throw new Error();
 * ```
 */
export const MetadataApi: ApiDescriptor<MetadataRequest, MetadataResponse> = {
  apiKey: ApiKey.Metadata,
  name: "Metadata",
  minVersion: 1,
  maxVersion: 13,
  flexibleFrom: 9,
  encodeRequest,
  decodeResponse,
};
