/**
 * sluice: a Kafka producer for Deno, Bun and Node. The producer is a `WritableStream` whose
 * backpressure is the `bufferMemory` byte budget; `send()` returns a promise per record.
 *
 * @example Produce with send()
 * ```ts
 * import { Producer } from "@sluice/kafka";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * const { partition, offset } = await producer.send({ topic: "events", key: "k", value: "v" });
 * await producer.close();
 * ```
 *
 * @module
 */
export { Producer } from "./src/producer/producer.ts";
export type { CloseOptions, ProducerChunk, ProducerStages } from "./src/producer/producer.ts";
export type { ProducerTransaction } from "./src/producer/producer_transaction.ts";
export type { TransactionalWritableOptions } from "./src/producer/transactional_writable.ts";
export type {
  TransactionGroupMetadata,
  TransactionOffset,
} from "./src/transaction/transaction_offsets.ts";
export type {
  CompressionType,
  ProducerConfig,
  ResolvedProducerConfig,
  SecurityProtocol,
} from "./src/config/producer_config.ts";
export type { Pem, SslConfig } from "./src/connection/tls_settings.ts";
export { TlsSettings } from "./src/connection/tls_settings.ts";
export type {
  SaslConfig,
  SaslOAuthBearerConfig,
  SaslPasswordConfig,
} from "./src/sasl/sasl_config.ts";
export type { SaslExchange, SaslMechanism, SaslTarget } from "./src/sasl/sasl_mechanism.ts";
export type { OAuthBearerToken } from "./src/sasl/oauthbearer_mechanism.ts";
export { resolveProducerConfig } from "./src/config/producer_config.ts";
export { fromJavaProperties } from "./src/config/java_properties.ts";
export type { Logger, LogLevel } from "./src/config/logger.ts";
export { consoleLogger, type ConsoleLoggerOptions, silentLogger } from "./src/config/logger.ts";
export type { HeaderValue, ProducerRecord } from "./src/record/producer_record.ts";
export type { RecordMetadata } from "./src/record/record_metadata.ts";
export type { SerializedRecord } from "./src/record/serialized_record.ts";
export type { RecordHeader } from "./src/protocol/record_batch.ts";
export type { DeliveryReport } from "./src/delivery/delivery_report.ts";
export type { ProducerStats } from "./src/delivery/producer_stats.ts";
export type { Serializer } from "./src/serializer/serializer.ts";
export { bytesSerializer, jsonSerializer, stringSerializer } from "./src/serializer/serializer.ts";
export type { ProducerInterceptor } from "./src/interceptors/producer_interceptor.ts";
export type { Partitioner, PartitionerClusterView } from "./src/partitioner/partitioner.ts";
export { murmur2, toPositive } from "./src/partitioner/murmur2.ts";
export { KafkaError } from "./src/errors/kafka_error.ts";
export type { KafkaErrorOptions } from "./src/errors/kafka_error.ts";
export { BrokerError } from "./src/errors/broker_error.ts";
export { AuthenticationError, TlsError } from "./src/errors/security_errors.ts";
export {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "./src/errors/transaction_errors.ts";
export type { TlsErrorCode } from "./src/errors/security_errors.ts";
export {
  ConnectionError,
  ProducerClosedError,
  ProtocolError,
  RecordError,
  TimeoutError,
} from "./src/errors/client_errors.ts";
export { LineStream } from "./src/streams/line_stream.ts";
export { ByteLineStream } from "./src/streams/byte_line_stream.ts";
export type { ByteLineStreamOptions } from "./src/streams/byte_line_stream.ts";
export type { LineStreamOptions } from "./src/streams/line_stream.ts";
export { NdjsonParseError, NdjsonStream } from "./src/streams/ndjson_stream.ts";
export { LengthPrefixedStream } from "./src/streams/length_prefixed_stream.ts";
export type { LengthPrefixedStreamOptions } from "./src/streams/length_prefixed_stream.ts";
export { ToRecordsStream } from "./src/streams/to_records_stream.ts";
export type { ToRecordsOptions } from "./src/streams/to_records_stream.ts";
export type { Codec, CodecName } from "./src/compression/codec.ts";
export { loadCodec } from "./src/compression/codec_registry.ts";
