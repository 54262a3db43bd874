// A loopback TCP proxy between a client and Kafka brokers that injects the faults a real
// network has: delay, a lost response (the broker appended and answered, the client never hears
// it), and a blackhole (connections stay open, nothing gets through).
//
// It understands just enough of the protocol to do that: frames are a 4-byte size then the
// body; a request's header starts with ApiKey (int16), ApiVersion (int16), CorrelationId
// (int32); a response's with CorrelationId. The proxy remembers each request's ApiKey by
// correlation id so it can drop the answer to, say, the 3rd Produce request.
//
// The real cluster's PROXIED listener advertises the proxy's ports (tests/kafka's launcher
// reserves them), so a client that bootstraps through the proxy keeps talking through it for
// every broker, including after metadata updates.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { RealKafkaCluster } from "./kafka_cluster.ts";

/** One proxied broker: the proxy listens on `listen` and forwards to `target` (127.0.0.1). */
export interface ProxyRoute {
  listen: number;
  target: number;
  /** The broker's node id, for per-node faults. @default none */
  nodeId?: number;
}

/** A lost-response fault: the next `count` answers to requests with this ApiKey are dropped. */
export interface CutPlan {
  /** ApiKey of the requests whose responses are lost (0 Produce). */
  apiKey: number;
  /** How many responses to drop (each cut closes that client connection). @default 1 */
  count?: number;
  /** Only on this node's route. @default any node */
  nodeId?: number;
}

/** What the proxy did, for a test to check that its faults happened. */
export interface ProxyCounters {
  connections: number;
  /** Responses dropped with their connection after the broker answered. */
  cutResponses: number;
  /** Requests forwarded, by ApiKey. */
  requests: Map<number, number>;
  /** The versions of the requests forwarded, by ApiKey (what went over the wire). */
  versions: Map<number, Set<number>>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  nodeId: number | undefined;
  /** CorrelationId → ApiKey of requests forwarded and not yet answered. */
  pending: Map<number, number>;
  requestBuffer: Uint8Array;
  responseBuffer: Uint8Array;
}

function append(buffer: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (buffer.length === 0) return chunk;
  const joined = new Uint8Array(buffer.length + chunk.length);
  joined.set(buffer, 0);
  joined.set(chunk, buffer.length);
  return joined;
}

function int32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/**
 * The proxy. Start it with {@linkcode FaultProxy.start}; arm faults at any time; close it in
 * `after()`.
 */
export class FaultProxy {
  readonly counters: ProxyCounters = {
    connections: 0,
    cutResponses: 0,
    requests: new Map(),
    versions: new Map(),
  };
  readonly #servers: Server[] = [];
  readonly #links = new Set<Link>();
  #delayMs = 0;
  #blackhole = false;
  #cuts: Array<{ apiKey: number; remaining: number; nodeId: number | undefined }> = [];

  /** Bootstrap servers through the proxy (the cluster's PROXIED listener), when known. */
  bootstrap = "";

  private constructor() {}

  /**
   * A proxy in front of every node of a real cluster: clients bootstrapping at `bootstrap`
   * (the PROXIED listener) reach every broker through it.
   */
  static async forCluster(cluster: RealKafkaCluster): Promise<FaultProxy> {
    const proxy = await FaultProxy.start(cluster.info.proxy);
    proxy.bootstrap = cluster.info.bootstrap.PROXIED;
    return proxy;
  }

  /** Listens on every route's port (127.0.0.1). */
  static async start(routes: ProxyRoute[]): Promise<FaultProxy> {
    const proxy = new FaultProxy();
    try {
      for (const route of routes) await proxy.#listen(route);
    } catch (error) {
      await proxy.close();
      throw error;
    }
    return proxy;
  }

  /** Delays every response by `ms` (0: none). */
  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  /** While on, nothing is forwarded either way; connections stay open and silent. */
  setBlackhole(on: boolean): void {
    this.#blackhole = on;
  }

  /** Drops the next responses to requests with this ApiKey, closing their connections. */
  cutAfterResponse(plan: CutPlan): void {
    this.#cuts.push({ apiKey: plan.apiKey, remaining: plan.count ?? 1, nodeId: plan.nodeId });
  }

  /** Cuts not yet used up. */
  get armedCuts(): number {
    return this.#cuts.reduce((sum, cut) => sum + cut.remaining, 0);
  }

