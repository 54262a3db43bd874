import { nearest, type ProducerConfig } from "./producer_config.ts";

/** Java property name → [config field, kind]. */
const PROPERTIES: Record<
  string,
  [keyof ProducerConfig, "string" | "int" | "bool" | "acks" | "list"]
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
  "connections.max.idle.ms": ["connectionsMaxIdleMs", "int"],
  "reconnect.backoff.ms": ["reconnectBackoffMs", "int"],
  "reconnect.backoff.max.ms": ["reconnectBackoffMaxMs", "int"],
  "socket.connection.setup.timeout.ms": ["socketConnectionSetupTimeoutMs", "int"],
  "compression.type": ["compressionType", "string"],
  "compression.level": ["compressionLevel", "int"],
  "compression.gzip.level": ["compressionLevel", "int"],
  "compression.lz4.level": ["compressionLevel", "int"],
  "compression.zstd.level": ["compressionLevel", "int"],
  "partitioner.ignore.keys": ["partitionerIgnoreKeys", "bool"],
  "partitioner.adaptive.partitioning.enable": ["partitionerAdaptivePartitioning", "bool"],
  "partitioner.availability.timeout.ms": ["partitionerAvailabilityTimeoutMs", "int"],
  "transactional.id": ["transactionalId", "string"],
};

/**
 * Builds a `ProducerConfig` from Java-style properties (`"batch.size": "65536"`), parsing
 * numbers and booleans. An unknown property or unparsable value throws a `TypeError` naming
 * it (with the nearest known property).
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
  const config: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const entry = PROPERTIES[name];
    if (entry === undefined) {
      throw new TypeError(
        `Unknown producer property "${name}": did you mean "${
          nearest(name, Object.keys(PROPERTIES))
        }"?`,
      );
    }
    const [field, kind] = entry;
    const text = String(raw).trim();
    switch (kind) {
      case "string":
        config[field] = text;
        break;
      case "int": {
        const value = Number(text);
        if (text === "" || !Number.isFinite(value)) {
          throw new TypeError(`Invalid "${name}": "${raw}" is not a number`);
        }
        config[field] = value;
        break;
      }
      case "bool":
        if (text !== "true" && text !== "false") {
          throw new TypeError(`Invalid "${name}": "${raw}" must be true or false`);
        }
        config[field] = text === "true";
        break;
      case "acks":
        if (text === "all" || text === "-1") config[field] = "all";
        else if (text === "0" || text === "1") config[field] = Number(text);
        else throw new TypeError(`Invalid "acks": "${raw}" must be 0, 1, -1 or all`);
        break;
      default:
        config[field] = text;
    }
  }
  if (config.bootstrapServers === undefined) {
    throw new TypeError(
      `Missing "bootstrap.servers": the brokers to connect to, e.g. "127.0.0.1:9092"`,
    );
  }
  return config as unknown as ProducerConfig;
}
