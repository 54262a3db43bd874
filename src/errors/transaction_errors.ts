import { KafkaError } from "./kafka_error.ts";

/**
 * A transactional method called at the wrong time: `send()` outside a transaction,
 * `commitTransaction()` without `beginTransaction()`, a second `beginTransaction()`, a
 * transactional method on a producer without `transactionalId`, or before
 * `initTransactions()`. Thrown before anything is sent; the producer's state is unchanged, so
 * the caller can fix the sequence of calls (Java's `IllegalStateException`). A `TypeError`, as
 * other programming errors are; `code` is "INVALID_TRANSACTION_STATE".
 *
 * @example
 * ```ts
 * import { TransactionStateError } from "./transaction_errors.ts";
 * const error = new TransactionStateError("Cannot commit: no transaction is open; call beginTransaction() first");
 * if (!(error instanceof TypeError) || error.code !== "INVALID_TRANSACTION_STATE") throw new Error();
 * ```
 */
export class TransactionStateError extends TypeError {
  /** Always "INVALID_TRANSACTION_STATE". */
  readonly code = "INVALID_TRANSACTION_STATE";
  /** Never retriable: the calls must change. */
  readonly retriable = false;

  /**
   * Creates the error.
   *
   * @param message What was called in which state, and what to call instead.
   */
  constructor(message: string) {
    super(message);
    this.name = "TransactionStateError";
  }
}

/**
 * Another producer with the same `transactionalId` took over (it called `initTransactions()`,
 * which bumped the epoch): this one is fenced for good (PRODUCER_FENCED, or
 * INVALID_PRODUCER_EPOCH from an older coordinator). Every pending record fails with it, and so
 * does every later call: the producer can only be closed. Nothing it sends from now on becomes
 * visible to `read_committed` consumers.
 *
 * @example
 * ```ts
 * import { ProducerFencedError } from "./transaction_errors.ts";
 * const error = new ProducerFencedError("tx-1");
 * if (error.code !== "PRODUCER_FENCED" || error.retriable || !error.message.includes('"tx-1"')) throw new Error();
 * ```
 */
export class ProducerFencedError extends KafkaError {
  /** The fenced producer's transactional id. */
  readonly transactionalId: string;

  /**
   * Creates the error.
   *
   * @param transactionalId The fenced producer's transactional id.
   * @param options The broker's answer as the cause.
   */
  constructor(transactionalId: string, options: { cause?: unknown } = {}) {
    super(
      `The producer with transactionalId "${transactionalId}" was fenced: another producer ` +
        `with the same transactionalId took over (it called initTransactions()); this producer ` +
        `can only be closed`,
      { code: "PRODUCER_FENCED", retriable: false, cause: options.cause },
    );
    this.transactionalId = transactionalId;
  }
}

/**
 * The open transaction cannot commit: a record of it failed, the broker answered
 * TRANSACTION_ABORTABLE, or the coordinator aborted it after `transactionTimeoutMs`. Call
 * `abortTransaction()` and then go on with a new transaction (nothing of this one becomes
 * visible). `cause` is the underlying error.
 *
 * @example
 * ```ts
 * import { TransactionAbortableError } from "./transaction_errors.ts";
 * const error = new TransactionAbortableError("Cannot commit", { cause: new Error("timeout") });
 * if (error.code !== "TRANSACTION_ABORTABLE" || error.retriable) throw new Error();
 * ```
 */
export class TransactionAbortableError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What failed; the class says what to do (abort, then go on).
   * @param options The underlying error.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "TRANSACTION_ABORTABLE", retriable: false, cause: options.cause });
  }
}

/**
 * A record was not sent because its transaction was aborted first (Java's
 * `TransactionAbortedException`): nothing of it becomes visible to `read_committed` consumers.
 *
 * @example
 * ```ts
 * import { TransactionAbortedError } from "./transaction_errors.ts";
 * const error = new TransactionAbortedError("The transaction was aborted before this record was sent");
 * if (error.code !== "TRANSACTION_ABORTED") throw new Error();
 * ```
 */
export class TransactionAbortedError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message Why the record's transaction ended.
   * @param options The error that made it abort, if any.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: "TRANSACTION_ABORTED", retriable: false, cause: options.cause });
  }
}
