// What the producer does while metadata cannot answer for a record yet: a partition the topic
// gained after its metadata was fetched, against a fake broker whose topic grows on demand
// (librdkafka's mock cluster cannot add partitions to a topic); a cluster no broker of which
// can be reached.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  Producer,
  ProducerClosedError,
  type ProducerConfig,
  TimeoutError,
} from "../../mod.ts";
import { runProduceCli } from "../../src/cli/produce_cli.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";
import {
  type FakeBroker,
  frameOf,
  readMetadataV1Topics,
  startFakeBroker,
  writeMetadataV1,
} from "../connection/fake_broker.ts";

const decoder = new TextDecoder();

/** A one-broker fake cluster with one topic whose partition count the test changes. */
interface GrowingCluster {
  readonly broker: FakeBroker;
  readonly bootstrap: string;
  /**
   * Partition counts for the next Metadata answers, in order; the last one stays. Set it to
   * `[4]` to grow the topic to 4 partitions.
   */
  counts: number[];
  /** Values the broker stored, per partition. */
  readonly stored: Map<number, string[]>;
  /** Metadata requests answered. */
  metadataRequests: number;
}

async function growingCluster(topic: string, partitions: number): Promise<GrowingCluster> {
  let port = 0;
  const cluster: { -readonly [K in keyof GrowingCluster]: GrowingCluster[K] } = {
    broker: undefined as unknown as FakeBroker,
    bootstrap: "",
    counts: [partitions],
    stored: new Map(),
    metadataRequests: 0,
  };
  const offsets = new Map<number, bigint>();
  cluster.broker = await startFakeBroker({
    apis: [[ApiKey.Produce, 3, 3], [ApiKey.Metadata, 1, 1], [ApiKey.ApiVersions, 0, 2]],
    onRequest: (request) => {
      if (request.apiKey === ApiKey.Metadata) {
        cluster.metadataRequests++;
        const count = cluster.counts.length > 1 ? cluster.counts.shift()! : cluster.counts[0]!;
        const names = readMetadataV1Topics(request.body) ?? [topic];
        request.socket.write(frameOf(request.correlationId, (w) =>
          writeMetadataV1(w, {
            brokers: [{ nodeId: 1, host: "127.0.0.1", port }],
            controllerId: 1,
            topics: names.map((name) =>
              name === topic
                ? {
                  name,
                  partitions: Array.from(
                    { length: count },
                    (_, p) => ({ partition: p, leader: 1 }),
                  ),
                }
                : { name, errorCode: 3, partitions: [] }
            ),
          })));
        return;
      }
      if (request.apiKey !== ApiKey.Produce) return;
      // Produce v3: transactional id, acks, timeout, then [topic [partition records]].
      const body = request.body;
      body.nullableString();
      const acks = body.int16();
      body.int32();
      const answers: Array<[string, number[]]> = [];
      for (let t = body.int32(); t > 0; t--) {
        const name = body.string();
        const indexes: number[] = [];
        for (let p = body.int32(); p > 0; p--) {
          const index = body.int32();
          const values = cluster.stored.get(index) ?? [];
          for (const batch of decodeRecordBatches(body.nullableBytes()!)) {
            for (const record of batch.records) values.push(decoder.decode(record.value!));
          }
          cluster.stored.set(index, values);
          indexes.push(index);
        }
        answers.push([name, indexes]);
      }
      if (acks === 0) return;
      request.socket.write(frameOf(request.correlationId, (w) => {
        w.int32(answers.length);
        for (const [name, indexes] of answers) {
          w.string(name).int32(indexes.length);
          for (const index of indexes) {
            const offset = offsets.get(index) ?? 0n;
            offsets.set(index, offset + 1n);
            w.int32(index).int16(0).int64(offset).int64(-1n);
          }
        }
        w.int32(0); // throttle time
      }));
    },
  });
  port = cluster.broker.port;
  cluster.bootstrap = `127.0.0.1:${port}`;
  return cluster;
}

/** The fake broker speaks Produce v3 and Metadata v1 only, and no InitProducerId. */
const FAKE_CONFIG = { enableIdempotence: false, acks: 1 } satisfies Partial<ProducerConfig>;

