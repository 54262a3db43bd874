import { utf8Length } from "./utf8_length.ts";

const encoder = new TextEncoder();

/** Largest |value| whose zigzag form (2|v| or 2|v|-1) is still a safe integer. */
const SAFE_ZIGZAG = 2 ** 52;

/**
 * A growable big-endian byte writer for Kafka's wire types (protocol.html "Protocol
 * Primitive Types"). The buffer doubles when full and is kept across `reset()`, so a writer
 * reused per request allocates only when a request is larger than any before it. Strings are
 * encoded straight into the buffer (`TextEncoder.encodeInto`), never through a temporary array.
 *
 * Invariant: bytes `[0, length)` are written; `toBytes()` returns a view of them (no copy),
 * valid until the next write that grows the buffer or `reset()`. Every method returns the
 * writer so calls chain.
 *
 * By reference: with `referenceFrom` set, `raw()` keeps byte arrays at least that long by
 * reference instead of copying them (a Produce request's record batches), and the frame is
 * taken with `toSegments()` as buffer views interleaved with those arrays. `length` counts
 * them; offsets from `reserve()` are positions in the writer's own buffer.
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
  /** Bytes in `#buffer` (the write position). */
  #length = 0;
  /** Arrays kept by reference, each with the buffer position it follows; empty if none. */
  #references: Array<{ at: number; bytes: Uint8Array }> = [];
  #referencedBytes = 0;
  /**
   * `raw()` keeps arrays at least this long by reference (see the class description).
   * Infinity (the default) copies everything.
   */
  referenceFrom = Infinity;

  /**
   * @param initialCapacity Bytes to allocate up front.
   * @default 1024
   */
  constructor(initialCapacity = 1024) {
    if (!(initialCapacity >= 0)) {
      throw new RangeError(`Invalid initialCapacity "${initialCapacity}": must be >= 0`);
    }
    this.#buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far, including those kept by reference. */
  get length(): number {
    return this.#length + this.#referencedBytes;
  }

  /**
   * Makes room for `bytes` more bytes, doubling the buffer as often as needed.
   *
   * @param bytes How many bytes the next writes need.
   */
  ensure(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    this.#buffer = growBuffer(this.#buffer, this.#length, needed);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** @param value A signed 8-bit integer. */
  int8(value: number): this {
    this.ensure(1);
    this.#view.setInt8(this.#length, value);
    this.#length += 1;
    return this;
  }

  /** @param value A signed 16-bit integer, big-endian. */
  int16(value: number): this {
    this.ensure(2);
    this.#view.setInt16(this.#length, value);
    this.#length += 2;
    return this;
  }

  /** @param value A signed 32-bit integer, big-endian. */
  int32(value: number): this {
    this.ensure(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
    return this;
  }

  /** @param value An unsigned 32-bit integer, big-endian (e.g. a CRC). */
  uint32(value: number): this {
    this.ensure(4);
    this.#view.setUint32(this.#length, value);
    this.#length += 4;
    return this;
  }

  /** @param value A signed 64-bit integer, big-endian. */
  int64(value: bigint): this {
    this.ensure(8);
    this.#view.setBigInt64(this.#length, value);
    this.#length += 8;
    return this;
  }

  /** @param value A boolean, as one byte 0 or 1. */
  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  /**
   * An unsigned varint (LEB128, 1 to 5 bytes), as used for compact lengths and tags.
   *
   * @param value 0 to 2^32-1.
   */
  uvarint(value: number): this {
    if (!(value >= 0 && value <= 0xffffffff)) {
      throw new RangeError(`Cannot write uvarint "${value}": must be in 0..4294967295`);
    }
    this.ensure(5);
    const buffer = this.#buffer;
    let at = this.#length;
    let v = value >>> 0;
    while (v >= 0x80) {
      buffer[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[at++] = v;
    this.#length = at;
    return this;
  }

  /**
   * A zigzag-encoded signed 32-bit varint (record fields): 0→0, -1→1, 1→2, -2→3, ...
   *
   * @param value A signed 32-bit integer.
   */
  varint(value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /**
   * A zigzag-encoded signed 64-bit varlong (1 to 10 bytes). Numbers below 2^52 in magnitude
   * take a fast path without BigInt.
   *
   * @param value A signed 64-bit integer, as a bigint or a safe integer.
   */
  varlong(value: bigint | number): this {
    this.ensure(10);
    const buffer = this.#buffer;
    let at = this.#length;
    if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < SAFE_ZIGZAG) {
      let v = value >= 0 ? value * 2 : -value * 2 - 1;
      while (v >= 0x80) {
        buffer[at++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      buffer[at++] = v;
    } else {
      const big = BigInt(value);
      if (BigInt.asIntN(64, big) !== big) {
        throw new RangeError(`Cannot write varlong "${value}": must fit in 64 bits`);
      }
      let v = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
      while (v >= 0x80n) {
        buffer[at++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      buffer[at++] = Number(v);
    }
    this.#length = at;
    return this;
  }

  /**
   * Raw bytes (no length prefix), copied once into the buffer; or kept by reference when at
   * least `referenceFrom` long, in which case they must not change until the frame is written.
   *
   * @param bytes The bytes.
   */
  raw(bytes: Uint8Array): this {
    if (bytes.length >= this.referenceFrom) {
      this.#references.push({ at: this.#length, bytes });
      this.#referencedBytes += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /**
   * A UUID: 16 raw bytes.
   *
   * @param bytes Exactly 16 bytes.
   */
  uuid(bytes: Uint8Array): this {
    if (bytes.length !== 16) {
      throw new RangeError(`Cannot write UUID as it must be 16 bytes: it is ${bytes.length}`);
    }
    return this.raw(bytes);
  }

  /**
   * A STRING: int16 byte length, then UTF-8.
   *
   * @param value At most 32767 UTF-8 bytes.
   */
  string(value: string): this {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: encode behind a 2-byte gap, then
    // fill the length in.
    this.ensure(2 + value.length * 3);
    const at = this.#length;
    const written = encoder.encodeInto(value, this.#buffer.subarray(at + 2)).written;
    if (written > 0x7fff) {
      throw new RangeError(`Cannot write string as it must be <= 32767 bytes: it is ${written}`);
    }
    this.#view.setInt16(at, written);
    this.#length = at + 2 + written;
    return this;
  }

  /**
   * A NULLABLE_STRING: int16 length (-1 for null), then UTF-8.
   *
   * @param value The string, or null.
   */
  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }

  /**
   * A COMPACT_STRING: uvarint (byte length + 1), then UTF-8.
   *
   * @param value The string.
   */
  compactString(value: string): this {
    const upperBound = value.length * 3;
    if (upperBound < 0x7f) {
      // Short strings (topic names, hosts): the prefix is surely one byte; encode behind it.
      this.ensure(1 + upperBound);
      const at = this.#length;
      const written = encoder.encodeInto(value, this.#buffer.subarray(at + 1)).written;
      this.#buffer[at] = written + 1;
      this.#length = at + 1 + written;
      return this;
    }
    const length = utf8Length(value);
    this.uvarint(length + 1);
    this.ensure(length);
    encoder.encodeInto(value, this.#buffer.subarray(this.#length, this.#length + length));
    this.#length += length;
    return this;
  }

  /**
   * A COMPACT_NULLABLE_STRING: uvarint (byte length + 1, 0 for null), then UTF-8.
   *
   * @param value The string, or null.
   */
  compactNullableString(value: string | null): this {
    return value === null ? this.uvarint(0) : this.compactString(value);
  }

  /**
   * `compact ? compactString(value) : string(value)`, for fields that turn compact in
   * flexible versions.
   *
   * @param value The string.
   * @param compact True in flexible versions.
   */
  stringOf(value: string, compact: boolean): this {
    return compact ? this.compactString(value) : this.string(value);
  }

  /**
   * `compact ? compactNullableString(value) : nullableString(value)`.
   *
   * @param value The string, or null.
   * @param compact True in flexible versions.
   */
  nullableStringOf(value: string | null, compact: boolean): this {
    return compact ? this.compactNullableString(value) : this.nullableString(value);
  }

  /**
   * BYTES: int32 length, then the bytes.
   *
   * @param value The bytes.
   */
  bytes(value: Uint8Array): this {
    return this.int32(value.length).raw(value);
  }

  /**
   * NULLABLE_BYTES: int32 length (-1 for null), then the bytes.
   *
   * @param value The bytes, or null.
   */
  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value);
  }

  /**
   * COMPACT_BYTES: uvarint (length + 1), then the bytes.
   *
   * @param value The bytes.
   */
  compactBytes(value: Uint8Array): this {
    return this.uvarint(value.length + 1).raw(value);
  }

  /**
   * COMPACT_NULLABLE_BYTES: uvarint (length + 1, 0 for null), then the bytes.
   *
   * @param value The bytes, or null.
   */
  compactNullableBytes(value: Uint8Array | null): this {
    return value === null ? this.uvarint(0) : this.compactBytes(value);
  }

  /**
   * An array length: int32 (-1 for null) or, compact, uvarint n+1 (0 for null).
   *
   * @param count The element count; null (or -1) for a null array.
   * @param compact True in flexible versions.
   */
  arrayLength(count: number | null, compact: boolean): this {
    const n = count === null ? -1 : count;
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  /** An empty tagged-field section (flexible versions): one byte 0. */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  /**
   * Reserves `bytes` bytes to fill in later (a length or CRC).
   *
   * @param bytes How many bytes.
   * @returns Their offset, for `setInt32At()` / `setUint32At()`.
   */
  reserve(bytes: number): number {
    this.ensure(bytes);
    const at = this.#length;
    this.#length += bytes;
    return at;
  }

  /**
   * Overwrites an int32 at `offset` (inside what was written), e.g. a size prefix.
   *
   * @param offset Where, as returned by `reserve()`.
   * @param value The value.
   */
  setInt32At(offset: number, value: number): void {
    if (offset < 0 || offset + 4 > this.#length) {
      throw new RangeError(`Cannot set int32 at offset ${offset}: only ${this.#length} written`);
    }
    this.#view.setInt32(offset, value);
  }

  /**
   * Overwrites a uint32 at `offset` (inside what was written), e.g. a CRC.
   *
   * @param offset Where, as returned by `reserve()`.
   * @param value The value.
   */
  setUint32At(offset: number, value: number): void {
    if (offset < 0 || offset + 4 > this.#length) {
      throw new RangeError(`Cannot set uint32 at offset ${offset}: only ${this.#length} written`);
    }
    this.#view.setUint32(offset, value);
  }

  /**
   * The written bytes.
   *
   * @returns A view of the buffer (no copy), valid until the writer grows or is reset.
   * @throws {RangeError} When bytes were kept by reference: use `toSegments()`.
   */
  toBytes(): Uint8Array {
    if (this.#references.length > 0) {
      throw new RangeError("Cannot take the bytes as one array: some are kept by reference");
    }
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * The written bytes in order, as views of the buffer interleaved with the arrays kept by
   * reference (no copy; empty views are left out).
   *
   * @returns The segments; concatenated, they are the `length` written bytes.
   */
  toSegments(): Uint8Array[] {
    const segments: Uint8Array[] = [];
    let from = 0;
    for (const { at, bytes } of this.#references) {
      if (at > from) segments.push(this.#buffer.subarray(from, at));
      segments.push(bytes);
      from = at;
    }
    if (this.#length > from) segments.push(this.#buffer.subarray(from, this.#length));
    return segments;
  }

  /** Forgets what was written (and the references), keeping the buffer for reuse. */
  reset(): this {
    this.#length = 0;
    if (this.#references.length > 0) this.#references = [];
    this.#referencedBytes = 0;
    return this;
  }
}

/**
 * A larger copy of `buffer` holding at least `needed` bytes (capacity doubles, so appends stay
 * amortised O(1)); the first `used` bytes are kept. Shared by `Writer` and `RecordBatchWriter`.
 *
 * @example
 * ```ts
 * import { growBuffer } from "./writer.ts";
 * const grown = growBuffer(new Uint8Array([1, 2, 0, 0]), 2, 9);
 * if (grown.length !== 16 || grown[1] !== 2) throw new Error();
 * ```
 */
export function growBuffer(buffer: Uint8Array, used: number, needed: number): Uint8Array {
  let capacity = Math.max(1, buffer.length) * 2;
  while (capacity < needed) capacity *= 2;
  const grown = new Uint8Array(capacity);
  grown.set(buffer.subarray(0, used));
  return grown;
}
