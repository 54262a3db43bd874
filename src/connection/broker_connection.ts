import { ConnectionError, ProtocolError, TimeoutError } from "../errors/client_errors.ts";
import { BrokerError } from "../errors/broker_error.ts";
import type { ApiDescriptor } from "../protocol/api.ts";
import { type ApiVersionRange, ApiVersionsApi, pickVersion } from "../protocol/api_versions.ts";
import {
  decodeResponseFrame,
  encodeRequestFrame,
  readCorrelationId,
} from "../protocol/request_frame.ts";
import { Writer } from "../protocol/writer.ts";
import { FrameReader } from "./frame_reader.ts";
import { connectTransport, type Transport } from "./transport.ts";

/** Options for `BrokerConnection.connect()`. */
export interface BrokerConnectionOptions {
  host: string;
  port: number;
  /** The broker's id, or -1 for a bootstrap connection. */
  nodeId: number;
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

interface PendingRequest {
  api: ApiDescriptor<unknown, unknown>;
  version: number;
  resolve: (response: unknown) => void;
  reject: (error: unknown) => void;
  deadline: number;
}

/**
 * One connection to one broker: size-prefixed framing, correlation ids, pipelined requests,
 * a per-request timeout and the ApiVersions handshake. When the socket dies every pending
 * request is rejected with a `ConnectionError` (retriable), naming the broker.
 *
 * A request that times out closes the connection (as Java's client does): its fate, and that
 * of every request behind it, is unknown, and a fresh connection is the only clean state.
 *
 * @example
 * ```ts ignore
 * import { BrokerConnection } from "./broker_connection.ts";
 * import { MetadataApi } from "../protocol/metadata.ts";
 * const connection = await BrokerConnection.connect({
 *   host: "127.0.0.1", port: 9092, nodeId: -1, clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 10000,
 * });
 * const metadata = await connection.send(MetadataApi, { topics: null });
 * await connection.close();
 * ```
 */
export class BrokerConnection {
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly #options: BrokerConnectionOptions;
  #transport: Transport | undefined;
  readonly #pending = new Map<number, PendingRequest>();
  #nextCorrelationId = 1;
  #versions = new Map<number, ApiVersionRange>();
  #open = false;
  #closeError: Error | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #writer = new Writer(4096);
  readonly #frames: FrameReader;
  #closedResolve!: () => void;
  /** Resolves once the socket is gone. */
  readonly closed: Promise<void>;

