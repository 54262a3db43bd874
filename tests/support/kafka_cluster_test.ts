// The real-cluster support itself: the launcher's control port, the two readers' agreement
// check, and that a cluster a process started goes away with that process (no orphaned JVMs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { StoredRecord } from "./kcat.ts";
import { assertSameRecords, type RealKafkaCluster, startRealCluster } from "./kafka_cluster.ts";
import { uniqueTopic } from "./mock_cluster.ts";

const record = (partition: number, offset: number, value: number[]): StoredRecord => ({
  topic: "t",
  partition,
  offset,
  key: null,
  value: Uint8Array.from(value),
  headers: [],
  timestamp: 1,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("RealKafkaCluster", () => {
  let cluster: RealKafkaCluster;
  before(async () => {
    cluster = await startRealCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("command() rejects an unknown or failing command with the launcher's reason", async () => {
    await assert.rejects(cluster.command("no_such_command"), /unknown command no_such_command/);
    await assert.rejects(cluster.describeTopic(uniqueTopic("missing")), /failed: .*Unknown/i);
    assert.deepEqual(await cluster.command("ping"), []);
  });

  it("createTopic() gives every partition the replication factor asked for, with a leader among its replicas", async () => {
    const topic = uniqueTopic("configs");
    await cluster.createTopic(topic, 3, { replicationFactor: 2 });
    const partitions = await cluster.describeTopic(topic);
    assert.equal(partitions.length, 3);
    for (const p of partitions) {
      assert.equal(p.replicas.length, 2);
      assert.ok(p.leader >= 1 && p.replicas.includes(p.leader));
    }
  });

  it("assertSameRecords() accepts the same records in another partition order and refuses any difference", () => {
    const a = [record(0, 0, [1]), record(1, 0, [2])];
    assertSameRecords(a, [a[1]!, a[0]!], "t");
    assert.throws(
      () => assertSameRecords(a, [a[0]!], "t"),
      /kcat read 2 records .* Java's consumer 1/,
    );
    assert.throws(
      () => assertSameRecords(a, [a[0]!, record(1, 0, [3])], "t"),
      /disagree on "t"/,
    );
  });

  it("a cluster a process started stops with that process, even without close()", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-kafka-lifetime-"));
    try {
      const script = join(dir, "forgotten.ts");
      const module = new URL("./kafka_cluster.ts", import.meta.url).href;
      await writeFile(
        script,
        `import { startRealCluster } from ${JSON.stringify(module)};\n` +
          `const cluster = await startRealCluster({ shared: false });\n` +
          `console.log("PIDS " + cluster.info.nodes.map((n) => n.pid).join(","));\n`,
      );
      const runtime = (globalThis as { Deno?: unknown }).Deno
        ? [process.execPath, "run", "-A"]
        : [process.execPath];
      const [command, ...args] = runtime;
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(command!, [...args, script], { timeout: 240_000 }, (error, out, err) => {
          if (error) reject(new Error(`${error.message}: ${err}`));
          else resolve(String(out));
        });
      });
      const pids = /PIDS (\S+)/.exec(stdout)?.[1]?.split(",").map(Number) ?? [];
      assert.equal(pids.length, 3, stdout);
      // The script exited (its stdin pipe to the launcher closed): the nodes follow.
      for (let i = 0; i < 600 && pids.some(alive); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(pids.filter(alive), [], "no Kafka node outlives the process");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
