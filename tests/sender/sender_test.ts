// The sender's drain and response handling, against a fake broker connection whose answers
// the test controls (the real-broker behaviour is covered in tests/producer/).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordAccumulator } from "../../src/accumulator/record_accumulator.ts";
import { ProducerBatch } from "../../src/accumulator/producer_batch.ts";
import {
  Sender,
  type SenderConnection,
  type SenderHost,
  type SenderOptions,
} from "../../src/sender/sender.ts";
import type { KafkaError } from "../../src/errors/kafka_error.ts";
import type { ProduceRequest, ProduceResponse } from "../../src/protocol/produce.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";

interface SentRequest {
  request: ProduceRequest;
  version: number | undefined;
  answer: (response: ProduceResponse) => void;
  fail: (error: unknown) => void;
}

class FakeConnection implements SenderConnection {
  readonly isOpen = true;
  readonly sent: SentRequest[] = [];
  /** The Produce version the broker and client agree on. */
  version = 9;
  versionFor(): number {
    return this.version;
  }
  send<Req, Res>(
    _api: unknown,
    request: Req,
    options?: { version?: number },
  ): Promise<Res | undefined> {
    return new Promise((resolve, reject) => {
      this.sent.push({
        request: request as ProduceRequest,
        version: options?.version,
        answer: (response) => resolve(response as Res),
        fail: reject,
      });
    });
  }
}

class FakeHost implements SenderHost {
  readonly connection = new FakeConnection();
  readonly completed: Array<{ batch: ProducerBatch; baseOffset: bigint }> = [];
  readonly failed: Array<{ batch: ProducerBatch; error: KafkaError }> = [];
  readonly replaced: Array<{ batch: ProducerBatch; failedIndexes: Map<number, string> }> = [];
  metadataRequests = 0;
  epochBumps = 0;
  identity: { producerId: bigint; producerEpoch: number } | undefined = {
    producerId: 42n,
    producerEpoch: 0,
  };
  /** Topic ids metadata gave (Produce v13). */
  readonly topicIds = new Map<string, Uint8Array>();
  leaderFor(): number {
    return 1;
  }
  topicIdFor(topic: string): Uint8Array | undefined {
    return this.topicIds.get(topic);
  }
  connectionFor(): SenderConnection {
    return this.connection;
  }
  requestMetadataRefresh(): void {
    this.metadataRequests++;
  }
  leaderHint(): void {}
  producerIdentity() {
    return this.identity;
  }
  requestEpochBump(): void {
    this.epochBumps++;
  }
  batchCompleted(batch: ProducerBatch, baseOffset: bigint): void {
    this.completed.push({ batch, baseOffset });
  }
  batchFailed(batch: ProducerBatch, error: KafkaError): void {
    this.failed.push({ batch, error });
  }
  batchReplaced(
    batch: ProducerBatch,
    _replacements: ProducerBatch[],
    failedIndexes: Map<number, string>,
  ): void {
    this.replaced.push({ batch, failedIndexes });
  }
}

const OPTIONS: SenderOptions = {
  acks: -1,
  lingerMs: 10_000,
  requestTimeoutMs: 30_000,
  maxRequestSize: 1_048_576,
  maxInFlightRequestsPerConnection: 5,
  retries: 2_147_483_647,
  retryBackoffMs: 1,
  retryBackoffMaxMs: 1,
  idempotent: true,
};

function setup(options: Partial<SenderOptions> = {}, batchSize = 1024) {
  const host = new FakeHost();
  const wake = { sender: undefined as Sender | undefined };
  const accumulator = new RecordAccumulator({
    batchSize,
    deliveryTimeoutMs: 120_000,
    poolSize: 4,
    onBatchFull: () => wake.sender?.wake(),
  });
  const sender = wake.sender = new Sender(accumulator, host, { ...OPTIONS, ...options });
  const value = new Uint8Array(100);
  const append = (partition: number, count = 1) => {
    for (let i = 0; i < count; i++) {
      accumulator.append(
        "t",
        partition,
        1000 + i,
        null,
        value,
        undefined,
        120,
        undefined,
        Date.now(),
      );
    }
  };
  return { host, sender, accumulator, append };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function okResponse(
  request: ProduceRequest,
  baseOffset = 0n,
  errorCode = 0,
  extra: Partial<ProduceResponse["responses"][number]["partitionResponses"][number]> = {},
): ProduceResponse {
  return {
    throttleTimeMs: 0,
    responses: request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((partition) => ({
        index: partition.index,
        errorCode,
        baseOffset,
        logAppendTimeMs: -1n,
        logStartOffset: 0n,
        recordErrors: [],
        errorMessage: null,
        currentLeader: undefined,
        ...extra,
      })),
    })),
    nodeEndpoints: [],
  } as ProduceResponse;
}

