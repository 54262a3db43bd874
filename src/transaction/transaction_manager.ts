import type { Logger } from "../config/logger.ts";
import type { RequestChannel } from "../connection/request_channel.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import { InitProducerIdApi } from "../protocol/init_producer_id.ts";
import { ExponentialBackoff } from "../time/exponential_backoff.ts";

/**
 * The producer's states, as Java's `TransactionManager.State`. An idempotent-only producer
 * moves Uninitialized → Initializing → Ready (and back to Uninitialized to get a new producer
 * id or epoch); FatalError can be entered from anywhere and never left: the producer can only
 * be closed.
 */
export const TransactionState = {
  Uninitialized: "UNINITIALIZED",
  Initializing: "INITIALIZING",
  Ready: "READY",
  InTransaction: "IN_TRANSACTION",
  CommittingTransaction: "COMMITTING_TRANSACTION",
  AbortingTransaction: "ABORTING_TRANSACTION",
  AbortableError: "ABORTABLE_ERROR",
  FatalError: "FATAL_ERROR",
} as const;
export type TransactionState = typeof TransactionState[keyof typeof TransactionState];

const S = TransactionState;

/**
 * Whether the state machine may move from `source` to `target` (Java's `isTransitionValid`).
 *
 * @example
 * ```ts
 * import { isTransitionValid, TransactionState } from "./transaction_manager.ts";
 * if (!isTransitionValid(TransactionState.Ready, TransactionState.InTransaction)) throw new Error();
 * if (isTransitionValid(TransactionState.Ready, TransactionState.CommittingTransaction)) throw new Error();
 * ```
 */
export function isTransitionValid(source: TransactionState, target: TransactionState): boolean {
  switch (target) {
    case S.Uninitialized:
      return source === S.Ready || source === S.AbortableError;
    case S.Initializing:
      return source === S.Uninitialized || source === S.AbortingTransaction;
    case S.Ready:
      return source === S.Initializing || source === S.CommittingTransaction ||
        source === S.AbortingTransaction;
    case S.InTransaction:
      return source === S.Ready;
    case S.CommittingTransaction:
      return source === S.InTransaction;
    case S.AbortingTransaction:
      return source === S.InTransaction || source === S.AbortableError;
    case S.AbortableError:
      return source === S.InTransaction || source === S.CommittingTransaction ||
        source === S.AbortableError || source === S.Initializing;
    case S.FatalError:
      return true;
  }
}

/** A producer id with its epoch: what every idempotent batch is stamped with. */
export interface ProducerIdAndEpoch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** Where the transaction manager's requests go (a `Cluster` provides it). */
export interface TransactionNetwork {
  /** Any open connection, or a new one to the first reachable broker. */
  anyConnection(): Promise<RequestChannel>;
}

/** Options of {@linkcode TransactionManager}. */
export interface TransactionManagerOptions {
  /** False: the producer needs no producer id (no sequences, no InitProducerId). */
  idempotent: boolean;
  /** The first wait before retrying InitProducerId (`retry.backoff.ms`). */
  retryBackoffMs: number;
  /** The cap of that wait (`retry.backoff.max.ms`). */
  retryBackoffMaxMs: number;
  /** Where state changes are logged. */
  logger: Logger;
}

/** The largest producer epoch: one more bump needs a new producer id. */
const MAX_EPOCH = 32767;

