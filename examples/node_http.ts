/**
 * The same ingest endpoint on `node:http` (Node >= 22.18; it also runs on Deno and Bun):
 * each POSTed body becomes one record; 503 + Retry-After while the buffer stays full (see
 * ingest.ts).
 *
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 TOPIC=events PORT=3000 node examples/node_http.ts
 *   curl -d 'hello' 'http://127.0.0.1:3000/?key=k'
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  ingest,
  ingestProducer,
  type IngestServerOptions,
  type RunningIngestServer,
} from "./ingest.ts";
import { securityFromEnv } from "./kafka_env.ts";

/** Starts the server; `close()` stops it, then delivers what is pending. */
export async function startNodeHttp(
  options: IngestServerOptions,
): Promise<RunningIngestServer> {
  const producer = ingestProducer(options);
  const server = createServer(async (request, response) => {
    if (request.method !== "POST") {
      response.writeHead(405, { allow: "POST" }).end("POST a body to produce it\n");
      return;
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of request) chunks.push(chunk as Uint8Array);
    const body = new Uint8Array(Buffer.concat(chunks));
    const key = new URL(request.url ?? "/", "http://localhost").searchParams.get("key");
    const answer = await ingest(producer, options.topic, body, key);
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    producer,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await producer.close();
    },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startNodeHttp({
    bootstrap: process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:9092",
    topic: process.env.TOPIC ?? "events",
    port: Number(process.env.PORT ?? 3000),
    security: securityFromEnv((name) => process.env[name]), // see kafka_env.ts
  });
  console.log(`POST to ${url} to produce`);
}
