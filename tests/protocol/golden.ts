// Golden bytes per API version, derived by hand from the message schemas in
// shared/kafka-protocol/messages and, for versions newer than that snapshot (Produce v13,
// Metadata v13, InitProducerId v5-v6), Kafka 4.4's (each byte run is commented with its
// field). Shared by the per-API tests and the KafkaJS and Java cross-checks, which encode or
// decode the same values independently.
import type { ApiVersionsResponse } from "../../src/protocol/api_versions.ts";
import type { MetadataRequest, MetadataResponse } from "../../src/protocol/metadata.ts";
import type { ProduceRequest, ProduceResponse } from "../../src/protocol/produce.ts";
import { hex } from "./hex.ts";

// ApiVersions

export const API_VERSIONS_KEYS = [
  { apiKey: 0, minVersion: 3, maxVersion: 11 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
];

/** v0 body: error + int32 array of (key, min, max). */
export const API_VERSIONS_V0_RESPONSE = hex`
  00 00         # error_code 0
  00 00 00 02   # [api_keys] 2
  00 00 00 03 00 0b   # Produce 3..11
  00 12 00 00 00 04   # ApiVersions 0..4
`;

/** v1 and v2 add throttle_time_ms. */
export const API_VERSIONS_V1_RESPONSE = hex`
  ${API_VERSIONS_V0_RESPONSE}
  00 00 00 64         # throttle_time_ms 100 (v1+)
`;

/**
 * v3 body with every tagged field: features as a Kafka 4.x broker with transactions v2
 * reports them (SupportedFeatures omits features whose minimum is 0 at v3).
 */
export const API_VERSIONS_V3_RESPONSE = hex`
  00 00               # error_code 0
  03                  # [api_keys] compact: 2 + 1
  00 00 00 03 00 0b   #   Produce 3..11
  00                  #   TAG_BUFFER
  00 12 00 00 00 04   #   ApiVersions 0..4
  00                  #   TAG_BUFFER
  00 00 00 07         # throttle_time_ms 7
  04                  # TAG_BUFFER: 4 fields
  00 17               #   tag 0 supported_features, 23 bytes:
  02                  #     [supported_features] compact: 1 + 1
  11 6d 65 74 61 64 61 74 61 2e 76 65 72 73 69 6f 6e   # name "metadata.version" (16 + 1)
  00 07 00 1b         #       min_version 7, max_version 27
  00                  #       TAG_BUFFER
  01 08               #   tag 1 finalized_features_epoch, 8 bytes:
  00 00 00 00 00 00 00 2a   # 42
  02 30               #   tag 2 finalized_features, 48 bytes:
  03                  #     [finalized_features] compact: 2 + 1
  11 6d 65 74 61 64 61 74 61 2e 76 65 72 73 69 6f 6e   # name "metadata.version"
  00 1b 00 1b         #       max_version_level 27, min_version_level 27
  00                  #       TAG_BUFFER
  14 74 72 61 6e 73 61 63 74 69 6f 6e 2e 76 65 72 73 69 6f 6e   # "transaction.version" (19 + 1)
  00 02 00 02         #       max_version_level 2, min_version_level 2
  00                  #       TAG_BUFFER
  03 01               #   tag 3 zk_migration_ready, 1 byte:
  01                  #     true
`;

/** What API_VERSIONS_V{0,1,3}_RESPONSE decode to at version v. */
export function apiVersionsResponse(v: number): ApiVersionsResponse {
  return {
    errorCode: 0,
    apiKeys: API_VERSIONS_KEYS,
    throttleTimeMs: v >= 3 ? 7 : v >= 1 ? 100 : 0,
    supportedFeatures: v >= 3 ? [{ name: "metadata.version", minVersion: 7, maxVersion: 27 }] : [],
    finalizedFeaturesEpoch: v >= 3 ? 42n : -1n,
    finalizedFeatures: new Map(
      v >= 3 ? [["metadata.version", 27], ["transaction.version", 2]] : [],
    ),
    zkMigrationReady: v >= 3,
  };
}

// Metadata

export const TOPIC_ID = hex`11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00`;

export const METADATA_REQUEST: MetadataRequest = {
  topics: [{ name: "ab", topicId: TOPIC_ID }],
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: true,
  includeTopicAuthorizedOperations: true,
};

/** Request bodies for METADATA_REQUEST, per version. */
export const METADATA_REQUESTS: Record<number, Uint8Array> = {
  1: hex`
    00 00 00 01   # [topics] 1
    00 02 61 62   #   name "ab"
  `,
  4: hex`
    00 00 00 01 00 02 61 62   # [topics] "ab"
    00                        # allow_auto_topic_creation false (v4+)
  `,
  8: hex`
    00 00 00 01 00 02 61 62   # [topics] "ab"
    00                        # allow_auto_topic_creation false
    01                        # include_cluster_authorized_operations true (v8-v10)
    01                        # include_topic_authorized_operations true (v8+)
  `,
  9: hex`
    02                        # [topics] compact: 1 + 1
    03 61 62                  #   name compact "ab"
    00                        #   TAG_BUFFER
    00 01 01                  # allow_auto false, include_cluster true, include_topic true
    00                        # TAG_BUFFER
  `,
  10: hex`
    02                        # [topics] compact: 1 + 1
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id (v10+)
    03 61 62                  #   name compact nullable "ab"
    00                        #   TAG_BUFFER
    00 01 01                  # allow_auto false, include_cluster true, include_topic true
    00                        # TAG_BUFFER
  `,
  11: hex`
    02                        # [topics] compact: 1 + 1
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id
    03 61 62                  #   name "ab"
    00                        #   TAG_BUFFER
    00 01                     # allow_auto false, include_topic true (cluster ops gone in v11)
    00                        # TAG_BUFFER
  `,
};
for (const v of [2, 3]) METADATA_REQUESTS[v] = METADATA_REQUESTS[1]!;
for (const v of [5, 6, 7]) METADATA_REQUESTS[v] = METADATA_REQUESTS[4]!;
METADATA_REQUESTS[12] = METADATA_REQUESTS[13] = METADATA_REQUESTS[11]!;

// Response fragments. The response describes brokers 1 (h1:9092 rack "r") and 2 (h2:9093, no
// rack), cluster "c", controller 2, topic "ab" with partition 0 led by 1 (epoch 5), replicas
// [1, 2], ISR [1], offline [2], topic operations 0x0f and cluster operations 0x1f.
export const METADATA_BROKERS = hex`
  00 00 00 02               # [brokers] 2
  00 00 00 01 00 02 68 31 00 00 23 84 00 01 72   # 1 "h1" 9092 rack "r"
  00 00 00 02 00 02 68 32 00 00 23 85 ff ff      # 2 "h2" 9093 rack null
`;
export const METADATA_BROKERS_COMPACT = hex`
  03                        # [brokers] compact: 2 + 1
  00 00 00 01 03 68 31 00 00 23 84 02 72 00      # 1 "h1" 9092 "r" TAG_BUFFER
  00 00 00 02 03 68 32 00 00 23 85 00 00         # 2 "h2" 9093 null TAG_BUFFER
`;

export const METADATA_RESPONSES: Record<number, Uint8Array> = {
  1: hex`
    ${METADATA_BROKERS}
    00 00 00 02               # controller_id 2
    00 00 00 01               # [topics] 1
    00 00 00 02 61 62 00      #   error_code 0, name "ab", is_internal false
    00 00 00 01               #   [partitions] 1
    00 00 00 00 00 00 00 00 00 01   # error 0, index 0, leader 1
    00 00 00 02 00 00 00 01 00 00 00 02   # replica_nodes [1, 2]
    00 00 00 01 00 00 00 01   #     isr_nodes [1]
  `,
  2: hex`
    ${METADATA_BROKERS}
    00 01 63                  # cluster_id "c" (v2+)
    00 00 00 02               # controller_id
    00 00 00 01 00 00 00 02 61 62 00 00 00 00 01   # [topics] "ab" [partitions] 1
    00 00 00 00 00 00 00 00 00 01   # error 0, index 0, leader 1
    00 00 00 02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 01   # replicas, isr
  `,
  3: hex`
    00 00 00 64               # throttle_time_ms 100 (v3+)
    ${METADATA_BROKERS}
    00 01 63 00 00 00 02      # cluster_id, controller_id
    00 00 00 01 00 00 00 02 61 62 00 00 00 00 01   # [topics] "ab" [partitions] 1
    00 00 00 00 00 00 00 00 00 01   # error 0, index 0, leader 1
    00 00 00 02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 01   # replicas, isr
  `,
  5: hex`
    00 00 00 64 ${METADATA_BROKERS} 00 01 63 00 00 00 02   # throttle, brokers, cluster, controller
    00 00 00 01 00 00 00 02 61 62 00 00 00 00 01   # [topics] "ab" [partitions] 1
    00 00 00 00 00 00 00 00 00 01   # error 0, index 0, leader 1
    00 00 00 02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 01   # replicas, isr
    00 00 00 01 00 00 00 02   # offline_replicas [2] (v5+)
  `,
  7: hex`
    00 00 00 64 ${METADATA_BROKERS} 00 01 63 00 00 00 02   # throttle, brokers, cluster, controller
    00 00 00 01 00 00 00 02 61 62 00 00 00 00 01   # [topics] "ab" [partitions] 1
    00 00 00 00 00 00 00 00 00 01   # error 0, index 0, leader 1
    00 00 00 05               # leader_epoch 5 (v7+)
    00 00 00 02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 01   # replicas, isr
    00 00 00 01 00 00 00 02   # offline_replicas [2]
  `,
  8: hex`
    00 00 00 64 ${METADATA_BROKERS} 00 01 63 00 00 00 02   # throttle, brokers, cluster, controller
    00 00 00 01 00 00 00 02 61 62 00 00 00 00 01   # [topics] "ab" [partitions] 1
    00 00 00 00 00 00 00 00 00 01 00 00 00 05      # error, index, leader, epoch 5
    00 00 00 02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 01   # replicas, isr
    00 00 00 01 00 00 00 02   # offline_replicas [2]
    00 00 00 0f               # topic_authorized_operations (v8+)
    00 00 00 1f               # cluster_authorized_operations (v8-v10)
  `,
  9: hex`
    00 00 00 64               # throttle_time_ms
    ${METADATA_BROKERS_COMPACT}
    02 63                     # cluster_id compact "c"
    00 00 00 02               # controller_id
    02                        # [topics] compact 1
    00 00 03 61 62 00         #   error 0, name "ab", is_internal false
    02                        #   [partitions] compact 1
    00 00 00 00 00 00 00 00 00 01 00 00 00 05   # error, index 0, leader 1, epoch 5
    03 00 00 00 01 00 00 00 02   # replica_nodes compact [1, 2]
    02 00 00 00 01            #     isr_nodes [1]
    02 00 00 00 02            #     offline_replicas [2]
    00                        #     TAG_BUFFER
    00 00 00 0f               #   topic_authorized_operations
    00                        #   TAG_BUFFER
    00 00 00 1f               # cluster_authorized_operations
    00                        # TAG_BUFFER
  `,
  10: hex`
    00 00 00 64 ${METADATA_BROKERS_COMPACT} 02 63 00 00 00 02   # throttle, brokers, cluster, controller
    02                        # [topics] compact 1
    00 00 03 61 62            #   error 0, name "ab"
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id (v10+)
    00                        #   is_internal false
    02 00 00 00 00 00 00 00 00 00 01 00 00 00 05   # [partitions] 1: error, index, leader, epoch
    03 00 00 00 01 00 00 00 02 02 00 00 00 01 02 00 00 00 02 00   # replicas, isr, offline, tags
    00 00 00 0f 00            #   topic_authorized_operations, TAG_BUFFER
    00 00 00 1f               # cluster_authorized_operations (last version with it)
    00                        # TAG_BUFFER
  `,
  11: hex`
    00 00 00 64 ${METADATA_BROKERS_COMPACT} 02 63 00 00 00 02   # throttle, brokers, cluster, controller
    02 00 00 03 61 62         # [topics] 1: error 0, name "ab"
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id
    00                        #   is_internal false
    02 00 00 00 00 00 00 00 00 00 01 00 00 00 05   # [partitions] 1: error, index, leader, epoch
    03 00 00 00 01 00 00 00 02 02 00 00 00 01 02 00 00 00 02 00   # replicas, isr, offline, tags
    00 00 00 0f 00            #   topic_authorized_operations, TAG_BUFFER
    00                        # TAG_BUFFER (no cluster_authorized_operations from v11)
  `,
  13: hex`
    00 00 00 64 ${METADATA_BROKERS_COMPACT} 02 63 00 00 00 02   # throttle, brokers, cluster, controller
    02 00 00 03 61 62         # [topics] 1: error 0, name "ab"
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id
    00                        #   is_internal false
    02 00 00 00 00 00 00 00 00 00 01 00 00 00 05   # [partitions] 1: error, index, leader, epoch
    03 00 00 00 01 00 00 00 02 02 00 00 00 01 02 00 00 00 02 00   # replicas, isr, offline, tags
    00 00 00 0f 00            #   topic_authorized_operations, TAG_BUFFER
    00 00                     # error_code 0 (v13+)
    00                        # TAG_BUFFER
  `,
};
METADATA_RESPONSES[4] = METADATA_RESPONSES[3]!;
METADATA_RESPONSES[6] = METADATA_RESPONSES[5]!;
METADATA_RESPONSES[12] = METADATA_RESPONSES[11]!;

export function metadataResponse(v: number): MetadataResponse {
  return {
    throttleTimeMs: v >= 3 ? 100 : 0,
    brokers: [
      { nodeId: 1, host: "h1", port: 9092, rack: "r" },
      { nodeId: 2, host: "h2", port: 9093, rack: null },
    ],
    clusterId: v >= 2 ? "c" : null,
    controllerId: 2,
    topics: [{
      errorCode: 0,
      name: "ab",
      topicId: v >= 10 ? TOPIC_ID : null,
      isInternal: false,
      partitions: [{
        errorCode: 0,
        partitionIndex: 0,
        leaderId: 1,
        leaderEpoch: v >= 7 ? 5 : -1,
        replicaNodes: [1, 2],
        isrNodes: [1],
        offlineReplicas: v >= 5 ? [2] : [],
      }],
      topicAuthorizedOperations: v >= 8 ? 0x0f : -2147483648,
    }],
    clusterAuthorizedOperations: v >= 8 && v <= 10 ? 0x1f : -2147483648,
    errorCode: 0,
  };
}

// Produce

/** The id of topic "u" (topic "t" has TOPIC_ID). */
export const TOPIC_ID_U = hex`a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af`;

/** Names are sent up to v12, ids from v13. */
export const PRODUCE_REQUEST: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [
    {
      name: "t",
      topicId: TOPIC_ID,
      partitionData: [{ index: 0, records: hex`01 02 03` }, { index: 1, records: null }],
    },
    { name: "u", topicId: TOPIC_ID_U, partitionData: [{ index: 2, records: hex`04` }] },
  ],
};

