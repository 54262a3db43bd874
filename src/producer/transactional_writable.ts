import { unrefTimer } from "../time/unref_timer.ts";

/** Options of `Producer.transactionalWritable()`: when a transaction commits. */
export interface TransactionalWritableOptions {
  /**
   * Commit once the open transaction holds at least this many records (checked after each
   * chunk). With neither option, every chunk commits as one transaction.
   * @default undefined
   */
  records?: number | undefined;
  /**
   * Commit once the open transaction is this many milliseconds old: checked after each chunk,
   * and by a timer while no chunk arrives. With neither option, every chunk commits.
   * @default undefined
   */
  intervalMs?: number | undefined;
}

/** What the stream drives (the producer provides it). */
export interface TransactionalSink<C> {
  /** Opens a transaction. */
  begin(): void;
  /** Accepts a chunk's records into the open transaction; resolves with their count. */
  write(chunk: C): Promise<number>;
  /** Commits the open transaction (its records all acknowledged first). */
  commit(): Promise<void>;
  /** Aborts the open transaction. */
  abort(): Promise<void>;
}

/**
 * A `WritableStream` whose chunks are committed in transactions: each chunk, or every
 * `records` records, or every `intervalMs` (whichever comes first), as one transaction that
 * `read_committed` consumers see whole or not at all. `write()` resolves once its chunk is
 * committed when the chunk closed a transaction, else once it was accepted; `close()` commits
 * what is open. When the pipe errors or is aborted, or a chunk or a commit fails, the open
 * transaction aborts (nothing of it becomes visible) and the stream errors.
 *
 * @param sink The producer's transactional operations.
 * @param options When to commit.
 * @returns The stream.
 * @throws {RangeError} For a `records` or `intervalMs` that is not a positive integer.
 *
 * @example Two chunks, two transactions
 * ```ts
 * import { transactionalWritable } from "./transactional_writable.ts";
 * const log: string[] = [];
 * const stream = transactionalWritable<string[]>({
 *   begin: () => log.push("begin"),
 *   write: (chunk) => { log.push(...chunk); return Promise.resolve(chunk.length); },
 *   commit: () => { log.push("commit"); return Promise.resolve(); },
 *   abort: () => { log.push("abort"); return Promise.resolve(); },
 * });
 * await ReadableStream.from([["a", "b"], ["c"]]).pipeTo(stream);
 * if (log.join(" ") !== "begin a b commit begin c commit") throw new Error(log.join(" "));
 * ```
 */
export function transactionalWritable<C>(
  sink: TransactionalSink<C>,
  options: TransactionalWritableOptions = {},
): WritableStream<C> {
  const records = checkPositive("records", options.records);
  const intervalMs = checkPositive("intervalMs", options.intervalMs);
  const perChunk = records === undefined && intervalMs === undefined;
  let open = false;
  let count = 0;
  let openedAt = 0;
  let writing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A commit the timer started, which the next write or close waits for. */
  let timed: Promise<void> = Promise.resolve();
  /** Why a timed commit failed: the stream errors with it at the next write or close. */
  let failure: unknown;

  const abort = async (): Promise<void> => {
    clearTimeout(timer);
    if (!open) return;
    open = false;
    await sink.abort();
  };
  const commit = async (): Promise<void> => {
    clearTimeout(timer);
    if (!open) return;
    open = false;
    try {
      await sink.commit();
    } catch (error) {
      // Nothing of it becomes visible: abort what the commit left open (a fatal error, e.g.
      // a fenced producer, has nothing left to abort).
      open = true;
      await abort().catch(() => {});
      throw error;
    }
  };
  const armTimer = () => {
    if (intervalMs === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (writing || !open) return; // the write in progress commits when it ends
      timed = commit().catch((error: unknown) => {
        failure ??= error;
      });
    }, Math.max(0, openedAt + intervalMs - Date.now()));
    unrefTimer(timer);
  };
  const settleTimed = async () => {
    await timed;
    if (failure !== undefined) throw failure;
  };

  return new WritableStream<C>({
    write: async (chunk) => {
      await settleTimed();
      writing = true;
      try {
        if (!open) {
          sink.begin();
          open = true;
          count = 0;
          openedAt = Date.now();
          armTimer();
        }
        try {
          count += await sink.write(chunk);
        } catch (error) {
          await abort().catch(() => {});
          throw error;
        }
        if (
          perChunk || (records !== undefined && count >= records) ||
          (intervalMs !== undefined && Date.now() - openedAt >= intervalMs)
        ) {
          await commit();
        }
      } finally {
        writing = false;
      }
    },
    close: async () => {
      await settleTimed();
      await commit();
    },
    abort: async () => {
      await timed;
      await abort();
    },
  }, { highWaterMark: 1 });
}

function checkPositive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Invalid transactionalWritable option "${name}": ${String(value)} must be a positive integer`,
    );
  }
  return value;
}
