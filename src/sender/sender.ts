import { BatchState, type ProducerBatch } from "../accumulator/producer_batch.ts";
import type { PartitionQueue } from "../accumulator/partition_queue.ts";
import type { RecordAccumulator } from "../accumulator/record_accumulator.ts";
import { type Logger, silentLogger } from "../config/logger.ts";
import type { RequestChannel } from "../connection/request_channel.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { RecordError, TimeoutError, toKafkaError } from "../errors/client_errors.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import type { KafkaError } from "../errors/kafka_error.ts";
import {
  ProduceApi,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
} from "../protocol/produce.ts";
import type { ProducerStatsCollector } from "../delivery/producer_stats.ts";
import { ExponentialBackoff } from "../time/exponential_backoff.ts";
import { TransactionAbortedError } from "../errors/transaction_errors.ts";
import {
  LAST_PRODUCE_VERSION_BEFORE_TRANSACTIONS_V2,
  type TransactionManager,
} from "../transaction/transaction_manager.ts";

/**
 * A batch's records section compressed, with the codec's attribute bits.
 *
 * @example
 * ```ts
 * import type { CompressedRecords } from "./sender.ts";
 * const gzip: CompressedRecords = { attribute: 1, records: new Uint8Array([0x1f, 0x8b]) };
 * if (gzip.attribute !== 1) throw new Error();
 * ```
 */
export interface CompressedRecords {
  /** Kafka's codec id for the batch attributes (1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  attribute: number;
  /** The compressed records. */
  records: Uint8Array;
}

/**
 * What the sender reads from and asks of the cluster (a `Cluster` provides it): each
 * partition's leader and each topic's id, leader hints from Produce v10 answers, and
 * connections to brokers.
 */
export interface SenderCluster {
  /** The leader of a partition, or undefined when unknown. */
  leaderFor(topic: string, partition: number): number | undefined;
  /** The topic's metadata view; its `topicId` names the topic in Produce v13. */
  topicView(topic: string): { readonly topicId?: Uint8Array | undefined } | undefined;
  /** Applies a Produce v10 leader hint. */
  updateLeader(topic: string, partition: number, leaderId: number, leaderEpoch: number): void;
  /** The connection to a broker, opened when needed (with reconnect backoff). */
  connectionTo(nodeId: number): Promise<RequestChannel>;
}

/**
 * What the sender needs of the metadata refresh policy (a `ProducerMetadata` provides it):
 * fresh metadata when a leader is unknown or moved, and the final authentication failure.
 */
export interface SenderMetadata {
  /** Starts (or joins) a refresh; resolves after the next answer or failure. */
  requestUpdate(): Promise<void>;
  /** Records a refused authentication or TLS handshake; true when `error` was one. */
  authenticationFailed(error: unknown): boolean;
  /** Ends every wait for metadata with `error`. */
  stopWaiting(error: KafkaError): void;
  /** The refused authentication, once there was one. */
  readonly fatalError: KafkaError | undefined;
}

/** The sender's settings (resolved producer config). */
export interface SenderOptions {
  acks: number;
  lingerMs: number;
  requestTimeoutMs: number;
  maxRequestSize: number;
  maxInFlightRequestsPerConnection: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** How long after a failed connect the sender looks again (`reconnect.backoff.ms`). */
  reconnectBackoffMs: number;
  /** Where connection failures are logged. @default silentLogger */
  logger?: Logger | undefined;
  /** Where request and batch counters go (`producer.stats()`). */
  stats?: ProducerStatsCollector | undefined;
  /**
   * Compresses a batch's records section. May return a promise (compression on another
   * thread): the batch then waits, closed, and the partition's later batches wait behind it.
   */
  compress?: ((records: Uint8Array) => CompressedRecords | Promise<CompressedRecords>) | undefined;
}

/** Error codes after which the partition's leader may have moved: refresh metadata. */
const STALE_METADATA_CODES = new Set([
  "NOT_LEADER_OR_FOLLOWER",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "KAFKA_STORAGE_ERROR",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "NOT_ENOUGH_REPLICAS",
  "CONNECTION",
  "REQUEST_TIMEOUT",
  // Produce v13: the topic was deleted (and maybe re-created under a new id).
  "UNKNOWN_TOPIC_ID",
]);

