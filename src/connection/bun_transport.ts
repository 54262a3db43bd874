import {
  connectFailedError,
  type ConnectOptions,
  connectTimeoutError,
  type Transport,
} from "./transport.ts";
import { handshakeClosed, tlsAlertError, tlsHandshakeError } from "./tls_failure.ts";
import { HIGH_WATER_MARK, WriteQueue } from "./write_queue.ts";

/** The part of Bun's TCP socket this adapter uses. */
interface BunSocket {
  /** Writes what the kernel takes now; returns the bytes written (less when backpressured). */
  write(data: Uint8Array): number;
  end(): void;
  terminate?(): void;
  setNoDelay?(noDelay?: boolean): void;
}

/** The socket handlers Bun calls. */
interface BunSocketHandlers {
  open(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError(socket: BunSocket, error: Error): void;
  /** TLS only: the handshake finished; `error` is the verification failure, if any. */
  handshake(socket: BunSocket, success: boolean, error: Error | null): void;
}

/** Bun's TLS client options (those of `node:tls`, spelled `serverName`). */
interface BunTlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  serverName?: string;
  rejectUnauthorized: boolean;
}

/** The part of the `Bun` namespace this adapter uses (looked up on `globalThis`). */
interface BunNamespace {
  connect(
    options: { hostname: string; port: number; tls?: BunTlsOptions; socket: BunSocketHandlers },
  ): Promise<BunSocket>;
}

/** How long `close()` waits for queued bytes to be written before closing anyway. */
const CLOSE_LINGER_MS = 5000;

/**
 * The Bun adapter over `Bun.connect`. Bun's `write` takes what the kernel accepts and returns
 * the count; the rest of that segment, and everything after it, waits for the `drain` event.
 */
class BunTransport implements Transport {
  readonly closed: Promise<Error | undefined>;
  #socket: BunSocket | undefined;
  readonly #queue: WriteQueue;
  /** Segments taken from the queue, written in order from `#segmentIndex`. */
  #segments: Uint8Array[] = [];
  #segmentIndex = 0;
  /** Bytes taken from the queue and not yet accepted by the socket. */
  #writingBytes = 0;
  /** True while the socket refused bytes and `drain` has not come yet. */
  #blocked = false;
  #closing = false;
  #closed = false;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #drainWaiters: Array<() => void> = [];
  #resolveClosed!: (error: Error | undefined) => void;

