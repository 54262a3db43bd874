// What the producer does with the records it is given — stream errors, timestamps, headers,
// byte ownership, the smallest request size — through every door (send(), writable,
// stages(), the CLI's byte path), checked against the cluster with kcat.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, type ProducerRecord, RecordError, type SerializedRecord } from "../../mod.ts";
import { tryAppendBytes } from "../../src/producer/producer.ts";
import type { StoredRecord } from "../support/kcat.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => bytes === null ? null : decoder.decode(bytes);
const headersOf = (record: StoredRecord) =>
  record.headers.map(([name, value]) => [name, value === null ? null : [...value]]);

describe("Producer record input", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("Producer.writable is a fresh stream after a write rejected, and it sends", async () => {
    const topic = uniqueTopic("errored-writable");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, maxBlockMs: 2000 });
    const bad: Array<ProducerRecord> = [
      { topic, value: 5 }, // no serializer takes a number: fails at once
      { topic, value: "x", partition: 9 }, // the topic has one partition
    ];
    const good: string[] = [];
    for (const [i, record] of bad.entries()) {
      const errored = producer.writable;
      await assert.rejects(errored.getWriter().write(record), Error);
      const fresh = producer.writable;
      assert.notEqual(fresh, errored, `record ${i}: a fresh stream`);
      assert.equal(producer.writable, fresh, "the same stream until it ends");
      const writer = fresh.getWriter();
      await writer.write([{ topic, value: `good-${i}` }]);
      await writer.close();
      good.push(`good-${i}`);
    }
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: good.length });
    assert.deepEqual(stored.map((r) => text(r.value)), good);
  });

  it("Producer stores timestamps any distance apart in one batch exactly, on every path", async () => {
    const topic = uniqueTopic("timestamps");
    // Kafka refuses CreateTime timestamps more than an hour ahead of the broker's clock unless
    // the topic allows any (message.timestamp.after.max.ms).
    await cluster.createTopic(topic, 1, {
      configs: { "message.timestamp.after.max.ms": "9223372036854775807" },
    });
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 60_000 });
    // Pairs whose delta exceeds 2^52 ms, each pair written together so it shares a batch.
    const pairs: Array<[number | Date, number]> = [
      [new Date(8.64e15), 1_700_000_000_001],
      [0, Number.MAX_SAFE_INTEGER],
      [Number.MAX_SAFE_INTEGER, 1],
    ];
    const expected: Array<[string, number]> = [];
    const sends: Array<Promise<unknown>> = [];
    for (const [i, [first, second]] of pairs.entries()) {
      sends.push(producer.send({ topic, value: `send-${i}-a`, timestamp: first, partition: 0 }));
      sends.push(producer.send({ topic, value: `send-${i}-b`, timestamp: second, partition: 0 }));
      await producer.flush(); // one batch per pair
      expected.push([`send-${i}-a`, +first], [`send-${i}-b`, second]);
    }
    await Promise.all(sends);
    for (const [i, [first, second]] of pairs.entries()) {
      const writer = producer.writable.getWriter();
      await writer.write([
        { topic, value: `write-${i}-a`, timestamp: first, partition: 0 },
        { topic, value: `write-${i}-b`, timestamp: second, partition: 0 },
      ]);
      await writer.close();
      expected.push([`write-${i}-a`, +first], [`write-${i}-b`, second]);
    }
    const { serialize, sink } = producer.stages();
    await ReadableStream.from(pairs.map(([first, second], i) => [
      { topic, value: `stage-${i}-a`, timestamp: first, partition: 0 },
      { topic, value: `stage-${i}-b`, timestamp: second, partition: 0 },
    ])).pipeThrough(serialize).pipeTo(sink);
    for (const [i, [first, second]] of pairs.entries()) {
      expected.push([`stage-${i}-a`, +first], [`stage-${i}-b`, second]);
    }
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: expected.length });
    assert.deepEqual(stored.map((r) => [text(r.value), r.timestamp]), expected);
  });

  it("Producer accepts headers only as a plain object or [name, value] pairs, at every door", async () => {
    const topic = uniqueTopic("headers");
    await cluster.createTopic(topic, 1);
    const notHeaders: unknown[] = ["ab", 5, true, new Map([["trace", "1"]]), new Uint8Array([1])];
    let badHeaders: unknown = undefined;
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      // An interceptor is a door too: what it returns is checked like what send() is given.
      interceptors: [{
        onSend: (record) =>
          record.value === "via interceptor"
            ? { ...record, headers: badHeaders as ProducerRecord["headers"] }
            : record,
      }],
    });
    const isHeadersError = (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, /^Invalid headers for topic "[^"]+": .* is neither an object/);
      return true;
    };
    for (const headers of notHeaders) {
      const record = { topic, value: "refused", headers } as ProducerRecord;
      await assert.rejects(producer.send(record), isHeadersError);
      await assert.rejects(producer.writable.getWriter().write([record]), isHeadersError);
      const { serialize } = producer.stages();
      await assert.rejects(
        ReadableStream.from([[record]]).pipeThrough(serialize).pipeTo(new WritableStream()),
        isHeadersError,
      );
      badHeaders = headers;
      await assert.rejects(producer.send({ topic, value: "via interceptor" }), isHeadersError);
    }
    const noPrototype = Object.assign(Object.create(null), { trace: "1" });
    await producer.send({ topic, value: "object", headers: { trace: "1", empty: null } });
    await producer.send({ topic, value: "null prototype", headers: noPrototype });
    await producer.send({ topic, value: "pairs", headers: [["a", "1"], ["a", "2"]] });
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 3 });
    const one = [...encoder.encode("1")];
    assert.deepEqual(stored.map((r) => [text(r.value), headersOf(r)]), [
      ["object", [["trace", one], ["empty", null]]],
      ["null prototype", [["trace", one]]],
      ["pairs", [["a", one], ["a", [...encoder.encode("2")]]]],
    ]);
  });

  it("Producer.send() owns a record's bytes when it returns, also when the record waits", async () => {
    const topic = uniqueTopic("bytes");
    await cluster.createTopic(topic, 1);
    // A new producer knows no metadata yet: the first record waits for it.
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 0 });
    const key = new Uint8Array([1, 2, 3]);
    const value = new Uint8Array([4, 5, 6]);
    const header = new Uint8Array([7, 8, 9]);
    const waiting = producer.send({ topic, key, value, headers: { h: header } });
    key.fill(0);
    value.fill(0);
    header.fill(0);
    await waiting;
    // Buffer full: lingering records use up bufferMemory, the next one waits for space.
    const small = new Producer({
      bootstrapServers: cluster.bootstrap,
      bufferMemory: 1024,
      lingerMs: 60_000,
    });
    await small.send({ topic, value: "warm-up" }).catch(() => {}); // metadata known (sent at once)
    const filler = small.send({ topic, value: new Uint8Array(900) });
    const bytes = new Uint8Array([10, 11, 12]);
    const blocked = small.send({ topic, value: bytes });
    assert.ok(small.bufferAvailable < 200, "the buffer is full: the last record waits");
    bytes.fill(0);
    await small.flush(); // sends the filler, which frees the space
    await Promise.all([filler, blocked]);
    await small.close();
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 4 });
    assert.deepEqual([...stored[0]!.key!], [1, 2, 3]);
    assert.deepEqual([...stored[0]!.value!], [4, 5, 6]);
    assert.deepEqual(headersOf(stored[0]!), [["h", [7, 8, 9]]]);
    assert.deepEqual([...stored[3]!.value!], [10, 11, 12]);
  });

  it("Producer owns a record's bytes once writable's or the sink's write() resolved, and the byte path's at once", async () => {
    const topic = uniqueTopic("bytes-streams");
    await cluster.createTopic(topic, 1);
    const producer = new Producer<Uint8Array, Uint8Array>({ bootstrapServers: cluster.bootstrap });
    const written = new Uint8Array([1, 1, 1]);
    const writer = producer.writable.getWriter();
    await writer.write({ topic, value: written }); // waits for metadata, then resolves
    written.fill(0);
    const sunk = new Uint8Array([2, 2, 2]);
    const { sink } = producer.stages();
    const sinkWriter = sink.getWriter();
    const record: SerializedRecord = {
      topic,
      partition: 0,
      key: null,
      value: sunk,
      headers: undefined,
      timestamp: Date.now(),
    };
    await sinkWriter.write([record]);
    sunk.fill(0);
    const appended = new Uint8Array([3, 3, 3]);
    assert.equal(tryAppendBytes(producer, topic, 0, null, appended, Date.now()), true);
    appended.fill(0);
    await writer.close();
    await sinkWriter.close();
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 3 });
    assert.deepEqual(stored.map((r) => [...r.value!]), [[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
  });

  it("Producer with the smallest maxRequestSize (81) sends the smallest record", async () => {
    const topic = uniqueTopic("smallest-request");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, maxRequestSize: 81 });
    await producer.send({ topic, key: null, value: null });
    // 81 = the batch header (61) + 20: a record of 21 bytes (7 + a 14-byte value) is refused.
    await assert.rejects(producer.send({ topic, value: "x".repeat(14) }), (error: unknown) => {
      assert.ok(error instanceof RecordError);
      assert.equal(error.code, "RECORD_TOO_LARGE");
      return true;
    });
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => [r.key, r.value]), [[null, null]]);
  });
});