/** v3-v8 share one layout. */
export const PRODUCE_REQUEST_CLASSIC = hex`
  ff ff                  # transactional_id null
  ff ff                  # acks -1
  00 00 75 30            # timeout_ms 30000
  00 00 00 02            # [topic_data] 2
  00 01 74               #   name "t"
  00 00 00 02            #   [partition_data] 2
  00 00 00 00            #     index 0
  00 00 00 03 01 02 03   #     records: 3 bytes
  00 00 00 01            #     index 1
  ff ff ff ff            #     records null
  00 01 75               #   name "u"
  00 00 00 01            #   [partition_data] 1
  00 00 00 02 00 00 00 01 04   # index 2, records: 1 byte
`;

/** v9-v12 share one (flexible) layout. */
export const PRODUCE_REQUEST_FLEXIBLE = hex`
  00                     # transactional_id compact null
  ff ff                  # acks -1
  00 00 75 30            # timeout_ms 30000
  03                     # [topic_data] compact 2 + 1
  02 74                  #   name compact "t"
  03                     #   [partition_data] 2 + 1
  00 00 00 00            #     index 0
  04 01 02 03            #     records compact: 3 + 1 bytes
  00                     #     TAG_BUFFER
  00 00 00 01 00 00      #     index 1, records null, TAG_BUFFER
  00                     #   TAG_BUFFER
  02 75 02               #   name "u", [partition_data] 1 + 1
  00 00 00 02 02 04 00   #     index 2, records 1 + 1 bytes, TAG_BUFFER
  00                     #   TAG_BUFFER
  00                     # TAG_BUFFER
`;

