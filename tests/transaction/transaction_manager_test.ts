// The transaction manager's state machine and the idempotent producer's identity, against a
// fake broker that answers InitProducerId as the test says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../src/config/logger.ts";
import type { RequestChannel } from "../../src/connection/request_channel.ts";
import type { ApiDescriptor } from "../../src/protocol/api.ts";
import type {
  InitProducerIdRequest,
  InitProducerIdResponse,
} from "../../src/protocol/init_producer_id.ts";
import {
  isTransitionValid,
  type SequencedBatch,
  TransactionManager,
  TransactionState,
} from "../../src/transaction/transaction_manager.ts";
import { BrokerError } from "../../src/errors/broker_error.ts";
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionStateError,
} from "../../src/errors/transaction_errors.ts";

/** Answers each InitProducerId with the next of `answers` (error codes or identities). */
class FakeBroker implements RequestChannel {
  readonly isOpen = true;
  readonly requests: InitProducerIdRequest[] = [];
  readonly answers: Array<Partial<InitProducerIdResponse>>;
  constructor(answers: Array<Partial<InitProducerIdResponse>>) {
    this.answers = answers;
  }
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    return api.maxVersion;
  }
  send<Req, Res>(_api: ApiDescriptor<Req, Res>, request: Req): Promise<Res | undefined> {
    this.requests.push(request as InitProducerIdRequest);
    const answer = this.answers.shift() ?? {};
    return Promise.resolve({
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 7n,
      producerEpoch: 0,
      ongoingTxnProducerId: -1n,
      ongoingTxnProducerEpoch: -1,
      ...answer,
    } as Res);
  }
}

function manager(broker: FakeBroker, idempotent = true) {
  const network = {
    anyConnection: () => Promise.resolve(broker),
    connectionTo: () => Promise.resolve(broker),
    addBrokers: () => {},
  };
  return new TransactionManager(network, {
    idempotent,
    retryBackoffMs: 1,
    retryBackoffMaxMs: 5,
    logger: silentLogger,
  });
}

const S = TransactionState;

/** A batch as the transaction manager sees it, not numbered yet. */
function batch(topic: string, partition: number, recordCount: number): SequencedBatch {
  return { topic, partition, recordCount, producerId: -1n, producerEpoch: -1, baseSequence: -1 };
}

