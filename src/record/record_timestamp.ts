import { describeThrown } from "../errors/describe_thrown.ts";
import { MAX_TIMESTAMP_MS } from "../protocol/record_batch.ts";

/** The last instant a JavaScript `Date` can hold (ms): beyond it, a timestamp is no time. */
const MAX_DATE_MS = 8.64e15;

/**
 * Checks a record timestamp before anything is reserved or appended for it: whole
 * milliseconds since the epoch, from 0 to `MAX_TIMESTAMP_MS` (9007199254740991,
 * `Number.MAX_SAFE_INTEGER`, the largest the batch writer encodes exactly). Every path into the
 * accumulator checks with this (the serializer for `send()`, `writable` and `stages()`, the
 * sink stage for records changed after serialization, and the command line's byte path), so
 * the batch writer never refuses a record that already holds a reservation.
 *
 * @param timestamp The timestamp in ms.
 * @param topic The record's topic, for the message.
 * @param given What the caller gave (e.g. a Date), for the message. @default timestamp
 * @throws {TypeError} Naming the value, the topic and the limit (and hinting at micro- or
 * nanoseconds for values past the last valid Date).
 *
 * @example
 * ```ts
 * import { checkRecordTimestamp } from "./record_timestamp.ts";
 * checkRecordTimestamp(Date.now(), "events"); // fine
 * let refused = false;
 * try { checkRecordTimestamp(Date.now() * 1_000_000, "events"); } catch { refused = true; }
 * if (!refused) throw new Error("nanoseconds must be refused");
 * ```
 */
export function checkRecordTimestamp(
  timestamp: unknown,
  topic: string,
  given: unknown = timestamp,
): asserts timestamp is number {
  if (Number.isSafeInteger(timestamp) && (timestamp as number) >= 0) return;
  // describeThrown never throws (String() does, for an object with a null prototype).
  const shown = typeof given === "string" ? `"${given}"` : describeThrown(given);
  const hint = typeof timestamp === "number" && timestamp > MAX_DATE_MS
    ? `; ${shown} ms is past the last valid Date (year 275760): is it in micro- or nanoseconds?`
    : "";
  throw new TypeError(
    `Invalid timestamp ${shown} for topic "${topic}": must be a valid Date or non-negative ` +
      `whole milliseconds since the epoch, at most ${MAX_TIMESTAMP_MS} (Number.MAX_SAFE_INTEGER)` +
      hint,
  );
}
