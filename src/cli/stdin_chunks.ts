import { fstatSync, read } from "node:fs";
import process from "node:process";

/** Bytes per read when stdin is a regular file (fewer, larger reads than the 64 KiB default). */
const FILE_READ_BYTES = 1 << 20;

/**
 * Standard input as plain `Uint8Array` chunks, read the fastest way each runtime offers:
 * `Bun.stdin.stream()` on Bun; 1 MiB `node:fs` reads when stdin is a regular file
 * (`cli < file`: 2.4–2.6× fewer calls than `process.stdin`'s 64 KiB chunks, measured 15–20%
 * faster end to end on Deno and Node); `process.stdin` for pipes and terminals, which handles
 * non-blocking descriptors. Chunks are plain `Uint8Array`s, never Node `Buffer`s, whose
 * `indexOf`/`subarray` overrides cost more per call.
 *
 * A chunk is valid only until the next one is asked for: file reads go into one reused
 * buffer (a fresh 1 MiB buffer per read left ~10 MiB of dead chunks waiting for the garbage
 * collector: the CLI's peak RSS on Deno fell from 112 to 102 MiB for 1M records). The CLI
 * copies whatever it keeps past a chunk (the unfinished last line, a record that must wait).
 *
 * @example
 * ```ts
 * import { stdinChunks } from "./stdin_chunks.ts";
 * let bytes = 0;
 * for await (const chunk of stdinChunks()) bytes += chunk.length;
 * console.log(`${bytes} bytes on stdin`);
 * ```
 */
export async function* stdinChunks(): AsyncGenerator<Uint8Array> {
  const bun = (globalThis as { Bun?: { stdin: { stream(): ReadableStream<Uint8Array> } } }).Bun;
  let source: AsyncIterable<Uint8Array>;
  if (bun !== undefined) source = bun.stdin.stream();
  else if (isRegularFile(0)) source = readFileChunks(0);
  else source = process.stdin as AsyncIterable<Uint8Array>;
  for await (const chunk of source) {
    yield chunk.constructor === Uint8Array
      ? chunk
      : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

async function* readFileChunks(fd: number): AsyncGenerator<Uint8Array> {
  // One buffer for every read: the consumer is done with a chunk when it asks for the next.
  const buffer = new Uint8Array(FILE_READ_BYTES);
  for (;;) {
    const got = await new Promise<number>((resolve, reject) =>
      read(
        fd,
        buffer,
        0,
        buffer.length,
        null,
        (error, bytes) => error ? reject(error) : resolve(bytes),
      )
    );
    if (got === 0) return;
    yield buffer.subarray(0, got);
  }
}
