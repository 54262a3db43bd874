import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DefaultPartitioner } from "../../src/partitioner/default_partitioner.ts";
import { murmur2, toPositive } from "../../src/partitioner/murmur2.ts";
import type { SerializedRecord } from "../../src/record/serialized_record.ts";

const encoder = new TextEncoder();

function keyless(topic = "t"): SerializedRecord {
  return { topic, partition: -1, key: null, value: null, headers: undefined, timestamp: 0 };
}

function keyed(key: string, topic = "t"): SerializedRecord {
  return { ...keyless(topic), key: encoder.encode(key) };
}

/** A seeded uniform source in [0, 1), so distribution tests are deterministic. */
function seeded(seed = 0x9e3779b9): () => number {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** Produces `records` keyless records of `size` bytes; returns records per partition. */
function produce(
  partitioner: DefaultPartitioner,
  partitionCount: number,
  records: number,
  size: number,
  available?: readonly number[],
): number[] {
  const counts = new Array<number>(partitionCount).fill(0);
  for (let i = 0; i < records; i++) {
    const p = partitioner.partition(keyless(), partitionCount, available);
    counts[p]!++;
    partitioner.recordAppended("t", p, size);
  }
  return counts;
}

describe("DefaultPartitioner", () => {
  it("DefaultPartitioner.partition() hashes keys with murmur2 over all partitions", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 100 });
    assert.equal(partitioner.partition(keyed("foobar"), 7, [0]), toPositive(-790332482) % 7);
    for (let i = 0; i < 1000; i++) {
      const key = `key-${i}`;
      assert.equal(
        partitioner.partition(keyed(key), 12, [1, 2]),
        toPositive(murmur2(encoder.encode(key))) % 12,
      );
    }
  });

  it("DefaultPartitioner.partition() hashes an empty (non-null) key instead of sticking", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 100 });
    const record = { ...keyless(), key: new Uint8Array(0) };
    assert.equal(partitioner.partition(record, 5), toPositive(murmur2(new Uint8Array(0))) % 5);
  });

  it("DefaultPartitioner.recordAppended() switches after batchSize bytes, not before", () => {
    const partitioner = new DefaultPartitioner({
      batchSize: 1000,
      adaptive: false,
      random: seeded(),
    });
    const first = partitioner.partition(keyless(), 4);
    for (let i = 0; i < 9; i++) {
      partitioner.recordAppended("t", first, 100);
      assert.equal(partitioner.partition(keyless(), 4), first, `after ${(i + 1) * 100} bytes`);
    }
    partitioner.recordAppended("t", first, 100);
    const second = partitioner.partition(keyless(), 4);
    assert.notEqual(second, first, "switches once 1000 bytes went to it");
    partitioner.recordAppended("t", second, 5000);
    assert.notEqual(partitioner.partition(keyless(), 4), second, "one large record also switches");
  });

  it("DefaultPartitioner never picks the partition it just left when there is a choice", () => {
    for (const lazy of [true, false]) {
      const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded(3) });
      let previous = partitioner.partition(keyless(), 3);
      for (let i = 0; i < 1000; i++) {
        partitioner.recordAppended("t", previous, 1, lazy ? 0 : 3);
        const next = partitioner.partition(keyless(), 3);
        assert.notEqual(next, previous, `switch ${i} (lazy: ${lazy})`);
        previous = next;
      }
    }
  });

  it("DefaultPartitioner.recordAppended() ignores appends to other partitions and topics", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 100, random: seeded() });
    const sticky = partitioner.partition(keyless(), 4);
    partitioner.recordAppended("t", (sticky + 1) % 4, 1000); // a keyed record elsewhere
    partitioner.recordAppended("other", sticky, 1000);
    assert.equal(partitioner.partition(keyless(), 4), sticky);
  });

  it("DefaultPartitioner.recordAppended() with partitionCount chooses the next partition now", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 10, random: seeded() });
    const first = partitioner.partition(keyless(), 3, [0, 1, 2]);
    partitioner.recordAppended("t", first, 10, 3, [first]);
    // Only `first` was available at the switch; the choice is kept afterwards.
    assert.equal(partitioner.partition(keyless(), 3, [0, 1, 2]), first);
  });

  it("DefaultPartitioner keeps separate sticky partitions per topic", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1_000_000, random: seeded(7) });
    const seen = new Set<number>();
    for (let t = 0; t < 20; t++) seen.add(partitioner.partition(keyless(`topic-${t}`), 16));
    assert.ok(seen.size > 1, "every topic got the same partition");
    for (let t = 0; t < 20; t++) {
      const p = partitioner.partition(keyless(`topic-${t}`), 16);
      assert.equal(partitioner.partition(keyless(`topic-${t}`), 16), p);
    }
  });

  it("DefaultPartitioner spreads keyless records evenly over many batches", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 100, random: seeded() });
    const counts = produce(partitioner, 5, 100_000, 10);
    for (const count of counts) {
      assert.ok(count > 18_000 && count < 22_000, `uneven: ${counts}`);
      assert.equal(count % 10, 0, `switched mid-batch: ${counts}`);
    }
  });

  it("DefaultPartitioner only chooses partitions with a leader for keyless records", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded() });
    const counts = produce(partitioner, 4, 2000, 1, [1, 3]);
    assert.equal(counts[0], 0);
    assert.equal(counts[2], 0);
    assert.ok(counts[1]! > 0 && counts[3]! > 0, String(counts));
  });

  it("DefaultPartitioner re-chooses when the partition count shrinks below the sticky one", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1_000_000, random: () => 0.99 });
    assert.equal(partitioner.partition(keyless(), 64), 63);
    const p = partitioner.partition(keyless(), 2);
    assert.ok(p === 0 || p === 1, String(p));
  });

  it("DefaultPartitioner with ignoreKeys treats keyed records as keyless", () => {
    const partitioner = new DefaultPartitioner({
      batchSize: 1_000_000,
      ignoreKeys: true,
      random: seeded(),
    });
    const a = partitioner.partition(keyed("a"), 64);
    for (let i = 0; i < 50; i++) assert.equal(partitioner.partition(keyed(`k${i}`), 64), a);
  });

  it("DefaultPartitioner rejects a batchSize below 1", () => {
    assert.throws(() => new DefaultPartitioner({ batchSize: 0 }), RangeError);
  });
});

