import { describe, it } from "node:test";
import { fromJavaProperties } from "../../src/config/java_properties.ts";
import assert from "node:assert/strict";
import {
  nearest,
  PRODUCER_CONFIG_FIELDS,
  type ProducerConfig,
  resolveProducerConfig,
} from "../../src/config/producer_config.ts";
import { silentLogger } from "../../src/config/logger.ts";
import { jsonSerializer } from "../../src/serializer/serializer.ts";
import { Producer } from "../../mod.ts";

const base = { bootstrapServers: "127.0.0.1:9092" } as const;

function resolve(extra: Record<string, unknown>) {
  return resolveProducerConfig({ ...base, ...extra } as ProducerConfig);
}

function recordingLogger() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    logger: {
      debug: (m: string) => lines.push(["debug", m]),
      info: (m: string) => lines.push(["info", m]),
      warn: (m: string) => lines.push(["warn", m]),
      error: (m: string) => lines.push(["error", m]),
    },
  };
}

/** [field, Java default, min, max] for every integer field. */
const INTEGERS: Array<[string, number, number, number]> = [
  ["lingerMs", 5, 0, 2147483647],
  ["batchSize", 16384, 1, 2147483647],
  ["bufferMemory", 33554432, 1024, Number.MAX_SAFE_INTEGER],
  ["maxBlockMs", 60000, 0, 2147483647],
  ["requestTimeoutMs", 30000, 1, 2147483647],
  ["deliveryTimeoutMs", 120000, 1, 2147483647],
  ["retries", 2147483647, 0, 2147483647],
  ["retryBackoffMs", 100, 0, 2147483647],
  ["retryBackoffMaxMs", 1000, 0, 2147483647],
  ["maxInFlightRequestsPerConnection", 5, 1, 2147483647],
  ["maxRequestSize", 1048576, 81, 2147483647],
  ["metadataMaxAgeMs", 300000, 0, 2147483647],
  ["metadataMaxIdleMs", 300000, 5000, 2147483647],
  ["connectionsMaxIdleMs", 540000, -1, 2147483647],
  ["reconnectBackoffMs", 50, 0, 2147483647],
  ["reconnectBackoffMaxMs", 1000, 0, 2147483647],
  ["socketConnectionSetupTimeoutMs", 10000, 1, 2147483647],
  ["partitionerAvailabilityTimeoutMs", 0, 0, 2147483647],
];

/** The explanation some fields add to their range. */
const REASONS: Record<string, string> = {
  maxRequestSize:
    ": a record batch header (61 bytes) and the smallest record (20 bytes at most) must fit",
};