/** Produce v13 names topics by id; up to v12 by name. */
const FIRST_PRODUCE_VERSION_WITH_TOPIC_IDS = 13;

/** Broker answers that mean the idempotent producer's sequence state must be rebuilt. */
const SEQUENCE_RESET_CODES = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
]);

/** The broker keeps the last 5 batches per partition for idempotent deduplication. */
const MAX_IDEMPOTENT_IN_FLIGHT_PER_PARTITION = 5;

/** One Produce request on the wire: the batches it carries and where it went. */
interface InFlightRequest {
  brokerId: number;
  batches: ProducerBatch[];
  /** The request's topics: v13 answers name them by the ids sent here. */
  topicData: ProduceRequest["topicData"];
  sentAt: number;
}

/**
 * Drains ready batches from the accumulator into one ProduceRequest per broker (one batch per
 * partition per request, as Kafka requires), keeps up to `maxInFlightRequestsPerConnection`
 * requests in flight per broker, and turns each partition's answer into completion, retry or
 * failure, reported to the accumulator (which settles the records).
 *
 * It uses only what sits below it, as Java's `Sender`: the accumulator (batches and their
 * outcomes), the transaction manager (producer id, epoch, sequences, the fatal error), the
 * metadata policy (refreshes) and the cluster (leaders, connections). Whatever it waits for
 * (a connection, a refresh, a producer id) is a promise after which it drains again.
 *
 * A batch is ready when it is full, has waited `lingerMs`, a flush or close is in progress,
 * or a `send()` caller waits on it while nothing at all is in flight (a lone awaited record
 * does not pay `lingerMs`). A retried batch waits for its backoff and, with idempotence, for
 * its partition to have nothing in flight, so records keep their order.
 *
 * Ordering invariant with idempotence: a partition's batches get consecutive sequence numbers
 * in queue order when first drained; failed batches go back to the queue in creation order and
 * keep their numbers (the broker deduplicates a retry of a batch it already wrote). A gap in a
 * partition's sequences (a batch the broker refused for good, or OUT_OF_ORDER_SEQUENCE_NUMBER
 * on the batch right after the last acknowledged one) stops draining until every request has
 * come back; then the epoch is bumped and that partition alone is renumbered from 0 in the
 * same order. Other partitions keep their numbers and move to the new epoch once none of
 * their batches is in flight, so a batch whose outcome is unknown is never renumbered (the
 * rules are in `TransactionManager.mayNumber` and `sequenceErrorNeedsBump`, after Java's).
 *
 * @example The sender is created by the producer
 * ```ts
 * import { Sender } from "./sender.ts";
 * if (typeof Sender !== "function") throw new Error("missing");
 * ```
 */
export class Sender {
  readonly #accumulator: RecordAccumulator;
  readonly #transactions: TransactionManager;
  readonly #metadata: SenderMetadata;
  readonly #cluster: SenderCluster;
  readonly #options: SenderOptions;
  readonly #logger: Logger;
  readonly #retryBackoff: ExponentialBackoff;
  readonly #inFlightByBroker = new Map<number, number>();
  /** Reused per drain: broker id → partitions with a ready batch for it. */
  readonly #readyByBroker = new Map<number, PartitionQueue[]>();
  readonly #connections = new Map<number, RequestChannel>();
  readonly #connecting = new Set<number>();
  #inFlightRequests = 0;
  #drainScheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  /** What the sender waits on before it can drain (a producer id, an epoch bump), if any. */
  #waitingOn: Promise<void> | undefined;
  /** The fatal error whose waiters were already stopped. */
  #fatalHandled: KafkaError | undefined;
  #closed = false;
  #compress: SenderOptions["compress"];
  readonly #stats: ProducerStatsCollector | undefined;
  /** True until the configured codec has loaded. */
  #waitingForCodec: boolean;

