import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordAccumulator } from "../../src/accumulator/record_accumulator.ts";
import { BatchState, type RecordCompletion } from "../../src/accumulator/producer_batch.ts";
import { BufferBudget } from "../../src/accumulator/buffer_budget.ts";
import { BrokerError } from "../../src/errors/broker_error.ts";
import type { KafkaError } from "../../src/errors/kafka_error.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";

function setup(batchSize = 1024) {
  const accumulator = new RecordAccumulator({ batchSize, deliveryTimeoutMs: 120_000, poolSize: 4 });
  // Batches closed because they were full.
  const full = () =>
    accumulator.queueFor("t", 0).batches.filter((b) => b.state !== BatchState.Open).length;
  return { accumulator, full };
}

const value = new Uint8Array(100);
const NANOSECONDS = Date.UTC(2026, 0, 1) * 1_000_000;

describe("RecordAccumulator", () => {
  it("RecordAccumulator.append() refuses a record its batch cannot encode without queueing an empty batch", () => {
    const { accumulator, full } = setup(1024);
    assert.throws(
      () => accumulator.append("t", 0, NANOSECONDS, null, value, undefined, 136, undefined),
      RangeError,
    );
    assert.equal(accumulator.queueFor("t", 0).batches.length, 0);
    assert.equal(accumulator.active.length, 0);
    assert.equal(accumulator.isEmpty, true);
    assert.equal(full(), 0);
    // The partition works as before afterwards.
    const batch = accumulator.append("t", 0, 1000, null, value, undefined, 136, undefined);
    assert.equal(batch.recordCount, 1);
    assert.equal(accumulator.queueFor("t", 0).batches.length, 1);
  });

  it("RecordAccumulator.append() leaves the open batch as it was when a record is refused", () => {
    const { accumulator, full } = setup(1024);
    const batch = accumulator.append("t", 0, 1000, null, value, undefined, 136, undefined);
    const size = batch.sizeInBytes;
    assert.throws(
      () => accumulator.append("t", 0, NANOSECONDS, null, value, undefined, 136, undefined),
      RangeError,
    );
    assert.equal(batch.recordCount, 1);
    assert.equal(batch.sizeInBytes, size);
    assert.equal(batch.reservedBytes, 136);
    assert.equal(batch.writer.maxTimestamp, 1000);
    // A refused record that would have started the next batch leaves the full one open too.
    let count = 1;
    while (batch.sizeInBytes + 136 <= 1024) {
      accumulator.append("t", 0, 1000 + count++, null, value, undefined, 136, undefined);
    }
    assert.equal(full(), 0);
    assert.throws(
      () => accumulator.append("t", 0, NANOSECONDS, null, value, undefined, 136, undefined),
      RangeError,
    );
    assert.equal(full(), 0);
    assert.equal(accumulator.queueFor("t", 0).batches.length, 1);
    const bytes = batch.writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
    const [decoded] = decodeRecordBatches(bytes);
    assert.equal(decoded!.records.length, count);
    assert.equal(decoded!.maxTimestamp, 1000 + count - 1);
  });
});

