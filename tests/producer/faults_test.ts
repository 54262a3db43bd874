// Failure handling against librdkafka's mock cluster, with error codes injected on demand (the
// real-cluster fault plan, with brokers killed, paused and answers lost, is tests/real/).
// Every scenario checks with kcat that each record was stored exactly once (or, for fatal
// errors, that exactly the affected records were rejected and nothing of theirs stored).
// What this can prove: the mock appends nothing for a request it fails on demand, so "once"
// here shows the client retries each batch to one success, keeps order, and ends every record
// in exactly one outcome. It cannot prove broker-side deduplication (the mock checks sequences
// only for transactional producers) or anything about acks, CRCs or size limits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokerError,
  ConnectionError,
  Producer,
  ProducerClosedError,
  type ProducerConfig,
  type RecordMetadata,
  TimeoutError,
} from "../../mod.ts";
import { readTopic } from "../support/kcat.ts";
import { type MockCluster, startMockCluster, uniqueTopic } from "../support/mock_cluster.ts";

const PRODUCE = 0;
const decoder = new TextDecoder();

/** Sends `count` records numbered from `start`; returns the settled outcomes. */
function sendNumbered(
  producer: Producer,
  topic: string,
  count: number,
  start = 0,
  partition?: number,
) {
  const sends: Promise<RecordMetadata>[] = [];
  for (let i = start; i < start + count; i++) {
    sends.push(
      producer.send(
        partition === undefined
          ? { topic, key: `k${i % 13}`, value: `r${i}` }
          : { topic, value: `r${i}`, partition },
      ),
    );
  }
  return Promise.allSettled(sends);
}

/** Asserts kcat reads exactly the records r<start>..r<start+count-1>, each once. */
async function assertStoredExactlyOnce(
  cluster: MockCluster,
  topic: string,
  count: number,
  start = 0,
) {
  const stored = await readTopic(cluster.bootstrap, topic, { expected: count });
  const values = stored.map((record) => decoder.decode(record.value!));
  const unique = new Set(values);
  assert.equal(values.length, unique.size, `duplicates stored: ${values.length - unique.size}`);
  for (let i = start; i < start + count; i++) assert.ok(unique.has(`r${i}`), `r${i} missing`);
  assert.equal(values.length, count);
}

function fastRetries(cluster: MockCluster, extra: Partial<ProducerConfig> = {}): ProducerConfig {
  return {
    bootstrapServers: cluster.bootstrap,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 200,
    reconnectBackoffMs: 20,
    reconnectBackoffMaxMs: 200,
    ...extra,
  };
}

