/**
 * The producer benchmark: sluice (CLI, send(), WritableStream) on Deno, Bun and Node beside
 * kcat (librdkafka), Java's own KafkaProducer, KafkaJS and @platformatic/kafka, on the same
 * cluster in the same run, alternating clients, median of N repetitions. Every run must
 * deliver all records (checked with kcat's end offsets) before its number counts.
 *
 * Usage (see scripts/bench.sh, which builds the broker and pins the runtimes):
 *   deno run -A bench/run.ts [--broker mock|real] [--records 1000000] [--reps 3] [--full]
 *     [--codecs] [--clients a,b] [--cells x,y] [--out bench/results/DIR]
 * --broker real runs against real Apache Kafka (3 KRaft nodes, tests/kafka; one cluster for the
 * whole run, each run's topic deleted after it); the default is librdkafka's mock (a fresh
 * cluster per repetition). --full adds the acks=all cells (and, on the mock, 1-broker cells);
 * --codecs adds snappy, lz4 and zstd (3 brokers, acks=1) to gzip. --sasl-ssl adds a cell on real
 * Kafka's SASL_SSL listener (SASL PLAIN over TLS, acks=1; a real cluster even with --broker mock)
 * for kcat and sluice's CLI and API clients only (the Java, KafkaJS and @platformatic/kafka
 * clients here speak plaintext only). (PLAIN, not SCRAM: Debian's kcat links librdkafka 2.0.2,
 * whose SCRAM Kafka 4 refuses.)
 *
 * Writes bench/results/results.{json,md} and chart.svg (mock) or bench/results/real/ (real).
 *
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { endOffsets } from "../tests/support/kcat.ts";
import { type MockCluster, startMockCluster } from "../tests/support/mock_cluster.ts";
import {
  kafkaEnvironment,
  type RealKafkaCluster,
  startRealCluster,
} from "../tests/support/kafka_cluster.ts";
import { renderChart } from "./chart.ts";

interface Cell {
  id: string;
  brokers: 1 | 3;
  acks: "1" | "all";
  keyed: boolean;
  codec: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /** Real Kafka's SASL_SSL listener instead of the plaintext one. */
  saslSsl?: boolean;
  /**
   * The fetch() body cell: the same JSON lines served over HTTP by another process, piped
   * into the producer by the fetch clients, beside the CLIs reading them from stdin.
   */
  ndjson?: boolean;
}

/** How the clients reach a SASL_SSL listener (set while a --sasl-ssl cell runs). */
interface Security {
  username: string;
  password: string;
  caFile: string;
}

interface Client {
  id: string;
  label: string;
  /** Runs only in the fetch() body cell (it reads from `ndjsonUrl`). */
  fetch?: boolean;
  command(
    cell: Cell,
    bootstrap: string,
    topic: string,
    file: string,
  ): { cmd: string; args: string[]; stdin?: string };
}

