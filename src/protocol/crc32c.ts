/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2.
 * Slicing-by-16: sixteen 256-entry tables (16 KiB, inside L1) let the loop consume 16 bytes
 * per step, read as four little-endian int32 (the reflected CRC consumes bytes LSB first).
 * Pure and synchronous, so the sender needs no async initialisation. Measured on 1 MiB
 * (bench/crc32c_bench.ts): 1.8 GB/s on Deno and Node, 1.7-2.3 GB/s on Bun, 1.2-1.35x the
 * slicing-by-8 loop it replaced and on par (0.9-1.1x) with hash-wasm's WASM CRC-32C.
 */
const TABLES = new Int32Array(16 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 16; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}
// Table t (at t * 256) advances a byte through t more bytes: T15 takes the first byte of a
// 16-byte step, T0 the last.
const T = TABLES;

/**
 * CRC-32C of `data[start, end)`.
 *
 * @param data The bytes.
 * @param start The first byte to include.
 * @param end One past the last byte to include.
 * @default start 0
 * @default end data.length
 * @returns The checksum as an unsigned 32-bit number.
 *
 * @example The standard check value
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * if (crc32c(new TextEncoder().encode("123456789")) !== 0xe3069283) throw new Error();
 * ```
 */
export function crc32c(data: Uint8Array, start = 0, end: number = data.length): number {
  if (!(start >= 0 && start <= end && end <= data.length)) {
    throw new RangeError(
      `Cannot compute CRC-32C of [${start}, ${end}): the data has ${data.length} bytes`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let crc = -1;
  let i = start;
  const stop16 = end - ((end - start) & 15);
  while (i < stop16) {
    const a = crc ^ view.getInt32(i, true);
    const b = view.getInt32(i + 4, true);
    const c = view.getInt32(i + 8, true);
    const d = view.getInt32(i + 12, true);
    crc = T[3840 + (a & 0xff)]! ^ T[3584 + ((a >>> 8) & 0xff)]! ^
      T[3328 + ((a >>> 16) & 0xff)]! ^ T[3072 + (a >>> 24)]! ^
      T[2816 + (b & 0xff)]! ^ T[2560 + ((b >>> 8) & 0xff)]! ^
      T[2304 + ((b >>> 16) & 0xff)]! ^ T[2048 + (b >>> 24)]! ^
      T[1792 + (c & 0xff)]! ^ T[1536 + ((c >>> 8) & 0xff)]! ^
      T[1280 + ((c >>> 16) & 0xff)]! ^ T[1024 + (c >>> 24)]! ^
      T[768 + (d & 0xff)]! ^ T[512 + ((d >>> 8) & 0xff)]! ^
      T[256 + ((d >>> 16) & 0xff)]! ^ T[d >>> 24]!;
    i += 16;
  }
  while (i < end) crc = T[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
