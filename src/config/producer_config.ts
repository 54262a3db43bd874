import type { ProducerInterceptor } from "../interceptors/producer_interceptor.ts";
import type { Partitioner } from "../partitioner/partitioner.ts";
import type { Serializer } from "../serializer/serializer.ts";
import { type SslConfig, TlsSettings } from "../connection/tls_settings.ts";
import { type SaslConfig, saslMechanismFrom } from "../sasl/sasl_config.ts";
import type { SaslMechanism } from "../sasl/sasl_mechanism.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import { RECORD_BATCH_OVERHEAD, recordSizeUpperBound } from "../protocol/record_batch.ts";
import { guardLogger, type Logger, silentLogger } from "./logger.ts";

/** Compression codecs (Kafka's `compression.type`). */
export type CompressionType = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/**
 * How connections are secured (Kafka's `security.protocol`): "PLAINTEXT" (neither), "SSL"
 * (TLS), "SASL_PLAINTEXT" (SASL without TLS), "SASL_SSL" (SASL over TLS).
 */
export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

/**
 * Producer settings: Java's names in camelCase, with Java's defaults. Each field names its
 * Java property; `fromJavaProperties()` accepts those names directly. Unknown fields are
 * rejected (a typo such as `lingerMS` must not pass silently).
 *
 * @example
 * ```ts
 * import type { ProducerConfig } from "./producer_config.ts";
 * const config: ProducerConfig = { bootstrapServers: ["127.0.0.1:9092"], lingerMs: 20, compressionType: "zstd" };
 * if (config.lingerMs !== 20) throw new Error();
 * ```
 */
