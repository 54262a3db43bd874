/**
 * A compression codec for RecordBatch v2 records sections, keyed by Kafka's attribute id
 * (1 gzip, 2 snappy, 3 lz4, 4 zstd). Synchronous once loaded, so the sender compresses
 * without awaiting.
 *
 * @example Round trip
 * ```ts ignore
 * import { loadCodec } from "./codec_registry.ts";
 * const gzip = await loadCodec("gzip");
 * const data = new TextEncoder().encode("hello hello hello");
 * if (gzip.decompress(gzip.compress(data)).length !== data.length) throw new Error();
 * ```
 */
export interface Codec {
  /** Kafka's attribute id: 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly id: 1 | 2 | 3 | 4;
  readonly name: "gzip" | "snappy" | "lz4" | "zstd";
  /** Compresses `data` at `level` (the codec's default when undefined). */
  compress(data: Uint8Array, level?: number): Uint8Array;
  /** Decompresses what this codec (or another Kafka client) wrote. */
  decompress(data: Uint8Array): Uint8Array;
}

/**
 * A plain Uint8Array view of a Node `Buffer` (same memory), so callers comparing or
 * subclass-checking bytes see one type on every runtime.
 *
 * @example
 * ```ts
 * import { plain } from "./codec.ts";
 * if (plain(new Uint8Array([1])).constructor !== Uint8Array) throw new Error();
 * ```
 */
export function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
