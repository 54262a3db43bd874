import { ProtocolError } from "../errors/client_errors.ts";

/**
 * The largest response frame accepted: a corrupt or foreign size prefix (say, an HTTP or TLS
 * server on the port) must fail fast instead of allocating gigabytes. Producer responses are
 * small; 100 MiB matches the broker's default `socket.request.max.bytes`.
 *
 * @example
 * ```ts
 * import { MAX_FRAME_BYTES } from "./frame_reader.ts";
 * if (MAX_FRAME_BYTES !== 104857600) throw new Error(String(MAX_FRAME_BYTES));
 * ```
 */
export const MAX_FRAME_BYTES = 100 * 1024 * 1024;

/** Assembly buffers larger than this are released after their frame, not kept for reuse. */
const KEEP_BUFFER_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into Kafka frames (int32 size + payload) across chunk boundaries.
 * Frames wholly inside a chunk are handed out as views (no copy); only a frame split across
 * chunks is assembled in a buffer that is reused while it is large enough.
 *
 * Invariant: `onFrame` receives each frame's payload (without the size), in order, exactly
 * once; a view is only valid during the call.
 *
 * @example
 * ```ts
 * import { FrameReader } from "./frame_reader.ts";
 * const frames: number[][] = [];
 * const reader = new FrameReader((frame) => frames.push([...frame]));
 * reader.push(new Uint8Array([0, 0, 0, 2, 7]));
 * reader.push(new Uint8Array([8, 0, 0, 0, 1, 9]));
 * if (JSON.stringify(frames) !== "[[7,8],[9]]") throw new Error(JSON.stringify(frames));
 * ```
 */
export class FrameReader {
  readonly #onFrame: (frame: Uint8Array) => void;
  #partial = new Uint8Array(0);
  #partialLength = 0;
  /** Size of the frame being assembled, or -1 while its size is still incomplete. */
  #expected = -1;
  readonly #size = new Uint8Array(4);
  #sizeBytes = 0;

  /** @param onFrame Receives each complete frame. */
  constructor(onFrame: (frame: Uint8Array) => void) {
    this.#onFrame = onFrame;
  }

  /**
   * Feeds the next chunk of bytes; calls `onFrame` for every frame it completes.
   *
   * @param chunk The next bytes of the stream (only read during the call).
   * @throws {ProtocolError} On a negative size or one above {@linkcode MAX_FRAME_BYTES}; the
   * stream cannot be resynchronised after that, so the connection must close.
   */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#expected < 0) {
        if (this.#sizeBytes === 0 && chunk.length - at >= 4) {
          const size = checkSize(readSize(chunk, at));
          at += 4;
          if (chunk.length - at >= size) {
            this.#onFrame(chunk.subarray(at, at + size));
            at += size;
            continue;
          }
          this.#begin(size);
        } else {
          this.#size[this.#sizeBytes++] = chunk[at++]!;
          if (this.#sizeBytes < 4) continue;
          this.#sizeBytes = 0;
          this.#begin(readSize(this.#size, 0));
          if (this.#expected === 0) this.#complete();
          continue;
        }
      }
      const take = Math.min(this.#expected - this.#partialLength, chunk.length - at);
      this.#partial.set(chunk.subarray(at, at + take), this.#partialLength);
      this.#partialLength += take;
      at += take;
      if (this.#partialLength === this.#expected) this.#complete();
    }
  }

  #begin(size: number): void {
    checkSize(size);
    if (this.#partial.length < size) {
      this.#partial = new Uint8Array(Math.max(size, this.#partial.length * 2, 1024));
    }
    this.#expected = size;
    this.#partialLength = 0;
  }

  #complete(): void {
    const frame = this.#partial.subarray(0, this.#expected);
    this.#expected = -1;
    this.#partialLength = 0;
    if (this.#partial.length > KEEP_BUFFER_BYTES) this.#partial = new Uint8Array(0);
    this.#onFrame(frame);
  }
}

function readSize(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

function checkSize(size: number): number {
  if (size < 0 || size > MAX_FRAME_BYTES) {
    throw new ProtocolError(
      `Cannot read response frame as it must be <= ${MAX_FRAME_BYTES} bytes: its size is ${size}`,
    );
  }
  return size;
}