export interface ProducerConfig<K = unknown, V = unknown> {
  /** Brokers to bootstrap from: "host:port,host:port" or a list (`bootstrap.servers`). Required. */
  bootstrapServers: string | readonly string[];
  /** Sent with every request (`client.id`). @default "sluice" */
  clientId?: string | undefined;
  /**
   * How connections are secured (`security.protocol`): "PLAINTEXT", "SSL" (TLS, with `ssl`
   * or the runtime's default roots), "SASL_PLAINTEXT" or "SASL_SSL" (SASL with `sasl`, over
   * TLS for SASL_SSL). "SASL_*" requires `sasl`; `sasl` and `ssl` given with a protocol that
   * does not use them are errors (never ignored: credentials must not go out unencrypted by
   * a typo). @default "PLAINTEXT"
   */
  securityProtocol?: SecurityProtocol | undefined;
  /**
   * SASL authentication (`sasl.mechanism` and `sasl.jaas.config`): `{ mechanism: "PLAIN" |
   * "SCRAM-SHA-256" | "SCRAM-SHA-512", username, password }`, `{ mechanism: "OAUTHBEARER",
   * token: () => Promise<{ value, lifetimeMs, principal?, extensions? }> }`, or any object
   * implementing `SaslMechanism`. Secrets never appear in logs, errors or `producer.config`.
   * @default undefined
   */
  sasl?: SaslConfig | undefined;
  /**
   * TLS settings for "SSL" and "SASL_SSL" (`ssl.truststore.*`, `ssl.keystore.*`,
   * `ssl.key.password`, `ssl.endpoint.identification.algorithm`): `{ ca, cert, key,
   * keyPassword, servername, checkHostname }`, PEM strings or bytes. Hostname verification is
   * on unless `checkHostname: false` (logged as a warning).
   * @default undefined (the runtime's default roots, hostname checked)
   */
  ssl?: SslConfig | undefined;
  /** Acknowledgements to wait for: 0, 1 or "all"/-1 (`acks`). @default "all" */
  acks?: 0 | 1 | -1 | "all" | undefined;
  /** How long a batch waits for more records (`linger.ms`). @default 5 */
  lingerMs?: number | undefined;
  /** Batch size in bytes, uncompressed (`batch.size`). @default 16384 */
  batchSize?: number | undefined;
  /** Bytes of records waiting for the brokers before writers wait (`buffer.memory`). @default 33554432 */
  bufferMemory?: number | undefined;
  /** How long `send()`/writes wait for buffer space or metadata (`max.block.ms`). @default 60000 */
  maxBlockMs?: number | undefined;
  /** How long to wait for a response (`request.timeout.ms`). @default 30000 */
  requestTimeoutMs?: number | undefined;
  /**
   * Upper bound from `send()` to success or failure, retries included (`delivery.timeout.ms`).
   * Must be >= `lingerMs + requestTimeoutMs`; when left unset and the default is smaller than
   * that sum, it becomes the sum (with a warning), as in Java. @default 120000
   */
  deliveryTimeoutMs?: number | undefined;
  /** Retries of retriable failures (`retries`). @default 2147483647 */
  retries?: number | undefined;
  /** First retry backoff (`retry.backoff.ms`). @default 100 */
  retryBackoffMs?: number | undefined;
  /** Largest retry backoff (`retry.backoff.max.ms`). @default 1000 */
  retryBackoffMaxMs?: number | undefined;
  /** Produce requests in flight per broker (`max.in.flight.requests.per.connection`). @default 5 */
  maxInFlightRequestsPerConnection?: number | undefined;
  /**
   * Idempotent delivery: no duplicates from retries, order kept (`enable.idempotence`).
   * Requires acks "all", `retries` > 0 and `maxInFlightRequestsPerConnection` <= 5. Left
   * unset, it yields to settings that contradict it: with acks 0 or 1, `retries: 0` or more
   * than 5 requests in flight it is turned off (as Java 3.x does). Set to true explicitly with
   * such settings, construction fails with a `RangeError`. @default true
   */
  enableIdempotence?: boolean | undefined;
  /**
   * Largest request in bytes (`max.request.size`): the record batches of one request, and so
   * the largest record. At least 81 (a batch header and the smallest record). @default 1048576
   */
  maxRequestSize?: number | undefined;
  /** Refresh metadata at least this often (`metadata.max.age.ms`). @default 300000 */
  metadataMaxAgeMs?: number | undefined;
  /** Forget topics not produced to for this long (`metadata.max.idle.ms`). @default 300000 */
  metadataMaxIdleMs?: number | undefined;
  /**
   * How often `producer.statsStream()` emits a snapshot, in ms; 0 means the stream must be
   * given its own interval (librdkafka's `statistics.interval.ms`). @default 0
   */
  statisticsIntervalMs?: number | undefined;
  /**
   * Close idle connections after this long (`connections.max.idle.ms`). Accepted for
   * compatibility; sluice keeps its (few) broker connections until `close()`. @default 540000
   */
  connectionsMaxIdleMs?: number | undefined;
  /** First reconnect backoff (`reconnect.backoff.ms`). @default 50 */
  reconnectBackoffMs?: number | undefined;
  /** Largest reconnect backoff (`reconnect.backoff.max.ms`). @default 1000 */
  reconnectBackoffMaxMs?: number | undefined;
  /** TCP connect timeout (`socket.connection.setup.timeout.ms`). @default 10000 */
  socketConnectionSetupTimeoutMs?: number | undefined;
  /** Codec for batches (`compression.type`). @default "none" */
  compressionType?: CompressionType | undefined;
  /**
   * Codec level (`compression.gzip.level`, `compression.lz4.level`, `compression.zstd.level`):
   * gzip 1–9, lz4 1–17, zstd -131072..22; not allowed for "none" and "snappy".
   * @default undefined (the codec's own default)
   */
  compressionLevel?: number | undefined;
  /** "default" (murmur2 for keys, KIP-794 sticky otherwise) or a function. @default "default" */
  partitioner?: "default" | Partitioner | undefined;
  /** Ignore keys when partitioning (`partitioner.ignore.keys`). @default false */
  partitionerIgnoreKeys?: boolean | undefined;
  /** Weight sticky partitions by queue length (`partitioner.adaptive.partitioning.enable`). @default true */
  partitionerAdaptivePartitioning?: boolean | undefined;
  /**
   * Skip partitions whose leader is this slow (`partitioner.availability.timeout.ms`). Only 0
   * (off) is supported yet; keyless records already avoid partitions without a leader and,
   * with adaptive partitioning, those with long queues. @default 0
   */
  partitionerAvailabilityTimeoutMs?: number | undefined;
  /**
   * Makes the producer transactional (`transactional.id`): records are sent inside
   * transactions (`initTransactions()`, `beginTransaction()`, `commitTransaction()`, …) that
   * become visible to `read_committed` consumers all at once or never. A producer that starts
   * with the same id fences this one. Needs idempotence (on by default): contradicting settings
   * (acks, retries, more than 5 requests in flight, `enableIdempotence: false`) are refused.
   * @default undefined (no transactions)
   */
  transactionalId?: string | undefined;
  /**
   * How long the transaction coordinator lets a transaction stay open before it aborts it
   * (`transaction.timeout.ms`); at most the broker's `transaction.max.timeout.ms`.
   * @default 60000
   */
  transactionTimeoutMs?: number | undefined;
  /** Interceptors, run in order (`interceptor.classes`). @default [] */
  interceptors?: readonly ProducerInterceptor[] | undefined;
  /** Key serializer (`key.serializer`). @default strings as UTF-8, Uint8Array as is */
  keySerializer?: Serializer<K> | undefined;
  /** Value serializer (`value.serializer`). @default strings as UTF-8, Uint8Array as is */
  valueSerializer?: Serializer<V> | undefined;
  /** Header value serializer (no Java property). @default strings as UTF-8, Uint8Array as is */
  headerSerializer?: Serializer<unknown> | undefined;
  /**
   * Where to log (no Java property). Each call is isolated: a method that throws (or returns
   * a Promise that rejects) loses that one message and nothing else. @default silentLogger
   */
  logger?: Logger | undefined;
  /** Aborts the producer (like `abort()`) when signalled (no Java property). @default undefined */
  signal?: AbortSignal | undefined;
}