describe("TransactionManager", () => {
  it("isTransitionValid() allows exactly Java's transitions", () => {
    const all = Object.values(S);
    const allowed = new Set([
      "READY>UNINITIALIZED",
      "ABORTABLE_ERROR>UNINITIALIZED",
      "UNINITIALIZED>INITIALIZING",
      "ABORTING_TRANSACTION>INITIALIZING",
      "INITIALIZING>READY",
      "COMMITTING_TRANSACTION>READY",
      "ABORTING_TRANSACTION>READY",
      "READY>IN_TRANSACTION",
      "IN_TRANSACTION>COMMITTING_TRANSACTION",
      "IN_TRANSACTION>ABORTING_TRANSACTION",
      "ABORTABLE_ERROR>ABORTING_TRANSACTION",
      "IN_TRANSACTION>ABORTABLE_ERROR",
      "COMMITTING_TRANSACTION>ABORTABLE_ERROR",
      "ABORTABLE_ERROR>ABORTABLE_ERROR",
      "INITIALIZING>ABORTABLE_ERROR",
      ...all.map((source) => `${source}>FATAL_ERROR`),
    ]);
    for (const source of all) {
      for (const target of all) {
        assert.equal(
          isTransitionValid(source, target),
          allowed.has(`${source}>${target}`),
          `${source} -> ${target}`,
        );
      }
    }
  });

  it("TransactionManager.ensureProducerId() takes an idempotent producer from UNINITIALIZED to READY once", async () => {
    const broker = new FakeBroker([{ producerId: 11n, producerEpoch: 3 }]);
    const transactions = manager(broker);
    assert.equal(transactions.state, S.Uninitialized);
    assert.equal(transactions.producerIdAndEpoch, undefined);
    const first = transactions.ensureProducerId();
    assert.equal(transactions.ensureProducerId(), first, "callers share one InitProducerId");
    assert.equal(transactions.state, S.Initializing);
    await first;
    assert.equal(transactions.state, S.Ready);
    assert.deepEqual(transactions.producerIdAndEpoch, { producerId: 11n, producerEpoch: 3 });
    assert.equal(transactions.ensureProducerId(), undefined, "nothing to wait for");
    assert.equal(broker.requests.length, 1);
    assert.equal(broker.requests[0]!.transactionalId, null);
  });

  it("TransactionManager.bumpEpoch() asks with the current id and epoch; only the partition that asked restarts at 0 at once", async () => {
    const broker = new FakeBroker([{ producerId: 11n, producerEpoch: 3 }, {
      producerId: 11n,
      producerEpoch: 4,
    }]);
    const transactions = manager(broker);
    await transactions.ensureProducerId();
    const a1 = batch("a", 0, 5);
    const a2 = batch("a", 0, 2);
    const b1 = batch("b", 0, 4);
    for (const b of [a1, a2, b1]) assert.equal(transactions.mayNumber(b, 0), true);
    assert.deepEqual([a1.baseSequence, a2.baseSequence, b1.baseSequence], [0, 5, 0]);
    assert.equal(transactions.hasCurrentSequence(a2), true);
    transactions.requestEpochBumpFor("a", 0);
    assert.equal(transactions.epochBumpRequired, true);
    await transactions.bumpEpoch();
    assert.equal(transactions.epochBumpRequired, false);
    assert.equal(broker.requests[1]!.producerId, 11n);
    assert.equal(broker.requests[1]!.producerEpoch, 3);
    assert.deepEqual(transactions.producerIdAndEpoch, { producerId: 11n, producerEpoch: 4 });
    // Partition a restarted: its batches are numbered again, in queue order, under epoch 4.
    assert.equal(transactions.hasCurrentSequence(a1), false, "numbered under epoch 3");
    assert.equal(transactions.mayNumber(a1, 0), true);
    assert.equal(transactions.mayNumber(a2, 1), true);
    assert.deepEqual([a1.producerEpoch, a1.baseSequence, a2.baseSequence], [4, 0, 5]);
    // Partition b keeps epoch 3: its batch in flight (outcome unknown) is never renumbered...
    assert.equal(transactions.hasCurrentSequence(b1), true);
    assert.equal(transactions.mayNumber(b1, 0), true);
    assert.deepEqual([b1.producerEpoch, b1.baseSequence], [3, 0]);
    // ...and a new batch there waits until nothing of epoch 3 is in flight, then starts at 0.
    const b2 = batch("b", 0, 1);
    assert.equal(transactions.mayNumber(b2, 1), false);
    assert.equal(b2.baseSequence, -1);
    transactions.batchAcknowledged(b1);
    assert.equal(transactions.mayNumber(b2, 0), true);
    assert.deepEqual([b2.producerEpoch, b2.baseSequence], [4, 0]);
    assert.equal(transactions.state, S.Ready);
  });

  it("TransactionManager.sequenceErrorNeedsBump() follows Java's canRetry: OUT_OF_ORDER_SEQUENCE_NUMBER bumps only for the batch right after the last acknowledged one", async () => {
    const transactions = manager(new FakeBroker([]));
    await transactions.ensureProducerId();
    const [b1, b2, b3] = [batch("t", 0, 2), batch("t", 0, 3), batch("t", 0, 1)];
    for (const b of [b1, b2, b3]) transactions.mayNumber(b, 0);
    const OOOS = "OUT_OF_ORDER_SEQUENCE_NUMBER";
    // b1 not acknowledged yet: b2 and b3 wait behind it (retry, no bump); b1 itself is a gap.
    assert.equal(transactions.sequenceErrorNeedsBump(b2, OOOS, 0n), false);
    assert.equal(transactions.sequenceErrorNeedsBump(b3, OOOS, 0n), false);
    assert.equal(transactions.sequenceErrorNeedsBump(b1, OOOS, 0n), true);
    transactions.batchAcknowledged(b1);
    assert.equal(transactions.sequenceErrorNeedsBump(b2, OOOS, 0n), true);
    assert.equal(transactions.sequenceErrorNeedsBump(b3, OOOS, 0n), false);
    // UNKNOWN_PRODUCER_ID: retried as is while the broker does not know the log start offset.
    assert.equal(transactions.sequenceErrorNeedsBump(b2, "UNKNOWN_PRODUCER_ID", -1n), false);
    assert.equal(transactions.sequenceErrorNeedsBump(b2, "UNKNOWN_PRODUCER_ID", 10n), true);
    assert.equal(transactions.sequenceErrorNeedsBump(b2, "INVALID_PRODUCER_EPOCH", 0n), true);
    // A batch not numbered under its partition's identity is numbered again anyway.
    assert.equal(transactions.sequenceErrorNeedsBump(batch("t", 1, 1), OOOS, 0n), false);
  });

  it("TransactionManager.batchFailed(): refused for good bumps the partition; an unknown outcome waits until the partition settled, then bumps only if there is a gap", async () => {
    const transactions = manager(new FakeBroker([{ producerId: 1n, producerEpoch: 0 }]));
    await transactions.ensureProducerId();
    // Refused by the broker (not written): the sequences have a gap now.
    const refused = batch("r", 0, 2);
    transactions.mayNumber(refused, 0);
    transactions.batchFailed(refused, false);
    assert.equal(transactions.epochBumpRequired, true);

    const unknown = manager(new FakeBroker([{ producerId: 1n, producerEpoch: 0 }]));
    await unknown.ensureProducerId();
    // Written after all: a later batch was acknowledged, so no gap and no bump.
    const [u1, u2] = [batch("u", 0, 2), batch("u", 0, 2)];
    unknown.mayNumber(u1, 0);
    unknown.mayNumber(u2, 1);
    unknown.batchFailed(u1, true);
    assert.equal(unknown.epochBumpRequired, false);
    const u3 = batch("u", 0, 1);
    assert.equal(unknown.mayNumber(u3, 1), false, "waits while u2 is in flight");
    unknown.batchAcknowledged(u2);
    assert.equal(unknown.mayNumber(u3, 0), true);
    assert.equal(u3.baseSequence, 4);
    assert.equal(unknown.epochBumpRequired, false);
    // Never written: the partition settled with a gap, so the next batch asks for a bump.
    const [v1, v2] = [batch("v", 0, 2), batch("v", 0, 1)];
    unknown.mayNumber(v1, 0);
    unknown.batchFailed(v1, true);
    assert.equal(unknown.mayNumber(v2, 0), false);
    assert.equal(unknown.epochBumpRequired, true);
    assert.equal(v2.baseSequence, -1);
  });

  it("TransactionManager.bumpEpoch() falls back to a new producer id when the broker refuses the bump", async () => {
    const broker = new FakeBroker([
      { producerId: 11n, producerEpoch: 3 },
      { errorCode: 48 }, // INVALID_PRODUCER_EPOCH: not retriable
      { producerId: 12n, producerEpoch: 0 },
    ]);
    const transactions = manager(broker);
    await transactions.ensureProducerId();
    await transactions.bumpEpoch();
    assert.equal(broker.requests[2]!.producerId, -1n);
    assert.deepEqual(transactions.producerIdAndEpoch, { producerId: 12n, producerEpoch: 0 });
    assert.equal(transactions.fatalError, undefined);
  });

  it("TransactionManager goes to FATAL_ERROR when InitProducerId is refused, and stays there", async () => {
    const broker = new FakeBroker([{ errorCode: 31 }]); // CLUSTER_AUTHORIZATION_FAILED
    const transactions = manager(broker);
    await transactions.ensureProducerId();
    assert.equal(transactions.state, S.FatalError);
    assert.equal(transactions.fatalError?.code, "CLUSTER_AUTHORIZATION_FAILED");
    assert.equal(transactions.ensureProducerId(), undefined);
    assert.equal(transactions.producerIdAndEpoch, undefined);
  });

  it("TransactionManager retries InitProducerId after a retriable error", async () => {
    const broker = new FakeBroker([{ errorCode: 15 }, { producerId: 9n, producerEpoch: 0 }]); // COORDINATOR_NOT_AVAILABLE
    const transactions = manager(broker);
    await transactions.ensureProducerId();
    assert.equal(broker.requests.length, 2);
    assert.deepEqual(transactions.producerIdAndEpoch, { producerId: 9n, producerEpoch: 0 });
  });

  it("TransactionManager.mayNumber() wraps sequences at 2^31 as Kafka's do", async () => {
    const transactions = manager(new FakeBroker([]));
    await transactions.ensureProducerId();
    const numbered = [0x7fffffff, 3, 1].map((count) => {
      const b = batch("t", 1, count);
      transactions.mayNumber(b, 0);
      transactions.batchAcknowledged(b);
      return b.baseSequence;
    });
    assert.deepEqual(numbered, [0, 0x7fffffff, 2]);
    const OOOS = "OUT_OF_ORDER_SEQUENCE_NUMBER";
    const next = batch("t", 1, 1);
    transactions.mayNumber(next, 0);
    assert.equal(next.baseSequence, 3);
    assert.equal(transactions.sequenceErrorNeedsBump(next, OOOS, 0n), true, "3 follows 2");
  });

  it("TransactionManager without idempotence needs no producer id", () => {
    const broker = new FakeBroker([]);
    const transactions = manager(broker, false);
    assert.equal(transactions.state, S.Ready);
    assert.equal(transactions.ensureProducerId(), undefined);
    transactions.requestEpochBumpFor("t", 0);
    assert.equal(transactions.epochBumpRequired, false);
    assert.equal(broker.requests.length, 0);
  });
});

