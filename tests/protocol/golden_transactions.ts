// Golden bytes for the transaction APIs, derived by hand from FindCoordinator,
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit {Request,Response}.json
// (Kafka 4.4's schemas for FindCoordinator v5-v6 and TxnOffsetCommit v6; each byte run
// commented). Shared by the per-API tests and the KafkaJS and Java cross-checks.
// Common values: transactional id "tx", producer id 5, epoch 2, group "g".
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
} from "../../src/protocol/add_partitions_to_txn.ts";
import type { AddOffsetsToTxnRequest } from "../../src/protocol/add_offsets_to_txn.ts";
import type { EndTxnRequest, EndTxnResponse } from "../../src/protocol/end_txn.ts";
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
} from "../../src/protocol/find_coordinator.ts";
import type {
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from "../../src/protocol/txn_offset_commit.ts";
import { TOPIC_ID } from "./golden.ts";
import { hex } from "./hex.ts";

/** By version: "gets the entry of the highest version <= v" (for layouts shared by versions). */
export function upTo<T>(table: Record<number, T>, v: number): T {
  for (let at = v; at >= 0; at--) if (table[at] !== undefined) return table[at]!;
  throw new Error(`No golden entry at or below v${v}`);
}

// FindCoordinator

/** v0 asks for group "g"; v1-v3 for transactional id "tx"; v4+ for "tx" and "ty" at once. */
export function findCoordinatorRequest(v: number): FindCoordinatorRequest {
  if (v === 0) return { keyType: 0, keys: ["g"] };
  return { keyType: 1, keys: v < 4 ? ["tx"] : ["tx", "ty"] };
}

export const FIND_COORDINATOR_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 01 67                  # key "g"
  `,
  1: hex`
    00 02 74 78               # key "tx"
    01                        # key_type 1 transaction (v1+)
  `,
  3: hex`
    03 74 78                  # key compact "tx"
    01                        # key_type 1
    00                        # TAG_BUFFER (v3+)
  `,
  4: hex`
    01                        # key_type 1
    03                        # [coordinator_keys] compact: 2 + 1 (v4+, no key)
    03 74 78                  #   "tx"
    03 74 79                  #   "ty"
    00                        # TAG_BUFFER
  `,
};

export const FIND_COORDINATOR_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00                     # error_code 0
    00 00 00 02               # node_id 2
    00 02 68 32               # host "h2"
    00 00 23 85               # port 9093
  `,
  1: hex`
    00 00 00 0a               # throttle_time_ms 10 (v1+)
    00 00                     # error_code 0
    ff ff                     # error_message null (v1+)
    00 00 00 02 00 02 68 32 00 00 23 85   # node 2, "h2", 9093
  `,
  3: hex`
    00 00 00 0a               # throttle_time_ms 10
    00 00                     # error_code 0
    00                        # error_message compact null
    00 00 00 02 03 68 32 00 00 23 85   # node 2, compact "h2", 9093
    00                        # TAG_BUFFER
  `,
  4: hex`
    00 00 00 0a               # throttle_time_ms 10
    03                        # [coordinators] compact: 2 + 1
    03 74 78                  #   key "tx"
    00 00 00 02 03 68 32 00 00 23 85   # node 2, "h2", 9093
    00 00 00                  #   error_code 0, error_message null
    00                        #   TAG_BUFFER
    03 74 79                  #   key "ty"
    ff ff ff ff 01 ff ff ff ff   # node -1, host "", port -1
    00 0f                     #   error_code 15 COORDINATOR_NOT_AVAILABLE
    05 67 6f 6e 65            #   error_message "gone"
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
};

export function findCoordinatorResponse(v: number): FindCoordinatorResponse {
  const found = { nodeId: 2, host: "h2", port: 9093, errorCode: 0, errorMessage: null };
  if (v < 4) return { throttleTimeMs: v >= 1 ? 10 : 0, coordinators: [{ key: null, ...found }] };
  return {
    throttleTimeMs: 10,
    coordinators: [
      { key: "tx", ...found },
      { key: "ty", nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: "gone" },
    ],
  };
}

// AddPartitionsToTxn (client versions v0-v3)

export const ADD_PARTITIONS_TO_TXN_REQUEST: AddPartitionsToTxnRequest = {
  transactionalId: "tx",
  producerId: 5n,
  producerEpoch: 2,
  topics: [{ name: "t", partitions: [0, 1] }, { name: "u", partitions: [2] }],
};

export const ADD_PARTITIONS_TO_TXN_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 02 74 78               # transactional_id "tx"
    00 00 00 00 00 00 00 05   # producer_id 5
    00 02                     # producer_epoch 2
    00 00 00 02               # [topics] 2
    00 01 74                  #   name "t"
    00 00 00 02 00 00 00 00 00 00 00 01   # [partitions] 0, 1
    00 01 75                  #   name "u"
    00 00 00 01 00 00 00 02   #   [partitions] 2
  `,
  3: hex`
    03 74 78                  # transactional_id compact "tx"
    00 00 00 00 00 00 00 05 00 02   # producer_id 5, producer_epoch 2
    03                        # [topics] compact: 2 + 1
    02 74                     #   name "t"
    03 00 00 00 00 00 00 00 01   # [partitions] compact: 0, 1
    00                        #   TAG_BUFFER
    02 75 02 00 00 00 02 00   #   "u" [2] TAG_BUFFER
    00                        # TAG_BUFFER
  `,
};

