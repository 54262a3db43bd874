import { describeThrown } from "../errors/describe_thrown.ts";
import { ConnectionError, ProtocolError, TimeoutError } from "../errors/client_errors.ts";
import { BrokerError } from "../errors/broker_error.ts";
import type { ApiDescriptor } from "../protocol/api.ts";
import { type ApiVersionRange, ApiVersionsApi, pickVersion } from "../protocol/api_versions.ts";
import { clientMaxVersion } from "./client_version_caps.ts";
import {
  decodeResponseFrame,
  encodeRequestFrame,
  readCorrelationId,
  writeRequestFrame,
} from "../protocol/request_frame.ts";
import { Writer } from "../protocol/writer.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import { AuthenticationError, TlsError } from "../errors/security_errors.ts";
import { FrameReader } from "./frame_reader.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { authenticateSasl } from "./sasl_authentication.ts";
import { connectTransport, type Transport } from "./transport.ts";

/** Which broker a {@linkcode BrokerConnection} connects to. */
export interface BrokerTarget {
  /** The broker's host name or IP address. */
  readonly host: string;
  /** The broker's port. */
  readonly port: number;
  /** The broker's id, or -1 for a bootstrap connection (id not known yet). */
  readonly nodeId: number;
}

/** Per-request options for {@linkcode BrokerConnection.send}. */
export interface SendOptions {
  /** The API version to use. @default the highest both sides support (`versionFor(api)`) */
  version?: number;
  /**
   * False when the broker sends no response (Produce with acks=0): `send()` then resolves
   * with undefined once the request is handed to the transport. @default true
   */
  expectResponse?: boolean;
}

interface PendingRequest {
  api: ApiDescriptor<unknown, unknown>;
  version: number;
  resolve: (response: unknown) => void;
  reject: (error: unknown) => void;
  deadline: number;
}

/** Requests larger than this are encoded into a writer of their own, then dropped. */
const KEEP_WRITER_BYTES = 1024 * 1024;
/**
 * Byte arrays this large or larger inside a request that expects a response (Produce record
 * batches) are written by reference, not copied into the frame.
 */
const REFERENCE_BYTES = 4096;

/**
 * One connection to one broker: size-prefixed framing, correlation ids, pipelined requests
 * (responses are matched by correlation id, so their order does not matter), a per-request
 * timeout and the handshake: TLS when `options.tls` is set (in the transport), ApiVersions,
 * then with `options.sasl` SaslHandshake and SaslAuthenticate. When the broker gives the
 * SASL session a lifetime (KIP-368), the connection re-authenticates at 85–95% of it (as
 * Java's client does): requests already sent are answered as usual, and requests sent
 * meanwhile wait (`writable` is false) and go out once the broker has accepted again.
 *
 * Failure model: when the socket dies, or a response cannot be decoded, every pending request
 * is rejected with a retriable `ConnectionError` naming the broker, with the cause. A request
 * that times out is rejected with `TimeoutError` ("REQUEST_TIMEOUT") and the connection is
 * closed, as Java's client does: whether the broker processed it, and anything behind it, is
 * unknown, and only a fresh connection is a clean state. A closed connection stays closed;
 * connect again for a new one. A failed authentication (`AuthenticationError`) or TLS
 * handshake (`TlsError`) rejects `connect()` with that error itself, never retriable; a
 * failed re-authentication closes the connection with it as the cause.
 *
 * @example Connecting where nothing listens fails with a retriable ConnectionError
 * ```ts
 * import { BrokerConnection } from "./broker_connection.ts";
 * import { ConnectionError } from "../errors/client_errors.ts";
 * const failure = await BrokerConnection.connect(
 *   { host: "127.0.0.1", port: 1, nodeId: 1 },
 *   { clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 2000 },
 * ).then(() => undefined, (error: unknown) => error);
 * if (!(failure instanceof ConnectionError) || !failure.retriable) throw new Error("unexpected");
 * ```
 */
