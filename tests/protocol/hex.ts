/**
 * Golden-byte literals for the protocol tests: hex digits with `#` comments naming each
 * field, e.g.
 *
 *   hex`
 *     00 02        # string length 2
 *     61 62        # "ab"
 *   `
 *
 * Whitespace is ignored; anything from `#` to the end of a line is a comment.
 */
export function hex(strings: TemplateStringsArray | string, ...values: unknown[]): Uint8Array {
  const text = typeof strings === "string"
    ? strings
    : strings.reduce((out, part, i) => out + part + (i < values.length ? show(values[i]) : ""), "");
  const digits = text.split("\n").map((line) => line.replace(/#.*/, "")).join("").replace(
    /\s+/g,
    "",
  );
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`Invalid hex literal: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function show(value: unknown): string {
  return value instanceof Uint8Array ? toHex(value) : String(value);
}

/** Bytes as spaced hex, for readable assertion failures. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
