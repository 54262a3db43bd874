/**
 * The number of bytes `value` takes in UTF-8, computed without encoding it, so a writer can
 * write a length prefix first and then encode the text straight into its buffer. A lone
 * surrogate counts 3 bytes, the size of the U+FFFD that `TextEncoder` writes for it.
 *
 * @param value Any string.
 * @returns Its UTF-8 byte length, exactly what `new TextEncoder().encode(value).length` gives.
 *
 * @example
 * ```ts
 * import { utf8Length } from "./utf8_length.ts";
 * if (utf8Length("a") !== 1 || utf8Length("é") !== 2 || utf8Length("€") !== 3) throw new Error();
 * if (utf8Length("😀") !== 4 || utf8Length("\ud800") !== 3) throw new Error();
 * ```
 */
export function utf8Length(value: string): number {
  const n = value.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
        bytes += 2;
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
