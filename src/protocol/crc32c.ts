/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2.
 * Slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per step, read as two
 * little-endian int32 (the reflected CRC consumes bytes LSB first). Pure and synchronous, so
 * the sender needs no async initialisation. bench/crc32c_bench.ts measured it within 1.5x
 * of hash-wasm's WASM CRC-32C at 16 KiB-1 MiB and on par at 1 KiB (see the protocol report),
 * which does not pay for an optional WASM path: a 1 MiB batch costs under 1 ms either way.
 */
const TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}
// T0 handles the last byte of an 8-byte step, T7 the first.
const T0 = TABLES.subarray(0, 256);
const T1 = TABLES.subarray(256, 512);
const T2 = TABLES.subarray(512, 768);
const T3 = TABLES.subarray(768, 1024);
const T4 = TABLES.subarray(1024, 1280);
const T5 = TABLES.subarray(1280, 1536);
const T6 = TABLES.subarray(1536, 1792);
const T7 = TABLES.subarray(1792, 2048);

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
  const stop8 = end - ((end - start) & 7);
  while (i < stop8) {
    const lo = crc ^ view.getInt32(i, true);
    const hi = view.getInt32(i + 4, true);
    crc = T7[lo & 0xff]! ^ T6[(lo >>> 8) & 0xff]! ^ T5[(lo >>> 16) & 0xff]! ^ T4[lo >>> 24]! ^
      T3[hi & 0xff]! ^ T2[(hi >>> 8) & 0xff]! ^ T1[(hi >>> 16) & 0xff]! ^ T0[hi >>> 24]!;
    i += 8;
  }
  while (i < end) crc = T0[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
