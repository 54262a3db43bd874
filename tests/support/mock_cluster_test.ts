import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { endOffsets, kcatProduce, kcatProduceBytes, readTopic } from "./kcat.ts";
import { type MockCluster, startMockCluster, uniqueTopic } from "./mock_cluster.ts";
import { defaultProvider, startCluster, type TestCluster } from "./test_cluster.ts";
import { Producer } from "../../mod.ts";

const text = (bytes: Uint8Array | null | undefined): string | null | undefined =>
  bytes == null ? bytes : new TextDecoder().decode(bytes);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** Resolves true if a TCP connection to host:port is accepted, false if refused. */
function accepts(address: string): Promise<boolean> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve) => {
    const socket = connect(Number(address.slice(colon + 1)), address.slice(0, colon));
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls until accepts(address) === want or 10 s pass; returns the last answer. */
async function waitAccepts(address: string, want: boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await accepts(address);
    if (now === want || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function kcatJson(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile("kcat", [...args, "-J"], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kcat ${args.join(" ")}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

function harnessPath(): string {
  return process.env.SLUICE_MOCK_HARNESS ||
    execFileSync("bash", [fileURLToPath(new URL("../broker/build.sh", import.meta.url))], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
}

/** Runs a .ts script with the runtime running this test; resolves with its exit code and stdout. */
function runScript(file: string): Promise<{ code: number | null; stdout: string }> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const args = g.Deno !== undefined ? ["run", "-A", file] : [file];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => (stdout += chunk));
    // A runner kept alive by the cluster would never exit: fail instead of hanging the suite.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe("startMockCluster() with kcat's reader and writer", () => {
  let cluster: MockCluster;
  before(async () => {
    cluster = await startMockCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster.close();
  });

  it("readTopic() reads back keys, values and offsets written by kcatProduce()", async () => {
    const topic = uniqueTopic("support");
    await cluster.createTopic(topic, 2);
    await kcatProduce(cluster.bootstrap, topic, ["k1\tv1", "k2\tv2", "\tnokey"], {
      keyDelimiter: "\t",
      partition: 1,
    });
    await kcatProduce(cluster.bootstrap, topic, ["k3\t", "plain"], {
      keyDelimiter: "\t",
      partition: 0,
    });
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 5 });
    assert.equal(stored.length, 5);
    const p1 = stored.filter((r) => r.partition === 1);
    assert.deepEqual(p1.map((r) => [r.offset, text(r.key), text(r.value)]), [
      [0, "k1", "v1"],
      [1, "k2", "v2"],
      [2, "", "nokey"],
    ]);
    const p0 = stored.filter((r) => r.partition === 0);
    assert.deepEqual(p0.map((r) => [r.offset, text(r.key), text(r.value)]), [
      [0, "k3", ""], // an empty value stays empty, not null
      [1, null, "plain"], // no delimiter: null key
    ]);
    for (const record of stored) {
      assert.equal(record.topic, topic);
      assert.deepEqual(record.headers, []);
      assert.ok(record.timestamp > 0, `timestamp ${record.timestamp}`);
    }
    assert.deepEqual(await endOffsets(cluster.bootstrap, topic), new Map([[0, 2], [1, 3]]));
    const onlyP0 = await readTopic(cluster.bootstrap, topic, { partition: 0 });
    assert.deepEqual(onlyP0.map((r) => r.offset), [0, 1]);
  });

  it("readTopic() keeps null keys and values apart from empty ones (kcat -Z)", async () => {
    const topic = uniqueTopic("nulls");
    await cluster.createTopic(topic, 1);
    await kcatProduce(cluster.bootstrap, topic, ["k:", ":"], {
      keyDelimiter: ":",
      emptyAsNull: true,
    });
    const stored = await readTopic(cluster.bootstrap, topic, { expected: 2 });
    assert.deepEqual(stored.map((r) => [text(r.key), r.value]), [["k", null], [null, null]]);
  });

  it("readTopic() returns binary values byte for byte and text headers", async () => {
    const topic = uniqueTopic("binary");
    await cluster.createTopic(topic, 1);
    const values = [
      bytes(0, 10, 13, 0, 255, 254, 128, 34, 92, 47, 127, 1, 31),
      new TextEncoder().encode("line1\nline2\n\u0000end \u{1F600} é"),
      Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 0xff),
      bytes(0),
    ];
    await kcatProduceBytes(cluster.bootstrap, topic, values, {
      key: 'k,="\\',
      headers: [["h1", "a,b=c"], ["h2", "multi\nline"], ["h1", "again"]],
    });
    const stored = await readTopic(cluster.bootstrap, topic, { expected: values.length });
    assert.equal(stored.length, values.length);
    for (const [i, record] of stored.entries()) {
      assert.equal(record.offset, i);
      assert.deepEqual(record.value, values[i]);
      assert.equal(text(record.key), 'k,="\\');
      assert.deepEqual(
        record.headers.map(([name, value]) => [name, text(value)]),
        [["h1", "a,b=c"], ["h2", "multi\nline"], ["h1", "again"]],
      );
    }
  });

  it("readTopic() returns binary keys, header values and timestamps written by Producer", async () => {
    const topic = uniqueTopic("headers");
    await cluster.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: cluster.bootstrap });
    try {
      await producer.send({
        topic,
        key: bytes(0, 10, 255, 34),
        value: new Uint8Array(0),
        headers: [
          ["bin", bytes(0, 10, 44, 61, 255, 34, 92, 0)],
          ["none", null],
          ["empty", new Uint8Array(0)],
          ["utf8", "h\u00e9\u{1F600}"],
        ],
        timestamp: 1_234_567_890_123,
      });
      await producer.send({ topic, key: null, value: null, timestamp: 1 });
    } finally {
      await producer.close();
    }
    const [first, second] = await readTopic(cluster.bootstrap, topic, { expected: 2 });
    assert.ok(first && second);
    assert.deepEqual(first.key, bytes(0, 10, 255, 34));
    assert.deepEqual(first.value, new Uint8Array(0));
    assert.equal(first.timestamp, 1_234_567_890_123);
    assert.deepEqual(first.headers, [
      ["bin", bytes(0, 10, 44, 61, 255, 34, 92, 0)],
      ["none", null],
      ["empty", new Uint8Array(0)],
      ["utf8", new TextEncoder().encode("h\u00e9\u{1F600}")],
    ]);
    assert.equal(second.key, null);
    assert.equal(second.value, null);
    assert.equal(second.timestamp, 1);
  });

  it("kcatProduce() and kcatProduceBytes() reject what kcat cannot send", async () => {
    await assert.rejects(kcatProduce(cluster.bootstrap, "x", ["a\nb"]), RangeError);
    await assert.rejects(kcatProduceBytes(cluster.bootstrap, "x", [new Uint8Array(0)]), RangeError);
  });

  it("uniqueTopic() returns distinct valid names and rejects bad prefixes", () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueTopic("u.x_y-z")));
    assert.equal(names.size, 100);
    for (const name of names) assert.match(name, /^u\.x_y-z-[a-zA-Z0-9._-]+$/);
    assert.throws(() => uniqueTopic("bad name"), RangeError);
    assert.throws(() => uniqueTopic(""), RangeError);
  });
});

