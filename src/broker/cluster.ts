import { BrokerConnection } from "../connection/broker_connection.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { ConnectionError } from "../errors/client_errors.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import { MetadataApi, type MetadataResponse } from "../protocol/metadata.ts";
import { isZeroUuid } from "../protocol/uuid.ts";
import { reconnectBackoff } from "./reconnect_backoff.ts";

/** Options for {@linkcode Cluster}. */
export interface ClusterOptions {
  /** "host:port,host:port" or a list of "host:port" (IPv6 hosts in brackets: "[::1]:9092"). */
  bootstrapServers: string | readonly string[];
  /** The `client.id` sent with every request. */
  clientId: string;
  /** Per-request timeout for every connection. */
  requestTimeoutMs: number;
  /** TCP connect timeout. */
  connectTimeoutMs: number;
  /** The first reconnect wait after a failed connect. */
  reconnectBackoffMs: number;
  /** The cap of the (doubling) reconnect wait. */
  reconnectBackoffMaxMs: number;
  /** Metadata older than this is stale (`metadataStale`); the producer then refreshes it. */
  metadataMaxAgeMs: number;
  /** Passed to each `BrokerConnection` (see its `maxInFlight`). @default Infinity */
  maxInFlight?: number;
}

/** A broker's address, from Metadata or a Produce v10 `nodeEndpoints` hint. */
export interface BrokerEndpoint {
  /** The broker's id. */
  readonly nodeId: number;
  /** Its host. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** Its rack, when known. */
  readonly rack?: string | null;
}

/** What a metadata refresh learned about one requested topic. */
export interface TopicSummary {
  /** The topic. */
  readonly name: string;
  /** Its partition count; 0 when `error` is set. */
  readonly partitionCount: number;
  /** The topic's error (e.g. UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE), if any. */
  readonly error: BrokerError | undefined;
}

/** The result of {@linkcode Cluster.refreshMetadata}. */
export interface ClusterMetadata {
  /** The cluster's id (Metadata v2+), or null. */
  readonly clusterId: string | null;
  /** The controller's broker id, or -1. */
  readonly controllerId: number;
  /** Every broker the answer listed. */
  readonly brokers: readonly BrokerEndpoint[];
  /** One entry per requested topic, in request order. */
  readonly topics: readonly TopicSummary[];
}

/**
 * What the cluster knows of a topic's partitions. The object of a topic is replaced by each
 * metadata answer (then `topicsVersion` changes) and updated in place by leader hints.
 *
 * @example
 * ```ts
 * import type { TopicView } from "./cluster.ts";
 * const view: TopicView = { leaders: Int32Array.of(1, -1), leaderEpochs: Int32Array.of(0, -1), available: [0] };
 * if (view.available.length !== 1) throw new Error();
 * ```
 */
export interface TopicView {
  /** Leader id per partition, -1 when it has none. */
  readonly leaders: Int32Array;
  /** Leader epoch per partition, -1 when unknown. */
  readonly leaderEpochs: Int32Array;
  /** Partitions that have a leader, ascending. */
  available: number[];
  /** The topic's id (Metadata v10+; Produce v13 names topics by it), undefined when unknown. */
  readonly topicId?: Uint8Array | undefined;
}

interface NodeState {
  connection: BrokerConnection | undefined;
  connecting: Promise<BrokerConnection> | undefined;
  /** Failed connects in a row. */
  failures: number;
  /** No connect attempt before this time (ms, `Date.now()`). */
  retryAt: number;
}

interface Address {
  host: string;
  port: number;
}

