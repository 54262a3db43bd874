// Starts our librdkafka mock-cluster harness (tests/broker/mock_cluster.c) for a test file and
// drives its fault-injection commands over the child's stdin. The mock is for what only it can
// do (any error code on demand, API version caps, RTTs, request tracking); everything else runs
// on real Kafka (tests/support/test_cluster.ts picks the provider).
//
// Lifetime invariants:
// - The harness exits when its stdin closes, so a test process that dies (even by SIGKILL)
//   takes its cluster with it: no orphans.
// - The child and its pipes are unref'd while no command, start or close is pending, so a
//   cluster that a test forgot to close() does not keep Deno's, Bun's or Node's test runner
//   alive; when the runner exits, the pipe closes and the harness follows.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readTopic, type ReadTopicOptions, type StoredRecord } from "./kcat.ts";

/**
 * What {@linkcode startMockCluster} starts.
 *
 * @example
 * ```ts
 * import type { MockClusterOptions } from "./mock_cluster.ts";
 * const options: MockClusterOptions = { brokers: 1, topics: [{ name: "events", partitions: 2 }] };
 * if (options.topics?.[0]?.partitions !== 2) throw new Error();
 * ```
 */
export interface MockClusterOptions {
  /** Number of brokers, with ids 1..N. @default 3 */
  brokers?: number;
  /** Topics to create up front (replication factor min(3, brokers)). @default none */
  topics?: Array<{ name: string; partitions: number }>;
  /** The mock's debug log on stderr (also on with env SLUICE_MOCK_LOG=1). @default false */
  log?: boolean;
}

/**
 * One request the mock saw while tracking was on (harness commands `track_start`/`requests`).
 *
 * @example
 * ```ts
 * import { startMockCluster } from "./mock_cluster.ts";
 * const cluster = await startMockCluster({ brokers: 1 });
 * await cluster.command("track_start");
 * const requests = await cluster.requests(); // read before track_stop, which clears them
 * await cluster.close();
 * if (requests.length !== 0) throw new Error("no client connected");
 * ```
 */
export interface TrackedRequest {
  /** The broker it was sent to. */
  brokerId: number;
  /** Its Kafka ApiKey (0 Produce, 3 Metadata, ...). */
  apiKey: number;
  /** When the mock received it, in microseconds (monotonic clock, not the epoch). */
  timestampUs: number;
}

/**
 * A running mock cluster with its fault-injection commands.
 *
 * @example
 * ```ts
 * import { startMockCluster } from "./mock_cluster.ts";
 * const cluster = await startMockCluster({ brokers: 1 });
 * try {
 *   if (cluster.bootstrap.split(",").length !== 1) throw new Error("one broker");
 * } finally {
 *   await cluster.close();
 * }
 * ```
 */
export interface MockCluster {
  readonly provider: "mock";
  /** Bootstrap servers, "127.0.0.1:port,...". */
  readonly bootstrap: string;
  /**
   * Sends one harness command (see tests/broker/README.md); commands run one at a time, in
   * call order. Resolves with the lines printed before `OK`; rejects on `ERR` with the command
   * and the reason, or when the harness has exited.
   */
  command(line: string): Promise<string[]>;
  /** Creates a topic with exactly `partitions` partitions (the mock ignores replication). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Reads a topic back with kcat (CRCs checked): the mock cannot serve Java's consumer checks. */
  readBack(topic: string, options?: ReadTopicOptions): Promise<StoredRecord[]>;
  /** Closes a broker's listener and connections; its port stays reserved, leaders stay. */
  brokerDown(id: number): Promise<void>;
  /** Reopens a broker's listener. */
  brokerUp(id: number): Promise<void>;
  /** Moves a partition's leadership; -1 leaves it without a leader. */
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  /** The next requests with this ApiKey, on any broker, fail with these codes in order. */
  pushErrors(apiKey: number, codes: number[]): Promise<void>;
  /** The next requests with this ApiKey to this broker get these codes after these delays. */
  pushBrokerErrors(
    brokerId: number,
    apiKey: number,
    errors: Array<{ code: number; rttMs: number }>,
  ): Promise<void>;
  /** Delays every response of a broker (-1: all brokers) by `ms`. */
  setRtt(brokerId: number, ms: number): Promise<void>;
  /** Limits the versions of an API the mock advertises and accepts (-1 -1 disables it). */
  setApiVersion(apiKey: number, min: number, max: number): Promise<void>;
  /** The requests tracked since `track_start` (or the last `track_clear`). */
  requests(): Promise<TrackedRequest[]>;
  /** Stops the harness and waits for it to exit; idempotent. */
  close(): Promise<void>;
}

