import type { Logger } from "../config/logger.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { ProducerClosedError } from "../errors/client_errors.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "../errors/transaction_errors.ts";
import { AddOffsetsToTxnApi } from "../protocol/add_offsets_to_txn.ts";
import { AddPartitionsToTxnApi } from "../protocol/add_partitions_to_txn.ts";
import { EndTxnApi } from "../protocol/end_txn.ts";
import { CoordinatorKeyType } from "../protocol/find_coordinator.ts";
import { InitProducerIdApi } from "../protocol/init_producer_id.ts";
import { TxnOffsetCommitApi, type TxnOffsetCommitTopic } from "../protocol/txn_offset_commit.ts";
import { ExponentialBackoff } from "../time/exponential_backoff.ts";
import {
  CoordinatorClient,
  type RetryOutcome,
  type TransactionNetwork,
} from "./coordinator_client.ts";
import {
  checkGroup,
  checkOffsets,
  type TransactionGroupMetadata,
  type TransactionOffset,
} from "./transaction_offsets.ts";

/**
 * The producer's states, as Java's `TransactionManager.State`. An idempotent-only producer
 * moves Uninitialized → Initializing → Ready (and back to Uninitialized to get a new producer
 * id or epoch); a transactional one then cycles Ready → InTransaction → CommittingTransaction
 * or AbortingTransaction → Ready, through AbortableError when a transaction must be aborted.
 * FatalError can be entered from anywhere and never left: the producer can only be closed.
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

/** Options of {@linkcode TransactionManager}. */
/**
 * What the transaction manager reads and stamps on a batch (a `ProducerBatch` is one): its
 * partition, size, and the producer id, epoch and base sequence it was numbered under
 * (`baseSequence` -1 until numbered).
 */
export interface SequencedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly recordCount: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/**
 * One partition's sequence numbers (Java's `TxnPartitionEntry`). Invariant: its batches are
 * numbered consecutively from 0 under `producerId`/`producerEpoch`, which is the producer's
 * identity or, for an idempotent-only producer after an epoch bump that other partitions
 * asked for, an older one: a partition moves to the new identity (at sequence 0) only once
 * none of its batches numbered under the old one is incomplete, so the broker never sees the
 * new epoch before the old epoch's batches are settled, and a batch whose outcome is unknown
 * is never numbered again (a duplicate if the broker had written it).
 */
interface PartitionSequences {
  producerId: bigint;
  producerEpoch: number;
  /** The base sequence of the next batch numbered. */
  next: number;
  /** The last sequence the broker acknowledged under this identity; -1 before the first. */
  lastAcked: number;
  /**
   * A batch numbered here failed for good after a request whose outcome is unknown: whether
   * its sequences exist on the broker is known only once every batch numbered here is
   * settled (then `lastAcked + 1 === next`, or a gap, which needs an epoch bump).
   */
  unresolved: boolean;
  /** An epoch bump is requested for this partition: it restarts at 0 with the new identity. */
  bumpRequested: boolean;
}

/** Sequence numbers are 31-bit and wrap to 0 (Kafka's `DefaultRecordBatch.incrementSequence`). */
const SEQUENCE_MODULUS = 0x80000000;

/** True when `sequence` directly follows the partition's last acknowledged one. */
function isNextSequence(entry: PartitionSequences, sequence: number): boolean {
  return sequence === (entry.lastAcked + 1) % SEQUENCE_MODULUS;
}

export interface TransactionManagerOptions {
  /** False: the producer needs no producer id (no sequences, no InitProducerId). */
  idempotent: boolean;
  /** The transactional id (`transactional.id`), or null for no transactions. @default null */
  transactionalId?: string | null | undefined;
  /** How long the coordinator lets a transaction stay open (`transaction.timeout.ms`). */
  transactionTimeoutMs?: number | undefined;
  /** The first wait before retrying a request (`retry.backoff.ms`). */
  retryBackoffMs: number;
  /** The cap of that wait (`retry.backoff.max.ms`). */
  retryBackoffMaxMs: number;
  /** Where state changes are logged. */
  logger: Logger;
}

/** The largest producer epoch: one more bump needs a new producer id. */
const MAX_EPOCH = 32767;
/** Kafka's last Produce version before transactions v2 (KIP-890): partitions join by request. */
export const LAST_PRODUCE_VERSION_BEFORE_TRANSACTIONS_V2 = 11;
const LAST_END_TXN_VERSION_BEFORE_TRANSACTIONS_V2 = 4;
const LAST_TXN_OFFSET_COMMIT_VERSION_BEFORE_TRANSACTIONS_V2 = 4;
/** TxnOffsetCommit v6 names topics by id; sluice names them (it may not know the ids). */
const LAST_TXN_OFFSET_COMMIT_VERSION_BY_NAME = 5;
/** AddPartitionsToTxn v4+ is the broker-to-broker form. */
const LAST_CLIENT_ADD_PARTITIONS_VERSION = 3;
/** The first AddPartitionsToTxn of a transaction retries faster while the last one ends. */
const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

