import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordError } from "../../src/errors/client_errors.ts";
import {
  bytesSerializer,
  encodeUtf8,
  jsonSerializer,
  stringSerializer,
} from "../../src/serializer/serializer.ts";

const decode = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!);

describe("bytesSerializer", () => {
  it("bytesSerializer passes a Uint8Array through without copying", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    assert.equal(bytesSerializer(bytes, "t"), bytes);
  });

  it("bytesSerializer views an ArrayBuffer and any ArrayBufferView without copying", () => {
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const whole = bytesSerializer(buffer, "t")!;
    assert.deepEqual([...whole], [1, 2, 3, 4]);
    assert.equal(whole.buffer, buffer);
    const view = bytesSerializer(new DataView(buffer, 1, 2), "t")!;
    assert.deepEqual([...view], [2, 3]);
    assert.equal(view.buffer, buffer);
    assert.deepEqual([...bytesSerializer(new Uint16Array([0x0201]), "t")!], [1, 2]);
  });

  it("bytesSerializer keeps null and rejects non-bytes with a RecordError", () => {
    assert.equal(bytesSerializer(null, "t"), null);
    assert.throws(
      () => bytesSerializer("text" as unknown as Uint8Array, "t"),
      (error: unknown) => error instanceof RecordError && error.code === "SERIALIZATION",
    );
  });
});

describe("stringSerializer", () => {
  it("stringSerializer encodes UTF-8 and keeps null", () => {
    assert.deepEqual([...stringSerializer("é€", "t")!], [0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    assert.equal(stringSerializer("", "t")!.length, 0);
    assert.equal(stringSerializer(null, "t"), null);
  });

  it("stringSerializer refuses anything but a string with a RecordError (not empty bytes)", () => {
    for (const data of [5, true, { a: 1 }, ["x"], 5n, Symbol("s")]) {
      assert.throws(
        () => stringSerializer(data as unknown as string, "t"),
        (error: unknown) =>
          error instanceof RecordError && error.code === "SERIALIZATION" &&
          /expected a string or null/.test(error.message),
        String(typeof data),
      );
    }
  });
});

describe("jsonSerializer", () => {
  it("jsonSerializer writes UTF-8 JSON and keeps null as a Kafka null", () => {
    assert.equal(decode(jsonSerializer({ a: [1, "é"] }, "t")), '{"a":[1,"é"]}');
    assert.equal(decode(jsonSerializer("s", "t")), '"s"');
    assert.equal(decode(jsonSerializer(0, "t")), "0");
    assert.equal(jsonSerializer(null, "t"), null);
  });

  it("jsonSerializer rejects values JSON cannot represent", () => {
    assert.throws(() => jsonSerializer(() => 1, "t"), RecordError);
    assert.throws(() => jsonSerializer(1n, "t"), TypeError);
  });
});

describe("encodeUtf8()", () => {
  it("encodeUtf8() gives exactly TextEncoder's bytes, short and long, ASCII or not", () => {
    const encoder = new TextEncoder();
    const samples = ["", "a", "key-1", "\u0000\u007f", "é", "a€", "😀", "\ud800", "x\udc00y"];
    for (let length = 28; length <= 36; length++) {
      samples.push("k".repeat(length), "k".repeat(length - 1) + "é");
    }
    samples.push("v".repeat(1000), "ü".repeat(1000));
    for (const text of samples) {
      assert.deepEqual(encodeUtf8(text), encoder.encode(text), JSON.stringify(text));
    }
  });
});