interface RunResult {
  client: string;
  cell: string;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  cpuSecondsPerMillion: number;
  peakRssMb: number;
  seconds: number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const records = Number(option("records", "1000000"));
const reps = Number(option("reps", "3"));
const full = args.includes("--full");
const broker = option("broker", "mock");
if (broker !== "mock" && broker !== "real") throw new RangeError(`--broker must be mock or real`);
const root = new URL("..", import.meta.url).pathname;
// --out DIR (relative to the repository): where a partial run (--clients, --cells) goes, so
// it does not replace the committed full table.
const resultsDir = join(
  root,
  option("out", broker === "real" ? "bench/results/real" : "bench/results"),
);
const dataDir = join(process.env.SLUICE_CACHE ?? join(tmpdir(), "sluice-bench"), "bench-data");
const node = process.env.SLUICE_NODE ?? "node";
const deno = join(root, "node_modules/.bin/deno");
const bun = join(root, "node_modules/.bin/bun");
const cli = join(root, "cli.ts");
const api = join(root, "bench/clients/sluice_api.ts");

const CELLS: Cell[] = [];
// Real Kafka always runs 3 nodes; the mock also has 1-broker cells with --full.
for (const brokers of full && broker === "mock" ? [1, 3] as const : [3] as const) {
  for (const acks of full ? ["1", "all"] as const : ["1"] as const) {
    CELLS.push({ id: `b${brokers}-acks${acks}-plain`, brokers, acks, keyed: false, codec: "none" });
    CELLS.push({ id: `b${brokers}-acks${acks}-keys`, brokers, acks, keyed: true, codec: "none" });
    CELLS.push({ id: `b${brokers}-acks${acks}-gzip`, brokers, acks, keyed: false, codec: "gzip" });
  }
}
if (args.includes("--ndjson") || full) {
  CELLS.push({
    id: "b3-acks1-ndjson",
    brokers: 3,
    acks: "1",
    keyed: false,
    codec: "none",
    ndjson: true,
  });
}
if (args.includes("--sasl-ssl")) {
  CELLS.push({
    id: "b3-acks1-sasl_ssl",
    brokers: 3,
    acks: "1",
    keyed: false,
    codec: "none",
    saslSsl: true,
  });
}
if (args.includes("--codecs")) {
  for (const codec of ["snappy", "lz4", "zstd"] as const) {
    CELLS.push({ id: `b3-acks1-${codec}`, brokers: 3, acks: "1", keyed: false, codec });
  }
}

let security: Security | undefined;

/** librdkafka's (and sluice's CLI's) -X settings for the SASL_SSL cell. */
function securityArgs(cell: Cell): string[] {
  if (!cell.saslSsl || security === undefined) return [];
  return [
    "-X",
    "security.protocol=sasl_ssl",
    "-X",
    "sasl.mechanisms=PLAIN",
    "-X",
    `sasl.username=${security.username}`,
    "-X",
    `sasl.password=${security.password}`,
    "-X",
    `ssl.ca.location=${security.caFile}`,
  ];
}

function cliArgs(cell: Cell, bootstrap: string, topic: string): string[] {
  const out = ["-b", bootstrap, "-t", topic, "--acks", cell.acks, "--linger-ms", "5"];
  if (cell.keyed) out.push("-K", "\t");
  if (cell.codec !== "none") out.push("-z", cell.codec);
  out.push(...securityArgs(cell));
  return out;
}

/**
 * The batch size our API clients use: librdkafka's default (what kcat runs with), so both
 * producers batch alike. The CLI uses it by default; the library's default is Java's 16 KiB
 * (see the README's Performance section for what that costs).
 */
const BATCH_SIZE = "1000000";

const apiArgs = (mode: string, cell: Cell, bootstrap: string, topic: string, file: string) => [
  mode,
  bootstrap,
  topic,
  file,
  cell.acks,
  cell.keyed ? "1" : "0",
  cell.codec,
  BATCH_SIZE,
  // The API client's security: the same Java properties, as JSON.
  ...(cell.saslSsl && security !== undefined
    ? [JSON.stringify({
      "security.protocol": "SASL_SSL",
      "sasl.mechanism": "PLAIN",
      "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required ` +
        `username="${security.username}" password="${security.password}";`,
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": security.caFile,
    })]
    : []),
];

function kafkaVersion(): string {
  return kafkaEnvironment().SLUICE_KAFKA_VERSION ?? "?";
}

let javaClasspathCache: string | undefined;

/** kafka-clients' classpath plus bench/clients/java compiled once into the cache. */
function javaClasspath(): string {
  if (javaClasspathCache !== undefined) return javaClasspathCache;
  const env = kafkaEnvironment();
  const kafka = readFileSync(env.SLUICE_KAFKA_CLASSPATH_FILE!, "utf8").trim();
  const source = join(root, "bench/clients/java/FileProducer.java");
  const out = join(dataDir, "java-client");
  mkdirSync(out, { recursive: true });
  execFileSync("javac", ["-nowarn", "-d", out, "-cp", kafka, source], { stdio: "inherit" });
  javaClasspathCache = `${kafka}:${out}`;
  return javaClasspathCache;
}

/** Where the fetch() clients GET the events (set while the ndjson cell runs). */
let ndjsonUrl = "";
const fetchClient = join(root, "bench/clients/sluice_fetch.ts");
const fetchArgs = (mode: string, c: Cell, b: string, t: string) => [
  mode,
  ndjsonUrl,
  b,
  t,
  c.acks,
  c.codec,
  BATCH_SIZE,
];

const CLIENTS: Client[] = [
  {
    id: "kcat",
    label: "kcat -P (librdkafka)",
    command: (cell, bootstrap, topic, file) => ({
      cmd: "kcat",
      args: [
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-l",
        file,
        "-X",
        "linger.ms=5",
        "-X",
        `acks=${cell.acks === "all" ? "-1" : cell.acks}`,
        ...(cell.keyed ? ["-K", "\t"] : []),
        ...(cell.codec !== "none" ? ["-z", cell.codec] : []),
        ...securityArgs(cell),
      ],
    }),
  },
  {
    id: "sluice-cli-deno",
    label: "sluice CLI (Deno)",
    command: (c, b, t, f) => ({
      cmd: deno,
      args: ["run", "-A", cli, ...cliArgs(c, b, t)],
      stdin: f,
    }),
  },
  {
    id: "sluice-cli-bun",
    label: "sluice CLI (Bun)",
    command: (c, b, t, f) => ({ cmd: bun, args: [cli, ...cliArgs(c, b, t)], stdin: f }),
  },
  {
    id: "sluice-cli-node",
    label: "sluice CLI (Node)",
    command: (c, b, t, f) => ({ cmd: node, args: [cli, ...cliArgs(c, b, t)], stdin: f }),
  },
  {
    id: "sluice-send-deno",
    label: "sluice send() (Deno)",
    command: (c, b, t, f) => ({
      cmd: deno,
      args: ["run", "-A", api, ...apiArgs("send", c, b, t, f)],
    }),
  },
  {
    id: "sluice-send-bun",
    label: "sluice send() (Bun)",
    command: (c, b, t, f) => ({ cmd: bun, args: [api, ...apiArgs("send", c, b, t, f)] }),
  },
  {
    id: "sluice-send-node",
    label: "sluice send() (Node)",
    command: (c, b, t, f) => ({ cmd: node, args: [api, ...apiArgs("send", c, b, t, f)] }),
  },
  {
    id: "sluice-stream-deno",
    label: "sluice writable (Deno)",
    command: (c, b, t, f) => ({
      cmd: deno,
      args: ["run", "-A", api, ...apiArgs("stream", c, b, t, f)],
    }),
  },
  {
    id: "sluice-stream-bun",
    label: "sluice writable (Bun)",
    command: (c, b, t, f) => ({ cmd: bun, args: [api, ...apiArgs("stream", c, b, t, f)] }),
  },
  {
    id: "sluice-stream-node",
    label: "sluice writable (Node)",
    command: (c, b, t, f) => ({ cmd: node, args: [api, ...apiArgs("stream", c, b, t, f)] }),
  },
  {
    id: "java",
    label: `Java KafkaProducer (kafka-clients ${kafkaVersion()})`,
    command: (c, b, t, f) => ({
      cmd: "java",
      args: [
        "-Xmx1g",
        `-Dlog4j2.configurationFile=${join(root, "tests/kafka/log4j2-launcher.properties")}`,
        "-cp",
        javaClasspath(),
        "FileProducer",
        b,
        t,
        f,
        c.acks,
        c.keyed ? "1" : "0",
        c.codec,
        BATCH_SIZE,
      ],
    }),
  },
  ...(["deno", "bun", "node"] as const).flatMap((runtime): Client[] => {
    const name = { deno: "Deno", bun: "Bun", node: "Node" }[runtime];
    const command = (mode: string) => (c: Cell, b: string, t: string) => ({
      cmd: { deno, bun, node }[runtime],
      args: [
        ...(runtime === "deno" ? ["run", "-A"] : []),
        fetchClient,
        ...fetchArgs(mode, c, b, t),
      ],
    });
    return [
      {
        id: `sluice-fetch-json-${runtime}`,
        label: `sluice fetch → NdjsonStream → writable (${name})`,
        fetch: true,
        command: command("json"),
      },
      {
        id: `sluice-fetch-lines-${runtime}`,
        label: `sluice fetch → ByteLineStream → writable (${name})`,
        fetch: true,
        command: command("lines"),
      },
    ];
  }),
  {
    id: "kafkajs",
    label: "KafkaJS 2.2.4 (Node)",
    command: (c, b, t, f) => ({
      cmd: node,
      args: [
        join(root, "bench/clients/kafkajs_client.mjs"),
        b,
        t,
        f,
        c.acks,
        c.keyed ? "1" : "0",
        c.codec,
      ],
    }),
  },
  {
    id: "platformatic",
    label: "@platformatic/kafka (Node)",
    command: (c, b, t, f) => ({
      cmd: node,
      args: [
        join(root, "bench/clients/platformatic_client.mjs"),
        b,
        t,
        f,
        c.acks,
        c.keyed ? "1" : "0",
        c.codec,
      ],
    }),
  },
];

const onlyClients = option("clients", "");
const onlyCells = option("cells", "");
// Java's producer is a peer on real Kafka only: librdkafka 2.8's mock answers kafka-clients
// 4.4's ApiVersions with a throttle time Java obeys (~20 minutes per broker), so its metadata
// never arrives there.
const clients =
  (onlyClients ? CLIENTS.filter((c) => onlyClients.split(",").includes(c.id)) : CLIENTS).filter((
    c,
  ) => c.id !== "java" || broker === "real");
const cells = onlyCells ? CELLS.filter((c) => onlyCells.split(",").includes(c.id)) : CELLS;

/** 100-byte values (and 16-byte keys), generated once and cached. */
function dataFile(keyed: boolean): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `${keyed ? "keyed" : "plain"}-${records}.txt`);
  if (existsSync(file)) return file;
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const body = `{"id":${i},"user":"u${i % 9973}","event":"click","pad":"`;
    const pad = alphabet.repeat(4).slice(0, 100 - body.length - 2);
    const value = `${body}${pad}"}`;
    lines.push(keyed ? `key-${String(i % 65536).padStart(12, "0")}\t${value}` : value);
  }
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

