// A tiny scriptable Kafka broker on node:net (a server on all three runtimes), for unit tests
// of the connection layer and the cluster view. It answers ApiVersions itself and hands every
// other request to the test.
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { FrameReader } from "../../src/connection/frame_reader.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { Writer } from "../../src/protocol/writer.ts";

/** One request as the fake broker received it. */
export interface FakeRequest {
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string | null;
  /** Positioned at the body (non-flexible header v1 only: the tests use old versions). */
  body: Reader;
  socket: Socket;
}

/** How the fake answers ApiVersions. */
export interface FakeBrokerOptions {
  /** Highest ApiVersions version it speaks; above it, answers error 35. @default 2 */
  apiVersionsMax?: number;
  /** Answer error 35 with a body listing nothing (like librdkafka's malformed one). */
  malformedFallback?: boolean;
  /** The ranges it offers: [apiKey, min, max]. @default Produce 3-9, Metadata 1-1, ApiVersions 0-apiVersionsMax */
  apis?: Array<[number, number, number]>;
  /** Called for every request except ApiVersions. */
  onRequest?: (request: FakeRequest) => void;
  /** Called for every accepted socket (before any data). */
  onConnection?: (socket: Socket) => void;
  /** Serve TLS with these `node:tls` server options (key, cert, ca, requestCert…). */
  tls?: TlsOptions;
}

/** A running fake broker. */
export interface FakeBroker {
  readonly port: number;
  readonly server: Server;
  /** Accepted sockets, in order. */
  readonly sockets: Socket[];
  /** ApiVersions versions requested, in order. */
  readonly apiVersionsRequests: number[];
  close(): Promise<void>;
}

/** Starts a fake broker on 127.0.0.1 and a free port. */
export function startFakeBroker(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const apiVersionsMax = options.apiVersionsMax ?? 2;
  const apis = options.apis ??
    [[ApiKey.Produce, 3, 9], [ApiKey.Metadata, 1, 1], [ApiKey.ApiVersions, 0, apiVersionsMax]];
  const sockets: Socket[] = [];
  const apiVersionsRequests: number[] = [];
  const onSocket = (socket: Socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    options.onConnection?.(socket);
    if (socket.destroyed) return;
    const frames = new FrameReader((frame) => {
      const body = new Reader(frame.slice());
      const apiKey = body.int16();
      const version = body.int16();
      const correlationId = body.int32();
      const clientId = body.nullableString();
      if (apiKey !== ApiKey.ApiVersions) {
        options.onRequest?.({ apiKey, version, correlationId, clientId, body, socket });
        return;
      }
      apiVersionsRequests.push(version);
      socket.write(frameOf(correlationId, (w) => {
        if (version > apiVersionsMax) {
          // UNSUPPORTED_VERSION with a v0 body: what the broker speaks.
          w.int16(35);
          if (options.malformedFallback) w.int32(0).int32(0);
          else writeRanges(w, apis);
          return;
        }
        w.int16(0);
        writeRanges(w, apis);
        if (version >= 1) w.int32(0);
      }));
    });
    socket.on("data", (chunk: Uint8Array) => frames.push(chunk));
  };
  const server: Server = options.tls === undefined
    ? createServer(onSocket)
    : createTlsServer(options.tls, onSocket);
  // TLS handshake failures (the client refused our certificate, …) are the tests' subject.
  server.on("tlsClientError", () => {});
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as { port: number }).port,
        server,
        sockets,
        apiVersionsRequests,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function writeRanges(w: Writer, apis: Array<[number, number, number]>): void {
  w.int32(apis.length);
  for (const [key, min, max] of apis) w.int16(key).int16(min).int16(max);
}

/** A response frame: size, correlation id (header v0), then the body `write` produces. */
export function frameOf(correlationId: number, write: (w: Writer) => void): Uint8Array {
  const w = new Writer(256);
  const size = w.reserve(4);
  w.int32(correlationId);
  write(w);
  w.setInt32At(size, w.length - 4);
  return w.toBytes().slice();
}

/** What a Metadata v1 answer describes. */
export interface FakeMetadata {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  controllerId?: number;
  topics: Array<{
    name: string;
    errorCode?: number;
    partitions: Array<{ partition: number; leader: number; errorCode?: number }>;
  }>;
}

/** Encodes a Metadata v1 response body. */
export function writeMetadataV1(w: Writer, metadata: FakeMetadata): void {
  w.int32(metadata.brokers.length);
  for (const b of metadata.brokers) w.int32(b.nodeId).string(b.host).int32(b.port).int16(-1);
  w.int32(metadata.controllerId ?? -1);
  w.int32(metadata.topics.length);
  for (const topic of metadata.topics) {
    w.int16(topic.errorCode ?? 0).string(topic.name).boolean(false);
    w.int32(topic.partitions.length);
    for (const p of topic.partitions) {
      w.int16(p.errorCode ?? 0).int32(p.partition).int32(p.leader);
      w.int32(1).int32(Math.max(p.leader, 0)); // replicas
      w.int32(1).int32(Math.max(p.leader, 0)); // isr
    }
  }
}

/** Reads a Metadata v1 request body: the topic names (null: all topics). */
export function readMetadataV1Topics(body: Reader): string[] | null {
  const count = body.int32();
  if (count < 0) return null;
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(body.string());
  return names;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms until it holds (throws after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await sleep(5);
  }
}
