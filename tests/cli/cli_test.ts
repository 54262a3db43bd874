import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { parseProduceArgs, runProduceCli } from "../../src/cli/produce_cli.ts";
import { CliTransactions } from "../../src/cli/cli_transactions.ts";
import {
  type MockCluster,
  startCluster,
  startMockCluster,
  type TestCluster,
  uniqueTopic,
} from "../support/test_cluster.ts";

const encoder = new TextEncoder();
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe("parseProduceArgs()", () => {
  it("maps flags and -X properties onto the producer config", () => {
    const options = parseProduceArgs([
      "-b",
      "h:1",
      "-t",
      "t",
      "-K",
      "\t",
      "-z",
      "gzip",
      "--linger-ms",
      "7",
      "--batch-size",
      "100",
      "--max-request-size",
      "5000",
      "-X",
      "retries=3",
      "-p",
      "2",
    ]);
    assert.equal(options.keyDelimiter, "\t");
    assert.equal(options.partition, 2);
    assert.deepEqual(options.config, {
      bootstrapServers: "h:1",
      compressionType: "gzip",
      lingerMs: 7,
      batchSize: 100,
      maxRequestSize: 5000,
      retries: 3,
    });
  });

  it("-d / --debug turns on the debug log (on stderr, never stdout)", () => {
    assert.equal(parseProduceArgs(["-b", "h:1", "-t", "t"]).config.logger, undefined);
    const options = parseProduceArgs(["-b", "h:1", "-t", "t", "-d"]);
    const logger = options.config.logger!;
    const original = { log: console.log, error: console.error };
    const out: string[] = [];
    const err: string[] = [];
    console.log = (line: string) => out.push(line);
    console.error = (line: string) => err.push(line);
    try {
      logger.debug("connecting", { nodeId: 1 });
    } finally {
      console.log = original.log;
      console.error = original.error;
    }
    assert.deepEqual(out, []);
    assert.deepEqual(err, ['[sluice] DEBUG connecting {"nodeId":1}']);
    assert.ok(parseProduceArgs(["-b", "h:1", "-t", "t", "--debug"]).config.logger);
  });

  it("explains missing and unknown arguments", () => {
    assert.throws(() => parseProduceArgs(["-t", "x"]), /Missing -b BOOTSTRAP/);
    assert.throws(() => parseProduceArgs(["-b", "h:1"]), /Missing -t TOPIC/);
    assert.throws(
      () => parseProduceArgs(["-b", "h:1", "-t", "x", "--nope"]),
      /Unknown argument "--nope"/,
    );
    assert.throws(
      () => parseProduceArgs(["-b", "h:1", "-t", "x", "-X", "bogus.prop=1"]),
      /Unknown producer property "bogus.prop"/,
    );
  });
});

describe("CliTransactions", () => {
  function recording() {
    const calls: string[] = [];
    let commits: Array<() => void> = [];
    const producer = {
      beginTransaction: () => void calls.push("begin"),
      commitTransaction: () => {
        calls.push("commit");
        return new Promise<void>((resolve) => commits.push(resolve));
      },
      abortTransaction: () => Promise.resolve(void calls.push("abort")),
    };
    const release = () => {
      for (const resolve of commits) resolve();
      commits = [];
    };
    return { calls, producer, release };
  }

  it("CliTransactions commits every recordsPer records and the rest at finish()", async () => {
    const { calls, producer, release } = recording();
    const transactions = new CliTransactions(producer, 2);
    for (let i = 0; i < 5; i++) {
      transactions.beforeRecord();
      const committing = transactions.afterRecord();
      release();
      await committing;
    }
    const finishing = transactions.finish();
    release();
    await finishing;
    assert.deepEqual(calls, ["begin", "commit", "begin", "commit", "begin", "commit"]);
    assert.equal(transactions.committed, 3);
  });

  it("CliTransactions.interrupt() lets a commit under way end, aborts the open transaction and commits nothing more", async () => {
    const { calls, producer, release } = recording();
    const transactions = new CliTransactions(producer, 2);
    transactions.beforeRecord();
    transactions.afterRecord();
    transactions.beforeRecord(); // 2 records: committing
    const committing = transactions.afterRecord();
    const interrupted = transactions.interrupt();
    release();
    await committing;
    await interrupted;
    assert.deepEqual(calls, ["begin", "commit"], "the full transaction committed");
    assert.throws(() => transactions.beforeRecord(), /Interrupted/);
    await transactions.finish();
    assert.deepEqual(calls, ["begin", "commit"], "EOF after a signal commits nothing");
  });

  it("CliTransactions.interrupt() aborts an open transaction", async () => {
    const { calls, producer } = recording();
    const transactions = new CliTransactions(producer, 10);
    transactions.beforeRecord();
    transactions.afterRecord();
    await transactions.interrupt();
    assert.deepEqual(calls, ["begin", "abort"]);
  });
});

