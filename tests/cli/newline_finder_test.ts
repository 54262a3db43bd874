import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NewlineFinder } from "../../src/cli/newline_finder.ts";

describe("NewlineFinder", () => {
  it("NewlineFinder.next() agrees with indexOf for every start, alignment and length", () => {
    // Pseudo-random bytes with line feeds at random places, and bytes next to 0x0A (0x0B,
    // 0x09, 0x8A) that the word test must not mistake for it.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const backing = new Uint8Array(600);
    for (let i = 0; i < backing.length; i++) {
      const r = random();
      backing[i] = r < 0.08
        ? 0x0a
        : r < 0.2
        ? [0x0b, 0x09, 0x8a, 0x00, 0xff][i % 5]!
        : (r * 256) | 0;
    }
    for (let offset = 0; offset < 8; offset++) {
      for (const length of [0, 1, 3, 4, 5, 7, 8, 9, 31, 64, 257, 590]) {
        const data = backing.subarray(offset, offset + Math.min(length, backing.length - offset));
        const finder = new NewlineFinder(data);
        for (let from = 0; from <= data.length; from++) {
          assert.equal(
            finder.next(from),
            data.indexOf(0x0a, from),
            `offset ${offset} length ${length} from ${from}`,
          );
        }
      }
    }
  });

  it("NewlineFinder.next() returns -1 when there is no line feed", () => {
    const data = new Uint8Array(1000).fill(0x61);
    assert.equal(new NewlineFinder(data, false).next(0), -1);
    data[999] = 0x0a;
    assert.equal(new NewlineFinder(data, false).next(0), 999);
    assert.equal(new NewlineFinder(data.subarray(1), false).next(5), 998);
  });
});
