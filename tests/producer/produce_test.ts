// The producer against a real broker (librdkafka's mock cluster, or KAFKA_BOOTSTRAP), every
// outcome checked by reading the topic back with kcat (an independent decoder, CRCs checked).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { jsonSerializer, Producer } from "../../mod.ts";
import { ProducerClosedError, RecordError, TimeoutError } from "../../mod.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => bytes === null ? null : decoder.decode(bytes);

describe("Producer against a 3-broker cluster", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("send() stores keys, values, headers and timestamps exactly, in order per partition", async () => {
    const topic = uniqueTopic("exact");
    await cluster.createTopic(topic, 4);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 2 });
    // Recent explicit timestamps: a cluster with time-based retention (Kafka's default is 7
    // days) deletes records older than that soon after they are written.
    const base = Date.now() - 60_000;
    const sent = [];
    for (let i = 0; i < 200; i++) {
      sent.push(producer.send({
        topic,
        key: i % 5 === 0 ? null : `key-${i % 17}`,
        value: i % 7 === 0 ? new Uint8Array([0, 10, 13, 255, i & 255]) : `value-${i}`,
        headers: i % 3 === 0
          ? { trace: `t${i}`, empty: null, bin: new Uint8Array([1, 2, 255]) }
          : undefined,
        timestamp: base + i,
      }));
    }
    const metadata = await Promise.all(sent);
    await producer.close();

    const stored = await cluster.readBack(topic, { expected: 200 });
    assert.equal(stored.length, 200);
    const byTimestamp = new Map(stored.map((record) => [record.timestamp, record]));
    for (let i = 0; i < 200; i++) {
      const record = byTimestamp.get(base + i);
      assert.ok(record, `record ${i} missing`);
      assert.equal(record.partition, metadata[i]!.partition);
      assert.equal(BigInt(record.offset), metadata[i]!.offset);
      assert.equal(text(record.key), i % 5 === 0 ? null : `key-${i % 17}`);
      if (i % 7 === 0) assert.deepEqual(record.value, new Uint8Array([0, 10, 13, 255, i & 255]));
      else assert.equal(text(record.value), `value-${i}`);
      if (i % 3 === 0) {
        assert.deepEqual(
          record.headers.map(([name, value]) => [name, value === null ? null : [...value]]),
          [["trace", [...new TextEncoder().encode(`t${i}`)]], ["empty", null], ["bin", [
            1,
            2,
            255,
          ]]],
        );
      } else {
        assert.deepEqual(record.headers, []);
      }
    }
    // Per partition, offsets follow send order.
    const lastIndexByPartition = new Map<number, number>();
    for (
      const record of [...stored].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    ) {
      const index = record.timestamp - base;
      const previous = lastIndexByPartition.get(record.partition) ?? -1;
      assert.ok(
        index > previous,
        `partition ${record.partition} out of order: ${index} after ${previous}`,
      );
      lastIndexByPartition.set(record.partition, index);
    }
  });

  it("writable accepts arrays of records and close() resolves once all are acknowledged", async () => {
    const topic = uniqueTopic("stream");
    await cluster.createTopic(topic, 4);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    const writer = producer.writable.getWriter();
    const total = 20_000;
    for (let start = 0; start < total; start += 1000) {
      const chunk = [];
      for (let i = start; i < start + 1000; i++) {
        chunk.push({ topic, key: `k${i % 100}`, value: `v${i}` });
      }
      await writer.ready;
      void writer.write(chunk);
    }
    await writer.close();
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: total });
    assert.equal(stored.length, total);
    const values = new Set(stored.map((record) => text(record.value)));
    assert.equal(values.size, total, "every record exactly once");
    // Same key, same partition, in write order.
    const byKey = new Map<string, { partition: number; last: number }>();
    for (
      const record of [...stored].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    ) {
      const key = text(record.key)!;
      const index = Number(text(record.value)!.slice(1));
      const seen = byKey.get(key);
      if (seen) {
        assert.equal(record.partition, seen.partition);
        assert.ok(index > seen.last);
        seen.last = index;
      } else byKey.set(key, { partition: record.partition, last: index });
    }
  });

  it("a burst of send()s before the first metadata answer keeps send order per partition, also short of buffer space", async () => {
    // Every send below is made before the producer has metadata: they wait in one queue per
    // topic and go into their batches in order once it comes; with 8 KiB of bufferMemory
    // most of them then wait for space as well. Two topics, keyed and explicit partitions.
    const topics = [uniqueTopic("burst-a"), uniqueTopic("burst-b")];
    for (const topic of topics) await cluster.createTopic(topic, 3);
    const producer = new Producer<string, string>({
      bootstrapServers: cluster.bootstrap,
      bufferMemory: 8 * 1024,
      lingerMs: 1,
    });
    const total = 4000;
    const sent: Array<Promise<{ partition: number; offset: bigint }>> = [];
    const reused = new TextEncoder().encode("reused-bytes-0000"); // changed after each send
    const bytesProducer = new Producer<Uint8Array, Uint8Array>({
      bootstrapServers: cluster.bootstrap,
    });
    const bytesSent: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i++) {
      // The last quarter comes once the first record is acknowledged: metadata is known by
      // then, but the burst is still waiting for buffer space, so they must queue behind it.
      if (i === 3000) await sent[0];
      const topic = topics[i % 2]!;
      const value = `${i}`.padStart(6, "0") + "-".repeat(i % 40);
      sent.push(
        i % 7 === 0
          ? producer.send({ topic, partition: i % 3, value })
          : producer.send({ topic, key: `key-${i % 11}`, value }),
      );
      if (i % 500 === 0) {
        // A caller reusing its buffer right after send(): the queued record has its own copy.
        reused.set(new TextEncoder().encode(`${i}`.padStart(4, "0")), 13);
        bytesSent.push(bytesProducer.send({ topic: topics[0]!, partition: 0, value: reused }));
        reused.fill(63, 13);
      }
    }
    const metadata = await Promise.all(sent);
    await Promise.all(bytesSent);
    await producer.close();
    await bytesProducer.close();

    for (const [t, topic] of topics.entries()) {
      const stored = await cluster.readBack(topic, {
        expected: total / 2 + (t === 0 ? bytesSent.length : 0),
      });
      const ours = stored.filter((record) => !text(record.value)!.startsWith("reused-"));
      assert.equal(ours.length, total / 2);
      const lastByPartition = new Map<number, number>();
      for (
        const record of [...ours].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      ) {
        const i = Number(text(record.value)!.slice(0, 6));
        assert.equal(i % 2, t);
        assert.equal(record.partition, metadata[i]!.partition, `record ${i}`);
        assert.equal(BigInt(record.offset), metadata[i]!.offset, `record ${i}`);
        if (i % 7 === 0) assert.equal(record.partition, i % 3);
        else assert.equal(text(record.key), `key-${i % 11}`);
        assert.ok(i > (lastByPartition.get(record.partition) ?? -1), `record ${i} out of order`);
        lastByPartition.set(record.partition, i);
      }
      if (t === 0) {
        const copies = stored.filter((record) => text(record.value)!.startsWith("reused-"))
          .map((record) => text(record.value));
        assert.deepEqual(
          copies,
          Array.from(
            { length: bytesSent.length },
            (_, n) => `reused-bytes-${`${n * 500}`.padStart(4, "0")}`,
          ),
        );
      }
    }
  });

  it("string and JSON records keep their own bytes while they wait for metadata or buffer space", async () => {
    // Strings are encoded into buffers reused from record to record (Utf8Scratch): a record
    // that waits must have been copied before the next one is serialized. A 16 KiB
    // bufferMemory makes most of these records wait for space; the first ones wait for
    // metadata. Keys: short ASCII, non-ASCII, and longer than the short-string loop; values:
    // JSON with non-ASCII text and lone surrogates, some longer than the initial buffer.
    const topic = uniqueTopic("strings");
    await cluster.createTopic(topic, 3);
    const producer = new Producer<string, { i: number; text: string } | null>({
      bootstrapServers: cluster.bootstrap,
      valueSerializer: jsonSerializer,
      bufferMemory: 16 * 1024,
      lingerMs: 1,
    });
    const keyOf = (i: number) =>
      i % 3 === 0 ? `k${i}` : i % 3 === 1 ? `ключ-${i}` : `a-key-longer-than-thirty-two-chars-${i}`;
    const valueOf = (i: number) =>
      i % 50 === 7
        ? null
        : { i, text: i % 4 === 0 ? "x".repeat(1500 + i) : `é ${i} \u{1F600} \ud800 end` };
    const total = 600;
    const writer = producer.writable.getWriter();
    const sent: Promise<unknown>[] = [];
    for (let start = 0; start < total; start += 100) {
      const chunk = [];
      for (let i = start; i < start + 100; i++) {
        chunk.push({ topic, key: keyOf(i), value: valueOf(i), timestamp: Date.now() - 60_000 + i });
      }
      // Some through send() as well, between the stream's chunks.
      sent.push(producer.send({ topic, key: keyOf(total + start), value: valueOf(total + start) }));
      await writer.ready;
      void writer.write(chunk);
    }
    await writer.close();
    await Promise.all(sent);
    await producer.close();

    const expected = total + total / 100;
    const stored = await cluster.readBack(topic, { expected });
    assert.equal(stored.length, expected);
    const byKey = new Map(stored.map((record) => [text(record.key), record]));
    const encoder = new TextEncoder();
    for (let n = 0; n < expected; n++) {
      const i = n < total ? n : total + (n - total) * 100;
      const record = byKey.get(keyOf(i));
      assert.ok(record, `record ${i} (key ${keyOf(i)}) missing`);
      const value = valueOf(i);
      assert.deepEqual(
        record.value,
        value === null ? null : encoder.encode(JSON.stringify(value)),
        `record ${i}`,
      );
    }
  });

  it("a send() from inside a serializer leaves the outer record's key and value intact", async () => {
    // The outer record's string key is already encoded (into a reused buffer) when its value
    // serializer sends another record with a string key of its own.
    const topic = uniqueTopic("reentrant");
    await cluster.createTopic(topic, 2);
    const inner: Promise<unknown>[] = [];
    const producer: Producer<string, string> = new Producer<string, string>({
      bootstrapServers: cluster.bootstrap,
      valueSerializer: (value) => {
        if (value.startsWith("outer-")) {
          inner.push(producer.send({ topic, key: `inner-key-${value}`, value: `inner-${value}` }));
        }
        return new TextEncoder().encode(value);
      },
    });
    const outer = [];
    for (let i = 0; i < 20; i++) {
      outer.push(producer.send({ topic, key: `outer-key-${i}`, value: `outer-${i}` }));
    }
    await Promise.all(outer);
    await Promise.all(inner);
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 40 });
    const pairs = new Map(stored.map((record) => [text(record.key), text(record.value)]));
    assert.equal(pairs.size, 40);
    for (let i = 0; i < 20; i++) {
      assert.equal(pairs.get(`outer-key-${i}`), `outer-${i}`);
      assert.equal(pairs.get(`inner-key-outer-${i}`), `inner-outer-${i}`);
    }
  });

  it("keyless records stick to a partition per batch (KIP-794) and spread over all partitions", async () => {
    const topic = uniqueTopic("sticky");
    await cluster.createTopic(topic, 4);
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      batchSize: 4096,
      lingerMs: 50,
    });
    const value = "x".repeat(100);
    const sent = [];
    for (let i = 0; i < 2000; i++) sent.push(producer.send({ topic, value: `${i}:${value}` }));
    const metadata = await Promise.all(sent);
    await producer.close();
    // Consecutive records share a partition in runs of about batchSize bytes.
    let switches = 0;
    for (let i = 1; i < metadata.length; i++) {
      if (metadata[i]!.partition !== metadata[i - 1]!.partition) switches++;
    }
    const averageRun = metadata.length / (switches + 1);
    assert.ok(
      averageRun >= 10,
      `records switched partition every ${averageRun.toFixed(1)} records on average`,
    );
    const used = new Set(metadata.map((m) => m.partition));
    assert.equal(used.size, 4, `only partitions ${[...used]} were used`);
    const stored = await cluster.readBack(topic, { expected: 2000 });
    assert.equal(stored.length, 2000);
  });

  it("acks=0 delivers without offsets", async () => {
    const topic = uniqueTopic("acks0");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, acks: 0 });
    const metadata = await Promise.all([
      producer.send({ topic, value: "a" }),
      producer.send({ topic, value: "b" }),
    ]);
    assert.deepEqual(metadata.map((m) => m.offset), [-1n, -1n]);
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => text(r.value)), ["a", "b"]);
  });

  it("acks=1 and acks=all both deliver", async () => {
    for (const acks of [1, "all"] as const) {
      const topic = uniqueTopic(`acks${acks}`);
      await cluster.createTopic(topic, 2);
      const producer = new Producer({ bootstrapServers: cluster.bootstrap, acks });
      const metadata = await producer.send({ topic, value: "one", partition: 1 });
      assert.equal(metadata.partition, 1);
      assert.equal(metadata.offset, 0n);
      await producer.close();
      const stored = await cluster.readBack(topic, { expected: 1 });
      assert.equal(text(stored[0]!.value), "one");
    }
  });

  it("rejects records that can never be sent with a RecordError, and keeps working", async () => {
    const topic = uniqueTopic("bad");
    await cluster.createTopic(topic, 2);
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      maxRequestSize: 2048,
      maxBlockMs: 500,
    });
    await assert.rejects(producer.send({ topic, value: "x".repeat(4096) }), (error: unknown) => {
      assert.ok(error instanceof RecordError);
      assert.equal(error.code, "RECORD_TOO_LARGE");
      assert.match(error.message, /maxRequestSize/);
      return true;
    });
    await assert.rejects(producer.send({ topic, value: { not: "bytes" } }), RecordError);
    // A partition the topic does not have (yet): refused after maxBlockMs of fresh metadata.
    await assert.rejects(producer.send({ topic, value: "x", partition: 7 }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.match(error.message, /^Partition 7 of topic ".*" .* the topic has 2 partitions$/);
      return true;
    });
    const ok = await producer.send({ topic, value: "fine" });
    assert.equal(ok.topic, topic);
    await producer.close();
    await assert.rejects(producer.send({ topic, value: "late" }), ProducerClosedError);
    const stored = await cluster.readBack(topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => text(r.value)), ["fine"]);
  });

  it("interceptors see and change every record, and see every outcome; deliveries reports each record", async () => {
    const topic = uniqueTopic("intercept");
    await cluster.createTopic(topic, 2);
    const outcomes: Array<[string, bigint | undefined, string | undefined]> = [];
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      interceptors: [
        {
          onSend: () => {
            throw new Error("a broken interceptor is isolated");
          },
        },
        {
          onSend: (record) => ({ ...record, headers: { via: "interceptor" } }),
          onAcknowledgement: (metadata, error, record) =>
            outcomes.push([String(record.value), metadata?.offset, error?.message]),
        },
      ],
    });
    const reports = producer.deliveries.getReader();
    const writer = producer.writable.getWriter();
    await writer.write([{ topic, value: "a", partition: 0 }, { topic, value: "b", partition: 0 }]);
    await writer.close();
    const first = await reports.read();
    const second = await reports.read();
    await producer.close();
    assert.deepEqual(outcomes, [["a", 0n, undefined], ["b", 1n, undefined]]);
    assert.deepEqual([first.value!.record.value, second.value!.metadata!.offset], ["a", 1n]);
    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => [text(r.value), r.headers.map(([k, v]) => [k, text(v)])]), [
      ["a", [["via", "interceptor"]]],
      ["b", [["via", "interceptor"]]],
    ]);
  });

  it("close() right after a burst of sends delivers every record", async () => {
    const topic = uniqueTopic("burst");
    await cluster.createTopic(topic, 4);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 1000 });
    const sends = [];
    for (let i = 0; i < 5000; i++) sends.push(producer.send({ topic, value: `r${i}` }));
    await producer.close();
    const outcomes = await Promise.allSettled(sends);
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 5000);
    const stored = await cluster.readBack(topic, { expected: 5000 });
    assert.equal(new Set(stored.map((r) => text(r.value))).size, 5000);
  });

  it("abort() rejects what is pending with ProducerClosedError and nothing hangs", async () => {
    const topic = uniqueTopic("abort");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 60_000 });
    await producer.send({ topic, value: "first" }); // connections and metadata are up
    const pending = producer.send({ topic, value: "lingering" });
    await producer.abort(new Error("shutting down"));
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ProducerClosedError);
      assert.match(String((error as Error & { cause: Error }).cause), /shutting down/);
      return true;
    });
  });

  it("stages() exposes interceptors → serialization → partitioning → sink as streams a pipeline can extend", async () => {
    const topic = uniqueTopic("stages");
    await cluster.createTopic(topic, 3);
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      interceptors: [{ onSend: (record) => ({ ...record, value: `${record.value}!` }) }],
    });
    const { intercept, serialize, partition, sink } = producer.stages();
    const seen: number[] = [];
    const source = ReadableStream.from([[{ topic, key: "a", value: "1" }, {
      topic,
      key: "b",
      value: "drop",
    }], { topic, key: "c", value: "3" }]);
    await source
      .pipeThrough(intercept)
      .pipeThrough(
        new TransformStream({
          transform(records, controller) {
            controller.enqueue(records.filter((record) => record.value !== "drop!"));
          },
        }),
      )
      .pipeThrough(serialize)
      .pipeThrough(partition)
      .pipeThrough(
        new TransformStream({
          transform(records, controller) {
            for (const record of records) seen.push(record.partition);
            controller.enqueue(records);
          },
        }),
      )
      .pipeTo(sink);
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => text(r.value)).sort(), ["1!", "3!"]);
    for (const record of stored) assert.ok(seen.includes(record.partition));
    // Same keys land where murmur2 puts them, as on the fused path.
    const direct = new Producer({ bootstrapServers: cluster.bootstrap });
    const metadata = await direct.send({ topic, key: "a", value: "again" });
    await direct.close();
    assert.equal(metadata.partition, stored.find((r) => text(r.key) === "a")!.partition);
  });

  it("flush() sends a lingering batch at once and resolves when it is acknowledged", async () => {
    const topic = uniqueTopic("flush");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 60_000 });
    const writer = producer.writable.getWriter();
    await writer.write([{ topic, value: "a" }, { topic, value: "b" }]);
    writer.releaseLock();
    await producer.flush();
    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => text(r.value)), ["a", "b"]);
    await producer.close();
  });

  it("flush() and close() resolve only after every earlier send() has settled, each with its own offset", async () => {
    const topic = uniqueTopic("flush-sends");
    await cluster.createTopic(topic, 3);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs: 60_000 });
    await producer.send({ topic, value: "warm" }); // metadata known: the rest take the fast path
    const settled: Array<{ partition: number; offset: bigint } | undefined> = [];
    const sendAll = (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        settled.push(undefined);
        void producer.send({ topic, key: `k${i % 7}`, value: `v${i}` }).then((metadata) => {
          settled[i] = { partition: metadata.partition, offset: metadata.offset };
        });
      }
    };
    sendAll(0, 300);
    await producer.flush();
    assert.equal(settled.filter((s) => s !== undefined).length, 300, "all settled before flush()");
    sendAll(300, 200);
    await producer.close();
    assert.equal(settled.filter((s) => s !== undefined).length, 500, "all settled before close()");
    // Every record was stored, and each send() reported the partition and offset it got.
    const stored = await cluster.readBack(topic, { expected: 501 });
    assert.equal(stored.length, 501);
    for (const record of stored) {
      const value = text(record.value) ?? "";
      if (value === "warm") continue;
      const mine = settled[Number(value.slice(1))]!;
      assert.equal(mine.partition, record.partition, value);
      assert.equal(mine.offset, BigInt(record.offset), value);
    }
  });
});
