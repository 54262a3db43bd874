/**
 * Micro-benchmarks of the producer's hot stages, per record of the benchmark's shape (100-byte
 * values, 16-byte keys, 4 partitions): record encoding, CRC-32C, partitioning, accumulator
 * append, request framing, and the whole in-memory path from a record to a framed request.
 * They guide the work in issue #5: each line is the cost one stage adds to every record.
 *
 * Under Deno this registers `Deno.bench` cases (`deno bench -A bench/hot_stages_bench.ts`).
 * On Bun and Node (which have no built-in bench API) the same cases run in a small timing
 * loop — best of 7 windows of ~100 ms — and print ns per record:
 *   bun bench/hot_stages_bench.ts
 *   node bench/hot_stages_bench.ts          (Node >= 22.18)
 * `deno run -A bench/hot_stages_bench.ts --table` uses that loop on Deno too, for one table format
 * across the three runtimes.
 *
 * @module
 */
import { RecordAccumulator } from "../src/accumulator/record_accumulator.ts";
import { DefaultPartitioner } from "../src/partitioner/default_partitioner.ts";
import { murmur2 } from "../src/partitioner/murmur2.ts";
import { crc32c } from "../src/protocol/crc32c.ts";
import { ProduceApi } from "../src/protocol/produce.ts";
import { RecordBatchWriter, recordSizeUpperBound } from "../src/protocol/record_batch.ts";
import { encodeRequestFrame } from "../src/protocol/request_frame.ts";
import { Writer } from "../src/protocol/writer.ts";
import type { SerializedRecord } from "../src/record/serialized_record.ts";
import { createRecordSerializer } from "../src/serializer/serialize_record.ts";

/** Records per timed call: every case does this many records' worth of work. */
const RECORDS = 1000;
const value = new Uint8Array(100).map((_, i) => 97 + (i % 26));
const keys = Array.from(
  { length: RECORDS },
  (_, i) => new TextEncoder().encode(`key-${String(i).padStart(12, "0")}`),
);
const now = 1767225600000;

interface Case {
  name: string;
  /** Does RECORDS records' worth of work; returns something so the work is observable. */
  run: () => number;
}

const writer = new RecordBatchWriter(1 << 20);
const batch16k = (() => {
  const w = new RecordBatchWriter(16384);
  while (w.sizeInBytes < 16384 - 120) w.append(now, null, value);
  return w.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 }).slice();
})();
const recordsPer16k = (() => {
  const w = new RecordBatchWriter(16384);
  let n = 0;
  while (w.sizeInBytes < 16384 - 120) (w.append(now, null, value), n++);
  return n;
})();
const partitioner = new DefaultPartitioner({ batchSize: 16384 });
const available = [0, 1, 2, 3];
const keyless: SerializedRecord = {
  topic: "t",
  partition: -1,
  key: null,
  value,
  headers: undefined,
  timestamp: now,
};
const serialize = createRecordSerializer<Uint8Array, Uint8Array>({});
const records = Array.from({ length: RECORDS }, () => ({ topic: "t", value, timestamp: now }));
const frameWriter = new Writer(1 << 20);
const batches4 = [0, 1, 2, 3].map((index) => ({ index, records: batch16k }));

const cases: Case[] = [
  {
    name: "encode record (RecordBatchWriter.append, 100 B value)",
    run() {
      writer.reset();
      for (let i = 0; i < RECORDS; i++) writer.append(now, null, value);
      return writer.sizeInBytes;
    },
  },
  {
    name: "encode keyed record (16 B key, 100 B value)",
    run() {
      writer.reset();
      for (let i = 0; i < RECORDS; i++) writer.append(now, keys[i]!, value);
      return writer.sizeInBytes;
    },
  },
  {
    name: "CRC-32C of the batch bytes (per record's share of a 16 KiB batch)",
    run() {
      // RECORDS records' worth of 16 KiB batches.
      let sum = 0;
      const rounds = RECORDS / recordsPer16k;
      for (let i = 0; i < rounds; i++) sum ^= crc32c(batch16k, 21);
      return sum + (RECORDS % recordsPer16k === 0 ? 0 : crc32c(batch16k, 21, 21 + 1000));
    },
  },
  {
    name: "serialize record (bytes, no serializer)",
    run() {
      let sum = 0;
      for (let i = 0; i < RECORDS; i++) sum += serialize(records[i]!).value!.length;
      return sum;
    },
  },
  {
    name: "partition keyed (murmur2 of 16 B key)",
    run() {
      let sum = 0;
      for (let i = 0; i < RECORDS; i++) sum += (murmur2(keys[i]!) & 0x7fffffff) % 4;
      return sum;
    },
  },
  {
    name: "partition keyless (sticky + recordAppended)",
    run() {
      let sum = 0;
      for (let i = 0; i < RECORDS; i++) {
        const p = partitioner.partition(keyless, 4, available);
        partitioner.recordAppended("t", p, 120, 4, available);
        sum += p;
      }
      return sum;
    },
  },
  {
    name: "accumulator append (4 partitions, 16 KiB batches, recycled)",
    run: (() => {
      const accumulator = new RecordAccumulator({
        batchSize: 16384,
        deliveryTimeoutMs: 120000,
        poolSize: 64,
      });
      const size = recordSizeUpperBound(-1, value.length, undefined);
      return () => {
        for (let i = 0; i < RECORDS; i++) {
          accumulator.append("t", i & 3, now, null, value, undefined, size, undefined, now);
        }
        // Drain and acknowledge everything so batches are recycled, as the sender would.
        for (const queue of accumulator.active) {
          for (const batch of queue.batches.splice(0)) accumulator.complete(batch, 0n, -1n);
        }
        accumulator.compactActive();
        return 0;
      };
    })(),
  },
  {
    name: "frame ProduceRequest v10 (4 × 16 KiB batches, per record)",
    run() {
      // RECORDS records' worth of requests carrying 4 batches each.
      const rounds = Math.max(1, Math.round(RECORDS / (4 * recordsPer16k)));
      let sum = 0;
      for (let i = 0; i < rounds; i++) {
        sum += encodeRequestFrame(ProduceApi, 10, i, "sluice", {
          transactionalId: null,
          acks: 1,
          timeoutMs: 30000,
          topicData: [{ name: "t", partitionData: batches4 }],
        }, frameWriter).length;
      }
      return sum;
    },
  },
];

const deno = (globalThis as { Deno?: { bench?: unknown; args: string[] } }).Deno;
if (deno !== undefined && !deno.args.includes("--table")) {
  // `deno bench`: one Deno.bench per case (each iteration = RECORDS records).
  const bench = deno.bench as (name: string, fn: () => void) => void;
  for (const c of cases) bench(`${c.name} ×${RECORDS}`, () => void c.run());
} else {
  runLoop();
}

function runLoop(): void {
  const runtime = deno !== undefined
    ? "Deno"
    : "Bun" in globalThis
    ? "Bun"
    : `Node ${(globalThis as { process?: { version: string } }).process?.version}`;
  console.log(`| stage (${runtime}) | ns / record |`);
  console.log("|---|---:|");
  let sink = 0;
  for (const c of cases) {
    let best = Infinity;
    for (let window = 0; window < 7; window++) {
      let calls = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < 100) {
        sink ^= c.run();
        calls++;
        elapsed = performance.now() - start;
      }
      best = Math.min(best, (elapsed * 1e6) / (calls * RECORDS));
    }
    console.log(`| ${c.name} | ${best.toFixed(1)} |`);
  }
  if (sink === 0.5) console.log(sink);
}
