import { ConnectionError } from "../errors/client_errors.ts";
import type { TlsSettings } from "./tls_settings.ts";

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
  /**
   * How long the TCP connect (and the TLS handshake) may take before it fails with
   * `ConnectionError`.
   */
  connectTimeoutMs: number;
  /** Receive bytes and the close. */
  handlers: TransportHandlers;
  /** Connect with TLS (verified as these settings say). @default undefined (plain TCP) */
  tls?: TlsSettings | undefined;
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
 * Deno, `node:net` elsewhere; with `tls`, through the same runtime's TLS (`Bun.connect`'s
 * `tls` option, `Deno.connectTls` / `Deno.startTls`, `node:tls`), with the same write
 * coalescing and backpressure. Adapters are imported on demand, so each runtime loads one.
 *
 * @param options Where to connect, the connect timeout, TLS and the handlers.
 * @returns The connected transport (with TLS: once the handshake has succeeded).
 * @throws {ConnectionError} When the connection cannot be made in time.
 * @throws {TlsError} When the TLS handshake fails (which failure: its `code`).
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
  const runtime = currentRuntime();
  if (runtime === "Bun") return (await import("./bun_transport.ts")).connectBun(options);
  if (runtime === "Deno") return (await import("./deno_transport.ts")).connectDeno(options);
  return (await import("./node_transport.ts")).connectNode(options);
}

/**
 * The runtime the transports run on.
 *
 * @returns "Bun", "Deno" or "Node" (anything else with `node:net`).
 *
 * @example
 * ```ts
 * import { currentRuntime } from "./transport.ts";
 * if (currentRuntime() !== "Deno") throw new Error("doc tests run on Deno");
 * ```
 */
export function currentRuntime(): "Bun" | "Deno" | "Node" {
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
  if (runtime.Bun !== undefined) return "Bun";
  if (runtime.Deno !== undefined) return "Deno";
  return "Node";
}

/**
 * Checks, before any connection is made, that this runtime can connect with `tls` exactly as
 * configured: a setting the runtime cannot honour fails here, naming the runtime and what to
 * do instead, rather than being weakened silently. The one such case: Deno cannot combine
 * `servername` with a client certificate (`Deno.startTls`, the only way to verify another
 * name than the host connected to, takes no client certificate).
 *
 * @param tls The TLS settings.
 * @param runtime The runtime to check for. @default currentRuntime()
 * @throws {TypeError} When the runtime cannot connect with these settings.
 *
 * @example
 * ```ts
 * import { checkTlsSupport } from "./transport.ts";
 * import { TlsSettings } from "./tls_settings.ts";
 * checkTlsSupport(TlsSettings.from({ checkHostname: false }), "Deno"); // supported everywhere
 * ```
 */
export function checkTlsSupport(
  tls: TlsSettings,
  runtime: "Bun" | "Deno" | "Node" = currentRuntime(),
): void {
  if (runtime === "Deno" && tls.servername !== undefined && tls.key !== undefined) {
    throw new TypeError(
      `Cannot use "ssl.servername" with a client certificate on Deno: Deno.startTls (the only ` +
        `Deno API that checks a name other than the host connected to) takes no client ` +
        `certificate; connect by the name in the broker's certificate (bootstrapServers and ` +
        `the brokers' advertised listeners) instead, or run on Node or Bun`,
    );
  }
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
