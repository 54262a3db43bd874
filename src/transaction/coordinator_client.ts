import type { Logger } from "../config/logger.ts";
import type { RequestChannel } from "../connection/request_channel.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import type { ApiDescriptor } from "../protocol/api.ts";
import { EndTxnApi } from "../protocol/end_txn.ts";
import { CoordinatorKeyType, FindCoordinatorApi } from "../protocol/find_coordinator.ts";
import { ProduceApi } from "../protocol/produce.ts";
import type { ExponentialBackoff } from "../time/exponential_backoff.ts";

/** A broker's address, as FindCoordinator gives it. */
export interface CoordinatorEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** Where transactional requests go (a `Cluster` provides it). */
export interface TransactionNetwork {
  /** Any open connection, or a new one to the first reachable broker. */
  anyConnection(): Promise<RequestChannel>;
  /** The connection to a broker by id, opened when needed. */
  connectionTo(nodeId: number): Promise<RequestChannel>;
  /** Makes brokers known by id (a coordinator may not be in the metadata yet). */
  addBrokers(endpoints: Iterable<CoordinatorEndpoint>): void;
}

/** Which coordinator a request goes to: `CoordinatorKeyType` and the transactional or group id. */
export interface CoordinatorKey {
  type: number;
  key: string;
}

/** A response handler's verdict to try again (after finding the coordinator anew). */
export type RetryOutcome = { retry: true; findCoordinator?: boolean; backoffMs?: number };

/** What a response handler decides: done with a value, or try again. */
export type Outcome<T> = { done: T } | RetryOutcome;

/**
 * Transactional requests to the coordinator that owns a transactional id or a group: finds it
 * (FindCoordinator to any broker, its address then known by id), sends, and hands the answer
 * to the caller's handler, which says done, retry (after finding the coordinator again when it
 * moved) or throws. Lost connections and request timeouts are retried too (the coordinator may
 * have moved); every retry waits with backoff. `stop(error)` makes pending and later requests
 * reject with `error` (the producer closed or failed for good).
 *
 * @example A client stopped before it sends
 * ```ts
 * import { CoordinatorClient } from "./coordinator_client.ts";
 * import { ExponentialBackoff } from "../time/exponential_backoff.ts";
 * import { silentLogger } from "../config/logger.ts";
 * const network = {
 *   anyConnection: () => Promise.reject(new Error("unused")),
 *   connectionTo: () => Promise.reject(new Error("unused")),
 *   addBrokers: () => {},
 * };
 * const client = new CoordinatorClient(network, new ExponentialBackoff(10, 100), silentLogger);
 * client.stop(new Error("closed") as never);
 * const failed = await client.findCoordinator({ type: 1, key: "tx" }).then(() => false, () => true);
 * if (!failed) throw new Error();
 * ```
 */
export class CoordinatorClient {
  readonly #network: TransactionNetwork;
  readonly #backoff: ExponentialBackoff;
  readonly #logger: Logger;
  /** The coordinator's broker id per coordinator key ("1:txn-id", "0:group"). */
  readonly #coordinators = new Map<string, number>();
  #transactionVersion = -1;
  #stopped: KafkaError | undefined;

  /**
   * @param network Where requests go.
   * @param backoff The wait between attempts.
   * @param logger Where coordinator changes are logged.
   */
  constructor(network: TransactionNetwork, backoff: ExponentialBackoff, logger: Logger) {
    this.#network = network;
    this.#backoff = backoff;
    this.#logger = logger;
  }

  /**
   * The cluster's finalized `transaction.version` as the transaction coordinator last reported
   * it in its ApiVersions answer (0 when it reported none; -1 before any request), but at most
   * 1 unless this client and the broker agree on the versions transactions v2 needs.
   */
  get transactionVersion(): number {
    return this.#transactionVersion;
  }

  /** Ends every pending and later request with `error` (the first one sticks). */
  stop(error: KafkaError): void {
    this.#stopped ??= error;
  }

