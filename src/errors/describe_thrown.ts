/** Longest description returned; a huge thrown string must not flood a log line. */
const MAX_LENGTH = 300;

/**
 * A one-line description of any value, for error messages and logs, that never throws: what
 * user code threw (an `Error`, a string, `1`, `Object.create(null)`, a revoked Proxy …) or a
 * bad argument. `String(value)` is not that: it throws for objects without a usable
 * `toString` (a null prototype, a `toString` that throws) and `${value}` throws for symbols.
 *
 * Errors read as their message (prefixed by their name unless it is plain "Error"), strings
 * as themselves, other primitives as `String()` gives them (bigints with an `n`), objects by
 * their own `toString` when they have a useful one, else as JSON, else by their kind. Anything
 * user-defined this reads (a message getter, `toString`, `toJSON`) runs inside a try/catch.
 * Cut to 300 characters.
 *
 * @param value Anything.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { describeThrown } from "./describe_thrown.ts";
 * if (describeThrown(new Error("boom")) !== "boom") throw new Error();
 * if (describeThrown(new TypeError("bad")) !== "TypeError: bad") throw new Error();
 * if (describeThrown(Object.create(null)) !== "an object with a null prototype") throw new Error();
 * if (describeThrown(1) !== "1" || describeThrown(Symbol("s")) !== "Symbol(s)") throw new Error();
 * ```
 */
export function describeThrown(value: unknown): string {
  let text: string;
  try {
    text = describe(value);
  } catch {
    text = kind(value);
  }
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return `a function${value.name ? ` (${value.name})` : ""}`;
    case "object":
      break;
    default:
      return String(value);
  }
  if (value === null) return "null";
  if (value instanceof Error) {
    const message = stringOrUndefined(() => value.message);
    const name = stringOrUndefined(() => value.name);
    if (message === undefined || message === "") return name ?? "an Error";
    return name === undefined || name === "Error" ? message : `${name}: ${message}`;
  }
  const own = stringOrUndefined(() => String(value));
  if (own !== undefined && !own.startsWith("[object ")) return own;
  const json = stringOrUndefined(() => JSON.stringify(value));
  if (json !== undefined && json !== "{}") return json;
  return kind(value);
}

/** The value's kind when nothing better can be said, read without running user code. */
function kind(value: unknown): string {
  if (typeof value !== "object" || value === null) return `a ${typeof value}`;
  try {
    if (Array.isArray(value)) return "an array";
    const prototype = Object.getPrototypeOf(value);
    if (prototype === null) return "an object with a null prototype";
    const name = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value?.name;
    return typeof name === "string" && name !== "" ? `an object (${name})` : "an object";
  } catch {
    return "an object"; // a Proxy whose traps throw
  }
}

function stringOrUndefined(read: () => unknown): string | undefined {
  try {
    const result = read();
    return typeof result === "string" ? result : undefined;
  } catch {
    return undefined;
  }
}
