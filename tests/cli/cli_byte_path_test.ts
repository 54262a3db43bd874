// The CLI appends lines straight into batches (the producer's byte path) and falls back to
// the stream when that cannot take a line at once. These tests pin what must hold across
// both paths: every line stored once, in order, and stdin read from a regular file in large
// chunks with lines split across chunk boundaries.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runProduceCli } from "../../src/cli/produce_cli.ts";
import {
  type MockCluster,
  startCluster,
  startMockCluster,
  type TestCluster,
  uniqueTopic,
} from "../support/test_cluster.ts";

const decoder = new TextDecoder();

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/**
 * Chunks in one reused buffer, as stdinChunks() reads a file: once the CLI asks for the next
 * chunk the previous one is scribbled over, so a line it kept a view of (instead of a copy)
 * would be stored as garbage.
 */
async function* reusedChunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(size);
  for (let at = 0; at < bytes.length; at += size) {
    const chunk = bytes.subarray(at, at + size);
    buffer.set(chunk);
    yield buffer.subarray(0, chunk.length);
    buffer.fill(0x23);
  }
}

describe("sluice-produce byte path", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("keeps every line once and in order when a small buffer forces the stream fallback, from chunks overwritten once read", async () => {
    const topic = uniqueTopic("cli-order");
    await cluster.createTopic(topic, 2);
    const count = 20_000;
    const lines = Array.from({ length: count }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    let stderr = "";
    // 64 KiB of buffer for ~1 MB of records: the byte path finds it full again and again.
    const code = await runProduceCli([
      "-b",
      cluster.bootstrap,
      "-t",
      topic,
      "-p",
      "1",
      "-X",
      "buffer.memory=65536",
      "-X",
      "batch.size=8192",
    ], {
      stdin: reusedChunksOf(new TextEncoder().encode(lines.join("\n") + "\n"), 4093),
      stderr: (text) => stderr += text,
    });
    assert.equal(code, 0, stderr);
    const stored = await cluster.readBack(topic, { partition: 1, expected: count });
    assert.equal(stored.length, count);
    for (let i = 0; i < count; i++) {
      if (decoder.decode(stored[i]!.value!) !== lines[i]) {
        assert.fail(
          `offset ${i}: expected "${lines[i]}", got "${decoder.decode(stored[i]!.value!)}"`,
        );
      }
    }
    assert.deepEqual(await cluster.readBack(topic, { partition: 0 }), []);
  });

  it("cli.ts reads stdin redirected from a file in large chunks, lines spanning them (gzip, acks=all)", async () => {
    const topic = uniqueTopic("cli-file");
    await cluster.createTopic(topic, 1);
    const dir = mkdtempSync(join(tmpdir(), "sluice-cli-"));
    const file = join(dir, "lines.txt");
    // ~3.3 MB: several 1 MiB reads, with lines of varying length crossing each boundary.
    const count = 30_000;
    const lines = Array.from({ length: count }, (_, i) => `${i}\t${"v".repeat(60 + (i % 97))}`);
    writeFileSync(file, lines.join("\n")); // the last line has no newline
    try {
      const runtime = (globalThis as { Deno?: unknown }).Deno
        ? [process.execPath, "run", "-A"]
        : [process.execPath];
      const cli = new URL("../../cli.ts", import.meta.url).pathname;
      const [command, ...args] = runtime;
      const fd = openSync(file, "r");
      const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn(command!, [
          ...args,
          cli,
          "-b",
          cluster.bootstrap,
          "-t",
          topic,
          "-K",
          "\t",
          "-z",
          "gzip",
          "--acks",
          "all",
        ], {
          stdio: [fd, "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (chunk) => stderr += chunk);
        // A process that does not exit (e.g. a connection left open) fails here, not by hanging.
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stderr });
        });
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`% ${count} records`));
      const stored = await cluster.readBack(topic, { expected: count });
      assert.equal(stored.length, count);
      for (let i = 0; i < count; i++) {
        const record = stored[i]!;
        const [key, value] = lines[i]!.split("\t");
        if (decoder.decode(record.key!) !== key || decoder.decode(record.value!) !== value) {
          assert.fail(`offset ${i}: expected key ${key}, got ${decoder.decode(record.key!)}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("sluice-produce byte path (mock cluster: injected errors)", () => {
  let mock: MockCluster;
  before(async () => {
    mock = await startMockCluster({ brokers: 1 });
  });
  after(async () => {
    await mock.close();
  });

  it("exits 1 naming the broker's error when a batch appended on the byte path fails for good", async () => {
    const topic = uniqueTopic("cli-fatal");
    await mock.createTopic(topic, 1);
    // The first line waits for metadata on the stream path, the next ones take the byte path
    // into the same batch; its Produce request fails with INVALID_RECORD (87, not retriable).
    await mock.pushErrors(0, [87]);
    let stderr = "";
    const code = await runProduceCli(["-b", mock.bootstrap, "-t", topic, "--acks", "1"], {
      stdin: chunksOf(new TextEncoder().encode("a\nb\nc\n"), 2),
      stderr: (text) => stderr += text,
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /error \[INVALID_RECORD\]/);
  });
});
