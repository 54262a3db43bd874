import type { KafkaError } from "../errors/kafka_error.ts";
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

/**
 * Where a record's outcome goes besides its own promise: `onSend`/`onAcknowledgement`
 * interceptors and `producer.deliveries` (the producer implements it). Called synchronously
 * while a batch completes; neither method may throw.
 */
export interface RecordOutcomeListener {
  /**
   * A record that carries its user form (`RecordCompletion.record`) was acknowledged
   * (`metadata`) or failed (`error`).
   */
  recordDone(
    record: ProducerRecord,
    metadata: RecordMetadata | undefined,
    error: KafkaError | undefined,
  ): void;
  /** Records without a completion (appended by the stream's fast path) failed with `error`. */
  unreportedFailure(error: KafkaError): void;
}

/**
 * The lifecycle of a batch: Open → Closed → InFlight → (Closed again on retry) → Done. Done is
 * final and is reached in one place only, {@linkcode ProducerBatch.done}.
 */
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
 * first drains the batch with idempotence on, then fixed for `producerId`/`producerEpoch` (a
 * batch whose identity is no longer the producer's, after an epoch bump, is renumbered when
 * drained again); `state` becomes Done once, in `done()`.
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
  #state: BatchState = BatchState.Open;
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

  /** Where the batch is in its lifecycle (changed only by the methods below). */
  get state(): BatchState {
    return this.#state;
  }

  /** No more records go in: the batch is full, being compressed, or a split piece. */
  close(): void {
    if (this.#state === BatchState.Open) this.#state = BatchState.Closed;
  }

  /** Drained into a Produce request. */
  markInFlight(): void {
    this.#state = BatchState.InFlight;
  }

  /** Back in its partition's queue after a retriable failure. */
  markRequeued(): void {
    if (this.#state !== BatchState.Done) this.#state = BatchState.Closed;
  }

  /**
   * The batch's final outcome, set here and nowhere else, once: every record's promise
   * settles (with its offset and timestamp, or with `error`) and `listener` hears about the
   * records that carry their user form. A later call (an answer arriving for a batch that was
   * already failed by close() or a timeout) changes nothing.
   *
   * @param baseOffset The first record's offset (-1n: unknown, e.g. acks=0 or a duplicate).
   * @param logAppendTimeMs The broker's LogAppendTime, -1n when the topic uses CreateTime.
   * @param error Why the batch failed; undefined when it was acknowledged.
   * @param listener Interceptors and deliveries, if any.
   * @returns True when this call completed the batch, false when it was already done.
   */
  done(
    baseOffset: bigint,
    logAppendTimeMs: bigint,
    error: KafkaError | undefined,
    listener: RecordOutcomeListener | undefined,
  ): boolean {
    if (this.#state === BatchState.Done) return false;
    this.#state = BatchState.Done;
    const completions = this.completions;
    if (completions === undefined) return true;
    if (error !== undefined) {
      for (const completion of completions) {
        completion.reject?.(error);
        if (completion.record !== undefined) {
          listener?.recordDone(completion.record, undefined, error);
        }
      }
      return true;
    }
    const useLogAppendTime = logAppendTimeMs >= 0n;
    const appendTime = useLogAppendTime ? Number(logAppendTimeMs) : 0;
    const offsetKnown = baseOffset >= 0n;
    // Offsets of consecutive records are one bigint addition each (completions are sorted by
    // index, and usually every record has one), not a conversion plus an addition.
    let offset = -1n;
    let offsetIndex = -2;
    for (let i = 0; i < completions.length; i++) {
      const completion = completions[i]!;
      if (offsetKnown) {
        const index = completion.index;
        offset = index === offsetIndex + 1 ? offset + 1n : baseOffset + BigInt(index);
        offsetIndex = index;
      }
      const metadata: RecordMetadata = {
        topic: this.topic,
        partition: this.partition,
        offset,
        timestamp: useLogAppendTime ? appendTime : completion.timestamp,
        serializedKeySize: completion.keySize,
        serializedValueSize: completion.valueSize,
      };
      completion.resolve?.(metadata);
      if (completion.record !== undefined) {
        listener?.recordDone(completion.record, metadata, undefined);
      }
    }
    return true;
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
