import { ConnectionError } from "../errors/client_errors.ts";
import { coalesce, type ConnectOptions, type Transport } from "./transport.ts";

/** The part of Bun's TCP socket this adapter uses. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay?(noDelay?: boolean): void;
}

interface BunNamespace {
  connect(options: {
    hostname: string;
    port: number;
    socket: {
      open(socket: BunSocket): void;
      data(socket: BunSocket, data: Uint8Array): void;
      drain(socket: BunSocket): void;
      close(socket: BunSocket, error?: Error): void;
      error(socket: BunSocket, error: Error): void;
      connectError?(socket: BunSocket, error: Error): void;
    };
  }): Promise<BunSocket>;
}

const HIGH_WATER_MARK = 1024 * 1024;

/**
 * The Bun adapter over `Bun.connect`. Chunks of one task are joined and written once; what
 * the socket does not take (`write` returns the bytes accepted) waits for its `drain`.
 */
class BunTransport implements Transport {
  #socket: BunSocket | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #pending: Uint8Array | undefined;
  #scheduled = false;
  #closed = false;
  #drainWaiters: Array<() => void> = [];

  attach(socket: BunSocket): void {
    this.#socket = socket;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#scheduled && this.#pending === undefined) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
    return this.#queued < HIGH_WATER_MARK;
  }

  /** Writes what is queued; called per task and on the socket's drain. */
  flush(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return;
    for (;;) {
      if (this.#pending === undefined) {
        if (this.#queue.length === 0) break;
        this.#pending = coalesce(this.#queue, this.#queue.reduce((n, c) => n + c.length, 0));
        this.#queue = [];
      }
      const data = this.#pending;
      const written = socket.write(data);
      this.#queued -= Math.max(0, written);
      if (written < data.length) {
        this.#pending = data.subarray(Math.max(0, written));
        return; // the drain handler continues
      }
      this.#pending = undefined;
    }
    if (this.#queued < HIGH_WATER_MARK && this.#drainWaiters.length > 0) {
      for (const wake of this.#drainWaiters.splice(0)) wake();
    }
  }

  drained(): Promise<void> {
    if (this.#queued < HIGH_WATER_MARK || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#socket?.end();
  }

  markClosed(): void {
    this.#closed = true;
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }
}

/** Connects with Bun.connect. */
export function connectBun(options: ConnectOptions): Promise<Transport> {
  const bun = (globalThis as unknown as { Bun: BunNamespace }).Bun;
  const transport = new BunTransport();
  return new Promise((resolve, reject) => {
    let opened = false;
    let closed = false;
    let lastError: Error | undefined;
    const timer = setTimeout(() => {
      closed = true;
      reject(
        new ConnectionError(
          `Connection to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`,
        ),
      );
    }, options.connectTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!opened && !closed) {
        closed = true;
        reject(
          new ConnectionError(
            `Cannot connect to ${options.host}:${options.port}: ${error.message}`,
            { cause: error },
          ),
        );
      }
    };
    bun.connect({
      hostname: options.host,
      port: options.port,
      socket: {
        open(socket) {
          clearTimeout(timer);
          if (closed) {
            socket.end();
            return;
          }
          opened = true;
          socket.setNoDelay?.(true);
          transport.attach(socket);
          resolve(transport);
        },
        data(_socket, data) {
          options.handlers.onData(data);
        },
        drain() {
          transport.flush();
        },
        error(_socket, error) {
          lastError = error;
        },
        connectError(_socket, error) {
          fail(error);
        },
        close(_socket, error) {
          transport.markClosed();
          if (!opened) {
            fail(error ?? lastError ?? new Error("closed"));
            return;
          }
          if (closed) return;
          closed = true;
          options.handlers.onClose(error ?? lastError);
        },
      },
    }).catch((error: Error) => fail(error));
  });
}
