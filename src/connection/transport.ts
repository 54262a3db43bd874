/** Callbacks a transport delivers to its connection. */
export interface TransportHandlers {
  /** Bytes arrived. The chunk may be reused after the call returns: copy what you keep. */
  onData(chunk: Uint8Array): void;
  /** The socket is gone; `error` says why, undefined for a clean close. Called once. */
  onClose(error: Error | undefined): void;
}

/** Where and how to connect. */
export interface ConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  handlers: TransportHandlers;
  /** The seam for TLS; not supported yet. */
  tls?: unknown;
}

/**
 * A byte pipe to one broker. Frames written in the same task are coalesced into one socket
 * write; `write()` returns false once the runtime's socket buffer is full, and `drained()`
 * resolves when it has room again. Only the adapters touch `Deno.*`, `Bun.*` and `node:net`.
 */
export interface Transport {
  /** Queues bytes (the transport may keep a reference until written: do not reuse them). */
  write(bytes: Uint8Array): boolean;
  /** Resolves once queued bytes fit the socket's buffer again. */
  drained(): Promise<void>;
  /** Closes the socket (idempotent); `onClose(undefined)` follows. */
  close(): void;
}

/** Joins queued chunks into one buffer (one socket write), or returns the single chunk. */
export function coalesce(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Connects with the adapter of the running runtime: `Bun.connect` on Bun, `Deno.connect` on
 * Deno, `node:net` elsewhere. Adapters are imported on demand so each runtime loads one.
 *
 * @example
 * ```ts ignore
 * import { connectTransport } from "./transport.ts";
 * const transport = await connectTransport({
 *   host: "127.0.0.1", port: 9092, connectTimeoutMs: 10000,
 *   handlers: { onData: (chunk) => console.log(chunk.length), onClose: () => {} },
 * });
 * transport.close();
 * ```
 */
export async function connectTransport(options: ConnectOptions): Promise<Transport> {
  if (options.tls !== undefined) {
    throw new TypeError("Cannot connect with TLS: TLS is not supported yet");
  }
  const global = globalThis as { Bun?: unknown; Deno?: unknown };
  if (global.Bun !== undefined) return (await import("./bun_transport.ts")).connectBun(options);
  if (global.Deno !== undefined) return (await import("./deno_transport.ts")).connectDeno(options);
  return (await import("./node_transport.ts")).connectNode(options);
}
