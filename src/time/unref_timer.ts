/**
 * Lets a timer not keep the process alive (Node's and Bun's `unref`, Deno's
 * `Deno.unrefTimer`): for periodic housekeeping (metadata age checks, stats snapshots) that
 * must never hold an otherwise finished program open.
 *
 * @param timer What `setTimeout` or `setInterval` returned.
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./unref_timer.ts";
 * const timer = setInterval(() => {}, 1000);
 * unrefTimer(timer); // the process may exit while it is armed
 * clearInterval(timer);
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setInterval>): void {
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
  else (timer as { unref?: () => void }).unref?.();
}
