/**
 * A Deno edge ingest endpoint: `Deno.serve` produces each POSTed body and answers with the
 * partition and offset it was written to (503 + Retry-After while the buffer is full; see
 * ingest.ts).
 *
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 TOPIC=events PORT=8000 deno run -A examples/deno_edge.ts
 *   curl -d '{"hello":"world"}' 'http://127.0.0.1:8000/?key=user-1'
 *
 * A secured cluster's broker, mechanism and credentials come from the environment too (see
 * kafka_env.ts), e.g. Confluent Cloud with an API key:
 *
 *   KAFKA_BOOTSTRAP=pkc-xxxxx.us-east-1.aws.confluent.cloud:9092 KAFKA_SASL_MECHANISM=PLAIN \
 *   KAFKA_USERNAME=<api key> KAFKA_PASSWORD=<api secret> deno run -A examples/deno_edge.ts
 *
 * @module
 */
import {
  ingestHandler,
  ingestProducer,
  type IngestServerOptions,
  type RunningIngestServer,
} from "./ingest.ts";
import { securityFromEnv } from "./kafka_env.ts";

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
    security: securityFromEnv((name) => Deno.env.get(name)),
  });
  console.log(`POST to ${url} to produce`);
}
