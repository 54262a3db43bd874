import { gunzipSync, gzipSync } from "fflate";
import { type Codec, plain } from "./codec.ts";

interface Zlib {
  gzipSync(data: Uint8Array, options: { level: number }): Uint8Array;
  gunzipSync(data: Uint8Array): Uint8Array;
}

/**
 * gzip (Kafka codec 1, levels 1–9, default 6 as zlib). Uses the runtime's `node:zlib` where it
 * exists (Deno, Bun and Node all have it; measured 4–5× faster than fflate here) and `fflate`
 * (the user's choice, pure JS) where it does not, e.g. in a browser or a bare edge runtime.
 *
 * @example
 * ```ts
 * import { createGzipCodec } from "./gzip_codec.ts";
 * const codec = createGzipCodec(undefined);
 * const data = new TextEncoder().encode("aaaaaaaaaaaaaaaa");
 * if (codec.decompress(codec.compress(data, 9)).length !== 16 || codec.id !== 1) throw new Error();
 * ```
 */
export function createGzipCodec(zlib: Zlib | undefined): Codec {
  return {
    id: 1,
    name: "gzip",
    compress: zlib
      ? (data, level = 6) => plain(zlib.gzipSync(data, { level }))
      : (data, level = 6) => gzipSync(data, { level: level as 6 }),
    decompress: zlib ? (data) => plain(zlib.gunzipSync(data)) : (data) => gunzipSync(data),
  };
}

/** Loads the gzip codec, preferring `node:zlib`. */
export async function loadGzipCodec(): Promise<Codec> {
  try {
    const zlib = await import("node:zlib") as unknown as Zlib;
    if (typeof zlib.gzipSync === "function") return createGzipCodec(zlib);
  } catch {
    // no node:zlib here: fflate it is
  }
  return createGzipCodec(undefined);
}