  constructor() {
    this.#queue = new WriteQueue(() => this.flush());
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  attach(socket: BunSocket): void {
    this.#socket = socket;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing) return false;
    this.#queue.push(bytes);
    return this.#queue.size + this.#writingBytes < HIGH_WATER_MARK;
  }

  /** Writes segments until the socket refuses bytes; called when ready and on `drain`. */
  flush(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return;
    this.#blocked = false;
    for (;;) {
      if (this.#segmentIndex === this.#segments.length) {
        if (this.#queue.size === 0) break;
        this.#segments = this.#queue.take();
        this.#segmentIndex = 0;
        for (const segment of this.#segments) this.#writingBytes += segment.length;
      }
      const segment = this.#segments[this.#segmentIndex]!;
      const written = socket.write(segment);
      if (written < 0) return; // the socket is closing; `close` follows
      this.#writingBytes -= written;
      if (written < segment.length) {
        this.#segments[this.#segmentIndex] = segment.subarray(written);
        this.#blocked = true;
        break;
      }
      this.#segmentIndex++;
    }
    if (this.#drainWaiters.length > 0 && this.#queue.size + this.#writingBytes < HIGH_WATER_MARK) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.#closing && !this.#blocked && this.#queue.size === 0) socket.end();
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
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return;
    if (this.#queue.size === 0 && !this.#blocked) {
      socket.end();
      return;
    }
    this.#linger = setTimeout(() => (socket.terminate ?? socket.end).call(socket), CLOSE_LINGER_MS);
    if (!this.#blocked) this.flush(); // ends the socket once everything is written
  }

  /** The socket is gone (Bun's `close` handler). */
  markClosed(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    clearTimeout(this.#linger);
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
    this.#resolveClosed(error);
  }
}

/**
 * Connects with `Bun.connect` (TCP_NODELAY on), with its `tls` option when `options.tls` is
 * set: SNI is the host (or `servername`), the chain is verified against `ca` (else Bun's
 * default roots), and the transport is ready once the handshake has succeeded. Bun's `tls`
 * has no `checkServerIdentity`, so `checkHostname: false` connects with `rejectUnauthorized:
 * false` and accepts the handshake only when its one verification error is the host name
 * (Bun reports a chain error first, so an unknown CA or an expired certificate still fails).
 * `rejectUnauthorized` is always given: Bun's default for an empty `tls` object verifies
 * nothing and never reports the handshake.
 *
 * @param options Where to connect, the timeout, TLS and the handlers.
 * @returns The transport, once connected.
 *
 * @example Bun only (`deno test --doc` skips it: Deno has no `Bun.connect`)
 * ```ts ignore
 * import { connectBun } from "./bun_transport.ts";
 * const handlers = { onData: () => {}, onClose: () => {} };
 * const failed = await connectBun({ host: "127.0.0.1", port: 1, connectTimeoutMs: 1000, handlers })
 *   .then(() => false, () => true);
 * if (!failed) throw new Error("nothing listens on port 1");
 * ```
 */
export function connectBun(options: ConnectOptions): Promise<Transport> {
  const bun = (globalThis as unknown as { Bun: BunNamespace }).Bun;
  const transport = new BunTransport();
  const { onData, onClose } = options.handlers;
  const tls = options.tls;
  return new Promise((resolve, reject) => {
    /**
     * "connecting" until open (with TLS: until the handshake succeeded) or failed; then
     * "open" or "failed" ("failed" ignores close). "handshaking": TCP is up, TLS is not.
     */
    let state: "connecting" | "handshaking" | "open" | "failed" = "connecting";
    let lastError: Error | undefined;
    const fail = (error: Error) => {
      if (state !== "connecting" && state !== "handshaking") return;
      state = "failed";
      clearTimeout(timer);
      reject(error);
    };
    const ready = (socket: BunSocket) => {
      state = "open";
      clearTimeout(timer);
      socket.setNoDelay?.(true);
      transport.attach(socket);
      resolve(transport);
    };
    const timer = setTimeout(() => fail(connectTimeoutError(options)), options.connectTimeoutMs);
    let connecting: Promise<BunSocket>;
    try {
      connecting = bun.connect({
        hostname: options.host,
        port: options.port,
        ...(tls === undefined ? {} : {
          tls: {
            ...(tls.ca === undefined ? {} : { ca: [...tls.ca] }),
            ...(tls.key === undefined ? {} : { cert: tls.cert!, key: tls.key }),
            serverName: tls.servername ?? options.host,
            rejectUnauthorized: tls.checkHostname,
          },
        }),
        socket: {
          open(socket) {
            if (state !== "connecting") {
              socket.end(); // timed out meanwhile
              return;
            }
            if (tls === undefined) ready(socket);
            else state = "handshaking";
          },
          handshake(socket, success, error) {
            if (state !== "handshaking") return;
            // With checkHostname off (rejectUnauthorized false) Bun completes the handshake
            // whatever the verification said (success true even for an expired certificate):
            // only a host name mismatch is accepted, and Bun reports chain errors (unknown CA,
            // expiry) before the name. Verified: `error` is null only when all is well.
            const accepted = error === null ? success : !tls!.checkHostname &&
              (error as { code?: unknown }).code === "ERR_TLS_CERT_ALTNAME_INVALID";
            if (accepted) {
              ready(socket);
              return;
            }
            fail(tlsHandshakeError(options, error ?? lastError));
            socket.end();
          },
          data(_socket, data) {
            onData(data);
          },
          drain() {
            transport.flush();
          },
          end(socket) {
            socket.end(); // the broker closed its side: close ours
          },
          error(_socket, error) {
            lastError = error;
          },
          connectError(_socket, error) {
            fail(connectFailedError(options, error));
          },
          close(_socket, error) {
            const cause = error ?? lastError;
            if (state === "handshaking") {
              fail(tlsHandshakeError(options, cause ?? handshakeClosed()));
              return;
            }
            if (state !== "open") {
              fail(connectFailedError(options, cause));
              return;
            }
            const reported = tls !== undefined && cause !== undefined
              ? tlsAlertError(options, cause) ?? cause
              : cause;
            transport.markClosed(reported);
            onClose(reported);
          },
        },
      });
    } catch (error) {
      // Bun throws at once for TLS material it cannot load.
      fail(
        tls === undefined ? connectFailedError(options, error) : tlsHandshakeError(options, error),
      );
      return;
    }
    connecting.catch((error: unknown) => fail(connectFailedError(options, error)));
  });
}