/**
 * The producer's identity and state machine, for every producer (Java's
 * `TransactionManager`): the producer id and epoch (InitProducerId), the next sequence number
 * of each partition, epoch bumps after sequence trouble, the fatal error that ends all
 * producing, and, with a `transactionalId`, transactions: the coordinator, the partitions and
 * offsets in the open transaction, and ending it. With transactions v2 (KIP-890, the cluster's
 * finalized `transaction.version` >= 2) partitions join through Produce (v12+) and offsets
 * through TxnOffsetCommit v5, and EndTxn v5 returns the epoch of the next transaction;
 * otherwise AddPartitionsToTxn and AddOffsetsToTxn come first, with Produce <= v11.
 *
 * The sender asks it for the identity, sequences and which partitions may be sent; nothing
 * here calls back into the sender or the producer: every asynchronous step returns a promise
 * the caller waits on. Transactional requests go one at a time, to the coordinator (found with
 * FindCoordinator and again when it moves), retried with backoff on retriable answers.
 *
 * Invariants: `producerIdAndEpoch` is defined only in Ready and the transactional states;
 * sequences are those of the current identity: every change of identity starts every partition
 * at 0 again, so a batch numbered under an older identity is renumbered when next drained;
 * once in FatalError, the state never changes again; a misuse (a transactional call in the
 * wrong state) throws a `TransactionStateError` and changes nothing.
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
  readonly #transactionalId: string | null;
  #state: TransactionState;
  #identity: ProducerIdAndEpoch | undefined;
  /** InitProducerId in progress (a first id or a bump), shared by every caller. */
  #initializing: Promise<void> | undefined;
  #epochBumpRequired = false;
  #fatalError: KafkaError | undefined;
  /** Why the open transaction must be aborted (AbortableError). */
  #abortableError: KafkaError | undefined;
  #closed = false;
  /** Topic → each partition's sequence state (see `PartitionSequences`). */
  readonly #sequences = new Map<string, PartitionSequences[]>();
  // ---- transactions ----
  /** Transactional requests to the coordinators, found and retried. */
  readonly #coordinators: CoordinatorClient;
  /** Transactions v2 for the open (or next) transaction; decided at init and at begin. */
  #transactionV2 = false;
  /** Every partition of the open transaction, added or waiting to be (topic → partitions). */
  readonly #partitions = new Map<string, Set<number>>();
  /** Transactions v1: partitions the coordinator has confirmed (AddPartitionsToTxn). */
  readonly #addedPartitions = new Map<string, Set<number>>();
  /** Transactions v1: partitions still to add, in order. */
  #newPartitions: Array<{ topic: string; partition: number }> = [];
  #adding: Promise<void> | undefined;
  /** True once the coordinator knows of the open transaction (a partition or offsets). */
  #transactionStarted = false;
  /** Transactions v1: the epoch must be bumped when the transaction ends (KIP-360). */
  #bumpAfterTransaction = false;
  /** Counts transactions begun; a record accepted in one must not land in the next. */
  #generation = 0;
  /** Serializes transactional requests (one in flight at a time, as Java's). */
  #requests: Promise<unknown> = Promise.resolve();
  // Cache of the last topic looked up by maybeAddPartition (records come in runs of a topic).
  #lastTopic: string | undefined;
  #lastPartitions: Set<number> | undefined;

  /**
   * @param network Where requests go: any broker, or the coordinator.
   * @param options Idempotence, the transactional id, backoff and logging.
   */
  constructor(network: TransactionNetwork, options: TransactionManagerOptions) {
    this.#network = network;
    this.#options = options;
    this.#transactionalId = options.transactionalId ?? null;
    this.#backoff = new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMaxMs);
    this.#coordinators = new CoordinatorClient(network, this.#backoff, options.logger);
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

  /** The transactional id, or null. */
  get transactionalId(): string | null {
    return this.#transactionalId;
  }

  /** True when the producer has a transactional id. */
  get transactional(): boolean {
    return this.#transactionalId !== null;
  }

  /**
   * True while the open transaction uses transactions v2 (KIP-890): partitions join through
   * Produce v12+, offsets through TxnOffsetCommit v5+, EndTxn v5 bumps the epoch.
   */
  get transactionV2(): boolean {
    return this.#transactionV2;
  }

  /** The current producer id and epoch, or undefined while none is held. */
  get producerIdAndEpoch(): ProducerIdAndEpoch | undefined {
    return this.#identity;
  }

  /** The error that ended all producing (FatalError), if any. */
  get fatalError(): KafkaError | undefined {
    return this.#fatalError;
  }

  /** Why the open transaction must be aborted (AbortableError), if it must. */
  get abortableError(): KafkaError | undefined {
    return this.#state === S.AbortableError ? this.#abortableError : undefined;
  }

  /** True while a transaction is being aborted (its queued batches are dropped). */
  get aborting(): boolean {
    return this.#state === S.AbortingTransaction;
  }

  /** Counts transactions begun: a record accepted under one generation belongs to it. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * True while the transaction begun as `generation` is open (or committing, when records
   * accepted before the commit still join it).
   */
  isOpenTransaction(generation: number): boolean {
    return generation === this.#generation &&
      (this.#state === S.InTransaction || this.#state === S.CommittingTransaction);
  }

  /**
   * True once an idempotent-only producer's sequence problem asked for a new epoch, until
   * `bumpEpoch()` got one. (A transactional producer bumps when the transaction ends.)
   */
  get epochBumpRequired(): boolean {
    return this.#epochBumpRequired;
  }

  /**
   * Starts getting a producer id unless one is held or being fetched (InitProducerId to any
   * broker, retried with backoff; a refusal is fatal). A transactional producer gets its id
   * from `initTransactions()` only.
   *
   * @returns A promise that settles (never rejects) once the attempt ended — check
   * `producerIdAndEpoch` and `fatalError` then; undefined when there is nothing to wait for
   * (an id is held, idempotence is off, transactions, or the producer failed for good).
   */
  ensureProducerId(): Promise<void> | undefined {
    if (!this.#options.idempotent || this.#identity !== undefined) return undefined;
    if (this.#fatalError !== undefined || this.#closed || this.transactional) return undefined;
    this.#initializing ??= this.#initIdempotentProducerId(undefined);
    return this.#initializing;
  }

  /**
   * Asks for an epoch bump because of a sequence problem on one partition. An idempotent-only
   * producer bumps once every in-flight request has come back (`bumpEpoch()`), and only this
   * partition (with any others that asked) restarts at sequence 0; a transactional one bumps
   * when its transaction ends, and every partition restarts.
   */
  requestEpochBumpFor(topic: string, partition: number): void {
    if (!this.#options.idempotent) return;
    if (this.transactional) {
      this.#bumpAfterTransaction = true;
      return;
    }
    this.#entry(topic, partition).bumpRequested = true;
    this.#epochBumpRequired = true;
  }

  /**
   * Bumps an idempotent-only producer's epoch (InitProducerId with the current id and epoch,
   * KIP-360; a broker that refuses gives a new producer id instead). The partitions that asked
   * (`requestEpochBumpFor`) restart at sequence 0 under the new identity; the others keep
   * their numbering and move over once their batches are settled (`mayNumber`). The caller
   * must have nothing in flight.
   *
   * @returns A promise that settles (never rejects) when done or failed for good.
   */
  bumpEpoch(): Promise<void> {
    if (this.#initializing !== undefined) return this.#initializing;
    if (this.#fatalError !== undefined || this.#closed) return Promise.resolve();
    const current = this.#identity;
    this.#identity = undefined;
    if (this.#state === S.Ready) this.#transitionTo(S.Uninitialized);
    this.#initializing = this.#initIdempotentProducerId(current);
    return this.#initializing;
  }

  /**
   * Makes a batch about to be drained carry valid sequence numbers, and says whether it may
   * go now. A batch numbered under its partition's identity keeps its numbers (a retry: the
   * broker deduplicates it). A batch numbered under an identity its partition left (an epoch
   * bump for this partition, or a transaction's new epoch) is numbered again, in queue order.
   * A batch not numbered yet is numbered once its partition is on the current identity; a
   * partition still on an older one (or with unresolved sequences) moves when
   * `partitionInFlight` is 0 (the caller only asks for the first batch of a partition, so
   * then none of its batches is incomplete).
   *
   * @param batch The first batch of its partition's queue.
   * @param partitionInFlight How many of the partition's batches are in flight.
   * @returns false when the batch must wait (an answer, or an epoch bump this asked for).
   */
  mayNumber(batch: SequencedBatch, partitionInFlight: number): boolean {
    const identity = this.#identity;
    if (identity === undefined) return false;
    const entry = this.#entry(batch.topic, batch.partition);
    if (batch.baseSequence >= 0) {
      if (batch.producerId === entry.producerId && batch.producerEpoch === entry.producerEpoch) {
        return true;
      }
      this.#number(batch, entry);
      return true;
    }
    const stale = entry.producerId !== identity.producerId ||
      entry.producerEpoch !== identity.producerEpoch;
    if (stale || entry.unresolved) {
      if (partitionInFlight > 0) return false;
      if (stale) {
        this.#reset(entry, identity);
      } else {
        entry.unresolved = false;
        if (!isNextSequence(entry, entry.next)) {
          // Every batch numbered here is settled and some never reached the broker: the
          // sequences have a gap only a new epoch closes (Java's maybeResolveSequences).
          this.requestEpochBumpFor(batch.topic, batch.partition);
          return false;
        }
      }
    }
    this.#number(batch, entry);
    return true;
  }

  /** Notes that the broker acknowledged (or already had) a batch. */
  batchAcknowledged(batch: SequencedBatch): void {
    if (!this.hasCurrentSequence(batch)) return;
    const entry = this.#entry(batch.topic, batch.partition);
    entry.lastAcked = (batch.baseSequence + batch.recordCount - 1) % SEQUENCE_MODULUS;
  }

  /**
   * Notes that a numbered batch failed for good. Its sequences leave a gap unless the broker
   * wrote it after all: an idempotent-only producer bumps this partition's epoch when it
   * cannot have been written (the broker answered with an error), and otherwise
   * (`mayHaveBeenWritten`: a request without an answer) leaves the sequences unresolved until
   * the partition's other batches settle. (A transactional producer aborts instead.)
   */
  batchFailed(batch: SequencedBatch, mayHaveBeenWritten: boolean): void {
    if (this.transactional || !this.hasCurrentSequence(batch)) return;
    if (mayHaveBeenWritten) this.#entry(batch.topic, batch.partition).unresolved = true;
    else this.requestEpochBumpFor(batch.topic, batch.partition);
  }

  /**
   * Decides whether a sequence error on an idempotent-only producer's batch needs an epoch
   * bump for its partition (the batch is retried either way), as Java's `canRetry`:
   * OUT_OF_ORDER_SEQUENCE_NUMBER only when the batch is the next after the last acknowledged
   * one (otherwise an earlier batch is not written yet and will be retried first);
   * UNKNOWN_PRODUCER_ID unless the broker did not know the log start offset (-1: retry);
   * INVALID_PRODUCER_EPOCH always.
   */
  sequenceErrorNeedsBump(batch: SequencedBatch, code: string, logStartOffset: bigint): boolean {
    if (!this.hasCurrentSequence(batch)) return false; // numbered again when drained
    if (code === "OUT_OF_ORDER_SEQUENCE_NUMBER") {
      return isNextSequence(this.#entry(batch.topic, batch.partition), batch.baseSequence);
    }
    if (code === "UNKNOWN_PRODUCER_ID") return logStartOffset !== -1n;
    return true;
  }

  /**
   * True when a batch's sequence numbers count on the broker under its partition's identity
   * (a gap there would make the broker refuse what follows).
   */
  hasCurrentSequence(batch: SequencedBatch): boolean {
    if (batch.baseSequence < 0 || this.#identity === undefined) return false;
    const entry = this.#sequences.get(batch.topic)?.[batch.partition];
    return entry !== undefined && entry.producerId === batch.producerId &&
      entry.producerEpoch === batch.producerEpoch;
  }

  /** The partition's sequence state, on the current identity when new. */
  #entry(topic: string, partition: number): PartitionSequences {
    let entries = this.#sequences.get(topic);
    if (entries === undefined) {
      entries = [];
      this.#sequences.set(topic, entries);
    }
    let entry = entries[partition];
    if (entry === undefined) {
      const identity = this.#identity;
      entry = {
        producerId: identity?.producerId ?? -1n,
        producerEpoch: identity?.producerEpoch ?? -1,
        next: 0,
        lastAcked: -1,
        unresolved: false,
        bumpRequested: false,
      };
      entries[partition] = entry;
    }
    return entry;
  }

  #reset(entry: PartitionSequences, identity: ProducerIdAndEpoch): void {
    entry.producerId = identity.producerId;
    entry.producerEpoch = identity.producerEpoch;
    entry.next = 0;
    entry.lastAcked = -1;
    entry.unresolved = false;
    entry.bumpRequested = false;
  }

  /** Numbers a batch with the partition's next sequences, under the partition's identity. */
  #number(batch: SequencedBatch, entry: PartitionSequences): void {
    batch.producerId = entry.producerId;
    batch.producerEpoch = entry.producerEpoch;
    batch.baseSequence = entry.next;
    entry.next = (entry.next + batch.recordCount) % SEQUENCE_MODULUS;
  }

  /**
   * Enters FatalError with `error` (the first fatal error sticks): the producer can only be
   * closed. Whoever drains batches fails them with `fatalError`.
   */
  transitionToFatalError(error: KafkaError): void {
    if (this.#fatalError !== undefined) return;
    this.#fatalError = error;
    this.#state = S.FatalError;
    this.#coordinators.stop(error);
  }

  /** Stops retrying (the producer is closing): pending transactional calls reject. */
  close(): void {
    this.#closed = true;
    this.#coordinators.stop(
      new ProducerClosedError("Cannot finish the request: the producer is closed"),
    );
  }

  // ---- transactions: the application's calls ------------------------------------------------

  /**
   * Gets the transactional producer's id (InitProducerId to the coordinator): fences any
   * older producer with the same transactional id and aborts what it left open. Java's
   * `initTransactions()`.
   *
   * @throws {TransactionStateError} Without a transactional id, or when already initialized.
   * @throws {ProducerFencedError} When a newer producer took over meanwhile.
   * @throws {KafkaError} What the coordinator refused (e.g. INVALID_TRANSACTION_TIMEOUT).
   */
  initTransactions(): Promise<void> {
    const transactionalId = this.#ensureTransactional("initTransactions()");
    if (this.#fatalError !== undefined) return Promise.reject(this.#fatalError);
    if (this.#state === S.Initializing && this.#initializing !== undefined) {
      return this.#initializing;
    }
    if (this.#state !== S.Uninitialized) {
      return Promise.reject(
        new TransactionStateError(
          `Cannot call initTransactions() for transactionalId "${transactionalId}": it was already called (state ${this.#state})`,
        ),
      );
    }
    this.#transitionTo(S.Initializing);
    this.#initializing = this.#serialized(() => this.#initTransactional(undefined)).finally(
      () => this.#initializing = undefined,
    );
    return this.#initializing;
  }

  /**
   * Opens a transaction (Java's `beginTransaction()`): records sent from now on belong to it.
   *
   * @throws {TransactionStateError} Without a transactional id, before `initTransactions()`,
   * or while a transaction is open or ending.
   * @throws {KafkaError} The fatal error, once the producer failed for good.
   */
  beginTransaction(): void {
    const transactionalId = this.#ensureTransactional("beginTransaction()");
    if (this.#fatalError !== undefined) throw this.#fatalError;
    if (this.#state !== S.Ready) {
      throw new TransactionStateError(
        this.#state === S.Uninitialized || this.#state === S.Initializing
          ? `Cannot begin a transaction for transactionalId "${transactionalId}" before initTransactions() completed`
          : this.#state === S.AbortableError
          ? `Cannot begin a transaction for transactionalId "${transactionalId}": the open one must be aborted first (abortTransaction())`
          : `Cannot begin a transaction for transactionalId "${transactionalId}": one is already open (state ${this.#state}); commit or abort it first`,
      );
    }
    this.#transitionTo(S.InTransaction);
    this.#generation++;
    // As Java: the transaction version is decided when a transaction starts, never during one.
    this.#transactionV2 = this.#coordinators.transactionVersion >= 2;
  }

  /**
   * Throws unless records may be sent now: a transactional producer only inside a
   * transaction.
   *
   * @throws {TransactionStateError} Outside a transaction (or before `initTransactions()`).
   * @throws {TransactionAbortableError} When the open transaction must be aborted first.
   * @throws {KafkaError} The fatal error.
   */
  checkSendAllowed(): void {
    if (this.#transactionalId === null) return;
    if (this.#state !== S.InTransaction) throw this.#sendRefusal();
  }

  /**
   * Records that a record is being appended to `partition` of `topic` in the open transaction
   * (Java's `maybeAddPartition`): with transactions v1 the partition is added to the
   * transaction (AddPartitionsToTxn) before its batches are sent; with v2 it joins through
   * Produce. Called for every record of a transactional producer, cheaply.
   *
   * @throws {TransactionStateError} Outside a transaction.
   * @throws {TransactionAbortableError} When the open transaction must be aborted first.
   * @throws {KafkaError} The fatal error.
   */
  maybeAddPartition(topic: string, partition: number): void {
    // A record accepted before commitTransaction() may still be waiting for metadata or
    // buffer space when the commit starts: the commit waits for it, so it still joins.
    if (this.#state !== S.InTransaction && this.#state !== S.CommittingTransaction) {
      throw this.#state === S.AbortingTransaction
        ? new TransactionAbortedError(
          `The record to "${topic}" was not sent: its transaction was aborted while the record waited for metadata or buffer space`,
        )
        : this.#sendRefusal();
    }
    let partitions: Set<number> | undefined;
    if (topic === this.#lastTopic) partitions = this.#lastPartitions!;
    else {
      partitions = this.#partitions.get(topic);
      if (partitions === undefined) {
        partitions = new Set();
        this.#partitions.set(topic, partitions);
      }
      this.#lastTopic = topic;
      this.#lastPartitions = partitions;
    }
    if (partitions.has(partition)) return;
    partitions.add(partition);
    if (this.#transactionV2) this.#transactionStarted = true;
    else this.#newPartitions.push({ topic, partition });
  }

  /**
   * True when the sender may send batches of this partition now: always without
   * transactions and with v2; with v1 once the coordinator confirmed the partition.
   */
  isSendToPartitionAllowed(topic: string, partition: number): boolean {
    if (this.#transactionalId === null || this.#transactionV2) return true;
    return this.#addedPartitions.get(topic)?.has(partition) ?? false;
  }

  /**
   * Transactions v1: adds the partitions that got records since the last call to the
   * transaction (AddPartitionsToTxn), unless a call is in flight.
   *
   * @returns A promise that settles (never rejects) when done, or undefined when there is
   * nothing to add.
   */
  addPartitionsToTransaction(): Promise<void> | undefined {
    if (this.#adding !== undefined) return this.#adding;
    if (
      this.#newPartitions.length === 0 ||
      (this.#state !== S.InTransaction && this.#state !== S.CommittingTransaction)
    ) return undefined;
    const partitions = this.#newPartitions;
    this.#newPartitions = [];
    this.#adding = this.#serialized(() => this.#addPartitions(partitions)).then(
      () => {},
      (error: unknown) => this.#recordFailure(error),
    ).finally(() => this.#adding = undefined);
    return this.#adding;
  }

  /**
   * A batch of the open transaction failed for good (Java's `handleFailedBatch`): fenced
   * producers and authorization failures are fatal; anything else makes the transaction
   * abortable. While aborting, failures are expected and change nothing.
   *
   * @param error Why the batch failed.
   * @param hadSequence True when its sequence numbers counted on the broker (a gap now).
   */
  handleFailedBatch(error: KafkaError, hadSequence: boolean): void {
    if (this.#transactionalId === null || this.#fatalError !== undefined) return;
    if (error.code === "PRODUCER_FENCED") {
      this.transitionToFatalError(new ProducerFencedError(this.#transactionalId, { cause: error }));
      return;
    }
    if (
      error.code === "TRANSACTIONAL_ID_AUTHORIZATION_FAILED" ||
      error.code === "CLUSTER_AUTHORIZATION_FAILED"
    ) {
      this.transitionToFatalError(error);
      return;
    }
    // INVALID_PRODUCER_EPOCH is abortable here, as in Java (KIP-588): the coordinator bumped
    // the epoch, because another producer took over (the abort then says PRODUCER_FENCED) or
    // because the transaction timed out (transactions v2 then abort and go on).
    if (hadSequence || error.code === "INVALID_PRODUCER_EPOCH") this.#bumpAfterTransaction = true;
    this.#toAbortable(error);
  }

  /**
   * Adds consumed offsets to the open transaction (Java's `sendOffsetsToTransaction`): they
   * become the group's committed offsets when the transaction commits, and never if it aborts.
   * v1: AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit (<= v4) to the
   * group coordinator; v2: TxnOffsetCommit v5 alone.
   *
   * @throws {TransactionStateError} Outside a transaction.
   * @throws {TypeError} For offsets or group metadata of the wrong shape.
   */
  sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    group: TransactionGroupMetadata,
  ): Promise<void> {
    const transactionalId = this.#ensureTransactional("sendOffsetsToTransaction()");
    const topics = checkOffsets(offsets);
    checkGroup(group);
    if (this.#fatalError !== undefined) return Promise.reject(this.#fatalError);
    if (this.#state !== S.InTransaction) return Promise.reject(this.#sendRefusal());
    if (topics.length === 0) return Promise.resolve();
    return this.#serialized(async () => {
      const identity = this.#identity!;
      if (!this.#transactionV2) {
        await this.#coordinators.request(
          "AddOffsetsToTxn",
          { type: CoordinatorKeyType.Transaction, key: transactionalId },
          AddOffsetsToTxnApi,
          undefined,
          () => ({
            transactionalId,
            producerId: identity.producerId,
            producerEpoch: identity.producerEpoch,
            groupId: group.groupId,
          }),
          (response) =>
            response.errorCode === 0
              ? { done: undefined }
              : this.#handleTransactionalError(response.errorCode, "AddOffsetsToTxn"),
        );
      }
      this.#transactionStarted = true;
      await this.#commitOffsets(transactionalId, identity, group, topics);
    }).catch((error: unknown) => {
      this.#recordFailure(error);
      throw error;
    });
  }

  /**
   * Starts a commit (Java's `beginCommit`): checks the state and moves to
   * CommittingTransaction. The caller then flushes the transaction's records and calls
   * `endTransaction()`.
   *
   * @throws {TransactionStateError} When no transaction is open.
   * @throws {TransactionAbortableError} When the transaction must be aborted instead.
   * @throws {KafkaError} The fatal error.
   */
  beginCommit(): void {
    const transactionalId = this.#ensureTransactional("commitTransaction()");
    if (this.#fatalError !== undefined) throw this.#fatalError;
    if (this.#state === S.AbortableError) throw this.#abortableRefusal("commit");
    if (this.#state !== S.InTransaction) {
      throw new TransactionStateError(
        `Cannot commit for transactionalId "${transactionalId}": no transaction is open (state ${this.#state}); call beginTransaction() first`,
      );
    }
    this.#transitionTo(S.CommittingTransaction);
  }

  /**
   * Starts an abort (Java's `beginAbort`): from an open transaction or an abortable error. The
   * caller then drops the queued batches, waits for those in flight and calls
   * `endTransaction()`.
   *
   * @throws {TransactionStateError} When no transaction is open.
   * @throws {KafkaError} The fatal error.
   */
  beginAbort(): void {
    const transactionalId = this.#ensureTransactional("abortTransaction()");
    if (this.#fatalError !== undefined) throw this.#fatalError;
    if (this.#state !== S.InTransaction && this.#state !== S.AbortableError) {
      throw new TransactionStateError(
        `Cannot abort for transactionalId "${transactionalId}": no transaction is open (state ${this.#state})`,
      );
    }
    this.#newPartitions = [];
    this.#transitionTo(S.AbortingTransaction);
  }

  /**
   * Ends the transaction begun with `beginCommit()` or `beginAbort()`, once its records are
   * all acknowledged or failed: EndTxn to the coordinator (skipped when the coordinator never
   * heard of the transaction), then, with transactions v2, the epoch EndTxn returns; with v1,
   * after an abort, an epoch bump when a sequence problem asked for one. The producer is Ready
   * again after.
   *
   * @throws {TransactionAbortableError} When a commit cannot happen (a record failed, the
   * transaction timed out on the coordinator): abort, then go on.
   * @throws {ProducerFencedError} When another producer took over (fatal).
   */
  endTransaction(): Promise<void> {
    const transactionalId = this.#transactionalId!;
    const committed = this.#state === S.CommittingTransaction;
    if (!committed && this.#state !== S.AbortingTransaction) {
      if (this.#fatalError !== undefined) return Promise.reject(this.#fatalError);
      if (this.#state === S.AbortableError) return Promise.reject(this.#abortableRefusal("commit"));
      return Promise.reject(
        new TransactionStateError(`Cannot end a transaction in state ${this.#state}`),
      );
    }
    return this.#serialized(async () => {
      if (this.#transactionStarted) {
        const identity = this.#identity!;
        const version = this.#transactionV2
          ? undefined
          : LAST_END_TXN_VERSION_BEFORE_TRANSACTIONS_V2;
        const next = await this.#coordinators.request(
          committed ? "EndTxn(commit)" : "EndTxn(abort)",
          { type: CoordinatorKeyType.Transaction, key: transactionalId },
          EndTxnApi,
          version,
          () => ({
            transactionalId,
            producerId: identity.producerId,
            producerEpoch: identity.producerEpoch,
            committed,
          }),
          (response, usedVersion) => {
            if (response.errorCode === 0) {
              return {
                done: usedVersion >= 5 && response.producerEpoch >= 0
                  ? { producerId: response.producerId, producerEpoch: response.producerEpoch }
                  : undefined,
              };
            }
            // Transactions v2: a transaction the coordinator aborted after its timeout can no
            // longer commit (INVALID_TXN_STATE); aborting it then succeeds with a new epoch.
            if (committed && this.#transactionV2 && response.errorCode === 48) {
              throw new TransactionAbortableError(
                `Cannot commit the transaction of transactionalId "${transactionalId}": the ` +
                  `coordinator already aborted it (did it stay open longer than ` +
                  `transactionTimeoutMs, ${this.#options.transactionTimeoutMs} ms?); abort it ` +
                  `(abortTransaction()) and go on`,
                { cause: BrokerError.fromCode(48, null, "EndTxn") },
              );
            }
            return this.#handleTransactionalError(response.errorCode, "EndTxn");
          },
        );
        if (next !== undefined) this.#setIdentity(next, "EndTxn");
      }
      if (
        !committed && this.#bumpAfterTransaction && !this.#transactionV2 &&
        this.#identity !== undefined
      ) {
        // v1: renumbering needs a new epoch (KIP-360); the coordinator keeps the transactional
        // id's state, so this is InitProducerId with the current id and epoch.
        this.#transitionTo(S.Initializing);
        await this.#initTransactional(this.#identity);
      } else this.#transitionTo(S.Ready);
      this.#completeTransaction();
      this.#options.logger.debug(committed ? "Transaction committed" : "Transaction aborted", {
        transactionalId,
      });
    }).catch((error: unknown) => {
      this.#recordFailure(error);
      throw this.#fatalError ?? error;
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  #transitionTo(target: TransactionState): void {
    if (this.#state === S.FatalError) throw this.#fatalError!;
    if (!isTransitionValid(this.#state, target)) {
      throw new TransactionStateError(
        `Invalid transition attempted from state ${this.#state} to ${target}`,
      );
    }
    this.#state = target;
  }

  #ensureTransactional(call: string): string {
    if (this.#transactionalId === null) {
      throw new TransactionStateError(
        `Cannot call ${call}: the producer has no transactionalId; set transactionalId (transactional.id) to use transactions`,
      );
    }
    return this.#transactionalId;
  }

  /** The error for a send (or offsets) outside an open transaction. */
  #sendRefusal(): Error {
    if (this.#fatalError !== undefined) return this.#fatalError;
    const id = this.#transactionalId;
    switch (this.#state) {
      case S.AbortableError:
        return this.#abortableRefusal("send");
      case S.Uninitialized:
      case S.Initializing:
        return new TransactionStateError(
          `Cannot send with transactionalId "${id}" before initTransactions() completed`,
        );
      case S.Ready:
        return new TransactionStateError(
          `Cannot send with transactionalId "${id}" outside a transaction: call beginTransaction() first`,
        );
      default:
        return new TransactionStateError(
          `Cannot send with transactionalId "${id}" while the transaction ends (state ${this.#state}): begin a new one after`,
        );
    }
  }

  #abortableRefusal(what: string): TransactionAbortableError {
    const cause = this.#abortableError;
    return new TransactionAbortableError(
      `Cannot ${what} in the transaction of transactionalId "${this.#transactionalId}": it must ` +
        `be aborted (abortTransaction()) because ${cause?.message ?? "an earlier call failed"}`,
      { cause },
    );
  }

  #toAbortable(error: KafkaError): void {
    if (this.#state === S.AbortingTransaction || this.#state === S.FatalError) return;
    if (!isTransitionValid(this.#state, S.AbortableError)) return; // between transactions
    this.#abortableError =
      error instanceof TransactionAbortableError && error.cause instanceof KafkaError
        ? error.cause
        : error;
    this.#state = S.AbortableError;
    this.#options.logger.info("The transaction must be aborted", {
      transactionalId: this.#transactionalId,
      error: error.message,
    });
  }

  /** Where a failed transactional call leaves the state: fatal or abortable. */
  #recordFailure(error: unknown): void {
    if (!(error instanceof KafkaError) || this.#fatalError !== undefined) return;
    if (error instanceof ProducerFencedError || error instanceof ProducerClosedError) {
      if (error instanceof ProducerFencedError) this.transitionToFatalError(error);
      return;
    }
    if (
      error instanceof BrokerError && !error.retriable &&
      error.code !== "GROUP_AUTHORIZATION_FAILED" && error.code !== "TRANSACTION_ABORTABLE"
    ) {
      // A coordinator lookup refused for good (FindCoordinator's errors come here as they
      // are; the request handlers map theirs): nothing transactional can go any more.
      this.transitionToFatalError(error);
    } else if (error instanceof TransactionAbortableError) this.#toAbortable(error);
    else if (this.#state === S.InTransaction || this.#state === S.CommittingTransaction) {
      this.#toAbortable(error);
    }
  }

  #completeTransaction(): void {
    this.#abortableError = undefined;
    this.#transactionStarted = false;
    this.#bumpAfterTransaction = false;
    this.#partitions.clear();
    this.#addedPartitions.clear();
    this.#newPartitions = [];
    this.#lastTopic = undefined;
    this.#lastPartitions = undefined;
  }

  /**
   * Takes a new identity. After an idempotent-only epoch bump (`bumped`) only the partitions
   * that asked restart at 0 now (the others move over in `mayNumber`); any other change of
   * identity (the first id, a transaction's new epoch) restarts every partition.
   */
  #setIdentity(identity: ProducerIdAndEpoch, from: string, bumped = false): void {
    const previous = this.#identity;
    this.#identity = identity;
    if (bumped) {
      for (const entries of this.#sequences.values()) {
        for (const entry of entries) {
          if (entry?.bumpRequested) this.#reset(entry, identity);
        }
      }
    } else if (
      previous === undefined || previous.producerId !== identity.producerId ||
      previous.producerEpoch !== identity.producerEpoch
    ) {
      this.#sequences.clear();
    }
    this.#options.logger.debug("Producer id assigned", {
      producerId: String(identity.producerId),
      producerEpoch: identity.producerEpoch,
      by: from,
    });
  }

  /** Runs transactional requests one after the other (Java sends one at a time). */
  #serialized<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#requests.then(run, run);
    this.#requests = result.catch(() => {});
    return result;
  }

  /**
   * Maps a transactional error code as Java's handlers do: retry (with the coordinator looked
   * up again when it moved), fenced (fatal), abortable, or fatal.
   */
  #handleTransactionalError(errorCode: number, context: string): RetryOutcome {
    const error = BrokerError.fromCode(errorCode, null, context);
    switch (error.code) {
      case "NOT_COORDINATOR":
      case "COORDINATOR_NOT_AVAILABLE":
        return { retry: true, findCoordinator: true };
      case "PRODUCER_FENCED":
      case "INVALID_PRODUCER_EPOCH":
        throw new ProducerFencedError(this.#transactionalId!, { cause: error });
      case "TRANSACTIONAL_ID_AUTHORIZATION_FAILED":
      case "INVALID_TXN_STATE":
      case "CLUSTER_AUTHORIZATION_FAILED":
        this.transitionToFatalError(error);
        throw error;
      case "UNKNOWN_PRODUCER_ID":
      case "INVALID_PRODUCER_ID_MAPPING":
        this.#bumpAfterTransaction = true;
        throw new TransactionAbortableError(`${context} failed: ${error.message}`, {
          cause: error,
        });
      case "TRANSACTION_ABORTABLE":
      case "GROUP_AUTHORIZATION_FAILED":
      case "TOPIC_AUTHORIZATION_FAILED":
        throw new TransactionAbortableError(`${context} failed: ${error.message}`, {
          cause: error,
        });
    }
    if (error.retriable) return { retry: true };
    this.transitionToFatalError(error);
    throw error;
  }

  /** Idempotent-only InitProducerId to any broker; with `current` (v3+) it bumps the epoch. */
  async #initIdempotentProducerId(current: ProducerIdAndEpoch | undefined): Promise<void> {
    const logger = this.#options.logger;
    this.#transitionTo(S.Initializing);
    // A bump renumbers only the partitions that asked, even when it ends with a new id.
    const bumping = current !== undefined;
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
          this.#setIdentity(
            { producerId: response.producerId, producerEpoch: response.producerEpoch },
            "InitProducerId",
            bumping,
          );
          this.#epochBumpRequired = false;
          this.#transitionTo(S.Ready);
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
          await sleep(this.#backoff.backoff(failures));
        }
      }
    } finally {
      this.#initializing = undefined;
    }
  }

  /**
   * Transactional InitProducerId to the coordinator: a first id (fencing older producers of
   * the transactional id), or with `current` an epoch bump (KIP-360, transactions v1).
   */
  async #initTransactional(current: ProducerIdAndEpoch | undefined): Promise<void> {
    const transactionalId = this.#transactionalId!;
    try {
      const response = await this.#coordinators.request(
        "InitProducerId",
        { type: CoordinatorKeyType.Transaction, key: transactionalId },
        InitProducerIdApi,
        undefined,
        () => ({
          transactionalId,
          transactionTimeoutMs: this.#options.transactionTimeoutMs ?? 60_000,
          producerId: current?.producerId ?? -1n,
          producerEpoch: current?.producerEpoch ?? -1,
        }),
        (response) => {
          if (response.errorCode === 0) return { done: response };
          const error = BrokerError.fromCode(response.errorCode, null, "InitProducerId");
          if (
            error.code === "TRANSACTIONAL_ID_AUTHORIZATION_FAILED" ||
            error.code === "CLUSTER_AUTHORIZATION_FAILED"
          ) {
            throw error; // may be granted later: initTransactions() can be called again
          }
          return this.#handleTransactionalError(response.errorCode, "InitProducerId");
        },
      );
      this.#setIdentity(
        { producerId: response.producerId, producerEpoch: response.producerEpoch },
        "InitProducerId",
      );
      this.#transitionTo(S.Ready);
      this.#transactionV2 = this.#coordinators.transactionVersion >= 2;
      this.#options.logger.info("Transactions initialized", {
        transactionalId,
        producerId: String(response.producerId),
        producerEpoch: response.producerEpoch,
        transactionVersion: this.#coordinators.transactionVersion,
      });
    } catch (error) {
      if (error instanceof ProducerFencedError) this.transitionToFatalError(error);
      else if (
        error instanceof BrokerError && this.#state === S.Initializing &&
        (error.code === "TRANSACTIONAL_ID_AUTHORIZATION_FAILED" ||
          error.code === "CLUSTER_AUTHORIZATION_FAILED")
      ) {
        this.#state = S.AbortableError;
        this.#transitionTo(S.Uninitialized);
      }
      throw error;
    }
  }

  /** Transactions v1: AddPartitionsToTxn for `partitions`, then they may be sent. */
  async #addPartitions(partitions: Array<{ topic: string; partition: number }>): Promise<void> {
    const transactionalId = this.#transactionalId!;
    const identity = this.#identity!;
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      const list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, [partition]);
      else list.push(partition);
    }
    const first = !this.#transactionStarted;
    await this.#coordinators.request(
      "AddPartitionsToTxn",
      { type: CoordinatorKeyType.Transaction, key: transactionalId },
      AddPartitionsToTxnApi,
      LAST_CLIENT_ADD_PARTITIONS_VERSION,
      () => ({
        transactionalId,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        topics: [...byTopic].map(([name, list]) => ({ name, partitions: list })),
      }),
      (response) => {
        for (const topic of response.resultsByTopic) {
          for (const result of topic.resultsByPartition) {
            const code = result.partitionErrorCode;
            if (code === 0) continue;
            if (code === 51) {
              // CONCURRENT_TRANSACTIONS: the previous transaction is still ending; the first
              // add of a transaction retries sooner (Java's ADD_PARTITIONS_RETRY_BACKOFF_MS).
              return first ? { retry: true, backoffMs: ADD_PARTITIONS_RETRY_BACKOFF_MS } : {
                retry: true,
              };
            }
            if (code === 55) continue; // OPERATION_NOT_ATTEMPTED: another partition failed
            return this.#handleTransactionalError(
              code,
              `AddPartitionsToTxn ${topic.name}-${result.partitionIndex}`,
            );
          }
        }
        return { done: undefined };
      },
    );
    for (const { topic, partition } of partitions) {
      let added = this.#addedPartitions.get(topic);
      if (added === undefined) {
        added = new Set();
        this.#addedPartitions.set(topic, added);
      }
      added.add(partition);
    }
    this.#transactionStarted = true;
  }

  /** TxnOffsetCommit to the group's coordinator (<= v4 with transactions v1, v5 with v2). */
  async #commitOffsets(
    transactionalId: string,
    identity: ProducerIdAndEpoch,
    group: TransactionGroupMetadata,
    topics: TxnOffsetCommitTopic[],
  ): Promise<void> {
    let pending = topics;
    await this.#coordinators.request(
      "TxnOffsetCommit",
      { type: CoordinatorKeyType.Group, key: group.groupId },
      TxnOffsetCommitApi,
      this.#transactionV2
        ? LAST_TXN_OFFSET_COMMIT_VERSION_BY_NAME
        : LAST_TXN_OFFSET_COMMIT_VERSION_BEFORE_TRANSACTIONS_V2,
      (version) => ({
        transactionalId,
        groupId: group.groupId,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        ...(version >= 3
          ? {
            generationIdOrMemberEpoch: group.generationId ?? -1,
            memberId: group.memberId ?? "",
            groupInstanceId: group.groupInstanceId ?? null,
          }
          : {}),
        topics: pending,
      }),
      (response) => {
        const retry: TxnOffsetCommitTopic[] = [];
        let findCoordinator = false;
        for (const topic of response.topics) {
          const sent = pending.find((t) => t.name === topic.name);
          for (const result of topic.partitions) {
            const code = result.errorCode;
            if (code === 0) continue;
            const error = BrokerError.fromCode(
              code,
              null,
              `TxnOffsetCommit ${topic.name}-${result.partitionIndex} for group "${group.groupId}"`,
            );
            if (code === 15 || code === 16 || code === 7) findCoordinator = true;
            else if (!error.retriable) {
              if (code === 22 || code === 25 || code === 82) {
                // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID: the consumer left
                // the group or was fenced; Java's CommitFailedException.
                throw new TransactionAbortableError(
                  `Cannot commit offsets for group "${group.groupId}": the group metadata does not match (${error.code}): ${error.message}`,
                  { cause: error },
                );
              }
              const outcome = this.#handleTransactionalError(code, error.message);
              findCoordinator ||= outcome.findCoordinator === true;
            }
            const partition = sent?.partitions.find((p) =>
              p.partitionIndex === result.partitionIndex
            );
            if (sent !== undefined && partition !== undefined) {
              let entry = retry.find((t) => t.name === sent.name);
              if (entry === undefined) {
                entry = { name: sent.name, partitions: [] };
                retry.push(entry);
              }
              entry.partitions.push(partition);
            }
          }
        }
        if (retry.length === 0) return { done: undefined };
        pending = retry;
        return { retry: true, findCoordinator };
      },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