/**
 * The producer's identity and its state machine, for every producer (Java's
 * `TransactionManager`): the producer id and epoch (InitProducerId), the next sequence number
 * of each partition, epoch bumps after sequence trouble, and the fatal error that ends all
 * producing. The sender asks it for the identity and sequences when it drains batches, and
 * reports what needs a bump; nothing here calls back into the sender or the producer: every
 * asynchronous step returns a promise the caller waits on.
 *
 * Invariants: `producerIdAndEpoch` is defined only in Ready (and the transactional states);
 * sequences are those of the current identity: every change of identity starts every partition
 * at 0 again, so a batch numbered under an older identity is renumbered when next drained;
 * once in FatalError, the state never changes again.
 *
 * @example An idempotence-off producer needs no id and is ready at once
 * ```ts
 * import { TransactionManager, TransactionState } from "./transaction_manager.ts";
 * import { Cluster } from "../broker/cluster.ts";
 * import { silentLogger } from "../config/logger.ts";
 * const cluster = new Cluster({
 *   bootstrapServers: "127.0.0.1:9092",
 *   connection: { clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 10000 },
 *   reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, metadataMaxAgeMs: 300000,
 * });
 * const manager = new TransactionManager(cluster, {
 *   idempotent: false, retryBackoffMs: 100, retryBackoffMaxMs: 1000, logger: silentLogger,
 * });
 * if (manager.state !== TransactionState.Ready || manager.ensureProducerId() !== undefined) throw new Error();
 * await cluster.close();
 * ```
 */
export class TransactionManager {
  readonly #network: TransactionNetwork;
  readonly #options: TransactionManagerOptions;
  readonly #backoff: ExponentialBackoff;
  #state: TransactionState;
  #identity: ProducerIdAndEpoch | undefined;
  /** InitProducerId in progress (a first id or a bump), shared by every caller. */
  #initializing: Promise<void> | undefined;
  #epochBumpRequired = false;
  #fatalError: KafkaError | undefined;
  #closed = false;
  /** Topic → the next sequence number of each partition under the current identity. */
  readonly #sequences = new Map<string, number[]>();

  /**
   * @param network Where InitProducerId goes (any broker).
   * @param options Idempotence, backoff and logging.
   */
  constructor(network: TransactionNetwork, options: TransactionManagerOptions) {
    this.#network = network;
    this.#options = options;
    this.#backoff = new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMaxMs);
    this.#state = options.idempotent ? S.Uninitialized : S.Ready;
  }

  /** The current state. */
  get state(): TransactionState {
    return this.#state;
  }

  /** True when batches carry a producer id, epoch and sequences. */
  get idempotent(): boolean {
    return this.#options.idempotent;
  }

  /** The current producer id and epoch, or undefined while none is held. */
  get producerIdAndEpoch(): ProducerIdAndEpoch | undefined {
    return this.#identity;
  }

  /** The error that ended all producing (FatalError), if any. */
  get fatalError(): KafkaError | undefined {
    return this.#fatalError;
  }

  /** True once a sequence problem asked for a new epoch, until `bumpEpoch()` got one. */
  get epochBumpRequired(): boolean {
    return this.#epochBumpRequired;
  }

