import { TimeoutError } from "../errors/client_errors.ts";

/** A writer waiting for bytes. Waiters are served strictly in arrival order. */
interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The producer's `bufferMemory`: a byte budget shared by every record that is queued in the
 * accumulator or in flight to a broker. A record reserves its encoded size before it is
 * appended and the bytes come back when its batch completes (acknowledged or failed).
 *
 * Invariant: `used <= total` at all times. Waiters are served first come, first served, so a
 * large record is not starved by a stream of small ones.
 *
 * @example Reserve and release
 * ```ts
 * import { BufferBudget } from "./buffer_budget.ts";
 * const budget = new BufferBudget(100);
 * if (!budget.tryReserve(60) || budget.tryReserve(60)) throw new Error("budget not enforced");
 * budget.release(60);
 * if (budget.available !== 100) throw new Error("bytes not returned");
 * ```
 */
export class BufferBudget {
  readonly #total: number;
  #used = 0;
  #waiters: Waiter[] = [];
  #waiterHead = 0;

  /** @param total The budget in bytes (`bufferMemory`). */
  constructor(total: number) {
    this.#total = total;
  }

  /** The budget in bytes. */
  get total(): number {
    return this.#total;
  }

  /** Bytes reserved right now. */
  get used(): number {
    return this.#used;
  }

  /** Bytes free right now. */
  get available(): number {
    return this.#total - this.#used;
  }

  /** How many writers are waiting for bytes. */
  get waiting(): number {
    return this.#waiters.length - this.#waiterHead;
  }

  /**
   * Reserves `bytes` when they are free and nobody is waiting ahead.
   *
   * @returns True when the bytes were reserved.
   */
  tryReserve(bytes: number): boolean {
    if (this.#waiterHead < this.#waiters.length) return false;
    if (this.#used + bytes > this.#total) return false;
    this.#used += bytes;
    return true;
  }

  /**
   * Reserves `bytes`, waiting up to `maxBlockMs` for other records to complete.
   *
   * @param bytes How many bytes (must be <= total; the caller checks and reports that case).
   * @param maxBlockMs How long to wait before rejecting with a `TimeoutError`.
   * @param signal Aborts the wait.
   */
  reserve(bytes: number, maxBlockMs: number, signal?: AbortSignal): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#remove(waiter);
        reject(
          new TimeoutError(
            `Cannot reserve ${bytes} bytes of bufferMemory within maxBlockMs (${maxBlockMs} ms): ` +
              `${this.available} of ${this.#total} bytes are free; the brokers are not keeping up ` +
              `(raise bufferMemory or maxBlockMs, or slow the writer down)`,
            "MAX_BLOCK_TIMEOUT",
          ),
        );
      }, maxBlockMs);
      if (signal) {
        signal.addEventListener("abort", () => {
          if (this.#remove(waiter)) reject(signal.reason);
        }, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /** Returns `bytes` to the budget and wakes the waiters that now fit, in order. */
  release(bytes: number): void {
    this.#used -= bytes;
    if (this.#used < 0) {
      throw new Error(`BufferBudget released more than it reserved: ${this.#used}`);
    }
    while (this.#waiterHead < this.#waiters.length) {
      const waiter = this.#waiters[this.#waiterHead]!;
      if (this.#used + waiter.bytes > this.#total) break;
      this.#used += waiter.bytes;
      this.#waiterHead++;
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.#compact();
  }

  /** Rejects every waiter with `reason` (the producer is closing or aborting). */
  rejectWaiters(reason: unknown): void {
    const waiters = this.#waiters.slice(this.#waiterHead);
    this.#waiters = [];
    this.#waiterHead = 0;
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
  }

  #remove(waiter: Waiter): boolean {
    const index = this.#waiters.indexOf(waiter, this.#waiterHead);
    if (index < 0) return false;
    clearTimeout(waiter.timer);
    this.#waiters.splice(index, 1);
    // A waiter behind the removed one may fit now.
    this.release(0);
    return true;
  }

  #compact(): void {
    if (this.#waiterHead > 64 && this.#waiterHead * 2 > this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#waiterHead);
      this.#waiterHead = 0;
    }
  }
}
