/**
 * Codec micro-benchmark: compress/decompress MB/s and ratio per codec on 1 MiB of JSON-like
 * records, on the runtime that runs it. Run with each runtime:
 *   deno run -A bench/compression_bench.ts | bun bench/compression_bench.ts | node bench/compression_bench.ts
 *
 * @module
 */
import { codecById, loadAllCodecs } from "../src/compression/codec_registry.ts";

await loadAllCodecs();
const lines: string[] = [];
for (let i = 0; lines.join("\n").length < 1 << 20 && i < 20000; i++) {
  lines.push(
    JSON.stringify({
      id: i,
      user: `user-${i % 997}`,
      action: ["view", "click", "buy"][i % 3],
      at: new Date(1767225600000 + i * 1000).toISOString(),
    }),
  );
}
const data = new TextEncoder().encode(lines.join("\n")).subarray(0, 1 << 20);
const g = globalThis as unknown as {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  process?: { version: string };
};
const runtime = g.Bun
  ? `Bun ${g.Bun.version}`
  : g.Deno
  ? `Deno ${g.Deno.version.deno}`
  : `Node ${g.process?.version}`;

function time(fn: () => void): number {
  fn(); // warm up
  const rounds = 20;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return (performance.now() - start) / rounds / 1000;
}

console.log(
  `| runtime | codec | compress MB/s | decompress MB/s | ratio |\n|---|---|---:|---:|---:|`,
);
for (const id of [1, 2, 3, 4]) {
  const codec = codecById(id);
  const compressed = codec.compress(data);
  const c = time(() => codec.compress(data));
  const d = time(() => codec.decompress(compressed));
  console.log(
    `| ${runtime} | ${codec.name} | ${(data.length / 1e6 / c).toFixed(0)} | ${
      (data.length / 1e6 / d).toFixed(0)
    } | ${(data.length / compressed.length).toFixed(2)} |`,
  );
}