  /**
   * Sends a request to a coordinator until `handle` says done (or throws).
   *
   * @param context Names the request in errors.
   * @param coordinator Whose coordinator.
   * @param api The API.
   * @param maxVersion The highest version to use (transactions v1 caps some APIs).
   * @param build The request for the version chosen.
   * @param handle Decides on the answer.
   * @returns What `handle` was done with.
   * @throws What `handle` threw; a non-retriable failure; the error given to `stop()`.
   */
  async request<Req, Res, T>(
    context: string,
    coordinator: CoordinatorKey,
    api: ApiDescriptor<Req, Res>,
    maxVersion: number | undefined,
    build: (version: number) => Req,
    handle: (response: Res, version: number) => Outcome<T>,
  ): Promise<T> {
    let failures = 0;
    for (;;) {
      this.#checkRunning();
      let backoffMs: number | undefined;
      try {
        const nodeId = await this.findCoordinator(coordinator);
        const connection = await this.#network.connectionTo(nodeId);
        if (coordinator.type === CoordinatorKeyType.Transaction) {
          this.#transactionVersion = usableTransactionVersion(connection);
        }
        let version = connection.versionFor(api);
        if (maxVersion !== undefined) version = Math.min(version, maxVersion);
        const response = await connection.send(api, build(version), { version });
        if (response === undefined) throw new Error(`${context} returned no response`);
        this.#checkRunning();
        const outcome = handle(response, version);
        if ("done" in outcome) return outcome.done;
        if (outcome.findCoordinator) this.#forget(coordinator);
        backoffMs = outcome.backoffMs;
      } catch (error) {
        if (!isRetriableFailure(error)) throw error;
        // Lost connection, request timeout: the coordinator may have moved.
        this.#forget(coordinator);
      }
      failures++;
      await sleep(backoffMs ?? this.#backoff.backoff(failures));
    }
  }

  /**
   * The coordinator's broker id: cached, or FindCoordinator to any broker, retried while the
   * answer is retriable (e.g. COORDINATOR_NOT_AVAILABLE while its log loads).
   *
   * @throws {BrokerError} A non-retriable answer (e.g. TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
   */
  async findCoordinator(coordinator: CoordinatorKey): Promise<number> {
    const cacheKey = `${coordinator.type}:${coordinator.key}`;
    let failures = 0;
    for (;;) {
      this.#checkRunning();
      const known = this.#coordinators.get(cacheKey);
      if (known !== undefined) return known;
      try {
        const connection = await this.#network.anyConnection();
        const response = await connection.send(FindCoordinatorApi, {
          keyType: coordinator.type,
          keys: [coordinator.key],
        });
        const found = response?.coordinators[0];
        if (found === undefined) throw new Error("FindCoordinator returned no coordinator");
        if (found.errorCode === 0) {
          this.#network.addBrokers([{ nodeId: found.nodeId, host: found.host, port: found.port }]);
          this.#coordinators.set(cacheKey, found.nodeId);
          this.#logger.debug("Coordinator found", { key: coordinator.key, nodeId: found.nodeId });
          return found.nodeId;
        }
        const error = BrokerError.fromCode(found.errorCode, found.errorMessage, "FindCoordinator");
        if (!error.retriable) throw error;
      } catch (error) {
        if (!isRetriableFailure(error)) throw error;
      }
      failures++;
      await sleep(this.#backoff.backoff(failures));
    }
  }

  #forget(coordinator: CoordinatorKey): void {
    this.#coordinators.delete(`${coordinator.type}:${coordinator.key}`);
  }

  #checkRunning(): void {
    if (this.#stopped !== undefined) throw this.#stopped;
  }
}

/** Lost connections, timeouts and retriable broker answers: try again. */
function isRetriableFailure(error: unknown): boolean {
  if (error instanceof KafkaError) return error.retriable;
  return !(error instanceof TypeError || error instanceof RangeError);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Transactions v2 (KIP-890) joins partitions through Produce v12+ and ends with EndTxn v5. */
const FIRST_PRODUCE_VERSION_OF_TRANSACTIONS_V2 = 12;
const FIRST_END_TXN_VERSION_OF_TRANSACTIONS_V2 = 5;

/**
 * The cluster's finalized `transaction.version`, lowered to 1 when the versions negotiated with
 * this broker cannot carry transactions v2: a client that sends Produce v11 must add
 * partitions with AddPartitionsToTxn (a v2 broker refuses the Produce with INVALID_TXN_STATE
 * otherwise), as a Kafka 3.x client does against a 4.x cluster.
 */
function usableTransactionVersion(connection: RequestChannel): number {
  const finalized = connection.finalizedFeatures?.get("transaction.version") ?? 0;
  if (finalized < 2) return finalized;
  const v2 = connection.versionFor(ProduceApi) >= FIRST_PRODUCE_VERSION_OF_TRANSACTIONS_V2 &&
    connection.versionFor(EndTxnApi) >= FIRST_END_TXN_VERSION_OF_TRANSACTIONS_V2;
  return v2 ? finalized : 1;
}
