/** Options for {@linkcode LineStream}. */
export interface LineStreamOptions {
  /**
   * Drop empty lines (and lines of only a `\r`).
   * @default false
   */
  skipEmpty?: boolean;
}

/**
 * Splits a stream of bytes or text into lines. Each output chunk is the array of complete
 * lines found in one input chunk (arrays, not single lines, so a downstream producer pays the
 * stream cost once per chunk). `\n` and `\r\n` both end a line; a last line without a newline
 * is emitted when the input ends.
 *
 * @example Split a fetch body into lines
 * ```ts
 * import { LineStream } from "./line_stream.ts";
 * const body = new Blob(["a\nb", "\r\nc"]).stream();
 * const lines: string[] = [];
 * for await (const chunk of body.pipeThrough(new LineStream())) lines.push(...chunk);
 * if (lines.join(",") !== "a,b,c") throw new Error(lines.join(","));
 * ```
 */
export class LineStream extends TransformStream<Uint8Array | string, string[]> {
  /**
   * Creates the stream.
   *
   * @param options Whether to skip empty lines.
   */
  constructor(options: LineStreamOptions = {}) {
    const skipEmpty = options.skipEmpty ?? false;
    const decoder = new TextDecoder();
    let carry = "";
    super({
      transform(chunk, controller) {
        const text = carry +
          (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
        const lines: string[] = [];
        let start = 0;
        for (;;) {
          const end = text.indexOf("\n", start);
          if (end < 0) break;
          const line = text.charCodeAt(end - 1) === 13 && end > start
            ? text.slice(start, end - 1)
            : text.slice(start, end);
          if (!skipEmpty || line.length > 0) lines.push(line);
          start = end + 1;
        }
        carry = text.slice(start);
        if (lines.length > 0) controller.enqueue(lines);
      },
      flush(controller) {
        const rest = carry + decoder.decode();
        const line = rest.endsWith("\r") ? rest.slice(0, -1) : rest;
        if (line.length > 0) controller.enqueue([line]);
      },
    });
  }
}
