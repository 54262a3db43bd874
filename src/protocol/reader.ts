import { ProtocolError } from "../errors/client_errors.ts";

const decoder = new TextDecoder();

/**
 * A big-endian reader over one response body (or record batch) for Kafka's wire types.
 * Every read checks the bounds first and throws `ProtocolError` naming the type, the offset
 * and what remains, so truncated or malformed input can never crash, read past the end,
 * allocate from an unchecked length or loop forever: a length is only trusted after it was
 * checked against the bytes that remain.
 *
 * Offsets are relative to the start of the given view (its `byteOffset` is honoured).
 *
 * @example Read what a Writer wrote
 * ```ts
 * import { Reader } from "./reader.ts";
 * const reader = new Reader(new Uint8Array([0, 1, 3, 97, 98]));
 * if (reader.int16() !== 1 || reader.compactString() !== "ab" || reader.remaining !== 0) throw new Error();
 * ```
 *
 * @example Truncated input throws ProtocolError
 * ```ts
 * import { Reader } from "./reader.ts";
 * let message = "";
 * try { new Reader(new Uint8Array(2)).int32(); } catch (error) { message = (error as Error).message; }
 * if (message !== "Cannot read int32 at offset 0: only 2 bytes remain") throw new Error(message);
 * ```
 */
