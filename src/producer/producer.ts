import { BufferBudget } from "../accumulator/buffer_budget.ts";
import type {
  ProducerBatch,
  RecordCompletion,
  RecordOutcomeListener,
} from "../accumulator/producer_batch.ts";
import { RecordAccumulator } from "../accumulator/record_accumulator.ts";
import { Cluster, type TopicView } from "../broker/cluster.ts";
import { ProducerMetadata } from "../broker/producer_metadata.ts";
import {
  type ProducerConfig,
  type ResolvedProducerConfig,
  resolveProducerConfig,
} from "../config/producer_config.ts";
import { connectionOptionsFrom } from "../connection/connection_options.ts";
import type { DeliveryReport } from "../delivery/delivery_report.ts";
import { type ProducerStats, ProducerStatsCollector } from "../delivery/producer_stats.ts";
import { StatsStreams } from "../delivery/stats_streams.ts";
import { ProducerClosedError, RecordError, TimeoutError } from "../errors/client_errors.ts";
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "../errors/transaction_errors.ts";
import type { KafkaError } from "../errors/kafka_error.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import { InterceptorChain } from "../interceptors/interceptor_chain.ts";
import { DefaultPartitioner } from "../partitioner/default_partitioner.ts";
import { callPartitioner } from "../partitioner/call_partitioner.ts";
import type { Partitioner } from "../partitioner/partitioner.ts";
import { loadCodec } from "../compression/codec_registry.ts";
import {
  encodedRecordSize,
  RECORD_BATCH_OVERHEAD,
  type RecordHeader,
  recordSizeUpperBound,
} from "../protocol/record_batch.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import { checkRecordTimestamp } from "../record/record_timestamp.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";
import { ownedCopy, type SerializedRecord } from "../record/serialized_record.ts";
import { createRecordSerializer } from "../serializer/serialize_record.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { Sender } from "../sender/sender.ts";
import { TransactionManager, TransactionState } from "../transaction/transaction_manager.ts";
import type {
  TransactionGroupMetadata,
  TransactionOffset,
} from "../transaction/transaction_offsets.ts";
import type { ProducerTransaction } from "./producer_transaction.ts";
import {
  transactionalWritable,
  type TransactionalWritableOptions,
} from "./transactional_writable.ts";
import { estimateChunkBytes, estimateSerializedBytes } from "./chunk_size.ts";

/** Options for `Producer.close()`. */
export interface CloseOptions {
  /**
   * How long to wait for queued and in-flight records to be acknowledged; every record still
   * pending then (waiting for metadata or buffer space, queued or in flight) fails with a
   * `ProducerClosedError`.
   * @default Infinity
   */
  timeoutMs?: number;
}

/** A chunk the writable stream accepts: one record, or an array of records (cheaper). */
export type ProducerChunk<K = unknown, V = unknown> =
  | ProducerRecord<K, V>
  | readonly ProducerRecord<K, V>[];

/**
 * The producer's stages as streams (see `Producer.stages()`): interceptors, serialization,
 * partitioning, and the sink into the accumulator.
 */
export interface ProducerStages<K, V> {
  /** Runs `onSend` interceptors; accepts single records or arrays, emits arrays. */
  intercept: TransformStream<ProducerChunk<K, V>, ProducerRecord<K, V>[]>;
  /** Validates and serializes records. */
  serialize: TransformStream<ProducerRecord<K, V>[], SerializedRecord[]>;
  /** Chooses each record's partition (waiting up to `maxBlockMs` for metadata). */
  partition: TransformStream<SerializedRecord[], SerializedRecord[]>;
  /** Appends to batches; backpressure is `bufferMemory`. */
  sink: WritableStream<SerializedRecord[]>;
}

const EMPTY_PARTITIONS: readonly number[] = [];

/**
 * Module-internal (not exported from mod.ts): the command line's path for records that are
 * bytes already. Appends `key`/`value` to `topic` (at `partition`, or the partitioner's
 * choice when -1) synchronously, skipping record objects, interceptors and serializers, and
 * returns true; or appends nothing and returns false when that cannot be done at once or
 * safely (no metadata yet, buffer full, record too large, interceptors, serializers, a custom
 * partitioner or `deliveries` in use, producer closed). The caller then sends the record
 * through `writable` and awaits it, which waits, or fails with the reason. A failure of a
 * record appended here errors the producer's current `writable`, as stream records do.
 * The bytes are copied into the batch before this returns.
 *
 * @example
 * ```ts
 * import { Producer, tryAppendBytes } from "./producer.ts";
 * const producer = new Producer<Uint8Array, Uint8Array>({ bootstrapServers: "127.0.0.1:9092" });
 * const writer = producer.writable.getWriter();
 * const value = new TextEncoder().encode("a line");
 * if (!tryAppendBytes(producer, "events", -1, null, value, Date.now())) {
 *   await writer.write([{ topic: "events", value }]); // e.g. no metadata yet: this waits for it
 * }
 * await writer.close();
 * await producer.close();
 * ```
 */
export let tryAppendBytes: (
  producer: Producer<Uint8Array, Uint8Array>,
  topic: string,
  partition: number,
  key: Uint8Array | null,
  value: Uint8Array,
  timestamp: number,
) => boolean; // assigned by Producer's static block, which can reach #tryAppendBytes

/** One topic's records waiting for its metadata (see `Producer.#drainMetadataQueue`). */
interface MetadataQueue {
  /** In arrival order; `[0, head)` are done. */
  records: QueuedRecord[];
  head: number;
}

/** A record in a `MetadataQueue`, with everything its append needs. */
interface QueuedRecord {
  /** The record's own copy. */
  serialized: SerializedRecord;
  /** Its size upper bound: what it reserves of `bufferMemory`. */
  size: number;
  completion: RecordCompletion | undefined;
  /** When it stops waiting (`maxBlockMs` after it was sent). */
  deadline: number;
  /** The transaction it was sent in, or -1. */
  generation: number;
  /**
   * Settles its caller's wait (the streams); undefined for `send()`, whose completion hears
   * a failure instead.
   */
  accepted: { resolve: () => void; reject: (error: unknown) => void } | undefined;
}

/**
 * A Kafka producer. Write records to `writable` (a WritableStream whose backpressure is the
 * `bufferMemory` byte budget) or call `send()` for a promise of each record's metadata.
 * Records are serialized, partitioned (Java's murmur2 for keys, KIP-794 sticky for the rest),
 * batched per partition (`batchSize`, `lingerMs`) and sent to each partition's leader, with
 * retries until `deliveryTimeoutMs` and idempotence on by default.
 *
 * Every record is either acknowledged or its promise (or the stream, and `deliveries`)
 * reports why it failed: nothing is dropped silently.
 *
 * @example Send one record and close
 * ```ts
 * import { Producer } from "./producer.ts";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * const metadata = await producer.send({ topic: "events", key: "user-1", value: "hello" });
 * console.log(metadata.partition, metadata.offset);
 * await producer.close();
 * ```
 *
 * @example Pipe a stream of records
 * ```ts
 * import { Producer } from "./producer.ts";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * const records = ReadableStream.from([[{ topic: "events", value: "a" }, { topic: "events", value: "b" }]]);
 * await records.pipeTo(producer.writable); // resolves once every record is acknowledged
 * await producer.close();
 * ```
 */