export const ADD_PARTITIONS_TO_TXN_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00 00 0a               # throttle_time_ms 10
    00 00 00 02               # [results_by_topic] 2
    00 01 74                  #   name "t"
    00 00 00 02               #   [results_by_partition] 2
    00 00 00 00 00 00         #     partition 0, error 0
    00 00 00 01 00 33         #     partition 1, error 51 CONCURRENT_TRANSACTIONS
    00 01 75 00 00 00 01      #   "u" [results_by_partition] 1
    00 00 00 02 00 37         #     partition 2, error 55 OPERATION_NOT_ATTEMPTED
  `,
  3: hex`
    00 00 00 0a               # throttle_time_ms 10
    03                        # [results_by_topic] compact: 2 + 1
    02 74 03                  #   "t" [results_by_partition] 2 + 1
    00 00 00 00 00 00 00      #     partition 0, error 0, TAG_BUFFER
    00 00 00 01 00 33 00      #     partition 1, error 51, TAG_BUFFER
    00                        #   TAG_BUFFER
    02 75 02                  #   "u" [results_by_partition] 1 + 1
    00 00 00 02 00 37 00      #     partition 2, error 55, TAG_BUFFER
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
};

export const ADD_PARTITIONS_TO_TXN_RESPONSE: AddPartitionsToTxnResponse = {
  throttleTimeMs: 10,
  resultsByTopic: [
    {
      name: "t",
      resultsByPartition: [
        { partitionIndex: 0, partitionErrorCode: 0 },
        { partitionIndex: 1, partitionErrorCode: 51 },
      ],
    },
    { name: "u", resultsByPartition: [{ partitionIndex: 2, partitionErrorCode: 55 }] },
  ],
};

// AddOffsetsToTxn

export const ADD_OFFSETS_TO_TXN_REQUEST: AddOffsetsToTxnRequest = {
  transactionalId: "tx",
  producerId: 5n,
  producerEpoch: 2,
  groupId: "g",
};

export const ADD_OFFSETS_TO_TXN_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 02 74 78               # transactional_id "tx"
    00 00 00 00 00 00 00 05   # producer_id 5
    00 02                     # producer_epoch 2
    00 01 67                  # group_id "g"
  `,
  3: hex`
    03 74 78                  # transactional_id compact "tx"
    00 00 00 00 00 00 00 05 00 02   # producer_id 5, producer_epoch 2
    02 67                     # group_id compact "g"
    00                        # TAG_BUFFER
  `,
};

export const ADD_OFFSETS_TO_TXN_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00 00 0a               # throttle_time_ms 10
    00 33                     # error_code 51 CONCURRENT_TRANSACTIONS
  `,
  3: hex`
    00 00 00 0a 00 33         # throttle_time_ms 10, error_code 51
    00                        # TAG_BUFFER
  `,
};

// EndTxn

export const END_TXN_REQUEST: EndTxnRequest = {
  transactionalId: "tx",
  producerId: 5n,
  producerEpoch: 2,
  committed: true,
};

export const END_TXN_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 02 74 78               # transactional_id "tx"
    00 00 00 00 00 00 00 05   # producer_id 5
    00 02                     # producer_epoch 2
    01                        # committed true
  `,
  3: hex`
    03 74 78                  # transactional_id compact "tx"
    00 00 00 00 00 00 00 05 00 02 01   # producer_id 5, producer_epoch 2, committed
    00                        # TAG_BUFFER
  `,
};

export const END_TXN_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00 00 0a               # throttle_time_ms 10
    00 00                     # error_code 0
  `,
  3: hex`
    00 00 00 0a 00 00         # throttle_time_ms 10, error_code 0
    00                        # TAG_BUFFER
  `,
  5: hex`
    00 00 00 0a 00 00         # throttle_time_ms 10, error_code 0
    00 00 00 00 00 00 00 05   # producer_id 5 (v5+)
    00 03                     # producer_epoch 3, bumped by the commit (v5+)
    00                        # TAG_BUFFER
  `,
};

export function endTxnResponse(v: number): EndTxnResponse {
  return {
    throttleTimeMs: 10,
    errorCode: 0,
    producerId: v >= 5 ? 5n : -1n,
    producerEpoch: v >= 5 ? 3 : -1,
  };
}

// TxnOffsetCommit

