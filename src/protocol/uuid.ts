const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A Kafka UUID (a topic id) as Kafka prints it: URL-safe base64 without padding, 22
 * characters (Java's `Uuid.toString()`), e.g. for a map key or a log line.
 *
 * @param bytes The 16 bytes.
 * @returns The 22-character string.
 * @throws {RangeError} When `bytes` is not 16 bytes long.
 *
 * @example
 * ```ts
 * import { uuidToString } from "./uuid.ts";
 * if (uuidToString(new Uint8Array(16)) !== "AAAAAAAAAAAAAAAAAAAAAA") throw new Error();
 * ```
 */
export function uuidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) {
    throw new RangeError(`Cannot format a UUID of ${bytes.length} bytes: it must be 16`);
  }
  let out = "";
  // 5 groups of 3 bytes make 20 characters; the 16th byte makes the last 2.
  for (let i = 0; i < 15; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]! +
      BASE64URL[n & 63]!;
  }
  const last = bytes[15]!;
  return out + BASE64URL[last >>> 2]! + BASE64URL[(last & 3) << 4]!;
}

/**
 * True for the all-zero UUID, which Kafka uses for "no topic id" (Java's `Uuid.ZERO_UUID`).
 *
 * @param bytes A UUID.
 * @returns Whether every byte is 0.
 *
 * @example
 * ```ts
 * import { isZeroUuid } from "./uuid.ts";
 * if (!isZeroUuid(new Uint8Array(16)) || isZeroUuid(new Uint8Array(16).fill(1))) throw new Error();
 * ```
 */
export function isZeroUuid(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