export class Producer<K = unknown, V = unknown> {
  readonly #config: ResolvedProducerConfig;
  readonly #cluster: Cluster;
  readonly #metadata: ProducerMetadata;
  readonly #transactions: TransactionManager;
  /** True with a `transactionalId`: records go only into open transactions. */
  readonly #transactional: boolean;
  /** A commit or abort in progress (a repeated call after a timeout waits for it). */
  #ending: { committed: boolean; done: Promise<void> } | undefined;
  readonly #budget: BufferBudget;
  readonly #accumulator: RecordAccumulator;
  readonly #sender: Sender;
  readonly #serialize: (
    record: ProducerRecord<K, V>,
    into?: SerializedRecord,
    now?: number,
  ) => SerializedRecord;
  /**
   * `#accept` serializes into this object (no allocation per record); a record that has to
   * wait (`#queueForMetadata`, `#acceptSlow`) is copied out of it first, since the next record
   * refills it. The byte path borrows it to ask the default partitioner.
   */
  readonly #serialized: SerializedRecord = {
    topic: "",
    partition: -1,
    key: null,
    value: null,
    headers: undefined,
    timestamp: 0,
  };
  readonly #partitioner: DefaultPartitioner | undefined;
  readonly #interceptors: InterceptorChain;
  readonly #stats = new ProducerStatsCollector();
  readonly #statsStreams = new StatsStreams(() => this.stats());
  #writable: WritableStream<ProducerChunk<K, V>> | undefined;
  #deliveries: ReadableStreamDefaultController<DeliveryReport> | undefined;
  #deliveriesStream: ReadableStream<DeliveryReport> | undefined;
  /** The first record failure seen by stream writers: the stream errors with it. */
  #streamError: KafkaError | undefined;
  #closed = false;
  /**
   * Set once records may no longer wait (abort, close()'s timeout, shutdown): every record
   * waiting for metadata or buffer space rejects with it, and none is appended after it.
   */
  #closeError: ProducerClosedError | undefined;
  #closing: Promise<void> | undefined;
  /**
   * Records waiting for their topic's metadata, per topic, in arrival order: one wait per
   * topic, however many records (a burst of sends before the first metadata answer costs a
   * queue entry per record, not a chain of promises). While a topic has a queue, its records
   * join it, so they keep their order. See `#drainMetadataQueue`.
   */
  readonly #metadataQueues = new Map<string, MetadataQueue>();
  /** Records accepted by send()/write() still waiting for metadata or buffer space. */
  #slowAccepts = 0;
  #slowAcceptsDone: Array<() => void> = [];
  /** The largest record size (upper bound, batch overhead excluded) that can ever be sent. */
  readonly #recordLimit: number;
  // The last topic's metadata view, valid while the cluster's topicsVersion is unchanged:
  // saves Map lookups per record (records mostly come in runs of one topic).
  #viewTopic: string | undefined;
  #view: TopicView | undefined;
  #viewVersion = -1;

  static {
    tryAppendBytes = (producer, topic, partition, key, value, timestamp) =>
      producer.#tryAppendBytes(topic, partition, key, value, timestamp);
  }

  /**
   * Creates a producer; it connects on the first record.
   *
   * @param config Producer settings; invalid values throw a `TypeError` or `RangeError`
   * naming the field, the value and the allowed range.
   */
  constructor(config: ProducerConfig<K, V>) {
    const resolved = resolveProducerConfig(config);
    this.#config = resolved;
    this.#recordLimit = Math.min(resolved.maxRequestSize, resolved.bufferMemory);
    this.#cluster = new Cluster({
      bootstrapServers: resolved.bootstrapServers,
      connection: connectionOptionsFrom(resolved),
      reconnectBackoffMs: resolved.reconnectBackoffMs,
      reconnectBackoffMaxMs: resolved.reconnectBackoffMaxMs,
      metadataMaxAgeMs: resolved.metadataMaxAgeMs,
    });
    this.#metadata = new ProducerMetadata(this.#cluster, {
      metadataMaxAgeMs: resolved.metadataMaxAgeMs,
      metadataMaxIdleMs: resolved.metadataMaxIdleMs,
      retryBackoffMs: resolved.retryBackoffMs,
      retryBackoffMaxMs: resolved.retryBackoffMaxMs,
      maxBlockMs: resolved.maxBlockMs,
      bootstrapServers: resolved.bootstrapServers,
      logger: resolved.logger,
      stats: this.#stats,
    });
    this.#transactional = resolved.transactionalId !== undefined;
    this.#transactions = new TransactionManager(this.#cluster, {
      idempotent: resolved.enableIdempotence,
      transactionalId: resolved.transactionalId ?? null,
      transactionTimeoutMs: resolved.transactionTimeoutMs,
      retryBackoffMs: resolved.retryBackoffMs,
      retryBackoffMaxMs: resolved.retryBackoffMaxMs,
      logger: resolved.logger,
    });
    this.#budget = new BufferBudget(resolved.bufferMemory);
    this.#accumulator = new RecordAccumulator({
      batchSize: resolved.batchSize,
      deliveryTimeoutMs: resolved.deliveryTimeoutMs,
      poolSize: Math.max(4, Math.floor(resolved.bufferMemory / resolved.batchSize / 4)),
      budget: this.#budget,
      stats: this.#stats,
      listener: this.#outcomeListener(),
    });
    this.#sender = new Sender(
      this.#accumulator,
      this.#transactions,
      this.#metadata,
      this.#cluster,
      {
        acks: resolved.acks,
        lingerMs: resolved.lingerMs,
        requestTimeoutMs: resolved.requestTimeoutMs,
        maxRequestSize: resolved.maxRequestSize,
        maxInFlightRequestsPerConnection: resolved.maxInFlightRequestsPerConnection,
        retries: resolved.retries,
        retryBackoffMs: resolved.retryBackoffMs,
        retryBackoffMaxMs: resolved.retryBackoffMaxMs,
        reconnectBackoffMs: resolved.reconnectBackoffMs,
        logger: resolved.logger,
        compress: undefined,
        stats: this.#stats,
      },
    );
    if (resolved.compressionType !== "none") {
      this.#sender.awaitCompression();
      // Codecs load on first use; the sender waits for it (sends nothing uncompressed).
      loadCodec(resolved.compressionType).then(
        (codec) => {
          const level = resolved.compressionLevel;
          const compressAsync = codec.compressAsync;
          this.#sender.setCompression(
            compressAsync === undefined
              ? (records) => ({ attribute: codec.id, records: codec.compress(records, level) })
              : (records) =>
                compressAsync.call(codec, records, level).then((compressed) => ({
                  attribute: codec.id,
                  records: compressed,
                })),
          );
        },
        (error: unknown) => {
          // Fatal: every pending record and every later send fails with it.
          this.#transactions.transitionToFatalError(
            new RecordError(
              `Cannot load the ${resolved.compressionType} codec: ${describeThrown(error)}`,
              "SERIALIZATION",
              { cause: error },
            ),
          );
          this.#sender.wake();
        },
      );
    }
    // Reused encoding buffers (see createRecordSerializer): #accept copies a record's bytes
    // into its batch, or aside, before it serializes the next one. Not with a partitioner of
    // the user's, which is handed the key and value bytes and might keep them.
    this.#serialize = createRecordSerializer<K, V>({
      key: resolved.keySerializer as Serializer<K> | undefined,
      value: resolved.valueSerializer as Serializer<V> | undefined,
      header: resolved.headerSerializer,
    }, { reuseBuffers: typeof resolved.partitioner !== "function" });
    this.#partitioner = typeof resolved.partitioner === "function"
      ? undefined
      : new DefaultPartitioner({
        batchSize: resolved.batchSize,
        ignoreKeys: resolved.partitionerIgnoreKeys,
        adaptive: resolved.partitionerAdaptivePartitioning,
        queueSizes: (topic, partitionCount) => this.#accumulator.queueSizes(topic, partitionCount),
      });
    this.#interceptors = new InterceptorChain(resolved.interceptors, resolved.logger);
    if (resolved.signal !== undefined) {
      const signal = resolved.signal;
      if (signal.aborted) this.abort(signal.reason);
      else signal.addEventListener("abort", () => this.abort(signal.reason), { once: true });
    }
  }

  /** The resolved configuration (defaults filled in). */
  get config(): Readonly<ResolvedProducerConfig> {
    return this.#config;
  }

  /**
   * What the producer has done so far: records acknowledged and failed, requests, batches and
   * bytes sent, average batch size and records per request, compression ratio, request latency
   * percentiles, retries and errors by code, free buffer bytes and requests in flight per
   * broker. Cheap to call (counters are kept per request and batch, never per record).
   *
   * @example
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * await producer.send({ topic: "events", value: "x" });
   * const { recordsAcknowledged, requestLatencyMs } = producer.stats();
   * console.log(recordsAcknowledged, requestLatencyMs.p99);
   * await producer.close();
   * ```
   */
  stats(): ProducerStats {
    return this.#stats.snapshot(
      this.#budget.available,
      this.#budget.total,
      this.#sender.inFlightByBroker,
    );
  }

  /**
   * Snapshots of {@linkcode Producer.stats} at once and then every `intervalMs`, like
   * librdkafka's `statistics.interval.ms`: a `ReadableStream` that ends after a last snapshot when the
   * producer closes, and stops its timer when cancelled. A reader that falls behind gets the
   * newest snapshot, never a backlog (one is queued at most). The timer never keeps a process
   * alive.
   *
   * @param intervalMs Milliseconds between snapshots. @default config.statisticsIntervalMs
   * @returns The stream of snapshots.
   * @throws {RangeError} When no positive interval is given or configured.
   *
   * @example Log the acknowledged count every 100 ms
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", statisticsIntervalMs: 100 });
   * const reader = producer.statsStream().getReader();
   * await producer.send({ topic: "events", value: "x" });
   * const { value: stats } = await reader.read();
   * console.log(stats?.recordsAcknowledged);
   * await reader.cancel();
   * await producer.close();
   * ```
   */
  statsStream(
    intervalMs: number = this.#config.statisticsIntervalMs,
  ): ReadableStream<ProducerStats> {
    if (!(Number.isInteger(intervalMs) && intervalMs > 0)) {
      throw new RangeError(
        `Invalid stats interval "${intervalMs}": pass statsStream(ms) or set statisticsIntervalMs to a positive integer`,
      );
    }
    return this.#statsStreams.open(intervalMs);
  }

  /** Bytes of `bufferMemory` free right now. */
  get bufferAvailable(): number {
    return this.#budget.available;
  }

  /**
   * Sends one record. Resolves with where it was written once the broker acknowledged it
   * (offset -1 with `acks: 0`); rejects with a `KafkaError` subclass when it failed for good:
   * `RecordError` (cannot be serialized, too large), `TimeoutError` (`maxBlockMs` waiting
   * for buffer space or metadata, e.g. for a topic or an explicit `partition` that metadata
   * does not know yet, as after a topic grew; `deliveryTimeoutMs`), `BrokerError` (a
   * non-retriable broker answer), `ProducerClosedError`.
   *
   * A caller awaiting a lone record does not wait `lingerMs` when nothing else is in flight.
   *
   * Bytes: the record's `Uint8Array`s (key, value, header values, and what serializers
   * return) are copied before `send()` returns, into the record's batch or, when it must wait
   * for metadata or buffer space, aside (as Java copies into its batch): the caller may reuse
   * or change them at once. Record objects given to interceptors and `deliveries` are the
   * caller's own, not copies.
   *
   * @param record The record.
   * @returns The record's topic, partition, offset and timestamp.
   */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      const completion: RecordCompletion = {
        index: 0,
        timestamp: 0,
        keySize: -1,
        valueSize: -1,
        record: undefined,
        resolve,
        reject,
      };
      let pending: Promise<void> | undefined;
      try {
        // A record that waits for metadata settles this promise through its completion.
        pending = this.#accept(record, completion, undefined, true);
      } catch (error) {
        reject(error);
        return;
      }
      if (pending !== undefined) pending.catch(reject);
    });
  }

  /**
   * The producer as a WritableStream of records or arrays of records. Its queue is measured
   * in bytes: `desiredSize` falls and `ready` waits once `bufferMemory` is used up by records
   * waiting for the brokers. `close()` on the stream resolves once every record written to
   * it is acknowledged; if any record fails for good the stream errors with that error (read
   * `deliveries` for each record's outcome). Closing, aborting or an error of the stream does
   * not close the producer: the next access returns a fresh stream.
   *
   * Bytes: a record's `Uint8Array`s (key, value, header values) are read when the stream hands
   * its chunk to the producer, which copies them (into the record's batch, or aside while the
   * record waits for metadata or buffer space) before that `write()` resolves; reuse them once
   * it has resolved, not before (a chunk may sit in the stream's queue until then).
   */
  get writable(): WritableStream<ProducerChunk<K, V>> {
    if (this.#writable === undefined) {
      // A stream that closed, aborted or errored is replaced on the next access: the producer
      // stays usable, and a new stream starts without the old one's error.
      this.#streamError = undefined;
      const stream: WritableStream<ProducerChunk<K, V>> = new WritableStream<
        ProducerChunk<K, V>
      >({
        write: (chunk) => {
          const written = this.#writeChunk(chunk);
          // A write that fails errors the stream for good: forget it, so the next access
          // gets a fresh stream, as after close and abort. (This reaction is registered
          // before the stream's own, so it has run when the writer sees the rejection.)
          written.catch(() => {
            if (this.#writable === stream) this.#writable = undefined;
          });
          return written;
        },
        close: async () => {
          if (this.#writable === stream) this.#writable = undefined;
          await this.flush();
          if (this.#streamError !== undefined) throw this.#streamError;
        },
        abort: () => {
          // Records already accepted are still delivered (or fail through deliveries).
          if (this.#writable === stream) this.#writable = undefined;
        },
      }, {
        highWaterMark: this.#config.batchSize,
        size: estimateChunkBytes,
      });
      this.#writable = stream;
    }
    return this.#writable;
  }

  /**
   * Every record's outcome, in completion order, for records written after the first read of
   * this property. Read it continuously: reports queue up until read.
   */
  get deliveries(): ReadableStream<DeliveryReport> {
    if (this.#deliveriesStream === undefined) {
      this.#deliveriesStream = new ReadableStream<DeliveryReport>({
        start: (controller) => {
          this.#deliveries = controller;
        },
        cancel: () => {
          this.#deliveries = undefined;
        },
      });
    }
    return this.#deliveriesStream;
  }

  /**
   * The producer's record path as separate TransformStreams, for pipelines that want to see
   * or extend it (e.g. validate records after the interceptors, or inspect serialized bytes
   * before partitioning). Each stage carries arrays of records per chunk. `writable` runs the
   * same stages fused, without a stream hop per stage; use these when you need the hooks.
   * The sink's queue is counted in bytes like `writable`'s; records written to it are reported
   * through `deliveries` (as their serialized form), and a record that fails for good errors
   * that sink (and only it). Records travel through the stages by reference: their bytes are
   * copied when the sink takes them, before the sink's `write()` resolves.
   *
   * @example Add a validation step between the interceptors and serialization
   * ```ts
   * import { Producer } from "./producer.ts";
   * import type { ProducerRecord } from "../record/producer_record.ts";
   * const producer = new Producer<string, string | null>({ bootstrapServers: "127.0.0.1:9092" });
   * const { intercept, serialize, partition, sink } = producer.stages();
   * const source = ReadableStream.from([[{ topic: "events", value: "a" }, { topic: "events", value: null }]]);
   * await source
   *   .pipeThrough(intercept)
   *   .pipeThrough(new TransformStream<ProducerRecord<string, string | null>[], ProducerRecord<string, string | null>[]>({
   *     transform(records, controller) { controller.enqueue(records.filter((r) => r.value !== null)); },
   *   }))
   *   .pipeThrough(serialize)
   *   .pipeThrough(partition)
   *   .pipeTo(sink);
   * await producer.close();
   * ```
   */
  stages(): ProducerStages<K, V> {
    const intercept = new TransformStream<ProducerChunk<K, V>, ProducerRecord<K, V>[]>({
      transform: (chunk, controller) => {
        const records = Array.isArray(chunk)
          ? chunk as readonly ProducerRecord<K, V>[]
          : [chunk as ProducerRecord<K, V>];
        if (this.#interceptors.isEmpty) {
          controller.enqueue(records.slice());
          return;
        }
        const out = new Array<ProducerRecord<K, V>>(records.length);
        for (let i = 0; i < records.length; i++) {
          out[i] = this.#interceptors.onSend(records[i]!) as ProducerRecord<K, V>;
        }
        controller.enqueue(out);
      },
    });
    const serialize = new TransformStream<ProducerRecord<K, V>[], SerializedRecord[]>({
      transform: (records, controller) => {
        const out = new Array<SerializedRecord>(records.length);
        for (let i = 0; i < records.length; i++) out[i] = this.#serialize(records[i]!);
        controller.enqueue(out);
      },
    });
    const partition = new TransformStream<SerializedRecord[], SerializedRecord[]>({
      transform: async (records, controller) => {
        for (const record of records) {
          if (record.partition >= 0) continue;
          let count = this.#cluster.partitionCount(record.topic);
          if (count === undefined || count <= 0) {
            count = await this.#metadata.awaitPartition(
              record.topic,
              Date.now() + this.#config.maxBlockMs,
            );
          }
          record.partition = this.#choosePartition(record, count);
        }
        controller.enqueue(records);
      },
    });
    // The sink's records fail into the sink alone (each has a completion that records the
    // first failure), so a failure elsewhere — `writable`'s, another sink's — never errors
    // this one, and a new stages() starts clean.
    let sinkError: KafkaError | undefined;
    const sinkFailed = (error: unknown) => {
      sinkError ??= error as KafkaError;
    };
    const sink = new WritableStream<SerializedRecord[]>({
      write: async (records) => {
        if (sinkError !== undefined) throw sinkError;
        const withReports = this.#deliveries !== undefined || !this.#interceptors.isEmpty;
        for (const record of records) {
          // A stage between serialize and the sink may have changed the record.
          checkRecordTimestamp(record.timestamp, record.topic);
          const completion = newCompletion();
          completion.reject = sinkFailed;
          if (withReports) {
            completion.record = {
              topic: record.topic,
              key: record.key,
              value: record.value,
              partition: record.partition,
              timestamp: record.timestamp,
            };
          }
          const pending = this.#acceptSerialized(record, completion);
          if (pending !== undefined) await pending;
        }
      },
      close: async () => {
        await this.flush();
        if (sinkError !== undefined) throw sinkError;
      },
    }, { highWaterMark: this.#config.bufferMemory, size: estimateSerializedBytes });
    return { intercept, serialize, partition, sink };
  }

  // ---- transactions ---------------------------------------------------------------------

  /**
   * Readies a transactional producer (`transactionalId` set): gets its producer id from the
   * transaction coordinator, fences every older producer with the same transactional id and
   * aborts what it left open. Call once, before the first `beginTransaction()` (Java's
   * `initTransactions()`). Waits at most `maxBlockMs`; on a timeout, calling it again waits
   * for the same attempt.
   *
   * @throws {TransactionStateError} Without `transactionalId`, or when called twice.
   * @throws {ProducerFencedError} When a newer producer took over meanwhile.
   * @throws {TimeoutError} After `maxBlockMs` (MAX_BLOCK_TIMEOUT).
   * @throws {KafkaError} What the coordinator refused, e.g. INVALID_TRANSACTION_TIMEOUT when
   * `transactionTimeoutMs` exceeds the broker's `transaction.max.timeout.ms`.
   *
   * @example Produce two records in one transaction
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "orders-1" });
   * await producer.initTransactions();
   * producer.beginTransaction();
   * void producer.send({ topic: "events", value: "a" });
   * void producer.send({ topic: "events", value: "b" });
   * await producer.commitTransaction(); // both visible to read_committed consumers, or neither
   * await producer.close();
   * ```
   */
  initTransactions(): Promise<void> {
    return this.#withinMaxBlock(() => this.#transactions.initTransactions(), "initTransactions()");
  }

  /**
   * Opens a transaction: records sent from now until `commitTransaction()` or
   * `abortTransaction()` belong to it (Java's `beginTransaction()`).
   *
   * @throws {TransactionStateError} Without `transactionalId`, before `initTransactions()`
   * completed, or while a transaction is open.
   * @throws {KafkaError} The fatal error (e.g. `ProducerFencedError`) once there was one.
   */
  beginTransaction(): void {
    if (this.#closed) {
      throw new ProducerClosedError("Cannot begin a transaction: the producer is closed");
    }
    this.#transactions.beginTransaction();
  }

  /**
   * Commits the open transaction: sends what is queued, waits until every record of the
   * transaction is acknowledged, then ends it (EndTxn). Its records (and offsets sent with
   * `sendOffsetsToTransaction()`) become visible to `read_committed` consumers all at once.
   * Waits at most `maxBlockMs`; on a timeout, calling it again waits for the same commit.
   *
   * @throws {TransactionStateError} When no transaction is open.
   * @throws {TransactionAbortableError} When a record of it failed, the broker answered
   * TRANSACTION_ABORTABLE or the coordinator aborted it after `transactionTimeoutMs`: call
   * `abortTransaction()`, then go on with a new transaction.
   * @throws {ProducerFencedError} When another producer with the same transactional id took
   * over: this one can only be closed.
   * @throws {TimeoutError} After `maxBlockMs` (MAX_BLOCK_TIMEOUT).
   */
  commitTransaction(): Promise<void> {
    return this.#withinMaxBlock(() => this.#endTransaction(true), "commitTransaction()");
  }

  /**
   * Aborts the open transaction: records not sent yet fail with `TransactionAbortedError`,
   * those in flight are waited for, then the transaction ends (EndTxn): nothing of it becomes
   * visible to `read_committed` consumers. The producer can then begin a new transaction.
   * Waits at most `maxBlockMs`.
   *
   * @throws {TransactionStateError} When no transaction is open.
   * @throws {ProducerFencedError} When another producer with the same transactional id took
   * over: this one can only be closed.
   * @throws {TimeoutError} After `maxBlockMs` (MAX_BLOCK_TIMEOUT).
   */
  abortTransaction(): Promise<void> {
    return this.#withinMaxBlock(() => this.#endTransaction(false), "abortTransaction()");
  }

  /**
   * Adds a consumer group's offsets to the open transaction (Java's
   * `sendOffsetsToTransaction`): they become the group's committed offsets exactly when the
   * transaction commits, and never if it aborts — the consume-transform-produce step of
   * exactly-once pipelines. `offsets` names, per consumed partition, the next offset to read
   * (last processed + 1). Pass the consumer's group metadata (generation, member id) so the
   * group coordinator can fence a consumer that left the group; a plain group id commits for
   * a group without members.
   *
   * @param offsets The offsets, e.g. `[{ topic: "in", partition: 0, offset: 42n }]`.
   * @param group The group id, or the consumer's group metadata.
   * @throws {TransactionStateError} When no transaction is open.
   * @throws {TypeError} For offsets or a group of the wrong shape.
   * @throws {TransactionAbortableError} When the group coordinator refused (e.g. the member is
   * no longer in the group): abort the transaction.
   * @throws {TimeoutError} After `maxBlockMs` (MAX_BLOCK_TIMEOUT).
   *
   * @example Commit the consumed offsets with the produced records
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "copier-1" });
   * await producer.initTransactions();
   * producer.beginTransaction();
   * void producer.send({ topic: "events", value: "transformed" });
   * await producer.sendOffsetsToTransaction([{ topic: "events", partition: 0, offset: 1n }], "copier");
   * await producer.commitTransaction();
   * await producer.close();
   * ```
   */
  sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    group: string | TransactionGroupMetadata,
  ): Promise<void> {
    const metadata = typeof group === "string" ? { groupId: group } : group;
    return this.#withinMaxBlock(
      () => this.#transactions.sendOffsetsToTransaction(offsets, metadata),
      "sendOffsetsToTransaction()",
    );
  }

  /**
   * Runs `work` in a transaction: begins one, commits it when `work` resolves, and aborts it
   * when `work` throws (rethrowing what it threw) or the commit fails (when the commit's
   * failure is abortable, e.g. a record failed, the transaction is aborted before the error is
   * thrown). Resolves with what `work` returned, once committed.
   *
   * @param work Sends the transaction's records (and offsets) through `tx`.
   * @returns What `work` resolved with.
   * @throws What `work` threw, or the commit's error; a `ProducerFencedError` when another
   * producer took over (it outranks what `work` threw: the producer can only be closed).
   *
   * @example
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "batch-7" });
   * await producer.initTransactions();
   * const count = await producer.transaction(async (tx) => {
   *   await Promise.all([tx.send({ topic: "events", value: "x" }), tx.send({ topic: "events", value: "y" })]);
   *   return 2;
   * });
   * if (count !== 2) throw new Error();
   * await producer.close();
   * ```
   */
  async transaction<T>(work: (tx: ProducerTransaction<K, V>) => T | Promise<T>): Promise<T> {
    this.beginTransaction();
    const tx: ProducerTransaction<K, V> = {
      send: (record) => this.send(record),
      sendOffsets: (offsets, group) => this.sendOffsetsToTransaction(offsets, group),
    };
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      await this.#abortAfter(error);
      throw error;
    }
    try {
      await this.commitTransaction();
    } catch (error) {
      if (error instanceof TransactionAbortableError) await this.#abortAfter(error);
      throw error;
    }
    return result;
  }

  /**
   * The producer as a `WritableStream` whose chunks commit in transactions: by default each
   * chunk (a record or an array of records) is one transaction; with `records` or `intervalMs`
   * a transaction spans chunks until that many records or that much time. A chunk that closes
   * a transaction is written once it is committed; `close()` commits what is open. When the
   * pipe errors or is aborted, or a record or commit fails, the open transaction aborts —
   * nothing of it becomes visible to `read_committed` consumers — and the stream errors.
   * Needs `transactionalId` and `initTransactions()`; do not mix with other transactional
   * calls while it is in use. A `fetch()` body piped through it lands exactly once per
   * committed chunk.
   *
   * @param options When to commit.
   * @returns A new stream.
   * @throws {TransactionStateError} Without `transactionalId`.
   * @throws {RangeError} For `records` or `intervalMs` not a positive integer.
   *
   * @example Each chunk one transaction
   * ```ts
   * import { Producer } from "./producer.ts";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "ingest-1" });
   * await producer.initTransactions();
   * const chunks = ReadableStream.from([[{ topic: "events", value: "a" }], [{ topic: "events", value: "b" }]]);
   * await chunks.pipeTo(producer.transactionalWritable()); // two transactions, each committed
   * await producer.close();
   * ```
   */
  transactionalWritable(
    options: TransactionalWritableOptions = {},
  ): WritableStream<ProducerChunk<K, V>> {
    if (!this.#transactional) {
      throw new TransactionStateError(
        "Cannot create a transactional writable: the producer has no transactionalId; set transactionalId (transactional.id)",
      );
    }
    return transactionalWritable<ProducerChunk<K, V>>({
      begin: () => this.beginTransaction(),
      write: async (chunk) => {
        await this.#writeChunk(chunk, true);
        return Array.isArray(chunk) ? chunk.length : 1;
      },
      commit: () => this.commitTransaction(),
      abort: () => this.abortTransaction(),
    }, options);
  }

  /** Aborts after `reason` made the transaction fail; a fenced producer's error outranks it. */
  async #abortAfter(reason: unknown): Promise<void> {
    try {
      await this.abortTransaction();
    } catch (abortError) {
      if (abortError instanceof ProducerFencedError) throw abortError;
      this.#config.logger.warn("Could not abort the transaction", {
        error: describeThrown(abortError),
        reason: describeThrown(reason),
      });
    }
  }

  /**
   * Commits or aborts: checks the state (synchronously, so a misuse rejects before anything
   * is sent), then lets the records of the transaction finish — all acknowledged for a commit
   * (records still waiting for metadata or buffer space first); for an abort, the queued ones
   * fail and those in flight are waited for — and ends it at the coordinator.
   */
  #endTransaction(committed: boolean): Promise<void> {
    const ending = this.#ending;
    if (ending !== undefined) {
      if (ending.committed === committed) return ending.done;
      return Promise.reject(
        new TransactionStateError(
          `Cannot ${committed ? "commit" : "abort"} the transaction: the previous ${
            ending.committed ? "commitTransaction()" : "abortTransaction()"
          } is still in progress (it timed out); call it again`,
        ),
      );
    }
    try {
      if (committed) this.#transactions.beginCommit();
      else this.#transactions.beginAbort();
    } catch (error) {
      return Promise.reject(error);
    }
    const done = (async () => {
      if (committed) await this.#waitForSlowAccepts();
      await this.flush(); // an abort drops what is queued (the sender sees the state)
      await this.#transactions.endTransaction();
    })().finally(() => {
      if (this.#ending?.done === done) this.#ending = undefined;
    });
    this.#ending = { committed, done };
    return done;
  }

  /**
   * `start()`'s promise, or a MAX_BLOCK_TIMEOUT after `maxBlockMs` (the operation goes on).
   * What `start()` throws (a misuse) rejects, never throws.
   */
  #withinMaxBlock(start: () => Promise<void>, call: string): Promise<void> {
    let operation: Promise<void>;
    try {
      operation = start();
    } catch (error) {
      return Promise.reject(error);
    }
    const maxBlockMs = this.#config.maxBlockMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `${call} did not complete within maxBlockMs (${maxBlockMs} ms); it goes on: call it again to wait for it`,
              "MAX_BLOCK_TIMEOUT",
            ),
          ),
        maxBlockMs,
      );
    });
    operation.catch(() => {}); // reported through the race
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Sends everything queued now without waiting for `lingerMs`, and resolves once every
   * record accepted before the call is acknowledged or has failed.
   */
  flush(): Promise<void> {
    const flushed = this.#accumulator.flush();
    this.#sender.wake();
    return flushed;
  }

  /**
   * Stops accepting records, delivers what is queued and in flight, then closes the
   * connections. At `timeoutMs`, every record still pending fails with `ProducerClosedError`,
   * wherever it waits: for metadata, for buffer space, in a batch or in flight.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? Infinity);
    return this.#closing;
  }

  /**
   * Stops at once: every queued or in-flight record fails with `ProducerClosedError` (whose
   * `cause` is `reason`) and the connections close. Records in flight may still have been
   * written by the broker.
   */
  async abort(reason?: unknown): Promise<void> {
    this.#closed = true;
    const error = new ProducerClosedError("The producer was aborted", { cause: reason });
    this.#stopWaiting(error);
    this.#failEverything(error);
    await this.#shutdown();
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    const error = new ProducerClosedError("Cannot send: the producer is closed");
    // Records already accepted but still waiting for metadata or buffer space are part of
    // what close() delivers: let them reach their batches first (bounded by maxBlockMs).
    // As Java: a transaction still open when the producer closes is aborted (its records
    // never become visible); close() does not commit.
    const flushed = this.#waitForSlowAccepts().then(() => this.flush()).then(() =>
      this.#abortOpenTransaction()
    );
    if (timeoutMs === Infinity) {
      await flushed;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<boolean>((resolve) =>
        timer = setTimeout(() => resolve(true), timeoutMs)
      );
      const done = await Promise.race([flushed.then(() => false), timedOut]);
      clearTimeout(timer);
      if (done) {
        const late = new ProducerClosedError(
          `The producer closed before these records were acknowledged: close() waited timeoutMs (${timeoutMs} ms)`,
        );
        // Waiting records first: the bytes failEverything() frees must not let one in.
        this.#stopWaiting(late);
        this.#failEverything(late);
      }
    }
    this.#stopWaiting(error);
    await this.#shutdown();
  }

  /**
   * Ends every wait for metadata or buffer space with `error` (the first such error sticks):
   * records waiting anywhere before their batch reject with it, at once.
   */
  #stopWaiting(error: ProducerClosedError): void {
    this.#closeError ??= error;
    this.#budget.rejectWaiters(this.#closeError);
    this.#metadata.stopWaiting(this.#closeError);
  }

  /** Aborts the open (or abortable) transaction at close, logging what goes wrong. */
  async #abortOpenTransaction(): Promise<void> {
    const state = this.#transactions.state;
    if (state !== TransactionState.InTransaction && state !== TransactionState.AbortableError) {
      return;
    }
    this.#config.logger.info("Aborting the open transaction: the producer closes", {
      transactionalId: this.#config.transactionalId,
    });
    try {
      await this.#endTransaction(false);
    } catch (error) {
      this.#config.logger.warn("Could not abort the open transaction at close", {
        error: describeThrown(error),
      });
    }
  }

  async #shutdown(): Promise<void> {
    this.#statsStreams.closeAll();
    this.#sender.close();
    this.#metadata.close();
    this.#transactions.close();
    this.#interceptors.close();
    await this.#cluster.close();
    try {
      this.#deliveries?.close();
    } catch {
      // already closed by its reader
    }
  }

  #failEverything(error: KafkaError): void {
    this.#accumulator.abortIncompleteBatches(error);
  }

  /** The error that makes producing impossible (a refused login, InitProducerId), if any. */
  get #fatalError(): KafkaError | undefined {
    return this.#transactions.fatalError ?? this.#metadata.fatalError;
  }

  // ---- accepting records ----------------------------------------------------------------

  /**
   * A stream's chunk into the producer. `transactional`: for `transactionalWritable()`, whose
   * records' failures surface through the commit, not through `writable`'s stream error.
   */
  async #writeChunk(chunk: ProducerChunk<K, V>, transactional = false): Promise<void> {
    if (this.#streamError !== undefined && !transactional) throw this.#streamError;
    const withReports = this.#deliveries !== undefined || !this.#interceptors.isEmpty;
    if (!Array.isArray(chunk)) {
      const pending = this.#accept(
        chunk as ProducerRecord<K, V>,
        withReports ? newCompletion() : undefined,
      );
      if (pending !== undefined) await pending;
      return;
    }
    const records = chunk as readonly ProducerRecord<K, V>[];
    // Records without a timestamp get the chunk's arrival time (one clock read per chunk, read
    // again after any wait), as if written together.
    let now = Date.now();
    for (let i = 0; i < records.length; i++) {
      const pending = this.#accept(records[i]!, withReports ? newCompletion() : undefined, now);
      if (pending !== undefined) {
        await pending;
        now = Date.now();
      }
    }
  }

  /**
   * Takes one record through interceptors, serialization, partitioning and into its batch.
   * Returns undefined when done synchronously (the fast path), or a promise when it had to
   * wait for metadata or buffer space. Throws for records that can never be sent.
   */
  #accept(
    record: ProducerRecord<K, V>,
    completion: RecordCompletion | undefined,
    now?: number,
    settledBySend = false,
  ): Promise<void> | undefined {
    if (this.#closed) throw new ProducerClosedError("Cannot send: the producer is closed");
    const fatal = this.#fatalError;
    if (fatal !== undefined) throw fatal;
    if (!this.#interceptors.isEmpty) {
      record = this.#interceptors.onSend(record) as ProducerRecord<K, V>;
    }
    const serialized = this.#serialize(record, this.#serialized, now);
    if (
      completion !== undefined && (this.#deliveries !== undefined || !this.#interceptors.isEmpty)
    ) {
      completion.record = record;
    }
    return this.#acceptSerialized(serialized, completion, settledBySend);
  }

  /** The second half of `#accept`: a serialized record into its batch (the stages' sink). */
  #acceptSerialized(
    serialized: SerializedRecord,
    completion: RecordCompletion | undefined,
    settledBySend = false,
  ): Promise<void> | undefined {
    if (this.#closed) throw new ProducerClosedError("Cannot send: the producer is closed");
    // Misuse (a send outside a transaction) is refused before anything is reserved or sent.
    if (this.#transactional) this.#transactions.checkSendAllowed();
    if (completion !== undefined) {
      completion.timestamp = serialized.timestamp;
      completion.keySize = serialized.key === null ? -1 : serialized.key.length;
      completion.valueSize = serialized.value === null ? -1 : serialized.value.length;
    }
    const size = recordSizeUpperBound(
      serialized.key === null ? -1 : serialized.key.length,
      serialized.value === null ? -1 : serialized.value.length,
      serialized.headers,
    );
    this.#checkSize(serialized, size);
    const partitionCount = this.#topicView(serialized.topic)?.leaders.length;
    if (
      partitionCount === undefined || partitionCount <= 0 ||
      serialized.partition >= partitionCount ||
      (this.#metadataQueues.size > 0 && this.#metadataQueues.has(serialized.topic))
    ) {
      // No metadata yet, or a partition it does not know (the topic may have grown), or
      // records ahead of this one still wait for it: wait in the topic's queue.
      return this.#queueForMetadata(serialized, size, completion, settledBySend);
    }
    if (!this.#budget.tryReserve(size)) {
      return this.#acceptSlow(
        serialized,
        size,
        completion,
        Date.now() + this.#config.maxBlockMs,
        partitionCount,
      );
    }
    this.#append(serialized, size, partitionCount, completion);
    return undefined;
  }

  /**
   * A record whose topic's metadata is known but that finds `bufferMemory` used up: waits for
   * space (in arrival order: `BufferBudget` serves waiters first in, first out, and refuses
   * `tryReserve` while any waits), then into its batch.
   */
  async #acceptSlow(
    serialized: SerializedRecord,
    size: number,
    completion: RecordCompletion | undefined,
    deadline: number,
    partitionCount: number,
  ): Promise<void> {
    // This runs synchronously up to the first await, so within send() (and before write()
    // resolves): the record's bytes are copied before the caller can change them, as the fast
    // path copies them into the batch. (Rare: only records that wait pay for the copy.) The
    // copy is also made before anyone refills the shared #serialized object.
    serialized = ownedCopy(serialized);
    // A record belongs to the transaction it was sent in, never to a later one.
    const generation = this.#transactional ? this.#transactions.generation : -1;
    this.#slowAccepts++;
    try {
      await this.#reserveWithin(size, deadline);
      this.#appendReserved(serialized, size, completion, generation, partitionCount);
    } finally {
      if (--this.#slowAccepts === 0) { for (const wake of this.#slowAcceptsDone.splice(0)) wake(); }
    }
  }

  /**
   * Puts a record that needs its topic's metadata (or is behind records that do) in the
   * topic's queue, a copy of its bytes with it, and starts the topic's wait if none runs.
   *
   * @param settledBySend True for `send()`: the record's outcome, acceptance failures included,
   *   goes to its completion, and no promise is made for it.
   * @returns What the caller awaits until the record is in its batch (rejecting if it cannot
   *   be), or undefined with `settledBySend`.
   */
  #queueForMetadata(
    serialized: SerializedRecord,
    size: number,
    completion: RecordCompletion | undefined,
    settledBySend: boolean,
  ): Promise<void> | undefined {
    // Copied now, synchronously: the caller may reuse its bytes once send() returns, and the
    // next record refills #serialized. (Only records that wait pay for the copy.)
    const entry: QueuedRecord = {
      serialized: ownedCopy(serialized),
      size,
      completion,
      deadline: Date.now() + this.#config.maxBlockMs,
      // A record belongs to the transaction it was sent in, never to a later one.
      generation: this.#transactional ? this.#transactions.generation : -1,
      accepted: undefined,
    };
    let accepted: Promise<void> | undefined;
    if (!settledBySend || completion?.reject === undefined) {
      accepted = new Promise<void>((resolve, reject) => {
        entry.accepted = { resolve, reject };
      });
    }
    const topic = serialized.topic;
    const queue = this.#metadataQueues.get(topic);
    if (queue !== undefined) queue.records.push(entry);
    else {
      const started: MetadataQueue = { records: [entry], head: 0 };
      this.#metadataQueues.set(topic, started);
      this.#slowAccepts++;
      void this.#drainMetadataQueue(topic, started);
    }
    return accepted;
  }

  /**
   * Waits for the metadata the first queued record needs, then appends every record it
   * covers, in order, synchronously (a record short of buffer space waits for it, and the
   * records behind it with it); repeats until the queue is empty, then removes it. A record
   * whose wait fails (its `maxBlockMs`, a fatal error, close) fails alone: the next one
   * waits on its own deadline.
   */
  async #drainMetadataQueue(topic: string, queue: MetadataQueue): Promise<void> {
    const records = queue.records;
    try {
      while (queue.head < records.length) {
        const first = records[queue.head]!;
        let partitionCount: number;
        try {
          partitionCount = await this.#metadata.awaitPartition(
            topic,
            first.deadline,
            first.serialized.partition,
          );
        } catch (error) {
          queue.head++;
          this.#queuedRecordFailed(first, error);
          continue;
        }
        while (queue.head < records.length) {
          const record = records[queue.head]!;
          if (record.serialized.partition >= partitionCount) break; // it waits for more
          queue.head++;
          try {
            if (!this.#budget.tryReserve(record.size)) {
              await this.#reserveWithin(record.size, record.deadline);
            }
            this.#appendReserved(
              record.serialized,
              record.size,
              record.completion,
              record.generation,
              partitionCount,
            );
            record.accepted?.resolve();
          } catch (error) {
            this.#queuedRecordFailed(record, error);
          }
        }
        // Entries before head are done: drop them once they are most of the array.
        if (queue.head > 1024 && queue.head * 2 > records.length) {
          records.splice(0, queue.head);
          queue.head = 0;
        }
      }
    } finally {
      // No await since the loop found the queue empty: no record joined it meanwhile.
      this.#metadataQueues.delete(topic);
      if (--this.#slowAccepts === 0) {
        for (const wake of this.#slowAcceptsDone.splice(0)) wake();
      }
    }
  }

  /** A queued record that will not be sent: its caller hears why. */
  #queuedRecordFailed(record: QueuedRecord, error: unknown): void {
    if (record.accepted !== undefined) record.accepted.reject(error);
    else record.completion!.reject!(error);
  }

  #waitForSlowAccepts(): Promise<void> {
    if (this.#slowAccepts === 0) return Promise.resolve();
    return new Promise((resolve) => this.#slowAcceptsDone.push(resolve));
  }

  /**
   * A record that waited, its size now reserved: into its batch, unless the producer was
   * closed or its transaction ended meanwhile (the reservation goes back, and it fails).
   */
  #appendReserved(
    serialized: SerializedRecord,
    size: number,
    completion: RecordCompletion | undefined,
    generation: number,
    partitionCount: number,
  ): void {
    if (this.#closeError !== undefined) {
      this.#budget.release(size);
      throw this.#closeError;
    }
    if (generation >= 0 && !this.#transactions.isOpenTransaction(generation)) {
      this.#budget.release(size);
      throw new TransactionAbortedError(
        `The record to "${serialized.topic}" was not sent: the transaction it was sent in ended while it waited for metadata or buffer space`,
      );
    }
    this.#append(serialized, size, partitionCount, completion);
  }

  /** Reserves `size` bytes of `bufferMemory`, waiting until `deadline` at most. */
  async #reserveWithin(size: number, deadline: number): Promise<void> {
    try {
      await this.#budget.reserve(size, Math.max(0, deadline - Date.now()));
    } catch (error) {
      const failure = this.#metadata.lastFailure;
      if (!(error instanceof TimeoutError) || failure?.code !== "CONNECTION") throw error;
      // The buffer is not full because the brokers are slow: none can be reached.
      throw new TimeoutError(
        `Cannot reserve ${size} bytes of bufferMemory within maxBlockMs (${this.#config.maxBlockMs} ms): ` +
          `the records ahead cannot be delivered: no broker could be reached; last error: ${failure.message}`,
        "MAX_BLOCK_TIMEOUT",
        false,
        failure,
      );
    }
  }

  #append(
    serialized: SerializedRecord,
    size: number,
    partitionCount: number,
    completion: RecordCompletion | undefined,
  ): void {
    let partition = serialized.partition;
    if (partition >= 0) {
      if (partition >= partitionCount) {
        this.#budget.release(size);
        throw new RecordError(
          `Cannot send record to partition ${partition} of "${serialized.topic}": the topic has ${partitionCount} partitions`,
          "SERIALIZATION",
        );
      }
    } else {
      try {
        partition = this.#choosePartition(serialized, partitionCount);
      } catch (error) {
        this.#budget.release(size);
        throw error;
      }
    }
    this.#appendTo(
      serialized.topic,
      partition,
      serialized.timestamp,
      serialized.key,
      serialized.value,
      serialized.headers,
      size,
      partitionCount,
      completion,
    );
  }

  /** The cluster's view of a topic (cached, see `#viewTopic`). */
  #topicView(topic: string): TopicView | undefined {
    const version = this.#cluster.topicsVersion;
    if (topic !== this.#viewTopic || version !== this.#viewVersion) {
      this.#view = this.#cluster.topicView(topic);
      this.#viewTopic = topic;
      this.#viewVersion = version;
    }
    return this.#view;
  }

  /** The last step of every path: the record into its partition's batch (size reserved). */
  #appendTo(
    topic: string,
    partition: number,
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[] | undefined,
    size: number,
    partitionCount: number,
    completion: RecordCompletion | undefined,
  ): void {
    let batch: ProducerBatch;
    try {
      // The record's partition joins the open transaction (or the record is refused).
      if (this.#transactional) this.#transactions.maybeAddPartition(topic, partition);
      batch = this.#accumulator.append(
        topic,
        partition,
        timestamp,
        key,
        value,
        headers,
        size,
        completion,
      );
    } catch (error) {
      // Refused records are checked before their reservation; should the batch writer refuse
      // one all the same (or the transaction have ended meanwhile), the append changed
      // nothing (it is atomic): return the bytes.
      this.#budget.release(size);
      throw error;
    }
    if (this.#partitioner !== undefined) {
      this.#partitioner.recordAppended(
        topic,
        partition,
        size,
        partitionCount,
        this.#topicView(topic)?.available ?? EMPTY_PARTITIONS,
      );
    }
    if (batch.recordCount === 1) {
      // A new batch (the previous one, if any, is full): the sender has work.
      this.#metadata.touch(topic, batch.createdMs);
      this.#sender.wake();
    } else if (completion?.resolve !== undefined && this.#sender.inFlightRequests === 0) {
      this.#sender.wake();
    }
  }

  /**
   * The byte path (see {@linkcode tryAppendBytes}): a record already in bytes, without
   * interceptors, serializers or a completion, appended synchronously or not at all.
   */
  #tryAppendBytes(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array,
    timestamp: number,
  ): boolean {
    if (
      this.#closed || this.#fatalError !== undefined || !this.#interceptors.isEmpty ||
      (this.#transactional && this.#transactions.state !== TransactionState.InTransaction) ||
      this.#deliveries !== undefined || this.#partitioner === undefined ||
      this.#config.keySerializer !== undefined || this.#config.valueSerializer !== undefined
    ) return false;
    // Known to the cluster means the topic was validated when its metadata was first asked for.
    const view = this.#topicView(topic);
    if (view === undefined) return false;
    const partitionCount = view.leaders.length;
    if (partitionCount <= 0 || partition >= partitionCount) return false;
    // Records ahead of this one still wait for the topic's metadata: it queues behind them.
    if (this.#metadataQueues.size > 0 && this.#metadataQueues.has(topic)) return false;
    // The stream path refuses it, saying why.
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) return false;
    const size = recordSizeUpperBound(key === null ? -1 : key.length, value.length, undefined);
    if (size + RECORD_BATCH_OVERHEAD > this.#recordLimit) return false; // the slow path says why
    if (!this.#budget.tryReserve(size)) return false;
    if (partition < 0) {
      // #serialized is free here (both paths are synchronous); the default partitioner
      // keeps no reference to it.
      const scratch = this.#serialized;
      scratch.topic = topic;
      scratch.key = key;
      partition = this.#partitioner.partition(scratch, partitionCount, view.available);
    }
    this.#appendTo(
      topic,
      partition,
      timestamp,
      key,
      value,
      undefined,
      size,
      partitionCount,
      undefined,
    );
    return true;
  }

  /** The partitioner's choice for a record without an explicit partition. */
  #choosePartition(serialized: SerializedRecord, partitionCount: number): number {
    if (this.#partitioner !== undefined) {
      return this.#partitioner.partition(
        serialized,
        partitionCount,
        this.#topicView(serialized.topic)?.available ?? EMPTY_PARTITIONS,
      );
    }
    // A custom partitioner may keep the record: never hand it the reused #serialized object.
    const record = serialized === this.#serialized ? { ...serialized } : serialized;
    return callPartitioner(
      this.#config.partitioner as Partitioner,
      record,
      partitionCount,
      this.#cluster,
    );
  }

  /**
   * Refuses a record that can never be sent: alone in a batch it would exceed `maxRequestSize`
   * (or `bufferMemory`). `size` is the record's upper bound (what is reserved); only when that
   * does not fit is the exact size computed, so a record that fits is never refused. The
   * reservation then fits too: the bound exceeds the exact size by less than the batch header.
   */
  #checkSize(serialized: SerializedRecord, size: number): void {
    const limit = this.#recordLimit;
    if (size + RECORD_BATCH_OVERHEAD <= limit) return;
    const exact = encodedRecordSize(
      serialized.key === null ? -1 : serialized.key.length,
      serialized.value === null ? -1 : serialized.value.length,
      serialized.headers,
    );
    if (exact + RECORD_BATCH_OVERHEAD <= limit) return;
    const which = this.#config.maxRequestSize <= this.#config.bufferMemory
      ? "maxRequestSize"
      : "bufferMemory";
    throw new RecordError(
      `Cannot send record to "${serialized.topic}" as it must be <= ${
        limit - RECORD_BATCH_OVERHEAD
      } bytes (${which} ${limit} less the ${RECORD_BATCH_OVERHEAD}-byte batch header): ` +
        `its encoded size is ${exact} bytes`,
      "RECORD_TOO_LARGE",
    );
  }

  // ---- outcomes ------------------------------------------------------------------------

  /**
   * Where the accumulator reports record outcomes besides their promises: the interceptors'
   * `onAcknowledgement`, `deliveries`, and the stream's error for records of the fast path.
   * Neither method throws: they run inside a batch's completion (the chain isolates the
   * interceptors, `callUserCode`).
   */
  #outcomeListener(): RecordOutcomeListener {
    return {
      recordDone: (record, metadata, error) => {
        if (!this.#interceptors.isEmpty) {
          this.#interceptors.onAcknowledgement(metadata, error, record);
        }
        try {
          this.#deliveries?.enqueue({ record, metadata, error });
        } catch {
          // The deliveries stream was closed meanwhile (the producer shut down).
        }
      },
      unreportedFailure: (error) => {
        this.#streamError ??= error;
        if (this.#writable !== undefined) {
          this.#config.logger.error("Records failed", { error: error.message });
        }
      },
    };
  }
}

function newCompletion(): RecordCompletion {
  return {
    index: 0,
    timestamp: 0,
    keySize: -1,
    valueSize: -1,
    record: undefined,
    resolve: undefined,
    reject: undefined,
  };
}
