/** A header value: a string (sent as UTF-8), bytes, or null. */
export type HeaderValue = string | Uint8Array | null;

/**
 * A record to produce. `key` and `value` go through the producer's serializers (strings and
 * bytes need none); `partition` overrides the partitioner; `timestamp` defaults to now.
 *
 * @example
 * ```ts
 * import type { ProducerRecord } from "./producer_record.ts";
 * const record: ProducerRecord<string, string> = { topic: "events", key: "user-1", value: "clicked", headers: { source: "web" } };
 * if (record.topic !== "events") throw new Error();
 * ```
 */
export interface ProducerRecord<K = unknown, V = unknown> {
  topic: string;
  key?: K | null | undefined;
  value: V | null;
  headers?: Record<string, HeaderValue> | Array<[string, HeaderValue]> | undefined;
  partition?: number | undefined;
  /** Milliseconds since the epoch, or a Date. */
  timestamp?: number | Date | undefined;
}
