// The independent reader: Debian's kcat (librdkafka's consumer, CRCs checked) reads back what
// the producer wrote, so tests never trust our own decoder alone.
//
// Output format: kcat's JSON mode (-J), read as bytes. kcat writes keys, values and header
// values with their lengths (yajl), escaping `"`, `\` and control bytes (NUL and newline
// included) and copying every other byte raw, invalid UTF-8 too. Decoding the JSON strings
// byte by byte therefore gives back exactly the stored bytes, nulls and empty values apart,
// where JSON.parse() on a decoded string would replace invalid UTF-8. Measured with kcat 1.7.1.
// The one loss: kcat prints header *names* as C strings, so a name is cut at its first NUL.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One record as kcat read it from the broker.
 *
 * @example
 * ```ts
 * import type { StoredRecord } from "./kcat.ts";
 * const record: StoredRecord = {
 *   topic: "t", partition: 0, offset: 0, key: null, value: new Uint8Array([0, 10]),
 *   headers: [["trace", null]], timestamp: 1700000000000,
 * };
 * if (record.value?.length !== 2) throw new Error("value has two bytes");
 * ```
 */
export interface StoredRecord {
  /** The topic it was read from. */
  topic: string;
  /** Its partition. */
  partition: number;
  /** Its offset in the partition. */
  offset: number;
  /** The key bytes, or null for a null key (distinct from an empty key). */
  key: Uint8Array | null;
  /** The value bytes, or null for a null value (a tombstone; distinct from an empty value). */
  value: Uint8Array | null;
  /** Headers in stored order: name (cut at a NUL by kcat) and value bytes or null. */
  headers: Array<[string, Uint8Array | null]>;
  /** The record's timestamp in milliseconds (CreateTime or LogAppendTime), -1 if none. */
  timestamp: number;
}

/**
 * Options of {@linkcode readTopic}.
 *
 * @example
 * ```ts
 * import type { ReadTopicOptions } from "./kcat.ts";
 * const options: ReadTopicOptions = { partition: 0, expected: 10, timeoutMs: 5000 };
 * if (options.expected !== 10) throw new Error();
 * ```
 */
export interface ReadTopicOptions {
  /** Read only this partition. @default all partitions */
  partition?: number;
  /**
   * Re-read until at least this many records are there or `timeoutMs` passes (replication is
   * immediate in the mock, a real cluster may lag). @default read once
   */
  expected?: number;
  /** How long to keep trying, all kcat runs included. @default 30000 */
  timeoutMs?: number;
  /**
   * librdkafka consumer properties (kcat -X name=value): security settings for a secured
   * listener, `isolation.level`. @default none
   */
  config?: Record<string, string>;
}

/**
 * Options of {@linkcode kcatProduce} and {@linkcode kcatProduceBytes}.
 *
 * @example
 * ```ts
 * import type { KcatProduceOptions } from "./kcat.ts";
 * const options: KcatProduceOptions = { keyDelimiter: "\t", compression: "lz4", partition: 0 };
 * if (options.compression !== "lz4") throw new Error();
 * ```
 */
export interface KcatProduceOptions {
  /** Split each line into key and value at this delimiter (kcat -K). @default no keys */
  keyDelimiter?: string;
  /** One key for every record (kcat -k). @default no key */
  key?: string;
  /** Send to this partition (kcat -p). @default librdkafka's partitioner */
  partition?: number;
  /** librdkafka's partitioner, e.g. "murmur2_random" (kcat -X partitioner=). @default kcat's */
  partitioner?: string;
  /** Compression codec: none, gzip, snappy, lz4 or zstd (kcat -z). @default "none" */
  compression?: string;
  /** Headers for every record (kcat -H name=value); values are UTF-8 text. @default none */
  headers?: Array<[string, string]>;
  /** Send empty keys and values as null (kcat -Z). @default false */
  emptyAsNull?: boolean;
  /** librdkafka producer properties (kcat -X name=value), e.g. message.timeout.ms. @default none */
  config?: Record<string, string>;
}

