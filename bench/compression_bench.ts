/**
 * Compression benchmark: compress/decompress MB/s and ratio per codec on 1 MiB of JSON lines
 * (tests/compression/samples.ts), on whichever runtime runs it. Best of 12 windows of 60 ms
 * each, so other load on the machine shows less. Prints a Markdown table.
 *
 * Usage:
 *   deno run -A bench/compression_bench.ts
 *   bun bench/compression_bench.ts
 *   node bench/compression_bench.ts        (Node >= 22.18: strips types)
 *
 * @module
 */
import type { Codec } from "../src/compression/codec.ts";
import { loadCodec } from "../src/compression/codec_registry.ts";
import { createGzipCodec, loadGzipImplementation } from "../src/compression/gzip_codec.ts";
import { jsonLines } from "../tests/compression/samples.ts";

const data = jsonLines(1 << 20);

function runtime(): string {
  const global = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (global.Bun !== undefined) return `Bun ${global.Bun.version}`;
  if (global.Deno !== undefined) return `Deno ${global.Deno.version.deno}`;
  return `Node ${
    (globalThis as unknown as { process: { versions: { node: string } } }).process.versions.node
  }`;
}

/** Best MB/s (10^6 bytes of uncompressed data per second) over several short windows. */
function megabytesPerSecond(body: () => void): number {
  for (let i = 0; i < 3; i++) body();
  let best = 0;
  for (let window = 0; window < 12; window++) {
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 60) {
      body();
      runs++;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (runs * data.length) / 1e6 / (elapsed / 1000));
  }
  return best;
}

function measure(label: string, codec: Codec, level: number | undefined): string {
  const compressed = codec.compress(data, level);
  const back = codec.decompress(compressed);
  if (back.length !== data.length || back.some((byte, i) => byte !== data[i])) {
    throw new Error(`Cannot benchmark ${label}: round trip failed`);
  }
  const compress = megabytesPerSecond(() => codec.compress(data, level));
  const decompress = megabytesPerSecond(() => codec.decompress(compressed));
  const ratio = data.length / compressed.length;
  return `| ${label} | ${compress.toFixed(0)} | ${decompress.toFixed(0)} | ${ratio.toFixed(2)} |`;
}

const gzip = await loadCodec("gzip");
const fflate = createGzipCodec(await loadGzipImplementation("fflate"));
const snappy = await loadCodec("snappy");
const lz4 = await loadCodec("lz4");
const zstd = await loadCodec("zstd");

const rows: Array<[string, Codec, number | undefined]> = [
  ["gzip 6 (node:zlib)", gzip, undefined],
  ["gzip 1 (node:zlib)", gzip, 1],
  ["gzip 6 (fflate)", fflate, undefined],
  ["gzip 1 (fflate)", fflate, 1],
  ["snappy", snappy, undefined],
  ["lz4 (fast)", lz4, undefined],
  ["lz4 9", lz4, 9],
  ["zstd 3 (node:zlib)", zstd, undefined],
  ["zstd 1 (node:zlib)", zstd, 1],
  ["zstd -5 (node:zlib)", zstd, -5],
];

console.log(`${runtime()}, ${data.length} bytes of JSON lines\n`);
console.log("| codec | compress MB/s | decompress MB/s | ratio |");
console.log("| --- | ---: | ---: | ---: |");
for (const [label, codec, level] of rows) console.log(measure(label, codec, level));