describe("DefaultPartitioner adaptive partitioning", () => {
  it("DefaultPartitioner avoids a partition with a long queue (queueSizes callback)", () => {
    const partitioner = new DefaultPartitioner({
      batchSize: 1,
      queueSizes: () => [0, 0, 0, 50],
      random: seeded(),
    });
    const counts = produce(partitioner, 4, 20_000, 1);
    assert.ok(counts[3]! < counts[0]! / 10, `backed-up partition still chosen: ${counts}`);
    assert.ok(counts[3]! > 0, "a backed-up partition must stay possible");
  });

  it("DefaultPartitioner.updatePartitionLoad() weights by longest + 1 - queue", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded() });
    // Weights: partition 0 → 4, 1 → 1 (queue 3 is the longest), 2 → 3.
    partitioner.updatePartitionLoad("t", [0, 3, 1], [0, 1, 2]);
    const counts = produce(partitioner, 3, 80_000, 1);
    const total = 80_000;
    assert.ok(Math.abs(counts[0]! / total - 4 / 8) < 0.02, String(counts));
    assert.ok(Math.abs(counts[1]! / total - 1 / 8) < 0.02, String(counts));
    assert.ok(Math.abs(counts[2]! / total - 3 / 8) < 0.02, String(counts));
  });

  it("DefaultPartitioner.updatePartitionLoad() only considers the listed partitions", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded() });
    partitioner.updatePartitionLoad("t", [5, 2, 9, 9], [4, 6, 0, 1], 2);
    const counts = produce(partitioner, 8, 5000, 1);
    assert.deepEqual(
      counts.map((count, p) => count > 0 ? p : -1).filter((p) => p >= 0),
      [4, 6],
    );
  });

  it("DefaultPartitioner.updatePartitionLoad() with equal queues goes back to uniform", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded() });
    partitioner.updatePartitionLoad("t", [0, 0, 0, 100], [0, 1, 2, 3]);
    partitioner.updatePartitionLoad("t", [2, 2, 2, 2], [0, 1, 2, 3]);
    const counts = produce(partitioner, 4, 40_000, 1);
    for (const count of counts) assert.ok(count > 9_000 && count < 11_000, String(counts));
  });

  it("DefaultPartitioner.updatePartitionLoad() is a no-op without adaptive partitioning", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, adaptive: false, random: seeded() });
    partitioner.updatePartitionLoad("t", [0, 0, 0, 1000], [0, 1, 2, 3]);
    const counts = produce(partitioner, 4, 40_000, 1);
    for (const count of counts) assert.ok(count > 9_000 && count < 11_000, String(counts));
  });

  it("DefaultPartitioner skips partitions whose leader exceeds availabilityTimeoutMs", () => {
    const partitioner = new DefaultPartitioner({
      batchSize: 1,
      availabilityTimeoutMs: 100,
      random: seeded(),
    });
    partitioner.updatePartitionLoad("t", [0, 0, 0, 0], [0, 1, 2, 3], 4, [0, 500, 100, 0]);
    const counts = produce(partitioner, 4, 3000, 1);
    assert.equal(counts[1], 0, String(counts));
    assert.ok(counts[0]! > 0 && counts[2]! > 0 && counts[3]! > 0, String(counts));
  });

  it("DefaultPartitioner ignores leader latency when availabilityTimeoutMs is 0", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: seeded() });
    partitioner.updatePartitionLoad("t", [0, 0, 0, 0], [0, 1, 2, 3], 4, [0, 500, 0, 0]);
    const counts = produce(partitioner, 4, 3000, 1);
    assert.ok(counts[1]! > 0, String(counts));
  });

  it("DefaultPartitioner falls back to available partitions when every leader is slow", () => {
    const partitioner = new DefaultPartitioner({
      batchSize: 1,
      availabilityTimeoutMs: 10,
      random: seeded(),
    });
    partitioner.updatePartitionLoad("t", [0, 0], [0, 1], 2, [50, 50]);
    const counts = produce(partitioner, 2, 1000, 1, [0, 1]);
    assert.ok(counts[0]! > 0 && counts[1]! > 0, String(counts));
  });

  it("DefaultPartitioner.updatePartitionLoad() leaves keyed records alone", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1 });
    partitioner.updatePartitionLoad("t", [1000, 0], [0, 1]);
    const key = "foobar";
    assert.equal(partitioner.partition(keyed(key), 2), toPositive(-790332482) % 2);
  });
});
