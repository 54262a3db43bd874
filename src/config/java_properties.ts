import { nearest, type ProducerConfig } from "./producer_config.ts";
import { SECURITY_PROPERTIES, securityFromJavaProperties } from "./security_properties.ts";

/** Java property name → [config field, kind]. */
const PROPERTIES: Record<
  string,
  [keyof ProducerConfig, "string" | "int" | "bool" | "acks"]
> = {
  "bootstrap.servers": ["bootstrapServers", "string"],
  "client.id": ["clientId", "string"],
  "acks": ["acks", "acks"],
  "linger.ms": ["lingerMs", "int"],
  "batch.size": ["batchSize", "int"],
  "buffer.memory": ["bufferMemory", "int"],
  "max.block.ms": ["maxBlockMs", "int"],
  "request.timeout.ms": ["requestTimeoutMs", "int"],
  "delivery.timeout.ms": ["deliveryTimeoutMs", "int"],
  "retries": ["retries", "int"],
  "retry.backoff.ms": ["retryBackoffMs", "int"],
  "retry.backoff.max.ms": ["retryBackoffMaxMs", "int"],
  "max.in.flight.requests.per.connection": ["maxInFlightRequestsPerConnection", "int"],
  "enable.idempotence": ["enableIdempotence", "bool"],
  "max.request.size": ["maxRequestSize", "int"],
  "metadata.max.age.ms": ["metadataMaxAgeMs", "int"],
  "metadata.max.idle.ms": ["metadataMaxIdleMs", "int"],
  "statistics.interval.ms": ["statisticsIntervalMs", "int"],
  "connections.max.idle.ms": ["connectionsMaxIdleMs", "int"],
  "reconnect.backoff.ms": ["reconnectBackoffMs", "int"],
  "reconnect.backoff.max.ms": ["reconnectBackoffMaxMs", "int"],
  "socket.connection.setup.timeout.ms": ["socketConnectionSetupTimeoutMs", "int"],
  "compression.type": ["compressionType", "string"],
  // librdkafka's name; applies whatever the codec.
  "compression.level": ["compressionLevel", "int"],
  "partitioner.ignore.keys": ["partitionerIgnoreKeys", "bool"],
  "partitioner.adaptive.partitioning.enable": ["partitionerAdaptivePartitioning", "bool"],
  "partitioner.availability.timeout.ms": ["partitionerAvailabilityTimeoutMs", "int"],
  "transactional.id": ["transactionalId", "string"],
  "transaction.timeout.ms": ["transactionTimeoutMs", "int"],
};

/**
 * Java's per-codec levels (KIP-390): only the one for the configured `compression.type`
 * applies, the others are ignored, as in Java.
 */
const CODEC_LEVELS: Record<string, string> = {
  "compression.gzip.level": "gzip",
  "compression.lz4.level": "lz4",
  "compression.zstd.level": "zstd",
};

/** Java properties that take class names; sluice takes functions or objects instead. */
const CLASS_PROPERTIES: Record<string, string> = {
  "key.serializer": "keySerializer",
  "value.serializer": "valueSerializer",
  "partitioner.class": "partitioner",
  "interceptor.classes": "interceptors",
};

/**
 * Builds a `ProducerConfig` from Java-style properties (`"batch.size": "65536"`), parsing
 * numbers and booleans (values may also be given as numbers and booleans). An unknown
 * property or an unparsable value throws a `TypeError` naming it (with the nearest known
 * property); ranges are checked later by `resolveProducerConfig()`. The security properties
 * (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, PEM `ssl.truststore.*` /
 * `ssl.keystore.*`, `ssl.key.password`, `ssl.endpoint.identification.algorithm`) become
 * `securityProtocol`, `sasl` and `ssl` (see `securityFromJavaProperties()`; files named by
 * `*.location` are read here).
 *
 * @param properties Java producer property names and values.
 * @returns The same settings as a `ProducerConfig`.
 *
 * @example
 * ```ts
 * import { fromJavaProperties } from "./java_properties.ts";
 * const config = fromJavaProperties({ "bootstrap.servers": "127.0.0.1:9092", "linger.ms": "20", acks: "all" });
 * if (config.lingerMs !== 20 || config.acks !== "all") throw new Error();
 * ```
 */
export function fromJavaProperties(
  properties: Record<string, string | number | boolean>,
): ProducerConfig {
  if (properties === null || typeof properties !== "object") {
    throw new TypeError(`Invalid producer properties: ${String(properties)} must be an object`);
  }
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(properties)) {
    const raw = properties[name];
    const entry = PROPERTIES[name];
    if (entry === undefined && CODEC_LEVELS[name] !== undefined) continue; // read below
    if (entry === undefined && SECURITY_PROPERTIES.includes(name)) continue; // read below
    if (entry === undefined) {
      const field = CLASS_PROPERTIES[name];
      if (field !== undefined) {
        throw new TypeError(
          `Unsupported producer property "${name}": Java class names cannot be loaded; set "${field}" in the ProducerConfig instead`,
        );
      }
      const suggestion = nearest(name, [
        ...Object.keys(PROPERTIES),
        ...Object.keys(CODEC_LEVELS),
        ...SECURITY_PROPERTIES,
      ]);
      throw new TypeError(
        `Unknown producer property "${name}"${
          suggestion === undefined ? "" : `: did you mean "${suggestion}"?`
        }`,
      );
    }
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      throw new TypeError(
        `Invalid "${name}": ${String(raw)} must be a string, number or boolean`,
      );
    }
    const [field, kind] = entry;
    const text = String(raw).trim();
    if (config[field] !== undefined) {
      throw new TypeError(
        `Duplicate producer property "${name}": "${field}" is already set by another property`,
      );
    }
    switch (kind) {
      case "string":
        config[field] = text;
        break;
      case "int":
        if (!/^[+-]?\d+$/.test(text)) {
          throw new TypeError(`Invalid "${name}": "${raw}" is not an integer`);
        }
        config[field] = Number(text);
        break;
      case "bool": {
        const lower = text.toLowerCase();
        if (lower !== "true" && lower !== "false") {
          throw new TypeError(`Invalid "${name}": "${raw}" must be true or false`);
        }
        config[field] = lower === "true";
        break;
      }
      case "acks": {
        const lower = text.toLowerCase();
        if (lower === "all" || lower === "-1") config[field] = "all";
        else if (lower === "0" || lower === "1") config[field] = Number(lower);
        else throw new TypeError(`Invalid "acks": "${raw}" must be 0, 1, -1 or all`);
        break;
      }
    }
  }
  const codec = config.compressionType;
  for (const [name, levelCodec] of Object.entries(CODEC_LEVELS)) {
    const raw = properties[name];
    if (raw === undefined || levelCodec !== codec) continue;
    const text = String(raw).trim();
    if (!/^[+-]?\d+$/.test(text)) {
      throw new TypeError(`Invalid "${name}": "${raw}" is not an integer`);
    }
    if (config.compressionLevel !== undefined) {
      throw new TypeError(
        `Duplicate producer property "${name}": "compressionLevel" is already set by "compression.level"`,
      );
    }
    config.compressionLevel = Number(text);
  }
  Object.assign(config, securityFromJavaProperties(properties));
  if (config.bootstrapServers === undefined) {
    throw new TypeError(
      `Missing "bootstrap.servers": the brokers to connect to, e.g. "127.0.0.1:9092"`,
    );
  }
  return config as unknown as ProducerConfig;
}
