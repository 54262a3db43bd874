/**
 * Runs the real-Kafka fault plan (tests/support/fault_plan.ts) for one client and prints what
 * it found: the CLI on this runtime, or Java's own ConsoleProducer (the reference). Uses the
 * cluster of SLUICE_KAFKA_CLUSTER when set, otherwise starts one.
 *
 * Usage: deno run -A scripts/fault_plan.ts [--client cli|java] [--records N] [--json FILE]
 *        [--output FILE] (the client's output; with env SLUICE_PLAN_CLI_ARGS="-d --stats" and
 *        SLUICE_PLAN_OUTPUT_CHARS=1e9 it holds the CLI's whole debug log and stats)
 *        (or: bun scripts/fault_plan.ts …, node scripts/fault_plan.ts …)
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  cliClient,
  javaConsoleProducerClient,
  runFaultPlan,
  runtimeCommand,
} from "../tests/support/fault_plan.ts";
import { startRealCluster } from "../tests/support/kafka_cluster.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const client = option("--client") ?? "cli";
if (client !== "cli" && client !== "java") {
  console.error(`Unknown --client "${client}": use cli or java`);
  process.exit(2);
}
const records = Number(option("--records") ?? 100_000);
const cluster = await startRealCluster();
try {
  const result = await runFaultPlan(
    cluster,
    client === "java" ? javaConsoleProducerClient : cliClient,
    { records, log: (line) => console.error(line) },
  );
  const runtime = client === "java"
    ? "Java ConsoleProducer (kafka-tools " + cluster.info.version + ")"
    : `sluice CLI on ${runtimeCommand()[0]}`;
  const summary = {
    client: runtime,
    sent: result.sent,
    stored: result.stored,
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    exitCode: result.exitCode,
    cutResponses: result.cutResponses,
    seconds: result.elapsedMs / 1000,
    faults: result.faults,
  };
  console.log(JSON.stringify(summary, null, 2));
  const file = option("--json");
  if (file !== undefined) writeFileSync(file, JSON.stringify(summary, null, 2) + "\n");
  const output = option("--output");
  if (output !== undefined) writeFileSync(output, result.clientOutput);
  if (result.lost || result.duplicated || result.outOfOrder) {
    console.error("last output of the client:\n" + result.clientOutput.slice(-3000));
  }
} finally {
  await cluster.close();
}
