// The examples/ programs, run against the broker and checked with kcat: fetch_to_topic on every
// runtime; the ingest servers on the runtimes they are written for (deno_edge.ts uses
// Deno.serve, bun_server.ts Bun.serve, so each is registered only where that API exists; the
// node:http one runs everywhere), including the 503 + Retry-After backpressure path.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { fetchToTopic } from "../../examples/fetch_to_topic.ts";
import { startNodeHttp } from "../../examples/node_http.ts";
import { RETRY_AFTER_SECONDS } from "../../examples/ingest.ts";
import { FaultProxy } from "../support/fault_proxy.ts";
import {
  asMock,
  asReal,
  startCluster,
  startMockCluster,
  type TestCluster,
  uniqueTopic,
} from "../support/test_cluster.ts";

/** Brokers whose answers can be slowed: real Kafka behind the fault proxy, or the mock's RTT. */
interface SlowBrokers {
  bootstrap: string;
  createTopic(name: string, partitions: number): Promise<void>;
  setDelay(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function slowBrokers(cluster: TestCluster): Promise<SlowBrokers> {
  const real = asReal(cluster);
  if (real !== undefined) {
    const proxy = await FaultProxy.forCluster(real);
    return {
      bootstrap: proxy.bootstrap,
      createTopic: (name, partitions) => real.createTopic(name, partitions),
      setDelay: (ms) => Promise.resolve(proxy.setDelay(ms)),
      close: () => proxy.close(),
    };
  }
  const mock = asMock(cluster) ?? await startMockCluster({ brokers: 1 });
  return {
    bootstrap: mock.bootstrap,
    createTopic: (name, partitions) => mock.createTopic(name, partitions),
    setDelay: (ms) => mock.setRtt(-1, ms),
    close: () => mock === cluster ? mock.setRtt(-1, 0) : mock.close(),
  };
}

const isDeno = "Deno" in globalThis;
const isBun = "Bun" in globalThis;
const decoder = new TextDecoder();

interface RunningServer {
  url: string;
  close(): Promise<void>;
}
type StartServer = (options: {
  bootstrap: string;
  topic: string;
  port: number;
  maxBlockMs?: number;
  bufferMemory?: number;
}) => Promise<RunningServer>;

const servers: Array<{ name: string; start: StartServer }> = [
  { name: "node_http.ts (node:http)", start: (options) => startNodeHttp(options) },
];
if (isDeno) {
  const { startDenoEdge } = await import("../../examples/deno_edge.ts");
  servers.push({
    name: "deno_edge.ts (Deno.serve)",
    start: (options) => Promise.resolve(startDenoEdge(options)),
  });
}
if (isBun) {
  const { startBunServer } = await import("../../examples/bun_server.ts");
  servers.push({
    name: "bun_server.ts (Bun.serve)",
    start: (options) => Promise.resolve(startBunServer(options)),
  });
}

describe("examples", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("fetch_to_topic.ts streams a local server's NDJSON body into a topic", async () => {
    const topic = uniqueTopic("fetch");
    await cluster.createTopic(topic, 3);
    const total = 5000;
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      // Lines split across writes, as a real body arrives.
      let body = "";
      for (let i = 0; i < total; i++) body += JSON.stringify({ id: i, user: `u${i % 7}` }) + "\n";
      for (let at = 0; at < body.length; at += 4093) response.write(body.slice(at, at + 4093));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const result = await fetchToTopic({
        url: `http://127.0.0.1:${port}/events.ndjson`,
        bootstrap: cluster.bootstrap,
        topic,
        keyField: "user",
      });
      assert.equal(result.records, total);
      assert.ok(result.recordsPerSecond > 0);
      const stored = await cluster.readBack(topic, { expected: total });
      assert.equal(stored.length, total);
      const ids = new Set(stored.map((r) => JSON.parse(decoder.decode(r.value!)).id));
      assert.equal(ids.size, total);
      const sample = stored.find((r) => JSON.parse(decoder.decode(r.value!)).id === 10)!;
      assert.equal(decoder.decode(sample.key!), "u3");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  for (const { name, start } of servers) {
    it(`${name} produces each POST and answers with its partition and offset`, async () => {
      const topic = uniqueTopic("ingest");
      await cluster.createTopic(topic, 2);
      const server = await start({ bootstrap: cluster.bootstrap, topic, port: 0 });
      try {
        const answers: Array<{ partition: number; offset: string }> = [];
        for (let i = 0; i < 20; i++) {
          const response = await fetch(`${server.url}?key=k${i % 2}`, {
            method: "POST",
            body: `event ${i}`,
          });
          assert.equal(response.status, 200);
          answers.push((await response.json()) as { partition: number; offset: string });
        }
        const notPost = await fetch(server.url);
        assert.equal(notPost.status, 405);
        await notPost.text();
        const stored = await cluster.readBack(topic, { expected: 20 });
        assert.equal(stored.length, 20);
        for (let i = 0; i < 20; i++) {
          const { partition, offset } = answers[i]!;
          const record = stored.find((r) =>
            r.partition === partition && r.offset === Number(offset)
          );
          assert.ok(record, `answer ${i} points at ${partition}/${offset}`);
          assert.equal(decoder.decode(record.value!), `event ${i}`);
          assert.equal(decoder.decode(record.key!), `k${i % 2}`);
        }
      } finally {
        await server.close();
      }
    });

    it(`${name} answers 503 with Retry-After when the buffer stays full, and stores every accepted record`, async () => {
      const topic = uniqueTopic("ingest-busy");
      // Answers are held back 1.5 s: by the fault proxy in front of real Kafka (the mock's
      // RTT where the suite runs on the mock).
      const brokers = await slowBrokers(cluster);
      await brokers.createTopic(topic, 1);
      // 64 KiB of buffer, 16 KiB bodies, brokers answering after 1.5 s, 300 ms max wait.
      const server = await start({
        bootstrap: brokers.bootstrap,
        topic,
        port: 0,
        maxBlockMs: 300,
        bufferMemory: 64 * 1024,
      });
      try {
        // Warm up (metadata, connections) before slowing the brokers.
        assert.equal((await fetch(server.url, { method: "POST", body: "warm-up" })).status, 200);
        await brokers.setDelay(1500);
        const body = "x".repeat(16 * 1024);
        const responses = await Promise.all(
          Array.from({ length: 12 }, () => fetch(server.url, { method: "POST", body })),
        );
        const statuses = responses.map((r) => r.status);
        for (const response of responses) await response.text();
        await brokers.setDelay(0);
        const busy = responses.filter((r) => r.status === 503);
        assert.ok(busy.length > 0, `no 503 among ${statuses.join(",")}`);
        assert.ok(statuses.every((s) => s === 200 || s === 503), statuses.join(","));
        for (const response of busy) {
          assert.equal(response.headers.get("retry-after"), String(RETRY_AFTER_SECONDS));
        }
        const accepted = statuses.filter((s) => s === 200).length + 1; // + warm-up
        const stored = await cluster.readBack(topic, { expected: accepted });
        assert.equal(stored.length, accepted, "exactly the acknowledged records are stored");
      } finally {
        await brokers.setDelay(0);
        await server.close();
        await brokers.close();
      }
    });
  }
});
