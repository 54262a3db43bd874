import { LineStream } from "./line_stream.ts";

/**
 * A line of NDJSON that is not valid JSON. `line` is its 1-based line number in the stream.
 *
 * @example
 * ```ts
 * import { NdjsonParseError } from "./ndjson_stream.ts";
 * const error = new NdjsonParseError(3, "{oops", new SyntaxError("bad"));
 * if (error.line !== 3 || !error.message.includes("line 3")) throw new Error();
 * ```
 */
export class NdjsonParseError extends SyntaxError {
  /** The 1-based line number. */
  readonly line: number;

  /**
   * Creates the error.
   *
   * @param line The 1-based line number.
   * @param text The offending line (shortened in the message).
   * @param cause The parser's error.
   */
  constructor(line: number, text: string, cause: unknown) {
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    super(`Cannot parse NDJSON at line ${line}: ${(cause as Error).message}: "${shown}"`, {
      cause,
    });
    this.name = "NdjsonParseError";
    this.line = line;
  }
}

/**
 * Parses newline-delimited JSON from bytes or text (`T` is the type you expect each line to
 * have; it is not checked): each output chunk is the array of values
 * of one input chunk's complete lines. Empty lines are skipped. A line that is not JSON
 * errors the stream with an `NdjsonParseError` naming its line number; nothing is skipped
 * silently.
 *
 * @example Parse NDJSON
 * ```ts
 * import { NdjsonStream } from "./ndjson_stream.ts";
 * const body = new Blob(['{"a":1}\n', '{"a":2}\n']).stream();
 * const values: unknown[] = [];
 * for await (const chunk of body.pipeThrough(new NdjsonStream())) values.push(...chunk);
 * if (values.length !== 2) throw new Error();
 * ```
 */
export class NdjsonStream<T = unknown> implements TransformStream<Uint8Array | string, T[]> {
  /** Arrays of parsed values, one per input chunk with complete lines. */
  readonly readable: ReadableStream<T[]>;
  /** Bytes (UTF-8) or text, split anywhere. */
  readonly writable: WritableStream<Uint8Array | string>;

  /** Creates the stream. */
  constructor() {
    const lines = new LineStream();
    let lineNumber = 0;
    const parse = new TransformStream<string[], T[]>({
      transform(chunk, controller) {
        const values: T[] = [];
        for (let i = 0; i < chunk.length; i++) {
          lineNumber++;
          const line = chunk[i]!;
          // Blank lines are skipped; a JSON value never starts with a space, so only a line
          // that does is trimmed (trim() allocates a string per line).
          if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0)) {
            continue;
          }
          try {
            values.push(JSON.parse(line) as T);
          } catch (error) {
            throw new NdjsonParseError(lineNumber, line, error);
          }
        }
        if (values.length > 0) controller.enqueue(values);
      },
    });
    this.writable = lines.writable;
    this.readable = lines.readable.pipeThrough(parse);
  }
}
