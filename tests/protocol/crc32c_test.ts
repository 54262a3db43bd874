import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../src/protocol/crc32c.ts";

/** Bit-at-a-time reference (the definition), to check the sliced tables against. */
function reference(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32c()", () => {
  it("crc32c() gives the standard check values", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // 32 bytes of 0xff
    const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
    assert.equal(crc32c(ascending), 0x46dd794e); // RFC 3720 B.4: ascending bytes
  });

  it("crc32c() matches the bitwise definition for every length 0-64 and any alignment", () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let length = 0; length <= 64; length++) {
        const slice = data.subarray(start, start + length);
        assert.equal(crc32c(slice), reference(slice), `start ${start} length ${length}`);
        assert.equal(crc32c(data, start, start + length), reference(slice));
      }
    }
    const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 2654435761) >>> 24);
    assert.equal(crc32c(big), reference(big));
  });

  it("crc32c() rejects ranges outside the data", () => {
    assert.throws(() => crc32c(new Uint8Array(4), 0, 5), RangeError);
    assert.throws(() => crc32c(new Uint8Array(4), 3, 2), RangeError);
    assert.throws(() => crc32c(new Uint8Array(4), -1), RangeError);
  });
});
