import { createConnection, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { handshakeClosed, tlsAlertError, tlsHandshakeError } from "./tls_failure.ts";
import {
  connectFailedError,
  type ConnectOptions,
  connectTimeoutError,
  type Transport,
} from "./transport.ts";
import { HIGH_WATER_MARK, WriteQueue } from "./write_queue.ts";

/** How long `close()` waits for queued bytes to be written before destroying the socket. */
const CLOSE_LINGER_MS = 5000;

/**
 * The Node adapter over `node:net`. Each batch of coalesced segments goes out corked (one
 * writev). Node's socket buffers without limit, so backpressure is ours: `write()` returns
 * false once the socket's `writableLength` plus our queue reaches the high-water mark, and
 * `drained()` waits for the socket's 'drain' (which Node emits because its own, smaller
 * high-water mark was passed long before).
 */
class NodeTransport implements Transport {
  readonly closed: Promise<Error | undefined>;
  readonly #socket: Socket;
  readonly #queue: WriteQueue;
  #closing = false;
  #closed = false;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #drainWaiters: Array<() => void> = [];
  #resolveClosed!: (error: Error | undefined) => void;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.#queue = new WriteQueue(() => this.#flush());
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    socket.on("drain", () => this.#wakeDrainWaiters());
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closing) return false;
    this.#queue.push(bytes);
    return this.#queue.size + this.#socket.writableLength < HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.#closed || this.#queue.size + this.#socket.writableLength < HIGH_WATER_MARK) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#flush();
    // end() sends what Node buffered, then FIN; destroy if the broker stops reading.
    this.#socket.end();
    this.#linger = setTimeout(() => this.#socket.destroy(), CLOSE_LINGER_MS);
  }

  /** The socket is gone ('close' event). */
  markClosed(error: Error | undefined): void {
    this.#closed = true;
    this.#closing = true;
    clearTimeout(this.#linger);
    this.#wakeDrainWaiters();
    this.#resolveClosed(error);
  }

  #flush(): void {
    const segments = this.#queue.take();
    if (segments.length === 0 || this.#closed) return;
    const socket = this.#socket;
    if (segments.length === 1) {
      socket.write(segments[0]!);
      return;
    }
    socket.cork();
    for (const segment of segments) socket.write(segment);
    socket.uncork();
  }

  #wakeDrainWaiters(): void {
    if (this.#drainWaiters.length === 0) return;
    if (!this.#closed && this.#queue.size + this.#socket.writableLength >= HIGH_WATER_MARK) {
      return;
    }
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Connects over `node:net` (TCP_NODELAY on), or `node:tls` when `options.tls` is set: SNI is
 * the host (or `servername`; never an IP address, which SNI does not allow), the certificate
 * is verified against `ca` (else Node's default roots) and, unless `checkHostname` is false,
 * must name the host.
 *
 * @param options Where to connect, the timeout, TLS and the handlers.
 * @returns The transport, once connected (with TLS: once the handshake succeeded).
 *
 * @example
 * ```ts
 * import { connectNode } from "./node_transport.ts";
 * const handlers = { onData: () => {}, onClose: () => {} };
 * const failed = await connectNode({ host: "127.0.0.1", port: 1, connectTimeoutMs: 1000, handlers })
 *   .then(() => false, () => true);
 * if (!failed) throw new Error("nothing listens on port 1");
 * ```
 */
export function connectNode(options: ConnectOptions): Promise<Transport> {
  const { onData, onClose } = options.handlers;
  const tls = options.tls;
  return new Promise((resolve, reject) => {
    let socket: Socket;
    if (tls === undefined) {
      socket = createConnection({ host: options.host, port: options.port, noDelay: true });
    } else {
      const servername = tls.servername ?? options.host;
      socket = connectTls({
        host: options.host,
        port: options.port,
        // SNI must be a host name: none for an IP address (the check still uses it).
        ...(isIP(servername) === 0 ? { servername } : {}),
        ...(tls.ca === undefined ? {} : { ca: [...tls.ca] }),
        ...(tls.key === undefined ? {} : { cert: tls.cert, key: tls.key }),
        // The chain is always verified; only the name check can be turned off.
        rejectUnauthorized: true,
        ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
      });
      socket.setNoDelay(true);
    }
    let transport: NodeTransport | undefined;
    let timedOut = false;
    let lastError: Error | undefined;
    /** With TLS: the TCP connect succeeded, so a failure now is the TLS handshake's. */
    let handshaking = false;
    if (tls !== undefined) socket.once("connect", () => handshaking = true);
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, options.connectTimeoutMs);
    socket.on("error", (error) => {
      lastError = error;
    });
    socket.on("data", onData);
    socket.once(tls === undefined ? "connect" : "secureConnect", () => {
      clearTimeout(timer);
      transport = new NodeTransport(socket);
      resolve(transport);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (transport === undefined) {
        reject(
          timedOut
            ? connectTimeoutError(options)
            : handshaking
            ? tlsHandshakeError(options, lastError ?? handshakeClosed())
            : connectFailedError(options, lastError),
        );
        return;
      }
      const error = tls !== undefined && lastError !== undefined
        ? tlsAlertError(options, lastError) ?? lastError
        : lastError;
      transport.markClosed(error);
      onClose(error);
    });
  });
}