/**
 * The producer's view of the cluster: the brokers, each topic's partitions and leaders (from
 * Metadata and leader hints), and one lazily opened connection per broker. A view, not a
 * policy: it never retries or refreshes on its own; the producer decides when.
 *
 * Reconnects back off exponentially with jitter (`reconnectBackoffMs` doubling up to
 * `reconnectBackoffMaxMs`, measured from the previous attempt's start), so a dead broker never
 * causes a hot loop: `connectionTo()` waits out the backoff before trying again.
 *
 * @example Bootstrap lists are validated up front; the view starts empty
 * ```ts
 * import { Cluster } from "./cluster.ts";
 * const cluster = new Cluster({
 *   bootstrapServers: "127.0.0.1:9092,[::1]:9093", clientId: "sluice",
 *   requestTimeoutMs: 30000, connectTimeoutMs: 10000, reconnectBackoffMs: 50,
 *   reconnectBackoffMaxMs: 1000, metadataMaxAgeMs: 300000,
 * });
 * if (cluster.partitionCount("events") !== undefined || !cluster.metadataStale) throw new Error();
 * await cluster.close();
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #bootstrap: Address[];
  readonly #brokers = new Map<number, BrokerEndpoint>();
  readonly #nodes = new Map<number, NodeState>();
  readonly #topics = new Map<string, TopicView>();
  #topicsVersion = 0;
  readonly #topicErrors = new Map<string, BrokerError>();
  #bootstrapConnection: BrokerConnection | undefined;
  #closed = false;
  #refreshedAt = 0;
  #clusterId: string | null = null;
  /** Backoff waits in progress, ended early by `close()`. */
  readonly #sleeps = new Map<ReturnType<typeof setTimeout>, () => void>();

  /**
   * @param options Where to bootstrap from, timeouts and backoff.
   * @throws {TypeError} When a bootstrap entry is not "host:port".
   * @throws {RangeError} When the bootstrap list is empty.
   */
  constructor(options: ClusterOptions) {
    this.#options = options;
    const list = typeof options.bootstrapServers === "string"
      ? options.bootstrapServers.split(",")
      : options.bootstrapServers;
    this.#bootstrap = list.map((entry) => entry.trim()).filter((entry) => entry !== "").map(
      parseAddress,
    );
    if (this.#bootstrap.length === 0) {
      throw new RangeError(
        `Invalid bootstrapServers "${String(options.bootstrapServers)}": expected at least one ` +
          `"host:port"`,
      );
    }
  }

  /** When metadata was last applied (`Date.now()` ms), 0 if never. */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  /** Milliseconds since metadata was last applied; Infinity if never. */
  get metadataAgeMs(): number {
    return this.#refreshedAt === 0 ? Infinity : Date.now() - this.#refreshedAt;
  }

  /** True when metadata is older than `metadataMaxAgeMs` (or was never fetched). */
  get metadataStale(): boolean {
    return this.metadataAgeMs >= this.#options.metadataMaxAgeMs;
  }

  /** The cluster id from the last Metadata answer (v2+), or null. */
  get clusterId(): string | null {
    return this.#clusterId;
  }

  /**
   * The brokers known from Metadata and hints.
   *
   * @returns A snapshot, ordered by id.
   */
  brokers(): BrokerEndpoint[] {
    return [...this.#brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /**
   * A topic's partition count.
   *
   * @param topic The topic.
   * @returns The count, or undefined until metadata knows the topic (without error).
   */
  partitionCount(topic: string): number | undefined {
    return this.#topics.get(topic)?.leaders.length;
  }

  /**
   * The topic's error from the last metadata answer that mentioned it.
   *
   * @param topic The topic.
   * @returns The error (e.g. UNKNOWN_TOPIC_OR_PARTITION), or undefined when it had none.
   */
  topicError(topic: string): BrokerError | undefined {
    return this.#topicErrors.get(topic);
  }

  /**
   * Changes whenever a metadata answer replaces or removes topic views: a caller may keep the
   * view of {@linkcode Cluster.topicView} while this stays the same.
   */
  get topicsVersion(): number {
    return this.#topicsVersion;
  }

  /**
   * A topic's partitions, leaders and available partitions, read-only for the caller.
   *
   * @param topic The topic.
   * @returns The view, or undefined until metadata knows the topic.
   */
  topicView(topic: string): TopicView | undefined {
    return this.#topics.get(topic);
  }

  /**
   * The partitions of a topic that have a leader.
   *
   * @param topic The topic.
   * @returns Partition numbers, ascending (empty when unknown). Do not modify.
   */
  availablePartitions(topic: string): readonly number[] {
    return this.#topics.get(topic)?.available ?? [];
  }

  /**
   * The leader of a partition.
   *
   * @param topic The topic.
   * @param partition The partition.
   * @returns The leader's broker id, or undefined when unknown or leaderless.
   */
  leaderFor(topic: string, partition: number): number | undefined {
    const leader = this.#topics.get(topic)?.leaders[partition];
    return leader === undefined || leader < 0 ? undefined : leader;
  }

  /**
   * Applies a leader hint (Produce v10 `currentLeader`) unless what we know is newer: a hint
   * with a lower leader epoch than the known one is ignored.
   *
   * @param topic The topic.
   * @param partition The partition.
   * @param leaderId The new leader's id (-1: none).
   * @param leaderEpoch The new leader's epoch (-1: unknown, applied as is).
   */
  updateLeader(topic: string, partition: number, leaderId: number, leaderEpoch: number): void {
    const view = this.#topics.get(topic);
    if (view === undefined || partition < 0 || partition >= view.leaders.length) return;
    if (leaderEpoch >= 0 && leaderEpoch < view.leaderEpochs[partition]!) return;
    const hadLeader = view.leaders[partition]! >= 0;
    view.leaders[partition] = leaderId;
    view.leaderEpochs[partition] = leaderEpoch;
    if (hadLeader !== leaderId >= 0) view.available = availableOf(view.leaders);
  }

  /**
   * Adds or updates broker endpoints (Produce v10 `nodeEndpoints`). A broker whose address
   * changed loses its connection (closed; its requests fail with `ConnectionError`).
   *
   * @param endpoints The brokers.
   */
  addBrokers(endpoints: Iterable<BrokerEndpoint>): void {
    for (const endpoint of endpoints) this.#setBroker(endpoint);
  }

  /**
   * Fetches metadata for `topics` (auto-creation allowed) from a reachable broker: open
   * connections first, then other known brokers not backing off, then the bootstrap list,
   * trying the next one when one fails. Updates the view and returns what it learned.
   *
   * @param topics The topics to describe (empty: brokers only).
   * @returns The answer's brokers and a summary per requested topic.
   * @throws {ConnectionError} When no broker answered (retriable; the cause is the last error).
   * @throws {KafkaError} A non-retriable error of the last broker tried (e.g. no common
   * Metadata version).
   */
  async refreshMetadata(topics: readonly string[]): Promise<ClusterMetadata> {
    if (this.#closed) {
      throw new ConnectionError("Cannot fetch metadata: the cluster view is closed");
    }
    let lastError: unknown;
    for (const candidate of this.#candidates()) {
      try {
        const connection = candidate.nodeId >= 0
          ? await this.connectionTo(candidate.nodeId)
          : await this.#connectBootstrap(candidate.address);
        const response = await connection.send(MetadataApi, {
          topics: topics.map((name) => ({ name })),
          allowAutoTopicCreation: true,
        });
        return this.#apply(response!, topics);
      } catch (error) {
        lastError = error;
        if (this.#closed) break;
      }
    }
    if (lastError instanceof KafkaError && !lastError.retriable) throw lastError;
    const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
    throw new ConnectionError(`Cannot fetch metadata from any broker${detail}`, {
      cause: lastError,
    });
  }

  /**
   * The connection to broker `nodeId`, opening it when needed (after its reconnect backoff,
   * when the last attempt failed). Concurrent calls share one attempt.
   *
   * @param nodeId A broker id from Metadata or `addBrokers()`.
   * @returns The open connection.
   * @throws {ConnectionError} When the broker is unknown or the connect fails.
   */
  connectionTo(nodeId: number): Promise<BrokerConnection> {
    if (this.#closed) {
      return Promise.reject(new ConnectionError("Cannot connect: the cluster view is closed"));
    }
    let node = this.#nodes.get(nodeId);
    if (node === undefined) {
      node = { connection: undefined, connecting: undefined, failures: 0, retryAt: 0 };
      this.#nodes.set(nodeId, node);
    }
    if (node.connection?.isOpen) return Promise.resolve(node.connection);
    if (node.connecting !== undefined) return node.connecting;
    const endpoint = this.#brokers.get(nodeId);
    if (endpoint === undefined) {
      return Promise.reject(
        new ConnectionError(`Cannot connect to broker ${nodeId}: it is not in the metadata`),
      );
    }
    node.connecting = this.#connectNode(node, endpoint);
    return node.connecting;
  }

  /**
   * Any open connection (to a known broker, else the bootstrap connection), or a new one,
   * tried in the same order as `refreshMetadata()`.
   *
   * @returns An open connection.
   * @throws {ConnectionError} When no broker is reachable.
   */
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
        if (this.#closed) break;
      }
    }
    const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
    throw new ConnectionError(`Cannot connect to any broker${detail}`, { cause: lastError });
  }

  /**
   * Closes every connection (pending requests fail with `ConnectionError`) and ends backoff
   * waits. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [timer, wake] of this.#sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.#sleeps.clear();
    const closing: Promise<void>[] = [];
    for (const node of this.#nodes.values()) {
      if (node.connection !== undefined) closing.push(node.connection.close());
      if (node.connecting !== undefined) {
        closing.push(node.connecting.then((c) => c.close(), () => {}));
      }
    }
    if (this.#bootstrapConnection !== undefined) closing.push(this.#bootstrapConnection.close());
    await Promise.all(closing);
  }

  async #connectNode(node: NodeState, endpoint: BrokerEndpoint): Promise<BrokerConnection> {
    try {
      const wait = node.retryAt - Date.now();
      if (wait > 0) await this.#sleep(wait);
      if (this.#closed) throw new ConnectionError("Cannot connect: the cluster view is closed");
      node.retryAt = Date.now() +
        reconnectBackoff(
          node.failures + 1,
          this.#options.reconnectBackoffMs,
          this.#options.reconnectBackoffMaxMs,
        );
      const connection = await this.#open(endpoint, endpoint.nodeId);
      node.failures = 0;
      if (this.#closed) {
        await connection.close();
        throw new ConnectionError("Cannot connect: the cluster view is closed");
      }
      node.connection = connection;
      return connection;
    } catch (error) {
      node.failures++;
      throw error;
    } finally {
      node.connecting = undefined;
    }
  }

  async #connectBootstrap(address: Address): Promise<BrokerConnection> {
    const current = this.#bootstrapConnection;
    if (current?.isOpen && current.host === address.host && current.port === address.port) {
      return current;
    }
    const connection = await this.#open(address, -1);
    if (this.#closed) {
      await connection.close();
      throw new ConnectionError("Cannot connect: the cluster view is closed");
    }
    // One bootstrap connection at a time: it is only needed until brokers are known. Another
    // call may have connected while this one waited (metadata and InitProducerId both ask at
    // start): use its connection and close ours, or replace and close it. A connection
    // dropped without close() keeps the process alive.
    const latest = this.#bootstrapConnection;
    if (latest?.isOpen && latest.host === address.host && latest.port === address.port) {
      void connection.close();
      return latest;
    }
    this.#bootstrapConnection = connection;
    if (latest?.isOpen) void latest.close();
    return connection;
  }

  #open(address: Address, nodeId: number): Promise<BrokerConnection> {
    const options = this.#options;
    return BrokerConnection.connect({
      host: address.host,
      port: address.port,
      nodeId,
      clientId: options.clientId,
      requestTimeoutMs: options.requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeps.delete(timer);
        resolve();
      }, ms);
      this.#sleeps.set(timer, resolve);
    });
  }

  /** Where to send a cluster-wide request, best first (see `refreshMetadata()`). */
  #candidates(): Array<{ nodeId: number; address: Address }> {
    const open: Array<{ nodeId: number; address: Address }> = [];
    const others: Array<{ nodeId: number; address: Address }> = [];
    const now = Date.now();
    for (const [nodeId, endpoint] of this.#brokers) {
      const node = this.#nodes.get(nodeId);
      if (node?.connection?.isOpen) open.push({ nodeId, address: endpoint });
      else if (node === undefined || node.failures === 0 || node.retryAt <= now) {
        others.push({ nodeId, address: endpoint });
      }
    }
    const bootstrap = this.#bootstrapConnection;
    if (bootstrap?.isOpen) open.push({ nodeId: -1, address: bootstrap });
    const rest = this.#bootstrap.map((address) => ({ nodeId: -1, address }));
    return [...open, ...others, ...rest];
  }

  #setBroker(endpoint: BrokerEndpoint): void {
    const known = this.#brokers.get(endpoint.nodeId);
    this.#brokers.set(endpoint.nodeId, {
      nodeId: endpoint.nodeId,
      host: endpoint.host,
      port: endpoint.port,
      rack: endpoint.rack ?? known?.rack ?? null,
    });
    if (known === undefined || (known.host === endpoint.host && known.port === endpoint.port)) {
      return;
    }
    // The broker moved: its connection goes to the old address.
    const node = this.#nodes.get(endpoint.nodeId);
    if (node?.connection !== undefined) {
      void node.connection.close();
      node.connection = undefined;
    }
  }

  #apply(response: MetadataResponse, requested: readonly string[]): ClusterMetadata {
    this.#topicsVersion++;
    for (const broker of response.brokers) this.#setBroker(broker);
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
      this.#topics.set(topic.name, this.#topicView(topic.name, topic.partitions, topic.topicId));
    }
    for (const name of requested) {
      if (!this.#topics.has(name) && !this.#topicErrors.has(name)) {
        // The broker left out a topic we asked for: report it as unknown.
        this.#topicErrors.set(name, BrokerError.fromCode(3, null, `Metadata for topic "${name}"`));
      }
    }
    this.#clusterId = response.clusterId;
    this.#refreshedAt = Date.now();
    return {
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map((b) => this.#brokers.get(b.nodeId)!),
      topics: requested.map((name) => ({
        name,
        partitionCount: this.#topics.get(name)?.leaders.length ?? 0,
        error: this.#topicErrors.get(name),
      })),
    };
  }

  #topicView(
    name: string,
    partitions: MetadataResponse["topics"][number]["partitions"],
    topicId: Uint8Array | null,
  ): TopicView {
    let count = 0;
    for (const partition of partitions) count = Math.max(count, partition.partitionIndex + 1);
    const previous = this.#topics.get(name);
    const leaders = new Int32Array(count).fill(-1);
    const leaderEpochs = new Int32Array(count).fill(-1);
    for (const partition of partitions) {
      const index = partition.partitionIndex;
      leaders[index] = partition.leaderId;
      leaderEpochs[index] = partition.leaderEpoch;
      // A leader hint newer than this (possibly stale) answer wins.
      const hinted = previous?.leaderEpochs[index];
      if (hinted !== undefined && partition.leaderEpoch >= 0 && hinted > partition.leaderEpoch) {
        leaders[index] = previous!.leaders[index]!;
        leaderEpochs[index] = hinted;
      }
    }
    const id = topicId === null || isZeroUuid(topicId) ? undefined : topicId;
    return { leaders, leaderEpochs, available: availableOf(leaders), topicId: id };
  }
}

function availableOf(leaders: Int32Array): number[] {
  const available: number[] = [];
  for (let p = 0; p < leaders.length; p++) if (leaders[p]! >= 0) available.push(p);
  return available;
}

function parseAddress(entry: string): Address {
  const colon = entry.lastIndexOf(":");
  const port = Number(entry.slice(colon + 1));
  let host = entry.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon <= 0 || host === "" || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(
      `Invalid bootstrap server "${entry}": expected "host:port", e.g. "127.0.0.1:9092"`,
    );
  }
  return { host, port };
}