  /**
   * @param accumulator Where batches wait, and where their outcomes go.
   * @param transactions The producer id, epoch and sequences, and the fatal error.
   * @param metadata The refresh policy.
   * @param cluster Leaders, topic ids and connections.
   * @param options The resolved settings.
   */
  constructor(
    accumulator: RecordAccumulator,
    transactions: TransactionManager,
    metadata: SenderMetadata,
    cluster: SenderCluster,
    options: SenderOptions,
  ) {
    this.#accumulator = accumulator;
    this.#transactions = transactions;
    this.#metadata = metadata;
    this.#cluster = cluster;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#retryBackoff = new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMaxMs);
    this.#compress = options.compress;
    this.#stats = options.stats;
    this.#waitingForCodec = false;
  }

  /** Holds every batch until `setCompression()` (the producer calls it once its codec loaded). */
  awaitCompression(): void {
    this.#waitingForCodec = true;
  }

  /** Produce requests in flight, over all brokers. */
  get inFlightRequests(): number {
    return this.#inFlightRequests;
  }

  /** Produce requests in flight per broker id. */
  get inFlightByBroker(): ReadonlyMap<number, number> {
    return this.#inFlightByBroker;
  }

  /** Turns compression on (the codec loads asynchronously; nothing is sent before). */
  setCompression(
    compress: (records: Uint8Array) => CompressedRecords | Promise<CompressedRecords>,
  ): void {
    this.#compress = compress;
    this.#waitingForCodec = false;
    this.wake();
  }