describe("Producer waiting on metadata", () => {
  it("a record for a partition the topic gained since its metadata was fetched waits for fresh metadata, on every path", async () => {
    const topic = "growing";
    const cluster = await growingCluster(topic, 2);
    try {
      const producer = new Producer({ bootstrapServers: cluster.bootstrap, ...FAKE_CONFIG });
      await producer.send({ topic, value: "before", partition: 1 }); // 2 partitions known
      cluster.counts = [3];
      const metadata = await producer.send({ topic, value: "send", partition: 2 });
      assert.equal(metadata.partition, 2);
      cluster.counts = [4];
      const writer = producer.writable.getWriter();
      await writer.write([{ topic, value: "writable", partition: 3 }]);
      await writer.close();
      cluster.counts = [5];
      const { intercept, serialize, partition, sink } = producer.stages();
      await ReadableStream.from([[{ topic, value: "stages", partition: 4 }]])
        .pipeThrough(intercept).pipeThrough(serialize).pipeThrough(partition).pipeTo(sink);
      await producer.close();
      // The command line (its byte path declines, the stream path waits): a fresh producer
      // whose first answer still has 5 partitions.
      cluster.counts = [5, 6];
      let stderr = "";
      const code = await runProduceCli(
        ["-b", cluster.bootstrap, "-t", topic, "-p", "5", "-X", "enable.idempotence=false"],
        {
          stdin: ReadableStream.from([new TextEncoder().encode("cli\n")]),
          stderr: (text) => stderr += text,
        },
      );
      assert.equal(code, 0, stderr);
      assert.deepEqual(Object.fromEntries(cluster.stored), {
        1: ["before"],
        2: ["send"],
        3: ["writable"],
        4: ["stages"],
        5: ["cli"],
      });
    } finally {
      await cluster.broker.close();
    }
  });

  it("a partition that does not appear within maxBlockMs fails with MAX_BLOCK_TIMEOUT naming it and the count known", async () => {
    const topic = "fixed";
    const cluster = await growingCluster(topic, 3);
    try {
      const producer = new Producer({
        bootstrapServers: cluster.bootstrap,
        ...FAKE_CONFIG,
        maxBlockMs: 300,
      });
      await producer.send({ topic, value: "known", partition: 0 });
      const before = cluster.metadataRequests;
      await assert.rejects(producer.send({ topic, value: "x", partition: 7 }), (error) => {
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal(error.code, "MAX_BLOCK_TIMEOUT");
        assert.equal(
          error.message,
          `Partition 7 of topic "${topic}" is not present in metadata after maxBlockMs (300 ms): ` +
            "the topic has 3 partitions",
        );
        return true;
      });
      assert.ok(cluster.metadataRequests > before, "metadata was asked for again");
      await producer.close();
    } finally {
      await cluster.broker.close();
    }
  });

  it("an unreachable cluster is reported as such on every path: no broker reached, the connection error as cause, counted in stats()", async () => {
    const dead = await startFakeBroker();
    await dead.close(); // a port nothing listens on
    const bootstrap = `127.0.0.1:${dead.port}`;
    const unreachable = (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.code, "MAX_BLOCK_TIMEOUT");
      assert.match(
        error.message,
        new RegExp(
          `^Cannot send to topic "events": no broker could be reached within maxBlockMs ` +
            `\\(300 ms\\): check that bootstrapServers "${bootstrap}" is right and the brokers ` +
            `are up; last error: .*Cannot connect to ${bootstrap}`,
        ),
      );
      assert.ok(error.cause instanceof ConnectionError, String(error.cause));
      return true;
    };
    const producer = new Producer({ bootstrapServers: bootstrap, maxBlockMs: 300 });
    await assert.rejects(producer.send({ topic: "events", value: "x" }), unreachable);
    await assert.rejects(
      producer.writable.getWriter().write([{ topic: "events", value: "x" }]),
      unreachable,
    );
    const { intercept, serialize, partition, sink } = producer.stages();
    await assert.rejects(
      ReadableStream.from([[{ topic: "events", value: "x" }]])
        .pipeThrough(intercept).pipeThrough(serialize).pipeThrough(partition).pipeTo(sink),
      unreachable,
    );
    assert.ok((producer.stats().errorsByCode.CONNECTION ?? 0) >= 1, "counted in stats()");
    await producer.close();

    let stderr = "";
    const code = await runProduceCli(["-b", bootstrap, "-t", "events", "-X", "max.block.ms=300"], {
      stdin: ReadableStream.from([new TextEncoder().encode("v\n")]),
      stderr: (text) => stderr += text,
    });
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /error \[MAX_BLOCK_TIMEOUT\]: Cannot send to topic "events": no broker could be reached .*Cannot connect to/,
    );
  });

  it("close({ timeoutMs }) rejects every record still waiting for metadata with ProducerClosedError at the timeout", async () => {
    const dead = await startFakeBroker();
    await dead.close(); // a port nothing listens on
    const producer = new Producer({
      bootstrapServers: `127.0.0.1:${dead.port}`,
      maxBlockMs: 10_000,
    });
    const outcome = (promise: Promise<unknown>) => promise.then(() => "resolved", (error) => error);
    const sent = outcome(producer.send({ topic: "events", value: "send" }));
    const written = outcome(
      producer.writable.getWriter().write([{ topic: "events", value: "writable" }]),
    );
    const { intercept, serialize, partition, sink } = producer.stages();
    const staged = outcome(
      ReadableStream.from([[{ topic: "events", value: "stages" }]])
        .pipeThrough(intercept).pipeThrough(serialize).pipeThrough(partition).pipeTo(sink),
    );
    // Let the stream records reach their waits (promise jobs only) before close() is called.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await producer.close({ timeoutMs: 300 });
    for (const pending of [sent, written, staged]) {
      const error = await pending;
      assert.ok(error instanceof ProducerClosedError, String(error));
      assert.match(error.message, /close\(\) waited timeoutMs \(300 ms\)/);
    }
  });
});
