import { RecordError } from "../errors/client_errors.ts";
import type { RecordHeader } from "../protocol/record_batch.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import { checkRecordTimestamp } from "../record/record_timestamp.ts";
import { checkTopicName } from "../record/topic_name.ts";
import type { SerializedRecord } from "../record/serialized_record.ts";
import { encodeUtf8, type Serializer } from "./serializer.ts";

/**
 * Serializers for each part of a record; unset parts use the default (Uint8Array as is,
 * strings as UTF-8, null as null).
 */
export interface RecordSerializers<K, V> {
  /** Key serializer (`keySerializer`; Java `key.serializer`). @default bytes or UTF-8 */
  key?: Serializer<K> | undefined;
  /** Value serializer (`valueSerializer`; Java `value.serializer`). @default bytes or UTF-8 */
  value?: Serializer<V> | undefined;
  /** Header value serializer (`headerSerializer`). @default bytes or UTF-8 */
  header?: Serializer<unknown> | undefined;
}

/** The config field that sets the serializer for `what`, for error messages. */
const SERIALIZER_FIELD: Record<string, string> = {
  key: "keySerializer",
  value: "valueSerializer",
  "header value": "headerSerializer",
};

/** The default for unconfigured parts: bytes pass through, strings become UTF-8. */
function defaultBytes(data: unknown, what: string): Uint8Array | null {
  if (data === null || data === undefined) return null;
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return encodeUtf8(data);
  throw new RecordError(
    `Cannot serialize the record's ${what}: it is ${describe(data)}, not a string or ` +
      `Uint8Array; configure a serializer (e.g. ${SERIALIZER_FIELD[what]}: jsonSerializer)`,
    "SERIALIZATION",
  );
}

function describe(data: unknown): string {
  if (Array.isArray(data)) return "an array";
  if (typeof data === "object") return `an object (${data?.constructor?.name ?? "null prototype"})`;
  return `a ${typeof data}`;
}

/**
 * Builds the function that turns a `ProducerRecord` into a `SerializedRecord`: validates the
 * topic, partition and timestamp, and runs the serializers (one function per record; no
 * closures, spreads or copies of the payload). Unset serializers use the default: a
 * Uint8Array passes through, a string becomes UTF-8, null stays null, anything else is an
 * error that says which serializer to configure.
 *
 * Only an explicit null value is a tombstone: an undefined or missing `value` (or header
 * value) is a `TypeError`, never a null.
 *
 * Errors: `TypeError` for a bad record, topic, partition, timestamp or header name, or an
 * undefined value; `RecordError` with code "SERIALIZATION" (and the serializer's error as
 * `cause`) when a value cannot be serialized or a serializer returns something other than
 * bytes or null.
 *
 * @param serializers The key, value and header value serializers.
 * @returns The per-record serialization function.
 *
 * @example Strings and bytes need no serializer
 * ```ts
 * import { createRecordSerializer } from "./serialize_record.ts";
 * const serialize = createRecordSerializer<string, string>({});
 * const record = serialize({ topic: "t", key: "k", value: "v", headers: { h: "x" }, timestamp: 5 });
 * if (record.key![0] !== 107 || record.headers![0]!.key !== "h" || record.timestamp !== 5) throw new Error();
 * if (record.partition !== -1) throw new Error("not partitioned yet");
 * ```
 *
 * @example Objects need a serializer
 * ```ts
 * import { createRecordSerializer } from "./serialize_record.ts";
 * import { jsonSerializer } from "./serializer.ts";
 * const serialize = createRecordSerializer<string, { n: number }>({ value: jsonSerializer });
 * const record = serialize({ topic: "t", value: { n: 1 } });
 * if (new TextDecoder().decode(record.value!) !== '{"n":1}') throw new Error();
 * ```
 */
