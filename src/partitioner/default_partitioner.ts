import type { SerializedRecord } from "../record/serialized_record.ts";
import { murmur2, toPositive } from "./murmur2.ts";

/** Options for {@linkcode DefaultPartitioner}. */
export interface DefaultPartitionerOptions {
  /**
   * Bytes produced to the sticky partition before switching to another (Java: `batch.size`,
   * the same value the accumulator uses).
   */
  batchSize: number;
  /** Treat keyed records like keyless ones (`partitioner.ignore.keys`). @default false */
  ignoreKeys?: boolean | undefined;
  /**
   * Choose the next sticky partition weighted by queue sizes, so partitions on slow brokers
   * get fewer records (`partitioner.adaptive.partitioning.enable`). @default true
   */
  adaptive?: boolean | undefined;
  /**
   * With adaptive partitioning, leave out partitions whose leader has not taken a batch for
   * longer than this (`partitioner.availability.timeout.ms`); 0 turns it off. Needs the
   * latencies passed to {@linkcode DefaultPartitioner.prototype.updatePartitionLoad}. @default 0
   */
  availabilityTimeoutMs?: number | undefined;
  /**
   * Pull alternative to `updatePartitionLoad()`: the queue length (batches waiting) of each
   * partition 0..partitionCount-1, asked once per partition switch, never per record. Ignored
   * for a topic once load was pushed for it.
   */
  queueSizes?:
    | ((topic: string, partitionCount: number) => ArrayLike<number> | undefined)
    | undefined;
  /**
   * Source of uniform random numbers in [0, 1), used once per partition switch (a seam for
   * reproducible tests). @default Math.random
   */
  random?: (() => number) | undefined;
}

/** Per-topic sticky state and load statistics. Allocated once per topic. */
interface TopicState {
  /** The sticky partition, -1 when the next keyless record must choose one. */
  partition: number;
  /** Bytes appended to `partition` since it was chosen. */
  producedBytes: number;
  /** The partition just left (-1 if none): the uniform choice avoids it. */
  previous: number;
  /**
   * Cumulative frequency table over `ids[0..loadLength)`: `cft[i]` is the sum of the weights
   * of entries 0..i, where an entry's weight is `longest queue + 1 - its queue`.
   */
  cft: Int32Array;
  /** Partition ids matching `cft`. */
  ids: Int32Array;
  /** Entries in use; 0 means no load statistics: choose uniformly. */
  loadLength: number;
}

const EMPTY = new Int32Array(0);

/**
 * Java's built-in partitioning (Kafka 3.3+, KIP-794):
 * - an explicit partition wins (the producer never asks the partitioner then);
 * - keyed records go to `toPositive(murmur2(key)) % partitionCount` over all partitions,
 *   available or not, exactly as Java and librdkafka's `murmur2_random` do;
 * - keyless records (all records, with `ignoreKeys`) stick to one partition until
 *   `batchSize` bytes were appended to it, then switch. The next partition is uniform among
 *   those with a leader (never the one just left, when there is a choice) or, with adaptive
 *   partitioning and load statistics, random with weight `longest queue + 1 - own queue`, so
 *   an idle partition is the likeliest and the most backed-up one the least likely (but not
 *   impossible, so its load stays observable).
 *
 * Per record it does O(1) work and allocates nothing; a switch costs O(log n) with pushed
 * statistics and O(n) otherwise.
 *
 * @example Keyed records hash like Java; keyless ones stick until batchSize bytes
 * ```ts
 * import { DefaultPartitioner } from "./default_partitioner.ts";
 * const partitioner = new DefaultPartitioner({ batchSize: 100 });
 * const keyed = { topic: "t", partition: -1, key: new TextEncoder().encode("21"), value: null, headers: undefined, timestamp: 0 };
 * if (partitioner.partition(keyed, 10) !== (-973932308 & 0x7fffffff) % 10) throw new Error();
 * const keyless = { ...keyed, key: null };
 * const first = partitioner.partition(keyless, 10);
 * partitioner.recordAppended("t", first, 60);
 * if (partitioner.partition(keyless, 10) !== first) throw new Error("switched too early");
 * partitioner.recordAppended("t", first, 60);
 * if (partitioner.partition(keyless, 10) === first) throw new Error("did not switch");
 * ```
 */
