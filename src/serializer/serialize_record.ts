import { RecordError } from "../errors/client_errors.ts";
import type { RecordHeader } from "../protocol/record_batch.ts";
import type { HeaderValue, ProducerRecord } from "../record/producer_record.ts";
import type { SerializedRecord } from "../record/serialized_record.ts";
import type { Serializer } from "./serializer.ts";

/** Serializers for each part of a record; unset parts use the default (bytes or strings). */
export interface RecordSerializers<K, V> {
  key?: Serializer<K> | undefined;
  value?: Serializer<V> | undefined;
  header?: Serializer<unknown> | undefined;
}

const encoder = new TextEncoder();
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

function defaultBytes(data: unknown, what: string): Uint8Array | null {
  if (data === null || data === undefined) return null;
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return encoder.encode(data);
  throw new RecordError(
    `Cannot serialize the record's ${what}: it is ${
      Array.isArray(data) ? "an array" : typeof data
    }, ` +
      `not a string or Uint8Array; configure a serializer (e.g. valueSerializer: jsonSerializer)`,
    "SERIALIZATION",
  );
}

/**
 * Builds the function that turns a `ProducerRecord` into a `SerializedRecord`: validates the
 * topic, partition and timestamp, and runs the serializers. Errors are `TypeError` for a bad
 * topic/partition/timestamp and `RecordError` ("SERIALIZATION") when a serializer fails.
 *
 * @example
 * ```ts
 * import { createRecordSerializer } from "./serialize_record.ts";
 * const serialize = createRecordSerializer<string, string>({});
 * const record = serialize({ topic: "t", key: "k", value: "v", headers: { h: "x" }, timestamp: 5 });
 * if (record.key![0] !== 107 || record.headers![0]!.key !== "h" || record.timestamp !== 5) throw new Error();
 * ```
 */
export function createRecordSerializer<K, V>(
  serializers: RecordSerializers<K, V>,
): (record: ProducerRecord<K, V>) => SerializedRecord {
  const { key: keySerializer, value: valueSerializer, header: headerSerializer } = serializers;
  const validTopics = new Set<string>();

  function serializeHeader(value: HeaderValue | unknown, topic: string): Uint8Array | null {
    if (headerSerializer !== undefined) return headerSerializer(value, topic);
    return defaultBytes(value, "header value");
  }

  function run<T>(
    serializer: Serializer<T> | undefined,
    data: T,
    topic: string,
    what: string,
  ): Uint8Array | null {
    if (serializer === undefined) return defaultBytes(data, what);
    try {
      return serializer(data, topic);
    } catch (error) {
      if (error instanceof RecordError) throw error;
      throw new RecordError(
        `Cannot serialize the record's ${what}: ${(error as Error).message}`,
        "SERIALIZATION",
        {
          cause: error,
        },
      );
    }
  }

  return (record) => {
    if (record === null || typeof record !== "object") {
      throw new TypeError(
        `Invalid record: expected an object with "topic" and "value", got ${record}`,
      );
    }
    const topic = record.topic;
    if (!validTopics.has(topic)) {
      if (
        typeof topic !== "string" || !TOPIC_PATTERN.test(topic) || topic === "." || topic === ".."
      ) {
        throw new TypeError(
          `Invalid topic "${topic}": must be 1-249 characters of a-z, A-Z, 0-9, ".", "_" or "-"`,
        );
      }
      if (validTopics.size < 10_000) validTopics.add(topic);
    }
    let partition = -1;
    if (record.partition !== undefined && record.partition !== null) {
      partition = record.partition;
      if (!Number.isInteger(partition) || partition < 0) {
        throw new TypeError(
          `Invalid partition ${partition} for topic "${topic}": must be a non-negative integer`,
        );
      }
    }
    let timestamp: number;
    const given = record.timestamp;
    if (given === undefined || given === null) timestamp = Date.now();
    else if (given instanceof Date) timestamp = given.getTime();
    else timestamp = given;
    if (!Number.isFinite(timestamp) || timestamp < 0) {
      throw new TypeError(
        `Invalid timestamp ${
          String(given)
        }: must be a Date or non-negative milliseconds since the epoch`,
      );
    }
    const key = record.key === undefined || record.key === null
      ? null
      : run(keySerializer, record.key, topic, "key");
    const value = run(valueSerializer, record.value as V, topic, "value");
    let headers: RecordHeader[] | undefined;
    const given_headers = record.headers;
    if (given_headers !== undefined && given_headers !== null) {
      headers = [];
      if (Array.isArray(given_headers)) {
        for (const [name, headerValue] of given_headers) {
          headers.push({ key: String(name), value: serializeHeader(headerValue, topic) });
        }
      } else {
        for (const name in given_headers) {
          headers.push({ key: name, value: serializeHeader(given_headers[name], topic) });
        }
      }
    }
    return { topic, partition, key, value, headers, timestamp };
  };
}