describe("Producer failure handling (mock cluster)", { concurrency: false }, () => {
  let cluster: MockCluster;
  before(async () => {
    cluster = await startMockCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster.close();
  });

  for (
    const [name, code] of [
      ["NOT_LEADER_OR_FOLLOWER", 6],
      ["REQUEST_TIMED_OUT", 7],
      ["LEADER_NOT_AVAILABLE", 5],
      ["NOT_ENOUGH_REPLICAS", 19],
      ["UNKNOWN_TOPIC_OR_PARTITION", 3],
      ["transport failure (disconnect)", -195],
    ] as const
  ) {
    it(`retries ${name} to success with no loss and no duplicates`, async () => {
      const topic = uniqueTopic(`retry${code}`);
      await cluster.createTopic(topic, 4);
      const producer = new Producer(fastRetries(cluster));
      await producer.send({ topic, value: "warm-up", partition: 0 }); // metadata, connections, producer id
      await cluster.pushErrors(PRODUCE, [code, code, code]);
      const outcomes = await sendNumbered(producer, topic, 300);
      await producer.close();
      const failed = outcomes.filter((o) => o.status === "rejected");
      assert.equal(
        failed.length,
        0,
        String((failed[0] as PromiseRejectedResult | undefined)?.reason),
      );
      const stored = await readTopic(cluster.bootstrap, topic, { expected: 301 });
      const values = stored.map((record) => decoder.decode(record.value!)).filter((v) =>
        v !== "warm-up"
      );
      assert.equal(new Set(values).size, values.length, "duplicates stored");
      assert.equal(values.length, 300);
    });
  }

  it("stats() counts records, requests, batches, retries and errors by code", async () => {
    const topic = uniqueTopic("stats");
    await cluster.createTopic(topic, 2);
    const producer = new Producer(fastRetries(cluster, { compressionType: "gzip" }));
    await producer.send({ topic, value: "warm-up", partition: 0 });
    await cluster.pushErrors(PRODUCE, [6]);
    const outcomes = await sendNumbered(producer, topic, 500);
    const stats = producer.stats();
    await producer.close();
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    assert.equal(stats.recordsAcknowledged, 501);
    assert.equal(stats.recordsFailed, 0);
    assert.equal(stats.errorsByCode.NOT_LEADER_OR_FOLLOWER, stats.retries);
    assert.ok(stats.retries >= 1, "the injected error was retried");
    assert.ok(stats.requests >= 2 && stats.batches >= stats.requests);
    assert.ok(stats.compressionRatio > 1, `ratio ${stats.compressionRatio}`);
    assert.ok(stats.recordsPerRequest > 1);
    assert.ok(
      stats.requestLatencyMs.p50 > 0 && stats.requestLatencyMs.max >= stats.requestLatencyMs.p99,
    );
    assert.equal(
      stats.bufferAvailable,
      stats.bufferTotal,
      "nothing buffered after every record is acknowledged",
    );
  });

  it("retries through a broker that goes down and comes back", async () => {
    const topic = uniqueTopic("down");
    await cluster.createTopic(topic, 3);
    const producer = new Producer(fastRetries(cluster));
    await producer.send({ topic, value: "warm-up", partition: 0 });
    await cluster.brokerDown(1);
    await cluster.brokerDown(2);
    const sending = sendNumbered(producer, topic, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.brokerUp(1);
    await cluster.brokerUp(2);
    const outcomes = await sending;
    await producer.close();
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 201 });
    const values = stored.map((record) => decoder.decode(record.value!)).filter((v) =>
      v !== "warm-up"
    );
    assert.equal(new Set(values).size, 200);
    assert.equal(values.length, 200);
  });

  it("follows a leader that moved (metadata refresh on NOT_LEADER_OR_FOLLOWER)", async () => {
    const topic = uniqueTopic("moved");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(fastRetries(cluster));
    const first = await producer.send({ topic, value: "r0" });
    assert.equal(first.offset, 0n);
    await cluster.setLeader(topic, 0, 3);
    const outcomes = await sendNumbered(producer, topic, 50, 1);
    await producer.close();
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    await assertStoredExactlyOnce(cluster, topic, 51);
  });

  it("bumps the epoch on OUT_OF_ORDER_SEQUENCE_NUMBER and delivers everything once", async () => {
    const topic = uniqueTopic("oos");
    await cluster.createTopic(topic, 2);
    const producer = new Producer(fastRetries(cluster));
    await producer.send({ topic, value: "warm-up", partition: 0 });
    await cluster.pushErrors(PRODUCE, [45]);
    const outcomes = await sendNumbered(producer, topic, 100);
    await producer.close();
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 101 });
    assert.equal(stored.length, 101);
  });

  it("splits a batch the broker calls MESSAGE_TOO_LARGE and delivers all of it", async () => {
    const topic = uniqueTopic("split");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(fastRetries(cluster, { lingerMs: 50 }));
    await producer.send({ topic, value: "warm-up" });
    await cluster.pushErrors(PRODUCE, [10]);
    const outcomes = await sendNumbered(producer, topic, 40);
    await producer.close();
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 41 });
    assert.deepEqual(
      stored.map((record) => decoder.decode(record.value!)),
      ["warm-up", ...Array.from({ length: 40 }, (_, i) => `r${i}`)],
      "order kept across the split",
    );
  });

  it("rejects exactly the records of a batch that gets a fatal error; the others are stored", async () => {
    const topic = uniqueTopic("fatal");
    await cluster.createTopic(topic, 2);
    const producer = new Producer(fastRetries(cluster, { lingerMs: 20 }));
    await producer.send({ topic, value: "warm-up", partition: 1 });
    // The next Produce request (partition 0's batch alone) fails with INVALID_RECORD (87).
    await cluster.pushErrors(PRODUCE, [87]);
    const doomed = await sendNumbered(producer, topic, 10, 0, 0);
    const fine = await sendNumbered(producer, topic, 10, 10, 1);
    await producer.close();
    for (const outcome of doomed) {
      assert.equal(outcome.status, "rejected");
      const reason = (outcome as PromiseRejectedResult).reason;
      assert.ok(reason instanceof BrokerError, String(reason));
      assert.equal(reason.code, "INVALID_RECORD");
      assert.equal(reason.errorCode, 87);
      assert.equal(reason.retriable, false);
    }
    assert.deepEqual(fine.filter((o) => o.status === "rejected"), []);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 11 });
    const values = new Set(stored.map((record) => decoder.decode(record.value!)));
    for (let i = 0; i < 10; i++) {
      assert.equal(values.has(`r${i}`), false, `rejected r${i} was stored`);
    }
    for (let i = 10; i < 20; i++) assert.ok(values.has(`r${i}`), `r${i} missing`);
  });

  it("fails records with DELIVERY_TIMEOUT once deliveryTimeoutMs passes while brokers are down", async () => {
    const topic = uniqueTopic("timeout");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(
      fastRetries(cluster, { deliveryTimeoutMs: 1500, requestTimeoutMs: 1000, lingerMs: 0 }),
    );
    await producer.send({ topic, value: "warm-up" });
    for (const id of [1, 2, 3]) await cluster.brokerDown(id);
    const outcome = await producer.send({ topic, value: "lost" }).then(
      () => undefined,
      (error) => error,
    );
    for (const id of [1, 2, 3]) await cluster.brokerUp(id);
    await producer.close();
    assert.ok(outcome instanceof TimeoutError, String(outcome));
    assert.equal(outcome.code, "DELIVERY_TIMEOUT");
    assert.match(outcome.message, /deliveryTimeoutMs.*: last error: Cannot connect to/);
    // The record never went out (no broker could be reached): the reason is still attached.
    assert.ok(outcome.cause instanceof ConnectionError, String(outcome.cause));
  });

  it("a send waiting for buffer space while no broker can be reached says so, with the connection error as cause", async () => {
    const topic = uniqueTopic("full-down");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(
      fastRetries(cluster, {
        bufferMemory: 4096,
        batchSize: 1024,
        maxBlockMs: 500,
        deliveryTimeoutMs: 3000,
        requestTimeoutMs: 1000,
      }),
    );
    await producer.send({ topic, value: "warm-up" });
    for (const id of [1, 2, 3]) await cluster.brokerDown(id);
    const queued: Promise<unknown>[] = [];
    while (producer.bufferAvailable > 600) {
      queued.push(producer.send({ topic, value: "q".repeat(400) }).catch((error) => error));
    }
    const outcome = await producer.send({ topic, value: "w".repeat(1000) }).then(
      () => undefined,
      (error) => error,
    );
    for (const id of [1, 2, 3]) await cluster.brokerUp(id);
    await producer.close();
    await Promise.all(queued);
    assert.ok(outcome instanceof TimeoutError, String(outcome));
    assert.equal(outcome.code, "MAX_BLOCK_TIMEOUT");
    assert.match(
      outcome.message,
      /^Cannot reserve \d+ bytes of bufferMemory within maxBlockMs \(500 ms\): the records ahead cannot be delivered: no broker could be reached; last error: .*Cannot connect to/,
    );
    assert.ok(outcome.cause instanceof ConnectionError, String(outcome.cause));
  });

  it("close({ timeoutMs }) rejects records waiting for buffer space, queued and in flight with ProducerClosedError at the timeout", async () => {
    const outcome = (promise: Promise<unknown>) => promise.then(() => "resolved", (error) => error);
    const assertClosed = (error: unknown) => {
      assert.ok(error instanceof ProducerClosedError, String(error));
      assert.match(error.message, /close\(\) waited timeoutMs \(300 ms\)/);
    };
    // In flight: the broker holds its answers.
    const slowTopic = uniqueTopic("close-inflight");
    await cluster.createTopic(slowTopic, 1);
    const slow = new Producer(fastRetries(cluster, { requestTimeoutMs: 20_000 }));
    await slow.send({ topic: slowTopic, value: "warm-up" });
    for (const id of [1, 2, 3]) await cluster.setRtt(id, 5_000);
    const inFlight = outcome(slow.send({ topic: slowTopic, value: "in flight" }));
    await slow.close({ timeoutMs: 300 });
    for (const id of [1, 2, 3]) await cluster.setRtt(id, 0);
    assertClosed(await inFlight);

    // Queued (no broker can be reached) and waiting for buffer space behind them.
    const topic = uniqueTopic("close-queued");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(
      fastRetries(cluster, { bufferMemory: 4096, batchSize: 1024, maxBlockMs: 10_000 }),
    );
    await producer.send({ topic, value: "warm-up" });
    for (const id of [1, 2, 3]) await cluster.brokerDown(id);
    const queued: Promise<unknown>[] = [];
    while (producer.bufferAvailable > 600) {
      queued.push(outcome(producer.send({ topic, value: "q".repeat(400) })));
    }
    const waiting = outcome(producer.send({ topic, value: "w".repeat(1000) }));
    const writing = outcome(
      producer.writable.getWriter().write([{ topic, value: "x".repeat(1000) }]),
    );
    // Let the stream's record reach its wait (promise jobs only) before close() is called.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await producer.close({ timeoutMs: 300 });
    for (const id of [1, 2, 3]) await cluster.brokerUp(id);
    for (const record of queued) assertClosed(await record);
    assertClosed(await waiting);
    assertClosed(await writing);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => decoder.decode(r.value!)), ["warm-up"]);
  });

  it("send() to a topic whose metadata never appears fails with MAX_BLOCK_TIMEOUT after maxBlockMs", async () => {
    const topic = uniqueTopic("ghost");
    await cluster.command(`topic_error ${topic} 3`);
    const producer = new Producer(fastRetries(cluster, { maxBlockMs: 300 }));
    const outcome = await producer.send({ topic, value: "x" }).then(
      () => undefined,
      (error) => error,
    );
    await producer.close();
    assert.ok(outcome instanceof TimeoutError, String(outcome));
    assert.equal(outcome.code, "MAX_BLOCK_TIMEOUT");
    assert.match(outcome.message, /not present in metadata after maxBlockMs \(300 ms\)/);
  });

  it("backpressure: a slow broker makes desiredSize fall and writers wait; buffered bytes stay within bufferMemory", async () => {
    const topic = uniqueTopic("slow");
    await cluster.createTopic(topic, 1);
    const bufferMemory = 64 * 1024;
    const producer = new Producer(
      fastRetries(cluster, { bufferMemory, batchSize: 8192, lingerMs: 0 }),
    );
    await producer.send({ topic, value: "warm-up" });
    for (const id of [1, 2, 3]) await cluster.setRtt(id, 300);
    const writer = producer.writable.getWriter();
    const value = "v".repeat(500);
    let minDesired = Infinity;
    let waited = 0;
    let maxUsed = 0;
    const total = 600; // ~300 KB: several times bufferMemory
    for (let i = 0; i < total; i += 20) {
      const chunk = Array.from({ length: 20 }, (_, j) => ({ topic, value: `r${i + j}:${value}` }));
      const before = performance.now();
      await writer.ready;
      if (performance.now() - before > 50) waited++;
      void writer.write(chunk);
      minDesired = Math.min(minDesired, writer.desiredSize ?? Infinity);
      maxUsed = Math.max(maxUsed, bufferMemory - producer.bufferAvailable);
    }
    await writer.close();
    for (const id of [1, 2, 3]) await cluster.setRtt(id, 0);
    await producer.close();
    assert.ok(minDesired <= 0, `desiredSize never fell to 0 (min ${minDesired})`);
    assert.ok(waited > 0, "the writer never waited");
    assert.ok(maxUsed <= bufferMemory, `used ${maxUsed} > ${bufferMemory}`);
    const stored = await readTopic(cluster.bootstrap, topic, { expected: total + 1 });
    assert.equal(stored.length, total + 1);
  });

  it("refreshes metadata every metadataMaxAgeMs while a topic is in use", async () => {
    const topic = uniqueTopic("age");
    await cluster.createTopic(topic, 1);
    const producer = new Producer(fastRetries(cluster, { metadataMaxAgeMs: 200 }));
    await producer.send({ topic, value: "x" });
    await cluster.command("track_start");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const requests = await cluster.requests(); // before track_stop, which clears them
    await cluster.command("track_stop");
    await producer.close();
    const metadataRequests = requests.filter((request) => request.apiKey === 3).length;
    assert.ok(metadataRequests >= 3, `only ${metadataRequests} Metadata requests in 1.1 s`);
  });

  it("works with Produce <= v7 and Metadata <= v2 (older brokers)", async () => {
    const old = await startMockCluster({ brokers: 3 });
    try {
      await old.setApiVersion(0, 0, 7);
      await old.setApiVersion(3, 0, 2);
      const topic = uniqueTopic("old");
      await old.createTopic(topic, 2);
      const producer = new Producer({ bootstrapServers: old.bootstrap });
      const outcomes = await sendNumbered(producer, topic, 100);
      await producer.close();
      assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
      await assertStoredExactlyOnce(old, topic, 100);
    } finally {
      await old.close();
    }
  });
});
