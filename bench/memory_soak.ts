/**
 * Memory soak (issue #5): produces N records (default 10,000,000 of 100 bytes) through
 * `producer.writable` into the mock cluster with every broker's responses delayed (RTT
 * injection), so the producer spends the run with `bufferMemory` used up and the stream
 * applying backpressure. Samples RSS every 50 ms and reports the peak against the goal
 * (`bufferMemory` + 64 MiB). Then repeats the run (`--runs`, default 3) in the same process
 * with a fresh producer, collecting garbage between runs, and reports the heap after each:
 * a leak shows as growth from run to run.
 *
 * Records are generated on the fly (one shared 100-byte value), so what is measured is the
 * producer, not the input.
 *
 * Usage (builds nothing: run `npm test` or tests/broker/build.sh once first):
 *   SLUICE_MOCK_HARNESS=$(bash tests/broker/build.sh) deno run -A --v8-flags=--expose-gc bench/memory_soak.ts
 *   SLUICE_MOCK_HARNESS=... bun bench/memory_soak.ts
 *   SLUICE_MOCK_HARNESS=... node --expose-gc bench/memory_soak.ts
 * Options: --records N  --runs N  --rtt-ms N (default 5)  --buffer-memory BYTES (default 32 MiB)
 *
 * @module
 */
import process from "node:process";
import { Producer, type ProducerRecord } from "../mod.ts";
import { endOffsets } from "../tests/support/kcat.ts";
import { startMockCluster } from "../tests/support/mock_cluster.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const records = option("records", 10_000_000);
const runs = option("runs", 3);
const rttMs = option("rtt-ms", 5);
const bufferMemory = option("buffer-memory", 32 * 1024 * 1024);
const MiB = 1024 * 1024;

const runtime = "Deno" in globalThis
  ? "Deno"
  : "Bun" in globalThis
  ? "Bun"
  : `Node ${process.version}`;

function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun !== undefined) bun.gc(true);
  else (globalThis as { gc?: () => void }).gc?.();
}

const cluster = await startMockCluster({ brokers: 3 });
await cluster.setRtt(-1, rttMs);
const value = new Uint8Array(100).fill(120);
const rows: string[] = [];
let peakOverall = 0;
try {
  for (let run = 1; run <= runs; run++) {
    const topic = `soak-${run}`;
    await cluster.createTopic(topic, 4);
    collectGarbage();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let atPeak = process.memoryUsage();
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      if (usage.rss > peak) (peak = usage.rss, atPeak = usage);
    }, 50);
    const started = performance.now();
    const producer = new Producer<Uint8Array, Uint8Array>({
      bootstrapServers: cluster.bootstrap,
      acks: 1,
      bufferMemory,
    });
    const writer = producer.writable.getWriter();
    for (let sent = 0; sent < records;) {
      const chunk: ProducerRecord<Uint8Array, Uint8Array>[] = [];
      for (let i = 0; i < 1000 && sent < records; i++, sent++) chunk.push({ topic, value });
      await writer.ready;
      void writer.write(chunk).catch(() => {});
    }
    await writer.close();
    await producer.close();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    peakOverall = Math.max(peakOverall, peak);
    const stored = [...(await endOffsets(cluster.bootstrap, topic)).values()]
      .reduce((a, b) => a + b, 0);
    if (stored !== records) throw new Error(`run ${run}: stored ${stored} of ${records}`);
    collectGarbage();
    const after = process.memoryUsage();
    rows.push(
      `| ${runtime} | ${run} | ${records.toLocaleString("en")} | ${seconds.toFixed(1)} | ${
        (baseline / MiB).toFixed(0)
      } | ${(peak / MiB).toFixed(0)} | ${((bufferMemory + 64 * MiB) / MiB).toFixed(0)} | ${
        (after.heapUsed / MiB).toFixed(1)
      } | ${(after.rss / MiB).toFixed(0)} |`,
    );
    process.stderr.write(
      `${rows[rows.length - 1]}  (at peak: heap ${(atPeak.heapTotal / MiB).toFixed(0)} MiB, ` +
        `array buffers ${(atPeak.arrayBuffers / MiB).toFixed(0)} MiB, external ${
          (atPeak.external / MiB).toFixed(0)
        } MiB)\n`,
    );
  }
} finally {
  await cluster.close();
}
console.log(
  `| runtime | run | records | s | RSS at start MiB | peak RSS MiB | goal MiB | heap after GC MiB | RSS after GC MiB |`,
);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const row of rows) console.log(row);
console.log(
  `\n${runtime}: RTT ${rttMs} ms on every broker, bufferMemory ${bufferMemory / MiB} MiB; ` +
    `peak RSS ${(peakOverall / MiB).toFixed(0)} MiB (goal <= ${
      (bufferMemory + 64 * MiB) / MiB
    } MiB)`,
);
