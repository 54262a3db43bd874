import type { TxnOffsetCommitTopic } from "../protocol/txn_offset_commit.ts";

/** One partition's offset for `sendOffsetsToTransaction()` (Java's `OffsetAndMetadata`). */
export interface TransactionOffset {
  /** The consumed topic. */
  topic: string;
  /** The consumed partition. */
  partition: number;
  /** The next offset the group should read (the last processed offset + 1). */
  offset: bigint | number;
  /** Free text stored with the offset. @default null */
  metadata?: string | null | undefined;
  /** The leader epoch of the last consumed record, when known. @default -1 */
  leaderEpoch?: number | undefined;
}

/**
 * The consumer group whose offsets commit with a transaction (Java's
 * `ConsumerGroupMetadata`): with the generation and member id the group coordinator fences a
 * zombie consumer; a plain group id (or -1 and "") commits for a group without members.
 */
export interface TransactionGroupMetadata {
  /** The group id. */
  groupId: string;
  /** The group's generation (classic) or the member epoch (KIP-848). @default -1 */
  generationId?: number | undefined;
  /** The consumer's member id. @default "" */
  memberId?: string | undefined;
  /** The consumer's `group.instance.id`. @default null */
  groupInstanceId?: string | null | undefined;
}

/**
 * Checks `sendOffsetsToTransaction()`'s offsets and groups them by topic, as TxnOffsetCommit
 * carries them.
 *
 * @param offsets The caller's offsets.
 * @returns One entry per topic.
 * @throws {TypeError} For an entry without a topic, a negative or fractional partition or
 * offset.
 *
 * @example
 * ```ts
 * import { checkOffsets } from "./transaction_offsets.ts";
 * const topics = checkOffsets([{ topic: "in", partition: 0, offset: 5 }, { topic: "in", partition: 1, offset: 7n }]);
 * if (topics.length !== 1 || topics[0]!.partitions[1]!.committedOffset !== 7n) throw new Error();
 * ```
 */
export function checkOffsets(offsets: readonly TransactionOffset[]): TxnOffsetCommitTopic[] {
  if (!Array.isArray(offsets)) {
    throw new TypeError(
      `Invalid offsets: expected an array of { topic, partition, offset }, got ${typeof offsets}`,
    );
  }
  const topics = new Map<string, TxnOffsetCommitTopic>();
  for (const entry of offsets) {
    const { topic, partition, offset } = entry ?? {};
    if (typeof topic !== "string" || topic === "") {
      throw new TypeError(`Invalid offsets: each entry needs a topic name, got ${String(topic)}`);
    }
    if (!Number.isInteger(partition) || partition < 0) {
      throw new TypeError(
        `Invalid offsets: partition "${String(partition)}" of "${topic}" must be an integer >= 0`,
      );
    }
    const committed = typeof offset === "bigint"
      ? offset
      : Number.isSafeInteger(offset)
      ? BigInt(offset)
      : undefined;
    if (committed === undefined || committed < 0n) {
      throw new TypeError(
        `Invalid offsets: offset "${
          String(offset)
        }" of "${topic}"-${partition} must be an integer >= 0 (the next offset to read)`,
      );
    }
    let entryTopic = topics.get(topic);
    if (entryTopic === undefined) {
      entryTopic = { name: topic, partitions: [] };
      topics.set(topic, entryTopic);
    }
    entryTopic.partitions.push({
      partitionIndex: partition,
      committedOffset: committed,
      committedLeaderEpoch: entry.leaderEpoch ?? -1,
      committedMetadata: entry.metadata ?? null,
    });
  }
  return [...topics.values()];
}

/**
 * Checks the group metadata of `sendOffsetsToTransaction()`.
 *
 * @throws {TypeError} Without a non-empty `groupId`.
 *
 * @example
 * ```ts
 * import { checkGroup } from "./transaction_offsets.ts";
 * checkGroup({ groupId: "copier" });
 * ```
 */
export function checkGroup(group: TransactionGroupMetadata): void {
  if (
    typeof group !== "object" || group === null || typeof group.groupId !== "string" ||
    group.groupId === ""
  ) {
    throw new TypeError(
      `Invalid group metadata: expected { groupId, generationId?, memberId?, groupInstanceId? } with a non-empty groupId`,
    );
  }
}