export class BrokerConnection {
  /** The broker's host, as given to `connect()`. */
  readonly host: string;
  /** The broker's port. */
  readonly port: number;
  /** The broker's id, or -1 for a bootstrap connection. */
  readonly nodeId: number;
  /** Resolves once the connection is closed (by `close()`, a timeout or the socket dying). */
  readonly closed: Promise<void>;
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #maxInFlight: number;
  #transport: Transport | undefined;
  readonly #pending = new Map<number, PendingRequest>();
  #nextCorrelationId = 1;
  #versions = new Map<number, ApiVersionRange>();
  #finalizedFeatures: ReadonlyMap<string, number> = new Map();
  #open = false;
  #failed = false;
  #closeError: Error | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writer = new Writer(4096);
  readonly #frames: FrameReader;
  readonly #options: ConnectionOptions;
  /** Plaintext connections check the broker's first bytes for a TLS record (wrong port). */
  #firstBytes: boolean;
  /**
   * While re-authenticating: the frames of requests sent meanwhile, written in order once the
   * broker has accepted again. Undefined otherwise.
   */
  #held: Uint8Array[][] | undefined;
  #reauthTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why the transport closed before `connect()` took it, if it did. */
  #closedEarly: Error | undefined;
  /** False after the transport's `write()` returned false, until it drains. */
  #transportWritable = true;
  #watchingDrain = false;
  #writableWaiters: Array<() => void> = [];
  #resolveClosed!: () => void;

  private constructor(broker: BrokerTarget, options: ConnectionOptions) {
    this.host = broker.host;
    this.port = broker.port;
    this.nodeId = broker.nodeId;
    this.#clientId = options.clientId;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#maxInFlight = options.maxInFlight ?? Infinity;
    this.#options = options;
    this.#firstBytes = options.tls === undefined;
    this.#frames = new FrameReader((frame) => this.#onFrame(frame));
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /**
   * Connects (with TLS when `options.tls` is set), negotiates API versions (ApiVersions v3
   * first, and when the broker answers UNSUPPORTED_VERSION, again with the highest
   * ApiVersions version it names, v0 if its answer names none), then authenticates with
   * `options.sasl` when set.
   *
   * @param broker Where to connect, and the broker's id.
   * @param options How (timeouts, client id, TLS, SASL): shared by every connection of a
   * producer.
   * @returns The open, authenticated connection, with the broker's version ranges known.
   * @throws {ConnectionError} When the connection cannot be made or dies during the handshake.
   * @throws {TimeoutError} When the handshake gets no answer within `requestTimeoutMs`.
   * @throws {TlsError} When the TLS handshake fails, or TLS is used on one side only.
   * @throws {AuthenticationError} When SASL authentication fails.
   */
  static async connect(
    broker: BrokerTarget,
    options: ConnectionOptions,
  ): Promise<BrokerConnection> {
    const connection = new BrokerConnection(broker, options);
    const transport = await connectTransport({
      host: broker.host,
      port: broker.port,
      connectTimeoutMs: options.connectTimeoutMs,
      tls: options.tls,
      handlers: {
        onData: (chunk) => connection.#onData(chunk),
        onClose: (error) => connection.#onTransportClose(error),
      },
    });
    connection.#transport = transport;
    connection.#open = true;
    // Checking a few times per timeout bounds how late a timeout fires (<= 1 s, or 25%).
    const period = Math.min(1000, Math.max(10, Math.floor(options.requestTimeoutMs / 4)));
    connection.#timer = setInterval(() => connection.#checkTimeouts(), period);
    try {
      const early = connection.#closedEarly;
      if (early !== undefined) {
        throw early instanceof KafkaError ? early : new ConnectionError(
          `Connection to ${connection.#describe()} was lost: ${early.message}`,
          { cause: early },
        );
      }
      await connection.#handshake(options);
      if (options.sasl !== undefined) await connection.#authenticate();
    } catch (error) {
      connection.#fail(asError(error));
      // A TLS or authentication failure surfaces as such, not as the connection loss it
      // caused: it is final (not retriable), and its message says what to fix.
      const closeError = connection.#closeError;
      if (!(error instanceof AuthenticationError) && closeError instanceof AuthenticationError) {
        throw closeError;
      }
      throw error;
    }
    return connection;
  }

  /** True until the connection closes. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Requests sent and waiting for their response. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * True when a sender may write more: the transport is below its high-water mark and fewer
   * than `maxInFlight` requests wait. False once closed.
   */
  get writable(): boolean {
    return this.#open && this.#transportWritable && this.#held === undefined &&
      this.#pending.size < this.#maxInFlight;
  }

  /**
   * Resolves once `writable` is true again, or the connection closed (check `isOpen`).
   *
   * @returns A promise that never rejects.
   */
  drained(): Promise<void> {
    if (this.writable || !this.#open) return Promise.resolve();
    this.#watchTransportDrain();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  /**
   * The broker's version range for an API key, from the handshake.
   *
   * @param apiKey The API key, e.g. `ApiKey.Produce`.
   * @returns The range, or undefined when the broker does not offer the API.
   */
  brokerVersions(apiKey: number): ApiVersionRange | undefined {
    return this.#versions.get(apiKey);
  }

  /**
   * The cluster's finalized features as this broker reported them in its ApiVersions v3+
   * answer at connect time, name → max version level (e.g. "transaction.version" → 2 when
   * transactions v2, KIP-890, are on); empty before v3.
   */
  get finalizedFeatures(): ReadonlyMap<string, number> {
    return this.#finalizedFeatures;
  }

  /**
   * The highest version of `api` both sides support.
   *
   * @param api The API.
   * @returns The version to use.
   * @throws {ProtocolError} ("UNSUPPORTED_VERSION") when the ranges do not overlap, naming both.
   */
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    const broker = this.#versions.get(api.apiKey);
    const maxVersion = clientMaxVersion(api.apiKey, api.maxVersion);
    const version = pickVersion({ minVersion: api.minVersion, maxVersion }, broker);
    if (version === undefined) {
      const theirs = broker === undefined
        ? "does not support it"
        : `supports v${broker.minVersion}-v${broker.maxVersion}`;
      throw new ProtocolError(
        `Cannot use ${api.name} with ${this.#describe()}: the broker ${theirs}, ` +
          `sluice supports v${api.minVersion}-v${maxVersion}`,
        { code: "UNSUPPORTED_VERSION" },
      );
    }
    return version;
  }

  /**
   * Sends a request; requests are pipelined (no limit at this layer).
   *
   * Produce record batches of 4 KiB or more are written by reference when a response is
   * expected: the caller must not change them until the promise settles, and after a
   * rejection must assume the bytes may still be written by the closing connection (the
   * sender requeues such batches as they are and never reuses their buffers).
   *
   * @param api The API.
   * @param request The request body.
   * @param options The version, and whether a response comes.
   * @returns The decoded response, or undefined with `expectResponse: false`.
   * @throws {ConnectionError} (rejection) When the connection is or becomes closed.
   * @throws {TimeoutError} (rejection) When no response came within `requestTimeoutMs`.
   * @throws {ProtocolError} (rejection) When no version fits or the response is malformed.
   */
  send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options?: SendOptions,
  ): Promise<Res | undefined> {
    return this.#send(api, request, options?.version, options?.expectResponse !== false, false);
  }

  /**
   * Sends a SASL request (SaslHandshake, SaslAuthenticate) at once, even while other requests
   * are held for a re-authentication. For `authenticateSasl()`; not for other requests.
   *
   * @param api The SASL API.
   * @param request The request body.
   * @param version The version to use.
   * @returns The decoded response.
   */
  sendSasl<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    version: number,
  ): Promise<Res | undefined> {
    return this.#send(api, request, version, true, true);
  }