  private constructor(options: BrokerConnectionOptions) {
    this.#options = options;
    this.host = options.host;
    this.port = options.port;
    this.nodeId = options.nodeId;
    this.#frames = new FrameReader((frame) => this.#onFrame(frame));
    this.closed = new Promise((resolve) => this.#closedResolve = resolve);
  }

  /**
   * Connects and negotiates API versions (ApiVersions v3, falling back to the version the
   * broker names when it answers UNSUPPORTED_VERSION).
   */
  static async connect(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const connection = new BrokerConnection(options);
    connection.#transport = await connectTransport({
      host: options.host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
      handlers: {
        onData: (chunk) => {
          try {
            connection.#frames.push(chunk);
          } catch (error) {
            connection.#fail(error as Error);
          }
        },
        onClose: (error) => connection.#fail(error),
      },
    });
    connection.#open = true;
    connection.#timer = setInterval(
      () => connection.#checkTimeouts(),
      Math.min(1000, Math.max(10, options.requestTimeoutMs / 4)),
    );
    try {
      await connection.#handshake();
    } catch (error) {
      connection.#fail(error as Error);
      throw error;
    }
    return connection;
  }

  /** True until the socket closes. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Requests waiting for a response. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** The broker's version range for an API key, from the handshake. */
  brokerVersions(apiKey: number): ApiVersionRange | undefined {
    return this.#versions.get(apiKey);
  }

  /**
   * The highest version of `api` both sides support. Throws `ProtocolError` when there is
   * none, naming both ranges.
   */
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    const broker = this.#versions.get(api.apiKey);
    const version = pickVersion(api, broker);
    if (version === undefined) {
      throw new ProtocolError(
        `Cannot use ${api.name} with broker ${this.nodeId} (${this.host}:${this.port}): it supports ` +
          `${
            broker ? `v${broker.minVersion}-v${broker.maxVersion}` : "no version"
          }, sluice v${api.minVersion}-v${api.maxVersion}`,
        { code: "UNSUPPORTED_VERSION" },
      );
    }
    return version;
  }

  /**
   * Sends a request. With `expectResponse: false` (Produce with acks=0) it resolves with
   * undefined once queued on the socket.
   */
  send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options: { version?: number; expectResponse?: boolean } = {},
  ): Promise<Res | undefined> {
    if (!this.#open) {
      return Promise.reject(
        new ConnectionError(
          `Cannot send ${api.name} to broker ${this.nodeId} (${this.host}:${this.port}): the connection is closed`,
          {
            cause: this.#closeError,
          },
        ),
      );
    }
    let version: number;
    try {
      version = options.version ?? this.versionFor(api as ApiDescriptor<unknown, unknown>);
    } catch (error) {
      return Promise.reject(error);
    }
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) & 0x7fffffff;
    // The frame is copied out of the shared writer because the transport keeps it queued.
    const frame = encodeRequestFrame(
      api,
      version,
      correlationId,
      this.#options.clientId,
      request,
      this.#writer,
    ).slice();
    if (options.expectResponse === false) {
      this.#transport!.write(frame);
      return Promise.resolve(undefined);
    }
    return new Promise<Res | undefined>((resolve, reject) => {
      this.#pending.set(correlationId, {
        api: api as ApiDescriptor<unknown, unknown>,
        version,
        resolve: resolve as (response: unknown) => void,
        reject,
        deadline: Date.now() + this.#options.requestTimeoutMs,
      });
      this.#transport!.write(frame);
    });
  }

  /** Resolves once the socket can take more bytes. */
  drained(): Promise<void> {
    return this.#transport?.drained() ?? Promise.resolve();
  }

  /** Closes the connection; pending requests are rejected with `ConnectionError`. */
  async close(): Promise<void> {
    if (this.#open) {
      this.#transport?.close();
      this.#fail(undefined);
    }
    await this.closed;
  }

  async #handshake(): Promise<void> {
    let version = ApiVersionsApi.maxVersion;
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.send(ApiVersionsApi, {
        clientSoftwareName: this.#options.clientSoftwareName ?? "sluice",
        clientSoftwareVersion: this.#options.clientSoftwareVersion ?? "0.1.0",
      }, { version });
      if (response === undefined) throw new ProtocolError("ApiVersions returned no response");
      if (response.errorCode === 35) {
        // UNSUPPORTED_VERSION: retry with the highest ApiVersions version the broker named.
        const theirs = response.apiKeys.find((range) => range.apiKey === ApiVersionsApi.apiKey);
        version = Math.min(ApiVersionsApi.maxVersion, theirs?.maxVersion ?? 0);
        continue;
      }
      if (response.errorCode !== 0) {
        throw BrokerError.fromCode(
          response.errorCode,
          null,
          `ApiVersions to ${this.host}:${this.port}`,
        );
      }
      this.#versions = new Map(response.apiKeys.map((range) => [range.apiKey, range]));
      return;
    }
    throw new ProtocolError(`Cannot negotiate ApiVersions with ${this.host}:${this.port}`);
  }

  #onFrame(frame: Uint8Array): void {
    const correlationId = readCorrelationId(frame);
    const pending = this.#pending.get(correlationId);
    if (pending === undefined) return; // answered after its timeout
    this.#pending.delete(correlationId);
    let response: unknown;
    try {
      response = decodeResponseFrame(pending.api, pending.version, frame);
    } catch (error) {
      pending.reject(error);
      this.#fail(error as Error);
      return;
    }
    pending.resolve(response);
  }

  #checkTimeouts(): void {
    const now = Date.now();
    for (const pending of this.#pending.values()) {
      if (now < pending.deadline) continue;
      const error = new TimeoutError(
        `${pending.api.name} to broker ${this.nodeId} (${this.host}:${this.port}) timed out after ` +
          `requestTimeoutMs (${this.#options.requestTimeoutMs} ms); closing the connection`,
        "REQUEST_TIMEOUT",
      );
      this.#fail(error); // closes the transport too
      return;
    }
  }

  /** Marks the connection dead and rejects everything pending. */
  #fail(error: Error | undefined): void {
    const wasOpen = this.#open;
    this.#open = false;
    this.#closeError ??= error;
    clearInterval(this.#timer);
    // Take the pending requests first: closing the transport re-enters here via onClose.
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    if (wasOpen && error !== undefined) this.#transport?.close();
    for (const request of pending) {
      request.reject(
        error instanceof TimeoutError ? error : new ConnectionError(
          `Connection to broker ${this.nodeId} (${this.host}:${this.port}) was lost with ${request.api.name} in flight` +
            (error ? `: ${error.message}` : ""),
          { cause: error },
        ),
      );
    }
    this.#closedResolve();
  }
}
