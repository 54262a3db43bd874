/** Options for {@linkcode ByteLineStream}. */
export interface ByteLineStreamOptions {
  /**
   * Drop empty lines (and lines of only a `\r`).
   * @default false
   */
  skipEmpty?: boolean;
}

/**
 * Splits a stream of bytes into lines of bytes, without decoding them: each output chunk is the
 * array of complete lines found in one input chunk. `\n` and `\r\n` both end a line; a last line
 * without a newline is emitted when the input ends. For forwarding lines as record values
 * untouched (any encoding, invalid UTF-8 included) at the cost of no text round trip —
 * {@linkcode LineStream} decodes to strings.
 *
 * Lines are views into the input chunks (no copy), except a line spanning two chunks, which is
 * joined into a new array: do not reuse a chunk's buffer after writing it (`fetch()` bodies and
 * file reads hand out a fresh one each time).
 *
 * @example Forward a fetch body's lines as record values
 * ```ts
 * import { ByteLineStream } from "./byte_line_stream.ts";
 * const body = new Blob(["a\nb", "\r\nc"]).stream();
 * const lines: string[] = [];
 * for await (const chunk of body.pipeThrough(new ByteLineStream())) {
 *   for (const line of chunk) lines.push(new TextDecoder().decode(line));
 * }
 * if (lines.join(",") !== "a,b,c") throw new Error(lines.join(","));
 * ```
 */
export class ByteLineStream extends TransformStream<Uint8Array, Uint8Array[]> {
  /**
   * Creates the stream.
   *
   * @param options Whether to skip empty lines.
   */
  constructor(options: ByteLineStreamOptions = {}) {
    const skipEmpty = options.skipEmpty ?? false;
    /** The start of a line whose end is in a later chunk. */
    let carry: Uint8Array | undefined;
    const emit = (lines: Uint8Array[], line: Uint8Array) => {
      if (!skipEmpty || line.length > 0) lines.push(line);
    };
    super({
      transform(chunk, controller) {
        if (!(chunk instanceof Uint8Array)) {
          throw new TypeError(
            `Cannot split ${typeof chunk} into byte lines: ByteLineStream takes Uint8Array chunks`,
          );
        }
        const lines: Uint8Array[] = [];
        const buffer = chunk.buffer;
        const base = chunk.byteOffset;
        let start = 0;
        let end = chunk.indexOf(10);
        if (carry !== undefined) {
          if (end < 0) {
            carry = join(carry, chunk, chunk.length);
            return;
          }
          const line = join(carry, chunk, end);
          carry = undefined;
          emit(lines, withoutCr(line));
          start = end + 1;
          end = chunk.indexOf(10, start);
        }
        while (end >= 0) {
          // Views made directly: subarray() costs more per line (Bun especially).
          const stop = end > start && chunk[end - 1] === 13 ? end - 1 : end;
          emit(lines, new Uint8Array(buffer, base + start, stop - start));
          start = end + 1;
          end = chunk.indexOf(10, start);
        }
        if (start < chunk.length) carry = chunk.slice(start);
        if (lines.length > 0) controller.enqueue(lines);
      },
      flush(controller) {
        if (carry === undefined) return;
        const line = withoutCr(carry);
        carry = undefined;
        if (line.length > 0) controller.enqueue([line]);
      },
    });
  }
}

/** `head` followed by the first `length` bytes of `chunk`, in a new array. */
function join(head: Uint8Array, chunk: Uint8Array, length: number): Uint8Array {
  const joined = new Uint8Array(head.length + length);
  joined.set(head);
  joined.set(chunk.subarray(0, length), head.length);
  return joined;
}

/** The line without a final `\r` (of a `\r\n` ending). */
function withoutCr(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}
