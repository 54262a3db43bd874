import {
  connectFailedError,
  type ConnectOptions,
  connectTimeoutError,
  type Transport,
} from "./transport.ts";
import { HIGH_WATER_MARK, WriteQueue } from "./write_queue.ts";

/** The part of Deno's TCP connection this adapter uses. */
interface DenoConn {
  write(bytes: Uint8Array): Promise<number>;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}

/** The part of the `Deno` namespace this adapter uses (looked up on `globalThis`). */
interface DenoNamespace {
  connect(
    options: { hostname: string; port: number; transport: "tcp"; signal?: AbortSignal },
  ): Promise<DenoConn>;
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
    this.#onClose = options.handlers.onClose;
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
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Connects with `Deno.connect` (TCP_NODELAY on).
 *
 * @param options Where to connect, the timeout and the handlers.
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
  let conn: DenoConn;
  try {
    conn = await deno.connect({
      hostname: options.host,
      port: options.port,
      transport: "tcp",
      signal: abort.signal,
    });
  } catch (error) {
    throw abort.signal.aborted ? connectTimeoutError(options) : connectFailedError(options, error);
  } finally {
    clearTimeout(timer);
  }
  conn.setNoDelay?.(true);
  return new DenoTransport(conn, options);
}
