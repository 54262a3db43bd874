// User code the producer calls — interceptors, loggers, partitioners, serializers — can throw
// anything or return the wrong thing; none of it may break the producer's bookkeeping or reach
// the host as an uncaught error. Checked through send(), writable and stages(), against the
// cluster, with kcat reading back what was stored.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Logger,
  Producer,
  type ProducerConfig,
  type ProducerInterceptor,
  type ProducerRecord,
  RecordError,
} from "../../mod.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";
import { settles, watchHostErrors } from "../support/host_errors.ts";

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => bytes === null ? null : decoder.decode(bytes);

const throwOdd = () => {
  throw Object.create(null);
};
const oddLogger: Logger = { debug: throwOdd, info: throwOdd, warn: throwOdd, error: throwOdd };
const errorLogger: Logger = {
  debug() {},
  info() {},
  warn() {
    throw new Error("the logger's warn throws");
  },
  error() {},
};

/** Faulty user code that must not matter: each setup with the config that installs it. */
const FAULTY: Array<[string, Partial<ProducerConfig>]> = [
  ["an onAcknowledgement that throws Object.create(null)", {
    interceptors: [{ onAcknowledgement: throwOdd }],
  }],
  ["an onAcknowledgement that throws while the logger's warn throws", {
    interceptors: [{
      onAcknowledgement: () => {
        throw new Error("ack");
      },
    }],
    logger: errorLogger,
  }],
  ["an onSend that throws a symbol, with a logger whose every method throws", {
    interceptors: [{
      onSend: () => {
        throw Symbol("send");
      },
      onAcknowledgement: throwOdd,
    }],
    logger: oddLogger,
  }],
  ["an interceptor close that throws Object.create(null)", {
    interceptors: [{ close: throwOdd }],
    logger: oddLogger,
  }],
  ["an onAcknowledgement and a close returning rejecting promises", {
    interceptors: [{
      onAcknowledgement: (() => Promise.reject(Object.create(null))) as () => void,
      close: (() => Promise.reject(new Error("close"))) as () => void,
    }],
    logger: oddLogger,
  }],
];

