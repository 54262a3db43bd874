/**
 * The ingest logic the server examples share (bun_server.ts, deno_edge.ts, node_http.ts): one
 * POSTed body becomes one record, and the answer says where it was written.
 *
 * Backpressure without unbounded buffering: the producer's `maxBlockMs` is the bound. While
 * `bufferMemory` is full, `send()` waits for room up to `maxBlockMs`; after that it rejects
 * with a `TimeoutError` ("MAX_BLOCK_TIMEOUT"), nothing was appended, and the client gets 503
 * with `Retry-After`. So memory is `bufferMemory` plus the bodies of requests waiting at most
 * `maxBlockMs` each.
 *
 * @module
 */
import { KafkaError, Producer, RecordError, TimeoutError } from "../mod.ts";
import type { SecuritySettings } from "./kafka_env.ts";

/** What the server examples are started with. */
export interface IngestServerOptions {
  /** The brokers, e.g. "127.0.0.1:9092". */
  bootstrap: string;
  /** The topic each POST goes to. */
  topic: string;
  /** The port to listen on (0: any free one). */
  port?: number;
  /** How long a request may wait for buffer space before 503. @default 2000 */
  maxBlockMs?: number;
  /** The producer's byte budget. @default 32 MiB */
  bufferMemory?: number;
  /** TLS and SASL (e.g. `securityFromEnv()` of kafka_env.ts). @default PLAINTEXT */
  security?: SecuritySettings;
}

/** A running server example: where it listens, its producer, and how to stop it. */
export interface RunningIngestServer {
  url: string;
  producer: Producer<Uint8Array, Uint8Array>;
  /** Stops accepting requests, then delivers what is pending. */
  close(): Promise<void>;
}

/** The producer the server examples use: `maxBlockMs` is how long a request may wait. */
export function ingestProducer(options: IngestServerOptions): Producer<Uint8Array, Uint8Array> {
  return new Producer<Uint8Array, Uint8Array>({
    ...options.security,
    bootstrapServers: options.bootstrap,
    maxBlockMs: options.maxBlockMs ?? 2000,
    ...(options.bufferMemory === undefined ? {} : { bufferMemory: options.bufferMemory }),
  });
}

/** What an ingest request gets back (status, headers, JSON body). */
export interface IngestAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Seconds a client told to back off (503) should wait before retrying. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Produces `body` to `topic` (with `key`, if any) and says how it went: 200 with
 * `{ partition, offset }`, 503 + Retry-After when the buffer stayed full for `maxBlockMs`,
 * 413 for a record too large, 502 when the brokers failed it.
 */
export async function ingest(
  producer: Producer<Uint8Array, Uint8Array>,
  topic: string,
  body: Uint8Array,
  key: string | null,
): Promise<IngestAnswer> {
  const json = { "content-type": "application/json" };
  try {
    const metadata = await producer.send({
      topic,
      key: key === null ? null : new TextEncoder().encode(key),
      value: body,
    });
    return {
      status: 200,
      headers: json,
      body: JSON.stringify({ partition: metadata.partition, offset: String(metadata.offset) }),
    };
  } catch (error) {
    if (error instanceof TimeoutError && error.code === "MAX_BLOCK_TIMEOUT") {
      return {
        status: 503,
        headers: { ...json, "retry-after": String(RETRY_AFTER_SECONDS) },
        body: JSON.stringify({ error: "busy: the producer's buffer is full, retry later" }),
      };
    }
    if (error instanceof RecordError && error.code === "RECORD_TOO_LARGE") {
      return { status: 413, headers: json, body: JSON.stringify({ error: error.message }) };
    }
    const code = error instanceof KafkaError ? error.code : "UNKNOWN";
    return {
      status: 502,
      headers: json,
      body: JSON.stringify({ error: (error as Error).message, code }),
    };
  }
}

/**
 * A fetch-style handler (`Request` → `Response`) for `Deno.serve` and `Bun.serve`: POST a
 * body to produce it, with an optional `?key=` query parameter.
 */
export function ingestHandler(
  producer: Producer<Uint8Array, Uint8Array>,
  topic: string,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "POST") {
      return new Response("POST a body to produce it\n", {
        status: 405,
        headers: { allow: "POST" },
      });
    }
    const key = new URL(request.url).searchParams.get("key");
    const body = new Uint8Array(await request.arrayBuffer());
    const answer = await ingest(producer, topic, body, key);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