export class DefaultPartitioner {
  readonly #batchSize: number;
  readonly #ignoreKeys: boolean;
  readonly #adaptive: boolean;
  readonly #availabilityTimeoutMs: number;
  readonly #queueSizes: DefaultPartitionerOptions["queueSizes"];
  readonly #random: () => number;
  readonly #topics = new Map<string, TopicState>();
  // The last topic's state (entries are never removed): one Map lookup less per record.
  #lastTopic: string | undefined;
  #lastState: TopicState | undefined;

  /** @param options Batch size, key handling and adaptive weighting. */
  constructor(options: DefaultPartitionerOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(
        `Invalid "batchSize": ${options.batchSize} must be an integer between 1 and 2147483647`,
      );
    }
    this.#batchSize = options.batchSize;
    this.#ignoreKeys = options.ignoreKeys ?? false;
    this.#adaptive = options.adaptive ?? true;
    this.#availabilityTimeoutMs = options.availabilityTimeoutMs ?? 0;
    this.#queueSizes = options.queueSizes;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Chooses a partition for a record without an explicit one.
   *
   * @param record The serialized record (only `topic` and `key` are read).
   * @param partitionCount Partitions of the topic (> 0).
   * @param available Partitions with a leader; keyless records avoid the others. Empty or
   *   omitted: every partition counts as available.
   * @returns A partition in 0..partitionCount-1.
   */
  partition(
    record: SerializedRecord,
    partitionCount: number,
    available?: readonly number[],
  ): number {
    if (record.key !== null && !this.#ignoreKeys) {
      return toPositive(murmur2(record.key)) % partitionCount;
    }
    const state = this.#state(record.topic);
    if (state.partition < 0 || state.partition >= partitionCount) {
      state.partition = this.#next(state, record.topic, partitionCount, available, state.previous);
      state.producedBytes = 0;
    }
    return state.partition;
  }

  /**
   * The accumulator calls this after appending a record; once `batchSize` bytes went to the
   * sticky partition, the next keyless record goes elsewhere. Appends to other partitions
   * (keyed or explicit) do not count.
   *
   * @param topic The record's topic.
   * @param partition Where it was appended.
   * @param bytes Its size in the batch.
   * @param partitionCount When given (> 0), the next partition is chosen now; otherwise by
   *   the next keyless `partition()` call.
   * @param available Partitions with a leader, for choosing now.
   */
  recordAppended(
    topic: string,
    partition: number,
    bytes: number,
    partitionCount = 0,
    available?: readonly number[],
  ): void {
    const state = topic === this.#lastTopic ? this.#lastState : this.#topics.get(topic);
    if (state === undefined || state.partition !== partition) return;
    state.producedBytes += bytes;
    if (state.producedBytes >= this.#batchSize) {
      state.previous = partition;
      state.partition = partitionCount > 0
        ? this.#next(state, topic, partitionCount, available, partition)
        : -1;
      state.producedBytes = 0;
    }
  }

