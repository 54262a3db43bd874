import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordAccumulator } from "../../src/accumulator/record_accumulator.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";

function setup(batchSize = 1024) {
  let full = 0;
  const accumulator = new RecordAccumulator({
    batchSize,
    deliveryTimeoutMs: 120_000,
    poolSize: 4,
    onBatchFull: () => full++,
  });
  return { accumulator, full: () => full };
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