  /**
   * Starts getting a producer id unless one is held or being fetched (InitProducerId to any
   * broker, retried with backoff; a refusal is fatal).
   *
   * @returns A promise that settles (never rejects) once the attempt ended — check
   * `producerIdAndEpoch` and `fatalError` then; undefined when there is nothing to wait for
   * (an id is held, idempotence is off, or the producer failed for good).
   */
  ensureProducerId(): Promise<void> | undefined {
    if (!this.#options.idempotent || this.#identity !== undefined) return undefined;
    if (this.#fatalError !== undefined || this.#closed) return undefined;
    this.#initializing ??= this.#initProducerId(undefined);
    return this.#initializing;
  }

  /** Asks for an epoch bump: `bumpEpoch()` once every in-flight request has come back. */
  requestEpochBump(): void {
    if (this.#options.idempotent) this.#epochBumpRequired = true;
  }

  /**
   * Bumps the epoch (InitProducerId with the current id and epoch, KIP-360; a broker that
   * refuses gives a new producer id instead). Every partition's sequence starts at 0 again.
   * The caller must have nothing in flight.
   *
   * @returns A promise that settles (never rejects) when done or failed for good.
   */
  bumpEpoch(): Promise<void> {
    if (this.#initializing !== undefined) return this.#initializing;
    if (this.#fatalError !== undefined || this.#closed) return Promise.resolve();
    const current = this.#identity;
    this.#identity = undefined;
    if (this.#state === S.Ready) this.#transitionTo(S.Uninitialized);
    this.#initializing = this.#initProducerId(current);
    return this.#initializing;
  }

  /**
   * Takes `recordCount` sequence numbers of a partition for a batch drained under the current
   * identity (wrapping at 2^31 as Kafka's do).
   *
   * @returns The batch's base sequence.
   */
  takeSequence(topic: string, partition: number, recordCount: number): number {
    let next = this.#sequences.get(topic);
    if (next === undefined) {
      next = [];
      this.#sequences.set(topic, next);
    }
    const base = next[partition] ?? 0;
    next[partition] = (base + recordCount) % 0x80000000;
    return base;
  }

  /**
   * True when a batch stamped with this producer id, epoch and base sequence was numbered
   * under the current identity: its sequence numbers count on the broker (a gap there would
   * make the broker refuse what follows).
   */
  hasCurrentSequence(producerId: bigint, producerEpoch: number, baseSequence: number): boolean {
    const identity = this.#identity;
    return baseSequence >= 0 && identity !== undefined && identity.producerId === producerId &&
      identity.producerEpoch === producerEpoch;
  }

  /**
   * Enters FatalError with `error` (the first fatal error sticks): the producer can only be
   * closed. Whoever drains batches fails them with `fatalError`.
   */
  transitionToFatalError(error: KafkaError): void {
    if (this.#fatalError !== undefined) return;
    this.#fatalError = error;
    this.#transitionTo(S.FatalError);
  }

  /** Stops retrying (the producer is closing). */
  close(): void {
    this.#closed = true;
  }

  #transitionTo(target: TransactionState): void {
    if (!isTransitionValid(this.#state, target)) {
      throw new Error(`Invalid transition attempted from state ${this.#state} to ${target}`);
    }
    this.#state = target;
  }

  /** InitProducerId to any broker; with `current` (v3+) it bumps that producer's epoch. */
  async #initProducerId(current: ProducerIdAndEpoch | undefined): Promise<void> {
    const logger = this.#options.logger;
    this.#transitionTo(S.Initializing);
    let failures = 0;
    try {
      while (!this.#closed && this.#fatalError === undefined) {
        try {
          const connection = await this.#network.anyConnection();
          const version = connection.versionFor(InitProducerIdApi);
          const bump = current !== undefined && version >= 3 && current.producerEpoch < MAX_EPOCH;
          const response = await connection.send(InitProducerIdApi, {
            transactionalId: null,
            transactionTimeoutMs: 2147483647,
            producerId: bump ? current!.producerId : -1n,
            producerEpoch: bump ? current!.producerEpoch : -1,
          });
          if (response === undefined) throw new Error("InitProducerId returned no response");
          if (response.errorCode !== 0) {
            throw BrokerError.fromCode(response.errorCode, null, "InitProducerId");
          }
          this.#identity = {
            producerId: response.producerId,
            producerEpoch: response.producerEpoch,
          };
          // A new identity: every partition's sequences start at 0 again.
          this.#sequences.clear();
          this.#epochBumpRequired = false;
          this.#transitionTo(S.Ready);
          logger.debug("Producer id assigned", {
            producerId: String(response.producerId),
            producerEpoch: response.producerEpoch,
          });
          return;
        } catch (error) {
          if (error instanceof KafkaError && !error.retriable && error.code !== "CONNECTION") {
            if (current !== undefined) {
              // The broker would not bump this producer's epoch (older brokers, or librdkafka's
              // mock for non-transactional producers): a new producer id resets sequences too.
              logger.info("Epoch bump refused; requesting a new producer id", {
                error: error.message,
              });
              current = undefined;
              continue;
            }
            logger.error("InitProducerId failed", { error: error.message });
            this.transitionToFatalError(error);
            return;
          }
          failures++;
          await new Promise((resolve) => setTimeout(resolve, this.#backoff.backoff(failures)));
        }
      }
    } finally {
      this.#initializing = undefined;
    }
  }
}