/**
 * The config with every default filled in and every value checked: what
 * {@linkcode resolveProducerConfig} returns and the producer runs with.
 *
 * @example
 * ```ts
 * import { resolveProducerConfig, type ResolvedProducerConfig } from "./producer_config.ts";
 * const config: ResolvedProducerConfig = resolveProducerConfig({ bootstrapServers: "127.0.0.1:9092" });
 * if (config.acks !== -1 || config.clientId !== "sluice") throw new Error();
 * ```
 */
export interface ResolvedProducerConfig {
  /** Brokers to bootstrap from, as given. */
  bootstrapServers: string | readonly string[];
  /** Sent in every request header (default "sluice"). */
  clientId: string;
  /** How connections are secured. */
  securityProtocol: SecurityProtocol;
  /**
   * The SASL mechanism (SASL_PLAINTEXT, SASL_SSL), else undefined. Shows mechanism and user
   * only: secrets are in private fields.
   */
  sasl: SaslMechanism | undefined;
  /**
   * The TLS settings (SSL, SASL_SSL), else undefined. The private key is in a private field;
   * `JSON.stringify` shows "[redacted]".
   */
  ssl: TlsSettings | undefined;
  /** Acknowledgements required: 0, 1 or -1 (all). */
  acks: 0 | 1 | -1;
  /** How long a batch that is not full may wait for more records. */
  lingerMs: number;
  /** Uncompressed bytes at which a batch closes. */
  batchSize: number;
  /** Bytes of records that may wait for the brokers before sends block. */
  bufferMemory: number;
  /** How long a send may wait for metadata or buffer space. */
  maxBlockMs: number;
  /** How long a request may wait for its answer. */
  requestTimeoutMs: number;
  /** How long a record may take to be acknowledged, retries included. */
  deliveryTimeoutMs: number;
  /** How often a retriable failure is retried. */
  retries: number;
  /** First wait before a retry. */
  retryBackoffMs: number;
  /** Longest wait before a retry. */
  retryBackoffMaxMs: number;
  /** Requests in flight per broker connection. */
  maxInFlightRequestsPerConnection: number;
  /** Whether the producer has a producer id and sequence numbers. */
  enableIdempotence: boolean;
  /** Largest request (and record) in bytes, as sent. */
  maxRequestSize: number;
  /** Metadata is refreshed at least this often. */
  metadataMaxAgeMs: number;
  /** A topic not produced to for this long leaves the refreshes. */
  metadataMaxIdleMs: number;
  /** Default interval of `statsStream()`; 0: none. */
  statisticsIntervalMs: number;
  /** Accepted for Java parity; not acted on yet. */
  connectionsMaxIdleMs: number;
  /** First wait before reconnecting to a broker. */
  reconnectBackoffMs: number;
  /** Longest wait before reconnecting to a broker. */
  reconnectBackoffMaxMs: number;
  /** How long a TCP connect may take. */
  socketConnectionSetupTimeoutMs: number;
  /** Batch compression codec. */
  compressionType: CompressionType;
  /** Codec level, or undefined for the codec's default. */
  compressionLevel: number | undefined;
  /** The default partitioner or a custom function. */
  partitioner: "default" | Partitioner;
  /** Whether keyed records are partitioned like keyless ones. */
  partitionerIgnoreKeys: boolean;
  /** Whether sticky partitioning favours less loaded partitions. */
  partitionerAdaptivePartitioning: boolean;
  /** Leaders slower than this are skipped (0: off). */
  partitionerAvailabilityTimeoutMs: number;
  /** The transactional id, or undefined for a producer without transactions. */
  transactionalId: string | undefined;
  /** How long a transaction may stay open before the coordinator aborts it. */
  transactionTimeoutMs: number;
  /** Interceptors, in order. */
  interceptors: readonly ProducerInterceptor[];
  /** Key serializer, or undefined for bytes/UTF-8. */
  keySerializer: Serializer<unknown> | undefined;
  /** Value serializer, or undefined for bytes/UTF-8. */
  valueSerializer: Serializer<unknown> | undefined;
  /** Header value serializer, or undefined for bytes/UTF-8. */
  headerSerializer: Serializer<unknown> | undefined;
  /** Where the producer logs (silent by default): the given logger, each call isolated. */
  logger: Logger;
  /** Aborts the producer when it fires. */
  signal: AbortSignal | undefined;
}

