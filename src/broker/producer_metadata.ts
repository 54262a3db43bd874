import type { Logger } from "../config/logger.ts";
import type { ProducerStatsCollector } from "../delivery/producer_stats.ts";
import { TimeoutError, toKafkaError } from "../errors/client_errors.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import type { KafkaError } from "../errors/kafka_error.ts";
import { AuthenticationError } from "../errors/security_errors.ts";
import { ExponentialBackoff } from "../time/exponential_backoff.ts";
import { unrefTimer } from "../time/unref_timer.ts";
import type { Cluster } from "./cluster.ts";

/** What the policy reads and refreshes of the cluster view (a `Cluster` provides it). */
export type MetadataView = Pick<
  Cluster,
  "refreshMetadata" | "partitionCount" | "topicError" | "refreshedAt"
>;

/** Options of {@linkcode ProducerMetadata} (from the resolved producer config). */
export interface ProducerMetadataOptions {
  /** Refresh at least this often while a topic is in use (`metadata.max.age.ms`). */
  metadataMaxAgeMs: number;
  /** A topic not produced to for this long is no longer refreshed (`metadata.max.idle.ms`). */
  metadataMaxIdleMs: number;
  /** The wait before asking again (`retry.backoff.ms`). */
  retryBackoffMs: number;
  /** The cap of the wait after failures in a row (`retry.backoff.max.ms`). */
  retryBackoffMaxMs: number;
  /** How long a record may wait for metadata, named in timeout messages (`max.block.ms`). */
  maxBlockMs: number;
  /** Named in the message when no broker can be reached. */
  bootstrapServers: string | readonly string[];
  logger: Logger;
  /** Counts refresh failures by code. @default none */
  stats?: ProducerStatsCollector | undefined;
}

/**
 * When the producer asks for metadata, as Java's `ProducerMetadata`: the topics in use (each
 * forgotten after `metadataMaxIdleMs` without a new batch), a refresh at least every
 * `metadataMaxAgeMs` while any is in use, one refresh at a time (callers share it), retries
 * with backoff after a failure, and the waits of records whose topic or partition metadata
 * does not know yet (bounded by `maxBlockMs`). The view itself (leaders, partitions, topic
 * ids) is the {@linkcode Cluster}'s; this decides only when to refresh it and who waits.
 *
 * A refused authentication or TLS handshake is final (`fatalError`): no more refreshes (no
 * reconnect storm), and every wait fails with it. Nothing here calls back into the producer or
 * the sender: `requestUpdate()` returns a promise of the next answer.
 *
 * @example The view starts empty; an unreachable cluster fails the wait with MAX_BLOCK_TIMEOUT
 * ```ts
 * import { ProducerMetadata } from "./producer_metadata.ts";
 * import { Cluster } from "./cluster.ts";
 * import { silentLogger } from "../config/logger.ts";
 * const cluster = new Cluster({
 *   bootstrapServers: "127.0.0.1:1",
 *   connection: { clientId: "sluice", requestTimeoutMs: 1000, connectTimeoutMs: 1000 },
 *   reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, metadataMaxAgeMs: 300000,
 * });
 * const metadata = new ProducerMetadata(cluster, {
 *   metadataMaxAgeMs: 300000, metadataMaxIdleMs: 300000, retryBackoffMs: 100,
 *   retryBackoffMaxMs: 1000, maxBlockMs: 300, bootstrapServers: "127.0.0.1:1", logger: silentLogger,
 * });
 * const error = await metadata.awaitPartition("events", Date.now() + 300).catch((e) => e);
 * if (error.code !== "MAX_BLOCK_TIMEOUT") throw new Error(String(error));
 * metadata.close();
 * await cluster.close();
 * ```
 */
export class ProducerMetadata {
  readonly #cluster: MetadataView;
  readonly #options: ProducerMetadataOptions;
  readonly #backoff: ExponentialBackoff;
  /** Topics in use → when a batch was last started for them (for `metadataMaxIdleMs`). */
  readonly #topics = new Map<string, number>();
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #refresh: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed refreshes in a row (the retry backoff grows with them). */
  #failures = 0;
  /** Resolves the promise `requestUpdate()` handed out for the next answer or failure. */
  #updated: { promise: Promise<void>; resolve: () => void } | undefined;
  #waiters: Array<() => void> = [];
  /** The wait shared by every record waiting for metadata now (see `#round`). */
  #sharedRound: Promise<void> | undefined;
  #lastFailure: KafkaError | undefined;
  #fatalError: KafkaError | undefined;
  #stopError: KafkaError | undefined;
  #closed = false;

