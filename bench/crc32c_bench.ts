/**
 * CRC-32C micro-benchmark: sluice's TypeScript slicing-by-8 `crc32c()` against hash-wasm's
 * WASM CRC-32 with the Castagnoli polynomial (a hasher created once, then used synchronously,
 * which is the fastest way to call it). Inputs of 1 KiB, 16 KiB and 1 MiB; best of 7 windows
 * of ~100 ms each, so other load on the machine shows less. Prints a Markdown table (MB/s).
 *
 * Usage:
 *   deno run -A bench/crc32c_bench.ts
 *   bun bench/crc32c_bench.ts
 *   node bench/crc32c_bench.ts          (Node >= 22.18)
 */
import { createCRC32 } from "hash-wasm";
import { crc32c } from "../src/protocol/crc32c.ts";

const hasher = await createCRC32(0x82f63b78);

function wasmCrc32c(data: Uint8Array): number {
  hasher.init();
  hasher.update(data);
  const digest = hasher.digest("binary");
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/** Best throughput in MB/s of `fn` over `data`, over 7 windows of about 100 ms. */
function measure(fn: (data: Uint8Array) => number, data: Uint8Array): number {
  let sink = 0;
  let best = 0;
  for (let window = 0; window < 7; window++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 100) {
      for (let i = 0; i < 16; i++) sink ^= fn(data);
      calls += 16;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (calls * data.length) / 1e6 / (elapsed / 1000));
  }
  if (sink === 0.5) console.log(sink); // keeps the calls observable
  return best;
}

const runtime = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node ${(globalThis as { process?: { version: string } }).process?.version}`;
console.log(`| ${runtime} | size | TS slicing-by-16 MB/s | hash-wasm MB/s |`);
console.log("|---|---:|---:|---:|");
for (const size of [1024, 16 * 1024, 1024 * 1024]) {
  const data = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24);
  if (crc32c(data) !== wasmCrc32c(data)) throw new Error(`CRC mismatch at ${size} bytes`);
  const ts = measure(crc32c, data);
  const wasm = measure(wasmCrc32c, data);
  console.log(`| | ${size / 1024} KiB | ${ts.toFixed(0)} | ${wasm.toFixed(0)} |`);
}
