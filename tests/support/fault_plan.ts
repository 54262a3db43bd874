// The fault plan: keyed records fed at a steady rate through a producer while real Kafka loses a
// node to SIGKILL (and gets it back), another node hangs (SIGSTOP) past the client's request
// timeout, partition leaders move, and the fault proxy cuts connections right after brokers
// answered Produce requests (the broker appended, the client never heard). Then every record is
// read back by kcat and by Java's consumer and checked: none lost, none duplicated, none out of
// order within its partition.
//
// A client is anything that takes "key:value" lines: the CLI as a program (its stdin), the
// library's writable stream, or Java's own ConsoleProducer (the reference).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FaultProxy } from "./fault_proxy.ts";
import { kafkaEnvironment, type RealKafkaCluster } from "./kafka_cluster.ts";
import { uniqueTopic } from "./mock_cluster.ts";

/** A producer under test: takes lines, ends with an exit code (0 when all were acknowledged). */
export interface PlanClient {
  /** Hands over the next lines ("key:value"); resolves when the client accepted them. */
  write(lines: string[]): Promise<void>;
  /** No more lines: resolves with 0 once every record is acknowledged, else non-zero. */
  end(): Promise<number>;
  /** What the client printed, for failure messages. */
  output(): string;
}

/** Starts a client against `bootstrap` for `topic`, with the plan's request timeout. */
export type StartPlanClient = (
  bootstrap: string,
  topic: string,
  requestTimeoutMs: number,
) => Promise<PlanClient>;

/** Options of {@linkcode runFaultPlan}. */
export interface FaultPlanOptions {
  /** @default 100_000 */
  records?: number;
  /** Distinct keys. @default 1000 */
  keys?: number;
  /** How long feeding all records takes, in ms (the steady rate). @default 30_000 */
  feedMs?: number;
  /** The client's request timeout: a node is paused for longer. @default 5000 */
  requestTimeoutMs?: number;
  /** Partitions of the plan's topic. @default 6 */
  partitions?: number;
  /** Progress lines (each fault as it happens). @default none */
  log?: (line: string) => void;
  /**
   * How the readers read back: a transactional client is checked with "read_committed" (only
   * committed transactions count). @default "read_uncommitted"
   */
  isolation?: "read_committed" | "read_uncommitted";
}

