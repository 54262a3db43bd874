import { type Codec, plain } from "./codec.ts";

interface ZstdZlib {
  zstdCompressSync(data: Uint8Array, options?: { params?: Record<number, number> }): Uint8Array;
  zstdDecompressSync(data: Uint8Array): Uint8Array;
  constants: { ZSTD_c_compressionLevel: number };
}

/**
 * zstd (Kafka codec 4, levels -131072..22, default 3), standard zstd frames from the
 * runtime's `node:zlib` (Node >= 22.15, Deno and Bun all ship it, so no WASM package is
 * needed on the runtimes sluice supports).
 *
 * @example
 * ```ts ignore
 * import { loadZstdCodec } from "./zstd_codec.ts";
 * const codec = await loadZstdCodec();
 * const data = new TextEncoder().encode("zzzzzzzzzzzzzzzz");
 * if (codec.decompress(codec.compress(data)).length !== 16) throw new Error();
 * ```
 */
export async function loadZstdCodec(): Promise<Codec> {
  let zlib: ZstdZlib;
  try {
    zlib = await import("node:zlib") as unknown as ZstdZlib;
  } catch (error) {
    throw new TypeError(
      `Cannot use zstd: this runtime has no node:zlib (Node >= 22.15, Deno or Bun needed)`,
      { cause: error },
    );
  }
  if (typeof zlib.zstdCompressSync !== "function") {
    throw new TypeError(
      `Cannot use zstd: this runtime's node:zlib has no zstd (Node >= 22.15, Deno or Bun needed)`,
    );
  }
  const levelParam = zlib.constants.ZSTD_c_compressionLevel;
  return {
    id: 4,
    name: "zstd",
    compress: (data, level = 3) =>
      plain(zlib.zstdCompressSync(data, { params: { [levelParam]: level } })),
    decompress: (data) => plain(zlib.zstdDecompressSync(data)),
  };
}
