#!/usr/bin/env -S deno run -A
/**
 * `sluice-produce`: a `kcat -P`-like command that produces one record per stdin line.
 *
 * ```sh
 * deno run -A jsr:@sluice/kafka/cli -b 127.0.0.1:9092 -t events < lines.txt
 * bun cli.ts -b 127.0.0.1:9092 -t events -K : < keyed_lines.txt
 * ```
 *
 * Exit codes: 0 every record acknowledged; 1 a record failed (the message says why);
 * 2 bad arguments.
 *
 * @module
 */
import process from "node:process";
import { runProduceCli } from "./src/cli/produce_cli.ts";
import { stdinChunks } from "./src/cli/stdin_chunks.ts";

if (import.meta.main ?? true) {
  const code = await runProduceCli(process.argv.slice(2), {
    stdin: stdinChunks(),
    stderr: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}