let topicCounter = 0;

/**
 * A topic name no other test, test process or earlier run against a real cluster uses.
 *
 * @param prefix Start of the name: letters, digits, ".", "_" and "-" only.
 * @returns `<prefix>-<time>-<pid>-<counter>`.
 *
 * @example
 * ```ts
 * import { uniqueTopic } from "./mock_cluster.ts";
 * const a = uniqueTopic("orders");
 * if (a === uniqueTopic("orders") || !a.startsWith("orders-")) throw new Error();
 * ```
 */
export function uniqueTopic(prefix: string): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(prefix)) {
    throw new RangeError(`Cannot use "${prefix}" as a topic prefix: only [a-zA-Z0-9._-] allowed`);
  }
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${topicCounter++}`;
}

let harnessPath: string | undefined;

/** The harness binary: SLUICE_MOCK_HARNESS, else built (once per process) by build.sh. */
function harness(): string {
  if (harnessPath !== undefined) return harnessPath;
  const fromEnv = process.env.SLUICE_MOCK_HARNESS;
  harnessPath = fromEnv ? fromEnv : execFileSync(
    "bash",
    [fileURLToPath(new URL("../broker/build.sh", import.meta.url))],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" },
  ).trim();
  return harnessPath;
}

/**
 * Starts a mock cluster for a test file (close it in `after()`).
 *
 * @param options Brokers and topics.
 * @returns The running cluster.
 *
 * @example
 * ```ts
 * import { startMockCluster } from "./mock_cluster.ts";
 * const cluster = await startMockCluster({ brokers: 3, topics: [{ name: "events", partitions: 2 }] });
 * const lines = await cluster.command("ping");
 * await cluster.close();
 * if (lines.length !== 0) throw new Error("ping prints nothing before OK");
 * ```
 */
export async function startMockCluster(options: MockClusterOptions = {}): Promise<MockCluster> {
  const brokers = options.brokers ?? 3;
  if (!Number.isInteger(brokers) || brokers < 1) {
    throw new RangeError(`Cannot start a cluster with ${brokers} brokers: must be >= 1`);
  }
  const args = ["--brokers", String(brokers)];
  for (const topic of options.topics ?? []) {
    args.push("--topic", `${topic.name}:${topic.partitions}`);
  }
  if (options.log || process.env.SLUICE_MOCK_LOG === "1") args.push("--log");
  const child = spawn(harness(), args, { stdio: ["pipe", "pipe", "inherit"] });
  const cluster = new MockHarness(child, args);
  await cluster.started;
  return cluster;
}

interface Pending {
  line: string;
  output: string[];
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
}

/** Refs or unrefs a handle if the runtime offers it (Bun's child stdin has neither). */
function setRef(handle: unknown, ref: boolean): void {
  const h = handle as { ref?: () => void; unref?: () => void } | null | undefined;
  if (ref) h?.ref?.();
  else h?.unref?.();
}

class MockHarness implements MockCluster {
  readonly provider = "mock" as const;
  readonly started: Promise<void>;
  readonly #child: ChildProcess;
  readonly #args: string[];
  readonly #exited: Promise<void>;
  #bootstrap = "";
  #buffer = "";
  /** Commands written and not yet answered, in order: the harness answers in order. */
  readonly #pending: Pending[] = [];
  /** Reasons the event loop must stay alive (start, pending commands, close). */
  #holds = 0;
  #exitError: Error | undefined;
  #closing: Promise<void> | undefined;
  #startResolve!: () => void;
  #startReject!: (error: Error) => void;

  constructor(child: ChildProcess, args: string[]) {
    this.#child = child;
    this.#args = args;
    this.started = new Promise((resolve, reject) => {
      this.#startResolve = resolve;
      this.#startReject = reject;
    });
    this.#hold();
    this.started.then(() => this.#release(), () => this.#release());
    let exitedResolve!: () => void;
    this.#exited = new Promise((resolve) => (exitedResolve = resolve));
    child.once("exit", (code, signal) => {
      this.#exitError = new Error(
        `Mock cluster harness exited (code ${code}, signal ${signal}): ${this.#describe()}`,
      );
      this.#startReject(this.#exitError);
      for (const pending of this.#pending.splice(0)) {
        pending.reject(this.#exitError);
        this.#release();
      }
      exitedResolve();
    });
    child.once("error", (error) => {
      // Spawning failed (no "exit" follows): nothing to wait for.
      this.#exitError = new Error(`Cannot run the mock cluster harness: ${this.#describe()}`, {
        cause: error,
      });
      this.#startReject(this.#exitError);
      exitedResolve();
    });
    // Writes after the harness died fail with EPIPE; the "exit" handler reports that.
    child.stdin!.on("error", () => {});
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.#onData(chunk));
    setRef(child.stdout, false);
    setRef(child.stdin, false);
  }

  get bootstrap(): string {
    return this.#bootstrap;
  }

  #describe(): string {
    return `${harnessPath} ${this.#args.join(" ")}`;
  }

  // Only the child handle is ref'd and unref'd as holds come and go; its pipes are unref'd
  // once for good (Bun cannot unref a pipe again after ref()). A ref'd child keeps the event
  // loop alive on all three runtimes, and data still arrives on unref'd pipes.
  #hold(): void {
    if (this.#holds++ === 0) setRef(this.#child, true);
  }

  #release(): void {
    if (--this.#holds === 0) setRef(this.#child, false);
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.indexOf("\n");
      if (end < 0) return;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      if (this.#bootstrap === "" && line.startsWith("BOOTSTRAP ")) {
        this.#bootstrap = line.slice("BOOTSTRAP ".length);
        this.#startResolve();
        continue;
      }
      const pending = this.#pending[0];
      if (pending === undefined) continue; // e.g. the OK to `quit`
      if (line === "OK") {
        this.#pending.shift();
        pending.resolve(pending.output);
        this.#release();
      } else if (line.startsWith("ERR ")) {
        this.#pending.shift();
        pending.reject(
          new Error(`Mock cluster command "${pending.line}" failed: ${line.slice(4)}`),
        );
        this.#release();
      } else {
        pending.output.push(line);
      }
    }
  }

  command(line: string): Promise<string[]> {
    // One line is one command and a blank line gets no answer: either would desynchronize
    // the answers from #pending.
    if (/[\r\n]/.test(line) || line.trim() === "") {
      return Promise.reject(
        new RangeError(`Cannot send "${line}" to the mock cluster: must be one non-blank line`),
      );
    }
    if (this.#exitError !== undefined || this.#closing !== undefined) {
      return Promise.reject(
        new Error(`Cannot send "${line}" to the mock cluster: it is closed`, {
          cause: this.#exitError,
        }),
      );
    }
    return new Promise<string[]>((resolve, reject) => {
      this.#hold();
      this.#pending.push({ line, output: [], resolve, reject });
      // The harness reads and answers commands strictly in order, so writing at once queues
      // them there: each runs after the previous one is answered.
      this.#child.stdin!.write(line + "\n");
    });
  }

  async createTopic(name: string, partitions: number): Promise<void> {
    await this.command(`topic_create ${name} ${partitions}`);
  }
  readBack(topic: string, options?: ReadTopicOptions): Promise<StoredRecord[]> {
    return readTopic(this.bootstrap, topic, options);
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
    const tuples = errors.map((e) => `${e.code}:${e.rttMs}`).join(" ");
    await this.command(`broker_errors ${brokerId} ${apiKey} ${tuples}`);
  }
  async setRtt(brokerId: number, ms: number): Promise<void> {
    await this.command(`rtt ${brokerId} ${ms}`);
  }
  async setApiVersion(apiKey: number, min: number, max: number): Promise<void> {
    await this.command(`apiversion ${apiKey} ${min} ${max}`);
  }
  async requests(): Promise<TrackedRequest[]> {
    return (await this.command("requests")).map((line) => {
      const [tag, brokerId, apiKey, timestampUs] = line.split(" ");
      if (tag !== "REQ") throw new Error(`Unexpected line from the mock cluster: ${line}`);
      return {
        brokerId: Number(brokerId),
        apiKey: Number(apiKey),
        timestampUs: Number(timestampUs),
      };
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#exitError !== undefined) return;
    this.#hold();
    // EOF makes the harness exit (within milliseconds); SIGKILL only if it hangs.
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timer);
      this.#release();
    }
  }
}
