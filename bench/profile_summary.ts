/**
 * Summarises a V8 `.cpuprofile` (written by `deno run --cpu-prof`, `bun --cpu-prof` or
 * `node --cpu-prof`) as a Markdown table: the functions with the most self time, grouped into
 * stages of a record's path (input, encode, CRC, sender, connection, socket, GC, idle,
 * startup) so the three runtimes can be compared side by side. Used by bench/profile.sh.
 *
 * Usage: deno run -A bench/profile_summary.ts FILE.cpuprofile [TOP]
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which stage a function belongs to, from its file (first match wins). */
const STAGES: Array<[string, RegExp]> = [
  ["idle (waiting for the broker or input)", /^\(idle\)|^\(program\)/],
  ["garbage collection", /^\(garbage collector\)/],
  ["CRC-32C", /protocol\/crc32c\.ts/],
  ["record encoding (batch append)", /protocol\/record_batch\.ts|accumulator\//],
  ["input: lines, records, serialization", /cli\/|clients\/|serializer\/|streams\//],
  ["producer: accept, partition", /producer\/|partitioner\/|broker\/cluster/],
  ["sender + request framing", /sender\/|protocol\/(writer|produce|request_frame)/],
  ["connection + transport (JS side)", /connection\//],
  [
    "socket and file I/O (runtime)",
    /^(writeBuffer|writev|read|op_|writeSync|onStreamRead|afterWrite|writeGeneric)|socket|net\.|node:net|ext:deno_net|ext:deno_io/,
  ],
  ["module loading, type stripping", /wasm|esm\/|loader|__require|compile|Module|realm/],
];

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: profile_summary.ts FILE.cpuprofile [TOP]");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 15);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const selfMicros = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const byFunction = new Map<string, number>();
const byStage = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  total += micros;
  const frame = node.callFrame;
  const where = frame.url.split("/").slice(-2).join("/");
  const name = `${frame.functionName || "(anonymous)"} ${where}${
    where ? `:${frame.lineNumber + 1}` : ""
  }`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const probe = `${frame.functionName} ${frame.url}`;
  const stage = STAGES.find(([, pattern]) =>
    pattern.test(frame.functionName) || pattern.test(probe)
  )
    ?.[0] ?? "other (runtime internals)";
  byStage.set(stage, (byStage.get(stage) ?? 0) + micros);
}
const ms = (micros: number) => (micros / 1000).toFixed(0);
const pct = (micros: number) => ((100 * micros) / total).toFixed(1);
console.log(`Total sampled: ${ms(total)} ms\n`);
console.log("| stage | ms | % |\n|---|---:|---:|");
for (const [stage, micros] of [...byStage].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${stage} | ${ms(micros)} | ${pct(micros)} |`);
}
console.log(`\n| function (self time) | ms | % |\n|---|---:|---:|`);
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| \`${name}\` | ${ms(micros)} | ${pct(micros)} |`);
}