/**
 * A scripted cluster for transactional requests: FindCoordinator answers node `coordinator`;
 * every other request takes the next scripted answer for its API (default: success).
 */
class TransactionalBroker implements RequestChannel {
  readonly isOpen = true;
  readonly finalizedFeatures: ReadonlyMap<string, number>;
  readonly sent: Array<{ api: string; version: number; request: unknown }> = [];
  readonly script = new Map<string, Array<Record<string, unknown>>>();
  coordinator = 1;
  epoch = 0;
  constructor(transactionVersion: number) {
    this.finalizedFeatures = new Map([["transaction.version", transactionVersion]]);
  }
  answer(api: string, ...answers: Array<Record<string, unknown>>): void {
    this.script.set(api, [...(this.script.get(api) ?? []), ...answers]);
  }
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    return api.maxVersion;
  }
  send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options?: { version?: number },
  ): Promise<Res | undefined> {
    this.sent.push({ api: api.name, version: options?.version ?? api.maxVersion, request });
    const scripted = this.script.get(api.name)?.shift() ?? {};
    let answer: Record<string, unknown>;
    switch (api.name) {
      case "FindCoordinator":
        answer = {
          coordinators: [{
            key: null,
            nodeId: this.coordinator,
            host: "127.0.0.1",
            port: 1,
            errorCode: 0,
            errorMessage: null,
          }],
        };
        break;
      case "InitProducerId":
        answer = { errorCode: 0, producerId: 5n, producerEpoch: this.epoch };
        break;
      case "EndTxn":
        answer = (options?.version ?? 0) >= 5
          ? { errorCode: 0, producerId: 5n, producerEpoch: ++this.epoch }
          : { errorCode: 0, producerId: -1n, producerEpoch: -1 };
        break;
      case "AddPartitionsToTxn": {
        const topics = (request as { topics: Array<{ name: string; partitions: number[] }> })
          .topics;
        const code = (scripted.errorCode as number | undefined) ?? 0;
        answer = {
          resultsByTopic: topics.map((t) => ({
            name: t.name,
            resultsByPartition: t.partitions.map((p) => ({
              partitionIndex: p,
              partitionErrorCode: code,
            })),
          })),
        };
        break;
      }
      default:
        answer = { errorCode: 0, topics: [] };
    }
    return Promise.resolve({ throttleTimeMs: 0, ...answer, ...scripted } as Res);
  }
}

