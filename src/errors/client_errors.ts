import { describeThrown } from "./describe_thrown.ts";
import { KafkaError } from "./kafka_error.ts";

/**
 * An operation ran out of time: a request (`requestTimeoutMs`), a delivery
 * (`deliveryTimeoutMs`), or a wait for buffer space or metadata (`maxBlockMs`).
 * `code` is "REQUEST_TIMEOUT", "DELIVERY_TIMEOUT" or "MAX_BLOCK_TIMEOUT".
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./client_errors.ts";
 * const error = new TimeoutError("Delivery timed out after 120000 ms", "DELIVERY_TIMEOUT");
 * if (!(error instanceof TimeoutError) || error.code !== "DELIVERY_TIMEOUT") throw new Error();
 * ```
 */
export class TimeoutError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What timed out and after how long.
   * @param code Which timeout.
   * @param retriable Request timeouts are retriable; delivery and max-block timeouts are final.
   */
  constructor(
    message: string,
    code: "REQUEST_TIMEOUT" | "DELIVERY_TIMEOUT" | "MAX_BLOCK_TIMEOUT",
    retriable = code === "REQUEST_TIMEOUT",
    cause?: unknown,
  ) {
    super(message, { code, retriable, cause });
  }
}

/**
 * A connection to a broker could not be made or was lost; requests on it are rejected with
 * this error. Retriable: the producer reconnects with backoff.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "./client_errors.ts";
 * const error = new ConnectionError("Connection to 127.0.0.1:9092 closed", { cause: new Error("EOF") });
 * if (!error.retriable || error.code !== "CONNECTION") throw new Error();
 * ```
 */
export class ConnectionError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What failed, naming the broker address.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "CONNECTION", retriable: true, cause: options.cause });
  }
}

/**
 * Bytes from a broker could not be decoded (truncated or malformed), or the broker does not
 * support what the client needs. Not retriable on the same connection.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "./client_errors.ts";
 * const error = new ProtocolError("Cannot read int32 at offset 10: only 2 bytes remain");
 * if (error.code !== "PROTOCOL" || error.retriable) throw new Error();
 * ```
 */
export class ProtocolError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What could not be decoded, and where.
   */
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? "PROTOCOL", retriable: false, cause: options.cause });
  }
}

/**
 * The producer was closed or aborted before the record could be sent.
 *
 * @example
 * ```ts
 * import { ProducerClosedError } from "./client_errors.ts";
 * const error = new ProducerClosedError("Cannot send: the producer is closed");
 * if (error.code !== "PRODUCER_CLOSED") throw new Error();
 * ```
 */
export class ProducerClosedError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message Why the record was not sent.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "PRODUCER_CLOSED", retriable: false, cause: options.cause });
  }
}

/**
 * A record could not be serialized, or is larger than `maxRequestSize` / `bufferMemory`.
 * `code` is "SERIALIZATION" or "RECORD_TOO_LARGE". Never retriable: the record must change.
 *
 * @example
 * ```ts
 * import { RecordError } from "./client_errors.ts";
 * const error = new RecordError("Cannot send record: it is 2000000 bytes, the limit is 1048576", "RECORD_TOO_LARGE");
 * if (error.retriable) throw new Error();
 * ```
 */
export class RecordError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What is wrong with the record and what to do.
   * @param code Which problem.
   */
  constructor(
    message: string,
    code: "SERIALIZATION" | "RECORD_TOO_LARGE",
    options: { cause?: unknown } = {},
  ) {
    super(message, { code, retriable: false, cause: options.cause });
  }
}

/**
 * A failure as a `KafkaError`: a `KafkaError` as it is; anything else (a runtime's socket
 * error, say) becomes a retriable `ConnectionError` with it as the cause.
 *
 * @param error What was thrown.
 * @returns The error to report and decide on.
 *
 * @example
 * ```ts
 * import { ConnectionError, toKafkaError } from "./client_errors.ts";
 * if (!(toKafkaError(new Error("ECONNRESET")) instanceof ConnectionError)) throw new Error();
 * ```
 */
export function toKafkaError(error: unknown): KafkaError {
  if (error instanceof KafkaError) return error;
  return new ConnectionError(error instanceof Error ? error.message : describeThrown(error), {
    cause: error,
  });
}
