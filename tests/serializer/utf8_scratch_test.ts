import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Utf8Scratch } from "../../src/serializer/utf8_scratch.ts";

describe("Utf8Scratch", () => {
  it("encode() gives exactly TextEncoder's bytes: short and long, ASCII or not, lone surrogates", () => {
    const encoder = new TextEncoder();
    const samples = ["", "a", "key-1", "\u0000\u007f", "é", "a€", "😀", "\ud800", "x\udc00y"];
    for (let length = 28; length <= 36; length++) {
      samples.push("k".repeat(length), "k".repeat(length - 1) + "é", "\ud83d".repeat(length));
    }
    // Longer than the initial buffer (grown), then short again (the grown buffer reused).
    samples.push("v".repeat(5000), "ü".repeat(3000), "😀".repeat(2000), "after");
    // A tiny initial capacity: short strings still fit, longer ones grow the buffer.
    const scratch = new Utf8Scratch(4);
    for (const text of samples) {
      assert.deepEqual(
        scratch.encode(text),
        encoder.encode(text),
        JSON.stringify(text.slice(0, 40)),
      );
    }
  });

  it("encode() returns a view only valid until the next call (copy what must outlive it)", () => {
    const scratch = new Utf8Scratch();
    const first = scratch.encode("first");
    const kept = first.slice();
    const second = scratch.encode("other");
    assert.equal(new TextDecoder().decode(kept), "first");
    assert.equal(new TextDecoder().decode(second), "other");
    if (!("Bun" in globalThis)) {
      // On V8 both are views of one buffer (on Bun each call allocates, which is faster there).
      assert.equal(first.buffer, second.buffer);
      assert.equal(new TextDecoder().decode(first), "other");
    }
  });
});
