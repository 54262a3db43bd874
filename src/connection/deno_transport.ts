import { describeThrown } from "../errors/describe_thrown.ts";
import {
  connectFailedError,
  type ConnectOptions,
  connectTimeoutError,
  type Transport,
} from "./transport.ts";
import { handshakeClosed, tlsAlertError, tlsHandshakeError } from "./tls_failure.ts";
import type { TlsSettings } from "./tls_settings.ts";
import { HIGH_WATER_MARK, WriteQueue } from "./write_queue.ts";

/** The part of Deno's TCP connection this adapter uses. */
interface DenoConn {
  write(bytes: Uint8Array): Promise<number>;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}

/** The part of Deno's TLS connection this adapter uses. */
interface DenoTlsConn extends DenoConn {
  handshake(): Promise<unknown>;
}

/** What Deno's TLS calls take (Deno 2.x; `unsafelyDisableHostnameVerification` since 2.5). */
interface DenoTlsOptions {
  hostname: string;
  caCerts?: string[];
  unsafelyDisableHostnameVerification?: boolean;
}

/** The part of the `Deno` namespace this adapter uses (looked up on `globalThis`). */
interface DenoNamespace {
  connect(
    options: { hostname: string; port: number; transport: "tcp"; signal?: AbortSignal },
  ): Promise<DenoConn>;
  connectTls(
    options: DenoTlsOptions & { port: number; cert?: string; key?: string },
  ): Promise<DenoTlsConn>;
  startTls(conn: DenoConn, options: DenoTlsOptions): Promise<DenoTlsConn>;
}

/** The reusable read buffer's size: responses are small, a few reads per 256 KiB. */
const READ_BUFFER_BYTES = 256 * 1024;
/** How long `close()` waits for queued bytes to be written before closing anyway. */
const CLOSE_LINGER_MS = 5000;

/**
 * The Deno adapter over `Deno.connect`. One write loop runs at a time: bytes queued while a
 * write is in flight are coalesced and written next, and a partial write continues where it
 * stopped. Reads go into one reusable buffer.
 */
class DenoTransport implements Transport {
  readonly closed: Promise<Error | undefined>;
  readonly #conn: DenoConn;
  readonly #onData: (chunk: Uint8Array) => void;
  readonly #onClose: (error: Error | undefined) => void;
  readonly #queue: WriteQueue;
  /** Bytes taken from the queue and not yet accepted by the socket. */
  #writingBytes = 0;
  #writing = false;
  #closing = false;
  #closed = false;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #drainWaiters: Array<() => void> = [];
  #resolveClosed!: (error: Error | undefined) => void;

  constructor(conn: DenoConn, options: ConnectOptions) {
    this.#conn = conn;
    this.#onData = options.handlers.onData;
    const onClose = options.handlers.onClose;
    // A TLS connection that dies with the broker's alert about our certificate (TLS 1.3
    // brokers check it after our side of the handshake): report that, typed.
    this.#onClose = options.tls === undefined
      ? onClose
      : (error) => onClose(error === undefined ? error : tlsAlertError(options, error) ?? error);
    this.#queue = new WriteQueue(() => this.#startWriting());
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    void this.#readLoop();
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing) return false;
    this.#queue.push(bytes);
    return this.#queue.size + this.#writingBytes < HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.#closed || this.#queue.size + this.#writingBytes < HIGH_WATER_MARK) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#queue.size === 0 && !this.#writing) {
      this.#shutdown(undefined);
      return;
    }
    this.#linger = setTimeout(() => this.#shutdown(undefined), CLOSE_LINGER_MS);
    this.#startWriting(); // the loop closes the socket once the queue is empty
  }

  #startWriting(): void {
    if (this.#writing || this.#closed) return;
    this.#writing = true;
    void this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#queue.size > 0 && !this.#closed) {
        const segments = this.#queue.take();
        for (const segment of segments) this.#writingBytes += segment.length;
        for (const segment of segments) {
          let written = await this.#conn.write(segment);
          while (written < segment.length) {
            written += await this.#conn.write(segment.subarray(written));
          }
          this.#writingBytes -= segment.length;
          this.#wakeDrainWaiters();
        }
      }
    } catch (error) {
      this.#writing = false;
      this.#shutdown(this.#closed ? undefined : asError(error));
      return;
    }
    this.#writing = false;
    if (this.#closing) this.#shutdown(undefined);
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#onData(buffer.subarray(0, n));
      }
    } catch (error) {
      this.#shutdown(this.#closed ? undefined : asError(error));
      return;
    }
    this.#shutdown(undefined);
  }

  #wakeDrainWaiters(): void {
    if (this.#drainWaiters.length === 0) return;
    if (this.#queue.size + this.#writingBytes >= HIGH_WATER_MARK) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    clearTimeout(this.#linger);
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime: nothing to release.
    }
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
    this.#onClose(error);
    this.#resolveClosed(error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(describeThrown(error));
}

