/** The transactional calls the CLI makes (a `Producer` provides them). */
export interface TransactionalProducer {
  beginTransaction(): void;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
}

/**
 * `sluice-produce -X transactional.id=ID`: stdin's lines in transactions of `recordsPer`
 * records. A transaction opens before its first record, commits once it holds `recordsPer`
 * records (the next line waits for the commit), and the last one commits at EOF (`finish()`);
 * on an error or a signal the open one aborts (`abort()`), so nothing of it becomes visible to
 * `read_committed` consumers.
 *
 * @example Two records per transaction
 * ```ts
 * import { CliTransactions } from "./cli_transactions.ts";
 * const calls: string[] = [];
 * const producer = {
 *   beginTransaction: () => void calls.push("begin"),
 *   commitTransaction: () => Promise.resolve(void calls.push("commit")),
 *   abortTransaction: () => Promise.resolve(void calls.push("abort")),
 * };
 * const transactions = new CliTransactions(producer, 2);
 * for (let i = 0; i < 3; i++) {
 *   transactions.beforeRecord();
 *   await transactions.afterRecord();
 * }
 * await transactions.finish();
 * if (calls.join(" ") !== "begin commit begin commit") throw new Error(calls.join(" "));
 * ```
 */
export class CliTransactions {
  readonly #producer: TransactionalProducer;
  readonly #recordsPer: number;
  #open = false;
  #records = 0;
  /** The commit in progress, if any. */
  #committing: Promise<void> | undefined;
  /** Set by a signal: nothing more is committed, the open transaction aborts. */
  #interrupted = false;
  /** Transactions committed so far. */
  committed = 0;

  /**
   * @param producer The transactional producer (after `initTransactions()`).
   * @param recordsPer Records per transaction (`--transaction-records`).
   */
  constructor(producer: TransactionalProducer, recordsPer: number) {
    this.#producer = producer;
    this.#recordsPer = recordsPer;
  }

  /** True while a transaction is open. */
  get open(): boolean {
    return this.#open;
  }

  /** Opens a transaction unless one is open: call before appending a record. */
  beforeRecord(): void {
    if (this.#interrupted) throw new Error("Interrupted: the open transaction is being aborted");
    if (this.#open) return;
    this.#producer.beginTransaction();
    this.#open = true;
    this.#records = 0;
  }

  /**
   * Counts an appended record.
   *
   * @returns The commit, when the transaction is full; else undefined (nothing to wait for).
   */
  afterRecord(): Promise<void> | undefined {
    if (++this.#records < this.#recordsPer) return undefined;
    return this.#commit();
  }

  /** Commits the open transaction, if any (EOF). */
  finish(): Promise<void> {
    return this.#open && !this.#interrupted ? this.#commit() : Promise.resolve();
  }

  /**
   * A signal: no more commits; a commit already under way ends first (its transaction was
   * complete), then the open transaction aborts.
   */
  async interrupt(): Promise<void> {
    this.#interrupted = true;
    await this.#committing?.catch(() => {});
    await this.abort();
  }

  /** Aborts the open transaction, if any (an error, a signal). */
  async abort(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#producer.abortTransaction();
  }

  #commit(): Promise<void> {
    this.#committing = (async () => {
      await this.#producer.commitTransaction();
      this.#open = false;
      this.committed++;
    })();
    return this.#committing;
  }
}
