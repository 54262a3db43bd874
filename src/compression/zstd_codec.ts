import { checkLevel, type Codec, plain } from "./codec.ts";

interface ZstdZlib {
  zstdCompressSync(data: Uint8Array, options: { params: Record<number, number> }): Uint8Array;
  zstdDecompressSync(data: Uint8Array): Uint8Array;
  constants: { ZSTD_c_compressionLevel: number };
}

/** zstd's default level, which Kafka's Java client also uses. */
const DEFAULT_LEVEL = 3;
/** zstd's fastest negative level (ZSTD_minCLevel), KIP-390's lower bound. */
const MIN_LEVEL = -131072;
const MAX_LEVEL = 22;

/**
 * Loads zstd (Kafka codec 4, levels -131072..22, default 3): standard zstd frames from the
 * runtime's `node:zlib`. Node >= 22.15, Deno 2.9 and Bun 1.4 all ship `zstdCompressSync`, so
 * sluice needs no WASM zstd package on the runtimes it supports.
 *
 * @returns The zstd codec.
 * @throws {TypeError} When this runtime's `node:zlib` has no zstd (Node < 22.15).
 *
 * @example
 * ```ts
 * import { loadZstdCodec } from "./zstd_codec.ts";
 * const codec = await loadZstdCodec();
 * const frame = codec.compress(new TextEncoder().encode("zzzzzzzzzzzzzzzz"), -5);
 * if (frame[0] !== 0x28 || frame[3] !== 0xfd) throw new Error("zstd frame magic");
 * if (codec.decompress(frame).length !== 16) throw new Error();
 * ```
 */
export async function loadZstdCodec(): Promise<Codec> {
  let zlib: ZstdZlib;
  try {
    zlib = await import("node:zlib") as unknown as ZstdZlib;
  } catch (error) {
    throw new TypeError(
      "Cannot use zstd: this runtime has no node:zlib (Node >= 22.15, Deno or Bun needed)",
      {
        cause: error,
      },
    );
  }
  if (
    typeof zlib.zstdCompressSync !== "function" || typeof zlib.zstdDecompressSync !== "function"
  ) {
    throw new TypeError(
      "Cannot use zstd: this runtime's node:zlib has no zstd (Node >= 22.15, Deno or Bun needed)",
    );
  }
  const { zstdCompressSync, zstdDecompressSync } = zlib;
  const levelParameter = zlib.constants.ZSTD_c_compressionLevel;
  return {
    id: 4,
    name: "zstd",
    compress(data, level = DEFAULT_LEVEL) {
      // node:zlib clamps out-of-range levels silently; KIP-390 says reject them.
      checkLevel("zstd", level, MIN_LEVEL, MAX_LEVEL);
      return plain(zstdCompressSync(data, { params: { [levelParameter]: level } }));
    },
    decompress: (data) => plain(zstdDecompressSync(data)),
  };
}
