/**
 * Java's `Utils.murmur2` (MurmurHash2, seed 0x9747b28c) over bytes, as a signed 32-bit
 * integer. Keyed records land on `toPositive(murmur2(key)) % partitions`, exactly where
 * Java's producer and librdkafka's `murmur2_random` partitioner put them.
 *
 * @example
 * ```ts
 * import { murmur2 } from "./murmur2.ts";
 * if (murmur2(new TextEncoder().encode("21")) !== -973932308) throw new Error();
 * ```
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[length4 + 2]! << 16;
    // falls through
    case 2:
      h ^= data[length4 + 1]! << 8;
    // falls through
    case 1:
      h ^= data[length4]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`).
 *
 * @example
 * ```ts
 * import { toPositive } from "./murmur2.ts";
 * if (toPositive(-1) !== 0x7fffffff) throw new Error();
 * ```
 */
export function toPositive(value: number): number {
  return value & 0x7fffffff;
}
