import type { Logger } from "../config/logger.ts";
import type { ProducerRecord } from "../record/producer_record.ts";
import type { RecordMetadata } from "../record/record_metadata.ts";
import type { ProducerInterceptor } from "./producer_interceptor.ts";

/**
 * Runs the configured interceptors in order, isolating each: an interceptor that throws is
 * logged (with its index) and skipped for that record, as Java's ProducerInterceptors does;
 * it never fails the send or kills the producer.
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
   * @param logger Where interceptor failures are reported.
   */
  constructor(interceptors: readonly ProducerInterceptor[], logger: Logger) {
    this.#interceptors = interceptors;
    this.#logger = logger;
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
   */
  onSend(record: ProducerRecord): ProducerRecord {
    for (let i = 0; i < this.#interceptors.length; i++) {
      const interceptor = this.#interceptors[i]!;
      if (interceptor.onSend === undefined) continue;
      try {
        const next = interceptor.onSend(record);
        if (next === undefined) continue;
        if (typeof next !== "object" || next === null) {
          this.#logger.warn("Interceptor onSend returned no record; record passed on unchanged", {
            interceptor: i,
            returned: String(next),
          });
          continue;
        }
        record = next;
      } catch (error) {
        this.#logger.warn("Interceptor onSend threw; record passed on unchanged", {
          interceptor: i,
          error: String(error),
        });
      }
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
      if (interceptor.onAcknowledgement === undefined) continue;
      try {
        interceptor.onAcknowledgement(metadata, error, record);
      } catch (caught) {
        this.#logger.warn("Interceptor onAcknowledgement threw", {
          interceptor: i,
          error: String(caught),
        });
      }
    }
  }

  /** Calls every `close`, isolating failures. */
  close(): void {
    for (let i = 0; i < this.#interceptors.length; i++) {
      try {
        this.#interceptors[i]!.close?.();
      } catch (error) {
        this.#logger.warn("Interceptor close threw", { interceptor: i, error: String(error) });
      }
    }
  }
}
