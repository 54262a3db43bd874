import type { ProducerInterceptor } from "../interceptors/producer_interceptor.ts";
import type { Partitioner } from "../partitioner/partitioner.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { type Logger, silentLogger } from "./logger.ts";

/** Compression codecs (Kafka's `compression.type`). */
export type CompressionType = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/**
 * Producer settings: Java's names in camelCase, with Java's defaults. Each field names its
 * Java property; `fromJavaProperties()` accepts those names directly.
 */
export interface ProducerConfig<K = unknown, V = unknown> {
  /** Brokers to bootstrap from: "host:port,host:port" or a list (`bootstrap.servers`). */
  bootstrapServers: string | readonly string[];
  /** Sent with every request (`client.id`). @default "sluice" */
  clientId?: string;
  /** Acknowledgements to wait for: 0, 1 or "all"/-1 (`acks`). @default "all" */
  acks?: 0 | 1 | -1 | "all";
  /** How long a batch waits for more records (`linger.ms`). @default 5 */
  lingerMs?: number;
  /** Batch size in bytes, uncompressed (`batch.size`). @default 16384 */
  batchSize?: number;
  /** Bytes of records waiting for the brokers before writers wait (`buffer.memory`). @default 33554432 */
  bufferMemory?: number;
  /** How long `send()`/writes wait for buffer space or metadata (`max.block.ms`). @default 60000 */
  maxBlockMs?: number;
  /** How long to wait for a response (`request.timeout.ms`). @default 30000 */
  requestTimeoutMs?: number;
  /** Upper bound from `send()` to success or failure, retries included (`delivery.timeout.ms`). @default 120000 */
  deliveryTimeoutMs?: number;
  /** Retries of retriable failures (`retries`). @default 2147483647 */
  retries?: number;
  /** First retry backoff (`retry.backoff.ms`). @default 100 */
  retryBackoffMs?: number;
  /** Largest retry backoff (`retry.backoff.max.ms`). @default 1000 */
  retryBackoffMaxMs?: number;
  /** Produce requests in flight per broker (`max.in.flight.requests.per.connection`). @default 5 */
  maxInFlightRequestsPerConnection?: number;
  /**
   * Idempotent delivery: no duplicates from retries, order kept (`enable.idempotence`).
   * Requires acks "all". When not set explicitly and acks is 0 or 1, it is turned off (as in
   * Java 3.x); set explicitly with conflicting settings, construction fails. @default true
   */
  enableIdempotence?: boolean;
  /** Largest request in bytes (`max.request.size`). @default 1048576 */
  maxRequestSize?: number;
  /** Refresh metadata at least this often (`metadata.max.age.ms`). @default 300000 */
  metadataMaxAgeMs?: number;
  /** Forget topics not produced to for this long (`metadata.max.idle.ms`). @default 300000 */
  metadataMaxIdleMs?: number;
  /**
   * Close idle connections after this long (`connections.max.idle.ms`). Accepted for
   * compatibility; sluice keeps its (few) broker connections until `close()`. @default 540000
   */
  connectionsMaxIdleMs?: number;
  /** First reconnect backoff (`reconnect.backoff.ms`). @default 50 */
  reconnectBackoffMs?: number;
  /** Largest reconnect backoff (`reconnect.backoff.max.ms`). @default 1000 */
  reconnectBackoffMaxMs?: number;
  /** TCP connect timeout (`socket.connection.setup.timeout.ms`). @default 10000 */
  socketConnectionSetupTimeoutMs?: number;
  /** Codec for batches (`compression.type`). @default "none" */
  compressionType?: CompressionType;
  /** Codec level (`compression.gzip.level` etc.): gzip 1–9, lz4 1–17, zstd -131072..22. */
  compressionLevel?: number;
  /** "default" (murmur2 for keys, KIP-794 sticky otherwise) or a function. @default "default" */
  partitioner?: "default" | Partitioner;
  /** Ignore keys when partitioning (`partitioner.ignore.keys`). @default false */
  partitionerIgnoreKeys?: boolean;
  /** Weight sticky partitions by queue length (`partitioner.adaptive.partitioning.enable`). @default true */
  partitionerAdaptivePartitioning?: boolean;
  /**
   * Skip partitions whose leader is this slow (`partitioner.availability.timeout.ms`). Only 0
   * (off) is supported yet; keyless records already avoid partitions without a leader and,
   * with adaptive partitioning, those with long queues. @default 0
   */
  partitionerAvailabilityTimeoutMs?: number;
  /** Transactions are not supported yet: must be unset (`transactional.id`). */
  transactionalId?: string;
  /** Interceptors, run in order (`interceptor.classes`). @default [] */
  interceptors?: readonly ProducerInterceptor[];
  /** Key serializer (`key.serializer`); default: strings as UTF-8, bytes as is. */
  keySerializer?: Serializer<K>;
  /** Value serializer (`value.serializer`); default: strings as UTF-8, bytes as is. */
  valueSerializer?: Serializer<V>;
  /** Header value serializer; default: strings as UTF-8, bytes as is. */
  headerSerializer?: Serializer<unknown>;
  /** Where to log; silent by default. */
  logger?: Logger;
  /** Aborts the producer (like `abort()`) when signalled. */
  signal?: AbortSignal;
}

