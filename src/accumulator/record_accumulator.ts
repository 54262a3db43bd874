import type { ProducerStatsCollector } from "../delivery/producer_stats.ts";
import { BrokerError } from "../errors/broker_error.ts";
import type { KafkaError } from "../errors/kafka_error.ts";
import type { RecordHeader } from "../protocol/record_batch.ts";
import { decodeRecordBatches, type RecordBatchWriter } from "../protocol/record_batch.ts";
import type { BufferBudget } from "./buffer_budget.ts";
import { PartitionQueue } from "./partition_queue.ts";
import {
  BatchState,
  ProducerBatch,
  type RecordCompletion,
  type RecordOutcomeListener,
} from "./producer_batch.ts";

/** The settings the accumulator needs. */
export interface AccumulatorOptions {
  /** Close a batch once adding the next record would take it past this many bytes. */
  batchSize: number;
  /** Fail a batch that is not acknowledged this long after its first record. */
  deliveryTimeoutMs: number;
  /** How many reset writers to keep for reuse (bufferMemory / batchSize is plenty). */
  poolSize: number;
  /**
   * The `bufferMemory` budget the producer reserves each record's bytes from before appending
   * it; a batch's bytes go back when it is done. @default none (nothing is released)
   */
  budget?: BufferBudget | undefined;
  /** Counts acknowledged and failed records (`producer.stats()`). @default none */
  stats?: ProducerStatsCollector | undefined;
  /** Hears about every record outcome besides its promise (interceptors, deliveries). */
  listener?: RecordOutcomeListener | undefined;
}

/** A `flush()` waiting for the batches that were incomplete when it was called. */
interface FlushWaiter {
  remaining: number;
  resolve: () => void;
}

/**
 * Per-partition queues of batches, and every batch's life until it is done. `append` encodes a
 * record straight into the newest batch of its partition, starting a new batch when the record
 * would take it past `batchSize` (a record larger than `batchSize` gets a batch of its own, as
 * in Java). The sender takes batches from the front of each queue and reports each batch's
 * outcome here: `complete`, `fail` or `splitAndReenqueue`; the accumulator then settles the
 * records (`ProducerBatch.done`), returns the batch's bytes to `bufferMemory`, wakes `flush()`
 * callers and recycles the batch's buffer.
 *
 * Invariants: a partition has at most one Open batch and it is the last one; every partition
 * with queued batches is listed in `active` exactly once; no queued batch is empty (a batch
 * is queued only once its first record is in, so a refused record leaves nothing behind);
 * every batch not yet done is in the incomplete set, from its first record until it is done or
 * replaced by its pieces.
 *
 * @example Append until a batch fills
 * ```ts
 * import { RecordAccumulator } from "./record_accumulator.ts";
 * const accumulator = new RecordAccumulator({ batchSize: 200, deliveryTimeoutMs: 120000, poolSize: 4 });
 * const value = new Uint8Array(50);
 * const batches = new Set();
 * for (let i = 0; i < 3; i++) batches.add(accumulator.append("t", 0, Date.now(), null, value, undefined, 64, undefined, Date.now()));
 * if (batches.size !== 2 || accumulator.queueFor("t", 0).batches.length !== 2) throw new Error("no rollover");
 * ```
 */
export class RecordAccumulator {
  readonly #options: AccumulatorOptions;
  readonly #queues = new Map<string, PartitionQueue[]>();
  // The last topic looked up: records mostly come in runs of one topic, and entries of
  // #queues are never removed, so this saves a Map lookup per record.
  #lastTopic: string | undefined;
  #lastQueues: PartitionQueue[] = [];
  readonly #pool: RecordBatchWriter[] = [];
  /** Batches with records not yet acknowledged or failed (queued or in flight). */
  readonly #incomplete = new Set<ProducerBatch>();
  readonly #flushWaiters = new Map<ProducerBatch, FlushWaiter[]>();
  #flushesInProgress = 0;
  /** Partitions with queued batches, in no particular order. */
  readonly active: PartitionQueue[] = [];

  /** @param options Sizes, timeouts, the byte budget and where outcomes are reported. */
  constructor(options: AccumulatorOptions) {
    this.#options = options;
  }

