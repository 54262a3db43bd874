/**
 * How long to wait before reconnecting after `failures` failed attempts in a row: exponential
 * from `baseMs` (doubling per failure), capped at `maxMs`, with ±20% jitter so that many
 * clients do not reconnect in lockstep (Java's `reconnect.backoff.ms` /
 * `reconnect.backoff.max.ms` behave the same way).
 *
 * @param failures Failed attempts in a row (>= 1).
 * @param baseMs The first wait (`reconnectBackoffMs`).
 * @param maxMs The cap (`reconnectBackoffMaxMs`).
 * @param random A number in [0, 1) for the jitter. @default Math.random()
 * @returns The wait in milliseconds.
 *
 * @example
 * ```ts
 * import { reconnectBackoff } from "./reconnect_backoff.ts";
 * if (reconnectBackoff(1, 50, 1000, 0.5) !== 50) throw new Error("first wait");
 * if (reconnectBackoff(3, 50, 1000, 0.5) !== 200) throw new Error("doubles");
 * if (reconnectBackoff(30, 50, 1000, 0.5) !== 1000) throw new Error("capped");
 * if (reconnectBackoff(1, 50, 1000, 0) !== 40) throw new Error("jitter -20%");
 * ```
 */
export function reconnectBackoff(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: number = Math.random(),
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const wait = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(wait * (0.8 + 0.4 * random));
}
