// Cross-check against an independent implementation, KafkaJS 2.2.4 (a devDependency): its
// request encoders must produce our bytes, its response decoders must read our golden
// response bytes to the same values, and its RecordBatch v2 encoder/decoder and CRC-32C must
// agree with ours, for every version KafkaJS has (Produce v3-v7, Metadata v1-v6,
// ApiVersions v0-v2, InitProducerId v0-v1, SaslHandshake v0-v1, SaslAuthenticate v0-v1,
// FindCoordinator v0-v2, AddPartitionsToTxn v0-v1, AddOffsetsToTxn v0-v1, EndTxn v0-v1,
// TxnOffsetCommit v0-v1). KafkaJS is CommonJS: createRequire loads it on Deno, Bun and Node
// alike.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import type { ApiDescriptor } from "../../src/protocol/api.ts";
import { ApiVersionsApi } from "../../src/protocol/api_versions.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { InitProducerIdApi } from "../../src/protocol/init_producer_id.ts";
import { SaslHandshakeApi } from "../../src/protocol/sasl_handshake.ts";
import { SaslAuthenticateApi } from "../../src/protocol/sasl_authenticate.ts";
import { FindCoordinatorApi } from "../../src/protocol/find_coordinator.ts";
import { AddPartitionsToTxnApi } from "../../src/protocol/add_partitions_to_txn.ts";
import { AddOffsetsToTxnApi } from "../../src/protocol/add_offsets_to_txn.ts";
import { EndTxnApi } from "../../src/protocol/end_txn.ts";
import { TxnOffsetCommitApi } from "../../src/protocol/txn_offset_commit.ts";
import { crc32c } from "../../src/protocol/crc32c.ts";
import { decodeRecordBatches, RecordBatchWriter } from "../../src/protocol/record_batch.ts";
import {
  API_VERSIONS_KEYS,
  API_VERSIONS_V0_RESPONSE,
  METADATA_RESPONSES,
  metadataResponse,
  PRODUCE_RESPONSES,
  produceResponse,
} from "./golden.ts";
import {
  SASL_AUTH_BYTES,
  SASL_AUTHENTICATE_RESPONSES,
  SASL_HANDSHAKE_MECHANISM,
  SASL_HANDSHAKE_RESPONSE,
  SASL_SERVER_BYTES,
} from "./golden_sasl.ts";
import {
  ADD_OFFSETS_TO_TXN_REQUEST,
  ADD_OFFSETS_TO_TXN_RESPONSES,
  ADD_PARTITIONS_TO_TXN_REQUEST,
  ADD_PARTITIONS_TO_TXN_RESPONSES,
  END_TXN_REQUEST,
  END_TXN_RESPONSES,
  FIND_COORDINATOR_RESPONSES,
  findCoordinatorRequest,
  findCoordinatorResponse,
  TXN_OFFSET_COMMIT_RESPONSES,
  txnOffsetCommitRequest,
  upTo,
} from "./golden_transactions.ts";
import { hex, toHex } from "./hex.ts";

const require = createRequire(import.meta.url);
const KAFKAJS = "kafkajs/src/protocol";
const Long = require("kafkajs/src/utils/long");
const kafkajsCrc32c: (buffer: Buffer) => number = require(`${KAFKAJS}/recordBatch/crc32C`);
const { RecordBatch } = require(`${KAFKAJS}/recordBatch/v0`);
const Record = require(`${KAFKAJS}/recordBatch/record/v0`);
const decodeKafkajsBatch = require(`${KAFKAJS}/recordBatch/v0/decoder`);
const KafkajsDecoder = require(`${KAFKAJS}/decoder`);
const KafkajsEncoder = require(`${KAFKAJS}/encoder`);

const utf8 = new TextEncoder();

function ours<Req>(api: ApiDescriptor<Req, unknown>, version: number, request: Req): string {
  const writer = new Writer(1);
  api.encodeRequest(writer, version, request);
  return toHex(writer.toBytes());
}

async function theirs(api: string, version: number, args: unknown): Promise<string> {
  const request = require(`${KAFKAJS}/requests/${api}/v${version}/request`)(args);
  return toHex(new Uint8Array((await request.encode()).buffer));
}

