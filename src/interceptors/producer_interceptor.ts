import type { ProducerRecord } from "../record/producer_record.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";

/**
 * Sees (and may replace) every record before it is serialized, and every record's outcome.
 * A throwing interceptor is isolated: the error (whatever was thrown) is logged and the record
 * goes on unchanged; nothing an interceptor does can fail another record or the producer.
 * Interceptors are synchronous: an `onSend` that returns a Promise fails its record with a
 * `TypeError`; a Promise from `onAcknowledgement` or `close` is not awaited (a rejection is
 * logged).
 *
 * @example Add a header to every record
 * ```ts
 * import type { ProducerInterceptor } from "./producer_interceptor.ts";
 * const stamp: ProducerInterceptor = {
 *   onSend: (record) => ({ ...record, headers: { ...(record.headers as Record<string, string>), via: "sluice" } }),
 * };
 * const out = stamp.onSend!({ topic: "t", value: "v" }) as { headers: Record<string, string> };
 * if (out.headers.via !== "sluice") throw new Error();
 * ```
 */
export interface ProducerInterceptor {
  /** Returns the record to send (or nothing to keep it as is), synchronously. */
  onSend?(record: ProducerRecord): ProducerRecord | void;
  /** Called once per record: with metadata when acknowledged, with the error when it failed. */
  onAcknowledgement?(
    metadata: RecordMetadata | undefined,
    error: Error | undefined,
    record: ProducerRecord,
  ): void;
  /** Called when the producer closes. */
  close?(): void;
}
