/** Options for {@linkcode LengthPrefixedStream}. */
export interface LengthPrefixedStreamOptions {
  /**
   * Refuse frames larger than this many bytes (a corrupt prefix must not allocate gigabytes).
   * @default 16777216
   */
  maxFrameBytes?: number;
}

/**
 * Splits bytes framed as a 4-byte big-endian length followed by that many bytes (Kafka's own
 * framing, and a common one for binary feeds) into frames. Each output chunk is the array of
 * complete frames of one input chunk; frames are copies, safe to keep. A stream that ends in
 * the middle of a frame, or a frame over `maxFrameBytes`, errors with a `RangeError`.
 *
 * @example
 * ```ts
 * import { LengthPrefixedStream } from "./length_prefixed_stream.ts";
 * const bytes = new Uint8Array([0, 0, 0, 2, 104, 105, 0, 0, 0, 1, 33]);
 * const frames: Uint8Array[] = [];
 * for await (const chunk of new Blob([bytes]).stream().pipeThrough(new LengthPrefixedStream())) frames.push(...chunk);
 * if (frames.length !== 2 || frames[0]!.length !== 2) throw new Error();
 * ```
 */
export class LengthPrefixedStream extends TransformStream<Uint8Array, Uint8Array[]> {
  /**
   * Creates the stream.
   *
   * @param options The largest frame accepted.
   */
  constructor(options: LengthPrefixedStreamOptions = {}) {
    const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
    let pending: Uint8Array = new Uint8Array(0);
    super({
      transform(chunk, controller) {
        let data = chunk;
        if (pending.length > 0) {
          data = new Uint8Array(pending.length + chunk.length);
          data.set(pending, 0);
          data.set(chunk, pending.length);
        }
        const frames: Uint8Array[] = [];
        let offset = 0;
        while (data.length - offset >= 4) {
          const size =
            ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) |
              data[offset + 3]!) >>> 0;
          if (size > maxFrameBytes) {
            throw new RangeError(
              `Cannot read frame as it must be <= ${maxFrameBytes} bytes: its prefix says ${size}`,
            );
          }
          if (data.length - offset - 4 < size) break;
          frames.push(data.slice(offset + 4, offset + 4 + size));
          offset += 4 + size;
        }
        pending = data.slice(offset);
        if (frames.length > 0) controller.enqueue(frames);
      },
      flush() {
        if (pending.length > 0) {
          throw new RangeError(
            `Cannot read the last frame: the stream ended ${pending.length} bytes into it`,
          );
        }
      },
    });
  }
}
