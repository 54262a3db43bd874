import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { utf8Length } from "../../src/protocol/utf8_length.ts";
import { hex, toHex } from "./hex.ts";

const written = (fill: (writer: Writer) => void, capacity = 1): string => {
  const writer = new Writer(capacity);
  fill(writer);
  return toHex(writer.toBytes());
};

describe("Writer", () => {
  it("Writer.int8/int16/int32/uint32/int64() write big-endian", () => {
    assert.equal(
      written((w) =>
        w.int8(-1).int16(0x0102).int32(-2).uint32(0xfffffffe).int64(-9223372036854775808n)
      ),
      "ff 01 02 ff ff ff fe ff ff ff fe 80 00 00 00 00 00 00 00",
    );
  });

  it("Writer.varint() zigzag-encodes signed 32-bit values", () => {
    const cases: Array<[number, string]> = [
      [0, "00"],
      [-1, "01"],
      [1, "02"],
      [-64, "7f"],
      [64, "80 01"],
      [300, "d8 04"],
      [2147483647, "fe ff ff ff 0f"],
      [-2147483648, "ff ff ff ff 0f"],
    ];
    for (const [value, expected] of cases) assert.equal(written((w) => w.varint(value)), expected);
  });

  it("Writer.varlong() zigzag-encodes bigint and number values alike", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "00"],
      [-1n, "01"],
      [1n, "02"],
      [1700000000000n, "80 a0 ab fe f9 62"],
      [2n ** 52n - 1n, "fe ff ff ff ff ff ff 0f"],
      [9223372036854775807n, "fe ff ff ff ff ff ff ff ff 01"],
      [-9223372036854775808n, "ff ff ff ff ff ff ff ff ff 01"],
    ];
    for (const [value, expected] of cases) {
      assert.equal(written((w) => w.varlong(value)), expected, `bigint ${value}`);
      if (Number.isSafeInteger(Number(value))) {
        assert.equal(written((w) => w.varlong(Number(value))), expected, `number ${value}`);
      }
    }
    assert.equal(written((w) => w.varlong(-(2 ** 53))), written((w) => w.varlong(-(2n ** 53n))));
    assert.throws(() => new Writer().varlong(2n ** 63n), RangeError);
  });

  it("Writer.uvarint() writes 1-5 bytes and rejects values outside 0..2^32-1", () => {
    assert.equal(written((w) => w.uvarint(127).uvarint(128)), "7f 80 01");
    assert.equal(written((w) => w.uvarint(4294967295)), "ff ff ff ff 0f");
    assert.throws(() => new Writer().uvarint(-1), RangeError);
    assert.throws(() => new Writer().uvarint(2 ** 32), RangeError);
  });

  it("Writer string methods write classic and compact forms, null as -1 / 0", () => {
    assert.deepEqual(
      new Writer(1).string("ab").nullableString(null).compactString("é").compactNullableString(
        null,
      ).compactString("").toBytes(),
      hex`
        00 02 61 62   # string "ab"
        ff ff         # nullable string null
        03 c3 a9      # compact string "é": length 2 + 1
        00            # compact nullable string null
        01            # compact string ""
      `,
    );
    assert.equal(
      written((w) => w.stringOf("a", true).nullableStringOf(null, false)),
      "02 61 ff ff",
    );
  });

  it("Writer.compactString() uses a multi-byte length for long and non-ASCII strings", () => {
    for (const value of ["x".repeat(126), "x".repeat(127), "€".repeat(50), "😀".repeat(40)]) {
      const bytes = new Writer(1).compactString(value).toBytes();
      const reader = new Reader(bytes);
      assert.equal(reader.uvarint(), new TextEncoder().encode(value).length + 1);
      assert.equal(new Reader(bytes).compactString(), value);
    }
  });

  it("Writer.string() rejects strings over 32767 UTF-8 bytes", () => {
    assert.equal(new Writer().string("a".repeat(32767)).length, 32769);
    assert.throws(() => new Writer().string("é".repeat(16384)), /must be <= 32767 bytes/);
  });

  it("Writer bytes methods write classic and compact forms, null as -1 / 0", () => {
    const b = new Uint8Array([7, 8]);
    assert.deepEqual(
      new Writer(1).bytes(b).nullableBytes(null).compactBytes(b).compactNullableBytes(null).raw(b)
        .toBytes(),
      hex`
        00 00 00 02 07 08   # bytes
        ff ff ff ff         # nullable bytes null
        03 07 08            # compact bytes: length 2 + 1
        00                  # compact nullable bytes null
        07 08               # raw
      `,
    );
  });

  it("Writer.arrayLength() writes int32 or uvarint n+1, null as -1 / 0", () => {
    assert.equal(
      written((w) => w.arrayLength(3, false).arrayLength(null, false).arrayLength(-1, false)),
      "00 00 00 03 ff ff ff ff ff ff ff ff",
    );
    assert.equal(
      written((w) => w.arrayLength(3, true).arrayLength(null, true).arrayLength(200, true)),
      "04 00 c9 01",
    );
  });

  it("Writer.uuid() and emptyTaggedFields() write 16 bytes and a zero", () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);
    assert.equal(
      written((w) => w.uuid(uuid).emptyTaggedFields().boolean(true).boolean(false)),
      "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 00 01 00",
    );
    assert.throws(() => new Writer().uuid(new Uint8Array(15)), RangeError);
  });

  it("Writer.reserve() and setInt32At() fill in a size prefix; growth keeps the bytes", () => {
    const writer = new Writer(16);
    const at = writer.reserve(4);
    for (let i = 0; i < 1000; i++) writer.int8(i);
    writer.setInt32At(at, writer.length - 4);
    writer.setUint32At(4, 0xdeadbeef);
    const bytes = writer.toBytes();
    assert.equal(bytes.length, 1004);
    assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0), 1000);
    assert.equal(toHex(bytes.subarray(4, 10)), "de ad be ef 04 05");
    assert.equal(bytes[1003], 999 & 0xff);
    assert.throws(() => writer.setInt32At(1001, 0), RangeError);
  });

  it("Writer.reset() reuses the buffer; toBytes() is a view, not a copy", () => {
    const writer = new Writer(64);
    writer.int32(1);
    const first = writer.toBytes();
    writer.reset();
    assert.equal(writer.length, 0);
    writer.int32(2);
    const second = writer.toBytes();
    assert.equal(first.buffer, second.buffer);
    assert.equal(first[3], 2, "the old view sees the new bytes");
  });
});