const MAX_INT = 2147483647;

/**
 * The smallest `maxRequestSize` with which anything can be sent: the producer refuses a
 * record whose batch (header plus the record's size bound) exceeds it, and the smallest
 * record (null key and value, no headers) is bounded by 36 bytes. The request's own header
 * is not counted against `maxRequestSize` (as in Java, which also measures batches only).
 */
const MIN_REQUEST_SIZE = RECORD_BATCH_OVERHEAD + recordSizeUpperBound(-1, -1, undefined);

/** Why a field's minimum is what it is, added to the range error. */
const MINIMUM_REASONS: Partial<Record<string, string>> = {
  maxRequestSize: `: a record batch header (${RECORD_BATCH_OVERHEAD} bytes) and the smallest ` +
    `record (${MIN_REQUEST_SIZE - RECORD_BATCH_OVERHEAD} bytes at most) must fit`,
};

/** Integer fields: [default, min, max], as Java's ConfigDef validators (tighter where 0 breaks). */
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
  maxRequestSize: [1048576, MIN_REQUEST_SIZE, MAX_INT],
  metadataMaxAgeMs: [300000, 0, MAX_INT],
  metadataMaxIdleMs: [300000, 5000, MAX_INT],
  statisticsIntervalMs: [0, 0, 86_400_000],
  connectionsMaxIdleMs: [540000, -1, MAX_INT],
  reconnectBackoffMs: [50, 0, MAX_INT],
  reconnectBackoffMaxMs: [1000, 0, MAX_INT],
  socketConnectionSetupTimeoutMs: [10000, 1, MAX_INT],
  partitionerAvailabilityTimeoutMs: [0, 0, MAX_INT],
  transactionTimeoutMs: [60000, 1, MAX_INT],
} as const;

type IntegerField = keyof typeof INTEGER_FIELDS;

const BOOLEAN_FIELDS = {
  enableIdempotence: true,
  partitionerIgnoreKeys: false,
  partitionerAdaptivePartitioning: true,
} as const;

type BooleanField = keyof typeof BOOLEAN_FIELDS;

