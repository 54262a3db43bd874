import type { CompressionType } from "../config/producer_config.ts";
import type { Codec } from "./codec.ts";

const loaded = new Map<number, Codec>();

/**
 * Loads a codec on first use (so importing the producer costs nothing for users who never
 * compress) and remembers it for `codecById()`.
 *
 * @example
 * ```ts ignore
 * import { loadCodec, codecById } from "./codec_registry.ts";
 * const codec = await loadCodec("lz4");
 * if (codecById(3) !== codec) throw new Error();
 * ```
 */
export async function loadCodec(type: Exclude<CompressionType, "none">): Promise<Codec> {
  let codec: Codec;
  switch (type) {
    case "gzip":
      codec = await (await import("./gzip_codec.ts")).loadGzipCodec();
      break;
    case "zstd":
      codec = await (await import("./zstd_codec.ts")).loadZstdCodec();
      break;
    case "lz4":
      codec = (await import("./lz4_codec.ts")).lz4Codec;
      break;
    case "snappy":
      codec = (await import("./snappy_codec.ts")).snappyCodec;
      break;
    default:
      throw new TypeError(`Unknown compression type "${type}": use gzip, snappy, lz4 or zstd`);
  }
  loaded.set(codec.id, codec);
  return codec;
}

/**
 * A codec already loaded, by Kafka's attribute id; throws naming the codec to load otherwise.
 *
 * @example
 * ```ts
 * import { codecById } from "./codec_registry.ts";
 * let failed = false;
 * try { codecById(9); } catch { failed = true; }
 * if (!failed) throw new Error();
 * ```
 */
export function codecById(id: number): Codec {
  const codec = loaded.get(id);
  if (codec === undefined) {
    const name = ["none", "gzip", "snappy", "lz4", "zstd"][id] ?? `#${id}`;
    throw new TypeError(`Codec ${name} is not loaded: call loadCodec("${name}") first`);
  }
  return codec;
}

/** Loads every codec (tests, tools) and returns a decompress hook for `decodeRecordBatches`. */
export async function loadAllCodecs(): Promise<
  (attribute: number, data: Uint8Array) => Uint8Array
> {
  for (const type of ["gzip", "snappy", "lz4", "zstd"] as const) await loadCodec(type);
  return (attribute, data) => codecById(attribute).decompress(data);
}