/** v13: topic ids instead of names. */
export const PRODUCE_REQUEST_V13 = hex`
  00                     # transactional_id compact null
  ff ff                  # acks -1
  00 00 75 30            # timeout_ms 30000
  03                     # [topic_data] compact 2 + 1
  11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id of "t" (v13+)
  03                     #   [partition_data] 2 + 1
  00 00 00 00 04 01 02 03 00   # index 0, records 3 + 1 bytes, TAG_BUFFER
  00 00 00 01 00 00      #     index 1, records null, TAG_BUFFER
  00                     #   TAG_BUFFER
  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af   # topic_id of "u"
  02                     #   [partition_data] 1 + 1
  00 00 00 02 02 04 00   #     index 2, records 1 + 1 bytes, TAG_BUFFER
  00                     #   TAG_BUFFER
  00                     # TAG_BUFFER
`;

export const FF8 = "ff ff ff ff ff ff ff ff"; // int64 -1

export const PRODUCE_RESPONSES: Record<number, Uint8Array> = {
  3: hex`
    00 00 00 01            # [responses] 1
    00 01 74               #   name "t"
    00 00 00 02            #   [partition_responses] 2
    00 00 00 00 00 00      #     index 0, error_code 0
    00 00 00 00 00 00 00 2a   #  base_offset 42
    ${FF8}                 #     log_append_time_ms -1
    00 00 00 01 00 57      #     index 1, error_code 87 INVALID_RECORD
    ${FF8} ${FF8}          #     base_offset -1, log_append_time_ms -1
    00 00 00 0a            # throttle_time_ms 10
  `,
  5: hex`
    00 00 00 01 00 01 74 00 00 00 02   # [responses] 1: "t" [partition_responses] 2
    00 00 00 00 00 00 00 00 00 00 00 00 00 2a ${FF8}   # index 0, error 0, base 42, append -1
    00 00 00 00 00 00 00 07   #     log_start_offset 7 (v5+)
    00 00 00 01 00 57 ${FF8} ${FF8}   # index 1, error 87, base -1, append -1
    ${FF8}                 #     log_start_offset -1
    00 00 00 0a            # throttle_time_ms 10
  `,
  8: hex`
    00 00 00 01 00 01 74 00 00 00 02   # [responses] 1: "t" [partition_responses] 2
    00 00 00 00 00 00 00 00 00 00 00 00 00 2a ${FF8}   # index 0, error 0, base 42, append -1
    00 00 00 00 00 00 00 07   #     log_start_offset 7
    00 00 00 00            #     [record_errors] 0 (v8+)
    ff ff                  #     error_message null (v8+)
    00 00 00 01 00 57 ${FF8} ${FF8} ${FF8}   # index 1, error 87, base, append, log_start -1
    00 00 00 02            #     [record_errors] 2
    00 00 00 03 00 03 62 61 64   # batch_index 3, message "bad"
    00 00 00 04 ff ff      #       batch_index 4, message null
    00 04 6f 6f 70 73      #     error_message "oops"
    00 00 00 0a            # throttle_time_ms 10
  `,
  9: hex`
    02 02 74 03            # [responses] compact 1: "t" [partition_responses] 2
    00 00 00 00 00 00 00 00 00 00 00 00 00 2a ${FF8}   # index 0, error 0, base 42, append -1
    00 00 00 00 00 00 00 07   #     log_start_offset 7
    01 00 00               #     [record_errors] compact 0, error_message null, TAG_BUFFER
    00 00 00 01 00 57 ${FF8} ${FF8} ${FF8}   # index 1, error 87, base, append, log_start -1
    03                     #     [record_errors] compact 2
    00 00 00 03 04 62 61 64 00   # batch_index 3, message "bad", TAG_BUFFER
    00 00 00 04 00 00      #       batch_index 4, message null, TAG_BUFFER
    05 6f 6f 70 73         #     error_message "oops"
    01 00 09 00 00 00 02 00 00 00 07 00   # TAG_BUFFER: tag 0 (unknown before v10), skipped
    00                     #   TAG_BUFFER
    00 00 00 0a            # throttle_time_ms 10
    00                     # TAG_BUFFER
  `,
  10: hex`
    02 02 74 03            # [responses] compact 1: "t" [partition_responses] 2
    00 00 00 00 00 00 00 00 00 00 00 00 00 2a ${FF8}   # index 0, error 0, base 42, append -1
    00 00 00 00 00 00 00 07 01 00 00   # log_start 7, no record errors, null message, TAG_BUFFER
    00 00 00 01 00 57 ${FF8} ${FF8} ${FF8}   # index 1, error 87, base, append, log_start -1
    03 00 00 00 03 04 62 61 64 00 00 00 00 04 00 00   # [record_errors] "bad"@3, null@4
    05 6f 6f 70 73         #     error_message "oops"
    01                     #     TAG_BUFFER: 1 field
    00 09                  #       tag 0 current_leader, 9 bytes:
    00 00 00 02 00 00 00 07 00   # leader_id 2, leader_epoch 7, TAG_BUFFER
    00                     #   TAG_BUFFER
    00 00 00 0a            # throttle_time_ms 10
    01                     # TAG_BUFFER: 1 field
    00 0f                  #   tag 0 node_endpoints, 15 bytes:
    02                     #     [node_endpoints] compact 1
    00 00 00 02 03 68 32 00 00 23 85 02 72 00   # node 2 "h2" 9093 rack "r", TAG_BUFFER
  `,
};
PRODUCE_RESPONSES[13] = hex`
  02                     # [responses] compact 1
  11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id of "t" (v13+, no name)
  03                     #   [partition_responses] 2 + 1
  00 00 00 00 00 00 00 00 00 00 00 00 00 2a ${FF8}   # index 0, error 0, base 42, append -1
  00 00 00 00 00 00 00 07 01 00 00   # log_start 7, no record errors, null message, TAG_BUFFER
  00 00 00 01 00 57 ${FF8} ${FF8} ${FF8}   # index 1, error 87, base, append, log_start -1
  03 00 00 00 03 04 62 61 64 00 00 00 00 04 00 00   # [record_errors] "bad"@3, null@4
  05 6f 6f 70 73         #     error_message "oops"
  01 00 09 00 00 00 02 00 00 00 07 00   # TAG_BUFFER: tag 0 current_leader 2, epoch 7
  00                     #   TAG_BUFFER
  00 00 00 0a            # throttle_time_ms 10
  01 00 0f 02            # TAG_BUFFER: tag 0 node_endpoints (15 bytes), compact 1
  00 00 00 02 03 68 32 00 00 23 85 02 72 00   # node 2 "h2" 9093 rack "r", TAG_BUFFER
`;
PRODUCE_RESPONSES[4] = PRODUCE_RESPONSES[3]!;
PRODUCE_RESPONSES[6] = PRODUCE_RESPONSES[7] = PRODUCE_RESPONSES[5]!;
PRODUCE_RESPONSES[11] = PRODUCE_RESPONSES[12] = PRODUCE_RESPONSES[10]!;

export function produceResponse(v: number): ProduceResponse {
  return {
    responses: [{
      ...(v >= 13 ? { name: null, topicId: TOPIC_ID } : { name: "t" }),
      partitionResponses: [
        {
          index: 0,
          errorCode: 0,
          baseOffset: 42n,
          logAppendTimeMs: -1n,
          logStartOffset: v >= 5 ? 7n : -1n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: undefined,
        },
        {
          index: 1,
          errorCode: 87,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          recordErrors: v >= 8
            ? [
              { batchIndex: 3, batchIndexErrorMessage: "bad" },
              { batchIndex: 4, batchIndexErrorMessage: null },
            ]
            : [],
          errorMessage: v >= 8 ? "oops" : null,
          currentLeader: v >= 10 ? { leaderId: 2, leaderEpoch: 7 } : undefined,
        },
      ],
    }],
    throttleTimeMs: 10,
    nodeEndpoints: v >= 10 ? [{ nodeId: 2, host: "h2", port: 9093, rack: "r" }] : [],
  };
}
