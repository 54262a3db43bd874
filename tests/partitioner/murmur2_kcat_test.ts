// Key → partition agreement with librdkafka's murmur2_random partitioner, through a broker:
// kcat produces 10,000 keyed records, kcat reads back where each key landed, and sluice must
// put every key on the same partition (its partitioner alone, and the whole producer).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DefaultPartitioner } from "../../src/partitioner/default_partitioner.ts";
import { Producer } from "../../mod.ts";
import { kcatProduce } from "../support/kcat.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const PARTITIONS = 7;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = Array.from(
  { length: 10_000 },
  (_, i) => `key-${i}-${(i * 2654435761) % 1000003}${"x".repeat(i % 23)}`,
);
const kcatTopic = uniqueTopic("murmur-kcat");
const ourTopic = uniqueTopic("murmur-ours");

describe("murmur2 partitioning agrees with kcat -X partitioner=murmur2_random", () => {
  let cluster: TestCluster;
  let theirs: Map<string, number>;

  before(async () => {
    cluster = await startCluster({
      topics: [{ name: kcatTopic, partitions: PARTITIONS }, {
        name: ourTopic,
        partitions: PARTITIONS,
      }],
    });
    await kcatProduce(cluster.bootstrap, kcatTopic, keys.map((key) => `${key}\t${key}`), {
      keyDelimiter: "\t",
      partitioner: "murmur2_random",
    });
    const stored = await cluster.readBack(kcatTopic, { expected: keys.length });
    theirs = new Map(stored.map((record) => [decoder.decode(record.key!), record.partition]));
  });

  after(async () => {
    await cluster?.close();
  });

  it("DefaultPartitioner.partition() puts all 10,000 keys where librdkafka did", () => {
    assert.equal(theirs.size, keys.length);
    const used = new Set(theirs.values());
    assert.equal(used.size, PARTITIONS, "the keys should cover every partition");
    const partitioner = new DefaultPartitioner({ batchSize: 16384 });
    let mismatches = 0;
    for (const key of keys) {
      const record = {
        topic: kcatTopic,
        partition: -1,
        key: encoder.encode(key),
        value: null,
        headers: undefined,
        timestamp: 0,
      };
      if (partitioner.partition(record, PARTITIONS) !== theirs.get(key)) mismatches++;
    }
    assert.equal(mismatches, 0);
  });

  it("Producer writes all 10,000 keys to the partitions librdkafka chose", async () => {
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    const writer = producer.writable.getWriter();
    await writer.write(keys.map((key) => ({ topic: ourTopic, key, value: key })));
    await writer.close();
    await producer.close();
    const ours = await cluster.readBack(ourTopic, { expected: keys.length });
    assert.equal(ours.length, keys.length);
    let mismatches = 0;
    for (const record of ours) {
      if (theirs.get(decoder.decode(record.key!)) !== record.partition) mismatches++;
    }
    assert.equal(mismatches, 0);
  });
});
