import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { endOffsets, kcatProduce, readTopic } from "./kcat.ts";
import {
  faultInjectionAvailable,
  startCluster,
  type TestCluster,
  uniqueTopic,
} from "./mock_cluster.ts";

describe("startCluster() and kcat helpers", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster.close();
  });

  it("readTopic() reads back keys, values, headers and offsets written by kcat", async () => {
    const topic = uniqueTopic("support");
    await cluster.createTopic(topic, 2);
    await kcatProduce(cluster.bootstrap, topic, ["k1\tv1", "k2\tv2", "\tnokey"], {
      keyDelimiter: "\t",
    });
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 3 });
    assert.equal(stored.length, 3);
    const byValue = new Map(stored.map((r) => [new TextDecoder().decode(r.value!), r]));
    assert.equal(new TextDecoder().decode(byValue.get("v1")!.key!), "k1");
    assert.deepEqual(byValue.get("nokey")!.key, new Uint8Array(0));
    const offsets = await endOffsets(cluster.bootstrap, topic);
    assert.equal([...offsets.values()].reduce((a, b) => a + b, 0), 3);
    assert.deepEqual([...offsets.keys()].sort(), [0, 1]);
  });

  it("command() answers OK to fault commands and rejects bad ones with the reason", async () => {
    if (!faultInjectionAvailable()) return;
    assert.deepEqual(await cluster.command("ping"), []);
    await cluster.setRtt(1, 5);
    await cluster.setRtt(1, 0);
    await cluster.pushErrors(0, [6]);
    await cluster.command("clear_errors 0");
    await cluster.setApiVersion(0, 3, 10);
    await cluster.brokerDown(2);
    await cluster.brokerUp(2);
    await assert.rejects(cluster.command("no_such_command"), /failed: unknown command/);
    await assert.rejects(cluster.command("rtt x 1"), /must be integers/);
    assert.deepEqual(await cluster.command("ping"), [], "the harness still answers after an error");
  });
});