describe("resolveProducerConfig()", () => {
  it("resolveProducerConfig() fills in Java's defaults", () => {
    const config = resolveProducerConfig(base);
    const integers = config as unknown as Record<string, number>;
    for (const [field, fallback] of INTEGERS) assert.equal(integers[field], fallback, field);
    assert.equal(config.bootstrapServers, "127.0.0.1:9092");
    assert.equal(config.clientId, "sluice");
    assert.equal(config.acks, -1);
    assert.equal(config.enableIdempotence, true);
    assert.equal(config.compressionType, "none");
    assert.equal(config.compressionLevel, undefined);
    assert.equal(config.partitioner, "default");
    assert.equal(config.partitionerIgnoreKeys, false);
    assert.equal(config.partitionerAdaptivePartitioning, true);
    assert.deepEqual(config.interceptors, []);
    assert.equal(config.keySerializer, undefined);
    assert.equal(config.valueSerializer, undefined);
    assert.equal(config.headerSerializer, undefined);
    assert.equal(config.logger, silentLogger);
    assert.equal(config.signal, undefined);
  });

  it("resolveProducerConfig() treats undefined fields as unset", () => {
    const config = resolve({ lingerMs: undefined, acks: undefined, logger: undefined });
    assert.equal(config.lingerMs, 5);
    assert.equal(config.acks, -1);
  });

  it("resolveProducerConfig() accepts each integer field's bounds and rejects beyond them", () => {
    for (const [field, , min, max] of INTEGERS) {
      if (field === "partitionerAvailabilityTimeoutMs") continue; // only 0 is supported
      const extra: Record<string, unknown> = { [field]: min };
      // Keep the cross-field rules satisfied while probing one field.
      if (field === "deliveryTimeoutMs") Object.assign(extra, { lingerMs: 0, requestTimeoutMs: 1 });
      if (field === "retryBackoffMaxMs") extra.retryBackoffMs = 0;
      if (field === "reconnectBackoffMaxMs") extra.reconnectBackoffMs = 0;
      if (field === "maxInFlightRequestsPerConnection" || field === "retries") {
        extra.enableIdempotence = false;
      }
      assert.equal((resolve(extra) as unknown as Record<string, number>)[field], min, field);
      extra[field] = max;
      if (field === "requestTimeoutMs" || field === "lingerMs") {
        extra.deliveryTimeoutMs = 2147483647;
        extra[field] = field === "lingerMs" ? max - 30000 : max - 5;
      }
      resolve(extra);
      assert.throws(
        () => resolve({ [field]: min - 1 }),
        (error: unknown) => {
          assert.ok(error instanceof RangeError, field);
          assert.equal(
            error.message,
            `Invalid "${field}": ${min - 1} must be an integer between ${min} and ${max}` +
              (REASONS[field] ?? ""),
          );
          return true;
        },
      );
      assert.throws(() => resolve({ [field]: max + 1 }), RangeError, field);
      assert.throws(() => resolve({ [field]: min + 0.5 }), RangeError, field);
      assert.throws(() => resolve({ [field]: Number.NaN }), RangeError, field);
      assert.throws(
        () => resolve({ [field]: String(min) }),
        new RegExp(`^TypeError: Invalid "${field}": "${min}" must be a number$`),
      );
    }
  });

  it("resolveProducerConfig() names the field, the value and the allowed range", () => {
    assert.throws(
      () => resolve({ batchSize: 0 }),
      {
        name: "RangeError",
        message: 'Invalid "batchSize": 0 must be an integer between 1 and 2147483647',
      },
    );
  });

  it("resolveProducerConfig() checks boolean fields", () => {
    for (
      const field of [
        "enableIdempotence",
        "partitionerIgnoreKeys",
        "partitionerAdaptivePartitioning",
      ]
    ) {
      assert.throws(
        () => resolve({ [field]: "true" }),
        new RegExp(`^TypeError: Invalid "${field}": "true" must be true or false$`),
      );
      assert.equal(
        (resolve({ [field]: false }) as unknown as Record<string, boolean>)[field],
        false,
      );
    }
    assert.equal(resolve({ partitionerIgnoreKeys: true }).partitionerIgnoreKeys, true);
  });

  it('resolveProducerConfig() accepts acks 0, 1, -1 and "all"', () => {
    assert.equal(resolve({ acks: 0 }).acks, 0);
    assert.equal(resolve({ acks: 1 }).acks, 1);
    assert.equal(resolve({ acks: -1 }).acks, -1);
    assert.equal(resolve({ acks: "all" }).acks, -1);
    assert.throws(() => resolve({ acks: 2 }), {
      name: "RangeError",
      message: /Invalid "acks": 2 must be 0, 1, -1 or "all"/,
    });
    assert.throws(() => resolve({ acks: "ALL" }), RangeError);
    assert.throws(() => resolve({ acks: true }), {
      name: "TypeError",
      message: /Invalid "acks": true/,
    });
  });

  it("resolveProducerConfig() validates bootstrapServers", () => {
    assert.equal(resolve({ bootstrapServers: "a:1,b:2" }).bootstrapServers, "a:1,b:2");
    assert.deepEqual(resolve({ bootstrapServers: ["a:1", "[::1]:9092"] }).bootstrapServers, [
      "a:1",
      "[::1]:9092",
    ]);
    assert.equal(resolve({ bootstrapServers: "a:1, b:2" }).bootstrapServers, "a:1, b:2");
    for (const bad of ["nohost", "", "a:1,", "a:port", [], ["a:1", 5], 9092, null]) {
      assert.throws(
        () => resolve({ bootstrapServers: bad }),
        /^TypeError: Invalid "bootstrapServers"/,
        String(bad),
      );
    }
    assert.throws(
      () => resolveProducerConfig({} as ProducerConfig),
      /^TypeError: Missing "bootstrapServers"/,
    );
  });

  it("resolveProducerConfig() rejects a non-object config", () => {
    assert.throws(() => resolveProducerConfig(null as unknown as ProducerConfig), TypeError);
    assert.throws(() => resolveProducerConfig("a:1" as unknown as ProducerConfig), TypeError);
  });

  it("resolveProducerConfig() rejects unknown fields and suggests the nearest name", () => {
    assert.throws(
      () => resolve({ lingerMS: 5 }),
      {
        name: "TypeError",
        message: 'Unknown producer config field "lingerMS": did you mean "lingerMs"?',
      },
    );
    assert.throws(
      () => resolve({ bacthSize: 5 }),
      /did you mean "batchSize"\?/,
    );
    assert.throws(
      () => resolve({ "linger.ms": 5 }),
      /Unknown producer config field "linger.ms": did you mean "lingerMs"\?/,
    );
    assert.throws(
      () => resolve({ zzzzzzzzzzzzzz: 1 }),
      { name: "TypeError", message: 'Unknown producer config field "zzzzzzzzzzzzzz"' },
    );
  });

  it("resolveProducerConfig() turns defaulted idempotence off when settings contradict it", () => {
    const { lines, logger } = recordingLogger();
    assert.equal(resolve({ acks: 1, logger }).enableIdempotence, false);
    assert.equal(resolve({ acks: 0 }).enableIdempotence, false);
    assert.equal(resolve({ retries: 0 }).enableIdempotence, false);
    assert.equal(resolve({ maxInFlightRequestsPerConnection: 6 }).enableIdempotence, false);
    assert.equal(resolve({ maxInFlightRequestsPerConnection: 5 }).enableIdempotence, true);
    assert.equal(resolve({ acks: "all", enableIdempotence: false }).enableIdempotence, false);
    assert.ok(lines.some(([level, m]) => level === "info" && m.startsWith("Idempotence disabled")));
  });

  it("resolveProducerConfig() refuses explicit idempotence with contradicting settings", () => {
    assert.throws(
      () => resolve({ acks: 1, enableIdempotence: true }),
      {
        name: "RangeError",
        message: 'Invalid "acks": 1 must be "all" when "enableIdempotence" is true',
      },
    );
    assert.throws(
      () => resolve({ retries: 0, enableIdempotence: true }),
      /Invalid "retries": 0 must be > 0 when "enableIdempotence" is true/,
    );
    assert.throws(
      () => resolve({ enableIdempotence: true, maxInFlightRequestsPerConnection: 6 }),
      /Invalid "maxInFlightRequestsPerConnection": 6 must be <= 5 when "enableIdempotence" is true/,
    );
    assert.equal(resolve({ enableIdempotence: true, acks: "all" }).enableIdempotence, true);
  });

  it("resolveProducerConfig() requires an explicit deliveryTimeoutMs >= lingerMs + requestTimeoutMs", () => {
    assert.throws(
      () => resolve({ deliveryTimeoutMs: 1000 }),
      {
        name: "RangeError",
        message:
          'Invalid "deliveryTimeoutMs": 1000 must be >= lingerMs + requestTimeoutMs (5 + 30000 = 30005)',
      },
    );
    assert.equal(resolve({ deliveryTimeoutMs: 30005 }).deliveryTimeoutMs, 30005);
  });

  it("resolveProducerConfig() raises a defaulted deliveryTimeoutMs to lingerMs + requestTimeoutMs", () => {
    const { lines, logger } = recordingLogger();
    const config = resolve({ requestTimeoutMs: 200000, lingerMs: 100, logger });
    assert.equal(config.deliveryTimeoutMs, 200100);
    assert.ok(lines.some(([level, m]) => level === "warn" && m.includes("deliveryTimeoutMs")));
  });

  it("resolveProducerConfig() raises a maximum backoff below its base to the base", () => {
    const { lines, logger } = recordingLogger();
    const config = resolve({ retryBackoffMs: 2000, reconnectBackoffMs: 1500, logger });
    assert.equal(config.retryBackoffMaxMs, 2000);
    assert.equal(config.reconnectBackoffMaxMs, 1500);
    assert.equal(lines.filter(([level]) => level === "warn").length, 2);
  });

  it("resolveProducerConfig() checks compressionType and the level range per codec", () => {
    for (const type of ["none", "gzip", "snappy", "lz4", "zstd"]) {
      assert.equal(resolve({ compressionType: type }).compressionType, type);
    }
    assert.throws(
      () => resolve({ compressionType: "brotli" }),
      { name: "RangeError", message: /Invalid "compressionType": "brotli" must be "none", "gzip"/ },
    );
    assert.throws(() => resolve({ compressionType: 1 }), TypeError);
    const ranges: Array<[string, number, number]> = [["gzip", 1, 9], ["lz4", 1, 17], [
      "zstd",
      -131072,
      22,
    ]];
    for (const [type, min, max] of ranges) {
      assert.equal(resolve({ compressionType: type, compressionLevel: min }).compressionLevel, min);
      assert.equal(resolve({ compressionType: type, compressionLevel: max }).compressionLevel, max);
      for (const bad of [min - 1, max + 1, min + 0.5]) {
        assert.throws(
          () => resolve({ compressionType: type, compressionLevel: bad }),
          {
            name: "RangeError",
            message:
              `Invalid "compressionLevel": ${bad} must be an integer between ${min} and ${max} for ${type}`,
          },
        );
      }
    }
    assert.throws(
      () => resolve({ compressionLevel: 3 }),
      /Invalid "compressionLevel": 3 is not allowed with compressionType "none"/,
    );
    assert.throws(() => resolve({ compressionType: "snappy", compressionLevel: 3 }), RangeError);
    assert.throws(
      () => resolve({ compressionType: "gzip", compressionLevel: "9" }),
      { name: "TypeError", message: 'Invalid "compressionLevel": "9" must be a number' },
    );
  });

  it("resolveProducerConfig() accepts a partitioner function and rejects other values", () => {
    const partitioner = () => 0;
    assert.equal(resolve({ partitioner }).partitioner, partitioner);
    assert.equal(resolve({ partitioner: "default" }).partitioner, "default");
    assert.throws(
      () => resolve({ partitioner: "murmur2" }),
      /^TypeError: Invalid "partitioner": "murmur2"/,
    );
  });

  it("resolveProducerConfig() rejects partitionerAvailabilityTimeoutMs other than 0 for now", () => {
    assert.equal(
      resolve({ partitionerAvailabilityTimeoutMs: 0 }).partitionerAvailabilityTimeoutMs,
      0,
    );
    assert.throws(
      () => resolve({ partitionerAvailabilityTimeoutMs: 100 }),
      /^RangeError: Invalid "partitionerAvailabilityTimeoutMs": 100 is not supported yet/,
    );
  });

  it("resolveProducerConfig() takes transactionalId and transactionTimeoutMs, and refuses settings that turn idempotence off", () => {
    const config = resolve({ transactionalId: "tx" });
    assert.equal(config.transactionalId, "tx");
    assert.equal(config.transactionTimeoutMs, 60000, "Java's transaction.timeout.ms default");
    assert.equal(config.enableIdempotence, true);
    assert.equal(
      resolve({ transactionalId: "tx", transactionTimeoutMs: 900 }).transactionTimeoutMs,
      900,
    );
    assert.equal(resolve({}).transactionalId, undefined);
    assert.throws(
      () => resolve({ transactionalId: "" }),
      /^RangeError: Invalid "transactionalId": "" must be a non-empty string/,
    );
    assert.throws(
      () => resolve({ transactionalId: 7 }),
      /^TypeError: Invalid "transactionalId": 7 must be a non-empty string/,
    );
    assert.throws(
      () => resolve({ transactionalId: "tx", enableIdempotence: false }),
      /^RangeError: Invalid "transactionalId": "tx" needs idempotence, which "enableIdempotence": false turns off/,
    );
    assert.throws(
      () => resolve({ transactionalId: "tx", acks: 1 }),
      /^RangeError: Invalid "transactionalId": "tx" needs idempotence, which acks 1/,
    );
    assert.throws(
      () => resolve({ transactionalId: "tx", transactionTimeoutMs: 0 }),
      /^RangeError: Invalid "transactionTimeoutMs"/,
    );
    assert.equal(
      fromJavaProperties({
        "bootstrap.servers": "h:1",
        "transactional.id": "tx",
        "transaction.timeout.ms": "30000",
      }).transactionTimeoutMs,
      30000,
    );
  });

  it("resolveProducerConfig() checks clientId, interceptors, serializers, logger and signal", () => {
    assert.equal(resolve({ clientId: "app" }).clientId, "app");
    assert.throws(
      () => resolve({ clientId: 5 }),
      /^TypeError: Invalid "clientId": 5 must be a string/,
    );
    const interceptor = { onSend: () => undefined };
    assert.deepEqual(resolve({ interceptors: [interceptor] }).interceptors, [interceptor]);
    assert.throws(
      () => resolve({ interceptors: interceptor }),
      /^TypeError: Invalid "interceptors"/,
    );
    assert.throws(
      () => resolve({ interceptors: [interceptor, null] }),
      /^TypeError: Invalid "interceptors": entry 1 is null/,
    );
    assert.equal(resolve({ valueSerializer: jsonSerializer }).valueSerializer, jsonSerializer);
    for (const field of ["keySerializer", "valueSerializer", "headerSerializer"]) {
      assert.throws(
        () => resolve({ [field]: "json" }),
        new RegExp(`^TypeError: Invalid "${field}": "json" must be a function`),
      );
    }
    assert.throws(() => resolve({ logger: console.log }), /^TypeError: Invalid "logger"/);
    assert.throws(
      () => resolve({ logger: { debug() {}, info() {}, warn() {} } }),
      /^TypeError: Invalid "logger": its "error" must be a function/,
    );
    const controller = new AbortController();
    assert.equal(resolve({ signal: controller.signal }).signal, controller.signal);
    assert.throws(() => resolve({ signal: controller }), /^TypeError: Invalid "signal"/);
  });

  it("PRODUCER_CONFIG_FIELDS lists every resolved field", () => {
    const resolved = Object.keys(resolveProducerConfig(base)).sort();
    assert.deepEqual(resolved, [...PRODUCER_CONFIG_FIELDS].sort());
  });

  it("Producer construction fails on invalid config", () => {
    assert.throws(() => new Producer({ ...base, bufferMemory: 10 }), /Invalid "bufferMemory": 10/);
  });

  it("Producer construction refuses a maxRequestSize no record fits in, naming the minimum", () => {
    for (const size of [1, 60, 80]) {
      assert.throws(
        () => new Producer({ ...base, maxRequestSize: size }),
        (error: unknown) => {
          assert.ok(error instanceof RangeError);
          assert.equal(
            error.message,
            `Invalid "maxRequestSize": ${size} must be an integer between 81 and 2147483647` +
              REASONS.maxRequestSize,
          );
          return true;
        },
      );
    }
    assert.equal(resolve({ maxRequestSize: 81 }).maxRequestSize, 81);
  });

  it("resolveProducerConfig() isolates the logger: one that throws odd values breaks nothing", () => {
    const thrower = () => {
      throw Object.create(null);
    };
    const logger = { debug: thrower, info: thrower, warn: thrower, error: thrower };
    // Both log while resolving: idempotence yields to acks 1, a defaulted timeout is raised.
    const config = resolve({ logger, acks: 1, lingerMs: 200_000 });
    assert.equal(config.enableIdempotence, false);
    assert.doesNotThrow(() => config.logger.error("x", { y: 1 }));
  });
});

describe("nearest()", () => {
  it("nearest() suggests the closest name case-insensitively, or nothing when far", () => {
    assert.equal(nearest("LINGERMS", ["lingerMs", "batchSize"]), "lingerMs");
    assert.equal(nearest("retires", ["retries", "acks"]), "retries");
    assert.equal(nearest("colour", ["lingerMs", "batchSize"]), undefined);
  });
});