describe("RecordAccumulator outcomes", () => {
  function outcomes() {
    const budget = new BufferBudget(10_000);
    const reported: Array<
      { value: unknown; error: string | undefined; offset: bigint | undefined }
    > = [];
    const unreported: string[] = [];
    const accumulator = new RecordAccumulator({
      batchSize: 1024,
      deliveryTimeoutMs: 120_000,
      poolSize: 4,
      budget,
      listener: {
        recordDone: (record, metadata, error) =>
          reported.push({ value: record.value, error: error?.code, offset: metadata?.offset }),
        unreportedFailure: (error) => unreported.push(error.code),
      },
    });
    const settled: string[] = [];
    const append = (partition: number, tag: string, withCompletion = true) => {
      assert.ok(budget.tryReserve(136));
      const completion: RecordCompletion | undefined = withCompletion
        ? {
          index: 0,
          timestamp: 0,
          keySize: -1,
          valueSize: 100,
          record: { topic: "t", value: tag },
          resolve: (metadata) => settled.push(`${tag}@${metadata.offset}`),
          reject: (error) => settled.push(`${tag}:${(error as KafkaError).code}`),
        }
        : undefined;
      return accumulator.append("t", partition, 1000, null, value, undefined, 136, completion);
    };
    return { accumulator, budget, reported, unreported, settled, append };
  }

  it("RecordAccumulator.complete() settles each record once with its offset and returns the batch's bytes", () => {
    const { accumulator, budget, reported, settled, append } = outcomes();
    const batch = append(0, "a");
    append(0, "b");
    assert.equal(budget.used, 272);
    accumulator.complete(batch, 40n, -1n);
    assert.deepEqual(settled, ["a@40", "b@41"]);
    assert.deepEqual(reported.map((r) => r.offset), [40n, 41n]);
    assert.equal(batch.state, BatchState.Done);
    assert.equal(budget.used, 0);
    accumulator.fail(batch, new BrokerError(2, "late")); // an answer after it was done
    assert.deepEqual(settled, ["a@40", "b@41"], "a done batch never settles again");
    assert.equal(accumulator.hasIncomplete, false);
  });

  it("RecordAccumulator.fail() rejects the records and tells the listener about those without a completion", () => {
    const { accumulator, budget, unreported, settled, append } = outcomes();
    const batch = append(0, "a");
    append(0, "fast path", false);
    accumulator.fail(batch, new BrokerError(87, "bad"));
    assert.deepEqual(settled, ["a:INVALID_RECORD"]);
    assert.deepEqual(unreported, ["INVALID_RECORD"]);
    assert.equal(budget.used, 0);
  });

  it("RecordAccumulator.flush() resolves once every batch incomplete at the call is done, split pieces included", async () => {
    const { accumulator, append } = outcomes();
    const first = append(0, "a");
    append(0, "b");
    const second = append(1, "c");
    let flushed = false;
    const flush = accumulator.flush().then(() => flushed = true);
    assert.equal(accumulator.flushInProgress, true);
    append(2, "later"); // accepted after the call: not waited for
    accumulator.queueFor("t", 0).batches.shift(); // drained, then refused as too large
    accumulator.splitAndReenqueue(first, new Map(), new BrokerError(10, "too large"));
    const pieces = accumulator.queueFor("t", 0).batches;
    assert.equal(pieces.length, 2, "halved");
    accumulator.complete(second, 0n, -1n);
    accumulator.complete(pieces[0]!, 0n, -1n);
    await Promise.resolve();
    assert.equal(flushed, false, "one piece is still pending");
    accumulator.complete(pieces[1]!, 1n, -1n);
    await flush;
    assert.equal(accumulator.flushInProgress, false);
  });

  it("RecordAccumulator.splitAndReenqueue() fails only the named records and keeps the rest, their bytes and order", () => {
    const { accumulator, budget, settled, append } = outcomes();
    const batch = append(0, "a");
    append(0, "b");
    append(0, "c");
    accumulator.queueFor("t", 0).batches.shift(); // drained, then refused
    accumulator.splitAndReenqueue(batch, new Map([[1, "bad key"]]), new BrokerError(87, "bad"));
    assert.deepEqual(settled, ["b:INVALID_RECORD"]);
    const [rest] = accumulator.queueFor("t", 0).batches;
    assert.equal(rest!.recordCount, 2);
    assert.equal(budget.used, 408, "the failed record's bytes stay with the rest until done");
    accumulator.complete(rest!, 5n, -1n);
    assert.deepEqual(settled, ["b:INVALID_RECORD", "a@5", "c@6"]);
    assert.equal(budget.used, 0);
  });

  it("RecordAccumulator.abortIncompleteBatches() fails queued and in-flight batches and empties the queues", () => {
    const { accumulator, budget, settled, append } = outcomes();
    const inFlight = append(0, "a");
    accumulator.queueFor("t", 0).batches.shift(); // drained by the sender
    inFlight.markInFlight();
    append(1, "b");
    accumulator.abortIncompleteBatches(new BrokerError(-1, "closing"));
    assert.deepEqual(settled.sort(), ["a:UNKNOWN_SERVER_ERROR", "b:UNKNOWN_SERVER_ERROR"]);
    assert.equal(accumulator.isEmpty, true);
    assert.equal(accumulator.hasIncomplete, false);
    assert.equal(budget.used, 0);
  });
});
