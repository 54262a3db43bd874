import { unrefTimer } from "../time/unref_timer.ts";
import type { ProducerStats } from "./producer_stats.ts";

/**
 * The producer's open `statsStream()`s: each is a `ReadableStream` of snapshots, one at once
 * and then one every interval (librdkafka's `statistics.interval.ms`); `closeAll()` ends each
 * with a last snapshot when the producer shuts down. A reader that falls behind gets the
 * newest snapshot, never a backlog (one is queued at most). Timers never keep a process alive.
 *
 * @example
 * ```ts
 * import { StatsStreams } from "./stats_streams.ts";
 * import { ProducerStatsCollector } from "./producer_stats.ts";
 * const collector = new ProducerStatsCollector();
 * const streams = new StatsStreams(() => collector.snapshot(0, 0, new Map()));
 * const reader = streams.open(1000).getReader();
 * const first = await reader.read();
 * streams.closeAll();
 * const last = await reader.read();
 * const end = await reader.read();
 * if (first.done || last.done || !end.done) throw new Error();
 * ```
 */
export class StatsStreams {
  readonly #snapshot: () => ProducerStats;
  readonly #closers = new Set<() => void>();
  #closed = false;

  /** @param snapshot Takes one snapshot (the producer's `stats()`). */
  constructor(snapshot: () => ProducerStats) {
    this.#snapshot = snapshot;
  }

  /**
   * A stream of snapshots every `intervalMs` (the first at once). After `closeAll()` it holds
   * one snapshot and ends.
   *
   * @param intervalMs Milliseconds between snapshots (a positive integer, checked by the caller).
   * @returns The stream; cancelling it stops its timer.
   */
  open(intervalMs: number): ReadableStream<ProducerStats> {
    let timer: ReturnType<typeof setInterval> | undefined;
    let finish: (() => void) | undefined;
    return new ReadableStream<ProducerStats>({
      start: (controller) => {
        finish = () => {
          clearInterval(timer);
          this.#closers.delete(finish!);
          try {
            controller.enqueue(this.#snapshot());
            controller.close();
          } catch {
            // cancelled meanwhile
          }
        };
        if (this.#closed) return finish();
        this.#closers.add(finish);
        // The first snapshot at once: a reader never waits a whole interval for it (and an
        // unref'd timer alone would not keep an otherwise idle process waiting).
        controller.enqueue(this.#snapshot());
        timer = setInterval(() => {
          // Drop rather than queue: a slow reader reads the newest snapshot.
          if ((controller.desiredSize ?? 0) > 0) controller.enqueue(this.#snapshot());
        }, intervalMs);
        unrefTimer(timer);
      },
      cancel: () => {
        clearInterval(timer);
        if (finish !== undefined) this.#closers.delete(finish);
      },
    }, { highWaterMark: 1 });
  }

  /** Ends every open stream with a last snapshot; later `open()`s end at once. Idempotent. */
  closeAll(): void {
    this.#closed = true;
    for (const close of [...this.#closers]) close();
  }
}