function transactional(broker: TransactionalBroker) {
  const added: unknown[] = [];
  const network = {
    anyConnection: () => Promise.resolve(broker),
    connectionTo: () => Promise.resolve(broker),
    addBrokers: (endpoints: Iterable<unknown>) => void added.push(...endpoints),
  };
  const manager = new TransactionManager(network, {
    idempotent: true,
    transactionalId: "tx",
    transactionTimeoutMs: 60_000,
    retryBackoffMs: 1,
    retryBackoffMaxMs: 5,
    logger: silentLogger,
  });
  return { manager, added };
}

describe("TransactionManager with a transactionalId", () => {
  it("initTransactions() finds the coordinator and gets the id from it; the wire follows transactions v2", async () => {
    const broker = new TransactionalBroker(2);
    const { manager, added } = transactional(broker);
    await manager.initTransactions();
    assert.equal(manager.state, S.Ready);
    assert.deepEqual(broker.sent.map((s) => s.api), ["FindCoordinator", "InitProducerId"]);
    assert.equal((broker.sent[1]!.request as InitProducerIdRequest).transactionalId, "tx");
    assert.equal(added.length, 1, "the coordinator became a known broker");
    manager.beginTransaction();
    assert.equal(manager.transactionV2, true);
    manager.maybeAddPartition("t", 0);
    assert.equal(manager.isSendToPartitionAllowed("t", 0), true, "joins through Produce");
    assert.equal(manager.addPartitionsToTransaction(), undefined, "no AddPartitionsToTxn");
    const sent = batch("t", 0, 3);
    assert.equal(manager.mayNumber(sent, 0), true);
    manager.beginCommit();
    await manager.endTransaction();
    assert.deepEqual(broker.sent.at(-1)!.api, "EndTxn");
    assert.equal(broker.sent.at(-1)!.version, 5);
    assert.deepEqual(manager.producerIdAndEpoch, { producerId: 5n, producerEpoch: 1 });
    const next = batch("t", 0, 1);
    assert.equal(manager.mayNumber(next, 0), true);
    assert.deepEqual([next.producerEpoch, next.baseSequence], [1, 0], "sequence 0 again");
    assert.equal(manager.state, S.Ready);
  });

  it("with transactions v1 a partition is sent only once AddPartitionsToTxn added it; CONCURRENT_TRANSACTIONS is retried", async () => {
    const broker = new TransactionalBroker(0);
    broker.answer("AddPartitionsToTxn", { errorCode: 51 }); // CONCURRENT_TRANSACTIONS
    const { manager } = transactional(broker);
    await manager.initTransactions();
    manager.beginTransaction();
    assert.equal(manager.transactionV2, false);
    manager.maybeAddPartition("t", 2);
    assert.equal(manager.isSendToPartitionAllowed("t", 2), false);
    await manager.addPartitionsToTransaction();
    assert.equal(manager.isSendToPartitionAllowed("t", 2), true);
    assert.equal(broker.sent.filter((s) => s.api === "AddPartitionsToTxn").length, 2);
    manager.beginCommit();
    await manager.endTransaction();
    const endTxn = broker.sent.find((s) => s.api === "EndTxn")!;
    assert.equal(endTxn.version, 4, "EndTxn <= v4 with transactions v1");
  });

  it("a coordinator that moved (NOT_COORDINATOR) is looked up again and the request retried", async () => {
    const broker = new TransactionalBroker(2);
    const { manager } = transactional(broker);
    await manager.initTransactions();
    manager.beginTransaction();
    manager.maybeAddPartition("t", 0);
    broker.answer("EndTxn", { errorCode: 16 }, { errorCode: 51 }); // NOT_COORDINATOR, CONCURRENT_TRANSACTIONS
    broker.coordinator = 2;
    manager.beginCommit();
    await manager.endTransaction();
    assert.deepEqual(
      broker.sent.map((s) => s.api),
      ["FindCoordinator", "InitProducerId", "EndTxn", "FindCoordinator", "EndTxn", "EndTxn"],
    );
    assert.equal(manager.state, S.Ready);
  });

  it("TRANSACTION_ABORTABLE makes the transaction abortable: commit refuses, abort goes on", async () => {
    const broker = new TransactionalBroker(2);
    const { manager } = transactional(broker);
    await manager.initTransactions();
    manager.beginTransaction();
    manager.maybeAddPartition("t", 0);
    broker.answer("EndTxn", { errorCode: 120 });
    manager.beginCommit();
    await assert.rejects(manager.endTransaction(), TransactionAbortableError);
    assert.equal(manager.state, S.AbortableError);
    assert.throws(() => manager.maybeAddPartition("t", 1), TransactionAbortableError);
    manager.beginAbort();
    await manager.endTransaction();
    assert.equal(manager.state, S.Ready);
    manager.beginTransaction(); // and go on
  });

  it("PRODUCER_FENCED is fatal with a ProducerFencedError naming the transactional id", async () => {
    const broker = new TransactionalBroker(2);
    const { manager } = transactional(broker);
    await manager.initTransactions();
    manager.beginTransaction();
    manager.maybeAddPartition("t", 0);
    broker.answer("EndTxn", { errorCode: 90 });
    manager.beginCommit();
    await assert.rejects(manager.endTransaction(), ProducerFencedError);
    assert.equal(manager.state, S.FatalError);
    assert.ok(manager.fatalError instanceof ProducerFencedError);
    assert.match(manager.fatalError.message, /"tx" was fenced: another producer/);
    assert.throws(() => manager.beginTransaction(), ProducerFencedError);
  });

  it("a failed batch makes the transaction abortable; INVALID_PRODUCER_EPOCH too (the abort tells fenced from timed out)", async () => {
    const broker = new TransactionalBroker(2);
    const { manager } = transactional(broker);
    await manager.initTransactions();
    manager.beginTransaction();
    manager.maybeAddPartition("t", 0);
    manager.handleFailedBatch(new BrokerError(47, "old epoch"), true);
    assert.equal(manager.state, S.AbortableError);
    assert.equal(manager.abortableError?.code, "INVALID_PRODUCER_EPOCH");
    assert.throws(() => manager.beginCommit(), TransactionAbortableError);
    manager.beginAbort();
    await manager.endTransaction();
    assert.equal(manager.state, S.Ready);
  });

  it("misuse throws TransactionStateError and changes nothing", async () => {
    const broker = new TransactionalBroker(2);
    const { manager } = transactional(broker);
    assert.throws(() => manager.beginTransaction(), TransactionStateError);
    assert.throws(() => manager.checkSendAllowed(), TransactionStateError);
    await manager.initTransactions();
    assert.throws(() => manager.beginCommit(), TransactionStateError);
    assert.throws(() => manager.beginAbort(), TransactionStateError);
    assert.throws(
      () => manager.checkSendAllowed(),
      /outside a transaction: call beginTransaction\(\) first/,
    );
    manager.beginTransaction();
    assert.throws(() => manager.beginTransaction(), /one is already open/);
    assert.equal(manager.state, S.InTransaction);
    assert.equal(broker.sent.length, 2, "nothing was sent for the misuses");
  });
});