  /**
   * @param cluster The view to refresh.
   * @param options Ages, backoff, `maxBlockMs` and where failures are reported.
   */
  constructor(cluster: MetadataView, options: ProducerMetadataOptions) {
    this.#cluster = cluster;
    this.#options = options;
    this.#backoff = new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMaxMs);
    // Refresh metadata at least every metadataMaxAgeMs (leaders move without errors too), for
    // the topics produced to within metadataMaxIdleMs. Checked four times per period, so a
    // refresh comes at most a quarter period late (a check every period could skip one whole
    // period when it lands just before the age is reached). Never keeps a process alive.
    this.#ageTimer = setInterval(
      () => this.#checkAge(),
      Math.max(50, Math.min(options.metadataMaxAgeMs / 4, 10_000)),
    );
    unrefTimer(this.#ageTimer);
  }

  /**
   * Why the last refresh failed (no broker reachable, usually); cleared by the next answer.
   * Records that time out waiting report it as their cause.
   */
  get lastFailure(): KafkaError | undefined {
    return this.#lastFailure;
  }

  /** A refused authentication or TLS handshake: final, every wait fails with it. */
  get fatalError(): KafkaError | undefined {
    return this.#fatalError;
  }

  /**
   * Marks `topic` as in use at `nowMs` (a batch was started for it): it is refreshed until
   * `metadataMaxIdleMs` passes without another.
   */
  touch(topic: string, nowMs: number): void {
    this.#topics.set(topic, nowMs);
  }

  /**
   * Asks for fresh metadata of the topics in use: starts a refresh unless one is running or a
   * retry is scheduled.
   *
   * @returns Resolves (never rejects) after the next answer or failure.
   */
  requestUpdate(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const updated = this.#updated ??= deferred();
    this.#refreshSoon();
    return updated.promise;
  }

