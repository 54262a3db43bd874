import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveProducerConfig } from "../../src/config/producer_config.ts";
import { fromJavaProperties } from "../../src/config/java_properties.ts";
import { createRecordSerializer } from "../../src/serializer/serialize_record.ts";
import { jsonSerializer } from "../../src/serializer/serializer.ts";
import { InterceptorChain } from "../../src/interceptors/interceptor_chain.ts";
import { RecordError } from "../../src/errors/client_errors.ts";
import { Producer } from "../../mod.ts";

const base = { bootstrapServers: "127.0.0.1:9092" };

describe("resolveProducerConfig()", () => {
  it("fills in Java's defaults", () => {
    const config = resolveProducerConfig(base);
    assert.equal(config.acks, -1);
    assert.equal(config.lingerMs, 5);
    assert.equal(config.batchSize, 16384);
    assert.equal(config.bufferMemory, 33554432);
    assert.equal(config.maxBlockMs, 60000);
    assert.equal(config.requestTimeoutMs, 30000);
    assert.equal(config.deliveryTimeoutMs, 120000);
    assert.equal(config.retries, 2147483647);
    assert.equal(config.maxInFlightRequestsPerConnection, 5);
    assert.equal(config.enableIdempotence, true);
    assert.equal(config.maxRequestSize, 1048576);
    assert.equal(config.compressionType, "none");
  });

  it("names the field, the value and the allowed range", () => {
    assert.throws(
      () => resolveProducerConfig({ ...base, batchSize: 0 }),
      /Invalid "batchSize": 0 must be an integer between 1 and 2147483647/,
    );
    assert.throws(() => resolveProducerConfig({ ...base, lingerMs: -1 }), RangeError);
    assert.throws(
      () => resolveProducerConfig({ ...base, lingerMs: "5" as unknown as number }),
      TypeError,
    );
    assert.throws(() => resolveProducerConfig({ ...base, acks: 2 as 1 }), /Invalid "acks": 2/);
    assert.throws(
      () => resolveProducerConfig({ bootstrapServers: "nohost" }),
      /Invalid "bootstrapServers"/,
    );
    assert.throws(
      () => resolveProducerConfig({ ...base, compressionType: "brotli" as "gzip" }),
      /compressionType/,
    );
    assert.throws(
      () => resolveProducerConfig({ ...base, compressionType: "gzip", compressionLevel: 12 }),
      /between 1 and 9 for gzip/,
    );
    assert.throws(
      () => resolveProducerConfig({ ...base, deliveryTimeoutMs: 1000 }),
      /must be >= lingerMs \+ requestTimeoutMs/,
    );
    assert.throws(
      () => resolveProducerConfig({ ...base, transactionalId: "tx" }),
      /not supported yet/,
    );
  });

  it("rejects unknown fields and suggests the nearest name", () => {
    assert.throws(
      () => resolveProducerConfig({ ...base, lingerMS: 5 } as never),
      /Unknown producer config field "lingerMS": did you mean "lingerMs"\?/,
    );
  });

  it("turns defaulted idempotence off for acks 0/1, but refuses an explicit conflict", () => {
    assert.equal(resolveProducerConfig({ ...base, acks: 1 }).enableIdempotence, false);
    assert.throws(
      () => resolveProducerConfig({ ...base, acks: 1, enableIdempotence: true }),
      /must be "all" when "enableIdempotence" is true/,
    );
    assert.throws(
      () =>
        resolveProducerConfig({
          ...base,
          enableIdempotence: true,
          maxInFlightRequestsPerConnection: 6,
        }),
      /<= 5/,
    );
  });

  it("Producer construction fails on invalid config", () => {
    assert.throws(() => new Producer({ ...base, bufferMemory: 10 }), /Invalid "bufferMemory": 10/);
  });
});