describe("sluice-produce arguments", () => {
  /** A stdin with one line that records whether the CLI started reading it. */
  function watchedStdin() {
    const watch = { read: false };
    const stdin: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        watch.read = true;
        return chunks("v\n", 100);
      },
    };
    return { watch, stdin };
  }

  it("checks every argument before reading stdin: bad ones exit 2 at once", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["-t", "a/b"], /Invalid topic "a\/b": must use only a-z, A-Z, 0-9, "\.", "_" and "-"/],
      [["-t", ".."], /Invalid topic "\.\."/],
      [["-t", "x".repeat(250)], /Invalid topic .*must be at most 249 characters/],
      [["-t", "t", "--stats=/nonexistent-dir/stats.json"], /Invalid --stats=.*nonexistent-dir/],
      [["-t", "t", "-X", "linger.ms=-1"], /linger/],
      [["-t", "t", "-X", "acks=2"], /acks/],
      [["-t", "t", "-p", "x"], /Invalid partition "x"/],
      [["-t", "t", "-b", "localhost"], /Invalid "bootstrapServers": "localhost"/],
      [
        ["-t", "t", "--transaction-records", "5"],
        /--transaction-records: it needs -X transactional.id/,
      ],
      [
        ["-t", "t", "-X", "transactional.id=x", "--transaction-records", "0"],
        /Invalid --transaction-records "0": must be a positive integer/,
      ],
      [["-t", "t", "-X", "transactional.id=x", "-X", "acks=1"], /needs idempotence/],
    ];
    for (const [args, message] of cases) {
      const { watch, stdin } = watchedStdin();
      let stderr = "";
      const code = await runProduceCli(["-b", "127.0.0.1:1", ...args], {
        stdin,
        stderr: (text) => stderr += text,
      });
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, message);
      assert.equal(watch.read, false, `${args.join(" ")}: stdin was read`);
    }
  });

  it("cli.ts exits 2 on a bad topic without waiting for stdin", async () => {
    const runtime = (globalThis as { Deno?: unknown }).Deno
      ? [process.execPath, "run", "-A"]
      : [process.execPath];
    const cli = new URL("../../cli.ts", import.meta.url).pathname;
    const [command, ...args] = runtime;
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = execFile(
        command!,
        [...args, cli, "-b", "127.0.0.1:1", "-t", "a/b"],
        (error, _stdout, stderr) => {
          clearTimeout(fallback);
          resolve({
            code: error ? (error as { code?: number }).code ?? 1 : 0,
            stderr: String(stderr),
          });
        },
      );
      // stdin stays open, as with "(sleep 3; echo v) | sluice-produce ...": the CLI must not
      // wait for it. (Should it, stdin is closed after a while so the test ends and fails.)
      const fallback = setTimeout(() => child.stdin!.end(), 15_000);
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error: Invalid topic "a\/b"/);
  });
});

