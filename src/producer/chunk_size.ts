import type { ProducerRecord } from "../record/producer_record.ts";
import type { SerializedRecord } from "../record/serialized_record.ts";

/**
 * A cheap upper-bound estimate of a chunk's bytes (one record or an array of records), for
 * `writable`'s byte-counted queue: strings count 3 bytes per UTF-16 unit (UTF-8's bound), byte
 * arrays their length, other values 64, plus 24 per record.
 *
 * @param chunk What was written to the stream.
 * @returns The estimate in bytes (at least 1).
 *
 * @example
 * ```ts
 * import { estimateChunkBytes } from "./chunk_size.ts";
 * if (estimateChunkBytes([{ topic: "t", value: "ab" }]) !== 30) throw new Error();
 * ```
 */
export function estimateChunkBytes(chunk: unknown): number {
  if (Array.isArray(chunk)) {
    let total = 0;
    for (let i = 0; i < chunk.length; i++) total += estimateRecordBytes(chunk[i]);
    return total;
  }
  return estimateRecordBytes(chunk);
}

/**
 * The bytes of a chunk of serialized records, for the `stages()` sink's byte-counted queue.
 *
 * @param records The chunk.
 * @returns Key and value bytes plus 24 per record.
 *
 * @example
 * ```ts
 * import { estimateSerializedBytes } from "./chunk_size.ts";
 * const record = { topic: "t", partition: 0, key: null, value: new Uint8Array(6), headers: undefined, timestamp: 0 };
 * if (estimateSerializedBytes([record]) !== 30) throw new Error();
 * ```
 */
export function estimateSerializedBytes(records: SerializedRecord[]): number {
  let total = 0;
  for (const record of records) {
    total += 24 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  }
  return total;
}

function estimateRecordBytes(record: unknown): number {
  const r = record as ProducerRecord | undefined;
  if (r === undefined || r === null) return 1;
  return 24 + fieldBytes(r.key) + fieldBytes(r.value);
}

function fieldBytes(field: unknown): number {
  if (field === null || field === undefined) return 0;
  if (typeof field === "string") return field.length * 3; // UTF-8 upper bound
  if (field instanceof Uint8Array) return field.length;
  return 64;
}
