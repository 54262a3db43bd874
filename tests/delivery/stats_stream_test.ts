// producer.statsStream(): periodic snapshots (librdkafka's statistics.interval.ms), against the
// broker: counts move as records are acknowledged, the stream ends with a last snapshot when
// the producer closes, cancel stops it, and a bad interval is refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import type { ProducerStats } from "../../mod.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

describe("Producer.statsStream()", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("emits snapshots every interval and ends with a last one when the producer closes", async () => {
    const topic = uniqueTopic("stats-stream");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      statisticsIntervalMs: 50,
    });
    const snapshots: ProducerStats[] = [];
    const reading = (async () => {
      for await (const stats of producer.statsStream()) snapshots.push(stats);
    })();
    for (let i = 0; i < 10; i++) await producer.send({ topic, value: `v${i}` });
    await new Promise((resolve) => setTimeout(resolve, 220));
    await producer.close();
    await reading; // the stream ended by itself
    // The first at once, at least one from the timer, the last at close (how many the timer
    // made depends on the machine: rates belong in bench/, not here).
    assert.ok(snapshots.length >= 3, `${snapshots.length} snapshots`);
    assert.equal(snapshots[0]!.recordsAcknowledged, 0, "the first snapshot comes at once");
    const last = snapshots[snapshots.length - 1]!;
    assert.equal(last.recordsAcknowledged, 10);
    for (let i = 1; i < snapshots.length; i++) {
      assert.ok(snapshots[i]!.recordsAcknowledged >= snapshots[i - 1]!.recordsAcknowledged);
    }
  });

  it("stops when cancelled, and refuses a missing or invalid interval", async () => {
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    try {
      assert.throws(() => producer.statsStream(), RangeError);
      assert.throws(() => producer.statsStream(0), /Invalid stats interval "0"/);
      assert.throws(() => producer.statsStream(1.5), RangeError);
      const reader = producer.statsStream(20).getReader();
      const first = await reader.read();
      assert.equal(first.done, false);
      assert.equal(first.value!.recordsAcknowledged, 0);
      await reader.cancel();
    } finally {
      await producer.close();
    }
    // A stream asked for after close ends at once, with the final snapshot.
    const late: ProducerStats[] = [];
    for await (const stats of producer.statsStream(10)) late.push(stats);
    assert.equal(late.length, 1);
  });

  it("statisticsIntervalMs is validated and maps from statistics.interval.ms", async () => {
    const { fromJavaProperties, resolveProducerConfig } = await import("../../mod.ts");
    assert.equal(
      fromJavaProperties({ "bootstrap.servers": "h:1", "statistics.interval.ms": "1000" })
        .statisticsIntervalMs,
      1000,
    );
    assert.throws(
      () => resolveProducerConfig({ bootstrapServers: "h:1", statisticsIntervalMs: -1 }),
      /statisticsIntervalMs/,
    );
  });
});
