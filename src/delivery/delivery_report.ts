import type { KafkaError } from "../errors/kafka_error.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";

/**
 * The outcome of one record, as read from `producer.deliveries`: either `metadata` (it was
 * acknowledged) or `error` (it failed for good and was not written, or its outcome is
 * unknown after a timeout).
 *
 * @example Count failures from the deliveries stream
 * ```ts
 * import type { DeliveryReport } from "./delivery_report.ts";
 * const report: DeliveryReport = {
 *   record: { topic: "events", value: "a" },
 *   metadata: { topic: "events", partition: 0, offset: 5n, timestamp: 0, serializedKeySize: -1, serializedValueSize: 1 },
 *   error: undefined,
 * };
 * if (report.error !== undefined || report.metadata?.offset !== 5n) throw new Error();
 * ```
 */
export interface DeliveryReport {
  /** The record as it was sent (after `onSend` interceptors). */
  record: ProducerRecord;
  /** Where the record was written; undefined when it failed. */
  metadata: RecordMetadata | undefined;
  /** Why the record failed; undefined when it was acknowledged. */
  error: KafkaError | undefined;
}
