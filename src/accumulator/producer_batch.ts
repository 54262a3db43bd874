import type { RecordHeader } from "../protocol/record_batch.ts";
import { RecordBatchWriter } from "../protocol/record_batch.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";

/**
 * What the producer needs to report one record's outcome. Created only for records that
 * someone waits on (a `send()` promise, an `onAcknowledgement` interceptor or a reader of
 * `producer.deliveries`); records written through the stream fast path carry none.
 */
export interface RecordCompletion {
  /** The record's offset delta inside its batch. */
  index: number;
  timestamp: number;
  keySize: number;
  valueSize: number;
  /** The record as the user gave it (after `onSend` interceptors), when needed for reports. */
  record: ProducerRecord | undefined;
  resolve: ((metadata: RecordMetadata) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
}

/** The lifecycle of a batch. Transitions only move forward, except in flight → queued on retry. */
export const BatchState = {
  Open: 0,
  Closed: 1,
  InFlight: 2,
  Done: 3,
} as const;
export type BatchState = typeof BatchState[keyof typeof BatchState];

/**
 * One partition's batch of records, encoded straight into a RecordBatch v2 buffer as they are
 * appended. The batch owns `reservedBytes` of the producer's `bufferMemory` until it is done.
 *
 * Invariants: `writer.recordCount === number of appended records`; completions are sorted by
 * `index`; once `state` is not Open nothing is appended; `baseSequence` is -1 until the sender
 * first drains the batch with idempotence on, then fixed (unless the epoch is bumped).
 *
 * @example Append records and read the batch size
 * ```ts
 * import { ProducerBatch } from "./producer_batch.ts";
 * const batch = new ProducerBatch("events", 0, 1024, Date.now(), 120000);
 * batch.append(Date.now(), null, new TextEncoder().encode("hello"), undefined, 70, undefined);
 * if (batch.recordCount !== 1 || batch.sizeInBytes <= 61) throw new Error("not appended");
 * ```
 */
export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly writer: RecordBatchWriter;
  /** When the first record was appended (ms); `lingerMs` counts from here. */
  readonly createdMs: number;
  /**
   * Creation order within the partition: retried batches are requeued by it. A batch owns the
   * interval [order, order + orderWidth): the pieces it is split into divide that interval,
   * so pieces of pieces still sort before every batch created after the original.
   */
  readonly order: number;
  /** Width of this batch's order interval: 1 for a new batch, a fraction for a split piece. */
  orderWidth = 1;
  /** After this instant (ms) the batch fails with a delivery timeout. */
  readonly deadlineMs: number;
  state: BatchState = BatchState.Open;
  /** Bytes of `bufferMemory` this batch holds (the sum of its records' reservations). */
  reservedBytes = 0;
  completions: RecordCompletion[] | undefined;
  /** True when a `send()` caller waits on a record of this batch (latency matters). */
  awaited = false;
  /** Send attempts so far. */
  attempts = 0;
  /** Earliest instant (ms) of the next attempt, after a retriable failure. */
  retryAtMs = 0;
  /** True when an earlier attempt may or may not have been written (timeout, lost connection). */
  outcomeUnknown = false;
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** The compressed records section, made when first sent and reused by retries. */
  compressed: { attribute: number; records: Uint8Array } | undefined;
  /** True while the records are being compressed off the main thread (see the sender). */
  compressing = false;
  /** The last retriable error, reported as the cause if the batch finally times out. */
  lastError: unknown;

  /**
   * @param topic The topic.
   * @param partition The partition.
   * @param capacity Initial buffer capacity in bytes (the writer grows beyond it if needed).
   * @param nowMs The current time.
   * @param deliveryTimeoutMs How long the batch may take to be acknowledged.
   * @param order Creation order within the partition.
   * @param writer A reset writer from the accumulator's pool, if one is free.
   */
  constructor(
    topic: string,
    partition: number,
    capacity: number,
    nowMs: number,
    deliveryTimeoutMs: number,
    order = 0,
    writer?: RecordBatchWriter,
  ) {
    this.order = order;
    this.topic = topic;
    this.partition = partition;
    this.writer = writer ?? new RecordBatchWriter(capacity);
    this.createdMs = nowMs;
    this.deadlineMs = nowMs + deliveryTimeoutMs;
  }

  /** Records in the batch. */
  get recordCount(): number {
    return this.writer.recordCount;
  }

  /** Uncompressed size of the batch in bytes, header included. */
  get sizeInBytes(): number {
    return this.writer.sizeInBytes;
  }

  /**
   * Encodes one record into the batch.
   *
   * @param reservedBytes The bytes of `bufferMemory` reserved for it (moves to the batch).
   * @param completion Where to report its outcome, or undefined for fire-and-forget records.
   * @returns The record's offset delta in the batch.
   */
  append(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[] | undefined,
    reservedBytes: number,
    completion: RecordCompletion | undefined,
  ): number {
    const index = this.writer.recordCount;
    this.writer.append(timestamp, key, value, headers);
    this.reservedBytes += reservedBytes;
    if (completion !== undefined) {
      completion.index = index;
      if (completion.resolve !== undefined) this.awaited = true;
      (this.completions ??= []).push(completion);
    }
    return index;
  }
}
