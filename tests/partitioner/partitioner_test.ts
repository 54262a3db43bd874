import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { murmur2, toPositive } from "../../src/partitioner/murmur2.ts";
import { DefaultPartitioner } from "../../src/partitioner/default_partitioner.ts";
import { Producer } from "../../mod.ts";
import { kcatProduce, readTopic } from "../support/kcat.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/mock_cluster.ts";

const encoder = new TextEncoder();
const keyless = (topic = "t") => ({
  topic,
  partition: -1,
  key: null,
  value: null,
  headers: undefined,
  timestamp: 0,
});

describe("murmur2()", () => {
  it("matches Java's Utils.murmur2 test vectors", () => {
    const vectors: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [text, expected] of vectors) {
      assert.equal(murmur2(encoder.encode(text)), expected, text);
    }
  });

  it("toPositive() clears the sign bit like Java, not Math.abs", () => {
    assert.equal(toPositive(-1), 0x7fffffff);
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(5), 5);
  });
});

describe("DefaultPartitioner", () => {
  it("partition() hashes keys over all partitions", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 100 });
    const record = { ...keyless(), key: encoder.encode("foobar") };
    assert.equal(partitioner.partition(record, 7, [0]), toPositive(-790332482) % 7);
  });

  it("sticks to one partition until batchSize bytes, then switches to another", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1000, adaptive: false });
    const first = partitioner.partition(keyless(), 4);
    for (let i = 0; i < 9; i++) {
      assert.equal(partitioner.partition(keyless(), 4), first);
      partitioner.recordAppended("t", first, 100, 4);
    }
    assert.equal(partitioner.partition(keyless(), 4), first);
    partitioner.recordAppended("t", first, 100, 4);
    assert.notEqual(partitioner.partition(keyless(), 4), first, "switches after 1000 bytes");
  });

  it("spreads keyless records evenly over many batches", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 10, adaptive: false });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const p = partitioner.partition(keyless(), 4);
      counts[p]!++;
      partitioner.recordAppended("t", p, 10, 4);
    }
    for (const count of counts) assert.ok(count > 8_000 && count < 12_000, `uneven: ${counts}`);
  });

  it("only chooses partitions with a leader for keyless records", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1 });
    for (let i = 0; i < 200; i++) {
      const p = partitioner.partition(keyless(), 4, [1, 3]);
      assert.ok(p === 1 || p === 3, `chose ${p}`);
      partitioner.recordAppended("t", p, 1, 4, [1, 3]);
    }
  });

  it("adaptive partitioning avoids a partition with a long queue", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, queueSizes: () => [0, 0, 0, 50] });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const p = partitioner.partition(keyless(), 4);
      counts[p]!++;
      partitioner.recordAppended("t", p, 1, 4);
    }
    assert.ok(counts[3]! < counts[0]! / 10, `backed-up partition still chosen: ${counts}`);
  });

  it("ignoreKeys treats keyed records as keyless", () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1_000_000, ignoreKeys: true });
    const a = partitioner.partition({ ...keyless(), key: encoder.encode("a") }, 8);
    const b = partitioner.partition({ ...keyless(), key: encoder.encode("b") }, 8);
    assert.equal(a, b);
  });
});

describe("Key partitioning agrees with librdkafka's murmur2_random (kcat)", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster.close();
  });

  it("10,000 keys land on the same partitions as kcat -X partitioner=murmur2_random", async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `key-${i}-${(i * 2654435761) % 1000003}`);
    const kcatTopic = uniqueTopic("murmur-kcat");
    const ourTopic = uniqueTopic("murmur-ours");
    await cluster.createTopic(kcatTopic, 7);
    await cluster.createTopic(ourTopic, 7);
    await kcatProduce(cluster.bootstrap, kcatTopic, keys.map((key) => `${key}\t${key}`), {
      keyDelimiter: "\t",
      partitioner: "murmur2_random",
    });
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    const writer = producer.writable.getWriter();
    await writer.write(keys.map((key) => ({ topic: ourTopic, key, value: key })));
    await writer.close();
    await producer.close();
    const theirs = new Map(
      (await readTopic(cluster.bootstrap, kcatTopic, { expected: 10_000 })).map((
        r,
      ) => [new TextDecoder().decode(r.key!), r.partition]),
    );
    const ours = await readTopic(cluster.bootstrap, ourTopic, { expected: 10_000 });
    assert.equal(theirs.size, 10_000);
    assert.equal(ours.length, 10_000);
    let mismatches = 0;
    for (const record of ours) {
      if (theirs.get(new TextDecoder().decode(record.key!)) !== record.partition) mismatches++;
    }
    assert.equal(mismatches, 0);
  });
});