  /** Stops timers; batches still pending are the accumulator's to fail. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connections.clear(); // the cluster's pool closes them
  }

  /** Schedules a drain at the end of the current task (many appends, one drain). */
  wake(): void {
    if (this.#drainScheduled || this.#closed) return;
    this.#drainScheduled = true;
    queueMicrotask(() => {
      this.#drainScheduled = false;
      this.#drain();
    });
  }

  /** Drains again once `pending` settles (one subscription per promise). */
  #wakeAfter(pending: Promise<void> | undefined): void {
    if (pending === undefined || pending === this.#waitingOn) return;
    this.#waitingOn = pending;
    pending.then(() => {
      if (this.#waitingOn === pending) this.#waitingOn = undefined;
      this.wake();
    });
  }

  /**
   * A fatal error (the transaction manager's, or a refused authentication): every pending
   * record fails with it, records waiting for buffer space or metadata first (the bytes the
   * failed batches free must not let one in), and nothing is sent any more.
   */
  #failFatally(fatal: KafkaError): void {
    if (this.#fatalHandled !== fatal) {
      this.#fatalHandled = fatal;
      this.#accumulator.budget?.rejectWaiters(fatal);
      this.#metadata.stopWaiting(fatal);
    }
    this.#accumulator.abortIncompleteBatches(fatal);
  }

  #drain(): void {
    if (this.#closed) return;
    const transactions = this.#transactions;
    const fatal = transactions.fatalError ?? this.#metadata.fatalError;
    if (fatal !== undefined) return this.#failFatally(fatal);
    if (this.#waitingForCodec) return;
    if (transactions.epochBumpRequired) {
      // Nothing new goes out until every in-flight answer is in; then renumber.
      if (this.#inFlightRequests === 0) this.#wakeAfter(transactions.bumpEpoch());
      return;
    }
    const options = this.#options;
    const idempotent = transactions.idempotent;
    const transactional = transactions.transactional;
    if (idempotent && transactions.producerIdAndEpoch === undefined) {
      return this.#wakeAfter(transactions.ensureProducerId());
    }
    if (transactional) {
      // A transaction that must abort (or is aborting) sends nothing more: what is queued
      // fails at once; what is in flight finishes (Java's abortUndrainedBatches).
      const abortable = transactions.abortableError;
      if (abortable !== undefined || transactions.aborting) {
        this.#accumulator.abortUndrainedBatches(
          new TransactionAbortedError(
            abortable === undefined
              ? "The record was not sent: its transaction was aborted"
              : `The record was not sent: its transaction must abort: ${abortable.message}`,
            { cause: abortable },
          ),
        );
      }
      // Transactions v1: partitions join before their batches go (AddPartitionsToTxn).
      this.#wakeAfter(transactions.addPartitionsToTransaction());
    }
    const now = Date.now();
    let nextWake = Infinity;
    let needMetadata = false;
    const readyByBroker = this.#readyByBroker;
    for (const list of readyByBroker.values()) list.length = 0;

    const active = this.#accumulator.active;
    for (let i = 0; i < active.length; i++) {
      const queue = active[i]!;
      this.#expire(queue, now);
      const batch = queue.first;
      if (batch === undefined) continue;
      if (batch.attempts > 0) {
        if (now < batch.retryAtMs) {
          if (batch.retryAtMs < nextWake) nextWake = batch.retryAtMs;
          continue;
        }
        if (idempotent && queue.inFlight > 0) continue; // woken by the answer
      } else if (!this.#isReady(queue, batch, now)) {
        const due = batch.createdMs + options.lingerMs;
        if (due < nextWake) nextWake = due;
        continue;
      }
      if (transactional && !transactions.isSendToPartitionAllowed(queue.topic, queue.partition)) {
        continue; // woken once the partition joined the transaction
      }
      const leader = this.#cluster.leaderFor(queue.topic, queue.partition);
      if (leader === undefined || leader < 0) {
        needMetadata = true;
        continue;
      }
      let list = readyByBroker.get(leader);
      if (list === undefined) {
        list = [];
        readyByBroker.set(leader, list);
      }
      list.push(queue);
    }

    for (const [brokerId, queues] of readyByBroker) {
      if (queues.length === 0) continue;
      const connection = this.#connectionFor(brokerId);
      if (connection === undefined) continue; // woken once connected
      while (
        (this.#inFlightByBroker.get(brokerId) ?? 0) < options.maxInFlightRequestsPerConnection
      ) {
        const batches = this.#takeBatches(queues, now, idempotent);
        if (batches.length === 0) break;
        this.#sendRequest(brokerId, connection, batches);
      }
    }
    this.#accumulator.compactActive();
    if (needMetadata) this.#requestMetadataUpdate();
    this.#armTimer(nextWake, now);
  }

  #isReady(queue: PartitionQueue, batch: ProducerBatch, now: number): boolean {
    return batch.state !== BatchState.Open || queue.batches.length > 1 ||
      now - batch.createdMs >= this.#options.lingerMs || this.#accumulator.flushInProgress ||
      (batch.awaited && this.#inFlightRequests === 0);
  }

  /** Fails queued batches whose delivery timeout has passed. */
  #expire(queue: PartitionQueue, now: number): void {
    while (queue.batches.length > 0) {
      const batch = queue.batches[0]!;
      if (now < batch.deadlineMs) return;
      queue.batches.shift();
      this.#failBatch(batch, this.#deliveryTimeout(batch, now));
    }
  }

  #deliveryTimeout(batch: ProducerBatch, now: number): TimeoutError {
    const cause = batch.lastError;
    const why = cause instanceof Error ? `: last error: ${cause.message}` : "";
    return new TimeoutError(
      `Delivery of ${batch.recordCount} record(s) to ${batch.topic}-${batch.partition} timed out after ` +
        `${now - batch.createdMs} ms (deliveryTimeoutMs) after ${batch.attempts} attempt(s)${why}`,
      "DELIVERY_TIMEOUT",
      false,
      cause,
    );
  }

  /**
   * Takes at most one ready batch per partition for one request, up to `maxRequestSize`.
   * Partitions whose next batch is not ready yet are skipped.
   */
  #takeBatches(queues: PartitionQueue[], now: number, idempotent: boolean): ProducerBatch[] {
    const options = this.#options;
    const taken: ProducerBatch[] = [];
    let size = 0;
    for (const queue of queues) {
      const batch = queue.first;
      if (batch === undefined) continue;
      if (batch.recordCount === 0) {
        // The accumulator never queues an empty batch; should one appear all the same, it has
        // nothing to deliver (a batch without records cannot be encoded): it is done.
        queue.batches.shift();
        this.#accumulator.complete(batch, -1n, -1n);
        continue;
      }
      if (
        batch.attempts > 0
          ? now < batch.retryAtMs || (idempotent && queue.inFlight > 0)
          : !this.#isReady(queue, batch, now)
      ) continue;
      if (idempotent && queue.inFlight >= MAX_IDEMPOTENT_IN_FLIGHT_PER_PARTITION) continue;
      // maxRequestSize counts what goes on the wire: compress first (once; retries reuse it).
      if (this.#compress !== undefined && batch.compressed === undefined) {
        if (batch.compressing) continue; // woken when done
        const compressed = this.#compress(batch.writer.recordsView());
        if (compressed instanceof Promise) {
          this.#compressInBackground(queue, batch, compressed);
          continue;
        }
        batch.compressed = compressed;
      }
      const batchSize = batch.compressed === undefined
        ? batch.sizeInBytes
        : 61 + batch.compressed.records.length;
      if (taken.length > 0 && size + batchSize > options.maxRequestSize) break;
      // Numbered when first drained (or again after its partition's epoch bump), in queue
      // order; a partition still settling batches of an older epoch waits.
      if (idempotent && !this.#transactions.mayNumber(batch, queue.inFlight)) continue;
      queue.batches.shift();
      size += batchSize;
      batch.markInFlight();
      batch.attempts++;
      queue.inFlight++;
      taken.push(batch);
    }
    return taken;
  }

  /**
   * Waits for a batch compressed on another thread (the main thread meanwhile encodes more
   * records): closed first, so nothing is appended to records being read. A failure fails
   * the batch for good (a codec error is not retriable).
   */
  #compressInBackground(
    queue: PartitionQueue,
    batch: ProducerBatch,
    compressed: Promise<CompressedRecords>,
  ): void {
    batch.close();
    batch.compressing = true;
    compressed.then(
      (result) => {
        batch.compressing = false;
        batch.compressed = result;
        this.wake();
      },
      (error: unknown) => {
        batch.compressing = false;
        const index = queue.batches.indexOf(batch);
        if (index < 0) return; // already failed (closed, aborted or expired)
        queue.batches.splice(index, 1);
        this.#failBatch(
          batch,
          new RecordError(
            `Cannot compress a batch of ${batch.recordCount} record(s) for ${batch.topic}-${batch.partition}: ${
              describeThrown(error)
            }`,
            "SERIALIZATION",
            { cause: error },
          ),
        );
        this.wake();
      },
    );
  }

  #sendRequest(brokerId: number, connection: RequestChannel, batches: ProducerBatch[]): void {
    const options = this.#options;
    const transactions = this.#transactions;
    const transactional = transactions.transactional;
    let version = connection.versionFor(ProduceApi);
    if (transactional && !transactions.transactionV2) {
      // Transactions v1: the partition was added by AddPartitionsToTxn; Produce v12+ would
      // ask the leader to add it (KIP-890), which the coordinator does not do under v1.
      version = Math.min(version, LAST_PRODUCE_VERSION_BEFORE_TRANSACTIONS_V2);
    }
    const topicData: ProduceRequest["topicData"] = [];
    let current: ProduceRequest["topicData"][number] | undefined;
    // Group by topic; batches of one topic are usually adjacent (queues are per topic).
    for (const batch of batches) {
      if (current === undefined || current.name !== batch.topic) {
        current = topicData.find((t) => t.name === batch.topic);
        if (current === undefined) {
          current = { name: batch.topic, partitionData: [] };
          if (version >= FIRST_PRODUCE_VERSION_WITH_TOPIC_IDS) {
            const topicId = this.#cluster.topicView(batch.topic)?.topicId;
            if (topicId === undefined) {
              // Metadata from a broker (or version) without topic ids: name it instead.
              version = FIRST_PRODUCE_VERSION_WITH_TOPIC_IDS - 1;
            } else current.topicId = topicId;
          }
          topicData.push(current);
        }
      }
      current.partitionData.push({
        index: batch.partition,
        records: batch.writer.finish({
          producerId: batch.producerId,
          producerEpoch: batch.producerEpoch,
          baseSequence: batch.baseSequence,
          isTransactional: transactional,
          ...(batch.compressed === undefined ? {} : { compression: batch.compressed }),
        }),
      });
    }
    const request: ProduceRequest = {
      transactionalId: transactions.transactionalId,
      acks: options.acks,
      timeoutMs: options.requestTimeoutMs,
      topicData,
    };
    const inFlight: InFlightRequest = { brokerId, batches, topicData, sentAt: performance.now() };
    if (this.#stats !== undefined) {
      let uncompressed = 0;
      let wire = 0;
      let records = 0;
      for (const batch of batches) {
        uncompressed += batch.sizeInBytes;
        wire += batch.compressed === undefined
          ? batch.sizeInBytes
          : 61 + batch.compressed.records.length;
        records += batch.recordCount;
      }
      this.#stats.requestSent(batches.length, uncompressed, wire, records);
    }
    this.#inFlightByBroker.set(brokerId, (this.#inFlightByBroker.get(brokerId) ?? 0) + 1);
    this.#inFlightRequests++;
    const expectResponse = options.acks !== 0;
    connection.send(ProduceApi, request, { version, expectResponse }).then(
      (response) => this.#onResponse(inFlight, response),
      (error) => this.#onRequestError(inFlight, error),
    );
  }

  #requestDone(inFlight: InFlightRequest): void {
    this.#inFlightByBroker.set(
      inFlight.brokerId,
      (this.#inFlightByBroker.get(inFlight.brokerId) ?? 1) - 1,
    );
    this.#inFlightRequests--;
    for (const batch of inFlight.batches) {
      this.#accumulator.queueFor(batch.topic, batch.partition).inFlight--;
    }
  }

  #onResponse(inFlight: InFlightRequest, response: ProduceResponse | undefined): void {
    this.#stats?.requestAnswered(performance.now() - inFlight.sentAt);
    this.#requestDone(inFlight);
    if (response === undefined) {
      // acks=0: written is all we will ever know.
      for (const batch of inFlight.batches) this.#accumulator.complete(batch, -1n, -1n);
    } else {
      for (const batch of inFlight.batches) {
        const partition = findPartition(response, inFlight.topicData, batch.topic, batch.partition);
        if (partition === undefined) {
          this.#onBatchError(
            batch,
            BrokerError.fromCode(
              -1,
              "the response did not mention this partition",
              `Produce to ${batch.topic}-${batch.partition}`,
            ),
            undefined,
          );
        } else if (partition.errorCode === 0) {
          this.#transactions.batchAcknowledged(batch);
          this.#accumulator.complete(batch, partition.baseOffset, partition.logAppendTimeMs);
        } else {
          const error = BrokerError.fromCode(
            partition.errorCode,
            partition.errorMessage,
            `Produce to ${batch.topic}-${batch.partition} on broker ${inFlight.brokerId}`,
          );
          this.#onBatchError(batch, error, partition);
        }
      }
    }
    this.wake();
  }

  #onRequestError(inFlight: InFlightRequest, error: unknown): void {
    this.#stats?.requestAnswered(performance.now() - inFlight.sentAt);
    this.#requestDone(inFlight);
    const kafkaError = error as KafkaError;
    for (const batch of inFlight.batches) {
      // The request may or may not have been written: with idempotence the broker drops a
      // duplicate; without it, a retry may duplicate (as in every Kafka client).
      batch.outcomeUnknown = true;
      this.#onBatchError(batch, kafkaError, undefined);
    }
    this.wake();
  }

  #onBatchError(
    batch: ProducerBatch,
    error: KafkaError,
    partition: ProducePartitionResponse | undefined,
  ): void {
    const options = this.#options;
    const accumulator = this.#accumulator;
    const transactions = this.#transactions;
    const idempotent = transactions.idempotent;
    const transactional = transactions.transactional;
    const now = Date.now();
    batch.lastError = error;
    if (this.#closed) {
      accumulator.fail(batch, error);
      return;
    }
    const code = error.code;
    this.#stats?.error(code);
    if (code === "DUPLICATE_SEQUENCE_NUMBER") {
      // The broker already has this batch (an earlier attempt was written): it is delivered.
      transactions.batchAcknowledged(batch);
      accumulator.complete(batch, -1n, -1n);
      return;
    }
    if (code === "MESSAGE_TOO_LARGE" || code === "RECORD_LIST_TOO_LARGE") {
      if (batch.recordCount > 1) {
        // The pieces keep the batch's sequence range, consecutively and first in the queue,
        // so no epoch bump is needed (as Java's split): batches after it that were in flight
        // come back OUT_OF_ORDER_SEQUENCE_NUMBER and are retried behind the pieces.
        accumulator.splitAndReenqueue(batch, new Map(), error);
        return;
      }
      // One record the broker will never take: nothing to split, and retrying cannot help. Its
      // sequence numbers were never written: renumber what follows, or the broker would see
      // a gap.
      const wireBytes = batch.compressed === undefined
        ? batch.sizeInBytes
        : 61 + batch.compressed.records.length;
      this.#failBatch(
        batch,
        new RecordError(
          `Cannot send a record to ${batch.topic}-${batch.partition}: the broker refused it as ` +
            `too large (${code}): as a batch it is ${wireBytes} bytes, more than the topic's ` +
            `max.message.bytes (or the broker's message.max.bytes) allows; raise that limit or ` +
            `send smaller records`,
          "RECORD_TOO_LARGE",
          { cause: error },
        ),
      );
      return;
    }
    if (
      partition !== undefined && partition.recordErrors.length > 0 &&
      batch.recordCount > partition.recordErrors.length
    ) {
      // Produce v8+: only the named records are invalid; the rest go again in a new batch.
      const failed = new Map<number, string>();
      for (const recordError of partition.recordErrors) {
        failed.set(recordError.batchIndex, recordError.batchIndexErrorMessage ?? error.message);
      }
      // The invalid records leave a gap in the batch's sequence range: the partition needs a
      // new epoch (an idempotent-only producer renumbers it; a transaction must abort).
      const numbered = transactions.hasCurrentSequence(batch);
      accumulator.splitAndReenqueue(batch, failed, error);
      if (numbered) transactions.requestEpochBumpFor(batch.topic, batch.partition);
      // A transaction with a failed record cannot commit.
      if (transactional) transactions.handleFailedBatch(error, false);
      return;
    }
    let sequenceProblem = idempotent && SEQUENCE_RESET_CODES.has(code);
    if (sequenceProblem && transactional) {
      // No epoch bump inside a transaction: a batch refused only because an earlier one of its
      // partition (a split piece, a retry) is not written yet is retried; any other sequence
      // problem fails the batch, and the transaction must abort (Java's canRetry).
      sequenceProblem = false;
      if (code !== "INVALID_PRODUCER_EPOCH" && this.#earlierBatchPending(batch)) {
        this.#retry(batch, error, partition, now);
        return;
      }
    }
    const retriable = error.retriable || sequenceProblem;
    if (!retriable) {
      this.#failBatch(batch, error);
      return;
    }
    if (now >= batch.deadlineMs) {
      this.#failBatch(batch, this.#deliveryTimeout(batch, now));
      return;
    }
    if (batch.attempts > options.retries) {
      this.#failBatch(batch, error);
      return;
    }
    if (
      sequenceProblem &&
      transactions.sequenceErrorNeedsBump(batch, code, partition?.logStartOffset ?? -1n)
    ) transactions.requestEpochBumpFor(batch.topic, batch.partition);
    this.#retry(batch, error, partition, now);
  }

  /** Queues a batch again after its backoff (and fresh metadata when its leader moved). */
  #retry(
    batch: ProducerBatch,
    error: KafkaError,
    partition: ProducePartitionResponse | undefined,
    now: number,
  ): void {
    if (STALE_METADATA_CODES.has(error.code)) {
      const leader = partition?.currentLeader;
      if (leader !== undefined && leader.leaderId >= 0) {
        this.#cluster.updateLeader(
          batch.topic,
          batch.partition,
          leader.leaderId,
          leader.leaderEpoch,
        );
      } else {
        this.#requestMetadataUpdate();
      }
    }
    batch.retryAtMs = now + this.#retryBackoff.backoff(batch.attempts);
    this.#stats?.retry();
    this.#accumulator.requeue(batch);
  }

  /** True when a batch created before this one in its partition is queued again. */
  #earlierBatchPending(batch: ProducerBatch): boolean {
    const first = this.#accumulator.queueFor(batch.topic, batch.partition).first;
    return first !== undefined && first.order < batch.order;
  }

  /**
   * Fails a batch for good; a transaction with a failed batch must abort. A numbered batch
   * leaves a gap in its partition's sequences unless the broker wrote it after all: the
   * transaction manager bumps the partition's epoch, or (when a request without an answer
   * may have written it) waits until the partition's other batches settled to know.
   */
  #failBatch(batch: ProducerBatch, error: KafkaError): void {
    const transactions = this.#transactions;
    const hadSequence = transactions.hasCurrentSequence(batch);
    this.#accumulator.fail(batch, error);
    if (hadSequence) transactions.batchFailed(batch, batch.outcomeUnknown);
    if (transactions.transactional) transactions.handleFailedBatch(error, hadSequence);
  }

  /** Asks for fresh metadata and drains again once it came (or failed). */
  #requestMetadataUpdate(): void {
    void this.#metadata.requestUpdate().then(() => this.wake());
  }

  /**
   * An open connection to a broker, or undefined after starting to open one (the sender
   * drains again once it is open, or `reconnectBackoffMs` after it failed).
   */
  #connectionFor(nodeId: number): RequestChannel | undefined {
    const connection = this.#connections.get(nodeId);
    if (connection !== undefined && connection.isOpen) return connection;
    if (connection !== undefined) this.#connections.delete(nodeId);
    if (this.#connecting.has(nodeId) || this.#closed) return undefined;
    this.#connecting.add(nodeId);
    this.#cluster.connectionTo(nodeId).then(
      (opened) => {
        this.#connecting.delete(nodeId);
        this.#connections.set(nodeId, opened);
        this.wake();
      },
      (error: unknown) => {
        this.#connecting.delete(nodeId);
        // A refused authentication or TLS handshake is final: the next drain fails everything.
        if (this.#metadata.authenticationFailed(error)) return this.wake();
        const failure = toKafkaError(error);
        this.#stats?.error(failure.code);
        this.#logger.warn("Connection to broker failed; retrying with backoff", {
          nodeId,
          error: describeThrown(error),
        });
        // Batches waiting for this broker carry the reason: should they time out without
        // ever being sent, their DELIVERY_TIMEOUT says why.
        for (const batch of this.#accumulator.queuedBatches()) {
          if (this.#cluster.leaderFor(batch.topic, batch.partition) === nodeId) {
            batch.lastError = failure;
          }
        }
        // The pool applies reconnect backoff; ask for metadata in case the broker moved.
        this.#requestMetadataUpdate();
        setTimeout(() => this.wake(), this.#options.reconnectBackoffMs);
      },
    );
    return undefined;
  }

  #armTimer(at: number, now: number): void {
    if (at === Infinity || this.#closed) return;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#drain();
    }, Math.max(0, at - now));
  }
}

function findPartition(
  response: ProduceResponse,
  sent: ProduceRequest["topicData"],
  topic: string,
  partition: number,
): ProducePartitionResponse | undefined {
  let topicId: Uint8Array | undefined;
  for (const topicResponse of response.responses) {
    if (topicResponse.name !== topic) {
      // v13+: the answer names topics by id only.
      if (topicResponse.topicId === undefined || topicResponse.name !== null) continue;
      topicId ??= sent.find((t) => t.name === topic)?.topicId;
      if (topicId === undefined || !sameUuid(topicId, topicResponse.topicId)) continue;
    }
    for (const partitionResponse of topicResponse.partitionResponses) {
      if (partitionResponse.index === partition) return partitionResponse;
    }
  }
  return undefined;
}

function sameUuid(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