/** The config with every default filled in and every value checked. */
export interface ResolvedProducerConfig {
  bootstrapServers: string | readonly string[];
  clientId: string;
  acks: 0 | 1 | -1;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  maxBlockMs: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxInFlightRequestsPerConnection: number;
  enableIdempotence: boolean;
  maxRequestSize: number;
  metadataMaxAgeMs: number;
  metadataMaxIdleMs: number;
  connectionsMaxIdleMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  socketConnectionSetupTimeoutMs: number;
  compressionType: CompressionType;
  compressionLevel: number | undefined;
  partitioner: "default" | Partitioner;
  partitionerIgnoreKeys: boolean;
  partitionerAdaptivePartitioning: boolean;
  partitionerAvailabilityTimeoutMs: number;
  interceptors: readonly ProducerInterceptor[];
  keySerializer: Serializer<unknown> | undefined;
  valueSerializer: Serializer<unknown> | undefined;
  headerSerializer: Serializer<unknown> | undefined;
  logger: Logger;
  signal: AbortSignal | undefined;
}

const MAX_INT = 2147483647;

/** Integer fields: [default, min, max]. */
const INTEGER_FIELDS = {
  lingerMs: [5, 0, MAX_INT],
  batchSize: [16384, 1, MAX_INT],
  bufferMemory: [33554432, 1024, Number.MAX_SAFE_INTEGER],
  maxBlockMs: [60000, 0, MAX_INT],
  requestTimeoutMs: [30000, 1, MAX_INT],
  deliveryTimeoutMs: [120000, 1, MAX_INT],
  retries: [MAX_INT, 0, MAX_INT],
  retryBackoffMs: [100, 0, MAX_INT],
  retryBackoffMaxMs: [1000, 0, MAX_INT],
  maxInFlightRequestsPerConnection: [5, 1, MAX_INT],
  maxRequestSize: [1048576, 1, MAX_INT],
  metadataMaxAgeMs: [300000, 0, MAX_INT],
  metadataMaxIdleMs: [300000, 5000, MAX_INT],
  connectionsMaxIdleMs: [540000, -1, MAX_INT],
  reconnectBackoffMs: [50, 0, MAX_INT],
  reconnectBackoffMaxMs: [1000, 0, MAX_INT],
  socketConnectionSetupTimeoutMs: [10000, 1, MAX_INT],
  partitionerAvailabilityTimeoutMs: [0, 0, MAX_INT],
} as const;

const BOOLEAN_FIELDS = {
  enableIdempotence: true,
  partitionerIgnoreKeys: false,
  partitionerAdaptivePartitioning: true,
} as const;

const OTHER_FIELDS = [
  "bootstrapServers",
  "clientId",
  "acks",
  "compressionType",
  "compressionLevel",
  "partitioner",
  "transactionalId",
  "interceptors",
  "keySerializer",
  "valueSerializer",
  "headerSerializer",
  "logger",
  "signal",
] as const;

