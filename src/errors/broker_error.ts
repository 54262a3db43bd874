import { errorCodeInfo } from "./error_codes.ts";
import { KafkaError } from "./kafka_error.ts";

/**
 * An error code returned by a broker (see Kafka's error table). `code` is the error's name
 * (e.g. "NOT_LEADER_OR_FOLLOWER"), `errorCode` its number, `retriable` follows Java's client.
 *
 * @example Build one from a response's error code
 * ```ts
 * import { BrokerError } from "./broker_error.ts";
 * const error = BrokerError.fromCode(7, "timed out waiting for replicas");
 * if (error.code !== "REQUEST_TIMED_OUT" || !error.retriable || error.errorCode !== 7) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export class BrokerError extends KafkaError {
  /** The numeric Kafka error code. */
  readonly errorCode: number;
  /** The broker's own error message, when the response carried one. */
  readonly brokerMessage: string | undefined;

  /**
   * Creates the error.
   *
   * @param errorCode The numeric Kafka error code (never 0).
   * @param message The full message.
   * @param brokerMessage The broker's own message, if any.
   */
  constructor(errorCode: number, message: string, brokerMessage?: string | null) {
    const info = errorCodeInfo(errorCode);
    super(message, { code: info.name, retriable: info.retriable });
    this.errorCode = errorCode;
    this.brokerMessage = brokerMessage ?? undefined;
  }

  /**
   * Creates the error for a response's error code, with Kafka's description of it.
   *
   * @param errorCode The numeric error code from the response.
   * @param brokerMessage The broker's message, when the response has one.
   * @param context Where it happened, e.g. "Produce to events-3 on broker 2".
   */
  static fromCode(errorCode: number, brokerMessage?: string | null, context?: string): BrokerError {
    const info = errorCodeInfo(errorCode);
    const detail = brokerMessage ? `: ${brokerMessage}` : "";
    const where = context ? `${context} failed with ` : "";
    return new BrokerError(
      errorCode,
      `${where}${info.name} (${errorCode}): ${info.message}${detail}`,
      brokerMessage,
    );
  }
}
