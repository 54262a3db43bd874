/**
 * The demo: starts a local 3-broker test cluster — librdkafka's mock (quick), or real Apache
 * Kafka with `--real` (3 KRaft nodes from Maven Central's jars, ~15 s to start) — serves
 * generated NDJSON from a local HTTP server, and pipes the `fetch()` body into a topic:
 *
 *   fetch(url).body → NdjsonStream → ToRecordsStream → producer.writable
 *
 * Prints progress while it runs and a delivery summary at the end, then reads the topic back
 * with kcat to show what the brokers stored. Run it with `npm run demo` (which builds the
 * test broker first), `npm run demo -- --real`, or `deno run -A examples/demo.ts [--real]`.
 *
 * @module
 */
import { createServer } from "node:http";
import process from "node:process";
import { jsonSerializer, Producer } from "../mod.ts";
import { NdjsonStream } from "../src/streams/ndjson_stream.ts";
import { ToRecordsStream } from "../src/streams/to_records_stream.ts";
import { endOffsets } from "../tests/support/kcat.ts";
import { startMockCluster } from "../tests/support/mock_cluster.ts";
import { startRealCluster } from "../tests/support/kafka_cluster.ts";

const total = Number(process.env.DEMO_RECORDS ?? 200_000);
const real = process.argv.includes("--real");
const topic = "demo-events";

interface Event {
  id: number;
  user: string;
  action: string;
  at: string;
}

// A local server streaming `total` NDJSON events in chunks of 1000 lines.
const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  let id = 0;
  const actions = ["view", "click", "buy", "share"];
  const writeSome = () => {
    while (id < total) {
      let lines = "";
      for (let i = 0; i < 1000 && id < total; i++, id++) {
        lines += JSON.stringify({
          id,
          user: `user-${id % 997}`,
          action: actions[id % 4],
          at: new Date(1767225600000 + id).toISOString(),
        }) + "\n";
      }
      if (!response.write(lines)) return void response.once("drain", writeSome);
    }
    response.end();
  };
  writeSome();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;

console.log(
  real
    ? "Starting a 3-node Apache Kafka cluster (KRaft, from Maven Central's jars) …"
    : "Starting a 3-broker test cluster (librdkafka mock; --real for Apache Kafka) …",
);
const cluster = real ? await startRealCluster({ shared: false }) : await startMockCluster();
await cluster.createTopic(topic, 6);
console.log(
  `Cluster at ${cluster.bootstrap}; streaming ${total} events from http://127.0.0.1:${port}/ into "${topic}"`,
);

const producer = new Producer<string, Event>({
  bootstrapServers: cluster.bootstrap,
  valueSerializer: jsonSerializer,
  lingerMs: 5,
});
const started = performance.now();
let written = 0;
const progress = setInterval(() => {
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  ${written} records written (${
      Math.round(written / seconds)
    }/s), ${producer.bufferAvailable} bytes of buffer free`,
  );
}, 500);

try {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  await response.body!
    .pipeThrough(new NdjsonStream<Event>())
    .pipeThrough(
      new ToRecordsStream<Event, string>(topic, {
        key: (event) => event.user,
        headers: { source: "demo" },
      }),
    )
    .pipeThrough(
      new TransformStream({
        transform(records, controller) {
          written += records.length;
          controller.enqueue(records);
        },
      }),
    )
    .pipeTo(producer.writable); // resolves once every record is acknowledged
  const seconds = (performance.now() - started) / 1000;
  clearInterval(progress);
  console.log(
    `Delivered ${written} records in ${seconds.toFixed(2)} s (${
      Math.round(written / seconds)
    } records/s), all acknowledged`,
  );
  await producer.close();
  const offsets = await endOffsets(cluster.bootstrap, topic);
  const stored = [...offsets.values()].reduce((a, b) => a + b, 0);
  console.log(
    `kcat sees ${stored} records across ${offsets.size} partitions: ${
      [...offsets].map(([p, n]) => `${p}:${n}`).join(" ")
    }`,
  );
  if (stored !== total) throw new Error(`expected ${total} records stored, kcat sees ${stored}`);
} finally {
  clearInterval(progress);
  await producer.close();
  await cluster.close();
  server.close();
}