type BenchCluster = MockCluster | RealKafkaCluster;

/** bench/clients/ndjson_server.ts on Node, serving `file`. */
async function startNdjsonServer(file: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(node, [join(root, "bench/clients/ndjson_server.ts"), file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (text: string) => {
      out += text;
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`ndjson server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

async function runOnce(
  client: Client,
  cell: Cell,
  cluster: BenchCluster,
  run: number,
): Promise<RunResult | string> {
  const topic = `bench-${cell.id}-${client.id}-${run}-${Date.now().toString(36)}`;
  await cluster.createTopic(topic, 4);
  try {
    return await measure(client, cell, cluster, topic);
  } finally {
    // Real Kafka keeps what it stored on disk (3 replicas): drop it once counted.
    if (cluster.provider === "real") await cluster.deleteTopic(topic);
  }
}

/** Seconds a client may run (1M records take 0.3-10 s here) before its run counts as failed. */
const RUN_TIMEOUT_S = 180;

async function measure(
  client: Client,
  cell: Cell,
  cluster: BenchCluster,
  topic: string,
): Promise<RunResult | string> {
  const file = dataFile(cell.keyed);
  const bootstrap = cluster.provider === "real" && cell.saslSsl
    ? cluster.info.bootstrap.SASL_SSL
    : cluster.bootstrap;
  const { cmd, args: commandArgs, stdin } = client.command(cell, bootstrap, topic, file);
  const timeFile = join(dataDir, "time.txt");
  rmSync(timeFile, { force: true });
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    // A CLI's stdin is the file itself (`cli < file`, as kcat reads `-l file`), redirected by
    // the shell that /usr/bin/time runs: exec keeps one process, so time measures the client.
    const command = stdin
      ? ["bash", "-c", 'exec "$@" < "$0"', stdin, cmd, ...commandArgs]
      : [cmd, ...commandArgs];
    const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, ...command], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true, // its own process group, so a timeout kills the client too
    });
    // A client that hangs fails its run instead of stalling the whole benchmark.
    const timer = setTimeout(() => {
      process.stderr.write(`${client.id} ${cell.id}: no exit after ${RUN_TIMEOUT_S} s, killed\n`);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, RUN_TIMEOUT_S * 1000);
    let stderr = "";
    child.stderr!.on("data", (chunk) => stderr = (stderr + chunk).slice(-2000));
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      if (exitCode !== 0) {
        process.stderr.write(`${client.id} ${cell.id}: exit ${exitCode}: ${stderr}\n`);
      }
      resolve(exitCode ?? 1);
    });
  });
  const wall = (performance.now() - started) / 1000;
  if (code !== 0) return `exit ${code}`;
  let stored = 0;
  // Real Kafka's end offsets (high watermarks) follow replication, which acks=1 does not wait
  // for: poll briefly before counting a run as short.
  const settleBy = Date.now() + (cluster.provider === "real" ? 15_000 : 0);
  for (;;) {
    const offsets = await endOffsets(cluster.bootstrap, topic);
    stored = [...offsets.values()].reduce((a, b) => a + b, 0);
    if (stored >= records || Date.now() >= settleBy) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (stored !== records) return `delivered ${stored} of ${records}`;
  const [elapsed, user, sys, rssKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!
    .split(" ").map(Number);
  const seconds = elapsed || wall;
  const bytes = readFileSync(file).length;
  return {
    client: client.id,
    cell: cell.id,
    seconds,
    recordsPerSecond: records / seconds,
    megabytesPerSecond: bytes / seconds / 1e6,
    cpuSecondsPerMillion: ((user! + sys!) / records) * 1e6,
    peakRssMb: rssKb! / 1024,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// One real cluster for the whole run (SLUICE_KAFKA_CLUSTER's if set); the mock anew per rep.
const real: RealKafkaCluster | undefined = broker === "real" ? await startRealCluster() : undefined;
const results: Array<RunResult & { runs: number; failures: string[] }> = [];
for (const cell of cells) {
  const perClient = new Map<string, RunResult[]>();
  const failures = new Map<string, string[]>();
  // Only kcat and sluice's clients speak SASL_SSL here (see the usage); the fetch() clients
  // run only in the ndjson cell, beside kcat and the CLIs on the same lines.
  const cellClients = cell.saslSsl
    ? clients.filter((c) => c.id === "kcat" || (c.id.startsWith("sluice-") && !c.fetch))
    : cell.ndjson
    ? clients.filter((c) => c.id === "kcat" || c.id.startsWith("sluice-cli-") || c.fetch)
    : clients.filter((c) => !c.fetch);
  const server = cell.ndjson ? await startNdjsonServer(dataFile(false)) : undefined;
  ndjsonUrl = server?.url ?? "";
  for (let run = 0; run < reps; run++) {
    // A fresh mock per repetition: it keeps every record in memory, and a broker holding
    // gigabytes from earlier runs slows down the later clients. Real Kafka keeps records on
    // disk: one cluster serves every repetition.
    const cluster: BenchCluster = real ??
      (cell.saslSsl ? await startRealCluster() : await startMockCluster({ brokers: cell.brokers }));
    if (cluster.provider === "real") {
      security = { ...cluster.info.sasl, caFile: cluster.info.files.ca };
    }
    try {
      // Alternate clients within each repetition so drift hits everyone alike.
      for (const client of run % 2 === 0 ? cellClients : [...cellClients].reverse()) {
        const outcome = await runOnce(client, cell, cluster, run);
        if (typeof outcome === "string") {
          failures.set(client.id, [...(failures.get(client.id) ?? []), outcome]);
          process.stderr.write(`  ${cell.id} ${client.id} run ${run}: FAILED (${outcome})\n`);
        } else {
          perClient.set(client.id, [...(perClient.get(client.id) ?? []), outcome]);
          process.stderr.write(
            `  ${cell.id} ${client.id} run ${run}: ${
              Math.round(outcome.recordsPerSecond)
            } records/s\n`,
          );
        }
      }
    } finally {
      if (cluster !== real) await cluster.close();
    }
  }
  server?.stop();
  for (const client of cellClients) {
    const runs = perClient.get(client.id) ?? [];
    if (runs.length === 0) {
      results.push({
        client: client.id,
        cell: cell.id,
        recordsPerSecond: 0,
        megabytesPerSecond: 0,
        cpuSecondsPerMillion: 0,
        peakRssMb: 0,
        seconds: 0,
        runs: 0,
        failures: failures.get(client.id) ?? [],
      });
      continue;
    }
    results.push({
      client: client.id,
      cell: cell.id,
      recordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
      megabytesPerSecond: median(runs.map((r) => r.megabytesPerSecond)),
      cpuSecondsPerMillion: median(runs.map((r) => r.cpuSecondsPerMillion)),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      seconds: median(runs.map((r) => r.seconds)),
      runs: runs.length,
      failures: failures.get(client.id) ?? [],
    });
  }
}

await real?.close();
mkdirSync(resultsDir, { recursive: true });
const meta = {
  date: new Date().toISOString(),
  broker: broker === "real"
    ? `Apache Kafka ${real!.info.version}, 3 KRaft nodes (tests/kafka), replication factor 3`
    : "librdkafka 2.8.0 mock cluster",
  records,
  reps,
  valueBytes: 100,
  partitions: 4,
  lingerMs: 5,
  batchSize: Number(BATCH_SIZE),
  runtimes: {
    deno: execFileSync(deno, ["--version"]).toString().split("\n")[0],
    bun: execFileSync(bun, ["--version"]).toString().trim(),
    node: execFileSync(node, ["--version"]).toString().trim(),
  },
};
writeFileSync(join(resultsDir, "results.json"), JSON.stringify({ meta, results }, null, 2) + "\n");

const rateOf = (client: string, cell: string) =>
  results.find((r) => r.client === client && r.cell === cell)?.recordsPerSecond ?? 0;
const ratio = (value: number, base: number) => base > 0 ? (value / base).toFixed(2) : "–";
let markdown =
  `# Producer benchmark (${meta.broker})\n\n${records} records of 100 bytes, 4 partitions, linger 5 ms, ` +
  `batch size 1,000,000 bytes (librdkafka's default, which kcat uses; sluice's CLI default too), ` +
  `CLIs reading the file as stdin (kcat: -l file), median of ${reps}; ` +
  `${meta.runtimes.deno}, Bun ${meta.runtimes.bun}, Node ${meta.runtimes.node}; ${meta.date}.\n\n` +
  `| cell | client | records/s | MB/s | CPU s / 1M | peak RSS MB | × kcat | × Java |\n` +
  `|---|---|---:|---:|---:|---:|---:|---:|\n`;
for (const result of results) {
  const label = CLIENTS.find((c) => c.id === result.client)!.label;
  markdown += result.runs === 0
    ? `| ${result.cell} | ${label} | failed: ${result.failures.join("; ")} | | | | | |\n`
    : `| ${result.cell} | ${label} | ${
      Math.round(result.recordsPerSecond).toLocaleString("en")
    } | ${result.megabytesPerSecond.toFixed(1)} | ${result.cpuSecondsPerMillion.toFixed(2)} | ${
      result.peakRssMb.toFixed(0)
    } | ${ratio(result.recordsPerSecond, rateOf("kcat", result.cell))} | ${
      ratio(result.recordsPerSecond, rateOf("java", result.cell))
    } |\n`;
}
writeFileSync(join(resultsDir, "results.md"), markdown);
writeFileSync(
  join(resultsDir, "chart.svg"),
  renderChart(results, CLIENTS.map((c) => ({ id: c.id, label: c.label }))),
);
console.log(markdown);
