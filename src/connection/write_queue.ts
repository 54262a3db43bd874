/**
 * Frames smaller than this are joined with their neighbours into one buffer (one socket
 * write); frames this large or larger are written as they are, without a copy. Small writes
 * are syscall-bound, so 64 KiB writes are the target (see RUNTIMES.md).
 *
 * @example
 * ```ts
 * import { COALESCE_BYTES } from "./write_queue.ts";
 * if (COALESCE_BYTES !== 65536) throw new Error(String(COALESCE_BYTES));
 * ```
 */
export const COALESCE_BYTES = 64 * 1024;

/**
 * Bytes queued (not yet accepted by the socket) from which a transport's `write()` returns
 * false, asking the caller to wait for `drained()`.
 *
 * @example
 * ```ts
 * import { COALESCE_BYTES, HIGH_WATER_MARK } from "./write_queue.ts";
 * if (HIGH_WATER_MARK !== 16 * COALESCE_BYTES) throw new Error(String(HIGH_WATER_MARK));
 * ```
 */
export const HIGH_WATER_MARK = 1024 * 1024;

/**
 * The bytes a transport has been given but not yet handed to its socket, and the coalescing
 * that turns many small frames into few large writes.
 *
 * `push()` keeps a reference (no copy); `take()` returns the queued bytes as segments: each
 * run of frames smaller than {@linkcode COALESCE_BYTES} is joined into one exact-size buffer
 * (the only copy), and each larger frame is returned as it was pushed. `onReady` is called
 * once per batch of pushes: on a microtask after the first push, or at once when the queue
 * reaches {@linkcode COALESCE_BYTES} (a full write's worth need not wait for the tick to end).
 *
 * Invariant: segments come out in push order, and their bytes are exactly the pushed bytes.
 *
 * @example Small frames are joined, a large one passes through uncopied
 * ```ts
 * import { COALESCE_BYTES, WriteQueue } from "./write_queue.ts";
 * let ready = 0;
 * const queue = new WriteQueue(() => ready++);
 * const large = new Uint8Array(COALESCE_BYTES);
 * queue.push(new Uint8Array([1, 2]));
 * queue.push(new Uint8Array([3]));
 * queue.push(large);
 * const segments = queue.take();
 * if (segments.length !== 2 || segments[0]!.join() !== "1,2,3" || segments[1] !== large) {
 *   throw new Error("unexpected segments");
 * }
 * if (queue.size !== 0 || ready !== 1) throw new Error("unexpected state");
 * ```
 */
export class WriteQueue {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #scheduled = false;
  #notified = false;
  readonly #onReady: () => void;
  /** Created once so that scheduling a flush allocates nothing per write. */
  readonly #task: () => void;

  /** @param onReady Called when queued bytes should be taken (see the class description). */
  constructor(onReady: () => void) {
    this.#onReady = onReady;
    this.#task = () => {
      this.#scheduled = false;
      if (this.#size > 0 && !this.#notified) {
        this.#notified = true;
        this.#onReady();
      }
    };
  }

  /** Bytes pushed and not yet taken. */
  get size(): number {
    return this.#size;
  }

  /**
   * Queues `bytes` by reference: the caller must not change them afterwards.
   *
   * @param bytes One or more whole frames.
   */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#size += bytes.length;
    if (this.#notified) return;
    if (this.#size >= COALESCE_BYTES) {
      this.#notified = true;
      this.#onReady();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#task);
    }
  }

  /**
   * Removes and returns everything queued, coalesced into segments.
   *
   * @returns The segments in order (empty when nothing is queued).
   */
  take(): Uint8Array[] {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#size = 0;
    this.#notified = false;
    if (chunks.length <= 1) return chunks;
    const segments: Uint8Array[] = [];
    let runStart = 0;
    let runBytes = 0;
    for (let i = 0; i <= chunks.length; i++) {
      const chunk = chunks[i];
      if (chunk !== undefined && chunk.length < COALESCE_BYTES) {
        runBytes += chunk.length;
        continue;
      }
      // chunks[runStart, i) are small: join them (a run of one needs no copy).
      if (i - runStart === 1) segments.push(chunks[runStart]!);
      else if (i > runStart) segments.push(join(chunks, runStart, i, runBytes));
      if (chunk !== undefined) segments.push(chunk);
      runStart = i + 1;
      runBytes = 0;
    }
    return segments;
  }
}

function join(chunks: Uint8Array[], from: number, to: number, total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = from; i < to; i++) {
    const chunk = chunks[i]!;
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
