// sluice-produce's observability: --stats[=FILE] at exit, progress only on a terminal, and the
// documented exit codes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PRODUCE_USAGE, runProduceCli } from "../../src/cli/produce_cli.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const encoder = new TextEncoder();

/** Lines in small chunks with pauses, so a run lasts long enough for progress ticks. */
async function* slowLines(count: number, pauseMs: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i += 100) {
    let text = "";
    for (let j = i; j < Math.min(count, i + 100); j++) text += `line ${j}\n`;
    yield encoder.encode(text);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

describe("sluice-produce --stats, progress and exit codes", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("--stats prints the producer's stats as JSON on stderr at exit", async () => {
    const topic = uniqueTopic("cli-stats");
    await cluster.createTopic(topic, 1);
    let stderr = "";
    const code = await runProduceCli(["-b", cluster.bootstrap, "-t", topic, "--stats"], {
      stdin: slowLines(500, 0),
      stderr: (text) => stderr += text,
    });
    assert.equal(code, 0, stderr);
    const json = JSON.parse(stderr.slice(stderr.indexOf("{")));
    assert.equal(json.recordsAcknowledged, 500);
    assert.equal(json.recordsFailed, 0);
    assert.ok(json.requests >= 1);
    assert.ok(!stderr.includes("\r"), "no progress when stderr is not a terminal");
    assert.equal((await cluster.readBack(topic, { expected: 500 })).length, 500);
  });

  it("--stats=FILE writes the JSON to FILE; progress shows on a terminal", async () => {
    const topic = uniqueTopic("cli-stats-file");
    await cluster.createTopic(topic, 1);
    const dir = mkdtempSync(join(tmpdir(), "sluice-stats-"));
    try {
      const file = join(dir, "stats.json");
      let stderr = "";
      const code = await runProduceCli(
        ["-b", cluster.bootstrap, "-t", topic, `--stats=${file}`],
        {
          stdin: slowLines(1000, 15),
          stderr: (text) => stderr += text,
          stderrIsTTY: true,
          progressIntervalMs: 20,
        },
      );
      assert.equal(code, 0, stderr);
      assert.equal(JSON.parse(readFileSync(file, "utf8")).recordsAcknowledged, 1000);
      assert.match(stderr, /\r% \d+ records, [\d.]+ MB, \d+ records\/s /);
      assert.match(stderr, /% 1000 records, \d+ bytes in [\d.]+ s/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exit codes: 2 for bad arguments (usage shown; a --stats=FILE that cannot be written, before stdin is read), 1 when writing it fails at exit", async () => {
    let stderr = "";
    const io = { stdin: slowLines(0, 0), stderr: (text: string) => stderr += text };
    assert.equal(await runProduceCli(["-b", "h:1", "-t", "t", "--stats="], io), 2);
    assert.match(stderr, /Invalid --stats=: expected a file name/);
    assert.ok(stderr.includes(PRODUCE_USAGE));
    assert.match(PRODUCE_USAGE, /Exit codes: 0 every record was acknowledged; 1 a record failed/);
    stderr = "";
    let read = false;
    const watched: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        read = true;
        return slowLines(10, 0);
      },
    };
    const topic = uniqueTopic("cli-stats-bad");
    await cluster.createTopic(topic, 1);
    assert.equal(
      await runProduceCli(
        ["-b", cluster.bootstrap, "-t", topic, "--stats=/nonexistent-dir/stats.json"],
        { stdin: watched, stderr: (text) => stderr += text },
      ),
      2,
    );
    assert.match(stderr, /error: Invalid --stats="\/nonexistent-dir\/stats.json": cannot write/);
    assert.equal(read, false, "stdin was read");
    stderr = "";
    const dir = mkdtempSync(join(tmpdir(), "sluice-stats-"));
    try {
      const code = await runProduceCli(
        ["-b", cluster.bootstrap, "-t", topic, `--stats=${join(dir, "stats.json")}`],
        {
          stdin: slowLines(10, 0),
          stderr: (text) => stderr += text,
          writeFile: () => {
            throw new Error("ENOSPC: no space left on device");
          },
        },
      );
      assert.equal(code, 1);
      assert.match(stderr, /error: ENOSPC: no space left on device/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
