import type { RecordMetadata } from "../record/record_metadata.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import type {
  TransactionGroupMetadata,
  TransactionOffset,
} from "../transaction/transaction_offsets.ts";

/**
 * What `Producer.transaction(work)` hands `work`: the open transaction's operations. Records
 * sent here commit together when `work` resolves, or are aborted when it throws.
 *
 * @example
 * ```ts
 * import type { ProducerTransaction } from "./producer_transaction.ts";
 * const copy = async (tx: ProducerTransaction<string, string>) => {
 *   await tx.send({ topic: "out", value: "v" });
 *   await tx.sendOffsets([{ topic: "in", partition: 0, offset: 1n }], "copier");
 * };
 * if (typeof copy !== "function") throw new Error();
 * ```
 */
export interface ProducerTransaction<K = unknown, V = unknown> {
  /** `Producer.send()` inside the transaction. */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  /** `Producer.sendOffsetsToTransaction()` inside the transaction. */
  sendOffsets(
    offsets: readonly TransactionOffset[],
    group: string | TransactionGroupMetadata,
  ): Promise<void>;
}