  /** The queue of a topic-partition, created on first use. */
  queueFor(topic: string, partition: number): PartitionQueue {
    let queues: PartitionQueue[] | undefined;
    if (topic === this.#lastTopic) queues = this.#lastQueues;
    else {
      queues = this.#queues.get(topic);
      if (queues === undefined) {
        queues = [];
        this.#queues.set(topic, queues);
      }
      this.#lastTopic = topic;
      this.#lastQueues = queues;
    }
    let queue = queues[partition];
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      queues[partition] = queue;
    }
    return queue;
  }

  /**
   * Batches waiting or in flight per partition of `topic`, for adaptive partitioning.
   *
   * @param topic The topic.
   * @param partitionCount How many partitions it has.
   * @returns One count per partition.
   */
  queueSizes(topic: string, partitionCount: number): number[] {
    const sizes = new Array<number>(partitionCount).fill(0);
    const queues = this.#queues.get(topic);
    if (queues !== undefined) {
      for (let p = 0; p < partitionCount; p++) {
        sizes[p] = (queues[p]?.batches.length ?? 0) + (queues[p]?.inFlight ?? 0);
      }
    }
    return sizes;
  }

  /**
   * Encodes a record into its partition's open batch.
   *
   * Atomic: when the record is refused (the batch writer throws, e.g. for a timestamp it
   * cannot encode), nothing changes: no batch is closed, created or queued.
   *
   * @param recordBytes The record's size upper bound; it is also what was reserved.
   * @param nowMs The time a new batch is created at (its linger and delivery clocks start).
   * @default nowMs the clock, read only when a batch is created
   * @returns The batch the record went into: a new one (its `recordCount` is 1) when the
   * partition's open batch was full or there was none; the sender then has work.
   */
  append(
    topic: string,
    partition: number,
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[] | undefined,
    recordBytes: number,
    completion: RecordCompletion | undefined,
    nowMs?: number,
  ): ProducerBatch {
    const queue = this.queueFor(topic, partition);
    const open = queue.last;
    if (
      open !== undefined && open.state === BatchState.Open &&
      (open.sizeInBytes + recordBytes <= this.#options.batchSize || open.recordCount === 0)
    ) {
      open.append(timestamp, key, value, headers, recordBytes, completion);
      return open;
    }
    // A new batch, queued (and the full one closed) only once the record is in it.
    const batch = new ProducerBatch(
      topic,
      partition,
      this.#options.batchSize,
      nowMs ?? Date.now(),
      this.#options.deliveryTimeoutMs,
      queue.nextOrder,
      this.#pool.pop(),
    );
    try {
      batch.append(timestamp, key, value, headers, recordBytes, completion);
    } catch (error) {
      // Nothing was written to the writer: keep it for the next batch.
      if (this.#pool.length < this.#options.poolSize) this.#pool.push(batch.writer);
      throw error;
    }
    queue.nextOrder++;
    open?.close();
    queue.batches.push(batch);
    this.#incomplete.add(batch);
    if (!queue.active) {
      queue.active = true;
      this.active.push(queue);
    }
    return batch;
  }

  /** Drops partitions without queued batches from `active` (call after draining). */
  compactActive(): void {
    let kept = 0;
    for (let i = 0; i < this.active.length; i++) {
      const queue = this.active[i]!;
      if (queue.batches.length > 0) this.active[kept++] = queue;
      else queue.active = false;
    }
    this.active.length = kept;
  }

  /** Puts a batch back at its place in its partition's queue (retry). */
  requeue(batch: ProducerBatch): void {
    const queue = this.queueFor(batch.topic, batch.partition);
    batch.markRequeued();
    queue.requeue(batch);
    if (!queue.active) {
      queue.active = true;
      this.active.push(queue);
    }
  }

  /** Every queued batch (not in flight), for abort and expiry. */
  *queuedBatches(): Generator<ProducerBatch> {
    for (const queue of this.active) yield* queue.batches;
  }

  /** The `bufferMemory` budget records reserve from, if one was given. */
  get budget(): BufferBudget | undefined {
    return this.#options.budget;
  }

  /** True when no batch is queued. */
  get isEmpty(): boolean {
    for (const queue of this.active) if (queue.batches.length > 0) return false;
    return true;
  }

  /** True while some batch is not done (queued or in flight). */
  get hasIncomplete(): boolean {
    return this.#incomplete.size > 0;
  }

  /** True while a `flush()` waits: every queued batch is then ready regardless of linger. */
  get flushInProgress(): boolean {
    return this.#flushesInProgress > 0;
  }

  /**
   * Resolves once every batch incomplete now is done (acknowledged, failed, or its pieces
   * are). Meanwhile `flushInProgress` is true; the caller wakes the sender.
   */
  flush(): Promise<void> {
    const batches = [...this.#incomplete];
    if (batches.length === 0) return Promise.resolve();
    this.#flushesInProgress++;
    return new Promise<void>((resolve) => {
      const waiter: FlushWaiter = { remaining: batches.length, resolve };
      for (const batch of batches) this.#addFlushWaiter(batch, waiter);
    }).finally(() => this.#flushesInProgress--);
  }

  /**
   * A batch was acknowledged: its records resolve (offsets from `baseOffset`), its bytes go
   * back to `bufferMemory`. Nothing happens when the batch was already done.
   *
   * @param baseOffset The offset of its first record (-1n when unknown).
   * @param logAppendTimeMs The broker's LogAppendTime, or -1n.
   */
  complete(batch: ProducerBatch, baseOffset: bigint, logAppendTimeMs: bigint): void {
    if (!batch.done(baseOffset, logAppendTimeMs, undefined, this.#options.listener)) return;
    this.#options.stats?.recordsAcknowledged(batch.recordCount);
    this.#deallocate(batch);
  }

  /**
   * A batch failed for good: its records reject with `error`. Nothing happens when the batch
   * was already done.
   */
  fail(batch: ProducerBatch, error: KafkaError): void {
    const listener = this.#options.listener;
    if (!batch.done(-1n, -1n, error, listener)) return;
    this.#options.stats?.recordsFailed(batch.recordCount);
    const completions = batch.completions;
    if (completions === undefined || completions.length < batch.recordCount) {
      listener?.unreportedFailure(error); // some records came from the stream fast path
    }
    this.#deallocate(batch);
  }

  /**
   * Fails every queued batch (not in flight): an aborting transaction drops what it has not
   * sent yet (Java's `abortUndrainedBatches`). Batches in flight finish on their own.
   */
  abortUndrainedBatches(error: KafkaError): void {
    if (this.active.length === 0) return;
    for (const queue of this.active) {
      while (queue.batches.length > 0) this.fail(queue.batches.shift()!, error);
    }
    this.compactActive();
  }

  /**
   * Fails every batch that is not done, queued or in flight (abort, close()'s timeout, a fatal
   * error): queued batches leave their queues, so none is sent after this.
   */
  abortIncompleteBatches(error: KafkaError): void {
    this.abortUndrainedBatches(error);
    for (const batch of [...this.#incomplete]) this.fail(batch, error);
  }

  /**
   * Rebuilds a rejected batch: without the records named in `failedIndexes` (which fail with
   * their broker message), and split in two when the broker found it too large
   * (`failedIndexes` empty). The new batches take the old one's place in its partition's
   * queue, keep its delivery deadline, attempts, producer id, epoch and (consecutively) its
   * sequence numbers and bytes of `bufferMemory`, and the flush waiters of the old one wait for
   * them instead.
   */
  splitAndReenqueue(
    batch: ProducerBatch,
    failedIndexes: ReadonlyMap<number, string>,
    error: KafkaError,
  ): void {
    const listener = this.#options.listener;
    const bytes = batch.writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
    const records = decodeRecordBatches(bytes, { verifyCrc: false })[0]!.records;
    const completionsByIndex = new Map<number, RecordCompletion>();
    for (const completion of batch.completions ?? []) {
      completionsByIndex.set(completion.index, completion);
    }
    const keep: number[] = [];
    for (let i = 0; i < records.length; i++) {
      if (!failedIndexes.has(i)) {
        keep.push(i);
        continue;
      }
      const recordError = new BrokerError(
        (error as BrokerError).errorCode ?? -1,
        `${error.message}: record ${i} of the batch: ${failedIndexes.get(i)}`,
        failedIndexes.get(i),
      );
      const completion = completionsByIndex.get(i);
      if (completion === undefined) listener?.unreportedFailure(recordError);
      else {
        completion.reject?.(recordError);
        if (completion.record !== undefined) {
          listener?.recordDone(completion.record, undefined, recordError);
        }
      }
    }
    // Too large: halve. Per-record errors: keep the rest together.
    const pieces = failedIndexes.size === 0 ? 2 : 1;
    const perPiece = Math.ceil(keep.length / pieces);
    const replacements: ProducerBatch[] = [];
    let reservedLeft = batch.reservedBytes;
    // The pieces keep the batch's identity and sequence range, consecutively (as Java's
    // ProducerBatch.split): a transaction cannot renumber before it ends.
    let sequence = batch.baseSequence;
    for (let piece = 0; piece < pieces && piece * perPiece < keep.length; piece++) {
      const indexes = keep.slice(piece * perPiece, (piece + 1) * perPiece);
      const replacement = new ProducerBatch(
        batch.topic,
        batch.partition,
        this.#options.batchSize,
        batch.createdMs,
        batch.deadlineMs - batch.createdMs,
        batch.order + piece * batch.orderWidth / pieces,
      );
      replacement.orderWidth = batch.orderWidth / pieces;
      for (const index of indexes) {
        const record = records[index]!;
        const share = Math.floor(
          batch.reservedBytes * indexes.length / Math.max(1, keep.length) / indexes.length,
        );
        replacement.append(
          record.timestamp,
          record.key,
          record.value,
          record.headers,
          share,
          completionsByIndex.get(index),
        );
        reservedLeft -= share;
      }
      replacement.close();
      if (sequence >= 0) {
        replacement.producerId = batch.producerId;
        replacement.producerEpoch = batch.producerEpoch;
        replacement.baseSequence = sequence;
        sequence = (sequence + replacement.recordCount) % 0x80000000;
      }
      replacement.attempts = batch.attempts;
      replacement.lastError = error;
      replacements.push(replacement);
    }
    if (replacements.length > 0) {
      replacements[replacements.length - 1]!.reservedBytes += reservedLeft;
    } else this.#options.budget?.release(reservedLeft);
    // The old batch's records now belong to its pieces (or failed above): it is done without
    // settling anything more.
    batch.reservedBytes = 0;
    batch.completions = undefined;
    batch.done(-1n, -1n, error, undefined);
    const waiters = this.#flushWaiters.get(batch);
    this.#flushWaiters.delete(batch);
    this.#incomplete.delete(batch);
    for (const replacement of replacements) {
      this.#incomplete.add(replacement);
      this.requeue(replacement);
      if (waiters !== undefined) {
        for (const waiter of waiters) this.#addFlushWaiter(replacement, waiter);
      }
    }
    if (waiters !== undefined) {
      for (const waiter of waiters) {
        waiter.remaining += replacements.length - 1;
        if (waiter.remaining === 0) waiter.resolve();
      }
    }
  }

  /**
   * The end of a done batch: its bytes back to `bufferMemory`, its flush waiters told, and its
   * writer back in the pool unless a request carrying it ended without an answer (timeout,
   * lost connection): requests write batches by reference, and a closing connection may still
   * be writing those bytes, so that writer is left to the collector.
   */
  #deallocate(batch: ProducerBatch): void {
    this.#options.budget?.release(batch.reservedBytes);
    batch.reservedBytes = 0;
    this.#incomplete.delete(batch);
    const waiters = this.#flushWaiters.get(batch);
    if (waiters !== undefined) {
      this.#flushWaiters.delete(batch);
      for (const waiter of waiters) if (--waiter.remaining === 0) waiter.resolve();
    }
    if (batch.outcomeUnknown) return;
    if (this.#pool.length < this.#options.poolSize) {
      batch.writer.reset();
      this.#pool.push(batch.writer);
    }
  }

  #addFlushWaiter(batch: ProducerBatch, waiter: FlushWaiter): void {
    const list = this.#flushWaiters.get(batch);
    if (list === undefined) this.#flushWaiters.set(batch, [waiter]);
    else list.push(waiter);
  }
}
