import { callUserCode, handleIfThenable, UserCodeFailure } from "../errors/call_user_code.ts";
import { RecordError } from "../errors/client_errors.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import type { RecordHeader } from "../protocol/record_batch.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import { checkRecordTimestamp } from "../record/record_timestamp.ts";
import { checkTopicName } from "../record/topic_name.ts";
import type { SerializedRecord } from "../record/serialized_record.ts";
import {
  encodeUtf8,
  jsonSerializer,
  jsonText,
  type Serializer,
  stringSerializer,
} from "./serializer.ts";
import { Utf8Scratch } from "./utf8_scratch.ts";

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

const NO_TOPIC = Symbol("no topic");

const noop = () => {};

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
  if (typeof data === "object") {
    if (data === null) return "an object (null prototype)";
    const name = constructorName(data);
    return name === "Array" ? "an array" : `an object (${name})`;
  }
  return `a ${typeof data}`;
}

/**
 * The name of an object's constructor, for messages, or "null prototype"; read without
 * letting a getter or Proxy trap throw (it is the user's object).
 */
function constructorName(value: object): string {
  try {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === null) return "null prototype";
    const name = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value?.name;
    return typeof name === "string" && name !== "" ? name : "anonymous";
  } catch {
    return "unknown";
  }
}

/**
 * True for `{ name: value }` objects: a null prototype, or one whose prototype is an
 * `Object.prototype` (of any realm). Class instances (Map, Date, Uint8Array, …) are not.
 */
function isPlainObject(value: object): boolean {
  try {
    const prototype = Object.getPrototypeOf(value);
    return prototype === null || Object.getPrototypeOf(prototype) === null;
  } catch {
    return false;
  }
}