  /**
   * Records a refused authentication or TLS handshake (from a refresh or from any connection
   * the producer opened): every wait fails with it and no more refreshes are tried. The first
   * such error sticks.
   *
   * @returns True when `error` was such a failure (then handled).
   */
  authenticationFailed(error: unknown): boolean {
    if (!(error instanceof AuthenticationError)) return false;
    if (this.#fatalError === undefined) {
      this.#options.logger.error("Authentication failed; failing every pending record", {
        code: error.code,
        error: error.message,
      });
      this.#options.stats?.error(error.code);
      this.#fatalError = error;
      this.#wakeWaiters();
    }
    return true;
  }

  /**
   * Ends every wait with `error` (close(), abort(), or a fatal error found elsewhere; the first
   * sticks): records waiting for metadata reject with it, at once, and so do later waits.
   */
  stopWaiting(error: KafkaError): void {
    this.#stopError ??= error;
    this.#wakeWaiters();
  }

  /** Stops the timers and refreshes (the producer shuts down). Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#ageTimer);
    this.#updated?.resolve();
    this.#updated = undefined;
  }

  /**
   * Waits until metadata knows `topic` (and, when `partition` >= 0, that partition: a topic
   * may have grown since its metadata was fetched), asking for metadata again at most every
   * `retryBackoffMs` while the answers do not have it, as Java's producer does. Fails with
   * `MAX_BLOCK_TIMEOUT` at `deadline`, saying whether the topic, the partition or the cluster
   * was missing.
   *
   * @param topic The topic.
   * @param deadline When to give up (`Date.now()` ms).
   * @param partition The partition the record names, or -1.
   * @returns The topic's partition count.
   * @throws {TimeoutError} At the deadline.
   * @throws {KafkaError} The topic's non-retriable error, the fatal error, or what
   * `stopWaiting()` was given.
   */
  async awaitPartition(topic: string, deadline: number, partition = -1): Promise<number> {
    this.#topics.set(topic, Date.now());
    const options = this.#options;
    for (;;) {
      const count = this.#cluster.partitionCount(topic);
      if (count !== undefined && count > 0 && partition < count) return count;
      if (this.#stopError !== undefined) throw this.#stopError;
      if (this.#fatalError !== undefined) throw this.#fatalError;
      const topicError = this.#cluster.topicError(topic);
      if (topicError !== undefined && !topicError.retriable) throw topicError;
      const remaining = deadline - Date.now();
      const failure = this.#lastFailure;
      if (remaining <= 0 && count !== undefined && count > 0) {
        throw new TimeoutError(
          `Partition ${partition} of topic "${topic}" is not present in metadata after ` +
            `maxBlockMs (${options.maxBlockMs} ms): the topic has ${count} partitions` +
            (failure === undefined ? "" : `; the last metadata request failed: ${failure.message}`),
          "MAX_BLOCK_TIMEOUT",
          false,
          failure,
        );
      }
      if (remaining <= 0 && failure !== undefined) {
        // No answer since the last failure: the topic is not the problem, the cluster is.
        const servers = options.bootstrapServers;
        const within = `within maxBlockMs (${options.maxBlockMs} ms)`;
        throw new TimeoutError(
          `Cannot send to topic "${topic}": ` + (failure.code === "CONNECTION"
            ? `no broker could be reached ${within}: check that bootstrapServers "${
              typeof servers === "string" ? servers : servers.join(",")
            }" is right and the brokers are up`
            : `metadata could not be fetched ${within}`) +
            `; last error: ${failure.message}`,
          "MAX_BLOCK_TIMEOUT",
          false,
          failure,
        );
      }
      if (remaining <= 0) {
        throw new TimeoutError(
          `Topic "${topic}" is not present in metadata after maxBlockMs (${options.maxBlockMs} ms)` +
            (topicError
              ? `: ${topicError.message}`
              : ": check the topic name and that it exists (or auto-creation is on)"),
          "MAX_BLOCK_TIMEOUT",
          false,
          topicError,
        );
      }
      // Ask again unless an answer came in the last retryBackoffMs (it did not have what this
      // record needs): no stream of Metadata requests while a topic or partition is missing.
      // The shared round ends at the next answer or after 2 * retryBackoffMs either way.
      if (Date.now() - this.#cluster.refreshedAt >= options.retryBackoffMs) this.#refreshSoon();
      await this.#round(remaining);
    }
  }

  #checkAge(): void {
    const now = Date.now();
    for (const [topic, lastUsed] of this.#topics) {
      if (now - lastUsed > this.#options.metadataMaxIdleMs) this.#topics.delete(topic);
    }
    if (
      this.#topics.size > 0 && now - this.#cluster.refreshedAt >= this.#options.metadataMaxAgeMs
    ) {
      this.#refreshSoon();
    }
  }

  /**
   * Resolves after the next metadata answer (or failure), or after `retryBackoffMs * 2` so
   * waiters re-check. Every record waiting for metadata shares one round (one timer, one
   * promise): a burst of sends before the first answer costs no timer per record. A waiter
   * whose deadline is nearer than the round's wake-up gets a timer of its own.
   */
  #round(remainingMs: number): Promise<void> {
    const roundMs = this.#options.retryBackoffMs * 2;
    if (remainingMs < roundMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    let round = this.#sharedRound;
    if (round === undefined) {
      let settled = false;
      round = new Promise<void>((resolve) => {
        // Called by the timer or by the answer, whichever comes first; the other is a no-op.
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (this.#sharedRound === round) this.#sharedRound = undefined;
          resolve();
        };
        const timer = setTimeout(done, roundMs);
        this.#waiters.push(done);
      });
      this.#sharedRound = round;
    }
    return round;
  }

  /** Starts a refresh unless one is running; retries with backoff on failure. */
  #refreshSoon(): void {
    if (this.#refresh !== undefined || this.#closed) return;
    if (this.#fatalError !== undefined) return this.#answered(); // no reconnect storm
    if (this.#retryTimer !== undefined) return;
    this.#refresh = this.#cluster.refreshMetadata([...this.#topics.keys()]).then(
      () => {
        this.#refresh = undefined;
        this.#lastFailure = undefined;
        this.#failures = 0;
        this.#answered();
      },
      (error: unknown) => {
        this.#refresh = undefined;
        if (this.authenticationFailed(error)) return this.#answered();
        this.#lastFailure = toKafkaError(error);
        this.#failures++;
        this.#options.stats?.error(this.#lastFailure.code);
        this.#options.logger.warn("Metadata refresh failed; retrying", {
          error: describeThrown(error),
        });
        if (!this.#closed) {
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = undefined;
            this.#refreshSoon();
          }, this.#backoff.backoff(this.#failures));
        }
        this.#answered();
      },
    );
  }

  /** An answer (or failure) came: every waiter re-checks, and `requestUpdate()` resolves. */
  #answered(): void {
    this.#wakeWaiters();
    const updated = this.#updated;
    this.#updated = undefined;
    updated?.resolve();
  }

  #wakeWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => resolve = r);
  return { promise, resolve };
}
