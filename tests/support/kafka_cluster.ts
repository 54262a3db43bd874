// Real Apache Kafka for the tests: the launcher in tests/kafka/ (Java, from Maven Central's jars)
// starts 3 KRaft nodes and answers control commands on a loopback port. A test process either
// attaches to the cluster scripts/test.sh started for the whole run (env SLUICE_KAFKA_CLUSTER:
// the launcher's cluster.json) or starts one of its own (slow: ~10 s), e.g. when one test file
// is run by hand.
//
// Invariants:
// - Commands are answered in order, one connection per command; they block until their effect
//   is visible (a started node is back in the cluster, a new topic has leaders everywhere).
// - A cluster this process started ends with it: the launcher exits when its stdin closes.
// - A test that stops, kills or pauses nodes calls restore() in its `after()`, so the shared
//   cluster is whole again for the next test file.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readTopic, type ReadTopicOptions, type StoredRecord } from "./kcat.ts";

/** The launcher's listener names (see tests/kafka/README.md). */
export type ListenerName =
  | "PLAINTEXT"
  | "SSL"
  | "MTLS"
  | "SASL_PLAINTEXT"
  | "SASL_SSL"
  | "PROXIED"
  | "SSL_EXPIRED"
  | "SSL_BADHOST";

/** What the launcher prints once the cluster is up (its cluster.json). */
export interface KafkaClusterInfo {
  /** Kafka's version, e.g. "4.4.0". */
  version: string;
  clusterId: string;
  /** The launcher's working directory: node data, logs, certificates. */
  dir: string;
  /** The control port on 127.0.0.1. */
  controlPort: number;
  /** How long the launcher took from start to READY, in milliseconds. */
  startMs: number;
  /** Bootstrap servers per listener ("127.0.0.1:port,..."); node 1 only for SSL_EXPIRED/BADHOST. */
  bootstrap: Record<ListenerName, string>;
  nodes: Array<{ id: number; pid: number; dir: string; ports: Record<string, number> }>;
  /** Where a fault proxy must listen (advertised PROXIED port) and forward to, per node. */
  proxy: Array<{ nodeId: number; listen: number; target: number }>;
  /** PEM files: the CA, a client certificate and key (also encrypted), a second CA and client. */
  files: {
    ca: string;
    clientCert: string;
    clientKey: string;
    clientKeyEncrypted: string;
    otherCa: string;
    otherClientCert: string;
    otherClientKey: string;
  };
  /** The password of files.clientKeyEncrypted. */
  clientKeyPassword: string;
  /** The SASL user (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); OAUTHBEARER takes unsecured tokens. */
  sasl: { username: string; password: string; mechanisms: string };
}

/** One partition as the cluster's metadata describes it. */
export interface PartitionState {
  partition: number;
  /** The leader's node id, -1 when none. */
  leader: number;
  replicas: number[];
  isr: number[];
}

