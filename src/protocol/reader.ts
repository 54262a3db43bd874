import { ProtocolError } from "../errors/client_errors.ts";

const decoder = new TextDecoder();

/**
 * A big-endian reader over one response (or record batch). Every read checks the bounds
 * first and throws `ProtocolError` naming the type, the offset and what remains, so
 * truncated or malformed input can never crash, over-allocate or loop forever.
 *
 * @example Read what a Writer wrote
 * ```ts
 * import { Reader } from "./reader.ts";
 * const reader = new Reader(new Uint8Array([0, 1, 3, 97, 98]));
 * if (reader.int16() !== 1 || reader.compactString() !== "ab" || reader.remaining !== 0) throw new Error();
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

  /** The read position. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(bytes: number, type: string): void {
    if (bytes < 0 || this.#offset + bytes > this.#bytes.length) {
      throw new ProtocolError(
        `Cannot read ${type} at offset ${this.#offset}: ${
          bytes < 0
            ? `invalid length ${bytes}`
            : `needs ${bytes} bytes, only ${this.remaining} remain`
        }`,
      );
    }
  }

  int8(): number {
    this.#need(1, "int8");
    return this.#view.getInt8(this.#offset++);
  }

  int16(): number {
    this.#need(2, "int16");
    const value = this.#view.getInt16(this.#offset);
    this.#offset += 2;
    return value;
  }

  int32(): number {
    this.#need(4, "int32");
    const value = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return value;
  }

  uint32(): number {
    this.#need(4, "uint32");
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  int64(): bigint {
    this.#need(8, "int64");
    const value = this.#view.getBigInt64(this.#offset);
    this.#offset += 8;
    return value;
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
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
    throw new ProtocolError(
      `Cannot read uvarint at offset ${this.#offset}: longer than 5 bytes or over 32 bits`,
    );
  }

  varint(): number {
    const v = this.uvarint();
    return (v >>> 1) ^ -(v & 1);
  }

  varlong(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.#need(1, "varlong");
      const byte = this.#bytes[this.#offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
    }
    throw new ProtocolError(`Cannot read varlong at offset ${this.#offset}: longer than 10 bytes`);
  }

  /** `n` raw bytes as a view (no copy). */
  subarray(n: number): Uint8Array {
    this.#need(n, "bytes");
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  uuid(): Uint8Array {
    return this.subarray(16).slice();
  }

  #text(length: number): string {
    return decoder.decode(this.subarray(length));
  }

  string(): string {
    const length = this.int16();
    if (length < 0) {
      throw new ProtocolError(
        `Cannot read string at offset ${this.#offset}: null where a string is required`,
      );
    }
    return this.#text(length);
  }

  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.#text(length);
  }

  compactString(): string {
    const length = this.uvarint() - 1;
    if (length < 0) {
      throw new ProtocolError(
        `Cannot read compact string at offset ${this.#offset}: null where a string is required`,
      );
    }
    return this.#text(length);
  }

  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.#text(length);
  }

  /** `compact ? compactNullableString() : nullableString()`. */
  nullableStringOf(compact: boolean): string | null {
    return compact ? this.compactNullableString() : this.nullableString();
  }

  /** `compact ? compactString() : string()`. */
  stringOf(compact: boolean): string {
    return compact ? this.compactString() : this.string();
  }

  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    return length < 0 ? null : this.subarray(length);
  }

  compactNullableBytes(): Uint8Array | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.subarray(length);
  }

  /**
   * An array length: int32 or, compact, uvarint n+1. Returns -1 for null. A count that
   * could not fit in the remaining bytes (each element takes at least `minElementBytes`)
   * is rejected before anything is allocated.
   */
  arrayLength(compact: boolean, minElementBytes = 1): number {
    const count = compact ? this.uvarint() - 1 : this.int32();
    if (count < -1) {
      throw new ProtocolError(
        `Cannot read array at offset ${this.#offset}: invalid length ${count}`,
      );
    }
    if (count * minElementBytes > this.remaining) {
      throw new ProtocolError(
        `Cannot read array of ${count} elements at offset ${this.#offset}: only ${this.remaining} bytes remain`,
      );
    }
    return count;
  }

  /** A non-null array of int32. */
  int32Array(compact: boolean): number[] {
    const count = this.arrayLength(compact, 4);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.int32());
    return out;
  }

  /**
   * A tagged-field section: returns the raw data of each tag so callers can parse the ones
   * they know; unknown tags are skipped, as the protocol requires.
   */
  taggedFields(): Map<number, Uint8Array> {
    const count = this.uvarint();
    const fields = new Map<number, Uint8Array>();
    if (count > this.remaining) {
      throw new ProtocolError(`Cannot read ${count} tagged fields at offset ${this.#offset}`);
    }
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      fields.set(tag, this.subarray(size));
    }
    return fields;
  }
}
