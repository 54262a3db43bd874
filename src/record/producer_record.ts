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
  /** The topic to produce to. */
  topic: string;
  /** The key (serialized by `keySerializer`); keyed records of one key go to one partition. */
  key?: K | null | undefined;
  /**
   * The value (serialized by `valueSerializer`); null is a tombstone. Required: an undefined
   * or missing value is refused with a `TypeError` (it would delete the key in a compacted
   * topic).
   */
  value: V | null;
  /**
   * Headers, as a plain object (`{ name: value }`) or as [name, value] pairs (names may
   * repeat, order is kept). Nothing else: a Map (pass `[...map]`), a string or any other value
   * is refused with a `TypeError`.
   */
  headers?: Record<string, HeaderValue> | Array<[string, HeaderValue]> | undefined;
  /** A fixed partition; otherwise the partitioner chooses. */
  partition?: number | undefined;
  /**
   * Milliseconds since the epoch (whole, 0 to `Number.MAX_SAFE_INTEGER`), or a Date; anything
   * else is refused with a `TypeError` before the record is buffered.
   */
  timestamp?: number | Date | undefined;
}
