import { ConnectionError } from "../errors/client_errors.ts";
import { coalesce, type ConnectOptions, type Transport } from "./transport.ts";

/** The part of Deno's TCP connection this adapter uses. */
interface DenoConn {
  write(bytes: Uint8Array): Promise<number>;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
}

interface DenoNamespace {
  connect(options: { hostname: string; port: number; transport: "tcp" }): Promise<DenoConn>;
}

/** Bytes queued beyond which `write()` asks the caller to wait. */
const HIGH_WATER_MARK = 1024 * 1024;
const READ_BUFFER = 256 * 1024;

/**
 * The Deno adapter over `Deno.connect`. One write loop runs at a time: chunks queued while a
 * write is in flight are joined and written next (a write may be partial: the loop continues
 * from where it stopped). Reads go into one reusable buffer.
 */
class DenoTransport implements Transport {
  readonly #conn: DenoConn;
  readonly #options: ConnectOptions;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #closed = false;
  #drainWaiters: Array<() => void> = [];

  constructor(conn: DenoConn, options: ConnectOptions) {
    this.#conn = conn;
    this.#options = options;
    void this.#readLoop();
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) {
      this.#writing = true;
      queueMicrotask(() => void this.#writeLoop());
    }
    return this.#queued < HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.#queued < HIGH_WATER_MARK || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    this.#shutdown(undefined);
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const data = coalesce(this.#queue, this.#queued);
        this.#queue = [];
        const total = this.#queued;
        let written = 0;
        while (written < data.length) written += await this.#conn.write(data.subarray(written));
        this.#queued -= total;
        if (this.#queued < HIGH_WATER_MARK && this.#drainWaiters.length > 0) {
          const waiters = this.#drainWaiters;
          this.#drainWaiters = [];
          for (const wake of waiters) wake();
        }
      }
    } catch (error) {
      this.#shutdown(error as Error);
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#options.handlers.onData(buffer.subarray(0, n));
      }
      this.#shutdown(undefined);
    } catch (error) {
      this.#shutdown(this.#closed ? undefined : error as Error);
    }
  }

  #shutdown(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    for (const wake of this.#drainWaiters.splice(0)) wake();
    this.#options.handlers.onClose(error);
  }
}

/** Connects with Deno.connect. */
export async function connectDeno(options: ConnectOptions): Promise<Transport> {
  const deno = (globalThis as unknown as { Deno: DenoNamespace }).Deno;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConnectionError(
            `Connection to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`,
          ),
        ),
      options.connectTimeoutMs,
    );
  });
  const connecting = deno.connect({ hostname: options.host, port: options.port, transport: "tcp" });
  try {
    const conn = await Promise.race([connecting, timeout]);
    conn.setNoDelay?.(true);
    return new DenoTransport(conn, options);
  } catch (error) {
    connecting.then((conn) => conn.close(), () => {});
    if (error instanceof ConnectionError) throw error;
    throw new ConnectionError(
      `Cannot connect to ${options.host}:${options.port}: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
