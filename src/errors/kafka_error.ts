/** Options shared by every sluice error. */
export interface KafkaErrorOptions {
  /** A stable, machine-readable code: a broker error name or a client code such as "TIMEOUT". */
  code: string;
  /** True when retrying the same operation later may succeed. */
  retriable?: boolean;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The base class of every error sluice raises for a Kafka-level failure. Check the concrete
 * subclass with `instanceof`, or read `code` and `retriable`.
 *
 * @example Tell retriable failures apart
 * ```ts
 * import { KafkaError } from "./kafka_error.ts";
 * const error = new KafkaError("Broker 1 is unreachable", { code: "CONNECTION", retriable: true });
 * if (!(error instanceof Error) || !error.retriable || error.code !== "CONNECTION") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export class KafkaError extends Error {
  /** A stable, machine-readable code. */
  readonly code: string;
  /** True when retrying the same operation later may succeed. */
  readonly retriable: boolean;

  /**
   * Creates the error.
   *
   * @param message What went wrong and, where possible, what to do about it.
   * @param options The code, whether it is retriable, and the cause.
   */
  constructor(message: string, options: KafkaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
  }
}