describe("Writer by reference", () => {
  it("Writer.raw() keeps arrays of at least referenceFrom bytes by reference, in order", () => {
    const writer = new Writer(16);
    writer.referenceFrom = 4;
    const big1 = new Uint8Array([9, 9, 9, 9, 9]);
    const big2 = new Uint8Array([8, 8, 8, 8]);
    const sizeAt = writer.reserve(4);
    writer.int16(1).bytes(big1).raw(new Uint8Array([7, 7, 7])).bytes(big2).int8(5);
    writer.setInt32At(sizeAt, writer.length - 4);
    // 4 size + 2 + (4 + 5 ref) + 3 + (4 + 4 ref) + 1
    assert.equal(writer.length, 27);
    const segments = writer.toSegments();
    assert.equal(segments.length, 5);
    assert.equal(segments[1], big1, "kept, not copied");
    assert.equal(segments[3], big2, "kept, not copied");
    const joined = new Uint8Array(segments.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const segment of segments) (joined.set(segment, at), at += segment.length);
    assert.deepEqual(
      joined,
      hex`00 00 00 17  00 01  00 00 00 05 09 09 09 09 09  07 07 07  00 00 00 04 08 08 08 08  05`,
    );
    assert.throws(() => writer.toBytes(), /kept by reference/);
    writer.reset();
    assert.equal(writer.length, 0);
    writer.raw(new Uint8Array([1, 2]));
    assert.deepEqual(writer.toSegments(), [new Uint8Array([1, 2])]);
    assert.deepEqual(writer.toBytes(), new Uint8Array([1, 2]));
  });

  it("Writer.raw() copies everything by default", () => {
    const writer = new Writer(4);
    const big = new Uint8Array(100_000).fill(3);
    writer.raw(big);
    const segments = writer.toSegments();
    assert.equal(segments.length, 1);
    assert.notEqual(segments[0]!.buffer, big.buffer);
    assert.deepEqual(segments[0], big);
  });
});

describe("utf8Length()", () => {
  it("utf8Length() agrees with TextEncoder, including surrogates", () => {
    for (
      const value of ["", "abc", "héllo", "€uro", "😀x", "\ud800", "a\udc00b", "\ud83d", "日本語"]
    ) {
      assert.equal(
        utf8Length(value),
        new TextEncoder().encode(value).length,
        JSON.stringify(value),
      );
    }
  });
});