describe("Producer with faulty user code", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  for (const [name, config] of FAULTY) {
    it(`Producer delivers through send(), writable and stages() despite ${name}`, async () => {
      const topic = uniqueTopic("faulty");
      await cluster.createTopic(topic, 2);
      const watch = watchHostErrors();
      try {
        const producer = new Producer<string, string>({
          bootstrapServers: cluster.bootstrap,
          ...config,
        } as ProducerConfig<string, string>);
        const start = producer.bufferAvailable;
        const sent = await settles(producer.send({ topic, value: "sent" }), "send()");
        assert.equal(sent.status, "fulfilled");
        const writer = producer.writable.getWriter();
        await writer.write([{ topic, value: "written" }]);
        assert.equal((await settles(writer.close(), "writable close()")).status, "fulfilled");
        const { intercept, serialize, partition, sink } = producer.stages();
        const piped = ReadableStream.from([[{ topic, value: "staged" }]])
          .pipeThrough(intercept).pipeThrough(serialize).pipeThrough(partition).pipeTo(sink);
        assert.equal((await settles(piped, "stages() pipe")).status, "fulfilled");
        assert.equal((await settles(producer.flush(), "flush()")).status, "fulfilled");
        assert.equal(producer.bufferAvailable, start, "every reserved byte is returned");
        assert.equal((await settles(producer.close(), "close()")).status, "fulfilled");
        const stored = await cluster.readBack(topic, { expected: 3 });
        assert.deepEqual(stored.map((r) => text(r.value)).sort(), ["sent", "staged", "written"]);
        await new Promise((resolve) => setTimeout(resolve, 20)); // late rejections surface
      } finally {
        watch.stop();
      }
      assert.deepEqual(watch.errors, [], "nothing reached the host");
    });
  }

  it("Producer keeps working when a statsStream() or deliveries consumer fails", async () => {
    const topic = uniqueTopic("consumers");
    await cluster.createTopic(topic, 1);
    const watch = watchHostErrors();
    try {
      const producer = new Producer({ bootstrapServers: cluster.bootstrap });
      const failingSink = () =>
        new WritableStream({
          write() {
            throw Object.create(null);
          },
        });
      const stats = settles(producer.statsStream(10).pipeTo(failingSink()), "the stats pipe");
      const deliveries = settles(producer.deliveries.pipeTo(failingSink()), "the deliveries pipe");
      await producer.send({ topic, value: "a" });
      assert.equal((await stats).status, "rejected");
      assert.equal((await deliveries).status, "rejected");
      await producer.send({ topic, value: "b" });
      assert.equal((await settles(producer.close(), "close()")).status, "fulfilled");
      const stored = await cluster.readBack(topic, { expected: 2 });
      assert.deepEqual(stored.map((r) => text(r.value)), ["a", "b"]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      watch.stop();
    }
    assert.deepEqual(watch.errors, []);
  });

  it("Producer fails a record whose custom partitioner throws with a RecordError, then goes on", async () => {
    const topic = uniqueTopic("partitioner");
    await cluster.createTopic(topic, 2);
    const producer = new Producer<string, string>({
      bootstrapServers: cluster.bootstrap,
      partitioner: (record) => {
        if (text(record.value) === "bad") throw 1;
        if (text(record.value) === "async") return Promise.resolve(0) as unknown as number;
        return 1;
      },
    });
    const isPartitionerError = (thrown: unknown) => {
      assert.ok(thrown instanceof RecordError, String(thrown));
      assert.equal(thrown.code, "SERIALIZATION");
      assert.equal(thrown.cause, 1);
      assert.equal(
        thrown.message,
        `Cannot send record to "${topic}": the custom partitioner threw 1`,
      );
      return true;
    };
    await assert.rejects(producer.send({ topic, value: "bad" }), isPartitionerError);
    await assert.rejects(producer.send({ topic, value: "async" }), (error: unknown) => {
      assert.ok(error instanceof RecordError);
      assert.equal(
        error.message,
        `Cannot send record: the custom partitioner returned an object (Promise) for "${topic}", which has 2 partitions: it must return an integer from 0 to 1, synchronously`,
      );
      return true;
    });
    assert.equal((await producer.send({ topic, value: "good" })).partition, 1);
    // The stream and the stages report the same error.
    await assert.rejects(
      producer.writable.getWriter().write({ topic, value: "bad" }),
      isPartitionerError,
    );
    const { serialize, partition, sink } = producer.stages();
    await assert.rejects(
      ReadableStream.from([[{ topic, value: "bad" } as ProducerRecord<string, string>]])
        .pipeThrough(serialize).pipeThrough(partition).pipeTo(sink),
      isPartitionerError,
    );
    const writer = producer.writable.getWriter();
    await writer.write({ topic, value: "good again" });
    await writer.close();
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => [r.partition, text(r.value)]), [
      [1, "good"],
      [1, "good again"],
    ]);
  });

  it("Producer refuses an async interceptor: interceptors must be synchronous", async () => {
    const topic = uniqueTopic("async-interceptor");
    await cluster.createTopic(topic, 1);
    const asyncInterceptor = {
      // deno-lint-ignore require-await
      onSend: async (record: ProducerRecord) => record,
    } as unknown as ProducerInterceptor;
    const producer = new Producer({
      bootstrapServers: cluster.bootstrap,
      interceptors: [asyncInterceptor],
      maxBlockMs: 5000,
    });
    const synchronous =
      /^TypeError: Invalid interceptor 0: its onSend returned a Promise; interceptors must be synchronous/;
    await assert.rejects(producer.send({ topic, value: "x" }), synchronous);
    await assert.rejects(producer.writable.getWriter().write({ topic, value: "x" }), synchronous);
    const { intercept } = producer.stages();
    await assert.rejects(
      ReadableStream.from([{ topic, value: "x" }]).pipeThrough(intercept).pipeTo(
        new WritableStream(),
      ),
      synchronous,
    );
    await producer.close();
  });

  it("Producer fails a record whose serializer throws an odd value with a RecordError, then goes on", async () => {
    const topic = uniqueTopic("serializer");
    await cluster.createTopic(topic, 1);
    const producer = new Producer<string, string>({
      bootstrapServers: cluster.bootstrap,
      valueSerializer: (value) => {
        if (value === "bad") throw Object.create(null);
        return new TextEncoder().encode(value);
      },
    });
    const isSerializerError = (error: unknown) => {
      assert.ok(error instanceof RecordError, String(error));
      assert.equal(
        error.message,
        `Cannot serialize the record's value for "${topic}": an object with a null prototype`,
      );
      return true;
    };
    await assert.rejects(producer.send({ topic, value: "bad" }), isSerializerError);
    await assert.rejects(
      producer.writable.getWriter().write([{ topic, value: "bad" }]),
      isSerializerError,
    );
    const { serialize } = producer.stages();
    await assert.rejects(
      ReadableStream.from([[{ topic, value: "bad" }]]).pipeThrough(serialize).pipeTo(
        new WritableStream(),
      ),
      isSerializerError,
    );
    await producer.send({ topic, value: "good" });
    await producer.close();
    const stored = await cluster.readBack(topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => text(r.value)), ["good"]);
  });
});
