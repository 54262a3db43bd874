import { describeThrown } from "./describe_thrown.ts";

/**
 * What {@linkcode callUserCode} returns when the user's function threw: the thrown value as
 * is (for a `cause`) and a description safe to put in a message or a log.
 *
 * @example
 * ```ts
 * import { UserCodeFailure } from "./call_user_code.ts";
 * const failure = new UserCodeFailure(Object.create(null));
 * if (failure.description !== "an object with a null prototype") throw new Error();
 * ```
 */
export class UserCodeFailure {
  /** Exactly what was thrown (any value). */
  readonly thrown: unknown;
  #description: string | undefined;

  /** @param thrown What the user's function threw. */
  constructor(thrown: unknown) {
    this.thrown = thrown;
  }

  /** `describeThrown(thrown)`: one line, never throws (computed once, when first read). */
  get description(): string {
    return this.#description ??= describeThrown(this.thrown);
  }
}

/**
 * Calls code the user supplied (an interceptor, serializer, partitioner or logger method) so
 * that nothing it does can break the caller's bookkeeping: returns what `fn` returned, or a
 * {@linkcode UserCodeFailure} when it threw, whatever it threw. The caller decides what a
 * failure means (a typed error for the record, a log line, nothing) and reads its
 * description, which cannot throw either. The one way the producer calls user code.
 *
 * @param fn The user's function.
 * @param self `this` for the call (the interceptor or logger object the method came from).
 * @param args The arguments.
 * @returns `fn`'s result, or the failure.
 *
 * @example
 * ```ts
 * import { callUserCode, UserCodeFailure } from "./call_user_code.ts";
 * const result = callUserCode(() => { throw Object.create(null); }, undefined);
 * if (!(result instanceof UserCodeFailure)) throw new Error();
 * if (callUserCode((a: number, b: number) => a + b, undefined, 1, 2) !== 3) throw new Error();
 * ```
 */
export function callUserCode<A extends unknown[], R>(
  fn: (...args: A) => R,
  self: unknown,
  ...args: A
): R | UserCodeFailure;
export function callUserCode(
  fn: (a?: unknown, b?: unknown, c?: unknown) => unknown,
  self: unknown,
  a?: unknown,
  b?: unknown,
  c?: unknown,
): unknown {
  try {
    // Spelled out per arity (no arguments array per call: serializers run once per record),
    // so the function sees exactly the arguments given.
    switch (arguments.length) {
      case 2:
        return fn.call(self);
      case 3:
        return fn.call(self, a);
      case 4:
        return fn.call(self, a, b);
      default:
        return fn.call(self, a, b, c);
    }
  } catch (thrown) {
    return new UserCodeFailure(thrown);
  }
}

/**
 * If `value` is a thenable (user code returned a Promise where the producer expects a plain
 * value), attaches `onRejected` to it so its rejection never reaches the host as an
 * unhandled rejection, and returns true. Reading `then` is user code too (a getter, a
 * Proxy), so a value whose `then` cannot be read counts as no thenable.
 *
 * @param value What user code returned.
 * @param onRejected Called with a description of the rejection reason.
 * @returns Whether `value` was a thenable.
 *
 * @example
 * ```ts
 * import { handleIfThenable } from "./call_user_code.ts";
 * let reason = "";
 * if (!handleIfThenable(Promise.reject(new Error("late")), (why) => reason = why)) throw new Error();
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * if (reason !== "late" || handleIfThenable(5, () => {})) throw new Error();
 * ```
 */
export function handleIfThenable(
  value: unknown,
  onRejected: (description: string) => void,
): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch {
    return false;
  }
  if (typeof then !== "function") return false;
  callUserCode(
    then as (resolve: () => void, reject: (reason: unknown) => void) => unknown,
    value,
    () => {},
    (reason: unknown) => {
      // onRejected is the library's own (a guarded logger call); isolated all the same.
      callUserCode(onRejected, undefined, describeThrown(reason));
    },
  );
  return true;
}
