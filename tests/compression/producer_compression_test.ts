// End to end: records our producer compresses are read back by kcat (librdkafka's decoder,
// check.crcs=true in tests/support/kcat.ts) byte for byte, for every codec: one record, 10,000
// small records, and records large enough to span several 64 KiB lz4 blocks.
// The other direction (our decoder reading what `kcat -P -z` writes) is kcat_batches_test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";
import { jsonLines, pseudoRandom } from "./samples.ts";

const decoder = new TextDecoder();

describe("Producer with compressionType", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  for (const codec of ["gzip", "snappy", "lz4", "zstd"] as const) {
    it(`Producer with compressionType "${codec}" writes batches kcat reads back byte for byte`, async () => {
      const topic = uniqueTopic(`ours-${codec}`);
      await cluster.createTopic(topic, 1);
      const producer = new Producer({
        bootstrapServers: cluster.bootstrap,
        compressionType: codec,
        batchSize: 1_000_000,
        lingerMs: 20,
      });
      await producer.send({ topic, value: "single" });
      const writer = producer.writable.getWriter();
      await writer.write(
        Array.from(
          { length: 10_000 },
          (_, i) => ({ topic, key: `k${i % 50}`, value: `small record ${i}` }),
        ),
      );
      const big = [pseudoRandom(150_000, 3), jsonLines(300_000), pseudoRandom(90_000, 4)];
      await writer.write(big.map((value) => ({ topic, value })));
      await writer.close();
      await producer.close();
      const stored = await cluster.readBack(topic, { expected: 10_004 });
      assert.equal(stored.length, 10_004);
      assert.equal(decoder.decode(stored[0]!.value!), "single");
      for (let i = 0; i < 10_000; i++) {
        assert.equal(decoder.decode(stored[1 + i]!.value!), `small record ${i}`);
        assert.equal(decoder.decode(stored[1 + i]!.key!), `k${i % 50}`);
      }
      for (let i = 0; i < 3; i++) assert.deepEqual(stored[10_001 + i]!.value, big[i]);
    });
  }
});
