// Records the producer must refuse, refused on every path into it (send(), writable, stages(),
// interceptors, the command line's byte path) before anything is reserved or appended, and
// records it must not refuse; kcat reads back what was stored.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, type ProducerRecord, RecordError } from "../../mod.ts";
import { tryAppendBytes } from "../../src/producer/producer.ts";
import type { SerializedRecord } from "../../src/record/serialized_record.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => bytes === null ? null : decoder.decode(bytes);

/** Pipes `records` through every stage of `producer.stages()`, plus `between` after serialize. */
function throughStages<K, V>(
  producer: Producer<K, V>,
  records: ProducerRecord<K, V>[],
  between?: TransformStream,
): Promise<void> {
  const { intercept, serialize, partition, sink } = producer.stages();
  let serialized = ReadableStream.from([records]).pipeThrough(intercept).pipeThrough(serialize);
  if (between !== undefined) serialized = serialized.pipeThrough(between);
  return serialized.pipeThrough(partition).pipeTo(sink);
}

describe("Producer refusals (against the mock cluster)", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("a record without a value is refused on every path; only an explicit null is stored as a tombstone", async () => {
    const topic = uniqueTopic("no-value");
    await cluster.createTopic(topic, 1);
    const noValue =
      /^TypeError: Invalid record for topic ".*": (its value is undefined|it has no value); pass null for a tombstone/;
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    const body: { v?: string } = {};
    await assert.rejects(producer.send({ topic, key: "user-1", value: body.v }), noValue);
    await assert.rejects(
      producer.send({ topic, key: "user-1" } as ProducerRecord<string, string>),
      noValue,
    );
    const writer = producer.writable.getWriter();
    await assert.rejects(
      writer.write([{ topic, key: "user-2", value: "a" }, { topic, key: "user-2", value: body.v }]),
      noValue,
    );
    await assert.rejects(
      throughStages(producer, [{ topic, key: "user-3", value: body.v }]),
      noValue,
    );
    await producer.send({ topic, key: "user-4", value: null });
    await producer.close();

    // An interceptor that loses the value does not turn the record into a tombstone either.
    const intercepted = new Producer({
      bootstrapServers: cluster.bootstrap,
      interceptors: [{ onSend: (record) => ({ ...record, value: body.v }) }],
    });
    await assert.rejects(intercepted.send({ topic, key: "user-5", value: "set" }), noValue);
    await intercepted.close();

    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => [text(r.key), text(r.value)]), [
      ["user-2", "a"],
      ["user-4", null],
    ]);
  });

  it("a nanosecond timestamp is refused before anything is reserved or appended, on every path; nothing else is affected", async () => {
    const topic = uniqueTopic("nanos");
    await cluster.createTopic(topic, 1);
    const nanoseconds = Date.now() * 1_000_000;
    const limit =
      /^TypeError: Invalid timestamp .* for topic ".*": must be .*at most 9007199254740991 \(Number\.MAX_SAFE_INTEGER\)/;
    const producer = new Producer<Uint8Array | string, Uint8Array | string>({
      bootstrapServers: cluster.bootstrap,
      lingerMs: 20,
      bufferMemory: 100_000,
    });
    const total = producer.stats().bufferTotal;
    // First of its batch: nothing reserved, no empty batch left for the sender's timer.
    await assert.rejects(producer.send({ topic, value: "cpu=0.5", timestamp: nanoseconds }), limit);
    assert.equal(producer.bufferAvailable, total);
    // Behind a record in an open batch: its reservation is not lost.
    const first = producer.send({ topic, value: "first" });
    await assert.rejects(producer.send({ topic, value: "cpu=0.5", timestamp: nanoseconds }), limit);
    await first;
    await assert.rejects(
      producer.writable.getWriter().write([
        { topic, value: "second" },
        { topic, value: "cpu=0.5", timestamp: nanoseconds },
      ]),
      limit,
    );
    await assert.rejects(
      throughStages(producer, [{ topic, value: "cpu=0.5", timestamp: nanoseconds }]),
      limit,
    );
    // A stage between serialize and the sink that sets a bad timestamp.
    await assert.rejects(
      throughStages(
        producer,
        [{ topic, value: "cpu=0.5" }],
        new TransformStream<SerializedRecord[], SerializedRecord[]>({
          transform(records, controller) {
            for (const record of records) record.timestamp = nanoseconds;
            controller.enqueue(records);
          },
        }),
      ),
      limit,
    );
    // An interceptor that sets the timestamp.
    const intercepted = new Producer({
      bootstrapServers: cluster.bootstrap,
      interceptors: [{ onSend: (record) => ({ ...record, timestamp: nanoseconds }) }],
    });
    await assert.rejects(intercepted.send({ topic, value: "cpu=0.5" }), limit);
    assert.equal(intercepted.bufferAvailable, intercepted.stats().bufferTotal);
    await intercepted.close();
    // The command line's byte path: refused (the stream path then says why), nothing reserved.
    const bytes = new Producer<Uint8Array, Uint8Array>({ bootstrapServers: cluster.bootstrap });
    await bytes.send({ topic, value: new TextEncoder().encode("third") }); // metadata known
    const free = bytes.bufferAvailable;
    assert.equal(
      tryAppendBytes(bytes, topic, -1, null, new TextEncoder().encode("x"), nanoseconds),
      false,
    );
    assert.equal(bytes.bufferAvailable, free);
    await bytes.close();

    await producer.flush();
    assert.equal(producer.bufferAvailable, total, "every reservation returned");
    await producer.send({ topic, value: "last" });
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 4 });
    assert.deepEqual(stored.map((r) => text(r.value)).sort(), ["first", "last", "second", "third"]);
    for (const record of stored) assert.ok(record.timestamp < 1e14, String(record.timestamp));
  });

  it("the size check counts a record's exact encoded size: what fits maxRequestSize is sent, a byte more is refused naming its size", async () => {
    const topic = uniqueTopic("size");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, maxRequestSize: 2048 });
    // The report's record: a 1,000-byte value and 10 headers with 50-character names, a batch
    // of about 1,600 bytes.
    const long = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [String(i).padStart(50, "h"), "v"]),
    );
    await producer.send({ topic, value: "x".repeat(1000), headers: long });
    // Multi-byte header names, counted by hand: "é" x20 and "😀" x10 are 40 bytes each, so
    // the headers take (1 + 40 + 1 + 1) + (1 + 40 + 1) = 85 bytes; with a value of L bytes
    // (64 <= L < 8192) the body is attributes, both deltas, the null key's length (1 each), the
    // value's length (2), L, the header count (1) and 85: L + 92 bytes, behind a 2-byte length,
    // so the record is L + 94 bytes and its batch L + 155. L = 1893 makes exactly 2048.
    const wide = { ["é".repeat(20)]: "v", ["😀".repeat(10)]: null };
    await producer.send({ topic, value: "y".repeat(1893), headers: wide });
    const writer = producer.writable.getWriter();
    await writer.write([{ topic, value: "w".repeat(1893), headers: wide }]);
    writer.releaseLock();
    await throughStages(producer, [{ topic, value: "s".repeat(1893), headers: wide }]);
    const tooLarge = (error: unknown) => {
      assert.ok(error instanceof RecordError, String(error));
      assert.equal(error.code, "RECORD_TOO_LARGE");
      assert.equal(
        error.message,
        `Cannot send record to "${topic}" as it must be <= 1987 bytes (maxRequestSize 2048 ` +
          "less the 61-byte batch header): its encoded size is 1988 bytes",
      );
      return true;
    };
    await assert.rejects(
      producer.send({ topic, value: "z".repeat(1894), headers: wide }),
      tooLarge,
    );
    await assert.rejects(
      throughStages(producer, [{ topic, value: "z".repeat(1894), headers: wide }]),
      tooLarge,
    );
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 4 });
    assert.deepEqual(stored.map((r) => [r.value!.length, r.headers.length]), [
      [1000, 10],
      [1893, 2],
      [1893, 2],
      [1893, 2],
    ]);
  });
});
