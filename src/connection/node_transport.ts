import { createConnection, type Socket } from "node:net";
import { ConnectionError } from "../errors/client_errors.ts";
import type { ConnectOptions, Transport } from "./transport.ts";

/**
 * The Node adapter over `node:net`. Writes of one task are corked into a single writev;
 * `write()` mirrors `socket.write()`'s backpressure (false until 'drain').
 */
class NodeTransport implements Transport {
  readonly #socket: Socket;
  #corked = false;
  #needDrain = false;
  #drainWaiters: Array<() => void> = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("drain", () => {
      this.#needDrain = false;
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  write(bytes: Uint8Array): boolean {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      queueMicrotask(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (!this.#socket.write(bytes)) this.#needDrain = true;
    return !this.#needDrain;
  }

  drained(): Promise<void> {
    if (!this.#needDrain) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroySoon?.();
  }
}

/** Connects over node:net. */
export function connectNode(options: ConnectOptions): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: options.host, port: options.port, noDelay: true });
    let connected = false;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy(
        new ConnectionError(
          `Connection to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`,
        ),
      );
    }, options.connectTimeoutMs);
    let lastError: Error | undefined;
    socket.on("error", (error) => {
      lastError = error;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (closed) return;
      closed = true;
      if (!connected) {
        reject(
          new ConnectionError(
            `Cannot connect to ${options.host}:${options.port}: ${lastError?.message ?? "closed"}`,
            { cause: lastError },
          ),
        );
      } else {
        options.handlers.onClose(lastError);
      }
    });
    socket.on("data", (chunk: Uint8Array) => options.handlers.onData(chunk));
    socket.once("connect", () => {
      clearTimeout(timer);
      connected = true;
      resolve(new NodeTransport(socket));
    });
  });
}