/** What the plan found. */
export interface FaultPlanResult {
  topic: string;
  sent: number;
  stored: number;
  /** Record numbers never stored. */
  lost: number;
  /** Stored copies beyond the first, over all records. */
  duplicated: number;
  /** Records stored before an earlier-sent record of the same partition. */
  outOfOrder: number;
  exitCode: number;
  /** Produce answers the proxy dropped after the broker had appended. */
  cutResponses: number;
  /** The faults injected, in order, with their time from the start. */
  faults: string[];
  elapsedMs: number;
  clientOutput: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the plan once on `cluster` (which must have 3 nodes) and restores the cluster after.
 * Record i has key `k<i % keys>` and value `<i>`; per partition, values must increase.
 */
export async function runFaultPlan(
  cluster: RealKafkaCluster,
  startClient: StartPlanClient,
  options: FaultPlanOptions = {},
): Promise<FaultPlanResult> {
  const total = options.records ?? 100_000;
  const keys = options.keys ?? 1000;
  const feedMs = options.feedMs ?? 30_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const log = options.log ?? (() => {});
  const topic = uniqueTopic("fault-plan");
  await cluster.createTopic(topic, options.partitions ?? 6, {
    configs: { "min.insync.replicas": "2" },
  });
  const proxy = await FaultProxy.forCluster(cluster);
  const faults: string[] = [];
  const started = Date.now();
  const note = (what: string) => {
    const line = `${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`;
    faults.push(line);
    log(line);
  };
  let exitCode = -1;
  let client: PlanClient | undefined;
  try {
    client = await startClient(proxy.bootstrap, topic, requestTimeoutMs);
    const feeding = feed(client, total, keys, feedMs);
    const plan = (async () => {
      await sleep(feedMs * 0.06);
      proxy.cutAfterResponse({ apiKey: 0, count: 3 });
      note("proxy: the next 3 Produce answers are lost after the broker appended");
      await sleep(feedMs * 0.07);
      await cluster.killNode(2);
      note("node 2 killed (SIGKILL)");
      await sleep(feedMs * 0.05);
      await cluster.startNode(2);
      note("node 2 restarted and serving");
      await cluster.waitIsr(topic, 60_000);
      await cluster.moveLeader(topic, 0, 2);
      await cluster.moveLeader(topic, 1, 2);
      note("leaders of partitions 0 and 1 moved to node 2");
      proxy.cutAfterResponse({ apiKey: 0, count: 3 });
      note("proxy: 3 more Produce answers lost");
      await cluster.pauseNode(3);
      note("node 3 paused (SIGSTOP)");
      await sleep(requestTimeoutMs + 2000);
      await cluster.resumeNode(3);
      note(`node 3 resumed after ${requestTimeoutMs + 2000} ms`);
      proxy.cutAfterResponse({ apiKey: 0, count: 3 });
      note("proxy: 3 more Produce answers lost");
    })();
    await Promise.all([feeding, plan]);
    note("all records handed to the client");
    exitCode = await client.end();
    note(`client ended with ${exitCode}`);
  } finally {
    await proxy.close();
    await cluster.restore();
  }
  const stored = await cluster.readBack(topic, {
    expected: total,
    timeoutMs: 120_000,
    isolation: options.isolation ?? "read_uncommitted",
  });
  const copies = new Uint32Array(total);
  const lastByPartition = new Map<number, number>();
  let outOfOrder = 0;
  const decoder = new TextDecoder();
  for (const record of stored) { // kcat's order: offsets ascending within each partition
    const n = Number(decoder.decode(record.value!));
    if (Number.isInteger(n) && n >= 0 && n < total) copies[n]!++;
    const last = lastByPartition.get(record.partition) ?? -1;
    if (n <= last) outOfOrder++;
    else lastByPartition.set(record.partition, n);
  }
  let lost = 0;
  let duplicated = 0;
  for (let i = 0; i < total; i++) {
    if (copies[i] === 0) lost++;
    else duplicated += copies[i]! - 1;
  }
  return {
    topic,
    sent: total,
    stored: stored.length,
    lost,
    duplicated,
    outOfOrder,
    exitCode,
    cutResponses: proxy.counters.cutResponses,
    faults,
    elapsedMs: Date.now() - started,
    clientOutput: client?.output() ?? "",
  };
}

/** Hands `total` lines to the client in 50 ms ticks spread over `feedMs`. */
async function feed(
  client: PlanClient,
  total: number,
  keys: number,
  feedMs: number,
): Promise<void> {
  const tickMs = 50;
  const ticks = Math.max(1, Math.round(feedMs / tickMs));
  const start = Date.now();
  let next = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    const until = Math.round(total * tick / ticks);
    const lines: string[] = [];
    for (; next < until; next++) lines.push(`k${next % keys}:${next}`);
    await client.write(lines);
    const wait = start + tick * tickMs - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

/** Runs a program that reads lines on stdin; ends with its exit code. */
function programClient(command: string, args: string[], env?: Record<string, string>): PlanClient {
  const child = spawn(command, args, {
    stdio: ["pipe", "pipe", "pipe"],
    env: env === undefined ? process.env : { ...process.env, ...env },
  });
  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  const keep = Number(process.env.SLUICE_PLAN_OUTPUT_CHARS ?? 20_000);
  child.stdout!.on("data", (text: string) => output = (output + text).slice(-keep));
  child.stderr!.on("data", (text: string) => output = (output + text).slice(-keep));
  child.stdin!.on("error", () => {});
  const exited = new Promise<number>((resolve) => {
    child.once("error", () => resolve(127));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return {
    write(lines) {
      return new Promise((resolve) => {
        if (child.stdin!.write(lines.join("\n") + "\n")) resolve();
        else child.stdin!.once("drain", () => resolve());
      });
    },
    end() {
      child.stdin!.end();
      return exited;
    },
    output: () => output,
  };
}

/** The command that runs a TypeScript file on the runtime this process runs on. */
export function runtimeCommand(): string[] {
  return (globalThis as { Deno?: unknown }).Deno
    ? [process.execPath, "run", "-A"]
    : [process.execPath];
}

/**
 * sluice-produce (cli.ts) as a program on this runtime: `-K :` splits key and value. Extra
 * arguments from env SLUICE_PLAN_CLI_ARGS (space-separated, e.g. "-d --stats") help when a
 * run goes wrong: they end up in the result's clientOutput.
 */
export const cliClient: StartPlanClient = (bootstrap, topic, requestTimeoutMs) => {
  const extra = (process.env.SLUICE_PLAN_CLI_ARGS ?? "").split(" ").filter((a) => a !== "");
  const cli = fileURLToPath(new URL("../../cli.ts", import.meta.url));
  const [command, ...args] = runtimeCommand();
  return Promise.resolve(programClient(command!, [
    ...args,
    cli,
    "-b",
    bootstrap,
    "-t",
    topic,
    "-K",
    ":",
    "--acks",
    "all",
    "-X",
    `request.timeout.ms=${requestTimeoutMs}`,
    ...extra,
  ]));
};

/**
 * Java's own producer (kafka-tools' ConsoleProducer, parse.key=true, idempotence on, acks=all):
 * the reference the plan is compared with.
 */
export const javaConsoleProducerClient: StartPlanClient = (bootstrap, topic, requestTimeoutMs) => {
  const env = kafkaEnvironment();
  const classpath = readFileSync(env.SLUICE_KAFKA_CLASSPATH_FILE!, "utf8").trim();
  const log4j = fileURLToPath(new URL("../kafka/log4j2-launcher.properties", import.meta.url));
  return Promise.resolve(programClient("java", [
    `-Dlog4j2.configurationFile=${log4j}`,
    "-cp",
    classpath,
    "org.apache.kafka.tools.ConsoleProducer",
    "--bootstrap-server",
    bootstrap,
    "--topic",
    topic,
    "--reader-property",
    "parse.key=true",
    "--reader-property",
    "key.separator=:",
    "--command-property",
    "acks=all",
    "--command-property",
    "enable.idempotence=true",
    "--command-property",
    `request.timeout.ms=${requestTimeoutMs}`,
    "--command-property",
    "linger.ms=5",
  ]));
};
