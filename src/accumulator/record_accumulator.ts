import type { RecordHeader } from "../protocol/record_batch.ts";
import type { RecordBatchWriter } from "../protocol/record_batch.ts";
import { PartitionQueue } from "./partition_queue.ts";
import {
  BatchState,
  type ProducerBatch,
  ProducerBatch as Batch,
  type RecordCompletion,
} from "./producer_batch.ts";

/** The settings the accumulator needs. */
export interface AccumulatorOptions {
  /** Close a batch once adding the next record would take it past this many bytes. */
  batchSize: number;
  /** Fail a batch that is not acknowledged this long after its first record. */
  deliveryTimeoutMs: number;
  /** How many reset writers to keep for reuse (bufferMemory / batchSize is plenty). */
  poolSize: number;
  /** Called (synchronously) when a batch closes because it is full. */
  onBatchFull: () => void;
}

/**
 * Per-partition queues of batches. `append` encodes a record straight into the newest batch
 * of its partition, starting a new batch when the record would take it past `batchSize`
 * (a record larger than `batchSize` gets a batch of its own, as in Java). The sender takes
 * batches from the front of each queue.
 *
 * Invariants: a partition has at most one Open batch and it is the last one; every partition
 * with queued batches is listed in `active` exactly once; no queued batch is empty (a batch
 * is queued only once its first record is in, so a refused record leaves nothing behind).
 *
 * @example Append until a batch fills
 * ```ts
 * import { RecordAccumulator } from "./record_accumulator.ts";
 * let full = 0;
 * const accumulator = new RecordAccumulator({
 *   batchSize: 200, deliveryTimeoutMs: 120000, poolSize: 4, onBatchFull: () => full++,
 * });
 * const value = new Uint8Array(50);
 * for (let i = 0; i < 3; i++) accumulator.append("t", 0, Date.now(), null, value, undefined, 64, undefined, Date.now());
 * if (full !== 1 || accumulator.queueFor("t", 0).batches.length !== 2) throw new Error("no rollover");
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
  /** Partitions with queued batches, in no particular order. */
  readonly active: PartitionQueue[] = [];

  /** @param options Sizes, timeouts and the batch-full callback. */
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

  /** Every queue of a topic (sparse: partitions never appended to are missing). */
  queuesOf(topic: string): readonly (PartitionQueue | undefined)[] | undefined {
    return this.#queues.get(topic);
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
   * @returns The batch the record went into.
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
    const batch = new Batch(
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
    if (open !== undefined && open.state === BatchState.Open) {
      open.state = BatchState.Closed;
      this.#options.onBatchFull();
    }
    queue.batches.push(batch);
    if (!queue.active) {
      queue.active = true;
      this.active.push(queue);
    }
    return batch;
  }

  /**
   * Takes a finished batch's writer back for reuse, unless a request carrying it ended without
   * an answer (timeout, lost connection): requests write batches by reference, and a closing
   * connection may still be writing those bytes, so that writer is left to the collector.
   */
  recycle(batch: ProducerBatch): void {
    if (batch.outcomeUnknown) return;
    if (this.#pool.length < this.#options.poolSize) {
      batch.writer.reset();
      this.#pool.push(batch.writer);
    }
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
    batch.state = BatchState.Closed;
    queue.requeue(batch);
    if (!queue.active) {
      queue.active = true;
      this.active.push(queue);
    }
  }

  /** Every partition queue ever used, including empty ones. */
  *allQueues(): Generator<PartitionQueue> {
    for (const queues of this.#queues.values()) {
      for (const queue of queues) if (queue !== undefined) yield queue;
    }
  }

  /** Every queued batch (not in flight), for abort and expiry. */
  *queuedBatches(): Generator<ProducerBatch> {
    for (const queue of this.active) yield* queue.batches;
  }

  /** True when no batch is queued. */
  get isEmpty(): boolean {
    for (const queue of this.active) if (queue.batches.length > 0) return false;
    return true;
  }
}
