/**
 * A snapshot of what a producer has done, from `producer.stats()`. Counters are totals since
 * the producer was created; latencies are over the last 1024 Produce requests.
 *
 * @example
 * ```ts
 * import { ProducerStatsCollector } from "./producer_stats.ts";
 * const stats = new ProducerStatsCollector();
 * stats.requestSent(2, 3000, 1000, 40);
 * stats.requestAnswered(3.5);
 * stats.recordsAcknowledged(40);
 * const snapshot = stats.snapshot(100, 200, new Map([[1, 0]]));
 * if (snapshot.recordsPerRequest !== 40 || snapshot.compressionRatio !== 3) throw new Error();
 * ```
 */
export interface ProducerStats {
  /** Records acknowledged by the brokers. */
  recordsAcknowledged: number;
  /** Records that failed for good. */
  recordsFailed: number;
  /** Produce requests sent (retries included). */
  requests: number;
  /** Batches sent (retries included). */
  batches: number;
  /** Batch bytes sent on the wire (after compression). */
  bytes: number;
  /** Average batch size on the wire, in bytes. */
  averageBatchBytes: number;
  /** Average records per Produce request. */
  recordsPerRequest: number;
  /** Uncompressed over compressed batch bytes (1 without compression). */
  compressionRatio: number;
  /** Request latency percentiles in ms (send to response), over the last 1024 requests. */
  requestLatencyMs: { p50: number; p99: number; max: number };
  /** Batches put back for a retry. */
  retries: number;
  /**
   * Broker and client errors seen, by code (e.g. "NOT_LEADER_OR_FOLLOWER", "CONNECTION"): of
   * batches sent, metadata requests and connection attempts (a cluster that cannot be reached
   * shows as "CONNECTION").
   */
  errorsByCode: Record<string, number>;
  /** Free bytes of `bufferMemory`. */
  bufferAvailable: number;
  /** The size of `bufferMemory`. */
  bufferTotal: number;
  /** Produce requests in flight per broker id. */
  inFlightByBroker: Record<number, number>;
}

const LATENCY_SAMPLES = 1024;

/**
 * Collects the numbers behind `ProducerStats`. Updated once per request and per batch (never
 * per record), so it costs nothing on the hot path.
 */
export class ProducerStatsCollector {
  #requests = 0;
  #batches = 0;
  #bytes = 0;
  #uncompressedBytes = 0;
  #recordsInRequests = 0;
  #recordsAcknowledged = 0;
  #recordsFailed = 0;
  #retries = 0;
  readonly #errors = new Map<string, number>();
  readonly #latencies = new Float64Array(LATENCY_SAMPLES);
  #latencyCount = 0;

  /** A request carrying `batches` batches went out. */
  requestSent(
    batches: number,
    uncompressedBytes: number,
    wireBytes: number,
    records: number,
  ): void {
    this.#requests++;
    this.#batches += batches;
    this.#uncompressedBytes += uncompressedBytes;
    this.#bytes += wireBytes;
    this.#recordsInRequests += records;
  }

  /** A request was answered (or failed) after `latencyMs`. */
  requestAnswered(latencyMs: number): void {
    this.#latencies[this.#latencyCount++ % LATENCY_SAMPLES] = latencyMs;
  }

  /** A batch failed with `code` (retried or not). */
  error(code: string): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  /** A batch goes again. */
  retry(): void {
    this.#retries++;
  }

  recordsAcknowledged(count: number): void {
    this.#recordsAcknowledged += count;
  }

  recordsFailed(count: number): void {
    this.#recordsFailed += count;
  }

  /** The numbers now, with the producer's buffer and in-flight state. */
  snapshot(
    bufferAvailable: number,
    bufferTotal: number,
    inFlight: ReadonlyMap<number, number>,
  ): ProducerStats {
    const samples = Array.from(
      this.#latencies.subarray(0, Math.min(this.#latencyCount, LATENCY_SAMPLES)),
    ).sort((a, b) => a - b);
    const at = (q: number) =>
      samples.length === 0
        ? 0
        : samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
    return {
      recordsAcknowledged: this.#recordsAcknowledged,
      recordsFailed: this.#recordsFailed,
      requests: this.#requests,
      batches: this.#batches,
      bytes: this.#bytes,
      averageBatchBytes: this.#batches === 0 ? 0 : this.#bytes / this.#batches,
      recordsPerRequest: this.#requests === 0 ? 0 : this.#recordsInRequests / this.#requests,
      compressionRatio: this.#bytes === 0 ? 1 : this.#uncompressedBytes / this.#bytes,
      requestLatencyMs: {
        p50: at(0.5),
        p99: at(0.99),
        max: samples.length === 0 ? 0 : samples[samples.length - 1]!,
      },
      retries: this.#retries,
      errorsByCode: Object.fromEntries(this.#errors),
      bufferAvailable,
      bufferTotal,
      inFlightByBroker: Object.fromEntries(inFlight),
    };
  }
}
