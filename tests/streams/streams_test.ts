import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineStream } from "../../src/streams/line_stream.ts";
import { ByteLineStream } from "../../src/streams/byte_line_stream.ts";
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

describe("ByteLineStream", () => {
  const text = "ab\ncd\r\n\nlast";
  const bytes = new TextEncoder().encode(text);
  const expected = ["ab", "cd", "", "last"];
  const decode = (lines: Uint8Array[]) => lines.map((line) => new TextDecoder().decode(line));

  it("ByteLineStream splits lines at every possible chunk boundary, with \\n and \\r\\n", async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (let cut2 = cut; cut2 <= bytes.length; cut2++) {
        const parts = [bytes.slice(0, cut), bytes.slice(cut, cut2), bytes.slice(cut2)];
        const lines = await collect(byteStream(parts).pipeThrough(new ByteLineStream()));
        assert.deepEqual(decode(lines), expected, `cut at ${cut} and ${cut2}`);
      }
    }
  });

  it("ByteLineStream keeps bytes as they are (invalid UTF-8, NUL) and skips empty lines on request", async () => {
    const raw = Uint8Array.of(0xff, 0, 0xc3, 10, 13, 10, 0x80, 10);
    const lines = await collect(byteStream([raw]).pipeThrough(new ByteLineStream()));
    assert.deepEqual(lines.map((l) => [...l]), [[0xff, 0, 0xc3], [], [0x80]]);
    const skipped = await collect(
      byteStream([raw]).pipeThrough(new ByteLineStream({ skipEmpty: true })),
    );
    assert.deepEqual(skipped.map((l) => [...l]), [[0xff, 0, 0xc3], [0x80]]);
  });

  it("ByteLineStream hands out lines within a chunk as views of it, one array per chunk", async () => {
    const chunk = new TextEncoder().encode("one\ntwo\n");
    const arrays: Uint8Array[][] = [];
    for await (const lines of byteStream([chunk]).pipeThrough(new ByteLineStream())) {
      arrays.push(lines);
    }
    assert.equal(arrays.length, 1);
    assert.ok(arrays[0]!.every((line) => line.buffer === chunk.buffer), "no copies");
  });

  it("ByteLineStream refuses text chunks with a TypeError", async () => {
    const text = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue("a\n" as unknown as Uint8Array);
        controller.close();
      },
    });
    await assert.rejects(collect(text.pipeThrough(new ByteLineStream())), TypeError);
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