const textDecoder = new TextDecoder();

function kcat(args: string[], timeoutMs: number, input?: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "kcat",
      args,
      { encoding: "buffer", maxBuffer: 1 << 30, timeout: timeoutMs, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (error) {
          const detail = textDecoder.decode(stderr).trim().slice(-800);
          reject(new Error(`Command "kcat ${args.join(" ")}" failed: ${error.message}: ${detail}`));
        } else resolve(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength));
      },
    );
    child.stdin!.on("error", () => {}); // kcat died early: the exit callback reports it
    child.stdin!.end(input ?? "");
  });
}

// A minimal JSON reader over bytes, for kcat's one-object-per-line output. Strings come back
// as bytes (see the file comment); object keys are decoded as UTF-8 text.
type JsonValue = null | boolean | number | Uint8Array | JsonValue[] | { [key: string]: JsonValue };

class JsonBytes {
  readonly #bytes: Uint8Array;
  #at: number;

  constructor(bytes: Uint8Array, at: number) {
    this.#bytes = bytes;
    this.#at = at;
  }

  get at(): number {
    return this.#at;
  }

  #fail(what: string): never {
    const near = textDecoder.decode(this.#bytes.subarray(this.#at, this.#at + 40));
    throw new Error(`Cannot parse kcat JSON at byte ${this.#at}: ${what} near "${near}"`);
  }