const OTHER_FIELDS = [
  "bootstrapServers",
  "clientId",
  "securityProtocol",
  "sasl",
  "ssl",
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

/**
 * Every `ProducerConfig` field name, for typo suggestions.
 *
 * @example
 * ```ts
 * import { PRODUCER_CONFIG_FIELDS } from "./producer_config.ts";
 * if (!PRODUCER_CONFIG_FIELDS.includes("lingerMs")) throw new Error();
 * ```
 */
export const PRODUCER_CONFIG_FIELDS: readonly string[] = [
  ...Object.keys(INTEGER_FIELDS),
  ...Object.keys(BOOLEAN_FIELDS),
  ...OTHER_FIELDS,
];

const KNOWN_FIELDS = new Set(PRODUCER_CONFIG_FIELDS);
const COMPRESSION_TYPES: readonly string[] = ["none", "gzip", "snappy", "lz4", "zstd"];
const LEVEL_RANGES: Record<string, [number, number]> = {
  gzip: [1, 9],
  lz4: [1, 17],
  zstd: [-131072, 22],
};
const LOGGER_METHODS = ["debug", "info", "warn", "error"] as const;

/**
 * Fills in defaults and checks every field: `TypeError` for a wrong type or an unknown field
 * (with the nearest known name), `RangeError` for a value out of range, naming the field, the
 * value and the allowed range. Adjustments Java makes silently are logged as warnings through
 * the configured logger: defaulted idempotence turned off by contradicting settings, a
 * defaulted `deliveryTimeoutMs` raised to `lingerMs + requestTimeoutMs`, a maximum backoff
 * below its base raised to the base.
 *
 * @param config The user's settings.
 * @returns Every field, checked, with defaults.
 *
 * @example Defaults, and an error naming the field, value and range
 * ```ts
 * import { resolveProducerConfig } from "./producer_config.ts";
 * const config = resolveProducerConfig({ bootstrapServers: "127.0.0.1:9092", acks: 1 });
 * if (config.batchSize !== 16384 || config.enableIdempotence) throw new Error();
 * let message = "";
 * try { resolveProducerConfig({ bootstrapServers: "x:1", batchSize: 0 }); } catch (e) { message = (e as Error).message; }
 * if (message !== 'Invalid "batchSize": 0 must be an integer between 1 and 2147483647') throw new Error(message);
 * ```
 */
export function resolveProducerConfig<K, V>(config: ProducerConfig<K, V>): ResolvedProducerConfig {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(
      `Invalid producer config: ${String(config)} must be an object with "bootstrapServers"`,
    );
  }
  const given = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_FIELDS.has(key)) {
      const suggestion = nearest(key, PRODUCER_CONFIG_FIELDS);
      throw new TypeError(
        `Unknown producer config field "${key}"${
          suggestion === undefined ? "" : `: did you mean "${suggestion}"?`
        }`,
      );
    }
  }
  const givenLogger = config.logger ?? silentLogger;
  if (typeof givenLogger !== "object" || givenLogger === null) {
    throw new TypeError(
      `Invalid "logger": ${
        describe(givenLogger)
      } must be an object with debug, info, warn and error`,
    );
  }
  for (const method of LOGGER_METHODS) {
    if (typeof givenLogger[method] !== "function") {
      throw new TypeError(`Invalid "logger": its "${method}" must be a function`);
    }
  }
  // Every log call from here on is isolated: a logger that throws cannot break the producer.
  const logger = guardLogger(givenLogger);

  const servers = config.bootstrapServers;
  if (servers === undefined) {
    throw new TypeError(`Missing "bootstrapServers": the brokers to connect to, e.g. "host:9092"`);
  }
  const serverList = typeof servers === "string"
    ? servers.split(",")
    : Array.isArray(servers)
    ? servers
    : undefined;
  if (
    serverList === undefined || serverList.length === 0 ||
    serverList.some((s) => typeof s !== "string" || !/^\S+:\d{1,5}$/.test(s.trim()))
  ) {
    throw new TypeError(
      `Invalid "bootstrapServers": ${
        describe(servers)
      } must be "host:port[,host:port…]" or a non-empty list of "host:port"`,
    );
  }

  const integers = {} as Record<IntegerField, number>;
  for (const name of Object.keys(INTEGER_FIELDS) as IntegerField[]) {
    const [fallback, min, max] = INTEGER_FIELDS[name];
    const value = given[name];
    if (value === undefined) {
      integers[name] = fallback;
      continue;
    }
    if (typeof value !== "number") {
      throw new TypeError(`Invalid "${name}": ${describe(value)} must be a number`);
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `Invalid "${name}": ${value} must be an integer between ${min} and ${max}` +
          (MINIMUM_REASONS[name] ?? ""),
      );
    }
    integers[name] = value;
  }
  const booleans = {} as Record<BooleanField, boolean>;
  for (const name of Object.keys(BOOLEAN_FIELDS) as BooleanField[]) {
    const value = given[name];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`Invalid "${name}": ${describe(value)} must be true or false`);
    }
    booleans[name] = value ?? BOOLEAN_FIELDS[name];
  }

  const givenAcks: unknown = config.acks ?? "all";
  let acks: 0 | 1 | -1;
  if (givenAcks === "all" || givenAcks === -1) acks = -1;
  else if (givenAcks === 0 || givenAcks === 1) acks = givenAcks;
  else if (typeof givenAcks !== "number" && typeof givenAcks !== "string") {
    throw new TypeError(`Invalid "acks": ${describe(givenAcks)} must be 0, 1, -1 or "all"`);
  } else {
    throw new RangeError(`Invalid "acks": ${describe(givenAcks)} must be 0, 1, -1 or "all"`);
  }

  let enableIdempotence = booleans.enableIdempotence;
  if (config.enableIdempotence === true) {
    if (acks !== -1) {
      throw new RangeError(
        `Invalid "acks": ${describe(givenAcks)} must be "all" when "enableIdempotence" is true`,
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
    logger.info(
      "Idempotence disabled: acks, retries or maxInFlightRequestsPerConnection conflict",
      {
        acks,
        retries: integers.retries,
        maxInFlightRequestsPerConnection: integers.maxInFlightRequestsPerConnection,
      },
    );
  }

  const lingerAndRequest = integers.lingerMs + integers.requestTimeoutMs;
  if (integers.deliveryTimeoutMs < lingerAndRequest) {
    if (config.deliveryTimeoutMs !== undefined) {
      throw new RangeError(
        `Invalid "deliveryTimeoutMs": ${integers.deliveryTimeoutMs} must be >= lingerMs + requestTimeoutMs ` +
          `(${integers.lingerMs} + ${integers.requestTimeoutMs} = ${lingerAndRequest})`,
      );
    }
    // As Java: only a defaulted delivery timeout is raised; an explicit one is an error above.
    logger.warn("deliveryTimeoutMs raised to lingerMs + requestTimeoutMs", {
      deliveryTimeoutMs: lingerAndRequest,
    });
    integers.deliveryTimeoutMs = Math.min(MAX_INT, lingerAndRequest);
  }
  raiseMaxToBase(integers, "retryBackoffMaxMs", "retryBackoffMs", logger);
  raiseMaxToBase(integers, "reconnectBackoffMaxMs", "reconnectBackoffMs", logger);

  const compressionType = config.compressionType ?? "none";
  if (typeof compressionType !== "string") {
    throw new TypeError(
      `Invalid "compressionType": ${
        describe(compressionType)
      } must be "none", "gzip", "snappy", "lz4" or "zstd"`,
    );
  }
  if (!COMPRESSION_TYPES.includes(compressionType)) {
    throw new RangeError(
      `Invalid "compressionType": "${compressionType}" must be "none", "gzip", "snappy", "lz4" or "zstd"`,
    );
  }
  const level = config.compressionLevel;
  if (level !== undefined) {
    if (typeof level !== "number") {
      throw new TypeError(`Invalid "compressionLevel": ${describe(level)} must be a number`);
    }
    const range = LEVEL_RANGES[compressionType];
    if (range === undefined) {
      throw new RangeError(
        `Invalid "compressionLevel": ${level} is not allowed with compressionType "${compressionType}": only gzip, lz4 and zstd take a level`,
      );
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
      `Invalid "partitioner": ${
        describe(partitioner)
      } must be "default" or a function (record, partitionCount, cluster) => partition`,
    );
  }
  const transactionalId = config.transactionalId;
  if (transactionalId !== undefined) {
    if (typeof transactionalId !== "string") {
      throw new TypeError(
        `Invalid "transactionalId": ${describe(transactionalId)} must be a non-empty string`,
      );
    }
    if (transactionalId === "") {
      throw new RangeError(`Invalid "transactionalId": "" must be a non-empty string`);
    }
    if (!enableIdempotence) {
      // As Java: a transactional producer is idempotent; settings that turn idempotence off
      // cannot go with a transactional id.
      throw new RangeError(
        `Invalid "transactionalId": "${transactionalId}" needs idempotence, which ` +
          (config.enableIdempotence === false
            ? `"enableIdempotence": false turns off`
            : `acks ${describe(givenAcks)}, retries ${integers.retries} or ` +
              `maxInFlightRequestsPerConnection ${integers.maxInFlightRequestsPerConnection} turn off`) +
          `: use acks "all", retries > 0 and at most 5 requests in flight`,
      );
    }
  }
  const clientId = config.clientId ?? "sluice";
  if (typeof clientId !== "string") {
    throw new TypeError(`Invalid "clientId": ${describe(clientId)} must be a string`);
  }
  const security = resolveSecurity(config as ProducerConfig<unknown, unknown>, logger);
  const interceptors = config.interceptors ?? [];
  if (!Array.isArray(interceptors)) {
    throw new TypeError(
      `Invalid "interceptors": ${describe(interceptors)} must be an array of interceptor objects`,
    );
  }
  for (let i = 0; i < interceptors.length; i++) {
    const interceptor: unknown = interceptors[i];
    if (typeof interceptor !== "object" || interceptor === null) {
      throw new TypeError(
        `Invalid "interceptors": entry ${i} is ${
          describe(interceptor)
        }, not an object with onSend, onAcknowledgement or close`,
      );
    }
  }
  for (const name of ["keySerializer", "valueSerializer", "headerSerializer"] as const) {
    if (config[name] !== undefined && typeof config[name] !== "function") {
      throw new TypeError(
        `Invalid "${name}": ${
          describe(config[name])
        } must be a function (data, topic) => Uint8Array | null`,
      );
    }
  }
  const signal = config.signal;
  if (
    signal !== undefined &&
    (typeof signal !== "object" || signal === null || typeof signal.aborted !== "boolean" ||
      typeof signal.addEventListener !== "function")
  ) {
    throw new TypeError(`Invalid "signal": ${describe(signal)} must be an AbortSignal`);
  }
  return {
    bootstrapServers: servers,
    clientId,
    securityProtocol: security.securityProtocol,
    sasl: security.sasl,
    ssl: security.ssl,
    acks,
    lingerMs: integers.lingerMs,
    batchSize: integers.batchSize,
    bufferMemory: integers.bufferMemory,
    maxBlockMs: integers.maxBlockMs,
    requestTimeoutMs: integers.requestTimeoutMs,
    deliveryTimeoutMs: integers.deliveryTimeoutMs,
    retries: integers.retries,
    retryBackoffMs: integers.retryBackoffMs,
    retryBackoffMaxMs: integers.retryBackoffMaxMs,
    maxInFlightRequestsPerConnection: integers.maxInFlightRequestsPerConnection,
    enableIdempotence,
    maxRequestSize: integers.maxRequestSize,
    metadataMaxAgeMs: integers.metadataMaxAgeMs,
    metadataMaxIdleMs: integers.metadataMaxIdleMs,
    statisticsIntervalMs: integers.statisticsIntervalMs,
    connectionsMaxIdleMs: integers.connectionsMaxIdleMs,
    reconnectBackoffMs: integers.reconnectBackoffMs,
    reconnectBackoffMaxMs: integers.reconnectBackoffMaxMs,
    socketConnectionSetupTimeoutMs: integers.socketConnectionSetupTimeoutMs,
    compressionType: compressionType as CompressionType,
    compressionLevel: level,
    partitioner,
    partitionerIgnoreKeys: booleans.partitionerIgnoreKeys,
    partitionerAdaptivePartitioning: booleans.partitionerAdaptivePartitioning,
    partitionerAvailabilityTimeoutMs: integers.partitionerAvailabilityTimeoutMs,
    transactionalId,
    transactionTimeoutMs: integers.transactionTimeoutMs,
    interceptors,
    keySerializer: config.keySerializer as Serializer<unknown> | undefined,
    valueSerializer: config.valueSerializer as Serializer<unknown> | undefined,
    headerSerializer: config.headerSerializer,
    logger,
    signal,
  };
}

const SECURITY_PROTOCOLS: readonly string[] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/**
 * `securityProtocol`, `sasl` and `ssl` checked together. Messages name fields, never the
 * values of `sasl` or `ssl` (they hold secrets).
 */
function resolveSecurity(
  config: ProducerConfig<unknown, unknown>,
  logger: Logger,
): {
  securityProtocol: SecurityProtocol;
  sasl: SaslMechanism | undefined;
  ssl: TlsSettings | undefined;
} {
  const protocol = config.securityProtocol ?? "PLAINTEXT";
  if (typeof protocol !== "string" || !SECURITY_PROTOCOLS.includes(protocol)) {
    throw new RangeError(
      `Invalid "securityProtocol": ${
        describe(protocol)
      } must be "PLAINTEXT", "SSL", "SASL_PLAINTEXT" or "SASL_SSL"`,
    );
  }
  const usesSasl = protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL";
  const usesTls = protocol === "SSL" || protocol === "SASL_SSL";
  if (config.sasl !== undefined && !usesSasl) {
    throw new TypeError(
      `Invalid "sasl": securityProtocol is "${protocol}", which does not authenticate with SASL; ` +
        `set securityProtocol to "SASL_SSL" (or "SASL_PLAINTEXT") or remove "sasl"`,
    );
  }
  if (config.sasl === undefined && usesSasl) {
    throw new TypeError(
      `Missing "sasl": securityProtocol "${protocol}" needs a mechanism and credentials, e.g. ` +
        `{ mechanism: "SCRAM-SHA-512", username, password }`,
    );
  }
  if (config.ssl !== undefined && !usesTls) {
    throw new TypeError(
      `Invalid "ssl": securityProtocol is "${protocol}", which does not use TLS; set ` +
        `securityProtocol to "SSL" or "SASL_SSL" or remove "ssl"`,
    );
  }
  const sasl = usesSasl ? saslMechanismFrom(config.sasl!) : undefined;
  const ssl = usesTls ? TlsSettings.from(config.ssl ?? {}) : undefined;
  if (ssl !== undefined && !ssl.checkHostname) {
    logger.warn(
      "TLS hostname verification is off (ssl.checkHostname false): any broker certificate " +
        "signed by a trusted CA is accepted, whatever host it names",
      {},
    );
  }
  return { securityProtocol: protocol as SecurityProtocol, sasl, ssl };
}

/** A maximum backoff below its base makes the backoff constant at the base (Java warns too). */
function raiseMaxToBase(
  integers: Record<IntegerField, number>,
  max: IntegerField,
  base: IntegerField,
  logger: Logger,
): void {
  if (integers[max] < integers[base]) {
    logger.warn(`${max} raised to ${base}: the backoff will not grow`, {
      [max]: integers[max],
      [base]: integers[base],
    });
    integers[max] = integers[base];
  }
}

/** A value for an error message: strings quoted, objects as JSON where possible. */
function describe(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value) ?? describeThrown(value);
    } catch {
      return describeThrown(value);
    }
  }
  return String(value);
}

/**
 * The known name closest to `name` by case-insensitive edit distance, for "did you mean"
 * messages; undefined when nothing is close (more than a third of the name would change).
 *
 * @param name The unknown name.
 * @param known The valid names.
 * @returns The suggestion, if any.
 *
 * @example
 * ```ts
 * import { nearest } from "./producer_config.ts";
 * if (nearest("lingerMS", ["lingerMs", "batchSize"]) !== "lingerMs") throw new Error();
 * if (nearest("colour", ["lingerMs", "batchSize"]) !== undefined) throw new Error();
 * ```
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const a = name.toLowerCase();
  const row: number[] = [];
  for (const candidate of known) {
    const b = candidate.toLowerCase();
    for (let j = 0; j <= b.length; j++) row[j] = j;
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
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
