// Key → partition agreement with Java's own KafkaProducer on real Kafka: Java's producer (default
// partitioner) sends 10,000 keyed records, and sluice's producer must put every key on the
// partition Java chose. (tests/partitioner/murmur2_kcat_test.ts checks librdkafka's
// murmur2_random the same way.)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

const PARTITIONS = 7;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// ASCII, multi-byte UTF-8 and binary-looking keys of many lengths.
const keys = Array.from({ length: 10_000 }, (_, i) => {
  if (i % 10 === 3) return `ключ-${i}-ü€😀`;
  return `key-${i}-${(i * 2654435761) % 1000003}${"x".repeat(i % 23)}`;
});

describe("partitions agree with Java's KafkaProducer on real Kafka", () => {
  let cluster: RealKafkaCluster;
  const javaTopic = uniqueTopic("partition-java");
  const ourTopic = uniqueTopic("partition-ours");
  let java: Array<{ partition: number; offset: number }>;

  before(async () => {
    cluster = await startRealCluster();
    await cluster.createTopic(javaTopic, PARTITIONS);
    await cluster.createTopic(ourTopic, PARTITIONS);
    java = await cluster.produceKeysWithJava(javaTopic, keys.map((key) => encoder.encode(key)));
  });
  after(async () => {
    await cluster.close();
  });

  it("Producer.send() puts each of 10,000 keys on the partition Java's producer chose", async () => {
    assert.equal(java.length, keys.length);
    assert.equal(
      new Set(java.map((j) => j.partition)).size,
      PARTITIONS,
      "keys cover every partition",
    );
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 5 });
    const ours = await Promise.all(
      keys.map((key) => producer.send({ topic: ourTopic, key, value: "" })),
    );
    await producer.close();
    const mismatches = keys.filter((_, i) => ours[i]!.partition !== java[i]!.partition);
    assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} keys on other partitions`);
    // And what the broker stored agrees (read back by kcat and Java's consumer).
    const stored = await cluster.readBack(ourTopic, { expected: keys.length });
    const landed = new Map(stored.map((r) => [decoder.decode(r.key!), r.partition]));
    keys.forEach((key, i) => assert.equal(landed.get(key), java[i]!.partition, key));
  });
});
