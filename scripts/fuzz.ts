/**
 * The long property-based run (`npm run fuzz`): draws runs from tests/support/producer_fuzz.ts'
 * pools against a mock cluster (or KAFKA_BOOTSTRAP) and prints every failing run as a
 * reproduction: the command that replays it and the run as code. Run `i` of seed `S` is drawn
 * with seed `S + i`, so any one run replays alone.
 *
 * Usage (through scripts/fuzz.sh, which prepares the broker, kcat and the runtimes):
 *   npm run fuzz -- [--seed N] [--runs N | --records N] [--run I] [--runtime deno|bun|node|all]
 *                   [--unsafe-timestamps]
 *   --seed N      first seed (default: the time)        --runs N     runs to do (default 200)
 *   --records N   instead of --runs: stop once this many records were drawn
 *   --run I       replay run I of seed N only           --unsafe-timestamps  see FuzzPoolOptions
 *   --concurrency N   runs at a time (default 1); with more, an uncaught error in the host is
 *                 reported by every run in progress at the time
 * Exits 1 when a run failed.
 *
 * @module
 */
import fc from "fast-check";
import process from "node:process";
import { startCluster, uniqueTopic } from "../tests/support/test_cluster.ts";
import { checkFuzzRun, fuzzRuns, reproduction } from "../tests/support/producer_fuzz.ts";

interface Options {
  seed: number;
  runs: number;
  records: number;
  only: number | undefined;
  unsafeTimestamps: boolean;
  concurrency: number;
}

function parse(args: string[]): Options {
  const options: Options = {
    seed: Date.now() % 2_000_000_000,
    runs: 200,
    records: 0,
    only: undefined,
    unsafeTimestamps: false,
    concurrency: 1,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const number = () => {
      const value = Number(args[++i]);
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`Invalid ${arg} "${args[i]}": must be a non-negative integer`);
      }
      return value;
    };
    if (arg === "--seed") options.seed = number();
    else if (arg === "--runs") options.runs = number();
    else if (arg === "--records") options.records = number();
    else if (arg === "--run") options.only = number();
    else if (arg === "--unsafe-timestamps") options.unsafeTimestamps = true;
    else if (arg === "--concurrency") options.concurrency = Math.max(1, number());
    else throw new TypeError(`Unknown argument "${arg}": see the usage in scripts/fuzz.ts`);
  }
  return options;
}

const options = parse(process.argv.slice(2));
const runtime = (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : (globalThis as { Bun?: unknown }).Bun
  ? "bun"
  : `node ${process.version}`;
const arbitrary = fuzzRuns({ unsafeTimestamps: options.unsafeTimestamps });
const cluster = await startCluster();
const started = Date.now();
let runs = 0;
let records = 0;
let failed = 0;
try {
  let next = options.only ?? 0;
  const last = options.only;
  // Hands out run indexes until the budget (runs or records) is spent.
  const take = (): number | undefined => {
    if (last !== undefined) return next <= last ? next++ : undefined;
    if (options.records > 0 ? records >= options.records : next >= options.runs) return undefined;
    return next++;
  };
  const worker = async () => {
    for (let index = take(); index !== undefined; index = take()) {
      const [run] = fc.sample(arbitrary, { seed: options.seed + index, numRuns: 1 });
      records += run!.records.length + 3; // and the three good records after them
      const failures = await checkFuzzRun(cluster, run!, uniqueTopic("fuzz"));
      runs++;
      if (failures.length > 0) {
        failed++;
        console.log(`\n${reproduction(run!, options.seed, index, failures)}\n`);
      }
      if (runs % 100 === 0) {
        const seconds = (Date.now() - started) / 1000;
        console.error(
          `[fuzz] ${runtime}: ${runs} runs, ${records} records, ${failed} failed, ${
            seconds.toFixed(0)
          } s`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
} finally {
  await cluster.close();
}
const seconds = (Date.now() - started) / 1000;
console.log(
  `fuzz (${runtime}, seed ${options.seed}): ${runs} runs, ${records} records, ${failed} failed, ${
    seconds.toFixed(1)
  } s`,
);
process.exitCode = failed > 0 ? 1 : 0;
