/**
 * A Bun ingest server: `Bun.serve` produces each POSTed body; while the producer's buffer is
 * full a request waits up to `maxBlockMs`, then gets 503 with Retry-After (see ingest.ts), so
 * the server never buffers without bound.
 *
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 TOPIC=events PORT=3000 bun examples/bun_server.ts
 *   curl -d 'hello' http://127.0.0.1:3000/
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

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request): Promise<Response>;
  }): BunServer;
};

/** Starts the server; `close()` stops it, then delivers what is pending. */
export function startBunServer(
  options: IngestServerOptions,
): RunningIngestServer {
  const producer = ingestProducer(options);
  const server = Bun.serve({
    port: options.port ?? 3000,
    hostname: "127.0.0.1",
    fetch: ingestHandler(producer, options.topic),
  });
  return {
    url: `http://127.0.0.1:${server.port}/`,
    producer,
    async close() {
      await server.stop();
      await producer.close();
    },
  };
}

if ((import.meta as { main?: boolean }).main) {
  const env = (name: string) =>
    (globalThis as { process?: { env: Record<string, string> } }).process?.env[name];
  const { url } = startBunServer({
    bootstrap: env("KAFKA_BOOTSTRAP") ?? "127.0.0.1:9092",
    topic: env("TOPIC") ?? "events",
    port: Number(env("PORT") ?? 3000),
    security: securityFromEnv(env), // KAFKA_SASL_MECHANISM, KAFKA_USERNAME, … (kafka_env.ts)
  });
  console.log(`POST to ${url} to produce`);
}
