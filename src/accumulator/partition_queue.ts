import type { ProducerBatch } from "./producer_batch.ts";

/**
 * The batches waiting for one topic-partition, oldest first. The accumulator appends to the last
 * batch; the sender takes from the first. (The partition's sequence numbers are the transaction
 * manager's.)
 *
 * Invariants: batches are in the order their records were appended (retried batches go back
 * to the front, in sequence order), so records of a partition reach the broker in order;
 * `inFlight` counts this partition's batches whose Produce response is pending.
 *
 * @example
 * ```ts
 * import { PartitionQueue } from "./partition_queue.ts";
 * const queue = new PartitionQueue("events", 3);
 * if (queue.first !== undefined || queue.inFlight !== 0) throw new Error("not empty");
 * ```
 */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly batches: ProducerBatch[] = [];
  /** Batches of this partition in flight. */
  inFlight = 0;
  /** True while listed in the accumulator's active list. */
  active = false;

  /**
   * @param topic The topic.
   * @param partition The partition.
   */
  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** The oldest batch, the next one to send. */
  get first(): ProducerBatch | undefined {
    return this.batches[0];
  }

  /** The newest batch, the one appended to. */
  get last(): ProducerBatch | undefined {
    return this.batches[this.batches.length - 1];
  }

  /** Order number for the next batch created for this partition. */
  nextOrder = 0;

  /**
   * Puts a batch that failed retriably back where it belongs: before every batch created
   * after it. Retried batches therefore leave again in their original order.
   */
  requeue(batch: ProducerBatch): void {
    let index = 0;
    while (index < this.batches.length && this.batches[index]!.order < batch.order) index++;
    this.batches.splice(index, 0, batch);
  }
}
