import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineStream } from "../../src/streams/line_stream.ts";
import { NdjsonParseError, NdjsonStream } from "../../src/streams/ndjson_stream.ts";
import { LengthPrefixedStream } from "../../src/streams/length_prefixed_stream.ts";
import { ToRecordsStream } from "../../src/streams/to_records_stream.ts";

async function collect<T>(stream: ReadableStream<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
}

function byteStream(parts: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) {
        controller.enqueue(typeof part === "string" ? encoder.encode(part) : part);
      }
      controller.close();
    },
  });
}

describe("LineStream", () => {
  it("splits lines across chunk boundaries, with \\n and \\r\\n, and emits the unterminated last line", async () => {
    const lines = await collect(
      byteStream(["ab", "c\nde", "f\r", "\ng\n\nlast"]).pipeThrough(new LineStream()),
    );
    assert.deepEqual(lines, ["abc", "def", "g", "", "last"]);
  });

  it("decodes UTF-8 split inside a character", async () => {
    const bytes = new TextEncoder().encode("héllo\nwörld\n");
    const lines = await collect(
      byteStream([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]).pipeThrough(
        new LineStream(),
      ),
    );
    assert.deepEqual(lines, ["héllo", "wörld"]);
  });

  it("skipEmpty drops empty lines", async () => {
    const lines = await collect(
      byteStream(["a\n\n\r\nb\n"]).pipeThrough(new LineStream({ skipEmpty: true })),
    );
    assert.deepEqual(lines, ["a", "b"]);
  });

  it("emits one array per input chunk, not one chunk per line", async () => {
    const chunks: string[][] = [];
    for await (const chunk of byteStream(["1\n2\n3\n", "4\n"]).pipeThrough(new LineStream())) {
      chunks.push(chunk);
    }
    assert.deepEqual(chunks, [["1", "2", "3"], ["4"]]);
  });
});

describe("NdjsonStream", () => {
  it("parses values split across chunks and skips blank lines", async () => {
    const values = await collect(
      byteStream(['{"a":', '1}\n\n[2,3]\n"x"']).pipeThrough(new NdjsonStream()),
    );
    assert.deepEqual(values, [{ a: 1 }, [2, 3], "x"]);
  });

  it("errors with the line number of a bad line", async () => {
    const stream = byteStream(['{"ok":1}\n', "\n", "{broken\n", '{"ok":2}\n']).pipeThrough(
      new NdjsonStream(),
    );
    await assert.rejects(collect(stream), (error: unknown) => {
      assert.ok(error instanceof NdjsonParseError);
      assert.equal(error.line, 3);
      assert.match(error.message, /line 3/);
      return true;
    });
  });
});

describe("LengthPrefixedStream", () => {
  it("splits frames across arbitrary chunk boundaries", async () => {
    const frames = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(7)];
    const encoded: number[] = [];
    for (const frame of frames) encoded.push(0, 0, frame.length >> 8, frame.length & 255, ...frame);
    const bytes = new Uint8Array(encoded);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 5) parts.push(bytes.slice(i, i + 5));
    const out = await collect(byteStream(parts).pipeThrough(new LengthPrefixedStream()));
    assert.deepEqual(out, frames);
  });

  it("rejects a truncated last frame and oversized frames", async () => {
    await assert.rejects(
      collect(
        byteStream([new Uint8Array([0, 0, 0, 5, 1])]).pipeThrough(new LengthPrefixedStream()),
      ),
      /ended 5 bytes into it/,
    );
    await assert.rejects(
      collect(
        byteStream([new Uint8Array([0, 0, 1, 0])]).pipeThrough(
          new LengthPrefixedStream({ maxFrameBytes: 10 }),
        ),
      ),
      RangeError,
    );
  });
});

describe("ToRecordsStream", () => {
  it("maps values to records with keys, headers and partition", async () => {
    const source = ReadableStream.from([[{ id: "a" }, { id: "b" }], { id: "c" }]);
    const records = await collect(
      source.pipeThrough(
        new ToRecordsStream<{ id: string }, string>("events", {
          key: (value) => value.id,
          headers: (value) => ({ source: `s-${value.id}` }),
          partition: 2,
        }),
      ),
    );
    assert.deepEqual(
      records.map((
        r,
      ) => [r.topic, r.key, r.partition, (r.headers as Record<string, string>).source]),
      [
        ["events", "a", 2, "s-a"],
        ["events", "b", 2, "s-b"],
        ["events", "c", 2, "s-c"],
      ],
    );
  });

  it("rejects an empty topic", () => {
    assert.throws(() => new ToRecordsStream(""), TypeError);
  });

  it("rejects a topic name Kafka would refuse when constructed, not per record", () => {
    assert.throws(
      () => new ToRecordsStream("a/b"),
      /^TypeError: Invalid topic "a\/b": must use only/,
    );
    assert.throws(() => new ToRecordsStream("x".repeat(250)), /must be at most 249 characters/);
  });
});
