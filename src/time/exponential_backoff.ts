/**
 * How long to wait before the next attempt after `failures` failed ones in a row: exponential
 * from `initialMs` (doubling per failure), capped at `maxMs`, then ±20% jitter so that many
 * clients (or partitions) do not retry in lockstep. One policy for every wait of the producer,
 * as Java's `ExponentialBackoff`: reconnects (`reconnect.backoff.ms` /
 * `reconnect.backoff.max.ms`), produce retries, metadata refreshes after a failure and
 * InitProducerId / transactional requests (`retry.backoff.ms` / `retry.backoff.max.ms`).
 *
 * The jitter is applied after the cap, as Kafka documents `reconnect.backoff.max.ms` ("after
 * calculating the backoff increase, 20% random jitter is added"): a wait may reach 1.2 × `maxMs`.
 * A `maxMs` below `initialMs` gives a constant `maxMs`.
 *
 * @example
 * ```ts
 * import { ExponentialBackoff } from "./exponential_backoff.ts";
 * const backoff = new ExponentialBackoff(50, 1000);
 * if (backoff.backoff(1, 0.5) !== 50) throw new Error("first wait");
 * if (backoff.backoff(3, 0.5) !== 200) throw new Error("doubles");
 * if (backoff.backoff(30, 0.5) !== 1000) throw new Error("capped");
 * if (backoff.backoff(1, 0) !== 40) throw new Error("jitter -20%");
 * ```
 */
export class ExponentialBackoff {
  /** The first wait, in ms. */
  readonly initialMs: number;
  /** The cap before jitter, in ms. */
  readonly maxMs: number;

  /**
   * @param initialMs The first wait (`retry.backoff.ms`, `reconnect.backoff.ms`).
   * @param maxMs The cap of the doubling waits (`retry.backoff.max.ms`, …).
   */
  constructor(initialMs: number, maxMs: number) {
    this.initialMs = Math.min(initialMs, maxMs);
    this.maxMs = maxMs;
  }

  /**
   * The wait after `failures` failed attempts in a row.
   *
   * @param failures Failed attempts so far (>= 1; 0 is treated as 1).
   * @param random A number in [0, 1) for the jitter. @default Math.random()
   * @returns The wait in whole milliseconds (>= 0).
   */
  backoff(failures: number, random: number = Math.random()): number {
    const exponent = Math.min(Math.max(failures - 1, 0), 30);
    const wait = Math.min(this.maxMs, this.initialMs * 2 ** exponent);
    return Math.max(0, Math.round(wait * (0.8 + 0.4 * random)));
  }
}
