import type { Codec, CodecName } from "./codec.ts";

/** Codecs loaded so far, by Kafka attribute id. */
const loaded = new Map<number, Codec>();
/** Loads in flight or done, by name, so concurrent callers share one import. */
const loading = new Map<CodecName, Promise<Codec>>();

async function importCodec(type: CodecName): Promise<Codec> {
  switch (type) {
    case "gzip":
      return (await import("./gzip_codec.ts")).loadGzipCodec();
    case "snappy":
      return (await import("./snappy_codec.ts")).snappyCodec;
    case "lz4":
      return (await import("./lz4_codec.ts")).lz4Codec;
    case "zstd":
      return (await import("./zstd_codec.ts")).loadZstdCodec();
    default:
      throw new TypeError(
        `Cannot load codec "${String(type)}": use "gzip", "snappy", "lz4" or "zstd"`,
      );
  }
}

/**
 * Loads a codec on first use — its module is imported dynamically, so importing the producer
 * costs nothing for users who never compress — and remembers it for {@linkcode codecById}.
 *
 * @param type The `compression.type` name.
 * @returns The codec, synchronous from then on.
 * @throws {TypeError} For an unknown name, or when the codec cannot run here (the message
 * names the runtime feature or package missing).
 *
 * @example
 * ```ts
 * import { codecById, loadCodec } from "./codec_registry.ts";
 * const codec = await loadCodec("lz4");
 * if (codec.id !== 3 || codecById(3) !== codec) throw new Error();
 * ```
 */
export function loadCodec(type: CodecName): Promise<Codec> {
  let promise = loading.get(type);
  if (promise === undefined) {
    promise = importCodec(type).then((codec) => {
      loaded.set(codec.id, codec);
      return codec;
    });
    // A failed load is not cached: a later call may succeed (e.g. after installing a package).
    promise.catch(() => loading.delete(type));
    loading.set(type, promise);
  }
  return promise;
}

/**
 * A codec already loaded by {@linkcode loadCodec}, by Kafka's attribute id (the low 3 bits of
 * a RecordBatch's attributes).
 *
 * @param attribute 1 gzip, 2 snappy, 3 lz4, 4 zstd.
 * @returns The codec.
 * @throws {TypeError} When that codec is not loaded yet, naming the call to make; or when the
 * id is not a codec.
 *
 * @example
 * ```ts
 * import { codecById } from "./codec_registry.ts";
 * let message = "";
 * try { codecById(7); } catch (error) { message = (error as Error).message; }
 * if (!message.includes("7")) throw new Error();
 * ```
 */
export function codecById(attribute: number): Codec {
  const codec = loaded.get(attribute);
  if (codec !== undefined) return codec;
  const name = (["gzip", "snappy", "lz4", "zstd"] as const)[attribute - 1];
  if (name === undefined) {
    throw new TypeError(`Cannot find codec for attribute "${attribute}": use 1, 2, 3 or 4`);
  }
  throw new TypeError(
    `Cannot use codec "${name}" (attribute ${attribute}): call loadCodec("${name}") first`,
  );
}

/**
 * Loads all four codecs and returns a decompress hook for `decodeRecordBatches()` (tests,
 * tools, a future consumer).
 *
 * @returns `(attribute, data) => decompressed bytes`.
 *
 * @example
 * ```ts
 * import { loadAllCodecs } from "./codec_registry.ts";
 * const decompress = await loadAllCodecs();
 * // a raw snappy block: length 1, literal "x"
 * if (decompress(2, new Uint8Array([1, 0, 120]))[0] !== 120) throw new Error();
 * ```
 */
export async function loadAllCodecs(): Promise<
  (attribute: number, data: Uint8Array) => Uint8Array
> {
  await Promise.all([loadCodec("gzip"), loadCodec("snappy"), loadCodec("lz4"), loadCodec("zstd")]);
  return (attribute, data) => codecById(attribute).decompress(data);
}