/** Every config field name, for typo suggestions. */
export const PRODUCER_CONFIG_FIELDS: readonly string[] = [
  ...Object.keys(INTEGER_FIELDS),
  ...Object.keys(BOOLEAN_FIELDS),
  ...OTHER_FIELDS,
];

const LEVEL_RANGES: Record<string, [number, number]> = {
  gzip: [1, 9],
  lz4: [1, 17],
  zstd: [-131072, 22],
};

/**
 * Fills in defaults and checks every field: `TypeError` for a wrong type or unknown field
 * (with the nearest known name), `RangeError` for a value out of range, naming the field,
 * the value and the allowed range.
 *
 * @example
 * ```ts
 * import { resolveProducerConfig } from "./producer_config.ts";
 * const config = resolveProducerConfig({ bootstrapServers: "127.0.0.1:9092", acks: 1 });
 * if (config.batchSize !== 16384 || config.enableIdempotence) throw new Error();
 * let message = "";
 * try { resolveProducerConfig({ bootstrapServers: "x:1", batchSize: 0 }); } catch (e) { message = (e as Error).message; }
 * if (!message.includes('"batchSize"')) throw new Error(message);
 * ```
 */
export function resolveProducerConfig<K, V>(config: ProducerConfig<K, V>): ResolvedProducerConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError(
      `Invalid producer config: expected an object with at least "bootstrapServers"`,
    );
  }
  for (const key of Object.keys(config)) {
    if (!PRODUCER_CONFIG_FIELDS.includes(key)) {
      throw new TypeError(
        `Unknown producer config field "${key}": did you mean "${
          nearest(key, PRODUCER_CONFIG_FIELDS)
        }"?`,
      );
    }
  }
  const servers = config.bootstrapServers;
  const serverList = typeof servers === "string"
    ? servers.split(",")
    : Array.isArray(servers)
    ? servers
    : undefined;
  if (
    serverList === undefined || serverList.length === 0 ||
    serverList.some((s) => typeof s !== "string" || !/^.+:\d+$/.test(s.trim()))
  ) {
    throw new TypeError(
      `Invalid "bootstrapServers": ${
        JSON.stringify(servers)
      } must be "host:port[,host:port…]" or a list of "host:port"`,
    );
  }
  const integers = {} as Record<keyof typeof INTEGER_FIELDS, number>;
  for (const [name, [fallback, min, max]] of Object.entries(INTEGER_FIELDS)) {
    const value = (config as unknown as Record<string, unknown>)[name];
    if (value === undefined) {
      integers[name as keyof typeof INTEGER_FIELDS] = fallback;
      continue;
    }
    if (typeof value !== "number") {
      throw new TypeError(`Invalid "${name}": ${JSON.stringify(value)} must be a number`);
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `Invalid "${name}": ${value} must be an integer between ${min} and ${max}`,
      );
    }
    integers[name as keyof typeof INTEGER_FIELDS] = value;
  }
  const booleans = {} as Record<keyof typeof BOOLEAN_FIELDS, boolean>;
  for (const [name, fallback] of Object.entries(BOOLEAN_FIELDS)) {
    const value = (config as unknown as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`Invalid "${name}": ${JSON.stringify(value)} must be true or false`);
    }
    booleans[name as keyof typeof BOOLEAN_FIELDS] = value ?? fallback;
  }
  let acks: 0 | 1 | -1;
  const givenAcks = config.acks ?? "all";
  if (givenAcks === "all" || givenAcks === -1) acks = -1;
  else if (givenAcks === 0 || givenAcks === 1) acks = givenAcks;
  else {throw new RangeError(
      `Invalid "acks": ${JSON.stringify(givenAcks)} must be 0, 1, -1 or "all"`,
    );}

  let enableIdempotence = booleans.enableIdempotence;
  if (config.enableIdempotence === true) {
    if (acks !== -1) {
      throw new RangeError(
        `Invalid "acks": ${givenAcks} must be "all" when "enableIdempotence" is true`,
      );
    }
    if (integers.retries === 0) {
      throw new RangeError(`Invalid "retries": 0 must be > 0 when "enableIdempotence" is true`);
    }
    if (integers.maxInFlightRequestsPerConnection > 5) {
      throw new RangeError(
        `Invalid "maxInFlightRequestsPerConnection": ${integers.maxInFlightRequestsPerConnection} must be <= 5 when "enableIdempotence" is true`,
      );
    }
  } else if (
    config.enableIdempotence === undefined &&
    (acks !== -1 || integers.retries === 0 || integers.maxInFlightRequestsPerConnection > 5)
  ) {
    // As Java 3.x: idempotence defaults on, but yields to settings that contradict it.
    enableIdempotence = false;
  }
  if (integers.deliveryTimeoutMs < integers.lingerMs + integers.requestTimeoutMs) {
    throw new RangeError(
      `Invalid "deliveryTimeoutMs": ${integers.deliveryTimeoutMs} must be >= lingerMs + requestTimeoutMs ` +
        `(${integers.lingerMs} + ${integers.requestTimeoutMs})`,
    );
  }
  const compressionType = config.compressionType ?? "none";
  if (!["none", "gzip", "snappy", "lz4", "zstd"].includes(compressionType)) {
    throw new RangeError(
      `Invalid "compressionType": ${
        JSON.stringify(compressionType)
      } must be "none", "gzip", "snappy", "lz4" or "zstd"`,
    );
  }
  const level = config.compressionLevel;
  if (level !== undefined) {
    const range = LEVEL_RANGES[compressionType];
    if (range === undefined) {
      throw new RangeError(`Invalid "compressionLevel": ${compressionType} takes no level`);
    }
    if (!Number.isInteger(level) || level < range[0] || level > range[1]) {
      throw new RangeError(
        `Invalid "compressionLevel": ${level} must be an integer between ${range[0]} and ${
          range[1]
        } for ${compressionType}`,
      );
    }
  }
  if (integers.partitionerAvailabilityTimeoutMs !== 0) {
    throw new RangeError(
      `Invalid "partitionerAvailabilityTimeoutMs": ${integers.partitionerAvailabilityTimeoutMs} is not supported yet: only 0 (off); adaptive partitioning already avoids slow partitions`,
    );
  }
  const partitioner = config.partitioner ?? "default";
  if (partitioner !== "default" && typeof partitioner !== "function") {
    throw new TypeError(
      `Invalid "partitioner": must be "default" or a function (record, partitionCount) => partition`,
    );
  }
  if (config.transactionalId !== undefined) {
    throw new TypeError(
      `Invalid "transactionalId": transactions are not supported yet; remove it (idempotence is on by default)`,
    );
  }
  const clientId = config.clientId ?? "sluice";
  if (typeof clientId !== "string") throw new TypeError(`Invalid "clientId": must be a string`);
  const interceptors = config.interceptors ?? [];
  if (!Array.isArray(interceptors)) {
    throw new TypeError(`Invalid "interceptors": must be an array of interceptor objects`);
  }
  for (const name of ["keySerializer", "valueSerializer", "headerSerializer"] as const) {
    if (config[name] !== undefined && typeof config[name] !== "function") {
      throw new TypeError(
        `Invalid "${name}": must be a function (data, topic) => Uint8Array | null`,
      );
    }
  }
  return {
    bootstrapServers: servers,
    clientId,
    acks,
    ...integers,
    enableIdempotence,
    compressionType,
    compressionLevel: level,
    partitioner,
    partitionerIgnoreKeys: booleans.partitionerIgnoreKeys,
    partitionerAdaptivePartitioning: booleans.partitionerAdaptivePartitioning,
    interceptors,
    keySerializer: config.keySerializer as Serializer<unknown> | undefined,
    valueSerializer: config.valueSerializer as Serializer<unknown> | undefined,
    headerSerializer: config.headerSerializer,
    logger: config.logger ?? silentLogger,
    signal: config.signal,
  };
}

/** The known name closest to `name` (edit distance), for "did you mean" messages. */
export function nearest(name: string, known: readonly string[]): string {
  let best = known[0]!;
  let bestDistance = Infinity;
  const a = name.toLowerCase();
  for (const candidate of known) {
    const b = candidate.toLowerCase();
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    if (row[b.length]! < bestDistance) {
      bestDistance = row[b.length]!;
      best = candidate;
    }
  }
  return best;
}
