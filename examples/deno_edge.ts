/**
 * A Deno edge ingest endpoint: `Deno.serve` produces each POSTed body and answers with the
 * partition and offset it was written to (503 + Retry-After while the buffer is full; see
 * ingest.ts).
 *
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 TOPIC=events PORT=8000 deno run -A examples/deno_edge.ts
 *   curl -d '{"hello":"world"}' 'http://127.0.0.1:8000/?key=user-1'
 *
 * @module
 */
import {
  ingestHandler,
  ingestProducer,
  type IngestServerOptions,
  type RunningIngestServer,
} from "./ingest.ts";

/** Starts the endpoint; `close()` stops the server, then delivers what is pending. */
export function startDenoEdge(
  options: IngestServerOptions,
): RunningIngestServer {
  const producer = ingestProducer(options);
  const server = Deno.serve(
    { port: options.port ?? 8000, hostname: "127.0.0.1", onListen: () => {} },
    ingestHandler(producer, options.topic),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    producer,
    async close() {
      await server.shutdown();
      await producer.close();
    },
  };
}

if (import.meta.main) {
  const { url } = startDenoEdge({
    bootstrap: Deno.env.get("KAFKA_BOOTSTRAP") ?? "127.0.0.1:9092",
    topic: Deno.env.get("TOPIC") ?? "events",
    port: Number(Deno.env.get("PORT") ?? 8000),
  });
  console.log(`POST to ${url} to produce`);
}
