// The sender's drain and response handling, against a fake broker connection whose answers
// the test controls (the real-broker behaviour is covered in tests/producer/).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordAccumulator } from "../../src/accumulator/record_accumulator.ts";
import { ProducerBatch } from "../../src/accumulator/producer_batch.ts";
import {
  Sender,
  type SenderCluster,
  type SenderMetadata,
  type SenderOptions,
} from "../../src/sender/sender.ts";
import type { KafkaError } from "../../src/errors/kafka_error.ts";
import type { RequestChannel } from "../../src/connection/request_channel.ts";
import type { ApiDescriptor } from "../../src/protocol/api.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import type { InitProducerIdRequest } from "../../src/protocol/init_producer_id.ts";
import type { ProduceRequest, ProduceResponse } from "../../src/protocol/produce.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";
import { silentLogger } from "../../src/config/logger.ts";
import { TransactionManager } from "../../src/transaction/transaction_manager.ts";

interface SentRequest {
  request: ProduceRequest;
  version: number | undefined;
  answer: (response: ProduceResponse) => void;
  fail: (error: unknown) => void;
}

/**
 * A broker whose Produce answers the test gives; InitProducerId is answered at once: producer
 * id 42, epoch 0, and one more epoch per bump.
 */
class FakeConnection implements RequestChannel {
  readonly isOpen = true;
  readonly sent: SentRequest[] = [];
  /** InitProducerId requests seen. */
  readonly initProducerIds: InitProducerIdRequest[] = [];
  /** The Produce version the broker and client agree on. */
  version = 9;
  epoch = 0;
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    return api.apiKey === ApiKey.Produce ? this.version : api.maxVersion;
  }
  send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options?: { version?: number },
  ): Promise<Res | undefined> {
    if (api.apiKey === ApiKey.InitProducerId) {
      const init = request as InitProducerIdRequest;
      this.initProducerIds.push(init);
      if ((init.producerId ?? -1n) >= 0n) this.epoch++;
      return Promise.resolve({
        throttleTimeMs: 0,
        errorCode: 0,
        producerId: 42n,
        producerEpoch: this.epoch,
        ongoingTxnProducerId: -1n,
        ongoingTxnProducerEpoch: -1,
      } as Res);
    }
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

/** Every partition led by broker 1; topic ids as the test sets them. */
class FakeCluster implements SenderCluster {
  readonly connection = new FakeConnection();
  /** Topic ids metadata gave (Produce v13). */
  readonly topicIds = new Map<string, Uint8Array>();
  leaderFor(): number {
    return 1;
  }
  topicView(topic: string) {
    return { topicId: this.topicIds.get(topic) };
  }
  updateLeader(): void {}
  connectionTo(): Promise<RequestChannel> {
    return Promise.resolve(this.connection);
  }
  anyConnection(): Promise<RequestChannel> {
    return Promise.resolve(this.connection);
  }
  addBrokers(): void {}
}

class FakeMetadata implements SenderMetadata {
  requests = 0;
  readonly fatalError = undefined;
  requestUpdate(): Promise<void> {
    this.requests++;
    return Promise.resolve();
  }
  authenticationFailed(): boolean {
    return false;
  }
  stopWaiting(): void {}
}

/** The accumulator, with the outcomes the sender reports recorded. */
class RecordingAccumulator extends RecordAccumulator {
  /** Batches reported acknowledged (`recordCount` as then: a done batch's buffer is reused). */
  readonly completed: Array<{ batch: ProducerBatch; baseOffset: bigint; recordCount: number }> = [];
  readonly failed: Array<{ batch: ProducerBatch; error: KafkaError }> = [];
  readonly replaced: Array<{ batch: ProducerBatch; failedIndexes: ReadonlyMap<number, string> }> =
    [];
  override complete(batch: ProducerBatch, baseOffset: bigint, logAppendTimeMs: bigint): void {
    this.completed.push({ batch, baseOffset, recordCount: batch.recordCount });
    super.complete(batch, baseOffset, logAppendTimeMs);
  }
  override fail(batch: ProducerBatch, error: KafkaError): void {
    this.failed.push({ batch, error });
    super.fail(batch, error);
  }
  override splitAndReenqueue(
    batch: ProducerBatch,
    failedIndexes: ReadonlyMap<number, string>,
    error: KafkaError,
  ): void {
    this.replaced.push({ batch, failedIndexes });
    super.splitAndReenqueue(batch, failedIndexes, error);
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
  reconnectBackoffMs: 50,
};

function setup(options: Partial<SenderOptions> & { idempotent?: boolean } = {}, batchSize = 1024) {
  const { idempotent = true, ...senderOptions } = options;
  const cluster = new FakeCluster();
  const metadata = new FakeMetadata();
  const accumulator = new RecordingAccumulator({
    batchSize,
    deliveryTimeoutMs: 120_000,
    poolSize: 4,
  });
  const transactions = new TransactionManager(cluster, {
    idempotent,
    retryBackoffMs: 1,
    retryBackoffMaxMs: 1,
    logger: silentLogger,
  });
  const sender = new Sender(accumulator, transactions, metadata, cluster, {
    ...OPTIONS,
    ...senderOptions,
  });
  const value = new Uint8Array(100);
  const append = (partition: number, count = 1) => {
    for (let i = 0; i < count; i++) {
      const batch = accumulator.append(
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
      if (batch.recordCount === 1) sender.wake(); // as the producer does for a new batch
    }
  };
  /** What producer.flush() does: every batch incomplete now is ready at once. */
  const flush = () => {
    void accumulator.flush();
    sender.wake();
  };
  const host = {
    connection: cluster.connection,
    topicIds: cluster.topicIds,
    completed: accumulator.completed,
    failed: accumulator.failed,
    replaced: accumulator.replaced,
    get metadataRequests() {
      return metadata.requests;
    },
  };
  return { host, accumulator, sender, append, flush };
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
    const { host, sender, flush, append } = setup();
    append(0, 3);
    append(1, 3);
    append(2, 3);
    flush();
    await tick();
    assert.equal(host.connection.sent.length, 1);
    const partitions = host.connection.sent[0]!.request.topicData[0]!.partitionData.map((p) =>
      p.index
    );
    assert.deepEqual(partitions.sort(), [0, 1, 2]);
    sender.close();
  });

  it("assigns consecutive sequences per partition and keeps at most maxInFlight requests", async () => {
    const { host, sender, flush, append } = setup({ maxInFlightRequestsPerConnection: 2 }, 300);
    append(0, 8); // 300-byte batches of 2 records → 4 batches
    flush();
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
    const { host, sender, flush, append } = setup({ maxInFlightRequestsPerConnection: 1 }, 300);
    append(0, 4); // two batches
    flush();
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
    const { host, sender, flush, append } = setup();
    append(0, 1);
    flush();
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
    const { host, sender, flush, append } = setup();
    append(0, 2);
    flush();
    await tick();
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, -1n, 87));
    await tick();
    assert.equal(host.failed.length, 1);
    assert.equal(host.failed[0]!.error.code, "INVALID_RECORD");
    assert.equal(host.connection.sent.length, 1);
    sender.close();
  });

  it("hands per-record errors (Produce v8) to the host to fail only the named records", async () => {
    const { host, sender, flush, append } = setup();
    append(0, 5);
    flush();
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
    const { host, sender, flush, append } = setup();
    append(0, 1);
    flush();
    await tick();
    host.connection.sent[0]!.answer(okResponse(host.connection.sent[0]!.request, -1n, 46));
    await tick();
    assert.equal(host.completed.length, 1);
    sender.close();
  });

  it("on OUT_OF_ORDER_SEQUENCE_NUMBER waits for in-flight answers, bumps the epoch and renumbers from 0", async () => {
    const { host, sender, flush, append } = setup({ maxInFlightRequestsPerConnection: 2 }, 300);
    append(0, 4);
    flush();
    await tick();
    const [a, b] = host.connection.sent;
    a!.answer(okResponse(a!.request, -1n, 45));
    await tick();
    assert.equal(host.connection.initProducerIds.length, 1, "no bump while a request is in flight");
    b!.answer(okResponse(b!.request, -1n, 45));
    await tick();
    assert.equal(host.connection.initProducerIds.length, 2, "the epoch was bumped");
    assert.equal(host.connection.initProducerIds[1]!.producerEpoch, 0, "from the current epoch");
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

  it("an epoch bump for one partition never renumbers another partition's batch whose outcome is unknown (it would be stored twice)", async () => {
    const { host, sender, flush, append } = setup();
    /** [partition, producer epoch, base sequence] of each batch a request carries. */
    const stamps = (sent: SentRequest) =>
      sent.request.topicData.flatMap((topic) =>
        topic.partitionData.map((partition) => {
          const batch = decodeRecordBatches(partition.records!)[0]!;
          return [partition.index, batch.producerEpoch, batch.baseSequence];
        })
      );
    const stamp = (sent: SentRequest) => stamps(sent)[0]!;
    append(0, 2);
    flush();
    await tick();
    append(1, 2);
    flush();
    await tick();
    const [toPartition0, toPartition1] = host.connection.sent;
    assert.deepEqual([stamp(toPartition0!), stamp(toPartition1!)], [[0, 0, 0], [1, 0, 0]]);
    // Partition 0's request is lost after the broker may have written it; partition 1's
    // first batch meets a gap the broker reports (OUT_OF_ORDER_SEQUENCE_NUMBER).
    toPartition0!.fail(new ConnectionError("gone after writing"));
    toPartition1!.answer(okResponse(toPartition1!.request, -1n, 45));
    await tick();
    assert.equal(host.connection.initProducerIds.length, 2, "the epoch was bumped");
    const again = host.connection.sent.slice(2).flatMap(stamps).sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(
      again,
      [[0, 0, 0], [1, 1, 0]],
      "partition 0 retries under epoch 0 with its sequence (the broker deduplicates it); partition 1 restarts under epoch 1",
    );
    for (const sent of host.connection.sent.slice(2)) sent.answer(okResponse(sent.request, 7n));
    await tick();
    // Partition 0 moves to epoch 1 (at sequence 0) only now that epoch 0's batch is settled.
    append(0, 1);
    flush();
    await tick();
    assert.deepEqual(stamp(host.connection.sent.at(-1)!), [0, 1, 0]);
    sender.close();
  });

  it("OUT_OF_ORDER_SEQUENCE_NUMBER behind a batch still being retried is retried without an epoch bump", async () => {
    const { host, sender, flush, append } = setup({ maxInFlightRequestsPerConnection: 2 }, 300);
    append(0, 4); // two batches: sequences 0 and 2
    flush();
    await tick();
    const [a, b] = host.connection.sent;
    a!.fail(new ConnectionError("lost")); // outcome unknown
    b!.answer(okResponse(b!.request, -1n, 45)); // 2 is not next after nothing acknowledged
    await tick();
    assert.equal(host.connection.initProducerIds.length, 1, "no epoch bump");
    const retried = host.connection.sent[2]!;
    assert.deepEqual(sequencesOf(retried.request), [0]);
    retried.answer(okResponse(retried.request, 0n, 46)); // DUPLICATE_SEQUENCE_NUMBER: written
    await tick();
    const last = host.connection.sent[3]!;
    assert.deepEqual(sequencesOf(last.request), [2], "same epoch, same sequence");
    last.answer(okResponse(last.request, 2n));
    await tick();
    assert.equal(host.completed.length, 2);
    assert.equal(host.failed.length, 0);
    assert.equal(host.connection.initProducerIds.length, 1);
    sender.close();
  });

  it("names topics by id at Produce v13 and matches the answer by id", async () => {
    const { host, sender, flush, append } = setup();
    host.connection.version = 13;
    const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    host.topicIds.set("t", id);
    append(0, 2);
    flush();
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
    sender.close();
  });

  it("falls back to Produce v12 (topic names) when metadata gave no topic id", async () => {
    const { host, sender, flush, append } = setup();
    host.connection.version = 13;
    append(0, 1);
    flush();
    await tick();
    const sent = host.connection.sent[0]!;
    assert.equal(sent.version, 12);
    assert.equal(sent.request.topicData[0]!.topicId, undefined);
    sent.answer(okResponse(sent.request, 3n));
    await tick();
    assert.equal(host.completed[0]!.baseOffset, 3n);
    sender.close();
  });

  it("retries UNKNOWN_TOPIC_ID after asking for metadata (the topic was re-created)", async () => {
    const { host, sender, flush, append } = setup();
    host.connection.version = 13;
    const id = new Uint8Array(16).fill(9);
    host.topicIds.set("t", id);
    append(0, 1);
    flush();
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
    sender.close();
  });

  it("respects maxRequestSize when filling a request", async () => {
    const { host, sender, flush, append } = setup({ maxRequestSize: 500 }, 300);
    append(0, 2);
    append(1, 2);
    append(2, 2);
    flush();
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
    const { host, sender, flush, accumulator, append } = setup({
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
    flush();
    await tick();
    assert.equal(pending.length, 1, "compression started");
    assert.equal(host.connection.sent.length, 0, "nothing sent before it is done");
    append(0, 2); // must go into a new batch: the compressing one is closed
    flush(); // a flush covers what was accepted before it: this one covers the second batch
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
    assert.deepEqual(host.completed.map((c) => [c.recordCount, c.baseOffset]), [[3, 0n], [
      2,
      3n,
    ]]);
    sender.close();
  });

  it("never sends an empty batch: one found in a queue completes without a request", async () => {
    const { host, sender, flush, accumulator, append } = setup({ idempotent: false });
    const empty = new ProducerBatch("t", 0, 1024, Date.now(), 120_000);
    accumulator.requeue(empty);
    append(1);
    flush();
    await tick();
    assert.deepEqual(host.completed.map((c) => c.batch), [empty]);
    assert.equal(host.connection.sent.length, 1);
    assert.deepEqual(
      host.connection.sent[0]!.request.topicData[0]!.partitionData.map((p) => p.index),
      [1],
    );
    sender.close();
  });

  it("fails a batch whose asynchronous compression fails, with a RecordError", async () => {
    const { host, sender, flush, append } = setup({
      idempotent: false,
      compress: () => Promise.reject(new Error("codec exploded")),
    });
    append(1, 2);
    flush();
    await tick();
    assert.equal(host.connection.sent.length, 0);
    assert.equal(host.failed.length, 1);
    assert.equal(host.failed[0]!.error.name, "RecordError");
    assert.match(
      host.failed[0]!.error.message,
      /Cannot compress a batch of 2 record\(s\) for t-1: codec exploded/,
    );
    sender.close();
  });
});
