/**
 * Profiles the CLI on Deno, Bun and Node (V8/JSC `--cpu-prof`) producing N lines of 100 bytes
 * into a 3-broker mock cluster, and prints per runtime where the time goes (by stage and by
 * function; see bench/profile_summary.ts). Profiles are kept in bench/results/profiles/ (not committed).
 *
 * Usage (scripts/bench.sh sets the paths): deno run -A bench/profile.ts [--records 1000000]
 *   [--keyed] [--runtimes deno,bun,node] [--args "extra CLI arguments"]
 * --keyed profiles the 16-byte-key cell (lines "key-%012d<TAB>value", -K TAB), as bench/run.ts.
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { endOffsets } from "../tests/support/kcat.ts";
import { startMockCluster } from "../tests/support/mock_cluster.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const records = Number(option("records", "1000000"));
const extra = option("args", "").split(" ").filter((a) => a !== "");
const keyed = args.includes("--keyed");
const only = option("runtimes", "deno,bun,node").split(",");
const root = new URL("..", import.meta.url).pathname;
const outDir = join(root, "bench/results/profiles");
const node = process.env.SLUICE_NODE ?? "node";
const deno = join(root, "node_modules/.bin/deno");
const bun = join(root, "node_modules/.bin/bun");
const cli = join(root, "cli.ts");

mkdirSync(outDir, { recursive: true });
// Input data is generated outside the repository (it is ~100 MB).
const dataDir = join(process.env.SLUICE_CACHE ?? tmpdir(), "bench-data");
mkdirSync(dataDir, { recursive: true });
const dataFile = join(dataDir, `profile-${keyed ? "keyed" : "lines"}-${records}.txt`);
if (!existsSync(dataFile)) {
  if (keyed) {
    const lines: string[] = [];
    for (let i = 0; i < records; i++) {
      lines.push(`key-${String(i % 65536).padStart(12, "0")}\t${"x".repeat(99)}`);
    }
    writeFileSync(dataFile, lines.join("\n") + "\n");
  } else {
    const line = "x".repeat(99) + "\n";
    writeFileSync(dataFile, line.repeat(records));
  }
}
if (keyed) extra.push("-K", "\t");

const runtimes: Array<{ name: string; command: (profileDir: string) => string[] }> = [
  {
    name: "deno",
    command: (dir) => [deno, "run", "-A", "--cpu-prof", `--cpu-prof-dir=${dir}`, cli],
  },
  { name: "bun", command: (dir) => [bun, "--cpu-prof", `--cpu-prof-dir=${dir}`, cli] },
  { name: "node", command: (dir) => [node, "--cpu-prof", `--cpu-prof-dir=${dir}`, cli] },
];

const cluster = await startMockCluster({ brokers: 3 });
try {
  for (const runtime of runtimes.filter((r) => only.includes(r.name))) {
    const topic = `profile-${runtime.name}`;
    await cluster.createTopic(topic, 4);
    const dir = join(outDir, runtime.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const [command, ...commandArgs] = runtime.command(dir);
    // stdin redirected from the file by the shell, as `cli < file` (kcat -l reads it too).
    const result = spawnSync(
      "bash",
      [
        "-c",
        `exec "$@" < "${dataFile}"`,
        "bash",
        command!,
        ...commandArgs,
        "-b",
        cluster.bootstrap,
        "-t",
        topic,
        "--acks",
        "1",
        ...extra,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    const stored = [...(await endOffsets(cluster.bootstrap, topic)).values()]
      .reduce((a, b) => a + b, 0);
    console.log(`\n### ${runtime.name}: ${String(result.stderr).trim()} (stored ${stored})\n`);
    const profile = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (profile === undefined) {
      console.log("(no profile written)");
      continue;
    }
    console.log(
      execFileSync(deno, ["run", "-A", join(root, "bench/profile_summary.ts"), join(dir, profile)])
        .toString(),
    );
  }
} finally {
  await cluster.close();
}
