import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecordError } from "../../src/errors/client_errors.ts";
import type { ProducerRecord } from "../../src/record/producer_record.ts";
import {
  createRecordSerializer,
  type RecordSerializers,
} from "../../src/serializer/serialize_record.ts";
import type { SerializedRecord } from "../../src/record/serialized_record.ts";
import {
  jsonSerializer,
  type Serializer,
  stringSerializer,
} from "../../src/serializer/serializer.ts";

const encoder = new TextEncoder();
const decode = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!);

/** An empty object for the serializer to fill, as the producer's reused one. */
const into = (): SerializedRecord => ({
  topic: "",
  partition: -1,
  key: null,
  value: null,
  headers: undefined,
  timestamp: 0,
});

function isSerializationError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof RecordError, String(error));
    assert.equal(error.code, "SERIALIZATION");
    assert.equal(error.retriable, false);
    assert.match(error.message, pattern);
    return true;
  };
}

describe("createRecordSerializer()", () => {
  it("reuseBuffers: the same bytes and errors as the serializers, in buffers the next call reuses", () => {
    for (
      const [name, serializers] of [
        ["default", {}],
        ["stringSerializer", { key: stringSerializer, value: stringSerializer }],
        ["jsonSerializer", { key: stringSerializer, value: jsonSerializer }],
      ] as Array<[string, RecordSerializers<unknown, unknown>]>
    ) {
      const reusing = createRecordSerializer<unknown, unknown>(serializers, { reuseBuffers: true });
      const plain = createRecordSerializer<unknown, unknown>(serializers);
      const shared = into();
      for (
        const [key, value] of [
          ["k", "v"],
          ["ключ", "é😀\ud800"],
          ["k".repeat(40), "v".repeat(3000)],
        ] as Array<[string, string]>
      ) {
        const expected = plain({ topic: "t", key, value, timestamp: 1 });
        const got = reusing({ topic: "t", key, value, timestamp: 1 }, shared);
        assert.equal(got, shared, "fills the object given");
        assert.deepEqual(got.key, expected.key, `${name} key ${key}`);
        assert.deepEqual(got.value, expected.value, `${name} value ${value.slice(0, 10)}`);
        // Without an object to fill, the bytes are the record's own.
        const own = reusing({ topic: "t", key, value, timestamp: 1 });
        reusing({ topic: "t", key: "other", value: "other", timestamp: 1 }, into());
        assert.deepEqual(own.value, expected.value);
      }
      assert.equal(reusing({ topic: "t", key: null, value: null }, into()).value, null);
      if (!("Bun" in globalThis)) {
        // On V8 the next record's value lands in the same buffer (on Bun each is allocated).
        const first = reusing({ topic: "t", key: "a", value: "first" }, into()).value!;
        const second = reusing({ topic: "t", key: "b", value: "second" }, into()).value!;
        assert.equal(first.buffer, second.buffer, name);
      }
    }
    const json = createRecordSerializer<string, unknown>({ value: jsonSerializer }, {
      reuseBuffers: true,
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(
      () => json({ topic: "t", value: cycle }, into()),
      (error: unknown) =>
        isSerializationError(/Cannot serialize the record's value for "t"/)(error) &&
        (error as RecordError).cause instanceof TypeError,
    );
    assert.throws(
      () => json({ topic: "t", value: () => 1 }, into()),
      isSerializationError(/Cannot serialize function as JSON/),
    );
    const strings = createRecordSerializer<string, string>({ value: stringSerializer }, {
      reuseBuffers: true,
    });
    assert.throws(
      () => strings({ topic: "t", value: 5 as unknown as string }, into()),
      isSerializationError(/a number with stringSerializer/),
    );
  });

  it("reuseBuffers: a record serialized from inside a serializer does not overwrite the outer one's bytes", () => {
    let inner: SerializedRecord | undefined;
    // The value serializer sends another record (as a producer.send() from inside would): the
    // outer key is already encoded by then.
    const serialize: ReturnType<typeof createRecordSerializer<string, string>> =
      createRecordSerializer<string, string>({
        value: (value) => {
          if (value === "outer") {
            inner = serialize({ topic: "t", key: "inner-key", value: "inner" }, into());
          }
          return encoder.encode(value);
        },
      }, { reuseBuffers: true });
    const outer = serialize({ topic: "t", key: "outer-key", value: "outer" }, into());
    assert.equal(decode(outer.key), "outer-key");
    assert.equal(decode(outer.value), "outer");
    assert.equal(decode(inner!.key), "inner-key");
    // And the buffers are reused again afterwards (the flag was reset).
    const next = serialize({ topic: "t", key: "next", value: "v" }, into());
    assert.equal(decode(next.key), "next");
  });

  it("createRecordSerializer() passes bytes, encodes strings and keeps null", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    const value = new Uint8Array([1]);
    const record = serialize({ topic: "t", key: "k", value, timestamp: 5 });
    assert.deepEqual(record, {
      topic: "t",
      partition: -1,
      key: encoder.encode("k"),
      value,
      headers: undefined,
      timestamp: 5,
    });
    assert.equal(record.value, value, "bytes are not copied");
    const tombstone = serialize({ topic: "t", key: null, value: null });
    assert.equal(tombstone.key, null);
    assert.equal(tombstone.value, null);
    assert.equal(serialize({ topic: "t", value: "" }).value!.length, 0);
  });

  it("createRecordSerializer() serializes headers from an object or pairs, in order", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    const bytes = new Uint8Array([9]);
    assert.deepEqual(
      serialize({ topic: "t", value: null, headers: { a: "x", b: null, c: bytes } }).headers,
      [
        { key: "a", value: encoder.encode("x") },
        { key: "b", value: null },
        { key: "c", value: bytes },
      ],
    );
    assert.deepEqual(
      serialize({ topic: "t", value: null, headers: [["a", "1"], ["a", "2"]] }).headers,
      [
        { key: "a", value: encoder.encode("1") },
        { key: "a", value: encoder.encode("2") },
      ],
    );
    assert.deepEqual(serialize({ topic: "t", value: null, headers: [] }).headers, []);
    assert.throws(
      () => serialize({ topic: "t", value: null, headers: [[1 as unknown as string, "x"]] }),
      /^TypeError: Invalid header 0 for topic "t"/,
    );
  });

  it("createRecordSerializer() uses the configured serializers with the topic", () => {
    const topics: string[] = [];
    const upper: Serializer<string> = (text, topic) => {
      topics.push(topic);
      return encoder.encode(text.toUpperCase());
    };
    const serialize = createRecordSerializer<string, { n: number }>({
      key: upper,
      value: jsonSerializer,
      header: (value, topic) => encoder.encode(`${topic}:${String(value)}`),
    });
    const record = serialize({
      topic: "orders",
      key: "k",
      value: { n: 1 },
      headers: { h: 2 as unknown as string },
    });
    assert.equal(decode(record.key), "K");
    assert.equal(decode(record.value), '{"n":1}');
    assert.equal(decode(record.headers![0]!.value), "orders:2");
    assert.deepEqual(topics, ["orders"]);
  });

  it("createRecordSerializer() does not call the key serializer for a missing or null key", () => {
    let calls = 0;
    const serialize = createRecordSerializer<string, string>({
      key: () => {
        calls++;
        return null;
      },
    });
    assert.equal(serialize({ topic: "t", value: "v" }).key, null);
    assert.equal(serialize({ topic: "t", key: null, value: "v" }).key, null);
    assert.equal(calls, 0);
  });

  it("createRecordSerializer() says which serializer to configure for other types", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.throws(
      () => serialize({ topic: "t", value: { a: 1 } }),
      isSerializationError(
        /^Cannot serialize the record's value: it is an object \(Object\), not a string or Uint8Array; configure a serializer \(e\.g\. valueSerializer: jsonSerializer\)$/,
      ),
    );
    assert.throws(
      () => serialize({ topic: "t", key: 42, value: null }),
      isSerializationError(/record's key: it is a number.*keySerializer: jsonSerializer/),
    );
    assert.throws(
      () => serialize({ topic: "t", value: null, headers: { h: 1 as unknown as string } }),
      isSerializationError(/record's header value: .*headerSerializer: jsonSerializer/),
    );
    assert.throws(
      () => serialize({ topic: "t", value: [1] }),
      isSerializationError(/it is an array/),
    );
    assert.throws(
      () => serialize({ topic: "t", value: new ArrayBuffer(1) }),
      isSerializationError(/ArrayBuffer/),
    );
  });

  it("createRecordSerializer() wraps serializer failures in a RecordError with the cause", () => {
    const cause = new Error("nope");
    const failing = createRecordSerializer<unknown, unknown>({
      value: () => {
        throw cause;
      },
    });
    assert.throws(() => failing({ topic: "t", value: 1 }), (error: unknown) => {
      isSerializationError(/^Cannot serialize the record's value for "t": nope$/)(error);
      assert.equal((error as RecordError).cause, cause);
      return true;
    });
    const own = new RecordError("custom", "SERIALIZATION");
    const rethrowing = createRecordSerializer<unknown, unknown>({
      key: () => {
        throw own;
      },
    });
    assert.throws(() => rethrowing({ topic: "t", key: 1, value: null }), (error) => error === own);
  });

  it("createRecordSerializer() rejects a serializer that returns something other than bytes", () => {
    const serialize = createRecordSerializer<unknown, unknown>({
      value: (() => "text") as unknown as Serializer<unknown>,
    });
    assert.throws(
      () => serialize({ topic: "t", value: 1 }),
      isSerializationError(/the valueSerializer returned a string, not a Uint8Array or null/),
    );
  });

  it("createRecordSerializer() validates the topic name by Kafka's rules", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    for (const topic of ["a", "A-z_0.9", "x".repeat(249), "..."]) {
      assert.equal(serialize({ topic, value: null }).topic, topic);
    }
    const bad: Array<[unknown, RegExp]> = [
      ["", /^Invalid topic "": must be a non-empty string$/],
      [undefined, /^Invalid topic undefined: must be a non-empty string$/],
      [5, /^Invalid topic 5/],
      ["x".repeat(250), /must be at most 249 characters, got 250/],
      ["bad topic", /^Invalid topic "bad topic": must use only a-z, A-Z, 0-9/],
      ["tópico", /^Invalid topic "tópico"/],
      ["a/b", /^Invalid topic "a\/b"/],
      [".", /^Invalid topic "."/],
      ["..", /^Invalid topic ".."/],
    ];
    for (const [topic, message] of bad) {
      assert.throws(
        () => serialize({ topic, value: null } as ProducerRecord),
        (error: unknown) => error instanceof TypeError && message.test(error.message),
        String(topic),
      );
    }
  });

  it("createRecordSerializer() validates the partition", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.equal(serialize({ topic: "t", value: null, partition: 0 }).partition, 0);
    assert.equal(serialize({ topic: "t", value: null, partition: 7 }).partition, 7);
    assert.equal(serialize({ topic: "t", value: null, partition: undefined }).partition, -1);
    for (const partition of [-1, 1.5, Number.NaN, Infinity, "1", 2 ** 31]) {
      assert.throws(
        () => serialize({ topic: "t", value: null, partition } as ProducerRecord),
        /^TypeError: Invalid partition .* for topic "t": must be a non-negative integer$/,
        String(partition),
      );
    }
  });

  it("createRecordSerializer() validates the timestamp (up to Number.MAX_SAFE_INTEGER, what the batch writer encodes) and defaults it to now", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.equal(serialize({ topic: "t", value: null, timestamp: new Date(5) }).timestamp, 5);
    assert.equal(serialize({ topic: "t", value: null, timestamp: 0 }).timestamp, 0);
    const before = Date.now();
    const now = serialize({ topic: "t", value: null }).timestamp;
    assert.ok(now >= before && now <= Date.now());
    const largest = Number.MAX_SAFE_INTEGER;
    assert.equal(serialize({ topic: "t", value: null, timestamp: largest }).timestamp, largest);
    assert.throws(
      () => serialize({ topic: "t", value: null, timestamp: Date.UTC(2026, 0, 1) * 1_000_000 }),
      /^TypeError: Invalid timestamp 1767225600000000000 for topic "t": must be a valid Date or non-negative whole milliseconds since the epoch, at most 9007199254740991 \(Number\.MAX_SAFE_INTEGER\); .* is it in micro- or nanoseconds\?$/,
    );
    const invalid = [-1, 1.5, Number.NaN, Infinity, new Date(Number.NaN), "5", largest + 1];
    for (const timestamp of invalid) {
      assert.throws(
        () => serialize({ topic: "t", value: null, timestamp } as ProducerRecord),
        /^TypeError: Invalid timestamp .* for topic "t": must be a valid Date or non-negative whole milliseconds/,
        String(timestamp),
      );
    }
  });

  it("createRecordSerializer() refuses an undefined or missing value and undefined header values: only null is a tombstone", () => {
    let undefinedSeen = 0;
    const counting: Serializer<unknown> = (data) => {
      if (data === undefined) undefinedSeen++;
      return jsonSerializer(data, "t");
    };
    for (const serializers of [{}, { value: counting, header: counting }]) {
      const serialize = createRecordSerializer<unknown, unknown>(serializers);
      const undefinedValue =
        /^TypeError: Invalid record for topic "profiles": its value is undefined; pass null for a tombstone/;
      assert.throws(
        () => serialize({ topic: "profiles", key: "user-1", value: undefined }),
        undefinedValue,
      );
      assert.throws(
        () => serialize({ topic: "profiles", key: "user-1" } as ProducerRecord),
        /^TypeError: Invalid record for topic "profiles": it has no value; pass null for a tombstone/,
      );
      assert.throws(
        () =>
          serialize(
            { topic: "t", value: "v", headers: { trace: undefined } } as unknown as ProducerRecord,
          ),
        /^TypeError: Invalid header "trace" for topic "t": its value is undefined; pass null for a header without a value/,
      );
      assert.throws(
        () =>
          serialize(
            {
              topic: "t",
              value: "v",
              headers: [["b", undefined], ["a", "x"]],
            } as unknown as ProducerRecord,
          ),
        /^TypeError: Invalid header "b" for topic "t": its value is undefined/,
      );
      assert.equal(undefinedSeen, 0, "serializers never see an undefined value");
      // Explicit nulls are still a tombstone and a header without a value.
      const tombstone = serialize({ topic: "t", key: "k", value: null, headers: { h: null } });
      assert.equal(tombstone.value, null);
      assert.deepEqual(tombstone.headers, [{ key: "h", value: null }]);
    }
  });

  it("createRecordSerializer() rejects a record that is not an object", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.throws(
      () => serialize(null as unknown as ProducerRecord),
      /^TypeError: Invalid record: null/,
    );
    assert.throws(() => serialize("t" as unknown as ProducerRecord), TypeError);
  });

  it("createRecordSerializer() accepts headers only as a plain object or [name, value] pairs", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    const noPrototype = Object.assign(Object.create(null), { a: "x" });
    assert.deepEqual(serialize({ topic: "t", value: null, headers: noPrototype }).headers, [
      { key: "a", value: encoder.encode("x") },
    ]);
    class Carrier {
      trace = "1";
    }
    const notHeaders: Array<[unknown, string]> = [
      ["ab", '"ab"'],
      [5, "5"],
      [0, "0"],
      [true, "true"],
      [false, "false"],
      [10n, "10n"],
      [Symbol("h"), "Symbol(h)"],
      [() => {}, "a function"],
      [new Map([["trace", "1"]]), "a Map"],
      [new Set(["trace"]), "an object (Set)"],
      [new Uint8Array([1]), "an object (Uint8Array)"],
      [new Date(0), "an object (Date)"],
      [new Carrier(), "an object (Carrier)"],
    ];
    for (const [headers, described] of notHeaders) {
      assert.throws(
        () => serialize({ topic: "t", value: null, headers } as ProducerRecord),
        (error: unknown) => {
          assert.ok(error instanceof TypeError, described);
          assert.equal(
            error.message,
            `Invalid headers for topic "t": ${described} is neither an object of header values ` +
              `nor an array of [name, value] pairs` +
              (headers instanceof Map ? ": pass [...map] (or Object.fromEntries(map))" : ""),
          );
          return true;
        },
      );
    }
    for (const entry of [["a"], ["a", "1", "2"], "ab", null, { 0: "a", 1: "b" }]) {
      assert.throws(
        () => serialize({ topic: "t", value: null, headers: [entry] } as unknown as ProducerRecord),
        /^TypeError: Invalid header 0 for topic "t": must be a \[name, value\] pair with a string name$/,
        JSON.stringify(entry),
      );
    }
  });

  it("createRecordSerializer() describes odd values in its errors instead of failing on them", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    const odd = Object.create(null);
    assert.throws(
      () => serialize({ topic: "t", value: null, partition: odd } as ProducerRecord),
      /^TypeError: Invalid partition an object with a null prototype for topic "t"/,
    );
    assert.throws(
      () => serialize({ topic: "t", value: null, timestamp: odd } as ProducerRecord),
      /^TypeError: Invalid timestamp an object with a null prototype for topic "t"/,
    );
    assert.throws(
      () => serialize({ topic: odd, value: null } as ProducerRecord),
      /^TypeError: Invalid topic an object with a null prototype: must be a non-empty string$/,
    );
    assert.throws(
      () => serialize((() => "source") as unknown as ProducerRecord),
      /^TypeError: Invalid record: a function must be an object with "topic" and "value"$/,
    );
    for (const thrown of [odd, Symbol("s"), 1, undefined]) {
      const failing = createRecordSerializer<unknown, unknown>({
        key: () => {
          throw thrown;
        },
      });
      assert.throws(() => failing({ topic: "t", key: "k", value: null }), (error: unknown) => {
        isSerializationError(/^Cannot serialize the record's key for "t": /)(error);
        assert.equal((error as RecordError).cause, thrown);
        return true;
      });
    }
  });

  it("createRecordSerializer() checks the topic of the very first record too", () => {
    for (const topic of [undefined, null, 5]) {
      const serialize = createRecordSerializer<unknown, unknown>({});
      assert.throws(
        () => serialize({ topic, value: null } as unknown as ProducerRecord),
        /^TypeError: Invalid topic /,
        String(topic),
      );
    }
  });
});