  /** Closes every connection (as a network partition healing would not). */
  dropConnections(): void {
    for (const link of this.#links) this.#end(link);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await Promise.all(
      this.#servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  #listen(route: ProxyRoute): Promise<void> {
    const server = createServer((client) => this.#accept(client, route));
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(route.listen, "127.0.0.1", () => resolve());
    });
  }

  #accept(client: Socket, route: ProxyRoute): void {
    this.counters.connections++;
    const upstream = createConnection({ host: "127.0.0.1", port: route.target });
    const link: Link = {
      client,
      upstream,
      nodeId: route.nodeId,
      pending: new Map(),
      requestBuffer: new Uint8Array(0),
      responseBuffer: new Uint8Array(0),
    };
    this.#links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk: Uint8Array) => this.#onRequestBytes(link, chunk));
    upstream.on("data", (chunk: Uint8Array) => this.#onResponseBytes(link, chunk));
    for (const socket of [client, upstream]) {
      socket.on("error", () => this.#end(link));
      socket.on("close", () => this.#end(link));
    }
  }

  #end(link: Link): void {
    if (!this.#links.delete(link)) return;
    link.client.destroy();
    link.upstream.destroy();
  }

  #onRequestBytes(link: Link, chunk: Uint8Array): void {
    if (this.#blackhole) return;
    link.requestBuffer = append(link.requestBuffer, new Uint8Array(chunk));
    // Forward whole frames only, noting each one's ApiKey and correlation id.
    let at = 0;
    const buffer = link.requestBuffer;
    while (buffer.length - at >= 4) {
      const size = int32(buffer, at);
      if (buffer.length - at - 4 < size) break;
      if (size >= 8) {
        const apiKey = (buffer[at + 4]! << 8) | buffer[at + 5]!;
        const apiVersion = (buffer[at + 6]! << 8) | buffer[at + 7]!;
        const correlationId = int32(buffer, at + 8);
        link.pending.set(correlationId, apiKey);
        this.counters.requests.set(apiKey, (this.counters.requests.get(apiKey) ?? 0) + 1);
        let versions = this.counters.versions.get(apiKey);
        if (versions === undefined) this.counters.versions.set(apiKey, versions = new Set());
        versions.add(apiVersion);
      }
      at += 4 + size;
    }
    if (at > 0) {
      link.upstream.write(buffer.subarray(0, at));
      link.requestBuffer = buffer.slice(at);
    }
  }

  #onResponseBytes(link: Link, chunk: Uint8Array): void {
    if (this.#blackhole) return;
    link.responseBuffer = append(link.responseBuffer, new Uint8Array(chunk));
    let at = 0;
    const buffer = link.responseBuffer;
    const frames: Uint8Array[] = [];
    while (buffer.length - at >= 4) {
      const size = int32(buffer, at);
      if (buffer.length - at - 4 < size) break;
      const correlationId = size >= 4 ? int32(buffer, at + 4) : -1;
      const apiKey = link.pending.get(correlationId);
      link.pending.delete(correlationId);
      if (apiKey !== undefined && this.#takeCut(apiKey, link.nodeId)) {
        // The broker has answered: the client must never see it. Forward what came before,
        // then close the connection, as a network failure at this moment would.
        this.counters.cutResponses++;
        this.#forward(link, frames);
        setTimeout(() => this.#end(link), this.#delayMs);
        link.responseBuffer = new Uint8Array(0);
        return;
      }
      frames.push(buffer.slice(at, at + 4 + size));
      at += 4 + size;
    }
    link.responseBuffer = buffer.slice(at);
    this.#forward(link, frames);
  }

  #forward(link: Link, frames: Uint8Array[]): void {
    if (frames.length === 0) return;
    const write = () => {
      if (!this.#links.has(link)) return;
      for (const frame of frames) link.client.write(frame);
    };
    if (this.#delayMs > 0) setTimeout(write, this.#delayMs);
    else write();
  }

  #takeCut(apiKey: number, nodeId: number | undefined): boolean {
    for (const cut of this.#cuts) {
      if (cut.apiKey !== apiKey || cut.remaining === 0) continue;
      if (cut.nodeId !== undefined && cut.nodeId !== nodeId) continue;
      cut.remaining--;
      if (cut.remaining === 0) this.#cuts = this.#cuts.filter((c) => c.remaining > 0);
      return true;
    }
    return false;
  }
}