/** Group metadata from v3 only (Kafka rejects it before); the topic id is sent from v6. */
export function txnOffsetCommitRequest(v: number): TxnOffsetCommitRequest {
  return {
    transactionalId: "tx",
    groupId: "g",
    producerId: 5n,
    producerEpoch: 2,
    ...(v >= 3 ? { generationIdOrMemberEpoch: 3, memberId: "m", groupInstanceId: "i" } : {}),
    topics: [{
      name: "t",
      topicId: TOPIC_ID,
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 100n,
          committedLeaderEpoch: 7,
          committedMetadata: "md",
        },
        { partitionIndex: 1, committedOffset: 200n, committedMetadata: null },
      ],
    }],
  };
}

export const TXN_OFFSET_COMMIT_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 02 74 78               # transactional_id "tx"
    00 01 67                  # group_id "g"
    00 00 00 00 00 00 00 05   # producer_id 5
    00 02                     # producer_epoch 2
    00 00 00 01               # [topics] 1
    00 01 74                  #   name "t"
    00 00 00 02               #   [partitions] 2
    00 00 00 00               #     partition_index 0
    00 00 00 00 00 00 00 64   #     committed_offset 100
    00 02 6d 64               #     committed_metadata "md"
    00 00 00 01               #     partition_index 1
    00 00 00 00 00 00 00 c8   #     committed_offset 200
    ff ff                     #     committed_metadata null
  `,
  2: hex`
    00 02 74 78 00 01 67      # "tx", "g"
    00 00 00 00 00 00 00 05 00 02   # producer_id 5, producer_epoch 2
    00 00 00 01 00 01 74 00 00 00 02   # [topics] "t" [partitions] 2
    00 00 00 00 00 00 00 00 00 00 00 64   # partition 0, offset 100
    00 00 00 07               #     committed_leader_epoch 7 (v2+)
    00 02 6d 64               #     "md"
    00 00 00 01 00 00 00 00 00 00 00 c8   # partition 1, offset 200
    ff ff ff ff               #     committed_leader_epoch -1 (the default)
    ff ff                     #     null
  `,
  3: hex`
    03 74 78                  # transactional_id compact "tx"
    02 67                     # group_id compact "g"
    00 00 00 00 00 00 00 05 00 02   # producer_id 5, producer_epoch 2
    00 00 00 03               # generation_id_or_member_epoch 3 (v3+)
    02 6d                     # member_id "m" (v3+)
    02 69                     # group_instance_id "i" (v3+)
    02                        # [topics] compact: 1 + 1
    02 74                     #   name "t"
    03                        #   [partitions] compact: 2 + 1
    00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 07   # partition 0, offset 100, epoch 7
    03 6d 64                  #     "md"
    00                        #     TAG_BUFFER
    00 00 00 01 00 00 00 00 00 00 00 c8 ff ff ff ff   # partition 1, offset 200, epoch -1
    00                        #     null
    00                        #     TAG_BUFFER
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
  6: hex`
    03 74 78 02 67            # "tx", "g"
    00 00 00 00 00 00 00 05 00 02   # producer_id 5, producer_epoch 2
    00 00 00 03 02 6d 02 69   # generation 3, member "m", instance "i"
    02                        # [topics] compact: 1 + 1
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id (v6+, no name)
    03                        #   [partitions] compact: 2 + 1
    00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 07 03 6d 64 00   # 0, 100, 7, "md", tags
    00 00 00 01 00 00 00 00 00 00 00 c8 ff ff ff ff 00 00   # 1, 200, -1, null, tags
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
};

export const TXN_OFFSET_COMMIT_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00 00 0a               # throttle_time_ms 10
    00 00 00 01               # [topics] 1
    00 01 74                  #   name "t"
    00 00 00 02               #   [partitions] 2
    00 00 00 00 00 00         #     partition 0, error 0
    00 00 00 01 00 16         #     partition 1, error 22 ILLEGAL_GENERATION
  `,
  3: hex`
    00 00 00 0a               # throttle_time_ms 10
    02 02 74                  # [topics] compact 1: name "t"
    03                        #   [partitions] compact: 2 + 1
    00 00 00 00 00 00 00      #     partition 0, error 0, TAG_BUFFER
    00 00 00 01 00 16 00      #     partition 1, error 22, TAG_BUFFER
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
  6: hex`
    00 00 00 0a               # throttle_time_ms 10
    02                        # [topics] compact 1
    11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00   # topic_id (v6+, no name)
    03 00 00 00 00 00 00 00 00 00 00 01 00 16 00   # [partitions] 0: error 0; 1: error 22
    00                        #   TAG_BUFFER
    00                        # TAG_BUFFER
  `,
};

export function txnOffsetCommitResponse(v: number): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 10,
    topics: [{
      name: v >= 6 ? null : "t",
      topicId: v >= 6 ? TOPIC_ID : null,
      partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }],
    }],
  };
}