export function createRecordSerializer<K, V>(
  serializers: RecordSerializers<K, V>,
): (record: ProducerRecord<K, V>, into?: SerializedRecord, now?: number) => SerializedRecord {
  const keySerializer = serializers.key;
  const valueSerializer = serializers.value;
  const headerSerializer = serializers.header;
  // Topics seen valid: the regular expression runs once per topic, not per record. Bounded,
  // so a stream of random topic names cannot grow it without limit.
  const validTopics = new Set<string>();

  function run<T>(
    serializer: Serializer<T> | undefined,
    data: T,
    topic: string,
    what: string,
  ): Uint8Array | null {
    if (serializer === undefined) return defaultBytes(data, what);
    let bytes: Uint8Array | null;
    try {
      bytes = serializer(data, topic);
    } catch (error) {
      if (error instanceof RecordError) throw error;
      throw new RecordError(
        `Cannot serialize the record's ${what} for "${topic}": ${
          error instanceof Error ? error.message : String(error)
        }`,
        "SERIALIZATION",
        { cause: error },
      );
    }
    if (bytes !== null && !(bytes instanceof Uint8Array)) {
      throw new RecordError(
        `Cannot serialize the record's ${what} for "${topic}": the ${
          SERIALIZER_FIELD[what]
        } returned ${describe(bytes)}, not a Uint8Array or null`,
        "SERIALIZATION",
      );
    }
    return bytes;
  }

  // The last topic found valid: records mostly come in runs of one topic.
  let lastValidTopic: string | undefined;

  return (record, into, now) => {
    if (record === null || typeof record !== "object") {
      throw new TypeError(
        `Invalid record: ${String(record)} must be an object with "topic" and "value"`,
      );
    }
    const topic = record.topic;
    if (topic !== lastValidTopic) {
      if (!validTopics.has(topic)) {
        checkTopicName(topic);
        if (validTopics.size < 10_000) validTopics.add(topic);
      }
      lastValidTopic = topic;
    }
    let partition = -1;
    const givenPartition = record.partition;
    if (givenPartition !== undefined && givenPartition !== null) {
      if (
        typeof givenPartition !== "number" || !Number.isInteger(givenPartition) ||
        givenPartition < 0 || givenPartition > 2147483647
      ) {
        throw new TypeError(
          `Invalid partition ${
            quote(givenPartition)
          } for topic "${topic}": must be a non-negative integer`,
        );
      }
      partition = givenPartition;
    }
    let timestamp: number;
    const givenTimestamp = record.timestamp;
    if (givenTimestamp === undefined || givenTimestamp === null) timestamp = now ?? Date.now();
    else if (givenTimestamp instanceof Date) timestamp = givenTimestamp.getTime();
    else timestamp = givenTimestamp;
    // Kafka timestamps are whole milliseconds (int64), and the batch writer takes safe integers:
    // anything else must be refused here, before a reservation is made for the record.
    checkRecordTimestamp(timestamp, topic, givenTimestamp);
    const key = record.key === undefined || record.key === null
      ? null
      : run(keySerializer, record.key, topic, "key");
    // Only an explicit null is a tombstone: an unset value (a field never filled in, a typo)
    // would otherwise delete the key in a compacted topic.
    const givenValue = record.value;
    if (givenValue === undefined) {
      throw new TypeError(
        `Invalid record for topic "${topic}": ${
          "value" in record ? "its value is undefined" : "it has no value"
        }; pass null for a tombstone (it deletes the key in a compacted topic)`,
      );
    }
    const value = run(valueSerializer, givenValue as V, topic, "value");
    let headers: RecordHeader[] | undefined;
    const givenHeaders = record.headers;
    if (givenHeaders !== undefined && givenHeaders !== null) {
      headers = [];
      if (Array.isArray(givenHeaders)) {
        for (let i = 0; i < givenHeaders.length; i++) {
          const entry = givenHeaders[i];
          const name = Array.isArray(entry) ? entry[0] : undefined;
          if (typeof name !== "string") {
            throw new TypeError(
              `Invalid header ${i} for topic "${topic}": must be a [name, value] pair with a string name`,
            );
          }
          const headerValue = entry![1];
          if (headerValue === undefined) throw undefinedHeader(name, topic);
          headers.push({
            key: name,
            value: run<unknown>(headerSerializer, headerValue, topic, "header value"),
          });
        }
      } else {
        for (const name of Object.keys(givenHeaders)) {
          const headerValue = givenHeaders[name];
          if (headerValue === undefined) throw undefinedHeader(name, topic);
          headers.push({
            key: name,
            value: run<unknown>(headerSerializer, headerValue, topic, "header value"),
          });
        }
      }
    }
    if (into === undefined) return { topic, partition, key, value, headers, timestamp };
    // Filling the caller's object: the producer's synchronous path allocates nothing here.
    into.topic = topic;
    into.partition = partition;
    into.key = key;
    into.value = value;
    into.headers = headers;
    into.timestamp = timestamp;
    return into;
  };
}

/** An unset header value is refused like an unset record value: only null means "no value". */
function undefinedHeader(name: string, topic: string): TypeError {
  return new TypeError(
    `Invalid header "${name}" for topic "${topic}": its value is undefined; pass null for a header without a value`,
  );
}

function quote(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}
