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
  TransactionManager,
  TransactionState,
} from "../../src/transaction/transaction_manager.ts";

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
  return new TransactionManager({ anyConnection: () => Promise.resolve(broker) }, {
    idempotent,
    retryBackoffMs: 1,
    retryBackoffMaxMs: 5,
    logger: silentLogger,
  });
}

const S = TransactionState;

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

  it("TransactionManager.bumpEpoch() asks with the current id and epoch and starts every sequence at 0", async () => {
    const broker = new FakeBroker([{ producerId: 11n, producerEpoch: 3 }, {
      producerId: 11n,
      producerEpoch: 4,
    }]);
    const transactions = manager(broker);
    await transactions.ensureProducerId();
    assert.equal(transactions.takeSequence("t", 0, 5), 0);
    assert.equal(transactions.takeSequence("t", 0, 2), 5);
    assert.equal(transactions.hasCurrentSequence(11n, 3, 5), true);
    transactions.requestEpochBump();
    assert.equal(transactions.epochBumpRequired, true);
    await transactions.bumpEpoch();
    assert.equal(transactions.epochBumpRequired, false);
    assert.equal(broker.requests[1]!.producerId, 11n);
    assert.equal(broker.requests[1]!.producerEpoch, 3);
    assert.deepEqual(transactions.producerIdAndEpoch, { producerId: 11n, producerEpoch: 4 });
    assert.equal(transactions.hasCurrentSequence(11n, 3, 5), false, "numbered under epoch 3");
    assert.equal(transactions.takeSequence("t", 0, 1), 0);
    assert.equal(transactions.state, S.Ready);
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

  it("TransactionManager.takeSequence() wraps at 2^31 as Kafka's sequences do", async () => {
    const transactions = manager(new FakeBroker([]));
    await transactions.ensureProducerId();
    assert.equal(transactions.takeSequence("t", 1, 0x7fffffff), 0);
    assert.equal(transactions.takeSequence("t", 1, 3), 0x7fffffff);
    assert.equal(transactions.takeSequence("t", 1, 1), 2);
  });

  it("TransactionManager without idempotence needs no producer id", () => {
    const broker = new FakeBroker([]);
    const transactions = manager(broker, false);
    assert.equal(transactions.state, S.Ready);
    assert.equal(transactions.ensureProducerId(), undefined);
    transactions.requestEpochBump();
    assert.equal(transactions.epochBumpRequired, false);
    assert.equal(broker.requests.length, 0);
  });
});