{
  describe("MockCluster fault commands", () => {
    let cluster: MockCluster;
    before(async () => {
      cluster = await startMockCluster({ brokers: 3, topics: [{ name: "preset", partitions: 3 }] });
    });
    after(async () => {
      await cluster.close();
    });

    it("startMockCluster() hosts three brokers on 127.0.0.1", () => {
      assert.equal(cluster.provider, "mock");
      const servers = cluster.bootstrap.split(",");
      assert.equal(servers.length, 3);
      for (const server of servers) assert.match(server, /^127\.0\.0\.1:\d+$/);
    });

    it("command() answers OK to every documented command", async () => {
      assert.deepEqual(await cluster.command("ping"), []);
      const topic = uniqueTopic("cmds");
      for (
        const line of [
          `topic_create ${topic} 2`,
          `topic_create ${topic}-rf 1 1`,
          `leader ${topic} 0 2`,
          `leader ${topic} 1 -1`,
          `follower ${topic} 0 3`,
          "errors 0 6 7 -195",
          "clear_errors 0",
          "broker_errors 1 99 6:10 0:5", // api key 99: never sent, nothing stays armed
          "broker_errors 2 98 0:1",
          "rtt 1 5",
          "rtt 1 0",
          "rtt -1 0",
          "apiversion 0 3 10",
          `topic_error ${topic} 0`,
          "coordinator transaction tx-1 2",
          "coordinator group g-1 1",
          "broker_down 2",
          "broker_up 2",
          "track_start",
          "track_stop",
          "track_clear",
          "requests",
        ]
      ) {
        assert.deepEqual(await cluster.command(line), [], line);
      }
    });

    it("command() rejects bad commands with the command and the reason", async () => {
      await assert.rejects(
        cluster.command("no_such_command 1"),
        /Mock cluster command "no_such_command 1" failed: unknown command/,
      );
      await assert.rejects(cluster.command("rtt x 1"), /"rtt x 1" failed: .*must be integers/);
      await assert.rejects(cluster.command("rtt 99 1"), /failed: Broker: Broker not available/);
      await assert.rejects(cluster.command("topic_create t 0"), /partitions must be a positive/);
      await assert.rejects(cluster.command("broker_errors 1 0 6"), /expected <code>:<rtt_ms>/);
      await assert.rejects(cluster.command("apiversion 70000 0 1"), /must be integers/);
      await assert.rejects(cluster.command("coordinator nope k 1"), /transaction or group/);
      await assert.rejects(cluster.command("ping\nping"), RangeError);
      await assert.rejects(cluster.command("  "), RangeError);
      assert.deepEqual(await cluster.command("ping"), [], "the harness still answers after errors");
    });

    it("command() runs concurrent commands in order and matches their answers", async () => {
      const topic = uniqueTopic("order");
      const results = await Promise.allSettled([
        cluster.command("ping"),
        cluster.command(`topic_create ${topic} 1`),
        cluster.command("bogus"),
        cluster.command(`leader ${topic} 0 3`),
        cluster.command("ping"),
      ]);
      assert.deepEqual(results.map((r) => r.status), [
        "fulfilled",
        "fulfilled",
        "rejected",
        "fulfilled",
        "fulfilled",
      ]);
      const metadata = await kcatJson(["-L", "-b", cluster.bootstrap, "-t", topic]);
      const topics = metadata.topics as Array<{ partitions: Array<{ leader: number }> }>;
      assert.equal(topics[0]?.partitions[0]?.leader, 3);
    });

    it("startMockCluster({ topics }) creates the topics with their partitions", async () => {
      assert.deepEqual(
        await endOffsets(cluster.bootstrap, "preset"),
        new Map([[0, 0], [1, 0], [2, 0]]),
      );
    });

    it("setLeader() moves a partition's leader as Metadata reports it", async () => {
      const topic = uniqueTopic("leader");
      await cluster.createTopic(topic, 2);
      await cluster.setLeader(topic, 1, 3);
      await cluster.setLeader(topic, 0, 2);
      const metadata = await kcatJson(["-L", "-b", cluster.bootstrap, "-t", topic]);
      const [entry] = metadata.topics as Array<
        { partitions: Array<{ partition: number; leader: number }> }
      >;
      assert.deepEqual(
        entry?.partitions.map((p) => [p.partition, p.leader]).sort(),
        [[0, 2], [1, 3]],
      );
    });

    it("brokerDown() refuses connections on the broker's port and brokerUp() reopens it", async () => {
      const address = cluster.bootstrap.split(",")[1]!; // broker 2
      assert.equal(await accepts(address), true);
      await cluster.brokerDown(2);
      assert.equal(await waitAccepts(address, false), false);
      await cluster.brokerUp(2);
      assert.equal(await waitAccepts(address, true), true);
    });

    it("pushErrors() fails the next Produce request, then produce works again", async () => {
      const topic = uniqueTopic("errors");
      await cluster.createTopic(topic, 1);
      await cluster.pushErrors(0, [87]); // INVALID_RECORD: not retriable
      await assert.rejects(
        kcatProduce(cluster.bootstrap, topic, ["lost"], {
          config: { "message.send.max.retries": "0" },
        }),
        /failed/,
      );
      await kcatProduce(cluster.bootstrap, topic, ["kept"]);
      const stored = await readTopic(cluster.bootstrap, topic, { expected: 1 });
      assert.deepEqual(stored.map((r) => text(r.value)), ["kept"]);
    });

    it("pushBrokerErrors() fails Produce on that broker only", async () => {
      const topic = uniqueTopic("brokererrors");
      await cluster.createTopic(topic, 1);
      await cluster.setLeader(topic, 0, 1);
      await cluster.pushBrokerErrors(1, 0, [{ code: 87, rttMs: 0 }]);
      await assert.rejects(
        kcatProduce(cluster.bootstrap, topic, ["lost"], {
          config: { "message.send.max.retries": "0" },
        }),
        /failed/,
      );
      await kcatProduce(cluster.bootstrap, topic, ["kept"]);
      const stored = await readTopic(cluster.bootstrap, topic, { expected: 1 });
      assert.deepEqual(stored.map((r) => text(r.value)), ["kept"]);
    });

    it("setApiVersion() with -1 -1 disables Produce, and restoring it enables it", async () => {
      const topic = uniqueTopic("apiversion");
      await cluster.createTopic(topic, 1);
      await cluster.setApiVersion(0, -1, -1);
      await assert.rejects(
        kcatProduce(cluster.bootstrap, topic, ["lost"], {
          config: { "message.timeout.ms": "1000" },
        }),
        /failed/,
      );
      await cluster.setApiVersion(0, 0, 10);
      await kcatProduce(cluster.bootstrap, topic, ["kept"]);
      const stored = await readTopic(cluster.bootstrap, topic, { expected: 1 });
      assert.deepEqual(stored.map((r) => text(r.value)), ["kept"]);
    });

    it("requests() lists the tracked requests with broker id and api key", async () => {
      const topic = uniqueTopic("track");
      await cluster.createTopic(topic, 1);
      await cluster.setLeader(topic, 0, 3);
      await cluster.command("track_clear");
      await cluster.command("track_start");
      await kcatProduce(cluster.bootstrap, topic, ["a", "b"]);
      // Before track_stop: librdkafka 2.8.0 clears the list when tracking stops.
      const requests = await cluster.requests();
      await cluster.command("track_stop");
      const produce = requests.filter((r) => r.apiKey === 0);
      assert.ok(produce.length >= 1, JSON.stringify(requests));
      assert.deepEqual([...new Set(produce.map((r) => r.brokerId))], [3]);
      assert.ok(requests.some((r) => r.apiKey === 3), "a Metadata request was tracked");
      for (const request of requests) assert.ok(request.timestampUs > 0);
      await cluster.command("track_start");
      await cluster.command("track_clear");
      assert.deepEqual(await cluster.requests(), []);
      await cluster.command("track_stop");
    });

    it("endOffsets() rejects for a partition without a leader", async () => {
      const topic = uniqueTopic("noleader");
      await cluster.createTopic(topic, 1);
      await cluster.setLeader(topic, 0, -1);
      await assert.rejects(endOffsets(cluster.bootstrap, topic), /Cannot read the end offset/);
    });

    it("setRtt() is accepted for one broker and for all", async () => {
      await cluster.setRtt(2, 50);
      await cluster.setRtt(-1, 0);
      await assert.rejects(cluster.setRtt(42, 1), /Broker not available/);
    });
  });

  describe("TestCluster lifetime", () => {
    it("close() stops the brokers, is idempotent, and later commands reject", async () => {
      const cluster = await startMockCluster({ brokers: 1 });
      assert.equal(await accepts(cluster.bootstrap), true);
      await cluster.close();
      await cluster.close();
      assert.equal(await waitAccepts(cluster.bootstrap, false), false);
      await assert.rejects(cluster.command("ping"), /closed/);
    });

    it("a harness that dies rejects pending and later commands", async () => {
      const cluster = await startMockCluster({ brokers: 1 });
      const results = await Promise.allSettled([cluster.command("quit"), cluster.command("ping")]);
      // quit is answered OK; the ping sent after it finds the harness gone.
      assert.equal(results[0]?.status, "fulfilled");
      assert.equal(results[1]?.status, "rejected");
      await assert.rejects(cluster.command("ping"), /exited|closed/);
      await cluster.close();
    });

    it("the harness rejects bad arguments and exits on quit and on stdin EOF", async () => {
      const harness = harnessPath();
      const run = (args: string[], input: string) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(harness, args, { stdio: ["pipe", "pipe", "ignore"] });
          let out = "";
          child.stdout!.setEncoding("utf8");
          child.stdout!.on("data", (chunk: string) => (out += chunk));
          child.once("close", (code) => resolve({ code, out }));
          child.stdin!.on("error", () => {}); // EPIPE: bad arguments exit before reading stdin
          child.stdin!.end(input);
        });
      const eof = await run(["--brokers", "2", "--topic", "a:2"], "ping\n\nrequests\n");
      assert.equal(eof.code, 0);
      assert.match(eof.out, /^BOOTSTRAP 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\nOK\nOK\n$/);
      const quit = await run([], "quit\nping\n");
      assert.equal(quit.code, 0);
      assert.match(quit.out, /^BOOTSTRAP [^\n]+\nOK\n$/, "nothing runs after quit");
      assert.equal((await run(["--brokers", "0"], "")).code, 2);
      assert.equal((await run(["--topic", "nopartitions"], "")).code, 2);
      assert.equal((await run(["--bogus"], "")).code, 2);
    });

    it("a cluster left open does not keep the runtime alive, and its harness exits with it", async () => {
      const dir = await mkdtemp(join(tmpdir(), "sluice-support-"));
      try {
        const script = join(dir, "forgotten.ts");
        const module = new URL("./mock_cluster.ts", import.meta.url).href;
        await writeFile(
          script,
          `import { startMockCluster } from ${JSON.stringify(module)};\n` +
            `const cluster = await startMockCluster({ brokers: 1 });\n` +
            `await cluster.command("ping");\n` +
            `console.log("BOOTSTRAP " + cluster.bootstrap);\n`,
        );
        const { code, stdout } = await runScript(script);
        assert.equal(code, 0, "the script exits by itself, with the cluster still open");
        const bootstrap = /BOOTSTRAP (\S+)/.exec(stdout)?.[1];
        assert.ok(bootstrap, stdout);
        assert.equal(await waitAccepts(bootstrap, false), false, "the harness exited too");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("startCluster() with KAFKA_BOOTSTRAP", () => {
    // A mock stands in for the outside cluster: it auto-creates topics with 4 partitions.
    let mock: MockCluster;
    let external: TestCluster;
    before(async () => {
      mock = await startMockCluster({ brokers: 1 });
      process.env.KAFKA_BOOTSTRAP = mock.bootstrap;
      try {
        assert.equal(defaultProvider(), "external");
        external = await startCluster();
      } finally {
        delete process.env.KAFKA_BOOTSTRAP;
      }
    });
    after(async () => {
      await external.close();
      await mock.close();
    });

    it("startCluster() returns a handle for that cluster", () => {
      assert.equal(external.provider, "external");
      assert.equal(external.bootstrap, mock.bootstrap);
    });

    it("createTopic() auto-creates the topic and rejects when it gets too few partitions", async () => {
      const topic = uniqueTopic("auto");
      await external.createTopic(topic, 2);
      assert.equal((await endOffsets(external.bootstrap, topic)).size, 4);
      await assert.rejects(
        external.createTopic(uniqueTopic("auto"), 10),
        /auto-creation gave it 4/,
      );
    });
  });
}
