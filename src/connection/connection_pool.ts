import type { BrokerAddress } from "../broker/bootstrap_servers.ts";
import { ConnectionError } from "../errors/client_errors.ts";
import { BrokerConnection } from "./broker_connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { ExponentialBackoff } from "../time/exponential_backoff.ts";

/** Reconnect backoff of a {@linkcode ConnectionPool}. */
export interface ReconnectOptions {
  /** The first reconnect wait after a failed connect (`reconnect.backoff.ms`). */
  readonly reconnectBackoffMs: number;
  /** The cap of the (doubling) reconnect wait (`reconnect.backoff.max.ms`). */
  readonly reconnectBackoffMaxMs: number;
}

interface NodeState {
  connection: BrokerConnection | undefined;
  connecting: Promise<BrokerConnection> | undefined;
  /** Failed connects in a row. */
  failures: number;
  /** No connect attempt before this time (ms, `Date.now()`). */
  retryAt: number;
}

/**
 * The one owner of a producer's connections: at most one open connection per broker id
 * (opened on demand, concurrent callers sharing one attempt), plus one bootstrap connection
 * while broker ids are not known yet. Every connection is made with the same
 * {@linkcode ConnectionOptions}.
 *
 * Reconnects back off exponentially with jitter (`reconnectBackoffMs` doubling up to
 * `reconnectBackoffMaxMs`, measured from the previous attempt's start), so a dead broker never
 * causes a hot loop: `connectionTo()` waits out the backoff before trying again. `close()`
 * closes every connection and ends those waits.
 *
 * @example Nothing listens on port 1: the attempt fails, and the next one backs off
 * ```ts
 * import { ConnectionPool } from "./connection_pool.ts";
 * const pool = new ConnectionPool(
 *   { clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 2000 },
 *   { reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000 },
 * );
 * const failed = await pool.connectionTo(1, { host: "127.0.0.1", port: 1 }).then(() => false, () => true);
 * if (!failed || !pool.backingOff(1, Date.now())) throw new Error();
 * await pool.close();
 * ```
 */
export class ConnectionPool {
  readonly #options: ConnectionOptions;
  readonly #backoff: ExponentialBackoff;
  readonly #nodes = new Map<number, NodeState>();
  #bootstrap: BrokerConnection | undefined;
  #closed = false;
  /** Backoff waits in progress, ended early by `close()`. */
  readonly #sleeps = new Map<ReturnType<typeof setTimeout>, () => void>();

  /**
   * @param options How every connection is made (shared, not copied).
   * @param reconnect The reconnect backoff.
   */
  constructor(options: ConnectionOptions, reconnect: ReconnectOptions) {
    this.#options = options;
    this.#backoff = new ExponentialBackoff(
      reconnect.reconnectBackoffMs,
      reconnect.reconnectBackoffMaxMs,
    );
  }

  /** The options every connection is made with. */
  get options(): ConnectionOptions {
    return this.#options;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * The open connection to broker `nodeId`, if there is one.
   *
   * @param nodeId A broker id.
   * @returns The connection, or undefined when none is open.
   */
  openConnection(nodeId: number): BrokerConnection | undefined {
    const connection = this.#nodes.get(nodeId)?.connection;
    return connection?.isOpen ? connection : undefined;
  }

  /**
   * Any open connection: to a broker first, else the bootstrap connection.
   *
   * @returns An open connection, or undefined.
   */
  anyOpen(): BrokerConnection | undefined {
    for (const node of this.#nodes.values()) if (node.connection?.isOpen) return node.connection;
    return this.#bootstrap?.isOpen ? this.#bootstrap : undefined;
  }

  /** The bootstrap connection, while it is open. */
  get openBootstrap(): BrokerConnection | undefined {
    return this.#bootstrap?.isOpen ? this.#bootstrap : undefined;
  }

  /**
   * True while broker `nodeId`'s last connect failed and its backoff has not passed.
   *
   * @param nodeId A broker id.
   * @param now `Date.now()`.
   * @returns Whether a new attempt would have to wait.
   */
  backingOff(nodeId: number, now: number): boolean {
    const node = this.#nodes.get(nodeId);
    return node !== undefined && node.failures > 0 && node.retryAt > now;
  }

  /**
   * The connection to broker `nodeId` at `address`, opening it when needed (after its
   * reconnect backoff, when the last attempt failed). Concurrent calls share one attempt.
   *
   * @param nodeId The broker's id.
   * @param address Where it listens (the caller's current knowledge).
   * @returns The open connection.
   * @throws {ConnectionError} When the pool is closed or the connect fails (or whatever
   * `BrokerConnection.connect()` throws).
   */
  connectionTo(nodeId: number, address: BrokerAddress): Promise<BrokerConnection> {
    if (this.#closed) return Promise.reject(closedError());
    let node = this.#nodes.get(nodeId);
    if (node === undefined) {
      node = { connection: undefined, connecting: undefined, failures: 0, retryAt: 0 };
      this.#nodes.set(nodeId, node);
    }
    if (node.connection?.isOpen) return Promise.resolve(node.connection);
    if (node.connecting !== undefined) return node.connecting;
    node.connecting = this.#connectNode(node, nodeId, address);
    return node.connecting;
  }

  /**
   * A connection to a bootstrap address. One bootstrap connection is kept at a time: it is
   * only needed until broker ids are known. Reused while it is open and goes to `address`.
   *
   * @param address A bootstrap server.
   * @returns The open connection.
   * @throws {ConnectionError} When the pool is closed or the connect fails.
   */
  async bootstrapConnection(address: BrokerAddress): Promise<BrokerConnection> {
    const current = this.#bootstrap;
    if (current?.isOpen && current.host === address.host && current.port === address.port) {
      return current;
    }
    const connection = await this.#open(address, -1);
    if (this.#closed) {
      await connection.close();
      throw closedError();
    }
    // Another call may have connected while this one waited (metadata and InitProducerId both
    // ask at start): use its connection and close ours, or replace and close it. A connection
    // dropped without close() keeps the process alive.
    const latest = this.#bootstrap;
    if (latest?.isOpen && latest.host === address.host && latest.port === address.port) {
      void connection.close();
      return latest;
    }
    this.#bootstrap = connection;
    if (latest?.isOpen) void latest.close();
    return connection;
  }

  /**
   * Closes broker `nodeId`'s connection (e.g. it moved to another address); its pending
   * requests fail with `ConnectionError`. The next `connectionTo()` opens a new one.
   *
   * @param nodeId A broker id.
   */
  disconnect(nodeId: number): void {
    const node = this.#nodes.get(nodeId);
    if (node?.connection !== undefined) {
      void node.connection.close();
      node.connection = undefined;
    }
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
    if (this.#bootstrap !== undefined) closing.push(this.#bootstrap.close());
    await Promise.all(closing);
  }

  async #connectNode(
    node: NodeState,
    nodeId: number,
    address: BrokerAddress,
  ): Promise<BrokerConnection> {
    try {
      const wait = node.retryAt - Date.now();
      if (wait > 0) await this.#sleep(wait);
      if (this.#closed) throw closedError();
      node.retryAt = Date.now() + this.#backoff.backoff(node.failures + 1);
      const connection = await this.#open(address, nodeId);
      node.failures = 0;
      if (this.#closed) {
        await connection.close();
        throw closedError();
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

  #open(address: BrokerAddress, nodeId: number): Promise<BrokerConnection> {
    return BrokerConnection.connect(
      { host: address.host, port: address.port, nodeId },
      this.#options,
    );
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
}

function closedError(): ConnectionError {
  return new ConnectionError("Cannot connect: the cluster view is closed");
}
