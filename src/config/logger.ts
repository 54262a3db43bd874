import { callUserCode, handleIfThenable, UserCodeFailure } from "../errors/call_user_code.ts";

/**
 * Where the producer reports what it does: structured, leveled, silent by default.
 * Credentials are never passed to it.
 *
 * @example Collect warnings
 * ```ts
 * import type { Logger } from "./logger.ts";
 * const warnings: string[] = [];
 * const logger: Logger = { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
 * logger.warn("Metadata refresh failed");
 * if (warnings.length !== 1) throw new Error();
 * ```
 */
export interface Logger {
  /** Details of what the producer does (connections, producer ids, retries). */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Notable events (epoch bumps, config adjustments). */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Recoverable problems (a failed metadata refresh, a lost connection). */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Failures that lose records or stop the producer. */
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = () => {};

/**
 * A logger that drops everything (the default).
 *
 * @example
 * ```ts
 * import { silentLogger } from "./logger.ts";
 * if (silentLogger.error("ignored", { partition: 1 }) !== undefined) throw new Error();
 * ```
 */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A log level, least to most severe.
 *
 * @example
 * ```ts
 * import type { LogLevel } from "./logger.ts";
 * const level: LogLevel = "warn";
 * if (level !== "warn") throw new Error();
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Options of {@linkcode consoleLogger}. */
export interface ConsoleLoggerOptions {
  /**
   * Every level on `console.error` (stderr), for programs whose stdout carries data (the
   * CLI's `--debug`). @default false: debug and info on `console.log`
   */
  stderr?: boolean;
}

/**
 * A logger writing one line per event to the console (`console.error` for warn and error,
 * `console.log` below unless `stderr` is set), from `level` up, with the fields as JSON
 * (bigints as strings).
 *
 * @param level The least severe level written. @default "info"
 * @param options Where lines go.
 * @returns The logger.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "./logger.ts";
 * const logger = consoleLogger("error");
 * logger.debug("not shown");
 * let message = "";
 * try { consoleLogger("verbose" as "info"); } catch (e) { message = (e as Error).message; }
 * if (!message.startsWith('Invalid log level "verbose"')) throw new Error(message);
 * ```
 */
export function consoleLogger(
  level: LogLevel = "info",
  options: ConsoleLoggerOptions = {},
): Logger {
  if (!Object.hasOwn(LEVELS, level)) {
    throw new RangeError(
      `Invalid log level "${level}": must be "debug", "info", "warn" or "error"`,
    );
  }
  const min = LEVELS[level];
  const line = (name: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[name] < min) return;
    const text = `[sluice] ${name.toUpperCase()} ${message}${
      fields ? " " + JSON.stringify(fields, (_k, v) => typeof v === "bigint" ? String(v) : v) : ""
    }`;
    if (options.stderr || LEVELS[name] >= LEVELS.warn) console.error(text);
    else console.log(text);
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

/**
 * The same logger with every call isolated (through `callUserCode`): a method that throws,
 * whatever it throws, or returns a Promise that rejects, is ignored for that message. The
 * producer logs only through such a logger, so a faulty logger can never break what it was
 * reporting on (a batch's completion, a close). `silentLogger` is returned as is.
 *
 * @param logger The user's logger (its methods already checked to be functions).
 * @returns A logger whose methods never throw.
 *
 * @example
 * ```ts
 * import { guardLogger } from "./logger.ts";
 * const thrower = () => { throw Object.create(null); };
 * const logger = guardLogger({ debug: thrower, info: thrower, warn: thrower, error: thrower });
 * logger.warn("still fine"); // does not throw
 * ```
 */
export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger) return logger;
  const guard =
    (method: (message: string, fields?: Record<string, unknown>) => void) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const result = callUserCode(method, logger, message, fields);
      if (!(result instanceof UserCodeFailure)) handleIfThenable(result, noop);
    };
  return {
    debug: guard(logger.debug),
    info: guard(logger.info),
    warn: guard(logger.warn),
    error: guard(logger.error),
  };
}
