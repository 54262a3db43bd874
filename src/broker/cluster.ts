import { BrokerConnection } from "../connection/broker_connection.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { ConnectionError } from "../errors/client_errors.ts";
import { MetadataApi, type MetadataResponse } from "../protocol/metadata.ts";

/** Options for {@linkcode Cluster}. */
export interface ClusterOptions {
  /** "host:port,host:port" or a list of "host:port". */
  bootstrapServers: string | readonly string[];
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  metadataMaxAgeMs: number;
}

interface TopicView {
  /** Leader id per partition (-1 when none). */
  leaders: Int32Array;
  leaderEpochs: Int32Array;
  /** Partitions that have a leader. */
  available: number[];
}

interface BrokerAddress {
  host: string;
  port: number;
}

interface NodeState {
  connection: BrokerConnection | undefined;
  connecting: Promise<BrokerConnection> | undefined;
  failures: number;
  retryAt: number;
}

/**
 * The producer's view of the cluster: brokers, each topic's partitions and leaders (from
 * Metadata), and one connection per broker, reconnected with exponential backoff and jitter
 * (`reconnectBackoffMs` → `reconnectBackoffMaxMs`) so a dead broker never causes a hot loop.
 *
 * @example
 * ```ts ignore
 * import { Cluster } from "./cluster.ts";
 * const cluster = new Cluster({
 *   bootstrapServers: "127.0.0.1:9092", clientId: "sluice", requestTimeoutMs: 30000,
 *   connectTimeoutMs: 10000, reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, metadataMaxAgeMs: 300000,
 * });
 * await cluster.refreshMetadata(["events"]);
 * console.log(cluster.partitionCount("events"), cluster.leaderFor("events", 0));
 * await cluster.close();
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #bootstrap: BrokerAddress[];
  readonly #brokers = new Map<number, BrokerAddress>();
  readonly #nodes = new Map<number, NodeState>();
  readonly #topics = new Map<string, TopicView>();
  readonly #topicErrors = new Map<string, BrokerError>();
  #bootstrapConnection: BrokerConnection | undefined;
  #closed = false;
  #refreshedAt = 0;

  /** @param options Where to bootstrap from, timeouts and backoff. */
  constructor(options: ClusterOptions) {
    this.#options = options;
    const list = typeof options.bootstrapServers === "string"
      ? options.bootstrapServers.split(",")
      : options.bootstrapServers;
    this.#bootstrap = list.map((entry) => parseAddress(entry.trim()));
  }

  /** When metadata was last refreshed (ms), 0 if never. */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  /** Partitions of a topic, or undefined until metadata has it (without error). */
  partitionCount(topic: string): number | undefined {
    return this.#topics.get(topic)?.leaders.length;
  }

  /** The last metadata error for a topic (e.g. UNKNOWN_TOPIC_OR_PARTITION), if any. */
  topicError(topic: string): BrokerError | undefined {
    return this.#topicErrors.get(topic);
  }

  /** Partitions of a topic that have a leader. */
  availablePartitions(topic: string): readonly number[] {
    return this.#topics.get(topic)?.available ?? [];
  }

  /** The leader's broker id, or undefined/-1 when unknown. */
  leaderFor(topic: string, partition: number): number | undefined {
    return this.#topics.get(topic)?.leaders[partition];
  }

  /** Applies a leader hint (Produce v10 `currentLeader`), if newer than what we know. */
  updateLeader(topic: string, partition: number, leaderId: number, leaderEpoch: number): void {
    const view = this.#topics.get(topic);
    if (view === undefined || partition >= view.leaders.length) return;
    if (leaderEpoch >= 0 && leaderEpoch < view.leaderEpochs[partition]!) return;
    view.leaders[partition] = leaderId;
    view.leaderEpochs[partition] = leaderEpoch;
  }

  /** Adds broker endpoints (Produce v10 `nodeEndpoints`). */
  addBrokers(endpoints: ReadonlyArray<{ nodeId: number; host: string; port: number }>): void {
    for (const endpoint of endpoints) {
      this.#brokers.set(endpoint.nodeId, { host: endpoint.host, port: endpoint.port });
    }
  }

  /**
   * Fetches metadata for `topics` from any reachable broker (trying each in turn) and
   * updates the view. Rejects with the last `ConnectionError` when none answers.
   */
  async refreshMetadata(topics: readonly string[]): Promise<void> {
    let lastError: unknown;
    const candidates = this.#candidates();
    for (const candidate of candidates) {
      try {
        const connection = candidate.nodeId >= 0
          ? await this.connectionTo(candidate.nodeId)
          : await this.#connectBootstrap(candidate.address);
        const response = await connection.send(MetadataApi, {
          topics: topics.map((name) => ({ name })),
          allowAutoTopicCreation: true,
        });
        if (response === undefined) throw new Error("Metadata returned no response");
        this.#apply(response, topics);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error
      ? lastError
      : new ConnectionError("Cannot fetch metadata: no broker is reachable");
  }

  /** A connection to broker `nodeId`, connecting (after its backoff, if it failed) as needed. */
  connectionTo(nodeId: number): Promise<BrokerConnection> {
    if (this.#closed) {
      return Promise.reject(new ConnectionError("Cannot connect: the producer is closed"));
    }
    let node = this.#nodes.get(nodeId);
    if (node === undefined) {
      node = { connection: undefined, connecting: undefined, failures: 0, retryAt: 0 };
      this.#nodes.set(nodeId, node);
    }
    if (node.connection?.isOpen) return Promise.resolve(node.connection);
    if (node.connecting !== undefined) return node.connecting;
    const address = this.#brokers.get(nodeId);
    if (address === undefined) {
      return Promise.reject(
        new ConnectionError(`Cannot connect to broker ${nodeId}: it is not in the metadata`),
      );
    }
    const state = node;
    const wait = Math.max(0, state.retryAt - Date.now());
    state.connecting = (async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        const connection = await BrokerConnection.connect({
          host: address.host,
          port: address.port,
          nodeId,
          clientId: this.#options.clientId,
          requestTimeoutMs: this.#options.requestTimeoutMs,
          connectTimeoutMs: this.#options.connectTimeoutMs,
        });
        if (this.#closed) {
          await connection.close();
          throw new ConnectionError("Cannot connect: the producer is closed");
        }
        state.connection = connection;
        state.failures = 0;
        return connection;
      } catch (error) {
        state.failures++;
        const base = Math.min(
          this.#options.reconnectBackoffMaxMs,
          this.#options.reconnectBackoffMs * 2 ** Math.min(state.failures - 1, 20),
        );
        state.retryAt = Date.now() + base * (0.8 + Math.random() * 0.4);
        throw error;
      } finally {
        state.connecting = undefined;
      }
    })();
    return state.connecting;
  }

  /** Any open connection, else a new one to a known or bootstrap broker. */
  async anyConnection(): Promise<BrokerConnection> {
    for (const node of this.#nodes.values()) if (node.connection?.isOpen) return node.connection;
    if (this.#bootstrapConnection?.isOpen) return this.#bootstrapConnection;
    let lastError: unknown;
    for (const candidate of this.#candidates()) {
      try {
        return candidate.nodeId >= 0
          ? await this.connectionTo(candidate.nodeId)
          : await this.#connectBootstrap(candidate.address);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error
      ? lastError
      : new ConnectionError("Cannot connect: no broker is reachable");
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const node of this.#nodes.values()) {
      if (node.connection) closing.push(node.connection.close());
    }
    if (this.#bootstrapConnection) closing.push(this.#bootstrapConnection.close());
    await Promise.all(closing);
  }

  /** Known brokers first (by id), then the bootstrap list. */
  #candidates(): Array<{ nodeId: number; address: BrokerAddress }> {
    const out: Array<{ nodeId: number; address: BrokerAddress }> = [];
    const now = Date.now();
    for (const [nodeId, address] of this.#brokers) {
      const node = this.#nodes.get(nodeId);
      if (node !== undefined && node.retryAt > now && !node.connection?.isOpen) continue;
      out.push({ nodeId, address });
    }
    for (const address of this.#bootstrap) out.push({ nodeId: -1, address });
    return out;
  }

  async #connectBootstrap(address: BrokerAddress): Promise<BrokerConnection> {
    if (
      this.#bootstrapConnection?.isOpen && this.#bootstrapConnection.host === address.host &&
      this.#bootstrapConnection.port === address.port
    ) {
      return this.#bootstrapConnection;
    }
    const connection = await BrokerConnection.connect({
      host: address.host,
      port: address.port,
      nodeId: -1,
      clientId: this.#options.clientId,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      connectTimeoutMs: this.#options.connectTimeoutMs,
    });
    const previous = this.#bootstrapConnection;
    this.#bootstrapConnection = connection;
    if (previous?.isOpen) void previous.close();
    if (this.#closed) {
      await connection.close();
      throw new ConnectionError("Cannot connect: the producer is closed");
    }
    return connection;
  }

  #apply(response: MetadataResponse, requested: readonly string[]): void {
    for (const broker of response.brokers) {
      this.#brokers.set(broker.nodeId, { host: broker.host, port: broker.port });
    }
    for (const topic of response.topics) {
      if (topic.name === null) continue;
      if (topic.errorCode !== 0) {
        this.#topicErrors.set(
          topic.name,
          BrokerError.fromCode(topic.errorCode, null, `Metadata for topic "${topic.name}"`),
        );
        this.#topics.delete(topic.name);
        continue;
      }
      this.#topicErrors.delete(topic.name);
      const count = topic.partitions.reduce((max, p) => Math.max(max, p.partitionIndex + 1), 0);
      const previous = this.#topics.get(topic.name);
      const leaders = new Int32Array(count).fill(-1);
      const leaderEpochs = new Int32Array(count).fill(-1);
      for (const partition of topic.partitions) {
        leaders[partition.partitionIndex] = partition.errorCode === 0 || partition.leaderId >= 0
          ? partition.leaderId
          : -1;
        leaderEpochs[partition.partitionIndex] = partition.leaderEpoch;
        // A leader hint newer than this (possibly stale) answer wins.
        const hinted = previous?.leaderEpochs[partition.partitionIndex];
        if (hinted !== undefined && partition.leaderEpoch >= 0 && hinted > partition.leaderEpoch) {
          leaders[partition.partitionIndex] = previous!.leaders[partition.partitionIndex]!;
          leaderEpochs[partition.partitionIndex] = hinted;
        }
      }
      const available: number[] = [];
      for (let p = 0; p < count; p++) if (leaders[p]! >= 0) available.push(p);
      this.#topics.set(topic.name, { leaders, leaderEpochs, available });
    }
    for (const name of requested) {
      if (!response.topics.some((t) => t.name === name) && !this.#topics.has(name)) {
        this.#topicErrors.set(name, BrokerError.fromCode(3, null, `Metadata for topic "${name}"`));
      }
    }
    this.#refreshedAt = Date.now();
  }
}

function parseAddress(entry: string): BrokerAddress {
  const colon = entry.lastIndexOf(":");
  const port = Number(entry.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(
      `Invalid bootstrap server "${entry}": expected host:port, e.g. "127.0.0.1:9092"`,
    );
  }
  let host = entry.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}
