const encoder = new TextEncoder();

/**
 * A growable big-endian byte writer for Kafka's wire types. The buffer doubles when full and
 * is kept across `reset()`, so a writer reused per request allocates only when a request is
 * larger than any before it.
 *
 * Invariant: bytes `[0, length)` are written; `toBytes()` returns a view of them (no copy),
 * valid until the next write or `reset()`.
 *
 * @example Write a compact string and read the bytes
 * ```ts
 * import { Writer } from "./writer.ts";
 * const writer = new Writer(8);
 * writer.int16(1).compactString("ab");
 * const bytes = writer.toBytes();
 * if (bytes.join(",") !== "0,1,3,97,98") throw new Error(bytes.join(","));
 * ```
 */
export class Writer {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  /** @param initialCapacity Bytes to allocate up front. */
  constructor(initialCapacity = 1024) {
    this.#buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  int8(value: number): this {
    this.ensure(1);
    this.#view.setInt8(this.#length, value);
    this.#length += 1;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.#view.setInt16(this.#length, value);
    this.#length += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.#view.setUint32(this.#length, value);
    this.#length += 4;
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.#view.setBigInt64(this.#length, value);
    this.#length += 8;
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  /** Unsigned LEB128 varint (up to 32 bits). */
  uvarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.#buffer[this.#length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buffer[this.#length++] = v;
    return this;
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** Zigzag-encoded signed 64-bit varlong. */
  varlong(value: bigint | number): this {
    let v = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
    this.ensure(10);
    while (v >= 0x80n) {
      this.#buffer[this.#length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buffer[this.#length++] = Number(v);
    return this;
  }

  /** Raw bytes, copied. */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** A UUID (16 raw bytes). */
  uuid(bytes: Uint8Array): this {
    if (bytes.length !== 16) {
      throw new RangeError(`Invalid UUID: must be 16 bytes, got ${bytes.length}`);
    }
    return this.raw(bytes);
  }

  /** int16 length + UTF-8. */
  string(value: string): this {
    const at = this.#reserveString(value, 2);
    return this.#finishString(at, 2, false);
  }

  /** int16 length (-1 for null) + UTF-8. */
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    return this.string(value);
  }

  /** uvarint length+1 + UTF-8. */
  compactString(value: string): this {
    const bytes = encoder.encode(value);
    this.uvarint(bytes.length + 1);
    return this.raw(bytes);
  }

  /** uvarint length+1 (0 for null) + UTF-8. */
  compactNullableString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    return this.compactString(value);
  }

  /** `compact ? compactNullableString : nullableString`. */
  nullableStringOf(value: string | null, compact: boolean): this {
    return compact ? this.compactNullableString(value) : this.nullableString(value);
  }

  /** `compact ? compactString : string`. */
  stringOf(value: string, compact: boolean): this {
    return compact ? this.compactString(value) : this.string(value);
  }

  /** int32 length + bytes. */
  bytes(value: Uint8Array): this {
    return this.int32(value.length).raw(value);
  }

  /** int32 length (-1 for null) + bytes. */
  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value);
  }

  /** uvarint length+1 + bytes. */
  compactBytes(value: Uint8Array): this {
    return this.uvarint(value.length + 1).raw(value);
  }

  /** uvarint length+1 (0 for null) + bytes. */
  compactNullableBytes(value: Uint8Array | null): this {
    return value === null ? this.uvarint(0) : this.compactBytes(value);
  }

  /** An array length: int32 (-1 for null) or, compact, uvarint n+1 (0 for null). */
  arrayLength(count: number | null, compact: boolean): this {
    if (compact) return this.uvarint(count === null ? 0 : count + 1);
    return this.int32(count === null ? -1 : count);
  }

  /** An empty tagged-field section (flexible versions). */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  /** Reserves `bytes` bytes to fill in later; returns their offset. */
  reserve(bytes: number): number {
    this.ensure(bytes);
    const at = this.#length;
    this.#length += bytes;
    return at;
  }

  setInt32At(offset: number, value: number): void {
    this.#view.setInt32(offset, value);
  }

  setUint32At(offset: number, value: number): void {
    this.#view.setUint32(offset, value);
  }

  /** The written bytes (a view; no copy). */
  toBytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): this {
    this.#length = 0;
    return this;
  }

  #reserveString(value: string, prefix: number): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.ensure(prefix + value.length * 3);
    const at = this.#length;
    const written = encoder.encodeInto(value, this.#buffer.subarray(at + prefix)).written;
    this.#pendingStringLength = written;
    return at;
  }

  #pendingStringLength = 0;

  #finishString(at: number, prefix: number, _compact: boolean): this {
    const written = this.#pendingStringLength;
    if (written > 0x7fff) {
      throw new RangeError(`Cannot write string as it must be <= 32767 bytes: it is ${written}`);
    }
    this.#view.setInt16(at, written);
    this.#length = at + prefix + written;
    return this;
  }
}