  #skipSpace(): void {
    for (;;) {
      const b = this.#bytes[this.#at];
      if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return;
      this.#at++;
    }
  }

  value(): JsonValue {
    this.#skipSpace();
    const b = this.#bytes[this.#at];
    if (b === 0x22) return this.#string();
    if (b === 0x7b) return this.#object();
    if (b === 0x5b) return this.#array();
    if (b === 0x6e) return this.#literal("null", null);
    if (b === 0x74) return this.#literal("true", true);
    if (b === 0x66) return this.#literal("false", false);
    return this.#number();
  }

  #literal<T>(word: string, result: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.#bytes[this.#at + i] !== word.charCodeAt(i)) this.#fail(`expected ${word}`);
    }
    this.#at += word.length;
    return result;
  }

  #number(): number {
    const start = this.#at;
    for (;;) {
      const b = this.#bytes[this.#at];
      // digits, "-", "+", ".", "e", "E"
      if (
        b === undefined ||
        !((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || (b | 0x20) === 0x65)
      ) {
        break;
      }
      this.#at++;
    }
    const text = textDecoder.decode(this.#bytes.subarray(start, this.#at));
    const value = Number(text);
    if (start === this.#at || !Number.isFinite(value)) this.#fail("expected a value");
    return value;
  }

  #string(): Uint8Array {
    this.#at++; // opening quote
    const bytes = this.#bytes;
    // Fast path: no escapes, copy the span.
    let end = this.#at;
    while (end < bytes.length && bytes[end] !== 0x22 && bytes[end] !== 0x5c) end++;
    if (bytes[end] === 0x22) {
      const out = bytes.slice(this.#at, end);
      this.#at = end + 1;
      return out;
    }
    const out: number[] = [];
    for (;;) {
      const b = bytes[this.#at++];
      if (b === undefined) this.#fail("unterminated string");
      if (b === 0x22) return Uint8Array.from(out);
      if (b !== 0x5c) {
        out.push(b);
        continue;
      }
      const e = bytes[this.#at++];
      switch (e) {
        case 0x22:
        case 0x5c:
        case 0x2f:
          out.push(e);
          break;
        case 0x62: // \b
          out.push(8);
          break;
        case 0x66: // \f
          out.push(12);
          break;
        case 0x6e: // \n
          out.push(10);
          break;
        case 0x72: // \r
          out.push(13);
          break;
        case 0x74: // \t
          out.push(9);
          break;
        case 0x75: { // \uXXXX (a surrogate pair for code points above U+FFFF), as UTF-8
          let code = this.#hex4();
          if (code >= 0xd800 && code < 0xdc00 && bytes[this.#at] === 0x5c) {
            this.#at += 2;
            code = 0x10000 + ((code - 0xd800) << 10) + (this.#hex4() - 0xdc00);
          }
          for (const byte of new TextEncoder().encode(String.fromCodePoint(code))) out.push(byte);
          break;
        }
        default:
          this.#fail("bad escape");
      }
    }
  }

  #hex4(): number {
    const text = textDecoder.decode(this.#bytes.subarray(this.#at, this.#at + 4));
    if (!/^[0-9a-fA-F]{4}$/.test(text)) this.#fail("bad \\u escape");
    this.#at += 4;
    return parseInt(text, 16);
  }

  #expect(byte: number, what: string): void {
    this.#skipSpace();
    if (this.#bytes[this.#at] !== byte) this.#fail(`expected ${what}`);
    this.#at++;
  }

  #peek(): number | undefined {
    this.#skipSpace();
    return this.#bytes[this.#at];
  }

  #array(): JsonValue[] {
    this.#at++;
    const out: JsonValue[] = [];
    if (this.#peek() === 0x5d) {
      this.#at++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.#peek() === 0x2c) this.#at++;
      else return this.#expect(0x5d, "] or ,"), out;
    }
  }

  #object(): { [key: string]: JsonValue } {
    this.#at++;
    const out: { [key: string]: JsonValue } = {};
    if (this.#peek() === 0x7d) {
      this.#at++;
      return out;
    }
    for (;;) {
      if (this.#peek() !== 0x22) this.#fail("expected a key");
      const key = textDecoder.decode(this.#string());
      this.#expect(0x3a, ":");
      out[key] = this.value();
      if (this.#peek() === 0x2c) this.#at++;
      else return this.#expect(0x7d, "} or ,"), out;
    }
  }
}

function bytesOrNull(value: JsonValue | undefined, field: string): Uint8Array | null {
  if (value === null || value instanceof Uint8Array) return value;
  throw new Error(`Unexpected kcat JSON: "${field}" is neither a string nor null`);
}

function integer(value: JsonValue | undefined, field: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw new Error(`Unexpected kcat JSON: "${field}" is not an integer`);
}

/** Parses kcat -J consumer output: one JSON object per line (newlines in data are escaped). */
function parseRecords(out: Uint8Array): StoredRecord[] {
  const records: StoredRecord[] = [];
  let at = 0;
  while (at < out.length) {
    let end = out.indexOf(0x0a, at);
    if (end < 0) end = out.length;
    if (end > at) {
      const reader = new JsonBytes(out.subarray(0, end), at);
      const object = reader.value();
      if (
        object === null || typeof object !== "object" || Array.isArray(object) ||
        object instanceof Uint8Array
      ) {
        throw new Error(`Unexpected kcat output: ${textDecoder.decode(out.subarray(at, end))}`);
      }
      const headerList = object.headers ?? [];
      if (!Array.isArray(headerList) || headerList.length % 2 !== 0) {
        throw new Error(`Unexpected kcat JSON: "headers" is not a name/value list`);
      }
      const headers: Array<[string, Uint8Array | null]> = [];
      for (let i = 0; i < headerList.length; i += 2) {
        const name = bytesOrNull(headerList[i], "headers");
        if (name === null) throw new Error(`Unexpected kcat JSON: a header name is null`);
        headers.push([textDecoder.decode(name), bytesOrNull(headerList[i + 1], "headers")]);
      }
      const topic = bytesOrNull(object.topic, "topic");
      records.push({
        topic: topic === null ? "" : textDecoder.decode(topic),
        partition: integer(object.partition, "partition"),
        offset: integer(object.offset, "offset"),
        key: bytesOrNull(object.key, "key"),
        value: bytesOrNull(object.payload, "payload"),
        headers,
        timestamp: object.ts === undefined ? -1 : integer(object.ts, "ts"),
      });
    }
    at = end + 1;
  }
  return records;
}

/**
 * Reads a topic (or one partition) from the beginning to its current end with kcat, batch
 * CRCs checked (`-X check.crcs=true`). Keys, values and header values come back byte-exact,
 * null and empty kept apart. Records are in kcat's order: offset order within a partition.
 *
 * @param bootstrap The cluster's bootstrap servers, "host:port,...".
 * @param topic The topic to read.
 * @param options Partition, expected count and time limit.
 * @returns The records stored, possibly fewer than `expected` when time ran out.
 *
 * @example
 * ```ts
 * import { readTopic } from "./kcat.ts";
 * import { startCluster, uniqueTopic } from "./mock_cluster.ts";
 * const cluster = await startCluster();
 * const topic = uniqueTopic("example");
 * await cluster.createTopic(topic, 1);
 * const records = await readTopic(cluster.bootstrap, topic);
 * await cluster.close();
 * if (records.length !== 0) throw new Error("a new topic is empty");
 * ```
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<StoredRecord[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const args = ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-J"];
  args.push("-X", "check.crcs=true");
  if (options.partition !== undefined) args.push("-p", String(options.partition));
  for (const [name, value] of Object.entries(options.config ?? {})) {
    args.push("-X", `${name}=${value}`);
  }
  for (;;) {
    let records: StoredRecord[];
    try {
      records = parseRecords(await kcat(args, Math.max(5000, deadline - Date.now())));
    } catch (error) {
      // A topic that is still being created (real clusters) fails the read: retry while the
      // caller waits for records.
      if (options.expected === undefined || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (
      options.expected === undefined || records.length >= options.expected ||
      Date.now() > deadline
    ) return records;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The end offset (high watermark: the offset the next record will get) of every partition of
 * a topic, from kcat's metadata (-L) and offset query (-Q, timestamp -1).
 *
 * @param bootstrap The cluster's bootstrap servers.
 * @param topic The topic.
 * @returns Partition number to end offset.
 *
 * @example
 * ```ts
 * import { endOffsets } from "./kcat.ts";
 * import { startCluster, uniqueTopic } from "./mock_cluster.ts";
 * const cluster = await startCluster();
 * const topic = uniqueTopic("example");
 * await cluster.createTopic(topic, 2);
 * const offsets = await endOffsets(cluster.bootstrap, topic);
 * await cluster.close();
 * if (offsets.get(1) !== 0) throw new Error("partition 1 is empty");
 * ```
 */
export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const metadata = JSON.parse(
    textDecoder.decode(await kcat(["-L", "-b", bootstrap, "-t", topic, "-J"], 30_000)),
  ) as {
    topics?: Array<{ topic: string; error?: string; partitions?: Array<{ partition: number }> }>;
  };
  const entry = metadata.topics?.find((t) => t.topic === topic);
  if (entry === undefined || entry.error !== undefined || !entry.partitions?.length) {
    throw new Error(
      `Cannot read the end offsets of topic "${topic}": ${entry?.error ?? "not in the metadata"}`,
    );
  }
  const partitions = entry.partitions.map((p) => p.partition).sort((a, b) => a - b);
  const args = ["-Q", "-b", bootstrap, "-J"];
  for (const partition of partitions) args.push("-t", `${topic}:${partition}:-1`);
  let output: Uint8Array;
  try {
    output = await kcat(args, 30_000);
  } catch (error) {
    throw new Error(`Cannot read the end offsets of topic "${topic}"`, { cause: error });
  }
  const answer = JSON.parse(textDecoder.decode(output)) as Record<
    string,
    Record<string, { offset?: number; error?: string }>
  >;
  const offsets = new Map<number, number>();
  for (const partition of partitions) {
    const result = answer[topic]?.[String(partition)];
    if (result?.offset === undefined || result.offset < 0) {
      throw new Error(
        `Cannot read the end offset of "${topic}" partition ${partition}: ${
          result?.error ?? JSON.stringify(result)
        }`,
      );
    }
    offsets.set(partition, result.offset);
  }
  return offsets;
}

function produceArgs(bootstrap: string, topic: string, options: KcatProduceOptions): string[] {
  const args = ["-P", "-b", bootstrap, "-t", topic];
  if (options.keyDelimiter !== undefined) args.push("-K", options.keyDelimiter);
  if (options.key !== undefined) args.push("-k", options.key);
  if (options.partition !== undefined) args.push("-p", String(options.partition));
  if (options.partitioner !== undefined) args.push("-X", `partitioner=${options.partitioner}`);
  if (options.compression !== undefined) args.push("-z", options.compression);
  for (const [name, value] of options.headers ?? []) args.push("-H", `${name}=${value}`);
  if (options.emptyAsNull) args.push("-Z");
  for (const [name, value] of Object.entries(options.config ?? {})) {
    args.push("-X", `${name}=${value}`);
  }
  return args;
}

/**
 * Produces text lines with kcat (librdkafka's producer), one record per line, for tests that
 * need data written by another client. kcat skips empty lines; lines must not contain "\n".
 *
 * @param bootstrap The cluster's bootstrap servers.
 * @param topic The topic.
 * @param lines One record each; with `keyDelimiter`, "key<delimiter>value".
 * @param options Keys, partition, partitioner, compression, headers.
 * @returns When kcat has delivered every record (it exits non-zero otherwise).
 *
 * @example
 * ```ts
 * import { kcatProduce, readTopic } from "./kcat.ts";
 * import { startCluster, uniqueTopic } from "./mock_cluster.ts";
 * const cluster = await startCluster();
 * const topic = uniqueTopic("example");
 * await cluster.createTopic(topic, 1);
 * await kcatProduce(cluster.bootstrap, topic, ["k1:v1", "k2:v2"], { keyDelimiter: ":" });
 * const records = await readTopic(cluster.bootstrap, topic, { expected: 2 });
 * await cluster.close();
 * if (records.length !== 2) throw new Error("two records");
 * ```
 */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  lines: string[],
  options: KcatProduceOptions = {},
): Promise<void> {
  if (lines.some((line) => line.includes("\n"))) {
    throw new RangeError(
      `Cannot produce lines containing "\\n" with kcatProduce(): use kcatProduceBytes()`,
    );
  }
  await kcat(produceArgs(bootstrap, topic, options), 60_000, lines.join("\n") + "\n");
}

/**
 * Produces arbitrary byte values with kcat, one record per value (kcat sends each input file
 * as one message), so values may hold newlines and NUL bytes. kcat skips empty files, so
 * values must not be empty; `keyDelimiter` and `emptyAsNull` do not apply.
 *
 * @param bootstrap The cluster's bootstrap servers.
 * @param topic The topic.
 * @param values The record values, in order.
 * @param options Constant key, partition, partitioner, compression, headers.
 * @returns When kcat has delivered every record.
 *
 * @example
 * ```ts
 * import { kcatProduceBytes, readTopic } from "./kcat.ts";
 * import { startCluster, uniqueTopic } from "./mock_cluster.ts";
 * const cluster = await startCluster();
 * const topic = uniqueTopic("example");
 * await cluster.createTopic(topic, 1);
 * await kcatProduceBytes(cluster.bootstrap, topic, [new Uint8Array([0, 10, 255])]);
 * const [record] = await readTopic(cluster.bootstrap, topic, { expected: 1 });
 * await cluster.close();
 * if (record?.value?.[2] !== 255) throw new Error("bytes round-trip");
 * ```
 */
export async function kcatProduceBytes(
  bootstrap: string,
  topic: string,
  values: Uint8Array[],
  options: Omit<KcatProduceOptions, "keyDelimiter" | "emptyAsNull"> = {},
): Promise<void> {
  if (values.some((value) => value.length === 0)) {
    throw new RangeError(
      "Cannot produce empty values with kcatProduceBytes(): kcat skips empty files",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "sluice-kcat-"));
  try {
    const files: string[] = [];
    for (const [i, value] of values.entries()) {
      const file = join(dir, `value-${i}`);
      await writeFile(file, value);
      files.push(file);
    }
    await kcat([...produceArgs(bootstrap, topic, options), ...files], 60_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
