import { RecordError } from "../errors/client_errors.ts";

/**
 * Turns a key, value or header value into bytes (or null), synchronously. If it throws
 * (anything) or returns something else, that record fails with a `RecordError` (code
 * "SERIALIZATION", what it threw as `cause`); nothing else is affected.
 *
 * @example A custom serializer
 * ```ts
 * import type { Serializer } from "./serializer.ts";
 * const upper: Serializer<string> = (text) => new TextEncoder().encode(text.toUpperCase());
 * if (upper("a", "t")![0] !== 65) throw new Error();
 * ```
 */
export type Serializer<T> = (data: T, topic: string) => Uint8Array | null;

const encoder = new TextEncoder();

/**
 * Longest string encoded by hand; measured: past ~32 chars TextEncoder wins on Deno and Bun.
 *
 * @example
 * ```ts
 * import { SHORT_STRING } from "./serializer.ts";
 * if (SHORT_STRING !== 32) throw new Error();
 * ```
 */
export const SHORT_STRING = 32;

/**
 * UTF-8 bytes of `text`, exactly as `TextEncoder.encode()` gives them (lone surrogates become
 * U+FFFD), but faster for short ASCII strings such as typical keys: V8's TextEncoder costs
 * hundreds of nanoseconds per call however short the string, a plain loop a few per byte.
 *
 * @param text The string.
 * @returns A new Uint8Array with its UTF-8 encoding.
 *
 * @example
 * ```ts
 * import { encodeUtf8 } from "./serializer.ts";
 * if (encodeUtf8("key-1").length !== 5 || encodeUtf8("é").length !== 2) throw new Error();
 * ```
 */
export function encodeUtf8(text: string): Uint8Array {
  const length = text.length;
  if (length > SHORT_STRING) return encoder.encode(text);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

/**
 * Bytes as they are: Uint8Array, ArrayBuffer or any ArrayBufferView; null stays null.
 *
 * @example
 * ```ts
 * import { bytesSerializer } from "./serializer.ts";
 * if (bytesSerializer(new Uint8Array([1]), "t")![0] !== 1) throw new Error();
 * ```
 */
export const bytesSerializer: Serializer<Uint8Array | ArrayBuffer | ArrayBufferView | null> = (
  data: Uint8Array | ArrayBuffer | ArrayBufferView | null,
): Uint8Array | null => {
  if (data === null || data === undefined) return null;
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new RecordError(
    `Cannot serialize ${typeof data} as bytes: expected Uint8Array, ArrayBuffer or a view`,
    "SERIALIZATION",
  );
};

/**
 * Strings as UTF-8; null stays null.
 *
 * @throws {RecordError} (code "SERIALIZATION") For anything but a string or null: a number or
 * an object is refused, not encoded as empty bytes.
 *
 * @example
 * ```ts
 * import { stringSerializer } from "./serializer.ts";
 * if (stringSerializer("é", "t")!.length !== 2) throw new Error();
 * ```
 */
export const stringSerializer: Serializer<string | null> = (
  data: string | null,
): Uint8Array | null => {
  if (data === null || data === undefined) return null;
  if (typeof data !== "string") throw notAString(data);
  return encodeUtf8(data);
};

/**
 * The error `stringSerializer` throws for a value that is not a string.
 *
 * @param data What it was given.
 * @returns A RecordError (code "SERIALIZATION") naming the type and the fix.
 *
 * @example
 * ```ts
 * import { notAString } from "./serializer.ts";
 * if (!notAString(5).message.includes("number")) throw new Error();
 * ```
 */
export function notAString(data: unknown): RecordError {
  return new RecordError(
    `Cannot serialize ${
      typeof data === "object" ? "an object" : `a ${typeof data}`
    } with stringSerializer: expected a string or null (convert it first, or use jsonSerializer)`,
    "SERIALIZATION",
  );
}

/**
 * Any JSON-serializable value as UTF-8 JSON; null stays null (a Kafka null, e.g. a tombstone).
 *
 * @example
 * ```ts
 * import { jsonSerializer } from "./serializer.ts";
 * if (new TextDecoder().decode(jsonSerializer({ a: 1 }, "t")!) !== '{"a":1}') throw new Error();
 * ```
 */
export const jsonSerializer: Serializer<unknown> = (data: unknown): Uint8Array | null => {
  const text = jsonText(data);
  return text === null ? null : encoder.encode(text);
};

/**
 * What `jsonSerializer` encodes: the JSON text of `data`, or null for null and undefined.
 * (The producer encodes it into a reused buffer instead of a new array, see `Utf8Scratch`.)
 *
 * @param data Any JSON-serializable value.
 * @returns `JSON.stringify(data)`, or null.
 * @throws {RecordError} (code "SERIALIZATION") When `JSON.stringify` gives nothing (a function,
 * a symbol); whatever `JSON.stringify` throws (a cycle, a BigInt) passes through.
 *
 * @example
 * ```ts
 * import { jsonText } from "./serializer.ts";
 * if (jsonText({ a: 1 }) !== '{"a":1}' || jsonText(null) !== null) throw new Error();
 * ```
 */
export function jsonText(data: unknown): string | null {
  if (data === null || data === undefined) return null;
  const text = JSON.stringify(data);
  if (text === undefined) {
    throw new RecordError(`Cannot serialize ${typeof data} as JSON`, "SERIALIZATION");
  }
  return text;
}