  #send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    requestedVersion: number | undefined,
    expectResponse: boolean,
    bypassHold: boolean,
  ): Promise<Res | undefined> {
    if (!this.#open) {
      return Promise.reject(
        new ConnectionError(
          `Cannot send ${api.name} to ${this.#describe()}: the connection is closed`,
          { cause: this.#closeError },
        ),
      );
    }
    const correlationId = this.#nextCorrelationId;
    let version: number;
    let frame: Uint8Array[];
    try {
      version = requestedVersion ?? this.versionFor(api as ApiDescriptor<unknown, unknown>);
      frame = this.#encode(api, version, correlationId, request, expectResponse);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#nextCorrelationId = correlationId === 0x7fffffff ? 0 : correlationId + 1;
    if (!expectResponse) {
      this.#write(frame, bypassHold);
      return Promise.resolve(undefined);
    }
    return new Promise<Res | undefined>((resolve, reject) => {
      this.#pending.set(correlationId, {
        api: api as ApiDescriptor<unknown, unknown>,
        version,
        resolve: resolve as (response: unknown) => void,
        reject,
        deadline: performance.now() + this.#requestTimeoutMs,
      });
      this.#write(frame, bypassHold);
    });
  }

  /**
   * Closes the connection: bytes already handed to the transport are still written (an acks=0
   * Produce is not lost), then the socket closes. Pending requests are rejected with
   * `ConnectionError` ("Connection to broker N (host:port) was closed"). Idempotent.
   *
   * @returns Resolves once closed.
   */
  close(): Promise<void> {
    if (this.#open) this.#fail(undefined);
    return this.closed;
  }

  async #handshake(options: ConnectionOptions): Promise<void> {
    const request = {
      clientSoftwareName: options.clientSoftwareName ?? "sluice",
      clientSoftwareVersion: options.clientSoftwareVersion ?? "0.1.0",
    };
    let version = ApiVersionsApi.maxVersion;
    for (;;) {
      const response = (await this.send(ApiVersionsApi, request, { version }))!;
      if (response.errorCode === 0) {
        this.#versions = new Map(response.apiKeys.map((range) => [range.apiKey, range]));
        this.#finalizedFeatures = response.finalizedFeatures;
        return;
      }
      // UNSUPPORTED_VERSION (35) lists what the broker speaks: retry with its highest
      // ApiVersions version, always lower than the one refused, so this ends at v0.
      if (response.errorCode !== 35 || version === 0) {
        throw BrokerError.fromCode(
          response.errorCode,
          null,
          `ApiVersions v${version} to ${this.#describe()}`,
        );
      }
      const theirs = response.apiKeys.find((range) => range.apiKey === ApiVersionsApi.apiKey);
      version = Math.max(0, Math.min(version - 1, theirs?.maxVersion ?? 0));
    }
  }

  /**
   * The request as the segments to write. Produce (an API with `bodySizeBound`) is encoded
   * once into a buffer of its own; when a response is expected its record batches are not
   * even copied: they are written by reference (see `send()` for what that requires). Other
   * requests go through the shared writer and one copy to an exact-size buffer.
   */
  #encode<Req>(
    api: ApiDescriptor<Req, unknown>,
    version: number,
    correlationId: number,
    request: Req,
    expectResponse: boolean,
  ): Uint8Array[] {
    const bound = api.bodySizeBound?.(request);
    if (bound !== undefined) {
      // Header bound: size, key, version, correlation id, client id, tags.
      const headerBound = 4 + 2 + 2 + 4 + 2 + 3 * this.#clientId.length + 1;
      if (expectResponse) {
        const writer = new Writer(headerBound + 256);
        writer.referenceFrom = REFERENCE_BYTES;
        writeRequestFrame(api, version, correlationId, this.#clientId, request, writer);
        return writer.toSegments();
      }
      // acks=0: the batches are recycled as soon as this returns, so they are copied.
      const writer = new Writer(headerBound + bound);
      writeRequestFrame(api, version, correlationId, this.#clientId, request, writer);
      return [writer.toBytes()];
    }
    const frame = encodeRequestFrame(
      api,
      version,
      correlationId,
      this.#clientId,
      request,
      this.#writer,
    )
      .slice();
    if (frame.length > KEEP_WRITER_BYTES) this.#writer = new Writer(4096); // don't pin a huge one
    return [frame];
  }

  /**
   * Authenticates with `options.sasl` and, when the session has a lifetime, schedules the
   * re-authentication at 85–95% of it (randomised, as Java's client, so that a producer's
   * connections do not re-authenticate in lockstep).
   */
  async #authenticate(reauthentication = false): Promise<void> {
    const session = await authenticateSasl(this, this.#options.sasl!, this, reauthentication);
    if (session.lifetimeMs <= 0 || !this.#open) return;
    const delay = Math.floor(session.lifetimeMs * (0.85 + 0.1 * Math.random()));
    this.#reauthTimer = setTimeout(() => void this.#reauthenticate(), delay);
  }

  /**
   * KIP-368 re-authentication: new requests are held (not written) from here on, while
   * requests already written are answered as usual (the broker handles a connection's
   * requests in order, so their answers come before the SaslHandshake's); once the broker
   * accepts again, the held requests go out in order. A refusal closes the connection with
   * the `AuthenticationError` as the cause of its pending requests' rejections.
   */
  async #reauthenticate(): Promise<void> {
    this.#reauthTimer = undefined;
    if (!this.#open) return;
    this.#held = [];
    try {
      await this.#authenticate(true);
    } catch (error) {
      this.#options.logger?.warn("Re-authentication failed; closing the connection", {
        broker: this.#describe(),
        error: asError(error).message,
      });
      this.#fail(asError(error));
      return;
    }
    const held = this.#held;
    this.#held = undefined;
    this.#options.logger?.debug("Re-authenticated", {
      broker: this.#describe(),
      heldRequests: held?.length ?? 0,
    });
    if (held !== undefined) { for (const frame of held) this.#write(frame, false); }
    this.#wakeWritableWaiters();
  }

  #write(segments: Uint8Array[], bypassHold: boolean): void {
    if (this.#held !== undefined && !bypassHold) {
      this.#held.push(segments);
      return;
    }
    const transport = this.#transport!;
    let writable = true;
    for (let i = 0; i < segments.length; i++) writable = transport.write(segments[i]!);
    if (!writable) this.#transportWritable = false;
  }

  #watchTransportDrain(): void {
    if (this.#transportWritable || this.#watchingDrain) return;
    this.#watchingDrain = true;
    void this.#transport!.drained().then(() => {
      this.#watchingDrain = false;
      this.#transportWritable = true;
      this.#wakeWritableWaiters();
    });
  }

  #wakeWritableWaiters(): void {
    if (this.#writableWaiters.length === 0) return;
    if (this.#open && !this.writable) {
      this.#watchTransportDrain();
      return;
    }
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const wake of waiters) wake();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#firstBytes) {
      this.#firstBytes = false;
      // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where a Kafka response size
      // was expected: the listener expects TLS (Kafka's SSL listeners answer a plaintext
      // request with an alert, read as a size of ~350 MB).
      if (chunk.length >= 2 && (chunk[0] === 0x15 || chunk[0] === 0x16) && chunk[1] === 0x03) {
        this.#fail(
          new TlsError(
            `Cannot talk to ${this.#describe()} without TLS: its listener expects TLS (SSL or ` +
              `SASL_SSL); set securityProtocol to "SSL" or "SASL_SSL" for it, or use its ` +
              `PLAINTEXT / SASL_PLAINTEXT port`,
            "TLS_REQUIRED_BY_BROKER",
          ),
        );
        return;
      }
    }
    try {
      this.#frames.push(chunk);
    } catch (error) {
      this.#fail(asError(error));
    }
  }

  #onFrame(frame: Uint8Array): void {
    if (!this.#open) return;
    const correlationId = readCorrelationId(frame);
    const pending = this.#pending.get(correlationId);
    // Unknown ids are ignored, not fatal: some brokers (librdkafka's mock) answer acks=0
    // Produce requests, which were never registered. Timed-out ids cannot occur (a timeout
    // closes the connection).
    if (pending === undefined) return;
    this.#pending.delete(correlationId);
    let response: unknown;
    try {
      response = decodeResponseFrame(pending.api, pending.version, frame);
    } catch (error) {
      pending.reject(error);
      throw error; // the stream is suspect: #onData closes the connection
    }
    pending.resolve(response);
    if (this.#writableWaiters.length > 0) this.#wakeWritableWaiters();
  }

  #onTransportClose(error: Error | undefined): void {
    if (this.#failed) return;
    if (!this.#open) {
      // Before connect() has taken the transport (a runtime may report a failure, e.g. a TLS
      // alert, in the same tick it hands the connection over): connect() checks this.
      this.#closedEarly = error ??
        new ConnectionError(`${capitalize(this.#describe())} closed the connection`);
      return;
    }
    this.#fail(
      error ?? new ConnectionError(`${capitalize(this.#describe())} closed the connection`),
    );
  }

  #checkTimeouts(): void {
    // Every request has the same timeout, so the oldest expires first.
    const oldest = this.#pending.values().next().value;
    if (oldest === undefined || performance.now() < oldest.deadline) return;
    const timeout = new TimeoutError(
      `${oldest.api.name} to ${this.#describe()} timed out after requestTimeoutMs ` +
        `(${this.#requestTimeoutMs} ms); closing the connection`,
      "REQUEST_TIMEOUT",
    );
    this.#fail(timeout);
  }

  /**
   * Marks the connection closed, closes the transport and rejects everything pending:
   * expired requests with the `TimeoutError`, the rest with `ConnectionError` (cause: `error`).
   *
   * @param error Why; undefined for `close()`.
   */
  #fail(error: Error | undefined): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#open = false;
    this.#closeError = error;
    clearInterval(this.#timer);
    clearTimeout(this.#reauthTimer);
    this.#held = undefined;
    // Take the pending requests first: closing the transport may re-enter via onClose.
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#transport?.close();
    const now = performance.now();
    const lost = error === undefined
      ? new ConnectionError(`Connection to ${this.#describe()} was closed`)
      : new ConnectionError(`Connection to ${this.#describe()} was lost: ${error.message}`, {
        cause: error,
      });
    for (const request of pending) {
      request.reject(error instanceof TimeoutError && now >= request.deadline ? error : lost);
    }
    this.#wakeWritableWaiters();
    this.#resolveClosed();
  }

  #describe(): string {
    return this.nodeId < 0
      ? `bootstrap broker ${this.host}:${this.port}`
      : `broker ${this.nodeId} (${this.host}:${this.port})`;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(describeThrown(error));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
