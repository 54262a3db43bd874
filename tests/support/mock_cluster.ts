// Starts our librdkafka mock-cluster harness (tests/broker/mock_cluster.c) for a test file and
// drives its fault-injection commands. With KAFKA_BOOTSTRAP set, hands out that cluster instead.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import process from "node:process";

/** What to start. */
export interface ClusterOptions {
  /** Number of brokers (ids 1..N). @default 3 */
  brokers?: number;
  /** Topics to create up front. */
  topics?: Array<{ name: string; partitions: number }>;
}

/** A running cluster: the mock (with fault injection) or a real one (KAFKA_BOOTSTRAP). */
export interface TestCluster {
  readonly bootstrap: string;
  /** False when KAFKA_BOOTSTRAP points at a real cluster: fault methods then throw. */
  readonly isMock: boolean;
  /** Sends one harness command; resolves with the lines printed before `OK`. */
  command(line: string): Promise<string[]>;
  createTopic(name: string, partitions: number): Promise<void>;
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  pushErrors(apiKey: number, codes: number[]): Promise<void>;
  pushBrokerErrors(
    brokerId: number,
    apiKey: number,
    errors: Array<{ code: number; rttMs: number }>,
  ): Promise<void>;
  setRtt(brokerId: number, ms: number): Promise<void>;
  setApiVersion(apiKey: number, min: number, max: number): Promise<void>;
  close(): Promise<void>;
}

/** True when the tests run against the mock, which can inject faults. */
export function faultInjectionAvailable(): boolean {
  return !process.env.KAFKA_BOOTSTRAP;
}

let counter = 0;
/** A topic name no other test (or earlier run against a real cluster) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter++}`;
}

let harnessPath: string | undefined;
function harness(): string {
  harnessPath ??= process.env.SLUICE_MOCK_HARNESS ||
    execFileSync("bash", [new URL("../broker/build.sh", import.meta.url).pathname], {
      stdio: ["ignore", "pipe", "inherit"],
    }).toString().trim();
  return harnessPath;
}

/** Starts a cluster for one test file. Close it in `after()`. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const real = process.env.KAFKA_BOOTSTRAP;
  if (real) return new RealCluster(real);
  const args = ["--brokers", String(options.brokers ?? 3)];
  for (const topic of options.topics ?? []) {
    args.push("--topic", `${topic.name}:${topic.partitions}`);
  }
  const child = spawn(harness(), args, { stdio: ["pipe", "pipe", "inherit"] });
  const cluster = new MockCluster(child);
  await cluster.started;
  return cluster;
}

interface Pending {
  line: string;
  output: string[];
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
}

class MockCluster implements TestCluster {
  readonly isMock = true;
  bootstrap = "";
  readonly started: Promise<void>;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #buffer = "";
  #queue: Pending[] = [];
  #startResolve!: () => void;
  #startReject!: (error: Error) => void;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(child: ChildProcess) {
    this.#child = child;
    this.started = new Promise((resolve, reject) => {
      this.#startResolve = resolve;
      this.#startReject = reject;
    });
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.once("exit", (code) => {
      const error = new Error(`mock cluster exited with code ${code}`);
      this.#startReject(error);
      for (const pending of this.#queue.splice(0)) pending.reject(error);
    });
    child.once("error", (error) => this.#startReject(error));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.#onData(chunk));
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.indexOf("\n");
      if (end < 0) return;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      if (line.startsWith("BOOTSTRAP ")) {
        this.bootstrap = line.slice("BOOTSTRAP ".length);
        this.#startResolve();
        continue;
      }
      const pending = this.#queue[0];
      if (pending === undefined) continue;
      if (line === "OK") {
        this.#queue.shift();
        pending.resolve(pending.output);
      } else if (line.startsWith("ERR ")) {
        this.#queue.shift();
        pending.reject(
          new Error(`Mock cluster command "${pending.line}" failed: ${line.slice(4)}`),
        );
      } else {
        pending.output.push(line);
      }
    }
  }

  command(line: string): Promise<string[]> {
    const result = this.#chain.then(() =>
      new Promise<string[]>((resolve, reject) => {
        this.#queue.push({ line, output: [], resolve, reject });
        this.#child.stdin!.write(line + "\n");
      })
    );
    this.#chain = result.catch(() => {});
    return result;
  }

  async createTopic(name: string, partitions: number): Promise<void> {
    await this.command(`topic_create ${name} ${partitions}`);
  }
  async brokerDown(id: number): Promise<void> {
    await this.command(`broker_down ${id}`);
  }
  async brokerUp(id: number): Promise<void> {
    await this.command(`broker_up ${id}`);
  }
  async setLeader(topic: string, partition: number, brokerId: number): Promise<void> {
    await this.command(`leader ${topic} ${partition} ${brokerId}`);
  }
  async pushErrors(apiKey: number, codes: number[]): Promise<void> {
    await this.command(`errors ${apiKey} ${codes.join(" ")}`);
  }
  async pushBrokerErrors(
    brokerId: number,
    apiKey: number,
    errors: Array<{ code: number; rttMs: number }>,
  ): Promise<void> {
    await this.command(
      `broker_errors ${brokerId} ${apiKey} ${errors.map((e) => `${e.code}:${e.rttMs}`).join(" ")}`,
    );
  }
  async setRtt(brokerId: number, ms: number): Promise<void> {
    await this.command(`rtt ${brokerId} ${ms}`);
  }
  async setApiVersion(apiKey: number, min: number, max: number): Promise<void> {
    await this.command(`apiversion ${apiKey} ${min} ${max}`);
  }

  async close(): Promise<void> {
    if (this.#child.exitCode === null) this.#child.stdin!.end("quit\n");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(timer);
  }
}

class RealCluster implements TestCluster {
  readonly isMock = false;
  readonly bootstrap: string;
  constructor(bootstrap: string) {
    this.bootstrap = bootstrap;
  }
  #unsupported(what: string): never {
    throw new Error(
      `Cannot ${what} on a real cluster (KAFKA_BOOTSTRAP): fault injection needs the mock`,
    );
  }
  command(line: string): Promise<string[]> {
    this.#unsupported(`run "${line}"`);
  }
  createTopic(_name: string, _partitions: number): Promise<void> {
    // Real clusters create topics on first Metadata request when auto-creation is on (the
    // usual test setup); create them with kafka-topics.sh otherwise.
    return Promise.resolve();
  }
  brokerDown(): Promise<void> {
    this.#unsupported("stop a broker");
  }
  brokerUp(): Promise<void> {
    this.#unsupported("start a broker");
  }
  setLeader(): Promise<void> {
    this.#unsupported("move a leader");
  }
  pushErrors(): Promise<void> {
    this.#unsupported("inject errors");
  }
  pushBrokerErrors(): Promise<void> {
    this.#unsupported("inject errors");
  }
  setRtt(): Promise<void> {
    this.#unsupported("slow a broker");
  }
  setApiVersion(): Promise<void> {
    this.#unsupported("limit API versions");
  }
  async close(): Promise<void> {}
}
