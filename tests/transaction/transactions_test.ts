// Transactions on real Kafka, checked by read_committed readers we did not write (kcat with
// isolation.level=read_committed and Java's KafkaConsumer, which must agree): committed
// records all visible, aborted ones never. Every test runs on the run's shared cluster
// (Kafka 4.4: transactions v2, KIP-890) and on a cluster with transactions v1 (a 4.4 cluster
// formatted with transaction.version=0; on the Kafka 3.9 run, the shared 3.9 cluster itself),
// and the wire (seen through the fault proxy) shows which protocol was spoken.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import {
  jsonSerializer,
  NdjsonStream,
  Producer,
  ProducerFencedError,
  ToRecordsStream,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "../../mod.ts";
import { BrokerConnection } from "../../src/connection/broker_connection.ts";
import { FindCoordinatorApi } from "../../src/protocol/find_coordinator.ts";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { FaultProxy } from "../support/fault_proxy.ts";
import { readTopic } from "../support/kcat.ts";
import { runtimeCommand } from "../support/fault_plan.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

const decoder = new TextDecoder();
const text = (bytes: Uint8Array | null) => bytes === null ? null : decoder.decode(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Values as read_committed readers (kcat and Java's consumer, agreeing) see them. */
async function committedValues(cluster: RealKafkaCluster, topic: string, expected = 0) {
  const records = await cluster.readBack(topic, {
    isolation: "read_committed",
    expected,
    timeoutMs: expected > 0 ? 30_000 : 15_000,
  });
  return records.map((record) => text(record.value)!);
}

async function allValues(cluster: RealKafkaCluster, topic: string, expected: number) {
  const records = await cluster.readBack(topic, { expected, timeoutMs: 30_000 });
  return records.map((record) => text(record.value)!);
}

/** The cluster's finalized transaction.version (absent on brokers without it: 0). */
/**
 * The transaction version the client uses with this cluster: its finalized
 * `transaction.version`, but 1 when the client is capped below Produce v12
 * (SLUICE_TEST_PRODUCE_MAX), which transactions v2 needs.
 */
async function transactionVersion(cluster: RealKafkaCluster): Promise<number> {
  const finalized = (await cluster.features()).get("transaction.version") ?? 0;
  const cap = Number(process.env.SLUICE_TEST_PRODUCE_MAX ?? Infinity);
  return finalized >= 2 && cap < 12 ? 1 : finalized;
}

/** The transaction coordinator's node id for `transactionalId` (FindCoordinator, retried). */
async function coordinatorOf(cluster: RealKafkaCluster, transactionalId: string) {
  const [host, port] = cluster.bootstrap.split(",")[0]!.split(":");
  const connection = await BrokerConnection.connect(
    { host: host!, port: Number(port), nodeId: -1 },
    { clientId: "test", requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
  );
  try {
    for (let attempt = 0; attempt < 60; attempt++) {
      const found = (await connection.send(FindCoordinatorApi, {
        keyType: 1,
        keys: [transactionalId],
      }))!.coordinators[0]!;
      if (found.errorCode === 0) return found.nodeId;
      await sleep(250);
    }
    throw new Error(`No coordinator for "${transactionalId}"`);
  } finally {
    await connection.close();
  }
}

/** A group's committed offsets once they equal `expected` (or after 15 s, as they are). */
async function groupOffsetsSoon(
  cluster: RealKafkaCluster,
  group: string,
  expected: Map<string, number>,
): Promise<Map<string, number>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const offsets = await cluster.groupOffsets(group);
    const same = offsets.size === expected.size &&
      [...expected].every(([key, offset]) => offsets.get(key) === offset);
    if (same || Date.now() > deadline) return offsets;
    await sleep(200);
  }
}

/** The versions of `apiKey` requests the proxy forwarded. */
function wireVersions(proxy: FaultProxy, apiKey: number): number[] {
  return [...(proxy.counters.versions.get(apiKey) ?? [])].sort((a, b) => a - b);
}

describe("transactions on real Kafka", () => {
  let shared: RealKafkaCluster;
  let v1: RealKafkaCluster;
  before(async () => {
    shared = await startRealCluster();
    // The 3.9 run's shared cluster speaks transactions v1 already; on 4.x, one formatted so.
    v1 = (await transactionVersion(shared)) < 2
      ? shared
      : await startRealCluster({ features: ["transaction.version=0"] });
  });
  after(async () => {
    await shared.restore();
    if (v1 !== undefined && v1 !== shared) await v1.close();
  });

  for (const which of ["the shared cluster", "a cluster with transactions v1"] as const) {
    const clusterOf = () => which === "the shared cluster" ? shared : v1;

    it(`on ${which}: commitTransaction() makes every record visible to read_committed readers, abortTransaction() none; the wire shows the protocol`, async () => {
      const cluster = clusterOf();
      const tv2 = (await transactionVersion(cluster)) >= 2;
      const topic = uniqueTopic("txn-commit");
      await cluster.createTopic(topic, 3);
      const proxy = await FaultProxy.forCluster(cluster);
      const producer = new Producer({
        bootstrapServers: proxy.bootstrap,
        transactionalId: topic,
        lingerMs: 20,
      });
      try {
        await producer.initTransactions();
        producer.beginTransaction();
        const sent = [];
        for (let i = 0; i < 30; i++) {
          sent.push(producer.send({ topic, key: `k${i % 7}`, value: `committed-${i}` }));
        }
        await producer.commitTransaction();
        const offsets = await Promise.all(sent);
        assert.equal(offsets.length, 30, "every send resolved before the commit did");

        producer.beginTransaction();
        const aborted = [];
        for (let i = 0; i < 12; i++) {
          aborted.push(producer.send({ topic, key: `k${i % 7}`, value: `aborted-${i}` }));
        }
        await producer.flush(); // written to the log: only the abort keeps them invisible
        await producer.abortTransaction();
        await Promise.all(aborted);

        const result = await producer.transaction(async (tx) => {
          await Promise.all([0, 1, 2].map((i) => tx.send({ topic, value: `helper-${i}` })));
          return "done";
        });
        assert.equal(result, "done");
      } finally {
        await producer.close();
        await proxy.close();
      }
      const committed = await committedValues(cluster, topic, 33);
      assert.deepEqual(
        committed.slice().sort(),
        [
          ...Array.from({ length: 30 }, (_, i) => `committed-${i}`),
          ...[0, 1, 2].map((i) => `helper-${i}`),
        ].sort(),
      );
      const everything = await allValues(cluster, topic, 45);
      assert.equal(everything.filter((v) => v.startsWith("aborted-")).length, 12);

      const produce = wireVersions(proxy, ApiKey.Produce);
      const endTxn = wireVersions(proxy, ApiKey.EndTxn);
      const addPartitions = proxy.counters.requests.get(ApiKey.AddPartitionsToTxn) ?? 0;
      if (tv2) {
        assert.ok(produce.every((v) => v >= 12), `Produce v${produce} (transactions v2: v12+)`);
        assert.deepEqual(endTxn, [5], "EndTxn v5 returns the next epoch");
        assert.equal(addPartitions, 0, "partitions join through Produce, not AddPartitionsToTxn");
      } else {
        assert.ok(produce.every((v) => v <= 11), `Produce v${produce} (transactions v1: <= v11)`);
        assert.ok(endTxn.every((v) => v <= 4), `EndTxn v${endTxn} (transactions v1: <= v4)`);
        assert.ok(addPartitions > 0, "partitions join through AddPartitionsToTxn");
      }
      console.log(
        `# ${which} (Kafka ${cluster.info.version}, transaction.version ${await transactionVersion(
          cluster,
        )}): Produce v${produce.join(",")}, EndTxn v${endTxn.join(",")}`,
      );
    });

    it(`on ${which}: sendOffsetsToTransaction() offsets become the group's committed offsets exactly when the transaction commits`, async () => {
      const cluster = clusterOf();
      const tv2 = (await transactionVersion(cluster)) >= 2;
      const input = uniqueTopic("txn-in");
      const output = uniqueTopic("txn-out");
      const group = uniqueTopic("txn-group");
      await cluster.createTopic(input, 2);
      await cluster.createTopic(output, 2);
      // The input, produced plainly.
      const source = new Producer({ bootstrapServers: cluster.bootstrap });
      await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => source.send({ topic: input, key: `k${i}`, value: `${i}` }),
        ),
      );
      await source.close();
      const consumed = await cluster.readBack(input, { expected: 20 });
      const proxy = await FaultProxy.forCluster(cluster);
      const producer = new Producer({ bootstrapServers: proxy.bootstrap, transactionalId: output });
      const nextOffsets = (records: typeof consumed) => {
        const next = new Map<number, number>();
        for (const r of records) {
          next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
        }
        return [...next].map(([partition, offset]) => ({ topic: input, partition, offset }));
      };
      try {
        await producer.initTransactions();
        // Consume-transform-produce: the first half, committed with its offsets.
        const firstHalf = consumed.slice(0, 10);
        producer.beginTransaction();
        for (const record of firstHalf) {
          void producer.send({ topic: output, value: `x${text(record.value)}` });
        }
        await producer.sendOffsetsToTransaction(nextOffsets(firstHalf), { groupId: group });
        await producer.flush();
        assert.deepEqual(
          await cluster.groupOffsets(group),
          new Map(),
          "nothing committed before the transaction commits",
        );
        await producer.commitTransaction();
        const expected = new Map(
          nextOffsets(firstHalf).map((o) => [`${input}:${o.partition}`, o.offset]),
        );
        // The group coordinator applies the commit marker on its own log: it shows within
        // moments of the commit.
        assert.deepEqual(await groupOffsetsSoon(cluster, group, expected), expected, "committed");
        // The rest, aborted: neither the records nor the offsets.
        producer.beginTransaction();
        for (const record of consumed.slice(10)) {
          void producer.send({ topic: output, value: `x${text(record.value)}` }).catch(() => {});
        }
        await producer.sendOffsetsToTransaction(nextOffsets(consumed), group);
        await producer.abortTransaction();
        assert.deepEqual(await cluster.groupOffsets(group), expected, "unchanged by the abort");
      } finally {
        await producer.close();
        await proxy.close();
      }
      const committed = await committedValues(cluster, output, 10);
      assert.deepEqual(
        committed.slice().sort(),
        consumed.slice(0, 10).map((r) => `x${text(r.value)}`).sort(),
      );
      const offsetCommit = wireVersions(proxy, ApiKey.TxnOffsetCommit);
      const addOffsets = proxy.counters.requests.get(ApiKey.AddOffsetsToTxn) ?? 0;
      if (tv2) {
        assert.deepEqual(offsetCommit, [5], "TxnOffsetCommit v5 adds the offsets (KIP-890)");
        assert.equal(addOffsets, 0, "no AddOffsetsToTxn under transactions v2");
      } else {
        assert.ok(offsetCommit.every((v) => v <= 4), `TxnOffsetCommit v${offsetCommit}`);
        assert.ok(addOffsets >= 2, "AddOffsetsToTxn before each TxnOffsetCommit");
      }
    });

    it(`on ${which}: of two producers with one transactional id the older is fenced with ProducerFencedError and none of its later records become visible`, async () => {
      const cluster = clusterOf();
      const topic = uniqueTopic("txn-fence");
      await cluster.createTopic(topic, 2);
      const older = new Producer({ bootstrapServers: cluster.bootstrap, transactionalId: topic });
      const newer = new Producer({ bootstrapServers: cluster.bootstrap, transactionalId: topic });
      try {
        await older.initTransactions();
        await older.transaction(async (tx) => {
          await tx.send({ topic, value: "older-committed" });
        });
        older.beginTransaction();
        await older.send({ topic, value: "older-open" }); // left open when the newer one starts
        await newer.initTransactions(); // fences the older one and aborts what it left open
        const late = older.send({ topic, value: "older-after-fence" });
        await assert.rejects(late); // refused: an old epoch (or, v1, the coordinator fenced it)
        await assert.rejects(
          older.commitTransaction(),
          (error) =>
            error instanceof TransactionAbortableError || error instanceof ProducerFencedError,
        );
        await assert.rejects(older.abortTransaction(), (error: unknown) => {
          assert.ok(error instanceof ProducerFencedError, String(error));
          assert.match(error.message, /another producer with the same transactionalId took over/);
          return true;
        });
        // For good: every later call fails with it, nothing is sent.
        assert.throws(() => older.beginTransaction(), ProducerFencedError);
        await assert.rejects(older.send({ topic, value: "never" }), ProducerFencedError);
        await newer.transaction(async (tx) => {
          await tx.send({ topic, value: "newer-committed" });
        });
      } finally {
        await older.close();
        await newer.close();
      }
      const committed = await committedValues(cluster, topic, 2);
      assert.deepEqual(committed.slice().sort(), ["newer-committed", "older-committed"]);
    });

    it(`on ${which}: a transaction the coordinator aborted after transactionTimeoutMs is abortable (v2) or fences (v1, as the broker answers)`, async () => {
      const cluster = clusterOf();
      const tv2 = (await transactionVersion(cluster)) >= 2;
      const topic = uniqueTopic("txn-timeout");
      await cluster.createTopic(topic, 1);
      const producer = new Producer({
        bootstrapServers: cluster.bootstrap,
        transactionalId: topic,
        transactionTimeoutMs: 1000,
      });
      try {
        await producer.initTransactions();
        producer.beginTransaction();
        await producer.send({ topic, value: "timed-out" });
        await sleep(4000); // the coordinator checks open transactions every second (launcher)
        const late = producer.send({ topic, value: "after-timeout" });
        await assert.rejects(late);
        if (tv2) {
          await assert.rejects(producer.commitTransaction(), TransactionAbortableError);
          await producer.abortTransaction(); // and go on
          await producer.transaction(async (tx) => {
            await tx.send({ topic, value: "next" });
          });
        } else {
          await assert.rejects(producer.commitTransaction(), TransactionAbortableError);
          await assert.rejects(producer.abortTransaction(), ProducerFencedError);
        }
      } finally {
        await producer.close();
      }
      assert.deepEqual(await committedValues(cluster, topic, tv2 ? 1 : 0), tv2 ? ["next"] : []);
    });

    it(`on ${which}: a node killed during commit leaves the transaction committed or aborted as a whole`, async () => {
      const cluster = clusterOf();
      const topic = uniqueTopic("txn-kill");
      await cluster.createTopic(topic, 6, { configs: { "min.insync.replicas": "2" } });
      const producer = new Producer({
        bootstrapServers: cluster.bootstrap,
        transactionalId: topic,
        acks: "all",
        requestTimeoutMs: 5000,
      });
      let committed = false;
      try {
        await producer.initTransactions();
        producer.beginTransaction();
        for (let i = 0; i < 300; i++) void producer.send({ topic, key: `k${i}`, value: `${i}` });
        await producer.flush();
        const coordinator = await coordinatorOf(cluster, topic);
        const commit = producer.commitTransaction();
        await cluster.killNode(coordinator); // SIGKILL while EndTxn is on its way
        try {
          await commit;
          committed = true;
        } catch (error) {
          assert.ok(
            error instanceof TransactionAbortableError,
            `a commit either succeeds or must abort: ${error}`,
          );
          await producer.abortTransaction();
        }
      } finally {
        await producer.close();
        await cluster.restore();
      }
      const values = await committedValues(cluster, topic, committed ? 300 : 0);
      assert.equal(values.length, committed ? 300 : 0, "all or nothing");
    });
  }

  it("misuse is refused with a TransactionStateError (a TypeError) before anything is sent", async () => {
    const topic = uniqueTopic("txn-misuse");
    await shared.createTopic(topic, 1);
    const proxy = await FaultProxy.forCluster(shared);
    const plain = new Producer({ bootstrapServers: proxy.bootstrap });
    const producer = new Producer({ bootstrapServers: proxy.bootstrap, transactionalId: topic });
    const refused = (error: unknown) =>
      error instanceof TransactionStateError && error instanceof TypeError &&
      error.code === "INVALID_TRANSACTION_STATE";
    try {
      await assert.rejects(plain.initTransactions(), refused);
      assert.throws(() => plain.beginTransaction(), refused);
      assert.throws(() => plain.transactionalWritable(), refused);
      assert.throws(() => producer.beginTransaction(), refused); // before initTransactions()
      await assert.rejects(producer.send({ topic, value: "x" }), refused);
      await producer.initTransactions();
      await assert.rejects(producer.initTransactions(), refused); // a second time
      await assert.rejects(producer.send({ topic, value: "outside" }), refused);
      const writer = producer.writable.getWriter();
      await assert.rejects(writer.write({ topic, value: "outside" }), refused);
      await assert.rejects(producer.commitTransaction(), refused); // commit without begin
      await assert.rejects(producer.abortTransaction(), refused);
      await assert.rejects(
        producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 1 }], "g"),
        refused,
      );
      producer.beginTransaction();
      assert.throws(() => producer.beginTransaction(), refused); // a second begin
      await assert.rejects(
        producer.sendOffsetsToTransaction([{ topic, partition: -1, offset: 1 }], "g"),
        TypeError,
      );
      await producer.abortTransaction();
    } finally {
      await plain.close();
      await producer.close();
      await proxy.close();
    }
    assert.equal(proxy.counters.requests.get(ApiKey.Produce) ?? 0, 0, "no Produce request sent");
  });

  it("close() aborts a transaction still open: nothing of it becomes visible", async () => {
    const topic = uniqueTopic("txn-close");
    await shared.createTopic(topic, 1);
    const producer = new Producer({ bootstrapServers: shared.bootstrap, transactionalId: topic });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic, value: "open at close" });
    await producer.close();
    assert.deepEqual(await allValues(shared, topic, 1), ["open at close"], "written");
    assert.deepEqual(await committedValues(shared, topic), [], "but aborted");
  });

  it("transactionalWritable() commits each chunk (or every N records); an errored pipe aborts the open transaction", async () => {
    const topic = uniqueTopic("txn-writable");
    await shared.createTopic(topic, 2);
    const producer = new Producer({ bootstrapServers: shared.bootstrap, transactionalId: topic });
    await producer.initTransactions();
    const chunk = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ topic, value: `${tag}-${i}` }));
    try {
      // Each chunk its own transaction.
      await ReadableStream.from([chunk("a", 3), chunk("b", 2)]).pipeTo(
        producer.transactionalWritable(),
      );
      // Every 5 records; the source fails before the third transaction is full.
      let pulls = 0;
      const failing = new ReadableStream({
        pull(controller) {
          const next = [chunk("c", 3), chunk("d", 3), chunk("e", 2)][pulls++];
          if (next !== undefined) controller.enqueue(next);
          else controller.error(new Error("the source broke"));
        },
      });
      await assert.rejects(
        failing.pipeTo(producer.transactionalWritable({ records: 5 })),
        /the source broke/,
      );
      // The producer goes on after the aborted transaction.
      await ReadableStream.from([chunk("f", 1)]).pipeTo(producer.transactionalWritable());
    } finally {
      await producer.close();
    }
    const committed = await committedValues(shared, topic, 12);
    assert.deepEqual(
      committed.slice().sort(),
      [...chunk("a", 3), ...chunk("b", 2), ...chunk("c", 3), ...chunk("d", 3), ...chunk("f", 1)]
        .map((r) => r.value).sort(),
      "c and d committed together (6 >= 5 records); e aborted with the pipe",
    );
  });

  it("a fetch() body piped through transactionalWritable() lands exactly once per committed chunk", async () => {
    const topic = uniqueTopic("txn-fetch");
    await shared.createTopic(topic, 3);
    const total = 2000;
    const server = createServer((_, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      let i = 0;
      const more = () => {
        let lines = "";
        for (let n = 0; n < 97 && i < total; n++, i++) lines += JSON.stringify({ n: i }) + "\n";
        if (lines === "") return response.end();
        response.write(lines);
        setTimeout(more, 1);
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const producer = new Producer({
      bootstrapServers: shared.bootstrap,
      transactionalId: topic,
      valueSerializer: jsonSerializer,
    });
    try {
      await producer.initTransactions();
      const body = (await fetch(`http://127.0.0.1:${port}/events`)).body!;
      await body
        .pipeThrough(new NdjsonStream())
        .pipeThrough(new ToRecordsStream(topic))
        .pipeTo(producer.transactionalWritable({ records: 500 }));
    } finally {
      await producer.close();
      await new Promise((resolve) => server.close(resolve));
    }
    const committed = await committedValues(shared, topic, total);
    const seen = new Set(committed.map((v) => (JSON.parse(v) as { n: number }).n));
    assert.equal(committed.length, total, "no duplicates");
    assert.equal(seen.size, total, "every event once");
  });

  it("a record still waiting for metadata when its transaction aborts fails with TransactionAbortedError and never joins the next one", async () => {
    const topic = uniqueTopic("txn-late");
    await shared.createTopic(topic, 1);
    const proxy = await FaultProxy.forCluster(shared);
    const producer = new Producer({
      bootstrapServers: proxy.bootstrap,
      transactionalId: topic,
      requestTimeoutMs: 2000,
    });
    try {
      await producer.initTransactions();
      proxy.setBlackhole(true); // no metadata for the topic: the record waits
      producer.beginTransaction();
      const waiting = producer.send({ topic, value: "late" });
      await sleep(200);
      await producer.abortTransaction(); // nothing of it reached the coordinator: ends at once
      proxy.setBlackhole(false);
      await assert.rejects(waiting, TransactionAbortedError);
      await producer.transaction(async (tx) => {
        await tx.send({ topic, value: "next" });
      });
    } finally {
      await producer.close();
      await proxy.close();
    }
    assert.deepEqual(await committedValues(shared, topic, 1), ["next"]);
  });

  describe("sluice-produce -X transactional.id", () => {
    const cli = fileURLToPath(new URL("../../cli.ts", import.meta.url));

    /**
     * Starts the CLI on the shared cluster with `-X transactional.id=TOPIC` and
     * `--transaction-records N` (plus `extra` arguments); lines go to its stdin.
     */
    function startCli(topic: string, recordsPerTransaction: number, extra: string[] = []) {
      const args = [
        "-b",
        shared.bootstrap,
        "-t",
        topic,
        ...extra,
        "-X",
        `transactional.id=${topic}`,
        "--transaction-records",
        String(recordsPerTransaction),
      ];
      const [command, ...runtimeArgs] = runtimeCommand();
      const child = spawn(command!, [...runtimeArgs, cli, ...args], {
        stdio: ["pipe", "pipe", "pipe"],
      });
      let output = "";
      child.stdout!.on("data", (data) => output += String(data));
      child.stderr!.on("data", (data) => output += String(data));
      child.stdin!.on("error", () => {});
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal }))
      );
      return { child, exited, output: () => output };
    }

    /** Waits until a read_committed reader (kcat, re-reading) sees `count` records. */
    async function waitForCommitted(topic: string, count: number): Promise<void> {
      const seen = await readTopic(shared.bootstrap, topic, {
        expected: count,
        timeoutMs: 60_000,
        config: { "isolation.level": "read_committed" },
      });
      if (seen.length < count) throw new Error(`${seen.length} of ${count} records committed`);
    }

    it("produces stdin in transactions of --transaction-records and commits the last at EOF", async () => {
      const topic = uniqueTopic("txn-cli");
      await shared.createTopic(topic, 3);
      const run = startCli(topic, 100, ["-K", ":"]);
      const lines = Array.from({ length: 250 }, (_, i) => `k${i % 9}:${i}`).join("\n") + "\n";
      run.child.stdin!.end(lines);
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      assert.match(run.output(), /250 records, .* 3 transactions committed/);
      const committed = await committedValues(shared, topic, 250);
      assert.equal(new Set(committed).size, 250);
    });

    it("a CLI killed with SIGKILL mid-transaction leaves nothing of it visible; the next producer with the id fences it and goes on", async () => {
      const topic = uniqueTopic("txn-kill9");
      await shared.createTopic(topic, 2);
      const run = startCli(topic, 100);
      run.child.stdin!.write(Array.from({ length: 200 }, (_, i) => `c${i}`).join("\n") + "\n");
      await waitForCommitted(topic, 200); // two transactions committed
      run.child.stdin!.write(Array.from({ length: 60 }, (_, i) => `open${i}`).join("\n") + "\n");
      await sleep(1500); // appended and sent, not committed (100 per transaction)
      // process.kill, not child.kill: Deno's child.kill() closes the child's stdin first, and a
      // CLI that sees EOF commits what it has.
      process.kill(run.child.pid!, "SIGKILL");
      const { signal } = await run.exited;
      assert.equal(signal, "SIGKILL");
      const next = new Producer({ bootstrapServers: shared.bootstrap, transactionalId: topic });
      try {
        await next.initTransactions(); // fences the killed one and aborts its open transaction
        await next.transaction(async (tx) => {
          await tx.send({ topic, value: "after" });
        });
      } finally {
        await next.close();
      }
      const committed = await committedValues(shared, topic, 201);
      assert.equal(committed.filter((v) => v.startsWith("open")).length, 0, "never visible");
      assert.equal(committed.filter((v) => v.startsWith("c")).length, 200);
      assert.ok(committed.includes("after"));
    });

    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      it(`on ${signal} the CLI aborts the open transaction and exits ${signal === "SIGINT" ? 130 : 143}`, async () => {
        const topic = uniqueTopic("txn-signal");
        await shared.createTopic(topic, 2);
        const run = startCli(topic, 50);
        run.child.stdin!.write(Array.from({ length: 50 }, (_, i) => `c${i}`).join("\n") + "\n");
        await waitForCommitted(topic, 50);
        run.child.stdin!.write(Array.from({ length: 20 }, (_, i) => `open${i}`).join("\n") + "\n");
        await sleep(1000);
        process.kill(run.child.pid!, signal); // (not child.kill: see the SIGKILL test)
        const { code } = await run.exited;
        assert.equal(code, signal === "SIGINT" ? 130 : 143, run.output());
        assert.match(run.output(), new RegExp(`${signal}: aborting the open transaction`));
        const committed = await committedValues(shared, topic, 50);
        assert.equal(committed.length, 50);
        assert.ok(committed.every((v) => v.startsWith("c")));
        // Aborted, not left open: a read_committed reader is not held back (the last stable
        // offset reaches the log end once the abort markers are written), and no new producer
        // was needed to end it.
        const deadline = Date.now() + 20_000;
        for (;;) {
          const stable = await shared.endOffsets(topic, "read_committed");
          const end = await shared.endOffsets(topic, "read_uncommitted");
          if ([...end].every(([p, offset]) => stable.get(p) === offset)) break;
          assert.ok(Date.now() < deadline, `still open: ${[...stable]} vs ${[...end]}`);
          await sleep(250);
        }
      });
    }
  });
});