function isMap(value: unknown): boolean {
  try {
    return value instanceof Map;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/** Headers given in a shape that is neither of the two accepted ones. */
function invalidHeaders(headers: unknown, topic: string): TypeError {
  const what = typeof headers === "string"
    ? `"${headers}"`
    : typeof headers === "function"
    ? "a function"
    : isMap(headers)
    ? "a Map"
    : typeof headers === "object" && headers !== null
    ? `an object (${constructorName(headers)})`
    : describeThrown(headers);
  return new TypeError(
    `Invalid headers for topic "${topic}": ${what} is neither an object of header values nor ` +
      `an array of [name, value] pairs${
        isMap(headers) ? ": pass [...map] (or Object.fromEntries(map))" : ""
      }`,
  );
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
 * Headers are a plain object (`{ name: value }`, null prototype allowed) or an array of
 * `[name, value]` pairs (names may repeat); any other shape (a string, a number, a Map, a class
 * instance) is a `TypeError`, never read as headers.
 *
 * Errors: `TypeError` for a bad record, topic, partition, timestamp, headers or header name, or
 * an undefined value; `RecordError` with code "SERIALIZATION" (and the serializer's error as
 * `cause`) when a value cannot be serialized or a serializer returns something other than
 * bytes or null.
 *
 * With `reuseBuffers`, a call given `into` may return keys and values that are views of
 * buffers the next such call overwrites: strings encoded by the default serializer,
 * `stringSerializer` or `jsonSerializer` go into one reused buffer for keys and one for values
 * (see {@linkcode Utf8Scratch}: no ArrayBuffer per record on V8). The caller must copy or use
 * the bytes before it serializes the next record that way. Calls without `into` always return
 * bytes of their own.
 *
 * @param serializers The key, value and header value serializers.
 * @param options `reuseBuffers`, see above. @default {reuseBuffers: false}
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
  options: { reuseBuffers?: boolean } = {},
): (record: ProducerRecord<K, V>, into?: SerializedRecord, now?: number) => SerializedRecord {
  const keySerializer = serializers.key;
  const valueSerializer = serializers.value;
  const headerSerializer = serializers.header;
  const keyScratch = options.reuseBuffers ? new Utf8Scratch() : undefined;
  const valueScratch = options.reuseBuffers ? new Utf8Scratch() : undefined;
  // Topics seen valid: the regular expression runs once per topic, not per record. Bounded,
  // so a stream of random topic names cannot grow it without limit.
  const validTopics = new Set<string>();

  function run<T>(
    serializer: Serializer<T> | undefined,
    data: T,
    topic: string,
    what: string,
    scratch?: Utf8Scratch,
  ): Uint8Array | null {
    if (scratch !== undefined) {
      // The built-in string serializers, straight into the reused buffer (same bytes, same
      // errors as calling them).
      if (serializer === undefined || serializer === stringSerializer) {
        if (typeof data === "string") return scratch.encode(data);
      } else if (serializer === jsonSerializer) {
        const text = callUserCode(jsonText, undefined, data);
        if (typeof text === "string") return scratch.encode(text);
        if (text === null) return null;
        throw serializerFailed(text, topic, what);
      }
    }
    if (serializer === undefined) return defaultBytes(data, what);
    const bytes = callUserCode(serializer, undefined, data, topic);
    if (bytes instanceof Uint8Array || bytes === null) return bytes; // the usual case first
    if (bytes instanceof UserCodeFailure) throw serializerFailed(bytes, topic, what);
    handleIfThenable(bytes, noop); // an async serializer: its rejection is not left unhandled
    throw new RecordError(
      `Cannot serialize the record's ${what} for "${topic}": the ${
        SERIALIZER_FIELD[what]
      } returned ${describe(bytes)}, not a Uint8Array or null`,
      "SERIALIZATION",
    );
  }

  // The last topic found valid: records mostly come in runs of one topic. Starts as a value
  // no record's topic can equal (undefined would let a first record without a topic through).
  let lastValidTopic: unknown = NO_TOPIC;

  // Set while a record is serialized into the reused buffers: a serializer (or a toJSON) that
  // sends another record from inside would otherwise encode that record's key into the buffer
  // that still holds this one's. The inner record gets arrays of its own.
  let buffersInUse = false;
  return (record, into, now) => {
    if (into === undefined || keyScratch === undefined || buffersInUse) {
      return serializeOne(record, into, now, undefined, undefined);
    }
    buffersInUse = true;
    try {
      return serializeOne(record, into, now, keyScratch, valueScratch);
    } finally {
      buffersInUse = false;
    }
  };

  function serializeOne(
    record: ProducerRecord<K, V>,
    into: SerializedRecord | undefined,
    now: number | undefined,
    keyBuffer: Utf8Scratch | undefined,
    valueBuffer: Utf8Scratch | undefined,
  ): SerializedRecord {
    if (record === null || typeof record !== "object") {
      throw new TypeError(
        `Invalid record: ${
          typeof record === "function" ? "a function" : describeThrown(record)
        } must be an object with "topic" and "value"`,
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
      : run(keySerializer, record.key, topic, "key", keyBuffer);
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
    const value = run(
      valueSerializer,
      givenValue as V,
      topic,
      "value",
      valueBuffer,
    );
    let headers: RecordHeader[] | undefined;
    const givenHeaders = record.headers;
    if (givenHeaders !== undefined && givenHeaders !== null) {
      headers = [];
      if (Array.isArray(givenHeaders)) {
        for (let i = 0; i < givenHeaders.length; i++) {
          const entry = givenHeaders[i];
          const name = Array.isArray(entry) && entry.length === 2 ? entry[0] : undefined;
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
        // Exactly the documented shapes: anything else (a string, whose characters would
        // become headers "0", "1", …; a Map or a number, which have no own keys) is refused.
        if (typeof givenHeaders !== "object" || !isPlainObject(givenHeaders)) {
          throw invalidHeaders(givenHeaders, topic);
        }
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
  }
}

/** A serializer threw: its RecordError as it is, anything else wrapped in one. */
function serializerFailed(failure: UserCodeFailure, topic: string, what: string): RecordError {
  if (failure.thrown instanceof RecordError) return failure.thrown;
  return new RecordError(
    `Cannot serialize the record's ${what} for "${topic}": ${failure.description}`,
    "SERIALIZATION",
    { cause: failure.thrown },
  );
}

/** An unset header value is refused like an unset record value: only null means "no value". */
function undefinedHeader(name: string, topic: string): TypeError {
  return new TypeError(
    `Invalid header "${name}" for topic "${topic}": its value is undefined; pass null for a header without a value`,
  );
}

function quote(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : describeThrown(value);
}
