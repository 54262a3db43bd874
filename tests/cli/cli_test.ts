import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { parseProduceArgs, runProduceCli } from "../../src/cli/produce_cli.ts";
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
