import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";

describe("Reader", () => {
  it("Reader round-trips every Writer type, edge values included", () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const ints = [0, 1, -1, 63, -64, 64, 2147483647, -2147483648];
    const longs = [0n, -1n, 1n, 9223372036854775807n, -9223372036854775808n, 1700000000000n];
    const writer = new Writer(1);
    writer.int8(-128).int8(127).int16(-32768).int16(32767).int32(-2147483648).uint32(4294967295)
      .int64(9223372036854775807n).boolean(true).boolean(false);
    for (const v of ints) writer.varint(v);
    for (const v of longs) writer.varlong(v);
    writer.uvarint(0).uvarint(4294967295);
    writer.string("").string("héllo").nullableString(null).nullableString("x");
    writer.compactString("ab").compactNullableString(null).compactNullableString("");
    writer.bytes(new Uint8Array([1])).nullableBytes(null).compactBytes(new Uint8Array(0))
      .compactNullableBytes(null).compactNullableBytes(new Uint8Array([2, 3]));
    writer.uuid(uuid).emptyTaggedFields().arrayLength(null, false).arrayLength(null, true)
      .arrayLength(0, true);

    const reader = new Reader(writer.toBytes());
    assert.deepEqual(
      [reader.int8(), reader.int8(), reader.int16(), reader.int16(), reader.int32()],
      [-128, 127, -32768, 32767, -2147483648],
    );
    assert.equal(reader.uint32(), 4294967295);
    assert.equal(reader.int64(), 9223372036854775807n);
    assert.deepEqual([reader.boolean(), reader.boolean()], [true, false]);
    for (const v of ints) assert.equal(reader.varint(), v);
    for (const v of longs) assert.equal(reader.varlong(), v);
    assert.deepEqual([reader.uvarint(), reader.uvarint()], [0, 4294967295]);
    assert.deepEqual(
      [reader.string(), reader.string(), reader.nullableString(), reader.nullableString()],
      ["", "héllo", null, "x"],
    );
    assert.deepEqual(
      [reader.compactString(), reader.compactNullableString(), reader.compactNullableString()],
      ["ab", null, ""],
    );
    assert.deepEqual(reader.bytes(), new Uint8Array([1]));
    assert.equal(reader.nullableBytes(), null);
    assert.deepEqual(reader.compactBytes(), new Uint8Array(0));
    assert.equal(reader.compactNullableBytes(), null);
    assert.deepEqual(reader.compactNullableBytes(), new Uint8Array([2, 3]));
    assert.deepEqual(reader.uuid(), uuid);
    assert.equal(reader.readTaggedFields().size, 0);
    assert.equal(reader.arrayLength(false), -1);
    assert.equal(reader.arrayLength(true), -1);
    assert.equal(reader.arrayLength(true), 0);
    assert.equal(reader.remaining, 0);
  });

  it("Reader honours the byteOffset of a view", () => {
    const backing = hex`ff ff 00 00 00 2a 00 01 61 ff`;
    const reader = new Reader(backing.subarray(2, 9));
    assert.equal(reader.int32(), 42);
    assert.equal(reader.string(), "a");
    assert.equal(reader.remaining, 0);
    assert.throws(() => reader.int8(), /Cannot read int8 at offset 7: only 0 bytes remain/);
  });

  it("Reader.readTaggedFields() returns raw tag data and skips unknown tags", () => {
    const reader = new Reader(hex`
      02            # two tagged fields
      00 02 ab cd   # tag 0, 2 bytes
      a0 01 01 ee   # tag 160 (uvarint), 1 byte
      7f            # next field
    `);
    const tags = reader.readTaggedFields();
    assert.deepEqual([...tags.keys()], [0, 160]);
    assert.deepEqual(tags.get(0), hex`ab cd`);
    assert.deepEqual(tags.get(160), hex`ee`);
    assert.equal(reader.int8(), 0x7f);
    assert.equal(new Reader(hex`01 00 00`).taggedFields().get(0)?.length, 0, "alias");
  });

  it("Reader.subarray() returns a view; uuid() a copy", () => {
    const bytes = new Uint8Array(32);
    const reader = new Reader(bytes);
    const view = reader.subarray(16);
    const uuid = reader.uuid();
    bytes.fill(9);
    assert.equal(view[0], 9);
    assert.equal(uuid[0], 0);
  });

  it("Reader throws ProtocolError with offset and remaining bytes on truncated input", () => {
    assert.throws(
      () => new Reader(hex`01 02`).int32(),
      { name: "ProtocolError", message: "Cannot read int32 at offset 0: only 2 bytes remain" },
    );
    const reader = new Reader(hex`00 00 00 00 00 00 00 00 00 00 01 02`);
    reader.subarray(10);
    assert.throws(() => reader.int32(), {
      message: "Cannot read int32 at offset 10: only 2 bytes remain",
    });
    assert.equal(reader.offset, 10, "a failed read does not move the offset");
    const readers: Array<[string, (r: Reader) => unknown, Uint8Array]> = [
      ["int8", (r) => r.int8(), hex``],
      ["int16", (r) => r.int16(), hex`00`],
      ["uint32", (r) => r.uint32(), hex`00 00 00`],
      ["int64", (r) => r.int64(), hex`00 00 00 00 00 00 00`],
      ["uuid", (r) => r.uuid(), new Uint8Array(15)],
      ["uvarint", (r) => r.uvarint(), hex`80 80`],
      ["varlong", (r) => r.varlong(), hex`ff`],
      ["string", (r) => r.string(), hex`00 05 61`],
      ["nullableString", (r) => r.nullableString(), hex`00`],
      ["compactString", (r) => r.compactString(), hex`05 61`],
      ["bytes", (r) => r.bytes(), hex`00 00 00 02 01`],
      ["nullableBytes", (r) => r.nullableBytes(), hex`00 00 01`],
      ["compactNullableBytes", (r) => r.compactNullableBytes(), hex`03 01`],
      ["readTaggedFields", (r) => r.readTaggedFields(), hex`01 00 05 01`],
      ["int32Array", (r) => r.int32Array(false), hex`00 00 00 02 00 00 00 01`],
    ];
    for (const [name, read, input] of readers) {
      assert.throws(() => read(new Reader(input)), ProtocolError, name);
    }
  });

  it("Reader rejects huge or negative declared lengths before allocating", () => {
    const cases: Array<[string, (r: Reader) => unknown, Uint8Array]> = [
      ["bytes of 2^31-1", (r) => r.bytes(), hex`7f ff ff ff 00`],
      ["bytes of -2", (r) => r.nullableBytes(), hex`ff ff ff fe`],
      ["string of -2", (r) => r.nullableString(), hex`ff fe`],
      ["compact bytes of 2^32-2", (r) => r.compactBytes(), hex`ff ff ff ff 0f`],
      ["array of 1e9", (r) => r.arrayLength(false), hex`3b 9a ca 00`],
      ["array of -2", (r) => r.arrayLength(false), hex`ff ff ff fe`],
      ["compact array of 2^32-2", (r) => r.arrayLength(true), hex`ff ff ff ff 0f`],
      [
        "array of 3 int32 in 8 bytes",
        (r) => r.arrayLength(false, 4),
        hex`00 00 00 03 ${"00".repeat(8)}`,
      ],
      ["2^32-1 tagged fields", (r) => r.readTaggedFields(), hex`ff ff ff ff 0f 00 00`],
      ["tag of 2^31 bytes", (r) => r.readTaggedFields(), hex`01 00 80 80 80 80 08`],
      ["non-null string read as null", (r) => r.string(), hex`ff ff`],
      ["non-null compact string read as null", (r) => r.compactString(), hex`00`],
    ];
    for (const [name, read, input] of cases) {
      assert.throws(() => read(new Reader(input)), ProtocolError, name);
    }
  });

  it("Reader rejects over-long varints instead of looping", () => {
    assert.throws(() => new Reader(hex`ff ff ff ff 1f`).uvarint(), /exceeds 32 bits/);
    assert.throws(() => new Reader(hex`ff ff ff ff ff 01`).uvarint(), /exceeds 32 bits/);
    assert.throws(() => new Reader(new Uint8Array(11).fill(0xff)).varlong(), /exceeds 64 bits/);
    assert.throws(
      () => new Reader(hex`ff ff ff ff ff ff ff ff ff 03`).varlong(),
      /exceeds 64 bits/,
    );
    assert.throws(() => new Reader(new Uint8Array(100_000).fill(0x80)).varint(), ProtocolError);
  });
});
