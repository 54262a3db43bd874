// Records the producer must refuse, refused on every path into it (send(), writable, stages(),
// interceptors, the command line's byte path) before anything is reserved or appended, and
// records it must not refuse; kcat reads back what was stored.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, type ProducerRecord } from "../../mod.ts";
import { readTopic } from "../support/kcat.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/mock_cluster.ts";

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
    cluster = await startCluster({ brokers: 1 });
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

    const stored = await readTopic(cluster.bootstrap, topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => [text(r.key), text(r.value)]), [
      ["user-2", "a"],
      ["user-4", null],
    ]);
  });
});
