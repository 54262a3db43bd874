// What real Kafka enforces and the mock does not: min.insync.replicas against acks=all, and a
// topic's max.message.bytes. Nothing may be lost silently: every record is stored once or its
// send() rejects with a typed error.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, RecordError, TimeoutError } from "../../mod.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

const decoder = new TextDecoder();

describe("acks=all against min.insync.replicas on real Kafka", () => {
  let cluster: RealKafkaCluster;
  before(async () => {
    cluster = await startRealCluster();
  });
  after(async () => {
    await cluster.restore();
    await cluster.close();
  });

  it("retries NOT_ENOUGH_REPLICAS while a node is down and delivers once it is back", async () => {
    const topic = uniqueTopic("min-isr");
    await cluster.createTopic(topic, 2, { configs: { "min.insync.replicas": "3" } });
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      acks: "all",
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
      deliveryTimeoutMs: 120_000,
    });
    try {
      await producer.send({ topic, value: "before" }); // metadata and connections are warm
      await cluster.stopNode(3);
      const sends = Array.from(
        { length: 50 },
        (_, i) => producer.send({ topic, key: `k${i}`, value: `v${i}` }),
      );
      // Settled below; never left unhandled if an assertion fails first.
      const settled = Promise.allSettled(sends);
      // They are retried, not failed, while the ISR is short of three.
      const deadline = Date.now() + 30_000;
      while (
        (producer.stats().errorsByCode.NOT_ENOUGH_REPLICAS ?? 0) === 0 && Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(
        (producer.stats().errorsByCode.NOT_ENOUGH_REPLICAS ?? 0) > 0,
        `the broker answered NOT_ENOUGH_REPLICAS: ${JSON.stringify(producer.stats().errorsByCode)}`,
      );
      await cluster.startNode(3);
      const outcomes = await settled;
      assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    } finally {
      await producer.close();
    }
    const stored = await cluster.readBack(topic, { expected: 51 });
    assert.equal(stored.length, 51, "each record stored once");
    const values = stored.map((r) => decoder.decode(r.value!)).sort();
    assert.deepEqual(values, ["before", ...Array.from({ length: 50 }, (_, i) => `v${i}`)].sort());
  });

  it("fails with DELIVERY_TIMEOUT naming NOT_ENOUGH_REPLICAS while the node stays down; nothing is stored", async () => {
    const topic = uniqueTopic("min-isr-down");
    await cluster.createTopic(topic, 1, { configs: { "min.insync.replicas": "3" } });
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      acks: "all",
      requestTimeoutMs: 2000,
      lingerMs: 0,
      deliveryTimeoutMs: 4000,
      retryBackoffMs: 50,
    });
    try {
      await cluster.stopNode(2);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => producer.send({ topic, value: `lost-${i}` })),
      );
      for (const outcome of outcomes) {
        assert.equal(outcome.status, "rejected");
        const error = (outcome as PromiseRejectedResult).reason;
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal(error.code, "DELIVERY_TIMEOUT");
        assert.match(error.message, /NOT_ENOUGH_REPLICAS/);
      }
    } finally {
      await producer.close();
      await cluster.startNode(2);
    }
    assert.deepEqual(await cluster.readBack(topic), [], "no record of a failed send is stored");
  });
});

describe("max.message.bytes on real Kafka", () => {
  let cluster: RealKafkaCluster;
  before(async () => {
    cluster = await startRealCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("splits batches the broker calls MESSAGE_TOO_LARGE and stores every record once, in order", async () => {
    const topic = uniqueTopic("small-messages");
    await cluster.createTopic(topic, 1, { configs: { "max.message.bytes": "2048" } });
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      batchSize: 64 * 1024,
      lingerMs: 50,
    });
    const values = Array.from({ length: 300 }, (_, i) => `${i}:${"v".repeat(90)}`);
    try {
      await Promise.all(values.map((value) => producer.send({ topic, value })));
      assert.ok(
        (producer.stats().errorsByCode.MESSAGE_TOO_LARGE ?? 0) > 0,
        "a batch was refused and split",
      );
    } finally {
      await producer.close();
    }
    const stored = await cluster.readBack(topic, { expected: values.length });
    assert.deepEqual(stored.map((r) => decoder.decode(r.value!)), values);
  });

  it("fails a record over the limit alone, with a RecordError naming the limit", async () => {
    const topic = uniqueTopic("too-large");
    await cluster.createTopic(topic, 1, { configs: { "max.message.bytes": "2048" } });
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 20 });
    try {
      const small1 = producer.send({ topic, value: "small-1" });
      const big = producer.send({ topic, value: "x".repeat(3000) });
      const small2 = producer.send({ topic, value: "small-2" });
      const error = await big.then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof RecordError, String(error));
      assert.equal(error.code, "RECORD_TOO_LARGE");
      assert.match(error.message, /max\.message\.bytes/);
      await small1;
      await small2;
      // The producer goes on after it.
      await producer.send({ topic, value: "small-3" });
    } finally {
      await producer.close();
    }
    const stored = await cluster.readBack(topic, { expected: 3 });
    assert.deepEqual(stored.map((r) => decoder.decode(r.value!)), [
      "small-1",
      "small-2",
      "small-3",
    ]);
  });
});