/** Options of {@linkcode RealKafkaCluster.createTopic}. */
export interface TopicOptions {
  /** @default min(3, nodes) */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ "max.message.bytes": "2048", "min.insync.replicas": "3" }`. */
  configs?: Record<string, string>;
}

/** Options of {@linkcode RealKafkaCluster.readBack}. */
export interface ReadBackOptions extends ReadTopicOptions {
  /** @default "read_uncommitted" */
  isolation?: "read_committed" | "read_uncommitted";
}

/** Which Kafka line to start: the newest 4.x, or the previous line (3.9). */
export type KafkaLine = "latest" | "previous";

/** Options of {@linkcode startRealCluster}. */
export interface RealClusterOptions {
  /** @default "latest" */
  line?: KafkaLine;
  /** StorageTool `--feature name=level` at format time, e.g. "transaction.version=0". */
  features?: string[];
  /** Attach to the run's shared cluster when there is one (env). @default true */
  shared?: boolean;
}

let kafkaEnv: Record<string, string> | undefined;

/**
 * The launcher's classpath files and classes (tests/kafka/ensure_kafka.sh: resolves Kafka from
 * Maven Central once, compiles the launcher), from the environment scripts/test.sh exports or
 * by running the script once per process.
 */
export function kafkaEnvironment(): Record<string, string> {
  if (kafkaEnv !== undefined) return kafkaEnv;
  const names = [
    "SLUICE_KAFKA_VERSION",
    "SLUICE_KAFKA_CLASSPATH_FILE",
    "SLUICE_KAFKA_PREV_VERSION",
    "SLUICE_KAFKA_PREV_CLASSPATH_FILE",
    "SLUICE_KAFKA_LAUNCHER",
  ];
  const env: Record<string, string> = {};
  if (names.every((name) => process.env[name])) {
    for (const name of names) env[name] = process.env[name]!;
  } else {
    const script = fileURLToPath(new URL("../kafka/ensure_kafka.sh", import.meta.url));
    const out = execFileSync("bash", [script], {
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
    });
    for (const line of out.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  kafkaEnv = env;
  return env;
}

/** Refs or unrefs a handle if the runtime offers it (Bun's child stdin has neither). */
function setRef(handle: unknown, ref: boolean): void {
  const h = handle as { ref?: () => void; unref?: () => void } | null | undefined;
  if (ref) h?.ref?.();
  else h?.unref?.();
}

/**
 * Sends one command to a launcher's control port; resolves with the lines before OK, rejects
 * with the command and reason on ERR.
 */
export function controlCommand(port: number, line: string, timeoutMs = 180_000): Promise<string[]> {
  if (/[\r\n]/.test(line) || line.trim() === "") {
    return Promise.reject(new RangeError(`Cannot send "${line}" to the launcher: one line only`));
  }
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const lines: string[] = [];
    let buffer = "";
    let done = false;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(lines);
    };
    const timer = setTimeout(
      () => finish(new Error(`Launcher command "${line}" got no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(line + "\n"));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const end = buffer.indexOf("\n");
        if (end < 0) return;
        const answer = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (answer === "OK") return finish(null);
        if (answer.startsWith("ERR ")) {
          return finish(new Error(`Launcher command "${line}" failed: ${answer.slice(4)}`));
        }
        lines.push(answer);
      }
    });
    socket.on(
      "error",
      (error) =>
        finish(new Error(`Cannot reach the Kafka launcher on port ${port}`, { cause: error })),
    );
    socket.on("close", () => finish(new Error(`Launcher closed the connection during "${line}"`)));
  });
}

/**
 * A running real Kafka cluster: the launcher's JSON, its control commands, and reading back
 * with two decoders we did not write (kcat and Java's KafkaConsumer).
 */