describe("fromJavaProperties()", () => {
  it("maps Java property names and parses values", () => {
    const config = fromJavaProperties({
      "bootstrap.servers": "a:1,b:2",
      "batch.size": "65536",
      "linger.ms": 20,
      "enable.idempotence": "false",
      acks: "1",
      "compression.type": "gzip",
      "max.in.flight.requests.per.connection": "1",
    });
    assert.deepEqual(config, {
      bootstrapServers: "a:1,b:2",
      batchSize: 65536,
      lingerMs: 20,
      enableIdempotence: false,
      acks: 1,
      compressionType: "gzip",
      maxInFlightRequestsPerConnection: 1,
    });
  });

  it("rejects unknown properties and bad values with the name", () => {
    assert.throws(
      () => fromJavaProperties({ "bootstrap.servers": "a:1", "batch.sise": "1" }),
      /Unknown producer property "batch.sise": did you mean "batch.size"\?/,
    );
    assert.throws(
      () => fromJavaProperties({ "bootstrap.servers": "a:1", "linger.ms": "soon" }),
      /Invalid "linger.ms": "soon" is not a number/,
    );
    assert.throws(() => fromJavaProperties({ "linger.ms": "1" }), /Missing "bootstrap.servers"/);
  });
});

describe("createRecordSerializer()", () => {
  it("passes bytes, encodes strings, keeps null, and serializes headers in order", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    const record = serialize({
      topic: "t",
      key: "k",
      value: new Uint8Array([1]),
      headers: [["a", "x"], ["b", null]],
      timestamp: new Date(5),
    });
    assert.deepEqual(record.key, new TextEncoder().encode("k"));
    assert.deepEqual(record.value, new Uint8Array([1]));
    assert.deepEqual(record.headers, [{ key: "a", value: new TextEncoder().encode("x") }, {
      key: "b",
      value: null,
    }]);
    assert.equal(record.timestamp, 5);
    assert.equal(record.partition, -1);
    assert.equal(serialize({ topic: "t", value: null }).value, null);
  });

  it("says to configure a serializer for objects, and wraps serializer failures", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.throws(() => serialize({ topic: "t", value: { a: 1 } }), (error: unknown) => {
      assert.ok(error instanceof RecordError);
      assert.equal(error.code, "SERIALIZATION");
      assert.match(error.message, /valueSerializer: jsonSerializer/);
      return true;
    });
    const failing = createRecordSerializer<unknown, unknown>({
      value: () => {
        throw new Error("nope");
      },
    });
    assert.throws(
      () => failing({ topic: "t", value: 1 }),
      /Cannot serialize the record's value: nope/,
    );
    const json = createRecordSerializer<unknown, unknown>({ value: jsonSerializer });
    assert.equal(new TextDecoder().decode(json({ topic: "t", value: { a: 1 } }).value!), '{"a":1}');
  });

  it("validates topic, partition and timestamp", () => {
    const serialize = createRecordSerializer<unknown, unknown>({});
    assert.throws(
      () => serialize({ topic: "bad topic", value: null }),
      /Invalid topic "bad topic"/,
    );
    assert.throws(
      () => serialize({ topic: "t", value: null, partition: -2 }),
      /Invalid partition -2/,
    );
    assert.throws(
      () => serialize({ topic: "t", value: null, timestamp: Number.NaN }),
      /Invalid timestamp/,
    );
  });
});

describe("InterceptorChain", () => {
  it("isolates a throwing interceptor, logs it, and runs the rest", () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const acknowledged: unknown[] = [];
    const chain = new InterceptorChain([
      {
        onSend: () => {
          throw new Error("boom");
        },
        onAcknowledgement: () => {
          throw new Error("boom");
        },
      },
      {
        onSend: (r) => ({ ...r, value: "changed" }),
        onAcknowledgement: (_m, e) => acknowledged.push(e),
      },
    ], logger);
    assert.equal(chain.onSend({ topic: "t", value: "v" }).value, "changed");
    chain.onAcknowledgement(undefined, new Error("x"), { topic: "t", value: "v" });
    assert.equal(acknowledged.length, 1);
    assert.equal(warnings.length, 2);
  });
});
