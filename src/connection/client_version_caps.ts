/**
 * Caps on the API versions this process's connections may use, below what sluice implements.
 * Not part of the public API: the test suite runs against real Kafka with Produce capped at
 * v11 and at v9 (env SLUICE_TEST_PRODUCE_MAX, read by tests/support/test_cluster.ts) to prove
 * the older request shapes against a broker that would otherwise negotiate v13.
 *
 * @module
 */

const caps = new Map<number, number>();

/**
 * Sets (or, with `undefined`, removes) the highest version of an API that new negotiations
 * pick, process-wide.
 *
 * @param apiKey Kafka's ApiKey (0 Produce, 3 Metadata, …).
 * @param maxVersion The cap, or undefined for none.
 *
 * @example
 * ```ts
 * import { capClientVersion, clientMaxVersion } from "./client_version_caps.ts";
 * capClientVersion(0, 9);
 * if (clientMaxVersion(0, 13) !== 9) throw new Error();
 * capClientVersion(0, undefined);
 * if (clientMaxVersion(0, 13) !== 13) throw new Error();
 * ```
 */
export function capClientVersion(apiKey: number, maxVersion: number | undefined): void {
  if (maxVersion === undefined) caps.delete(apiKey);
  else caps.set(apiKey, maxVersion);
}

/**
 * The highest version of an API sluice may use: its own maximum, or the cap if lower.
 *
 * @param apiKey Kafka's ApiKey.
 * @param implemented The highest version sluice implements.
 * @returns The version limit.
 */
export function clientMaxVersion(apiKey: number, implemented: number): number {
  const cap = caps.get(apiKey);
  return cap === undefined ? implemented : Math.min(cap, implemented);
}
