import { ConnectionError } from "../errors/client_errors.ts";

/** Callbacks a transport delivers to its owner. */
export interface TransportHandlers {
  /**
   * Bytes arrived. The chunk may be a view into a buffer the transport reuses after the call
   * returns: copy what you keep.
   */
  onData(chunk: Uint8Array): void;
  /**
   * The socket is gone: `error` says why, undefined after a clean close (ours or the peer's).
   * Called exactly once, and never before `connectTransport()` has resolved.
   */
  onClose(error: Error | undefined): void;
}

/** Where and how to connect. */
export interface ConnectOptions {
  /** The broker's host name or IP address. */
  host: string;
  /** The broker's TCP port. */
  port: number;
  /** How long the TCP connect may take before it fails with `ConnectionError`. */
  connectTimeoutMs: number;
  /** Receive bytes and the close. */
  handlers: TransportHandlers;
  /** The seam for TLS; must be undefined for now (TLS is not supported yet). */
  tls?: unknown;
}

/**
 * A byte pipe to one broker. Frames written in the same task are coalesced into large socket
 * writes (see `WriteQueue`). `write()` returns false once more than `HIGH_WATER_MARK` bytes
 * wait for the socket, and `drained()` resolves when it has room again. Only the adapters
 * touch `Deno.*`, `Bun.*` and `node:net`.
 */
export interface Transport {
  /**
   * Queues bytes for the socket. The transport keeps a reference until they are written: do
   * not change them afterwards. Ignored once the transport is closed.
   *
   * @returns False when the caller should wait for `drained()` before writing more.
   */
  write(bytes: Uint8Array): boolean;
  /** Resolves once the queued bytes are below the high-water mark (or the socket is gone). */
  drained(): Promise<void>;
  /** Writes what is queued, then closes the socket. Idempotent. */
  close(): void;
  /** Resolves when the socket is gone: with the error if it died, undefined if closed. */
  readonly closed: Promise<Error | undefined>;
}

/**
 * Connects with the adapter of the running runtime: `Bun.connect` on Bun, `Deno.connect` on
 * Deno, `node:net` elsewhere. Adapters are imported on demand, so each runtime loads one.
 *
 * @param options Where to connect, the connect timeout and the handlers.
 * @returns The connected transport.
 * @throws {ConnectionError} When the connection cannot be made in time.
 * @throws {TypeError} When `tls` is set.
 *
 * @example Nothing listens on port 1: the connect fails with a ConnectionError
 * ```ts
 * import { connectTransport } from "./transport.ts";
 * import { ConnectionError } from "../errors/client_errors.ts";
 * const handlers = { onData: () => {}, onClose: () => {} };
 * const failure = await connectTransport({ host: "127.0.0.1", port: 1, connectTimeoutMs: 2000, handlers })
 *   .then(() => undefined, (error: unknown) => error);
 * if (!(failure instanceof ConnectionError)) throw new Error("expected a ConnectionError");
 * ```
 */
export async function connectTransport(options: ConnectOptions): Promise<Transport> {
  if (options.tls !== undefined) {
    throw new TypeError(
      `Cannot connect to ${options.host}:${options.port} with TLS: TLS is not supported yet`,
    );
  }
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
  if (runtime.Bun !== undefined) return (await import("./bun_transport.ts")).connectBun(options);
  if (runtime.Deno !== undefined) return (await import("./deno_transport.ts")).connectDeno(options);
  return (await import("./node_transport.ts")).connectNode(options);
}

/**
 * The error for a connect that did not finish within `connectTimeoutMs`.
 *
 * @param options The connect's target and timeout.
 * @returns A `ConnectionError` naming the address and the timeout.
 *
 * @example
 * ```ts
 * import { connectTimeoutError } from "./transport.ts";
 * const error = connectTimeoutError({ host: "h", port: 1, connectTimeoutMs: 5 });
 * if (error.message !== "Cannot connect to h:1: timed out after 5 ms") throw new Error(error.message);
 * ```
 */
export function connectTimeoutError(
  options: { host: string; port: number; connectTimeoutMs: number },
): ConnectionError {
  return new ConnectionError(
    `Cannot connect to ${options.host}:${options.port}: timed out after ${options.connectTimeoutMs} ms`,
  );
}

/**
 * The error for a connect that failed.
 *
 * @param options The connect's target.
 * @param cause What the runtime reported.
 * @returns A `ConnectionError` naming the address, with `cause`.
 *
 * @example
 * ```ts
 * import { connectFailedError } from "./transport.ts";
 * const error = connectFailedError({ host: "h", port: 1 }, new Error("refused"));
 * if (error.message !== "Cannot connect to h:1: refused" || !error.retriable) throw new Error();
 * ```
 */
export function connectFailedError(
  options: { host: string; port: number },
  cause: unknown,
): ConnectionError {
  const detail = cause instanceof Error ? cause.message : String(cause ?? "the socket closed");
  return new ConnectionError(`Cannot connect to ${options.host}:${options.port}: ${detail}`, {
    cause,
  });
}
