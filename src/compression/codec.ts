/**
 * A compression codec for the records section of a RecordBatch v2, keyed by Kafka's attribute
 * id (1 gzip, 2 snappy, 3 lz4, 4 zstd). Synchronous once loaded, so the sender compresses a
 * batch without awaiting; `loadCodec()` in `codec_registry.ts` does the asynchronous part.
 *
 * @example Round trip
 * ```ts
 * import { loadCodec } from "./codec_registry.ts";
 * const gzip = await loadCodec("gzip");
 * const data = new TextEncoder().encode("hello hello hello hello");
 * if (gzip.id !== 1 || gzip.decompress(gzip.compress(data, 9)).length !== data.length) {
 *   throw new Error();
 * }
 * ```
 */
export interface Codec {
  /** Kafka's attribute id: 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly id: 1 | 2 | 3 | 4;
  /** The `compression.type` name. */
  readonly name: CodecName;
  /**
   * Compresses `data` into this codec's Kafka framing.
   *
   * @param data The uncompressed records section.
   * @param level KIP-390 level (gzip 1–9, lz4 1–17, zstd -131072..22; snappy has none).
   * @default level the codec's own default (gzip 6, lz4 fast, zstd 3)
   * @returns A new array (never a view of `data`).
   * @throws {RangeError} When `level` is out of the codec's range.
   */
  compress(data: Uint8Array, level?: number): Uint8Array;
  /**
   * Like `compress`, on another thread, where the runtime does that faster than blocking
   * (`node:zlib`'s callback API on Node and Bun). Absent where it would not pay.
   *
   * @param data The uncompressed records section; must not change until this settles.
   * @param level As for `compress`.
   * @returns The compressed bytes.
   */
  compressAsync?(data: Uint8Array, level?: number): Promise<Uint8Array>;
  /**
   * Decompresses what this codec, librdkafka, Java or the codec's command-line tool wrote.
   *
   * @throws {ProtocolError} When `data` is malformed.
   */
  decompress(data: Uint8Array): Uint8Array;
}

/** The codec names of Kafka's `compression.type` (other than "none"). */
export type CodecName = "gzip" | "snappy" | "lz4" | "zstd";

/**
 * Checks a KIP-390 compression level.
 *
 * @param codec The codec's name, for the message.
 * @param level The level given by the user.
 * @param min The smallest valid level.
 * @param max The largest valid level.
 * @throws {RangeError} When `level` is not an integer in `[min, max]`.
 *
 * @example
 * ```ts
 * import { checkLevel } from "./codec.ts";
 * checkLevel("gzip", 9, 1, 9);
 * let message = "";
 * try { checkLevel("gzip", 10, 1, 9); } catch (error) { message = (error as Error).message; }
 * if (!message.includes("between 1 and 9")) throw new Error();
 * ```
 */
export function checkLevel(codec: CodecName, level: number, min: number, max: number): void {
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new RangeError(
      `Cannot compress with ${codec} at level "${level}": the level must be an integer between ${min} and ${max}`,
    );
  }
}

/**
 * A plain `Uint8Array` over the same memory as `bytes` (a Node `Buffer` from `node:zlib`), so
 * callers see one type on every runtime (`assert.deepEqual` tells the two apart).
 *
 * @param bytes Any Uint8Array, e.g. a `Buffer`.
 * @returns `bytes` itself when it is already a plain Uint8Array, else a view of its memory.
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
