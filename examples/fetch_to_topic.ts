/**
 * Streams an NDJSON HTTP response into a topic:
 *
 *   fetch(url).body → NdjsonStream → ToRecordsStream → producer.writable
 *
 * and reports records/s. Runs on Deno, Bun and Node:
 *
 *   URL=http://127.0.0.1:8080/events.ndjson KAFKA_BOOTSTRAP=127.0.0.1:9092 TOPIC=events \
 *     deno run -A examples/fetch_to_topic.ts        (or: bun / node examples/fetch_to_topic.ts)
 *
 * @module
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { jsonSerializer, NdjsonStream, Producer, ToRecordsStream } from "../mod.ts";

/** Pipes the NDJSON at `url` into `topic`, keyed by `keyField` when given; resolves once every record is acknowledged. */
export async function fetchToTopic(
  options: { url: string; bootstrap: string; topic: string; keyField?: string },
): Promise<{ records: number; seconds: number; recordsPerSecond: number }> {
  const producer = new Producer<string, unknown>({
    bootstrapServers: options.bootstrap,
    valueSerializer: jsonSerializer,
  });
  const started = performance.now();
  let records = 0;
  try {
    const response = await fetch(options.url);
    if (!response.ok || response.body === null) {
      throw new Error(`GET ${options.url} answered ${response.status}`);
    }
    const keyField = options.keyField;
    await response.body
      .pipeThrough(new NdjsonStream<Record<string, unknown>>())
      .pipeThrough(
        new TransformStream<Record<string, unknown>[], Record<string, unknown>[]>({
          transform(chunk, controller) {
            records += chunk.length;
            controller.enqueue(chunk);
          },
        }),
      )
      .pipeThrough(
        new ToRecordsStream<Record<string, unknown>, string>(options.topic, {
          ...(keyField === undefined ? {} : { key: (event) => String(event[keyField]) }),
        }),
      )
      .pipeTo(producer.writable); // resolves once every record is acknowledged
  } finally {
    await producer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { records, seconds, recordsPerSecond: Math.round(records / seconds) };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await fetchToTopic({
    url: process.env.URL ?? "http://127.0.0.1:8080/events.ndjson",
    bootstrap: process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:9092",
    topic: process.env.TOPIC ?? "events",
  });
  console.log(
    `${result.records} records in ${
      result.seconds.toFixed(2)
    } s (${result.recordsPerSecond} records/s)`,
  );
}
