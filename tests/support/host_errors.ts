// What the host process would die of: uncaught exceptions and unhandled rejections, seen
// through node:process listeners, which Deno, Bun and Node all honour (and which stop the
// runtime from exiting, so a test can report them instead of taking the run down).
import process from "node:process";

/**
 * Collects uncaught exceptions and unhandled rejections until `stop()`.
 *
 * @example
 * ```ts
 * import { watchHostErrors } from "./host_errors.ts";
 * const watch = watchHostErrors();
 * Promise.reject(new Error("nobody catches this"));
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * watch.stop();
 * if (watch.errors.length !== 1) throw new Error("the rejection was seen");
 * ```
 */
export interface HostErrorWatch {
  /** What reached the host so far, in order: `[kind, value]`. */
  readonly errors: Array<["uncaughtException" | "unhandledRejection", unknown]>;
  /** Removes the listeners. */
  stop(): void;
}

/**
 * Starts collecting (see {@linkcode HostErrorWatch}).
 *
 * @returns The watch; call `stop()` when done.
 *
 * @example
 * ```ts
 * import { watchHostErrors } from "./host_errors.ts";
 * const watch = watchHostErrors();
 * watch.stop();
 * if (watch.errors.length !== 0) throw new Error();
 * ```
 */
export function watchHostErrors(): HostErrorWatch {
  const errors: HostErrorWatch["errors"] = [];
  const onException = (error: unknown) => errors.push(["uncaughtException", error]);
  const onRejection = (reason: unknown) => errors.push(["unhandledRejection", reason]);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return {
    errors,
    stop() {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    },
  };
}

/**
 * Resolves with the promise's outcome, or rejects naming `what` when it has not settled
 * within `ms` — a liveness bound (something that never settles), not a timing assertion.
 *
 * @param promise What must settle.
 * @param what Its name for the failure message, e.g. "flush()".
 * @param ms The bound. @default 30000
 * @returns The promise's outcome.
 *
 * @example
 * ```ts
 * import { settles } from "./host_errors.ts";
 * const outcome = await settles(Promise.reject(new Error("x")), "a rejection");
 * if (outcome.status !== "rejected") throw new Error();
 * ```
 */
export async function settles<T>(
  promise: Promise<T>,
  what: string,
  ms = 30_000,
): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const never = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    const [outcome] = await Promise.race([Promise.allSettled([promise]), never]);
    return outcome!;
  } finally {
    clearTimeout(timer);
  }
}
