// Exactly once, in order, for real: 100,000 keyed records fed at a steady rate through the CLI
// (as a program), through `writable` and through `transactionalWritable` (checked by
// read_committed readers) while real Kafka loses a node to SIGKILL, another hangs
// past the request timeout, leaders move and the fault proxy loses Produce answers after the
// broker appended (tests/support/fault_plan.ts). Idempotence (the default) must make the
// brokers drop every resent duplicate: 0 lost, 0 duplicated, 0 out of order per partition.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import {
  cliClient,
  type FaultPlanResult,
  type PlanClient,
  runFaultPlan,
  type StartPlanClient,
} from "../support/fault_plan.ts";
import { type RealKafkaCluster, startRealCluster } from "../support/test_cluster.ts";

/**
 * A plan client over one of the library's streams: each line "key:value" becomes a record,
 * written as arrays per chunk as a pipe would; closing the stream resolves once every record
 * is acknowledged (and, for a transactional stream, the open transaction is committed).
 */
function streamClient(
  producer: Producer,
  stream: WritableStream<Array<{ topic: string; key: string; value: string }>>,
  topic: string,
): PlanClient {
  const writer = stream.getWriter();
  let failure: unknown;
  return {
    async write(lines) {
      await writer.ready;
      const records = lines.map((line) => {
        const colon = line.indexOf(":");
        return { topic, key: line.slice(0, colon), value: line.slice(colon + 1) };
      });
      writer.write(records).catch((error: unknown) => failure ??= error);
    },
    async end() {
      try {
        await writer.close();
        await producer.close();
        return failure === undefined ? 0 : 1;
      } catch (error) {
        failure ??= error;
        await producer.close({ timeoutMs: 0 });
        return 1;
      }
    },
    output: () => failure === undefined ? "" : String(failure),
  };
}

/** The library's writable stream. */
const writableClient: StartPlanClient = (bootstrap, topic, requestTimeoutMs) => {
  const producer = new Producer({ bootstrapServers: bootstrap, acks: "all", requestTimeoutMs });
  return Promise.resolve(streamClient(producer, producer.writable, topic));
};

/**
 * The library's transactional writable: a transaction every 2000 records or second, checked
 * by read_committed readers.
 */
const transactionalClient: StartPlanClient = async (bootstrap, topic, requestTimeoutMs) => {
  const producer = new Producer({
    bootstrapServers: bootstrap,
    acks: "all",
    requestTimeoutMs,
    transactionalId: `plan-${topic}`,
  });
  await producer.initTransactions();
  const stream = producer.transactionalWritable({ records: 2000, intervalMs: 1000 });
  return streamClient(producer, stream, topic);
};

function assertExactlyOnce(result: FaultPlanResult): void {
  const summary = JSON.stringify({ ...result, clientOutput: result.clientOutput.slice(-2000) });
  assert.equal(result.exitCode, 0, summary);
  assert.equal(result.lost, 0, summary);
  assert.equal(result.duplicated, 0, summary);
  assert.equal(result.outOfOrder, 0, summary);
  assert.equal(result.stored, result.sent, summary);
  assert.ok(result.cutResponses > 0, `the proxy lost no answer: ${summary}`);
}

describe("exactly once, in order, through real faults", () => {
  let cluster: RealKafkaCluster;
  before(async () => {
    cluster = await startRealCluster();
  });
  after(async () => {
    await cluster.restore();
    await cluster.close();
  });

  it("the CLI stores 100,000 keyed records once and in order through the fault plan, exit 0", async () => {
    assertExactlyOnce(await runFaultPlan(cluster, cliClient));
  });

  it("writable stores 100,000 keyed records once and in order through the fault plan", async () => {
    assertExactlyOnce(await runFaultPlan(cluster, writableClient));
  });

  it("transactionalWritable commits 100,000 keyed records through the fault plan: read_committed sees each once, in order", async () => {
    assertExactlyOnce(
      await runFaultPlan(cluster, transactionalClient, { isolation: "read_committed" }),
    );
  });
});
