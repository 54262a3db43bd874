import type { BrokerConnection } from "../connection/broker_connection.ts";
import type { ConnectionOptions } from "../connection/connection_options.ts";
import { ConnectionPool } from "../connection/connection_pool.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { ConnectionError } from "../errors/client_errors.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import { AuthenticationError } from "../errors/security_errors.ts";
import { MetadataApi, type MetadataResponse } from "../protocol/metadata.ts";
import { isZeroUuid } from "../protocol/uuid.ts";
import { type BrokerAddress, parseBootstrapServers } from "./bootstrap_servers.ts";

/** Options for {@linkcode Cluster}. */
export interface ClusterOptions {
  /** "host:port,host:port" or a list of "host:port" (IPv6 hosts in brackets: "[::1]:9092"). */
  bootstrapServers: string | readonly string[];
  /** How every connection is made (built once from the config: `connectionOptionsFrom()`). */
  connection: ConnectionOptions;
  /** The first reconnect wait after a failed connect. */
  reconnectBackoffMs: number;
  /** The cap of the (doubling) reconnect wait. */
  reconnectBackoffMaxMs: number;
  /** Metadata older than this is stale (`metadataStale`); the producer then refreshes it. */
  metadataMaxAgeMs: number;
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

/**
 * The producer's view of the cluster: the brokers, each topic's partitions and leaders (from
 * Metadata and leader hints). A view, not a policy: it never retries or refreshes on its own;
 * the producer decides when. Its connections (one per broker, opened lazily, with reconnect
 * backoff) are owned by a {@linkcode ConnectionPool}; the view tells the pool where brokers
 * are.
 *
 * @example Bootstrap lists are validated up front; the view starts empty
 * ```ts
 * import { Cluster } from "./cluster.ts";
 * const cluster = new Cluster({
 *   bootstrapServers: "127.0.0.1:9092,[::1]:9093",
 *   connection: { clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 10000 },
 *   reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, metadataMaxAgeMs: 300000,
 * });
 * if (cluster.partitionCount("events") !== undefined || !cluster.metadataStale) throw new Error();
 * await cluster.close();
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #bootstrap: BrokerAddress[];
  readonly #pool: ConnectionPool;
  readonly #brokers = new Map<number, BrokerEndpoint>();
  readonly #topics = new Map<string, TopicView>();
  #topicsVersion = 0;
  readonly #topicErrors = new Map<string, BrokerError>();
  #refreshedAt = 0;
  #clusterId: string | null = null;

  /**
   * @param options Where to bootstrap from, timeouts and backoff.
   * @throws {TypeError} When a bootstrap entry is not "host:port".
   * @throws {RangeError} When the bootstrap list is empty.
   */
  constructor(options: ClusterOptions) {
    this.#options = options;
    this.#bootstrap = parseBootstrapServers(options.bootstrapServers);
    this.#pool = new ConnectionPool(options.connection, options);
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
   * @throws {AuthenticationError} At once, when a broker refuses authentication or the TLS
   * handshake (no other broker is tried).
   */
  async refreshMetadata(topics: readonly string[]): Promise<ClusterMetadata> {
    if (this.#pool.isClosed) {
      throw new ConnectionError("Cannot fetch metadata: the cluster view is closed");
    }
    let lastError: unknown;
    for (const candidate of this.#candidates()) {
      try {
        const connection = candidate.nodeId >= 0
          ? await this.connectionTo(candidate.nodeId)
          : await this.#pool.bootstrapConnection(candidate.address);
        const response = await connection.send(MetadataApi, {
          topics: topics.map((name) => ({ name })),
          allowAutoTopicCreation: true,
        });
        return this.#apply(response!, topics);
      } catch (error) {
        lastError = error;
        // A refused authentication or TLS handshake is final: the other brokers share the
        // listener's configuration and would refuse too.
        if (this.#pool.isClosed || error instanceof AuthenticationError) break;
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
    if (this.#pool.isClosed) {
      return Promise.reject(new ConnectionError("Cannot connect: the cluster view is closed"));
    }
    const open = this.#pool.openConnection(nodeId);
    if (open !== undefined) return Promise.resolve(open);
    const endpoint = this.#brokers.get(nodeId);
    if (endpoint === undefined) {
      return Promise.reject(
        new ConnectionError(`Cannot connect to broker ${nodeId}: it is not in the metadata`),
      );
    }
    return this.#pool.connectionTo(nodeId, endpoint);
  }

  /**
   * Any open connection (to a known broker, else the bootstrap connection), or a new one,
   * tried in the same order as `refreshMetadata()`.
   *
   * @returns An open connection.
   * @throws {ConnectionError} When no broker is reachable.
   * @throws {AuthenticationError} At once, when a broker refuses authentication or TLS.
   */
  async anyConnection(): Promise<BrokerConnection> {
    const open = this.#pool.anyOpen();
    if (open !== undefined) return open;
    let lastError: unknown;
    for (const candidate of this.#candidates()) {
      try {
        return candidate.nodeId >= 0
          ? await this.connectionTo(candidate.nodeId)
          : await this.#pool.bootstrapConnection(candidate.address);
      } catch (error) {
        if (error instanceof AuthenticationError) throw error; // final, as above
        lastError = error;
        if (this.#pool.isClosed) break;
      }
    }
    const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
    throw new ConnectionError(`Cannot connect to any broker${detail}`, { cause: lastError });
  }

  /**
   * Closes every connection (pending requests fail with `ConnectionError`) and ends backoff
   * waits. Idempotent.
   */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Where to send a cluster-wide request, best first (see `refreshMetadata()`). */
  #candidates(): Array<{ nodeId: number; address: BrokerAddress }> {
    const open: Array<{ nodeId: number; address: BrokerAddress }> = [];
    const others: Array<{ nodeId: number; address: BrokerAddress }> = [];
    const now = Date.now();
    const pool = this.#pool;
    for (const [nodeId, endpoint] of this.#brokers) {
      if (pool.openConnection(nodeId) !== undefined) open.push({ nodeId, address: endpoint });
      else if (!pool.backingOff(nodeId, now)) others.push({ nodeId, address: endpoint });
    }
    const bootstrap = pool.openBootstrap;
    if (bootstrap !== undefined) open.push({ nodeId: -1, address: bootstrap });
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
    this.#pool.disconnect(endpoint.nodeId);
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
