// Bench client: sluice through send() or the WritableStream, reading lines from a file.
// Usage: <runtime> bench/clients/sluice_api.ts send|stream BOOTSTRAP TOPIC FILE ACKS KEYED CODEC
//        [BATCH_SIZE]
import { readFileSync } from "node:fs";
import process from "node:process";
import module from "node:module";
import type { ProducerRecord } from "../../mod.ts";

// Node: compiled and type-stripped code cached between runs (what a Node app enables with
// NODE_COMPILE_CACHE or this call); Deno and Bun cache on their own.
if (!("Deno" in globalThis) && !("Bun" in globalThis)) {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
const { Producer } = await import("../../mod.ts");

const [mode, bootstrap, topic, file, acks, keyed, codec, batchSize] = process.argv.slice(
  2,
) as string[];
// The file as a plain Uint8Array, read the runtime's native way (Deno's node:fs readFileSync
// and Buffer methods are compatibility layers, measured 2-3x slower): the input side should
// cost what a user's would, not handicap one runtime.
const deno = (globalThis as { Deno?: { readFileSync(path: string): Uint8Array } }).Deno;
const raw = deno !== undefined ? deno.readFileSync(file!) : readFileSync(file!);
const data = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
const producer = new Producer<Uint8Array, Uint8Array>({
  bootstrapServers: bootstrap!,
  acks: acks === "all" ? "all" : Number(acks) as 0 | 1,
  lingerMs: 5,
  compressionType: (codec ?? "none") as "none",
  ...(batchSize ? { batchSize: Number(batchSize) } : {}),
});
const withKey = keyed === "1";
let count = 0;

const buffer = data.buffer;
const base = data.byteOffset;

/** The record for bytes [start, end) of the file (views, no copies), as a user would make it. */
function recordAt(start: number, end: number): ProducerRecord<Uint8Array, Uint8Array> {
  count++;
  if (withKey) {
    const tab = data.indexOf(9, start);
    return {
      topic: topic!,
      key: new Uint8Array(buffer, base + start, tab - start),
      value: new Uint8Array(buffer, base + tab + 1, end - tab - 1),
    };
  }
  return { topic: topic!, value: new Uint8Array(buffer, base + start, end - start) };
}

if (mode === "send") {
  // Fire sends without awaiting each, as a high-rate caller would, bounding what is
  // outstanding: at 50,000 pending, wait for the older half (never draining to zero, which
  // would leave the producer idle for a linger and a round trip per window).
  let pending: Promise<unknown>[] = [];
  for (
    let start = 0, end = data.indexOf(10);
    end >= 0;
    start = end + 1, end = data.indexOf(10, start)
  ) {
    pending.push(producer.send(recordAt(start, end)));
    if (pending.length === 50_000) {
      await Promise.all(pending.slice(0, 25_000));
      pending = pending.slice(25_000);
    }
  }
  await Promise.all(pending);
} else {
  // Arrays of 1000 records per chunk: the stream's cost is paid per chunk, not per record.
  const writer = producer.writable.getWriter();
  let chunk: ProducerRecord<Uint8Array, Uint8Array>[] = [];
  for (
    let start = 0, end = data.indexOf(10);
    end >= 0;
    start = end + 1, end = data.indexOf(10, start)
  ) {
    chunk.push(recordAt(start, end));
    if (chunk.length === 1000) {
      await writer.ready;
      void writer.write(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) void writer.write(chunk);
  await writer.close();
}
await producer.close();
process.stderr.write(`sluice ${mode}: ${count} records\n`);