export class RealKafkaCluster {
  readonly provider = "real" as const;
  readonly info: KafkaClusterInfo;
  readonly #child: ChildProcess | undefined;
  readonly #exited: Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(info: KafkaClusterInfo, child?: ChildProcess, exited?: Promise<void>) {
    this.info = info;
    this.#child = child;
    this.#exited = exited ?? Promise.resolve();
  }

  /** PLAINTEXT bootstrap servers. */
  get bootstrap(): string {
    return this.info.bootstrap.PLAINTEXT;
  }

  /** Node ids, 1..N. */
  get nodeIds(): number[] {
    return this.info.nodes.map((node) => node.id);
  }

  /** True when this process started the cluster (close() stops it). */
  get owned(): boolean {
    return this.#child !== undefined;
  }

  command(line: string, timeoutMs?: number): Promise<string[]> {
    return controlCommand(this.info.controlPort, line, timeoutMs);
  }

  /** Creates a topic and waits until every partition has a leader. */
  async createTopic(name: string, partitions: number, options: TopicOptions = {}): Promise<void> {
    const rf = options.replicationFactor ?? Math.min(3, this.info.nodes.length);
    const configs = Object.entries(options.configs ?? {}).map(([k, v]) => `${k}=${v}`);
    await this.command(["create_topic", name, partitions, rf, ...configs].join(" "));
  }

  /** Deletes a topic and waits until the cluster no longer lists it. */
  async deleteTopic(name: string): Promise<void> {
    await this.command(`delete_topic ${name}`);
  }

  /**
   * Sends one record per key with Java's own KafkaProducer (default partitioner, empty value)
   * and returns where each landed, in key order.
   */
  async produceKeysWithJava(
    topic: string,
    keys: Uint8Array[],
  ): Promise<Array<{ partition: number; offset: number }>> {
    const dir = await mkdtemp(join(tmpdir(), "sluice-java-produce-"));
    try {
      const keysFile = join(dir, "keys.txt");
      const outFile = join(dir, "landed.txt");
      await writeFile(keysFile, keys.map((key) => toBase64(key)).join("\n") + "\n");
      await this.command(`produce_keys ${topic} ${keysFile} ${outFile}`);
      return (await readFile(outFile, "utf8")).split("\n").filter((l) => l !== "").map((line) => {
        const [partition, offset] = line.split(" ");
        return { partition: Number(partition), offset: Number(offset) };
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async describeTopic(name: string): Promise<PartitionState[]> {
    const ids = (text: string) => text === "-" ? [] : text.split(",").map(Number);
    return (await this.command(`describe_topic ${name}`)).map((line) => {
      const [tag, partition, leader, replicas, isr] = line.split(" ");
      if (tag !== "P") throw new Error(`Unexpected launcher line: ${line}`);
      return {
        partition: Number(partition),
        leader: Number(leader),
        replicas: ids(replicas!),
        isr: ids(isr!),
      };
    });
  }

  /** SIGTERM: a controlled shutdown; leaders move away first. */
  async stopNode(id: number): Promise<void> {
    await this.command(`stop ${id}`);
  }
  /** SIGKILL: the node vanishes mid-work. */
  async killNode(id: number): Promise<void> {
    await this.command(`kill ${id}`);
  }
  /** SIGSTOP: the node hangs, connections stay open and unanswered. */
  async pauseNode(id: number): Promise<void> {
    await this.command(`pause ${id}`);
  }
  /** SIGCONT. */
  async resumeNode(id: number): Promise<void> {
    await this.command(`resume ${id}`);
  }
  /** Restarts a stopped or killed node and waits until it is back in the cluster. */
  async startNode(id: number): Promise<void> {
    await this.command(`start ${id}`);
  }
  /** Makes `brokerId` the leader of a partition (reassignment + preferred election). */
  async moveLeader(topic: string, partition: number, brokerId: number): Promise<void> {
    await this.command(`move_leader ${topic} ${partition} ${brokerId}`);
  }
  /** Waits until every partition of `topic` has all its replicas in sync. */
  async waitIsr(topic: string, timeoutMs = 60_000): Promise<void> {
    await this.command(`wait_isr ${topic} ${timeoutMs}`, timeoutMs + 10_000);
  }

  /** Each node's state: "running", "paused" or "stopped". */
  async nodeStates(): Promise<Map<number, string>> {
    const states = new Map<number, string>();
    for (const line of await this.command("nodes")) {
      const [, id, state] = line.split(" ");
      states.set(Number(id), state!);
    }
    return states;
  }

  /** Resumes paused nodes, starts stopped ones, and waits until all are in the cluster. */
  async restore(): Promise<void> {
    for (const [id, state] of await this.nodeStates()) {
      if (state === "paused") await this.resumeNode(id);
      else if (state === "stopped") await this.startNode(id);
    }
    await this.command(`wait_nodes ${this.info.nodes.length} 120000`);
  }

  /** End offsets (the last stable offsets under read_committed) per partition. */
  async endOffsets(topic: string, isolation = "read_uncommitted"): Promise<Map<number, number>> {
    const offsets = new Map<number, number>();
    for (const line of await this.command(`end_offsets ${topic} ${isolation}`)) {
      const [, partition, offset] = line.split(" ");
      offsets.set(Number(partition), Number(offset));
    }
    return offsets;
  }

  /** A consumer group's committed offsets, "topic:partition" → offset. */
  async groupOffsets(group: string): Promise<Map<string, number>> {
    const offsets = new Map<string, number>();
    for (const line of await this.command(`group_offsets ${group}`)) {
      const [, topic, partition, offset] = line.split(" ");
      offsets.set(`${topic}:${partition}`, Number(offset));
    }
    return offsets;
  }

  /** The cluster's finalized features (e.g. transaction.version), name → level. */
  async features(): Promise<Map<string, number>> {
    const features = new Map<string, number>();
    for (const line of await this.command("features")) {
      const [, name, level] = line.split(" ");
      features.set(name!, Number(level));
    }
    return features;
  }

  /**
   * Reads a topic with Java's own KafkaConsumer (kafka-clients, CRCs checked), in offset order
   * per partition, partitions in ascending order.
   */
  async readWithJava(topic: string, options: ReadBackOptions = {}): Promise<StoredRecord[]> {
    const dir = await mkdtemp(join(tmpdir(), "sluice-java-read-"));
    const file = join(dir, "records.jsonl");
    try {
      const timeoutMs = options.timeoutMs ?? 30_000;
      await this.command(
        `consume ${topic} ${file} ${options.isolation ?? "read_uncommitted"} ` +
          `${options.expected ?? 0} ${timeoutMs}`,
        timeoutMs + 60_000,
      );
      const text = await readFile(file, "utf8");
      const records: StoredRecord[] = [];
      for (const line of text.split("\n")) {
        if (line === "") continue;
        const r = JSON.parse(line) as {
          partition: number;
          offset: number;
          timestamp: number;
          key: string | null;
          value: string | null;
          headers: Array<[string, string | null]>;
        };
        if (options.partition !== undefined && r.partition !== options.partition) continue;
        records.push({
          topic,
          partition: r.partition,
          offset: r.offset,
          key: base64(r.key),
          value: base64(r.value),
          headers: r.headers.map(([name, value]) => [name, base64(value)]),
          timestamp: r.timestamp,
        });
      }
      return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Reads a topic back with kcat and with Java's KafkaConsumer, checks that both read the same
   * records (partition, offset, key, value, headers, timestamp), and returns kcat's. Both read
   * with the same isolation level (librdkafka's own default would be read_committed).
   */
  async readBack(topic: string, options: ReadBackOptions = {}): Promise<StoredRecord[]> {
    const isolation = options.isolation ?? "read_uncommitted";
    const java = await this.readWithJava(topic, { ...options, isolation });
    const kcat = await readTopic(this.bootstrap, topic, {
      ...options,
      config: { ...options.config, "isolation.level": isolation },
    });
    assertSameRecords(kcat, java, topic);
    return kcat;
  }

  /** Stops a cluster this process started (idempotent); a no-op on the run's shared cluster. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    setRef(child, true);
    child.stdin!.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function base64(text: string | null): Uint8Array | null {
  if (text === null) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function recordKey(r: StoredRecord): string {
  const bytes = (b: Uint8Array | null) => b === null ? "null" : `[${b.join(",")}]`;
  return [
    r.partition,
    r.offset,
    r.timestamp,
    bytes(r.key),
    bytes(r.value),
    r.headers.map(([n, v]) => `${n}=${bytes(v)}`).join(";"),
  ].join("|");
}

/** Throws unless kcat and Java read exactly the same records (in any order across partitions). */
export function assertSameRecords(kcat: StoredRecord[], java: StoredRecord[], topic: string): void {
  const a = kcat.map(recordKey).sort();
  const b = java.map(recordKey).sort();
  if (a.length !== b.length) {
    throw new Error(
      `kcat read ${a.length} records of "${topic}", Java's consumer ${b.length}: the readers disagree`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      throw new Error(
        `kcat and Java's consumer disagree on "${topic}": ${a[i]!.slice(0, 200)} vs ${
          b[i]!.slice(0, 200)
        }`,
      );
    }
  }
}

let shared: RealKafkaCluster | undefined;

/**
 * The run's shared real cluster (env SLUICE_KAFKA_CLUSTER, or SLUICE_KAFKA_PREV_CLUSTER for the
 * previous line), if scripts/test.sh started one.
 */
function sharedCluster(line: KafkaLine): RealKafkaCluster | undefined {
  const file = line === "latest"
    ? process.env.SLUICE_KAFKA_CLUSTER
    : process.env.SLUICE_KAFKA_PREV_CLUSTER;
  if (!file) return undefined;
  if (line === "latest" && shared !== undefined) return shared;
  const info = JSON.parse(readFileSync(file, "utf8")) as KafkaClusterInfo;
  const cluster = new RealKafkaCluster(info);
  if (line === "latest") shared = cluster;
  return cluster;
}

/**
 * A real Kafka cluster: the run's shared one when scripts/test.sh started it (and no special
 * features are asked for), otherwise a new one this process owns (close() it in `after()`).
 */
export async function startRealCluster(
  options: RealClusterOptions = {},
): Promise<RealKafkaCluster> {
  const line = options.line ?? "latest";
  if ((options.shared ?? true) && (options.features ?? []).length === 0) {
    const existing = sharedCluster(line);
    if (existing !== undefined) return existing;
  }
  const env = kafkaEnvironment();
  const classpathFile = line === "latest"
    ? env.SLUICE_KAFKA_CLASSPATH_FILE!
    : env.SLUICE_KAFKA_PREV_CLASSPATH_FILE!;
  const version = line === "latest" ? env.SLUICE_KAFKA_VERSION! : env.SLUICE_KAFKA_PREV_VERSION!;
  const dir = await mkdtemp(join(tmpdir(), `sluice-kafka-${version}-`));
  const log4j = fileURLToPath(new URL("../kafka/log4j2.properties", import.meta.url));
  const launcherLog4j = fileURLToPath(
    new URL("../kafka/log4j2-launcher.properties", import.meta.url),
  );
  const args = [
    "-Xmx256m",
    `-Dlog4j2.configurationFile=${launcherLog4j}`,
    "-cp",
    `${readFileSync(env.SLUICE_KAFKA_CLASSPATH_FILE!, "utf8").trim()}:${env.SLUICE_KAFKA_LAUNCHER}`,
    "sluice.kafka.TestKafkaCluster",
    "--dir",
    dir,
    "--broker-classpath",
    classpathFile,
    "--log4j",
    log4j,
    "--version",
    version,
  ];
  for (const feature of options.features ?? []) args.push("--feature", feature);
  const child = spawn("java", args, { stdio: ["pipe", "pipe", "inherit"] });
  let exitedResolve!: () => void;
  const exited = new Promise<void>((resolve) => (exitedResolve = resolve));
  const info = await new Promise<KafkaClusterInfo>((resolve, reject) => {
    let buffer = "";
    child.once("error", (error) => {
      reject(new Error("Cannot run java for the Kafka launcher", { cause: error }));
      exitedResolve();
    });
    child.once("exit", (code, signal) => {
      reject(new Error(`Kafka launcher exited (code ${code}, signal ${signal}) in ${dir}`));
      exitedResolve();
    });
    child.stdin!.on("error", () => {});
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf("\n");
      if (end >= 0 && buffer.startsWith("READY ")) {
        resolve(JSON.parse(buffer.slice("READY ".length, end)) as KafkaClusterInfo);
      }
    });
  });
  // The launcher lives as long as this process holds its stdin; unref'd so a forgotten close()
  // does not keep the test runner alive (its exit closes the pipe and the launcher follows).
  setRef(child.stdout, false);
  setRef(child.stdin, false);
  setRef(child, false);
  return new RealKafkaCluster(info, child, exited);
}
