/**
 * Latency of a lone awaited `send()` (nothing else queued) against the mock cluster, with the
 * default `lingerMs` of 5: the request must go out at once, not after the linger. Prints the
 * median and p99 over 500 sends. Run: deno run -A bench/latency_bench.ts (or bun / node).
 *
 * @module
 */
import { Producer } from "../mod.ts";
import { startMockCluster } from "../tests/support/mock_cluster.ts";

const cluster = await startMockCluster({ brokers: 3 });
await cluster.createTopic("latency", 4);
for (const lingerMs of [5, 100]) {
  const producer = new Producer({ bootstrapServers: cluster.bootstrap, lingerMs });
  for (let i = 0; i < 50; i++) await producer.send({ topic: "latency", value: "warm" });
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await producer.send({ topic: "latency", value: `v${i}` });
    times.push(performance.now() - start);
  }
  await producer.close();
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
  console.log(
    `lingerMs ${lingerMs}: median ${at(0.5)} ms, p99 ${at(0.99)} ms (500 awaited sends, acks=all)`,
  );
}
await cluster.close();
