// The independent reader: Debian's kcat (librdkafka's consumer, CRCs checked) reads back what
// the producer wrote, so tests never trust our own decoder alone.
import { execFile } from "node:child_process";

/** One record as kcat read it. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /**
   * Header name and value. kcat prints headers as `n=v` CSV, so header values with `,`, `=`
   * or a newline cannot be read back exactly, and a null value reads as null only because
   * kcat prints it as `NULL` (a value "NULL" would read as null too); kcat also cuts a header
   * value at its first NUL byte (it prints headers as C strings).
   */
  headers: Array<[string, Uint8Array | null]>;
  timestamp: number;
}

function run(args: string[], timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    execFile(
      "kcat",
      args,
      { encoding: "buffer", maxBuffer: 1 << 30, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `kcat ${args.join(" ")} failed: ${error.message}: ${stderr.toString().slice(-500)}`,
            ),
          );
        } else resolve(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength));
      },
    );
  });
}

const MARK = "REC ";
const FORMAT = `${MARK}%p %o %T %K %S\\n%k%s\\nH %h\\n`;
const decoder = new TextDecoder();

/** Parses kcat's output for FORMAT: lengths first, so keys and values may hold any bytes. */
function parse(topic: string, out: Uint8Array): StoredRecord[] {
  const records: StoredRecord[] = [];
  let at = 0;
  const line = () => {
    const end = out.indexOf(10, at);
    if (end < 0) throw new Error(`kcat output truncated at byte ${at}`);
    const text = decoder.decode(out.subarray(at, end));
    at = end + 1;
    return text;
  };
  while (at < out.length) {
    const head = line();
    if (!head.startsWith(MARK)) throw new Error(`Unexpected kcat output: ${head.slice(0, 80)}`);
    const [partition, offset, timestamp, keyLength, valueLength] = head.slice(MARK.length).split(
      " ",
    ).map(Number) as number[];
    const key = keyLength! < 0 ? null : out.slice(at, at + keyLength!);
    at += Math.max(0, keyLength!);
    const value = valueLength! < 0 ? null : out.slice(at, at + valueLength!);
    at += Math.max(0, valueLength!);
    if (out[at] !== 10) {
      throw new Error(`kcat output misaligned after record ${partition}/${offset}`);
    }
    at++;
    // Header line, kept as bytes ("H n=v,n=v"): values may hold any byte but "," "=" "\n".
    const headerEnd = out.indexOf(10, at);
    if (headerEnd < 0) throw new Error(`kcat output truncated at byte ${at}`);
    const csv = out.subarray(at + 2, headerEnd);
    at = headerEnd + 1;
    const headers: Array<[string, Uint8Array | null]> = [];
    let start = 0;
    while (start < csv.length) {
      let end = csv.indexOf(44, start); // ","
      if (end < 0) end = csv.length;
      const pair = csv.subarray(start, end);
      const eq = pair.indexOf(61); // "="
      const raw = pair.slice(eq + 1);
      headers.push([
        decoder.decode(pair.subarray(0, eq)),
        decoder.decode(raw) === "NULL" ? null : raw,
      ]);
      start = end + 1;
    }
    records.push({
      topic,
      partition: partition!,
      offset: offset!,
      key,
      value,
      headers,
      timestamp: timestamp!,
    });
  }
  return records;
}

/**
 * Reads a topic (or one partition) from the beginning to its current end with kcat, CRCs
 * checked. With `expected`, retries until that many records are there (replication in the
 * mock is immediate, but a real cluster may lag) or `timeoutMs` passes.
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  options: { partition?: number; expected?: number; timeoutMs?: number } = {},
): Promise<StoredRecord[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const args = [
      "-C",
      "-b",
      bootstrap,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-X",
      "check.crcs=true",
      "-f",
      FORMAT,
    ];
    if (options.partition !== undefined) args.push("-p", String(options.partition));
    const records = parse(topic, await run(args, Math.max(5000, deadline - Date.now())));
    if (
      options.expected === undefined || records.length >= options.expected || Date.now() > deadline
    ) return records;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The end offset (high watermark) of every partition of a topic. */
export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const metadata = JSON.parse(
    decoder.decode(await run(["-L", "-b", bootstrap, "-t", topic, "-J"], 30_000)),
  );
  const partitions: number[] = metadata.topics[0].partitions.map((p: { partition: number }) =>
    p.partition
  );
  const args = ["-Q", "-b", bootstrap, "-J"];
  for (const partition of partitions) args.push("-t", `${topic}:${partition}:-1`);
  const answer = JSON.parse(decoder.decode(await run(args, 30_000)))[topic];
  const offsets = new Map<number, number>();
  for (const partition of partitions) offsets.set(partition, answer[String(partition)].offset);
  return offsets;
}

/** Produces lines with kcat (for tests that need data written by librdkafka). */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  lines: string[],
  options: { keyDelimiter?: string; partitioner?: string; compression?: string } = {},
): Promise<void> {
  const args = ["-P", "-b", bootstrap, "-t", topic];
  if (options.keyDelimiter) args.push("-K", options.keyDelimiter);
  if (options.partitioner) args.push("-X", `partitioner=${options.partitioner}`);
  if (options.compression) args.push("-z", options.compression);
  await new Promise<void>((resolve, reject) => {
    const child = execFile("kcat", args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`kcat -P failed: ${error.message}: ${stderr}`));
      else resolve();
    });
    child.stdin!.end(lines.join("\n") + "\n");
  });
}