function sequencesOf(request: ProduceRequest): number[] {
  return request.topicData.flatMap((topic) =>
    topic.partitionData.map((partition) => decodeRecordBatches(partition.records!)[0]!.baseSequence)
  );
}

describe("Sender", () => {
  it("waits lingerMs for a batch that is not full, and sends full batches at once", async () => {
    const { host, sender, append } = setup();
    append(0, 1);
    sender.wake();
    await tick();
    assert.equal(host.connection.sent.length, 0, "a lone open batch waits for lingerMs");
    append(0, 10); // past batchSize: the first batch closes
    await tick();
    assert.equal(host.connection.sent.length, 1);
    sender.close();
  });

  it("flush makes every batch ready and puts one batch per partition in a request", async () => {
    const { host, sender, append } = setup();
    append(0, 3);
    append(1, 3);
    append(2, 3);
    sender.beginFlush();
    await tick();
    assert.equal(host.connection.sent.length, 1);
    const partitions = host.connection.sent[0]!.request.topicData[0]!.partitionData.map((p) =>
      p.index
    );
    assert.deepEqual(partitions.sort(), [0, 1, 2]);
    sender.close();
  });

  it("assigns consecutive sequences per partition and keeps at most maxInFlight requests", async () => {
    const { host, sender, append } = setup({ maxInFlightRequestsPerConnection: 2 }, 300);
    append(0, 8); // 300-byte batches of 2 records → 4 batches
    sender.beginFlush();
    await tick();
    assert.equal(host.connection.sent.length, 2, "in-flight limit");
    assert.deepEqual(host.connection.sent.map((s) => sequencesOf(s.request)[0]), [0, 2]);
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, 0n));
    await tick();
    assert.equal(host.connection.sent.length, 3);
    assert.equal(sequencesOf(host.connection.sent[2]!.request)[0], 4);
    assert.equal(host.completed.length, 1);
    sender.close();
  });

  it("retries a retriable error with the same sequence, before later batches, and completes in order", async () => {
    const { host, sender, append } = setup({ maxInFlightRequestsPerConnection: 1 }, 300);
    append(0, 4); // two batches
    sender.beginFlush();
    await tick();
    const first = host.connection.sent[0]!;
    first.answer(okResponse(first.request, -1n, 7)); // REQUEST_TIMED_OUT
    await tick();
    const retry = host.connection.sent[1]!;
    assert.deepEqual(
      sequencesOf(retry.request),
      [0],
      "the failed batch goes again first, same sequence",
    );
    retry.answer(okResponse(retry.request, 0n));
    await tick();
    const second = host.connection.sent[2]!;
    assert.deepEqual(sequencesOf(second.request), [2]);
    second.answer(okResponse(second.request, 2n));
    await tick();
    assert.deepEqual(host.completed.map((c) => c.baseOffset), [0n, 2n]);
    assert.equal(host.failed.length, 0);
    sender.close();
  });

  it("asks for metadata after NOT_LEADER_OR_FOLLOWER and after a lost connection", async () => {
    const { host, sender, append } = setup();
    append(0, 1);
    sender.beginFlush();
    await tick();
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, -1n, 6));
    await tick();
    assert.equal(host.metadataRequests, 1);
    host.connection.sent[1]!.fail(new ConnectionError("gone"));
    await tick();
    assert.equal(host.metadataRequests, 2);
    host.connection.sent[2]!.answer(okResponse(host.connection.sent[2]!.request, 5n));
    await tick();
    assert.deepEqual(host.completed.map((c) => c.baseOffset), [5n]);
    sender.close();
  });

  it("fails a batch on a non-retriable error without retrying", async () => {
    const { host, sender, append } = setup();
    append(0, 2);
    sender.beginFlush();
    await tick();
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, -1n, 87));
    await tick();
    assert.equal(host.failed.length, 1);
    assert.equal(host.failed[0]!.error.code, "INVALID_RECORD");
    assert.equal(host.connection.sent.length, 1);
    sender.close();
  });

  it("hands per-record errors (Produce v8) to the host to fail only the named records", async () => {
    const { host, sender, append } = setup();
    append(0, 5);
    sender.beginFlush();
    await tick();
    const sent = host.connection.sent[0]!;
    sent.answer(
      okResponse(sent.request, -1n, 87, {
        recordErrors: [{ batchIndex: 3, batchIndexErrorMessage: "bad key" }],
      }),
    );
    await tick();
    assert.equal(host.replaced.length, 1);
    assert.deepEqual([...host.replaced[0]!.failedIndexes], [[3, "bad key"]]);
    assert.equal(host.failed.length, 0);
    sender.close();
  });

  it("treats DUPLICATE_SEQUENCE_NUMBER as delivered", async () => {
    const { host, sender, append } = setup();
    append(0, 1);
    sender.beginFlush();
    await tick();
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, -1n, 46));
    await tick();
    assert.equal(host.completed.length, 1);
    sender.close();
  });

  it("on OUT_OF_ORDER_SEQUENCE_NUMBER waits for in-flight answers, bumps the epoch and renumbers from 0", async () => {
    const { host, sender, append } = setup({ maxInFlightRequestsPerConnection: 2 }, 300);
    append(0, 4);
    sender.beginFlush();
    await tick();
    const [a, b] = host.connection.sent;
    a!.answer(okResponse(a!.request, -1n, 45));
    await tick();
    assert.equal(host.epochBumps, 0, "no bump while a request is in flight");
    b!.answer(okResponse(b!.request, -1n, 45));
    await tick();
    assert.equal(host.epochBumps, 1);
    host.identity = { producerId: 42n, producerEpoch: 1 };
    sender.resetSequences();
    await tick();
    const resent = host.connection.sent.slice(2);
    assert.deepEqual(
      resent.map((s) => sequencesOf(s.request)[0]),
      [0],
      "renumbered, first batch alone while retrying",
    );
    const batch = decodeRecordBatches(
      resent[0]!.request.topicData[0]!.partitionData[0]!.records!,
    )[0]!;
    assert.equal(batch.producerEpoch, 1);
    sender.close();
  });

  it("names topics by id at Produce v13 and matches the answer by id", async () => {
    const { host, sender, append } = setup();
    host.connection.version = 13;
    const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    host.topicIds.set("t", id);
    append(0, 2);
    sender.beginFlush();
    await tick();
    const sent = host.connection.sent[0]!;
    assert.equal(sent.version, 13);
    assert.deepEqual(sent.request.topicData[0]!.topicId, id);
    // A v13 answer has no names: only the id ties it to the batch.
    const answer = okResponse(sent.request, 7n);
    const byId = {
      ...answer,
      responses: answer.responses.map((t) => ({ ...t, name: null, topicId: id })),
    };
    sent.answer(byId as ProduceResponse);
    await tick();
    assert.equal(host.completed.length, 1);
    assert.equal(host.completed[0]!.baseOffset, 7n);
    sender.endFlush();
    sender.close();
  });

  it("falls back to Produce v12 (topic names) when metadata gave no topic id", async () => {
    const { host, sender, append } = setup();
    host.connection.version = 13;
    append(0, 1);
    sender.beginFlush();
    await tick();
    const sent = host.connection.sent[0]!;
    assert.equal(sent.version, 12);
    assert.equal(sent.request.topicData[0]!.topicId, undefined);
    sent.answer(okResponse(sent.request, 3n));
    await tick();
    assert.equal(host.completed[0]!.baseOffset, 3n);
    sender.endFlush();
    sender.close();
  });

  it("retries UNKNOWN_TOPIC_ID after asking for metadata (the topic was re-created)", async () => {
    const { host, sender, append } = setup();
    host.connection.version = 13;
    const id = new Uint8Array(16).fill(9);
    host.topicIds.set("t", id);
    append(0, 1);
    sender.beginFlush();
    await tick();
    const first = host.connection.sent[0]!;
    const unknown = okResponse(first.request, -1n, 100);
    first.answer({
      ...unknown,
      responses: unknown.responses.map((t) => ({ ...t, name: null, topicId: id })),
    } as ProduceResponse);
    await tick();
    assert.deepEqual(host.failed.map((f) => f.error.message), []);
    assert.ok(host.metadataRequests > 0, "asked for fresh metadata");
    await tick();
    assert.equal(host.connection.sent.length, 2, "sent again");
    sender.endFlush();
    sender.close();
  });

  it("respects maxRequestSize when filling a request", async () => {
    const { host, sender, append } = setup({ maxRequestSize: 500 }, 300);
    append(0, 2);
    append(1, 2);
    append(2, 2);
    sender.beginFlush();
    await tick();
    for (const sent of host.connection.sent) {
      const bytes = sent.request.topicData.flatMap((t) => t.partitionData).reduce(
        (n, p) => n + p.records!.length,
        0,
      );
      assert.ok(
        bytes <= 500 || sent.request.topicData[0]!.partitionData.length === 1,
        `request of ${bytes} bytes`,
      );
    }
    assert.ok(host.connection.sent.length >= 2);
    sender.close();
  });

  it("waits for asynchronous compression with the batch closed, keeping partition order", async () => {
    const pending: Array<{ records: Uint8Array; resolve: () => void }> = [];
    const { host, sender, accumulator, append } = setup({
      idempotent: false,
      compress: (records) =>
        new Promise((resolve) =>
          pending.push({
            records: records.slice(),
            resolve: () => resolve({ attribute: 1, records: records.slice() }),
          })
        ),
    });
    append(0, 3);
    sender.beginFlush();
    await tick();
    assert.equal(pending.length, 1, "compression started");
    assert.equal(host.connection.sent.length, 0, "nothing sent before it is done");
    append(0, 2); // must go into a new batch: the compressing one is closed
    const queue = accumulator.queueFor("t", 0);
    assert.equal(queue.batches.length, 2);
    assert.equal(queue.batches[0]!.recordCount, 3);
    await tick();
    assert.equal(pending.length, 1, "the second batch waits behind the first");
    pending[0]!.resolve();
    await tick();
    assert.equal(host.connection.sent.length, 1);
    const first = host.connection.sent[0]!.request.topicData[0]!.partitionData[0]!.records!;
    assert.equal(first[22], 1, "gzip attribute set"); // attributes low byte (offset 21-22)
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, 0n));
    await tick();
    assert.equal(pending.length, 2, "then the next batch is compressed");
    pending[1]!.resolve();
    await tick();
    assert.equal(host.connection.sent.length, 2);
    host.connection.sent[1]!.answer(okResponse(host.connection.sent[1]!.request, 3n));
    await tick();
    assert.deepEqual(host.completed.map((c) => [c.batch.recordCount, c.baseOffset]), [[3, 0n], [
      2,
      3n,
    ]]);
    sender.endFlush();
    sender.close();
  });

  it("never sends an empty batch: one found in a queue completes without a request", async () => {
    const { host, sender, accumulator, append } = setup({ idempotent: false });
    const empty = new ProducerBatch("t", 0, 1024, Date.now(), 120_000);
    accumulator.requeue(empty);
    append(1);
    sender.beginFlush();
    await tick();
    assert.deepEqual(host.completed.map((c) => c.batch), [empty]);
    assert.equal(host.connection.sent.length, 1);
    assert.deepEqual(
      host.connection.sent[0]!.request.topicData[0]!.partitionData.map((p) => p.index),
      [1],
    );
    sender.endFlush();
    sender.close();
  });

  it("fails a batch whose asynchronous compression fails, with a RecordError", async () => {
    const { host, sender, append } = setup({
      idempotent: false,
      compress: () => Promise.reject(new Error("codec exploded")),
    });
    append(1, 2);
    sender.beginFlush();
    await tick();
    assert.equal(host.connection.sent.length, 0);
    assert.equal(host.failed.length, 1);
    assert.equal(host.failed[0]!.error.name, "RecordError");
    assert.match(
      host.failed[0]!.error.message,
      /Cannot compress a batch of 2 record\(s\) for t-1: codec exploded/,
    );
    sender.endFlush();
    sender.close();
  });
});