/**
 * Connects with `Deno.connect` (TCP_NODELAY on). With `options.tls`: without a client
 * certificate, `Deno.startTls` over that connection (so TCP_NODELAY is set, and `servername`
 * can differ from the host); with one, `Deno.connectTls` (the only Deno call taking a client
 * certificate; `servername` is refused for it by `checkTlsSupport()`). The handshake completes
 * before this resolves; `ca` is trusted in addition to Deno's default roots (Deno offers no
 * way to replace them), and `checkHostname: false` maps to Deno's
 * `unsafelyDisableHostnameVerification` (the chain is still verified).
 *
 * @param options Where to connect, the timeout, TLS and the handlers.
 * @returns The transport, once connected.
 *
 * @example
 * ```ts
 * import { connectDeno } from "./deno_transport.ts";
 * const handlers = { onData: () => {}, onClose: () => {} };
 * const failed = await connectDeno({ host: "127.0.0.1", port: 1, connectTimeoutMs: 1000, handlers })
 *   .then(() => false, () => true);
 * if (!failed) throw new Error("nothing listens on port 1");
 * ```
 */
export async function connectDeno(options: ConnectOptions): Promise<Transport> {
  const deno = (globalThis as unknown as { Deno: DenoNamespace }).Deno;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.connectTimeoutMs);
  const tls = options.tls;
  let conn: DenoConn;
  try {
    if (tls !== undefined && tls.key !== undefined) {
      // connectTls takes no signal: on timeout, close the connection if it comes later.
      const connecting = deno.connectTls({
        port: options.port,
        ...denoTlsOptions(tls, options.host),
        cert: tls.cert!, // set with key (TlsSettings checks)
        key: tls.key,
      });
      abort.signal.addEventListener("abort", () => {
        connecting.then(closeQuietly, () => {});
      }, { once: true });
      conn = await withAbort(connecting, abort.signal);
    } else {
      conn = await deno.connect({
        hostname: options.host,
        port: options.port,
        transport: "tcp",
        signal: abort.signal,
      });
      conn.setNoDelay?.(true);
    }
  } catch (error) {
    clearTimeout(timer);
    throw abort.signal.aborted ? connectTimeoutError(options) : connectFailedError(options, error);
  }
  if (tls !== undefined) {
    try {
      const secured = tls.key !== undefined
        ? conn as DenoTlsConn
        : await deno.startTls(conn, denoTlsOptions(tls, tls.servername ?? options.host));
      conn = secured;
      await withAbort(secured.handshake(), abort.signal);
    } catch (error) {
      clearTimeout(timer);
      closeQuietly(conn);
      if (abort.signal.aborted) throw connectTimeoutError(options);
      throw tlsHandshakeError(options, error ?? handshakeClosed());
    }
  }
  clearTimeout(timer);
  if (abort.signal.aborted) {
    closeQuietly(conn);
    throw connectTimeoutError(options);
  }
  return new DenoTransport(conn, options);
}

function denoTlsOptions(tls: TlsSettings, hostname: string): DenoTlsOptions {
  return {
    hostname,
    ...(tls.ca === undefined ? {} : { caCerts: [...tls.ca] }),
    ...(tls.checkHostname ? {} : { unsafelyDisableHostnameVerification: true }),
  };
}

/** `promise`, or a rejection once `signal` aborts (the operation itself is not cancelled). */
function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