export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  /** @param bytes The input (any view; its byteOffset is honoured). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The read position, from the start of the input. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Throws unless `bytes` more bytes can be read. */
  #need(bytes: number, type: string): void {
    if (this.#offset + bytes > this.#bytes.length) {
      throw new ProtocolError(
        `Cannot read ${type} at offset ${this.#offset}: only ${this.remaining} bytes remain`,
      );
    }
  }

  /** Throws unless a declared `length` is >= 0 and fits in what remains. */
  #needLength(length: number, type: string): void {
    if (length < 0 || this.#offset + length > this.#bytes.length) {
      throw new ProtocolError(
        `Cannot read ${type} of ${length} bytes at offset ${this.#offset}: ${
          length < 0 ? "the length is negative" : `only ${this.remaining} bytes remain`
        }`,
      );
    }
  }

  /** @returns A signed 8-bit integer. */
  int8(): number {
    this.#need(1, "int8");
    return this.#view.getInt8(this.#offset++);
  }

  /** @returns A signed 16-bit integer. */
  int16(): number {
    this.#need(2, "int16");
    const value = this.#view.getInt16(this.#offset);
    this.#offset += 2;
    return value;
  }

  /** @returns A signed 32-bit integer. */
  int32(): number {
    this.#need(4, "int32");
    const value = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** @returns An unsigned 32-bit integer. */
  uint32(): number {
    this.#need(4, "uint32");
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** @returns A signed 64-bit integer. */
  int64(): bigint {
    this.#need(8, "int64");
    const value = this.#view.getBigInt64(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** @returns A boolean (any non-zero byte is true). */
  boolean(): boolean {
    return this.int8() !== 0;
  }

  /** @returns An unsigned varint of at most 5 bytes and 32 bits. */
  uvarint(): number {
    const start = this.#offset;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.#need(1, "uvarint");
      const byte = this.#bytes[this.#offset++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new ProtocolError(`Cannot read uvarint at offset ${start}: it exceeds 32 bits`);
  }

  /** @returns A zigzag-decoded signed 32-bit varint. */
  varint(): number {
    const v = this.uvarint();
    return (v >>> 1) ^ -(v & 1);
  }

  /** @returns A zigzag-decoded signed 64-bit varlong (at most 10 bytes). */
  varlong(): bigint {
    const start = this.#offset;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.#need(1, "varlong");
      const byte = this.#bytes[this.#offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffffffffffffn) break;
        return (result >> 1n) ^ -(result & 1n);
      }
    }
    throw new ProtocolError(`Cannot read varlong at offset ${start}: it exceeds 64 bits`);
  }

  /**
   * @param n How many bytes.
   * @returns The next `n` bytes as a view of the input (no copy).
   */
  subarray(n: number): Uint8Array {
    this.#needLength(n, "bytes");
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** @returns A UUID: 16 bytes, copied (so it outlives the response buffer). */
  uuid(): Uint8Array {
    this.#need(16, "uuid");
    return this.subarray(16).slice();
  }

  #text(length: number, type: string): string {
    this.#needLength(length, type);
    const start = this.#offset;
    this.#offset += length;
    return decoder.decode(this.#bytes.subarray(start, start + length));
  }

  #notNull(type: string): never {
    throw new ProtocolError(
      `Cannot read ${type} at offset ${this.#offset}: null where a value is required`,
    );
  }

  /** @returns A STRING (int16 length); null is rejected. */
  string(): string {
    const length = this.int16();
    if (length < 0) this.#notNull("string");
    return this.#text(length, "string");
  }

  /** @returns A NULLABLE_STRING (int16 length, -1 for null). */
  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    return this.#text(length, "string");
  }

  /** @returns A COMPACT_STRING (uvarint length + 1); null is rejected. */
  compactString(): string {
    const length = this.uvarint() - 1;
    if (length < 0) this.#notNull("compact string");
    return this.#text(length, "compact string");
  }

  /** @returns A COMPACT_NULLABLE_STRING (uvarint length + 1, 0 for null). */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.#text(length, "compact string");
  }

  /**
   * @param compact True in flexible versions.
   * @returns `compact ? compactString() : string()`.
   */
  stringOf(compact: boolean): string {
    return compact ? this.compactString() : this.string();
  }

  /**
   * @param compact True in flexible versions.
   * @returns `compact ? compactNullableString() : nullableString()`.
   */
  nullableStringOf(compact: boolean): string | null {
    return compact ? this.compactNullableString() : this.nullableString();
  }

  /** @returns BYTES (int32 length) as a view; null is rejected. */
  bytes(): Uint8Array {
    const length = this.int32();
    if (length < 0) this.#notNull("bytes");
    return this.subarray(length);
  }

  /** @returns NULLABLE_BYTES (int32 length, -1 for null) as a view. */
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    return length === -1 ? null : this.subarray(length);
  }

  /** @returns COMPACT_BYTES (uvarint length + 1) as a view; null is rejected. */
  compactBytes(): Uint8Array {
    const length = this.uvarint() - 1;
    if (length < 0) this.#notNull("compact bytes");
    return this.subarray(length);
  }

  /** @returns COMPACT_NULLABLE_BYTES (uvarint length + 1, 0 for null) as a view. */
  compactNullableBytes(): Uint8Array | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.subarray(length);
  }

  /**
   * An array length: int32 or, compact, uvarint n+1. A count that could not fit in the
   * remaining bytes (each element takes at least `minElementBytes`) is rejected before the
   * caller allocates or loops.
   *
   * @param compact True in flexible versions.
   * @param minElementBytes The fewest bytes one element can take.
   * @default minElementBytes 1
   * @returns The count, or -1 for a null array.
   */
  arrayLength(compact: boolean, minElementBytes = 1): number {
    const at = this.#offset;
    const count = compact ? this.uvarint() - 1 : this.int32();
    if (count < -1) {
      throw new ProtocolError(`Cannot read array at offset ${at}: invalid length ${count}`);
    }
    if (count * minElementBytes > this.remaining) {
      throw new ProtocolError(
        `Cannot read array of ${count} elements at offset ${at}: only ${this.remaining} bytes remain`,
      );
    }
    return count;
  }

  /**
   * @param compact True in flexible versions.
   * @returns An array of int32 (a null array reads as empty).
   */
  int32Array(compact: boolean): number[] {
    const count = this.arrayLength(compact, 4);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.int32());
    return out;
  }

  /**
   * A tagged-field section (flexible versions): uvarint count, then per field uvarint tag,
   * uvarint size and the data. Unknown tags are thereby skipped, as the protocol requires.
   *
   * @returns The raw data of each tag (views), so callers can parse the tags they know.
   */
  readTaggedFields(): Map<number, Uint8Array> {
    const at = this.#offset;
    const count = this.uvarint();
    const fields = new Map<number, Uint8Array>();
    if (count === 0) return fields;
    // Each field takes at least two bytes (tag and size).
    if (count * 2 > this.remaining) {
      throw new ProtocolError(
        `Cannot read ${count} tagged fields at offset ${at}: only ${this.remaining} bytes remain`,
      );
    }
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      fields.set(tag, this.subarray(size));
    }
    return fields;
  }

  /**
   * The same as `readTaggedFields()` (kept for existing callers).
   *
   * @returns The raw data of each tag.
   */
  taggedFields(): Map<number, Uint8Array> {
    return this.readTaggedFields();
  }
}
