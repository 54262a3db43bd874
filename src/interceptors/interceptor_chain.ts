import { guardLogger, type Logger } from "../config/logger.ts";
import { callUserCode, handleIfThenable, UserCodeFailure } from "../errors/call_user_code.ts";
import { describeThrown } from "../errors/describe_thrown.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";
import type { ProducerInterceptor } from "./producer_interceptor.ts";

/**
 * Runs the configured interceptors in order, isolating each: an interceptor that throws
 * (anything at all) is logged (with its index) and skipped for that record, as Java's
 * ProducerInterceptors does; it never fails the send or kills the producer. Every call goes
 * through `callUserCode` and every log line through a guarded logger, so nothing here throws,
 * except for one programming error: an `onSend` that returns a Promise (interceptors must be
 * synchronous) fails that record with a `TypeError`.
 *
 * @example
 * ```ts
 * import { InterceptorChain } from "./interceptor_chain.ts";
 * import { silentLogger } from "../config/logger.ts";
 * const chain = new InterceptorChain([{ onSend: () => { throw new Error("boom"); } }, { onSend: (r) => ({ ...r, value: "x" }) }], silentLogger);
 * if (chain.onSend({ topic: "t", value: "v" }).value !== "x") throw new Error();
 * ```
 */
export class InterceptorChain {
  readonly #interceptors: readonly ProducerInterceptor[];
  readonly #logger: Logger;

  /**
   * @param interceptors In the order they run.
   * @param logger Where interceptor failures are reported (guarded here: it may throw).
   */
  constructor(interceptors: readonly ProducerInterceptor[], logger: Logger) {
    this.#interceptors = interceptors;
    this.#logger = guardLogger(logger);
  }

  /** True when there is nothing to run (the producer then skips the chain entirely). */
  get isEmpty(): boolean {
    return this.#interceptors.length === 0;
  }

  /**
   * Passes the record through every `onSend`, in order; each sees the previous one's result.
   *
   * @param record The record given to `send()`.
   * @returns The record to serialize (the same object when no interceptor replaced it).
   * @throws {TypeError} When an `onSend` returns a Promise: interceptors must be synchronous.
   */
  onSend(record: ProducerRecord): ProducerRecord {
    for (let i = 0; i < this.#interceptors.length; i++) {
      const interceptor = this.#interceptors[i]!;
      const onSend = interceptor.onSend;
      if (onSend === undefined) continue;
      const next = callUserCode(onSend, interceptor, record);
      if (next instanceof UserCodeFailure) {
        this.#logger.warn("Interceptor onSend threw; record passed on unchanged", {
          interceptor: i,
          error: next.description,
        });
        continue;
      }
      if (next === undefined) continue;
      if (handleIfThenable(next, (reason) => this.#rejected("onSend", i, reason))) {
        throw new TypeError(
          `Invalid interceptor ${i}: its onSend returned a Promise; interceptors must be synchronous (return the record, or nothing to keep it)`,
        );
      }
      if (typeof next !== "object" || next === null) {
        this.#logger.warn("Interceptor onSend returned no record; record passed on unchanged", {
          interceptor: i,
          returned: describeThrown(next),
        });
        continue;
      }
      record = next;
    }
    return record;
  }

  /**
   * Reports an outcome to every `onAcknowledgement`: called once per record, for success and
   * failure alike. Never throws.
   *
   * @param metadata Where the record was written, or undefined when it failed.
   * @param error Why it failed, or undefined on success.
   * @param record The record as the interceptors returned it from `onSend`.
   */
  onAcknowledgement(
    metadata: RecordMetadata | undefined,
    error: Error | undefined,
    record: ProducerRecord,
  ): void {
    for (let i = 0; i < this.#interceptors.length; i++) {
      const interceptor = this.#interceptors[i]!;
      const onAcknowledgement = interceptor.onAcknowledgement;
      if (onAcknowledgement === undefined) continue;
      const result = callUserCode(onAcknowledgement, interceptor, metadata, error, record);
      if (result instanceof UserCodeFailure) {
        this.#logger.warn("Interceptor onAcknowledgement threw", {
          interceptor: i,
          error: result.description,
        });
      } else {
        handleIfThenable(result, (reason) => this.#rejected("onAcknowledgement", i, reason));
      }
    }
  }

  /** Calls every `close`, isolating failures. Never throws. */
  close(): void {
    for (let i = 0; i < this.#interceptors.length; i++) {
      const interceptor = this.#interceptors[i]!;
      const close = interceptor.close;
      if (close === undefined) continue;
      const result = callUserCode(close, interceptor);
      if (result instanceof UserCodeFailure) {
        this.#logger.warn("Interceptor close threw", { interceptor: i, error: result.description });
      } else {
        handleIfThenable(result, (reason) => this.#rejected("close", i, reason));
      }
    }
  }

  #rejected(method: string, interceptor: number, reason: string): void {
    this.#logger.warn(`Interceptor ${method} returned a Promise that rejected`, {
      interceptor,
      error: reason,
    });
  }
}