  /**
   * Pushes load statistics for a topic, as Java's accumulator does from its drain loop: the
   * queue length (e.g. batches waiting plus in flight) of each listed partition. Only the
   * listed partitions are candidates for the next sticky partition, so leave out those
   * without a leader. With `availabilityTimeoutMs` > 0, partitions whose `leaderLatencyMs`
   * exceeds it are left out too. When every listed partition has the same queue length (and
   * none was left out) the choice is uniform again. A no-op without adaptive partitioning.
   * Reuses its tables: no allocation once a topic's partition count is reached.
   *
   * @param topic The topic.
   * @param queueSizes Queue length per entry.
   * @param partitionIds The partition of each entry.
   * @param length Entries to read. @default partitionIds.length
   * @param leaderLatencyMs Per entry, how long its leader has had data ready but taken
   *   nothing, in ms (for the availability timeout).
   */
  updatePartitionLoad(
    topic: string,
    queueSizes: ArrayLike<number>,
    partitionIds: ArrayLike<number>,
    length: number = partitionIds.length,
    leaderLatencyMs?: ArrayLike<number>,
  ): void {
    if (!this.#adaptive) return;
    const state = this.#state(topic);
    const timeout = leaderLatencyMs === undefined ? 0 : this.#availabilityTimeoutMs;
    let longest = -1;
    let shortest = Infinity;
    let count = 0;
    for (let i = 0; i < length; i++) {
      if (timeout > 0 && leaderLatencyMs![i]! > timeout) continue;
      const size = queueSizes[i]!;
      if (size > longest) longest = size;
      if (size < shortest) shortest = size;
      count++;
    }
    if (count === 0 || (count === length && longest === shortest)) {
      state.loadLength = 0;
      return;
    }
    if (state.cft.length < count) {
      state.cft = new Int32Array(length);
      state.ids = new Int32Array(length);
    }
    let total = 0;
    let at = 0;
    for (let i = 0; i < length; i++) {
      if (timeout > 0 && leaderLatencyMs![i]! > timeout) continue;
      total += longest + 1 - queueSizes[i]!;
      state.cft[at] = total;
      state.ids[at] = partitionIds[i]!;
      at++;
    }
    state.loadLength = count;
  }

  #state(topic: string): TopicState {
    if (topic === this.#lastTopic) return this.#lastState!;
    let state = this.#topics.get(topic);
    if (state === undefined) {
      state = {
        partition: -1,
        producedBytes: 0,
        previous: -1,
        cft: EMPTY,
        ids: EMPTY,
        loadLength: 0,
      };
      this.#topics.set(topic, state);
    }
    this.#lastTopic = topic;
    this.#lastState = state;
    return state;
  }

  #next(
    state: TopicState,
    topic: string,
    partitionCount: number,
    available: readonly number[] | undefined,
    current: number,
  ): number {
    if (state.loadLength > 0) {
      // Pushed statistics: binary search the cumulative table for a random point.
      const point = Math.floor(this.#random() * state.cft[state.loadLength - 1]!);
      let low = 0;
      let high = state.loadLength - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (state.cft[middle]! > point) high = middle;
        else low = middle + 1;
      }
      const chosen = state.ids[low]!;
      if (chosen < partitionCount) return chosen;
    }
    const candidates = available !== undefined && available.length > 0 ? available : undefined;
    const count = candidates?.length ?? partitionCount;
    if (count === 1) return candidates ? candidates[0]! : 0;
    const queues = this.#adaptive && state.loadLength === 0
      ? this.#queueSizes?.(topic, partitionCount)
      : undefined;
    if (queues !== undefined) {
      let longest = 0;
      for (let i = 0; i < count; i++) {
        longest = Math.max(longest, queues[candidates ? candidates[i]! : i] ?? 0);
      }
      if (longest > 0) {
        let total = 0;
        for (let i = 0; i < count; i++) {
          total += longest + 1 - (queues[candidates ? candidates[i]! : i] ?? 0);
        }
        let pick = this.#random() * total;
        for (let i = 0; i < count; i++) {
          pick -= longest + 1 - (queues[candidates ? candidates[i]! : i] ?? 0);
          if (pick < 0) return candidates ? candidates[i]! : i;
        }
        return candidates ? candidates[count - 1]! : count - 1;
      }
    }
    // Uniform among the others, so the partition just filled does not get a second run.
    let index = Math.floor(this.#random() * count);
    let chosen = candidates ? candidates[index]! : index;
    if (chosen === current) {
      index = (index + 1 + Math.floor(this.#random() * (count - 1))) % count;
      chosen = candidates ? candidates[index]! : index;
    }
    return chosen;
  }
}
