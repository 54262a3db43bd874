import type { HeaderValue, ProducerRecord } from "../record/producer_record.ts";
import { checkTopicName } from "../record/topic_name.ts";

/** Options for {@linkcode ToRecordsStream}. */
export interface ToRecordsOptions<T, K> {
  /** Derives each record's key from its value (e.g. `(event) => event.userId`). */
  key?: (value: T) => K | null;
  /** Headers for every record, or a function deriving them from the value. */
  headers?: Record<string, HeaderValue> | ((value: T) => Record<string, HeaderValue>);
  /** A fixed partition for every record. */
  partition?: number;
}

/**
 * Maps arrays of values to arrays of records for `topic`, ready for `producer.writable`.
 * Values that are not strings or bytes need a value serializer (e.g. `jsonSerializer`) on the
 * producer.
 *
 * @example Build records from NDJSON values
 * ```ts
 * import { ToRecordsStream } from "./to_records_stream.ts";
 * const values = ReadableStream.from([[{ id: "a" }, { id: "b" }]]);
 * const records = values.pipeThrough(new ToRecordsStream<{ id: string }, string>("events", { key: (v) => v.id }));
 * for await (const chunk of records) if (chunk[1]!.key !== "b" || chunk[1]!.topic !== "events") throw new Error();
 * ```
 */
export class ToRecordsStream<T, K = unknown>
  extends TransformStream<readonly T[] | T, ProducerRecord<K, T>[]> {
  /**
   * Creates the stream.
   *
   * @param topic The topic of every record.
   * @throws {TypeError} When `topic` is not a valid Kafka topic name.
   * @param options How to derive keys, headers and the partition.
   */
  constructor(topic: string, options: ToRecordsOptions<T, K> = {}) {
    checkTopicName(topic); // here, not when the first record reaches the producer
    const { key, headers, partition } = options;
    super({
      transform(chunk, controller) {
        const values = Array.isArray(chunk) ? chunk as readonly T[] : [chunk as T];
        const records: ProducerRecord<K, T>[] = new Array(values.length);
        for (let i = 0; i < values.length; i++) {
          const value = values[i]!;
          const record: ProducerRecord<K, T> = { topic, value };
          if (key !== undefined) record.key = key(value);
          if (headers !== undefined) {
            record.headers = typeof headers === "function" ? headers(value) : headers;
          }
          if (partition !== undefined) record.partition = partition;
          records[i] = record;
        }
        controller.enqueue(records);
      },
    });
  }
}