describe("sluice-produce", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("produces one record per line (keys with -K, lines split across chunks) and exits 0", async () => {
    const topic = uniqueTopic("cli");
    await cluster.createTopic(topic, 3);
    const lines = Array.from({ length: 5000 }, (_, i) => `k${i % 10}:value ${i}`);
    let stderr = "";
    const code = await runProduceCli(["-b", cluster.bootstrap, "-t", topic, "-K", ":"], {
      stdin: chunks(lines.join("\r\n") + "\nlast-no-newline", 777),
      stderr: (text) => stderr += text,
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /5001 records, \d+ bytes in [\d.]+ s \(\d+ records\/s\)/);
    const stored = await cluster.readBack(topic, { expected: 5001 });
    assert.equal(stored.length, 5001);
    const values = new Set(stored.map((r) => new TextDecoder().decode(r.value!)));
    assert.ok(values.has("value 4999") && values.has("last-no-newline"));
    assert.ok(!values.has("value 1\r"), "CR stripped");
    const keyed = stored.find((r) => new TextDecoder().decode(r.value!) === "value 13")!;
    assert.equal(new TextDecoder().decode(keyed.key!), "k3");
  });

  it("exits 1 with the reason when records fail, and 2 on bad arguments", async () => {
    let stderr = "";
    assert.equal(
      await runProduceCli(["-t", "x"], { stdin: chunks("", 1), stderr: (t) => stderr += t }),
      2,
    );
    assert.match(stderr, /Missing -b BOOTSTRAP/);
    // A topic whose metadata never appears needs the mock (real Kafka would auto-create it).
    const mock: MockCluster = await startMockCluster({ brokers: 1 });
    try {
      const topic = uniqueTopic("cli-fail");
      await mock.command(`topic_error ${topic} 3`);
      stderr = "";
      const code = await runProduceCli([
        "-b",
        mock.bootstrap,
        "-t",
        topic,
        "-X",
        "max.block.ms=300",
      ], {
        stdin: chunks("a\nb\n", 100),
        stderr: (t) => stderr += t,
      });
      assert.equal(code, 1);
      assert.match(stderr, /error \[MAX_BLOCK_TIMEOUT\]: Topic ".*" is not present in metadata/);
    } finally {
      await mock.close();
    }
  });

  it("sends lines as large as max.request.size allows: the size check counts exact bytes", async () => {
    const topic = uniqueTopic("cli-size");
    await cluster.createTopic(topic, 1);
    // A 1978-byte line without key is a 1987-byte record (length 2, attributes, deltas and null
    // key 1 each, value length 2, the value, header count 1) in a 2048-byte batch.
    let stderr = "";
    const code = await runProduceCli(
      ["-b", cluster.bootstrap, "-t", topic, "--max-request-size", "2048"],
      {
        stdin: chunks(`${"x".repeat(1978)}\n${"y".repeat(1979)}\n`, 4096),
        stderr: (t) => stderr += t,
      },
    );
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /error \[RECORD_TOO_LARGE\]: .* must be <= 1987 bytes .*: its encoded size is 1988 bytes/,
    );
    const stored = await cluster.readBack(topic, { expected: 1 });
    assert.deepEqual(stored.map((r) => r.value!.length), [1978]);
  });

  it("cli.ts runs as a program on this runtime, reading stdin", async () => {
    const topic = uniqueTopic("cli-proc");
    await cluster.createTopic(topic, 1);
    const runtime = (globalThis as { Deno?: unknown }).Deno
      ? [process.execPath, "run", "-A"]
      : [process.execPath];
    const cli = new URL("../../cli.ts", import.meta.url).pathname;
    const [command, ...args] = runtime;
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = execFile(
        command!,
        [...args, cli, "-b", cluster.bootstrap, "-t", topic],
        (error, _stdout, stderr) => {
          resolve({
            code: error ? (error as { code?: number }).code ?? 1 : 0,
            stderr: String(stderr),
          });
        },
      );
      child.stdin!.end("one\ntwo\nthree\n");
    });
    assert.equal(result.code, 0, result.stderr);
    const stored = await cluster.readBack(topic, { expected: 3 });
    assert.deepEqual(stored.map((r) => new TextDecoder().decode(r.value!)), [
      "one",
      "two",
      "three",
    ]);
  });
});
