import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromJavaProperties } from "../../src/config/java_properties.ts";
import { resolveProducerConfig } from "../../src/config/producer_config.ts";

const servers = { "bootstrap.servers": "a:1,b:2" };

describe("fromJavaProperties()", () => {
  it("fromJavaProperties() maps Java property names and parses values", () => {
    const config = fromJavaProperties({
      ...servers,
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

  it("fromJavaProperties() maps every supported property to its config field", () => {
    const config = fromJavaProperties({
      "bootstrap.servers": "h:9092",
      "client.id": "app",
      acks: "all",
      "linger.ms": "1",
      "batch.size": "2",
      "buffer.memory": "3000",
      "max.block.ms": "4",
      "request.timeout.ms": "5",
      "delivery.timeout.ms": "600",
      retries: "7",
      "retry.backoff.ms": "8",
      "retry.backoff.max.ms": "9",
      "max.in.flight.requests.per.connection": "3",
      "enable.idempotence": "TRUE",
      "max.request.size": "1100",
      "metadata.max.age.ms": "12",
      "metadata.max.idle.ms": "13000",
      "connections.max.idle.ms": "-1",
      "reconnect.backoff.ms": "15",
      "reconnect.backoff.max.ms": "16",
      "socket.connection.setup.timeout.ms": "17",
      "compression.type": "zstd",
      "compression.zstd.level": "-5",
      "partitioner.ignore.keys": true,
      "partitioner.adaptive.partitioning.enable": "false",
      "partitioner.availability.timeout.ms": "0",
    });
    assert.deepEqual(config, {
      bootstrapServers: "h:9092",
      clientId: "app",
      acks: "all",
      lingerMs: 1,
      batchSize: 2,
      bufferMemory: 3000,
      maxBlockMs: 4,
      requestTimeoutMs: 5,
      deliveryTimeoutMs: 600,
      retries: 7,
      retryBackoffMs: 8,
      retryBackoffMaxMs: 9,
      maxInFlightRequestsPerConnection: 3,
      enableIdempotence: true,
      maxRequestSize: 1100,
      metadataMaxAgeMs: 12,
      metadataMaxIdleMs: 13000,
      connectionsMaxIdleMs: -1,
      reconnectBackoffMs: 15,
      reconnectBackoffMaxMs: 16,
      socketConnectionSetupTimeoutMs: 17,
      compressionType: "zstd",
      compressionLevel: -5,
      partitionerIgnoreKeys: true,
      partitionerAdaptivePartitioning: false,
      partitionerAvailabilityTimeoutMs: 0,
    });
    // The result is a valid config as a whole.
    assert.equal(resolveProducerConfig(config).compressionLevel, -5);
  });

  it("fromJavaProperties() reads acks in every Java spelling", () => {
    assert.equal(fromJavaProperties({ ...servers, acks: "all" }).acks, "all");
    assert.equal(fromJavaProperties({ ...servers, acks: "-1" }).acks, "all");
    assert.equal(fromJavaProperties({ ...servers, acks: -1 }).acks, "all");
    assert.equal(fromJavaProperties({ ...servers, acks: "0" }).acks, 0);
    assert.equal(fromJavaProperties({ ...servers, acks: 1 }).acks, 1);
    assert.throws(
      () => fromJavaProperties({ ...servers, acks: "2" }),
      { name: "TypeError", message: 'Invalid "acks": "2" must be 0, 1, -1 or all' },
    );
  });

  it("fromJavaProperties() applies only the level of the configured codec, as Java", () => {
    const config = fromJavaProperties({
      ...servers,
      "compression.type": "lz4",
      "compression.gzip.level": "9",
      "compression.lz4.level": "12",
    });
    assert.equal(config.compressionLevel, 12);
    const none = fromJavaProperties({ ...servers, "compression.gzip.level": "9" });
    assert.equal(none.compressionLevel, undefined);
    assert.equal(
      fromJavaProperties({ ...servers, "compression.type": "gzip", "compression.level": "4" })
        .compressionLevel,
      4,
    );
    assert.throws(
      () =>
        fromJavaProperties({
          ...servers,
          "compression.type": "gzip",
          "compression.level": "4",
          "compression.gzip.level": "5",
        }),
      /^TypeError: Duplicate producer property "compression.gzip.level"/,
    );
    assert.throws(
      () =>
        fromJavaProperties({
          ...servers,
          "compression.type": "gzip",
          "compression.gzip.level": "high",
        }),
      /^TypeError: Invalid "compression.gzip.level": "high" is not an integer/,
    );
  });

  it("fromJavaProperties() rejects unknown properties, naming the nearest known one", () => {
    assert.throws(
      () => fromJavaProperties({ ...servers, "batch.sise": "1" }),
      {
        name: "TypeError",
        message: 'Unknown producer property "batch.sise": did you mean "batch.size"?',
      },
    );
    assert.throws(
      () => fromJavaProperties({ ...servers, "sasl.mechanisms": "PLAIN" }),
      /^TypeError: Unknown producer property "sasl.mechanisms": did you mean "sasl.mechanism"\?/,
    );
  });

  it("fromJavaProperties() explains that class-name properties need functions instead", () => {
    assert.throws(
      () =>
        fromJavaProperties({ ...servers, "key.serializer": "org.apache.kafka.StringSerializer" }),
      /^TypeError: Unsupported producer property "key.serializer": .* set "keySerializer"/,
    );
    assert.throws(
      () => fromJavaProperties({ ...servers, "partitioner.class": "x" }),
      /set "partitioner"/,
    );
  });

  it("fromJavaProperties() rejects unparsable numbers and booleans with the property name", () => {
    assert.throws(
      () => fromJavaProperties({ ...servers, "linger.ms": "soon" }),
      { name: "TypeError", message: 'Invalid "linger.ms": "soon" is not an integer' },
    );
    for (const bad of ["", "1.5", "0x10", "1e3", "5 ms", true]) {
      assert.throws(
        () => fromJavaProperties({ ...servers, "batch.size": bad }),
        /^TypeError: Invalid "batch.size"/,
        String(bad),
      );
    }
    assert.throws(
      () => fromJavaProperties({ ...servers, "enable.idempotence": "yes" }),
      { name: "TypeError", message: 'Invalid "enable.idempotence": "yes" must be true or false' },
    );
    assert.throws(
      () => fromJavaProperties({ ...servers, "enable.idempotence": 1 }),
      /must be true or false/,
    );
  });

  it("fromJavaProperties() trims values and requires bootstrap.servers", () => {
    assert.equal(fromJavaProperties({ ...servers, "linger.ms": " 7 " }).lingerMs, 7);
    assert.throws(
      () => fromJavaProperties({ "linger.ms": "1" }),
      /^TypeError: Missing "bootstrap.servers"/,
    );
  });

  it("fromJavaProperties() leaves range checks to resolveProducerConfig()", () => {
    const config = fromJavaProperties({ ...servers, "batch.size": "0" });
    assert.equal(config.batchSize, 0);
    assert.throws(() => resolveProducerConfig(config), /Invalid "batchSize": 0/);
  });
});
