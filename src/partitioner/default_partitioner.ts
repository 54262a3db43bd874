import type { SerializedRecord } from "../record/serialized_record.ts";
import { murmur2, toPositive } from "./murmur2.ts";

/** Options for {@linkcode DefaultPartitioner}. */
export interface DefaultPartitionerOptions {
  /** Bytes produced to a sticky partition before switching (Java: `batch.size`). */
  batchSize: number;
  /** Treat keyed records like keyless ones (`partitioner.ignore.keys`). @default false */
  ignoreKeys?: boolean;
  /** Weight the next sticky partition by queue sizes (`partitioner.adaptive.partitioning.enable`). @default true */
  adaptive?: boolean;
  /**
   * Queue length (batches waiting) of each partition of a topic, for adaptive weighting. A
   * partition whose broker is slow has a longer queue and is chosen less often.
   */
  queueSizes?: (topic: string, partitionCount: number) => ArrayLike<number> | undefined;
}

interface StickyState {
  partition: number;
  producedBytes: number;
}

/**
 * Java's built-in partitioning (Kafka 3.3+, KIP-794):
 * - an explicit partition wins (handled by the producer);
 * - keyed records go to `toPositive(murmur2(key)) % partitionCount` over all partitions;
 * - keyless records (or all, with `ignoreKeys`) stick to one partition until `batchSize`
 *   bytes went to it, then switch: uniformly among partitions with a leader, or, adaptive,
 *   with probability inversely related to each partition's queue length.
 *
 * Per record it does O(1) work and allocates nothing; the weighted choice runs once per switch.
 *
 * @example
 * ```ts
 * import { DefaultPartitioner } from "./default_partitioner.ts";
 * const partitioner = new DefaultPartitioner({ batchSize: 100 });
 * const record = { topic: "t", partition: -1, key: new TextEncoder().encode("21"), value: null, headers: undefined, timestamp: 0 };
 * if (partitioner.partition(record, 10) !== (-973932308 & 0x7fffffff) % 10) throw new Error();
 * ```
 */
export class DefaultPartitioner {
  readonly #batchSize: number;
  readonly #ignoreKeys: boolean;
  readonly #adaptive: boolean;
  readonly #queueSizes: DefaultPartitionerOptions["queueSizes"];
  readonly #sticky = new Map<string, StickyState>();

  /** @param options Batch size, key handling and adaptive weighting. */
  constructor(options: DefaultPartitionerOptions) {
    this.#batchSize = options.batchSize;
    this.#ignoreKeys = options.ignoreKeys ?? false;
    this.#adaptive = options.adaptive ?? true;
    this.#queueSizes = options.queueSizes;
  }

  /**
   * Chooses a partition for a record without an explicit one.
   *
   * @param available Partitions with a leader (keyless records avoid the others).
   */
  partition(
    record: SerializedRecord,
    partitionCount: number,
    available?: readonly number[],
  ): number {
    if (record.key !== null && !this.#ignoreKeys) {
      return toPositive(murmur2(record.key)) % partitionCount;
    }
    let state = this.#sticky.get(record.topic);
    if (state === undefined) {
      state = { partition: -1, producedBytes: 0 };
      this.#sticky.set(record.topic, state);
    }
    if (state.partition < 0 || state.partition >= partitionCount) {
      state.partition = this.#next(record.topic, partitionCount, available, -1);
      state.producedBytes = 0;
    }
    return state.partition;
  }

  /** Tells the partitioner a record of `bytes` went to `partition`; may switch the sticky one. */
  recordAppended(
    topic: string,
    partition: number,
    bytes: number,
    partitionCount = 0,
    available?: readonly number[],
  ): void {
    const state = this.#sticky.get(topic);
    if (state === undefined || state.partition !== partition) return;
    state.producedBytes += bytes;
    if (state.producedBytes >= this.#batchSize) {
      // Switch now, so the next record starts a new batch on another partition.
      state.partition = partitionCount > 0
        ? this.#next(topic, partitionCount, available, partition)
        : -1;
      state.producedBytes = 0;
    }
  }

  #next(
    topic: string,
    partitionCount: number,
    available: readonly number[] | undefined,
    current: number,
  ): number {
    const candidates = available !== undefined && available.length > 0 ? available : undefined;
    const count = candidates?.length ?? partitionCount;
    if (count === 1) return candidates ? candidates[0]! : 0;
    const queues = this.#adaptive ? this.#queueSizes?.(topic, partitionCount) : undefined;
    if (queues !== undefined) {
      // Weight = (longest queue + 1 - own queue): an idle partition is most likely, the
      // most backed-up one least (but never impossible, so load stays observable).
      let longest = 0;
      for (let i = 0; i < count; i++) {
        longest = Math.max(longest, queues[candidates ? candidates[i]! : i] ?? 0);
      }
      if (longest > 0) {
        let total = 0;
        for (let i = 0; i < count; i++) {
          total += longest + 1 - (queues[candidates ? candidates[i]! : i] ?? 0);
        }
        let pick = Math.random() * total;
        for (let i = 0; i < count; i++) {
          pick -= longest + 1 - (queues[candidates ? candidates[i]! : i] ?? 0);
          if (pick < 0) return candidates ? candidates[i]! : i;
        }
      }
    }
    // Uniform among the others, so consecutive batches spread out.
    let index = Math.floor(Math.random() * count);
    let chosen = candidates ? candidates[index]! : index;
    if (chosen === current) {
      index = (index + 1 + Math.floor(Math.random() * (count - 1))) % count;
      chosen = candidates ? candidates[index]! : index;
    }
    return chosen;
  }
}