// KafkaJS's decoders return untyped objects.
// deno-lint-ignore no-explicit-any
async function theirDecode(api: string, version: number, body: Uint8Array): Promise<any> {
  // deno-lint-ignore no-explicit-any
  const { decode } = require(`${KAFKAJS}/requests/${api}/v${version}/response`) as any;
  return await decode(Buffer.from(body));
}

describe("KafkaJS 2.2.4 cross-check", () => {
  it("crc32c() agrees with KafkaJS's CRC-32C", () => {
    for (const length of [0, 1, 7, 8, 9, 1000, 65537]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      assert.equal(crc32c(data), kafkajsCrc32c(Buffer.from(data)), `length ${length}`);
    }
  });

  it("RecordBatchWriter bytes equal KafkaJS's RecordBatch v2 for the same records", async () => {
    const base = 1700000000000;
    const messages = [
      { key: utf8.encode("k1"), value: utf8.encode("v1"), headers: { a: "1", bb: "22" }, ts: base },
      { key: null, value: utf8.encode("v2"), headers: {}, ts: base + 5 },
      { key: utf8.encode("k3"), value: new Uint8Array(3000).fill(7), headers: {}, ts: base - 2 },
      { key: utf8.encode(""), value: utf8.encode("ü"), headers: { "ü": "ß" }, ts: base + 70000 },
    ];
    const writer = new RecordBatchWriter(64);
    for (const m of messages) {
      writer.append(
        m.ts,
        m.key,
        m.value,
        Object.entries(m.headers).map(([key, value]) => ({ key, value: utf8.encode(value) })),
      );
    }
    for (
      const [producerId, producerEpoch, baseSequence, transactional] of [
        [99n, 3, 12, false],
        [-1n, -1, -1, false],
        [1234567890123n, 0, 2147483600, true],
      ] as const
    ) {
      const batch = writer.finish({
        producerId,
        producerEpoch,
        baseSequence,
        isTransactional: transactional,
      });
      const expected = await RecordBatch({
        firstTimestamp: base,
        maxTimestamp: base + 70000,
        partitionLeaderEpoch: -1,
        lastOffsetDelta: messages.length - 1,
        transactional,
        producerId: Long.fromValue(producerId.toString()),
        producerEpoch,
        firstSequence: baseSequence,
        records: messages.map((m, i) =>
          Record({
            offsetDelta: i,
            timestampDelta: m.ts - base,
            key: m.key === null ? null : Buffer.from(m.key),
            value: Buffer.from(m.value),
            headers: m.headers,
          })
        ),
      });
      assert.equal(toHex(batch), toHex(new Uint8Array(expected.buffer)), `pid ${producerId}`);
    }
  });

  it("KafkaJS decodes our batch and we decode KafkaJS's", async () => {
    const writer = new RecordBatchWriter();
    writer.append(1700000000000, utf8.encode("key"), utf8.encode("value"), [
      { key: "h", value: utf8.encode("x") },
    ]);
    writer.append(1700000000003, null, utf8.encode("second"));
    const batch = writer.finish({ producerId: 5n, producerEpoch: 2, baseSequence: 9 });
    const decoded = await decodeKafkajsBatch(new KafkajsDecoder(Buffer.from(batch)));
    assert.equal(decoded.producerId, "5");
    assert.equal(decoded.producerEpoch, 2);
    assert.equal(decoded.firstSequence, 9);
    assert.equal(decoded.maxTimestamp, "1700000000003");
    assert.deepEqual(
      // deno-lint-ignore no-explicit-any
      decoded.records.map((r: any) => [r.offset, r.timestamp, r.key?.toString() ?? null]),
      [["0", "1700000000000", "key"], ["1", "1700000000003", null]],
    );
    assert.equal(decoded.records[0].headers.h.toString(), "x");

    const theirBatch = await RecordBatch({
      firstTimestamp: 1000,
      maxTimestamp: 1000,
      partitionLeaderEpoch: -1,
      records: [Record({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from("v") })],
    });
    const [back] = decodeRecordBatches(new Uint8Array(theirBatch.buffer));
    assert.equal(new TextDecoder().decode(back!.records[0]!.value!), "v");
  });

  it("Metadata v1-v6 request bodies agree", async () => {
    for (let v = 1; v <= 6; v++) {
      for (const allowAutoTopicCreation of [true, false]) {
        assert.equal(
          ours(MetadataApi, v, {
            topics: [{ name: "events" }, { name: "b" }],
            allowAutoTopicCreation,
          }),
          await theirs("metadata", v, { topics: ["events", "b"], allowAutoTopicCreation }),
          `Metadata v${v}`,
        );
      }
    }
  });

  it("ApiVersions v0-v2 and InitProducerId v0-v1 request bodies agree", async () => {
    for (let v = 0; v <= 2; v++) {
      assert.equal(ours(ApiVersionsApi, v, {}), await theirs("apiVersions", v, {}));
    }
    for (let v = 0; v <= 1; v++) {
      for (const transactionalId of [null, "txn-1"]) {
        assert.equal(
          ours(InitProducerIdApi, v, { transactionalId, transactionTimeoutMs: 5000 }),
          await theirs("initProducerId", v, { transactionalId, transactionTimeout: 5000 }),
          `InitProducerId v${v} ${transactionalId}`,
        );
      }
    }
  });

  it("Produce v3-v7 request bodies agree (around KafkaJS's own batches)", async () => {
    for (let v = 3; v <= 7; v++) {
      for (const transactionalId of [null, "txn-1"]) {
        const args = {
          transactionalId,
          acks: -1,
          timeout: 30000,
          topicData: [
            {
              topic: "events",
              partitions: [
                { partition: 1, messages: [{ key: "k", value: "v", timestamp: 1700000000000 }] },
                { partition: 4, messages: [{ key: null, value: "w", timestamp: 1700000000001 }] },
              ],
            },
            {
              topic: "b",
              partitions: [{ partition: 0, messages: [{ value: "x", timestamp: 1 }] }],
            },
          ],
        };
        const expected = hex(await theirs("produce", v, args));
        // Take KafkaJS's batches out by the grammar, then encode the same request ourselves.
        const reader = new Reader(expected);
        reader.nullableString();
        reader.int16();
        reader.int32();
        const topicData = [];
        for (let t = reader.int32(); t > 0; t--) {
          const name = reader.string();
          const partitionData = [];
          for (let p = reader.int32(); p > 0; p--) {
            partitionData.push({ index: reader.int32(), records: reader.nullableBytes() });
          }
          topicData.push({ name, partitionData });
        }
        assert.equal(reader.remaining, 0);
        assert.equal(
          ours(ProduceApi, v, { transactionalId, acks: -1, timeoutMs: 30000, topicData }),
          toHex(expected),
          `Produce v${v}`,
        );
        const values = topicData.flatMap((topic) =>
          topic.partitionData.flatMap((p) =>
            decodeRecordBatches(p.records!)[0]!.records.map((r) =>
              new TextDecoder().decode(r.value!)
            )
          )
        );
        assert.deepEqual(values, ["v", "w", "x"], "KafkaJS's batches decode, CRC checked");
      }
    }
  });

  it("KafkaJS reads our golden Metadata v1-v6 responses to the same values", async () => {
    for (let v = 1; v <= 6; v++) {
      const want = metadataResponse(v);
      const got = await theirDecode("metadata", v, METADATA_RESPONSES[v]!);
      assert.deepEqual(
        // deno-lint-ignore no-explicit-any
        got.brokers.map((b: any) => ({
          nodeId: b.nodeId,
          host: b.host,
          port: b.port,
          rack: b.rack,
        })),
        want.brokers,
        `v${v} brokers`,
      );
      assert.equal(got.controllerId, want.controllerId);
      if (v >= 2) assert.equal(got.clusterId, want.clusterId);
      if (v >= 3) assert.equal(got.clientSideThrottleTime ?? got.throttleTime, want.throttleTimeMs);
      const topic = got.topicMetadata[0];
      const partition = topic.partitionMetadata[0];
      const wantTopic = want.topics[0]!;
      const wantPartition = wantTopic.partitions[0]!;
      assert.deepEqual(
        [topic.topicErrorCode, topic.topic, topic.isInternal],
        [wantTopic.errorCode, wantTopic.name, wantTopic.isInternal],
      );
      assert.deepEqual(
        [partition.partitionErrorCode, partition.partitionId, partition.leader, partition.replicas],
        [
          wantPartition.errorCode,
          wantPartition.partitionIndex,
          wantPartition.leaderId,
          wantPartition.replicaNodes,
        ],
      );
      assert.deepEqual(partition.isr, wantPartition.isrNodes);
      if (v >= 5) assert.deepEqual(partition.offlineReplicas, wantPartition.offlineReplicas);
    }
  });

  it("KafkaJS reads our golden Produce v3-v7 responses to the same values", async () => {
    for (let v = 3; v <= 7; v++) {
      const want = produceResponse(v);
      const got = await theirDecode("produce", v, PRODUCE_RESPONSES[v]!);
      assert.equal(got.topics[0].topicName, want.responses[0]!.name);
      assert.deepEqual(
        // deno-lint-ignore no-explicit-any
        got.topics[0].partitions.map((p: any) => [
          p.partition,
          p.errorCode,
          p.baseOffset,
          p.logAppendTime,
          p.logStartOffset ?? "-1",
        ]),
        want.responses[0]!.partitionResponses.map((p) => [
          p.index,
          p.errorCode,
          String(p.baseOffset),
          String(p.logAppendTimeMs),
          String(p.logStartOffset),
        ]),
        `v${v}`,
      );
      assert.equal(got.clientSideThrottleTime ?? got.throttleTime, want.throttleTimeMs);
    }
  });

  it("KafkaJS reads our golden ApiVersions and InitProducerId responses to the same values", async () => {
    const v0 = await theirDecode("apiVersions", 0, API_VERSIONS_V0_RESPONSE);
    assert.equal(v0.errorCode, 0);
    assert.deepEqual(v0.apiVersions, API_VERSIONS_KEYS);
    const body = hex`00 00 00 03  00 00  00 00 00 00 00 00 10 00  00 07`;
    for (let v = 0; v <= 1; v++) {
      const got = await theirDecode("initProducerId", v, body);
      const want = InitProducerIdApi.decodeResponse(new Reader(body), v);
      assert.deepEqual(
        [got.errorCode, got.producerId, got.producerEpoch],
        [want.errorCode, String(want.producerId), want.producerEpoch],
      );
    }
  });
  it("SaslHandshake v0-v1 and SaslAuthenticate v0-v1 agree both ways", async () => {
    for (let v = 0; v <= 1; v++) {
      assert.equal(
        ours(SaslHandshakeApi, v, { mechanism: SASL_HANDSHAKE_MECHANISM }),
        await theirs("saslHandshake", v, { mechanism: SASL_HANDSHAKE_MECHANISM }),
        `SaslHandshake v${v}`,
      );
      const handshake = await theirDecode("saslHandshake", v, SASL_HANDSHAKE_RESPONSE);
      const want = SaslHandshakeApi.decodeResponse(new Reader(SASL_HANDSHAKE_RESPONSE), v);
      assert.deepEqual([handshake.errorCode, handshake.enabledMechanisms], [
        want.errorCode,
        want.mechanisms,
      ]);

      // KafkaJS's mechanisms hand SaslAuthenticate the token already BYTES-encoded (size first).
      const authBytes = new KafkajsEncoder().writeBytes(Buffer.from(SASL_AUTH_BYTES)).buffer;
      assert.equal(
        ours(SaslAuthenticateApi, v, { authBytes: SASL_AUTH_BYTES }),
        await theirs("saslAuthenticate", v, { authBytes }),
        `SaslAuthenticate v${v}`,
      );
      const body = SASL_AUTHENTICATE_RESPONSES[v]!;
      const got = await theirDecode("saslAuthenticate", v, body);
      const mine = SaslAuthenticateApi.decodeResponse(new Reader(body), v);
      assert.deepEqual(
        [got.errorCode, got.errorMessage, toHex(new Uint8Array(got.authBytes).subarray(4))],
        [mine.errorCode, mine.errorMessage, toHex(SASL_SERVER_BYTES)],
      );
      if (v >= 1) assert.equal(got.sessionLifetimeMs, String(mine.sessionLifetimeMs));
    }
  });

  it("FindCoordinator v0-v2 agree both ways", async () => {
    assert.equal(
      ours(FindCoordinatorApi, 0, findCoordinatorRequest(0)),
      await theirs("findCoordinator", 0, { groupId: "g" }),
    );
    for (let v = 1; v <= 2; v++) {
      for (const coordinatorType of [0, 1]) {
        assert.equal(
          ours(FindCoordinatorApi, v, { keyType: coordinatorType, keys: ["tx"] }),
          await theirs("findCoordinator", v, { coordinatorKey: "tx", coordinatorType }),
          `v${v} type ${coordinatorType}`,
        );
      }
    }
    for (let v = 0; v <= 2; v++) {
      const got = await theirDecode("findCoordinator", v, upTo(FIND_COORDINATOR_RESPONSES, v));
      const { key: _key, ...want } = findCoordinatorResponse(v).coordinators[0]!;
      assert.deepEqual(
        { ...got.coordinator, errorCode: got.errorCode, errorMessage: got.errorMessage ?? null },
        want,
        `v${v}`,
      );
    }
  });

  it("AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit v0-v1 agree both ways", async () => {
    const ids = { transactionalId: "tx", producerId: "5", producerEpoch: 2 };
    for (let v = 0; v <= 1; v++) {
      assert.equal(
        ours(AddPartitionsToTxnApi, v, ADD_PARTITIONS_TO_TXN_REQUEST),
        await theirs("addPartitionsToTxn", v, {
          ...ids,
          topics: ADD_PARTITIONS_TO_TXN_REQUEST.topics.map((t) => ({
            topic: t.name,
            partitions: t.partitions,
          })),
        }),
        `AddPartitionsToTxn v${v}`,
      );
      assert.equal(
        ours(AddOffsetsToTxnApi, v, ADD_OFFSETS_TO_TXN_REQUEST),
        await theirs("addOffsetsToTxn", v, { ...ids, groupId: "g" }),
        `AddOffsetsToTxn v${v}`,
      );
      for (const committed of [true, false]) {
        assert.equal(
          ours(EndTxnApi, v, { ...END_TXN_REQUEST, committed }),
          await theirs("endTxn", v, { ...ids, transactionResult: committed }),
          `EndTxn v${v} ${committed}`,
        );
      }
      const offsets = txnOffsetCommitRequest(v);
      assert.equal(
        ours(TxnOffsetCommitApi, v, offsets),
        await theirs("txnOffsetCommit", v, {
          ...ids,
          groupId: "g",
          topics: offsets.topics.map((t) => ({
            topic: t.name,
            partitions: t.partitions.map((p) => ({
              partition: p.partitionIndex,
              offset: String(p.committedOffset),
              metadata: p.committedMetadata,
            })),
          })),
        }),
        `TxnOffsetCommit v${v}`,
      );

      // KafkaJS's v1 decoders move throttle_time_ms to clientSideThrottleTime.
      const throttle = (got: { throttleTime: number; clientSideThrottleTime?: number }) =>
        got.clientSideThrottleTime ?? got.throttleTime;
      const partitions = await theirDecode(
        "addPartitionsToTxn",
        v,
        ADD_PARTITIONS_TO_TXN_RESPONSES[0]!,
      );
      const mine = AddPartitionsToTxnApi.decodeResponse(
        new Reader(ADD_PARTITIONS_TO_TXN_RESPONSES[0]!),
        v,
      );
      assert.equal(throttle(partitions), mine.throttleTimeMs);
      assert.deepEqual(
        // deno-lint-ignore no-explicit-any
        partitions.errors.map((t: any) => [t.topic, t.partitionErrors]),
        mine.resultsByTopic.map((t) => [
          t.name,
          t.resultsByPartition.map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.partitionErrorCode,
          })),
        ]),
      );
      for (
        const [api, ourApi, body] of [
          ["addOffsetsToTxn", AddOffsetsToTxnApi, ADD_OFFSETS_TO_TXN_RESPONSES[0]!],
          ["endTxn", EndTxnApi, END_TXN_RESPONSES[0]!],
        ] as const
      ) {
        const got = await theirDecode(api, v, body);
        const want = ourApi.decodeResponse(new Reader(body), v);
        assert.deepEqual(
          [throttle(got), got.errorCode],
          [want.throttleTimeMs, want.errorCode],
          api,
        );
      }
      const commit = await theirDecode("txnOffsetCommit", v, TXN_OFFSET_COMMIT_RESPONSES[0]!);
      const want = TxnOffsetCommitApi.decodeResponse(
        new Reader(TXN_OFFSET_COMMIT_RESPONSES[0]!),
        v,
      );
      assert.equal(throttle(commit), want.throttleTimeMs);
      assert.deepEqual(
        // deno-lint-ignore no-explicit-any
        commit.topics.map((t: any) => [t.topic, t.partitions]),
        want.topics.map((t) => [
          t.name,
          t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: p.errorCode })),
        ]),
      );
    }
  });
});
