// Bench client: sluice through send() or the WritableStream, reading lines from a file.
// Usage: <runtime> bench/clients/sluice_api.ts send|stream BOOTSTRAP TOPIC FILE ACKS KEYED CODEC
//        [BATCH_SIZE] [SECURITY_JSON]
// SECURITY_JSON: Java security properties (security.protocol, sasl.*, ssl.*) as a JSON object.
import { closeSync, openSync, readSync } from "node:fs";
import process from "node:process";
import module from "node:module";
import type { ProducerRecord } from "../../mod.ts";

// Node: compiled and type-stripped code cached between runs (what a Node app enables with
// NODE_COMPILE_CACHE or this call); Deno and Bun cache on their own.
if (!("Deno" in globalThis) && !("Bun" in globalThis)) {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
const { fromJavaProperties, Producer } = await import("../../mod.ts");

const [mode, bootstrap, topic, file, acks, keyed, codec, batchSize, securityJson] = process.argv
  .slice(2) as string[];
const security = securityJson === undefined ? {} : fromJavaProperties({
  "bootstrap.servers": bootstrap!,
  ...JSON.parse(securityJson) as Record<string, string>,
});
const producer = new Producer<Uint8Array, Uint8Array>({
  ...security,
  bootstrapServers: bootstrap!,
  acks: acks === "all" ? "all" : Number(acks) as 0 | 1,
  lingerMs: 5,
  compressionType: (codec ?? "none") as "none",
  ...(batchSize ? { batchSize: Number(batchSize) } : {}),
});
const withKey = keyed === "1";
let count = 0;

/**
 * Calls `onRecord` for each line of the file, read 1 MiB at a time (reading 100 MB at once cost
 * 110-410 ms on Deno, where 1 MiB reads took 8-20 ms in all, and held the whole file in memory).
 * Each chunk is a fresh buffer the records point into (views, no copies), since a record may
 * still wait in the producer when the next chunk is read. `onRecord` may return a promise to
 * wait on before the next record.
 */
async function forEachRecord(
  onRecord: (record: ProducerRecord<Uint8Array, Uint8Array>) => Promise<unknown> | undefined,
): Promise<void> {
  const fd = openSync(file!, "r");
  let carry = new Uint8Array(0);
  try {
    for (;;) {
      const chunk = new Uint8Array(carry.length + (1 << 20));
      chunk.set(carry);
      const got = readSync(fd, chunk, carry.length, 1 << 20, null);
      const length = carry.length + got;
      const buffer = chunk.buffer;
      let start = 0;
      for (let end = chunk.indexOf(10); end >= 0 && end < length; end = chunk.indexOf(10, start)) {
        count++;
        let record: ProducerRecord<Uint8Array, Uint8Array>;
        if (withKey) {
          const tab = chunk.indexOf(9, start);
          record = {
            topic: topic!,
            key: new Uint8Array(buffer, start, tab - start),
            value: new Uint8Array(buffer, tab + 1, end - tab - 1),
          };
        } else {
          record = { topic: topic!, value: new Uint8Array(buffer, start, end - start) };
        }
        start = end + 1;
        const wait = onRecord(record);
        if (wait !== undefined) await wait;
      }
      carry = chunk.slice(start, length);
      if (got === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

if (mode === "send") {
  // Fire sends without awaiting each, as a high-rate caller would, bounding what is
  // outstanding: at 50,000 pending, wait for the older half (never draining to zero, which
  // would leave the producer idle for a linger and a round trip per window).
  let pending: Promise<unknown>[] = [];
  await forEachRecord((record) => {
    pending.push(producer.send(record));
    if (pending.length < 50_000) return undefined;
    const older = Promise.all(pending.slice(0, 25_000));
    pending = pending.slice(25_000);
    return older;
  });
  await Promise.all(pending);
} else {
  // Arrays of 1000 records per chunk: the stream's cost is paid per chunk, not per record.
  const writer = producer.writable.getWriter();
  let chunk: ProducerRecord<Uint8Array, Uint8Array>[] = [];
  await forEachRecord((record) => {
    chunk.push(record);
    if (chunk.length < 1000) return undefined;
    const full = chunk;
    chunk = [];
    return writer.ready.then(() => void writer.write(full));
  });
  if (chunk.length > 0) void writer.write(chunk);
  await writer.close();
}
await producer.close();
process.stderr.write(`sluice ${mode}: ${count} records\n`);
