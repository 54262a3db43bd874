import { checkLevel, type Codec, plain } from "./codec.ts";

/** The two calls gzip needs, from `node:zlib` or fflate. */
export interface GzipImplementation {
  /** Which library this is, for messages and benchmarks. */
  readonly source: "node:zlib" | "fflate";
  /** Compresses into one gzip member at `level` (1–9). */
  gzip(data: Uint8Array, level: number): Uint8Array;
  /** The same on a worker thread, where that is faster than blocking (see `compressAsync`). */
  gzipAsync?: (data: Uint8Array, level: number) => Promise<Uint8Array>;
  /** Decompresses a gzip stream. */
  gunzip(data: Uint8Array): Uint8Array;
}

interface NodeZlib {
  gzipSync(data: Uint8Array, options: { level: number }): Uint8Array;
  gzip(
    data: Uint8Array,
    options: { level: number },
    callback: (error: Error | null, result: Uint8Array) => void,
  ): void;
  gunzipSync(data: Uint8Array): Uint8Array;
}

interface Fflate {
  gzipSync(data: Uint8Array, options: { level: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 }): Uint8Array;
  gunzipSync(data: Uint8Array): Uint8Array;
}

/** Default gzip level: zlib's own default, which Kafka's Java client also uses. */
const DEFAULT_LEVEL = 6;

/**
 * Makes the gzip codec (Kafka codec 1, levels 1–9, default 6) over an implementation.
 *
 * @param implementation `node:zlib` or fflate, see {@linkcode loadGzipImplementation}.
 * @returns The codec.
 *
 * @example
 * ```ts
 * import { createGzipCodec, loadGzipImplementation } from "./gzip_codec.ts";
 * const codec = createGzipCodec(await loadGzipImplementation("fflate"));
 * const data = new TextEncoder().encode("aaaaaaaaaaaaaaaa");
 * if (codec.decompress(codec.compress(data, 9)).length !== 16 || codec.id !== 1) throw new Error();
 * ```
 */
export function createGzipCodec(implementation: GzipImplementation): Codec {
  const codec: Codec = {
    id: 1,
    name: "gzip",
    compress(data, level = DEFAULT_LEVEL) {
      checkLevel("gzip", level, 1, 9);
      return implementation.gzip(data, level);
    },
    decompress: (data) => implementation.gunzip(data),
  };
  const gzipAsync = implementation.gzipAsync;
  if (gzipAsync !== undefined) {
    codec.compressAsync = (data, level = DEFAULT_LEVEL) => {
      checkLevel("gzip", level, 1, 9);
      return gzipAsync(data, level);
    };
  }
  return codec;
}

/**
 * Loads a gzip implementation: the runtime's `node:zlib` (Deno, Bun and Node all have it, and
 * it compresses 2.5–8× faster than fflate here, see the README), or fflate, the pure
 * JavaScript path for runtimes without `node:zlib`.
 *
 * @param prefer "auto" tries `node:zlib`, then fflate. @default "auto"
 * @returns The implementation.
 * @throws {TypeError} When the one asked for cannot be loaded, naming the package.
 *
 * @example
 * ```ts
 * import { loadGzipImplementation } from "./gzip_codec.ts";
 * const fflate = await loadGzipImplementation("fflate");
 * if (fflate.source !== "fflate") throw new Error();
 * ```
 */
export async function loadGzipImplementation(
  prefer: "auto" | "node:zlib" | "fflate" = "auto",
): Promise<GzipImplementation> {
  if (prefer !== "fflate") {
    let zlib: NodeZlib | undefined;
    try {
      zlib = await import("node:zlib") as unknown as NodeZlib;
    } catch (error) {
      if (prefer === "node:zlib") {
        throw new TypeError("Cannot use gzip through node:zlib: this runtime has no node:zlib", {
          cause: error,
        });
      }
    }
    if (zlib !== undefined && typeof zlib.gzipSync === "function") {
      const { gzipSync, gunzipSync, gzip } = zlib;
      const implementation: GzipImplementation = {
        source: "node:zlib",
        gzip: (data, level) => plain(gzipSync(data, { level })),
        gunzip: (data) => plain(gunzipSync(data)),
      };
      // node:zlib's callback API compresses on libuv's thread pool: on Node and Bun, 60 x 1 MB
      // batches took 0.6-0.7x the time of gzipSync, and the main thread stays free to encode;
      // on Deno it took 1.2x its gzipSync, so Deno keeps the synchronous call.
      if (!("Deno" in globalThis) && typeof gzip === "function") {
        implementation.gzipAsync = (data, level) =>
          new Promise((resolve, reject) =>
            gzip(data, { level }, (error, result) => error ? reject(error) : resolve(plain(result)))
          );
      }
      return implementation;
    }
  }
  let fflate: Fflate;
  try {
    // Loaded only here, so users on node:zlib never pay for parsing fflate.
    fflate = await import("fflate") as unknown as Fflate;
  } catch (error) {
    throw new TypeError(
      `Cannot use gzip: this runtime has no node:zlib and the "fflate" package could not be loaded (npm install fflate)`,
      { cause: error },
    );
  }
  const { gzipSync, gunzipSync } = fflate;
  return {
    source: "fflate",
    gzip: (data, level) => gzipSync(data, { level: level as 6 }),
    gunzip: (data) => gunzipSync(data),
  };
}

/**
 * Loads the gzip codec, preferring `node:zlib` and falling back to fflate.
 *
 * @returns The gzip codec.
 *
 * @example
 * ```ts
 * import { loadGzipCodec } from "./gzip_codec.ts";
 * const codec = await loadGzipCodec();
 * const frame = codec.compress(new TextEncoder().encode("hello"), 1);
 * if (frame[0] !== 0x1f || frame[1] !== 0x8b) throw new Error("gzip magic");
 * ```
 */
export async function loadGzipCodec(): Promise<Codec> {
  return createGzipCodec(await loadGzipImplementation("auto"));
}
