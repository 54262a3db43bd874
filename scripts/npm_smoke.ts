/**
 * The npm package's smoke test (run by scripts/test.sh, so by CI): builds the tarball
 * (scripts/build_npm.ts), installs it into scratch projects with `npm install` (run on Node)
 * and `bun add` (run on Bun), type-checks a TypeScript consumer against its `.d.ts`, then on
 * Node and Bun imports the package by its name, produces through `send()`, the stream and the
 * stream helpers, and runs the installed `sluice-produce` bin on stdin lines. What the brokers
 * stored is read back with kcat.
 *
 * Usage: SLUICE_NODE=... SLUICE_MOCK_HARNESS=... deno run -A scripts/npm_smoke.ts
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { readTopic } from "../tests/support/kcat.ts";
import { startCluster } from "../tests/support/test_cluster.ts";

const root = new URL("..", import.meta.url).pathname;
const node = process.env.SLUICE_NODE ?? "node";
const bun = join(root, "node_modules/.bin/bun");
const deno = join(root, "node_modules/.bin/deno");
const tsc = join(root, "node_modules/.bin/tsc");

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, PATH: `${join(node, "..")}:${process.env.PATH}` },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${
        result.status ?? result.signal
      }):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

// What a user writes: the package by name, send(), the stream and the stream helpers.
const SMOKE = `
import { jsonSerializer, KafkaError, NdjsonStream, Producer, ToRecordsStream } from "@sluice/kafka";
const [bootstrap, topic] = process.argv.slice(2);
const producer = new Producer({
  bootstrapServers: bootstrap,
  compressionType: "gzip",
  valueSerializer: jsonSerializer,
});
const metadata = await producer.send({ topic, key: "k", value: { s: "from send" } });
const body = new Blob(['{"n":1}\\n{"n":2}\\n']).stream();
await body
  .pipeThrough(new NdjsonStream())
  .pipeThrough(new ToRecordsStream(topic, { key: (event) => String(event.n) }))
  .pipeTo(producer.writable);
await producer.close();
if (!(KafkaError.prototype instanceof Error)) throw new Error("KafkaError is not an Error");
console.log(JSON.stringify({ partition: metadata.partition, offset: String(metadata.offset) }));
`;

const CONSUMER_TS = `
import { Producer, type ProducerConfig, type RecordMetadata } from "@sluice/kafka";
const config: ProducerConfig<string, string> = { bootstrapServers: "127.0.0.1:9092", lingerMs: 1 };
const producer = new Producer<string, string>(config);
const sent: Promise<RecordMetadata> = producer.send({ topic: "t", value: "v" });
void sent.catch(() => {});
void producer.close();
`;

const tarball = execFileSync(deno, ["run", "-A", join(root, "scripts/build_npm.ts")], {
  stdio: ["ignore", "pipe", "inherit"],
}).toString().trim().split("\n").pop()!;
console.log(`tarball: ${tarball}`);

const scratch = mkdtempSync(join(tmpdir(), "sluice-npm-"));
const cluster = await startCluster();
let failed = false;
try {
  const projects = [
    {
      runtime: "node",
      dir: join(scratch, "node"),
      install: (): [string, string[]] => ["npm", ["install", "--no-audit", "--no-fund", tarball]],
    },
    {
      runtime: "bun",
      dir: join(scratch, "bun"),
      install: (): [string, string[]] => [bun, ["add", tarball]],
    },
  ] as const;
  for (const project of projects) {
    execFileSync("mkdir", ["-p", project.dir]);
    writeFileSync(
      join(project.dir, "package.json"),
      JSON.stringify({ name: `smoke-${project.runtime}`, private: true, type: "module" }),
    );
    const [command, args] = project.install();
    run(command, [...args], { cwd: project.dir });
    writeFileSync(join(project.dir, "smoke.mjs"), SMOKE);
    const exe = project.runtime === "node" ? node : bun;

    const apiTopic = `npm-smoke-${project.runtime}-api`;
    await cluster.createTopic(apiTopic, 1);
    const out = run(exe, ["smoke.mjs", cluster.bootstrap, apiTopic], { cwd: project.dir });
    const stored = await readTopic(cluster.bootstrap, apiTopic, { expected: 3 });
    const values = stored.map((r) => new TextDecoder().decode(r.value!));
    if (values.join("|") !== '{"s":"from send"}|{"n":1}|{"n":2}') {
      throw new Error(`${project.runtime}: stored ${JSON.stringify(values)}`);
    }
    console.log(`${project.runtime}: import by name, send() + streams ok ${out.trim()}`);

    const binTopic = `npm-smoke-${project.runtime}-bin`;
    await cluster.createTopic(binTopic, 1);
    const bin = join(project.dir, "node_modules/.bin/sluice-produce");
    const binArgs = ["-b", cluster.bootstrap, "-t", binTopic, "-K", ":"];
    run(
      project.runtime === "node" ? bin : bun,
      project.runtime === "node" ? binArgs : [bin, ...binArgs],
      {
        cwd: project.dir,
        input: "a:one\nb:two\nc:three\n",
      },
    );
    const lines = await readTopic(cluster.bootstrap, binTopic, { expected: 3 });
    const pairs = lines.map((r) =>
      `${new TextDecoder().decode(r.key!)}=${new TextDecoder().decode(r.value!)}`
    );
    if (pairs.join(",") !== "a=one,b=two,c=three") {
      throw new Error(`${project.runtime} bin: stored ${JSON.stringify(pairs)}`);
    }
    console.log(`${project.runtime}: sluice-produce bin ok`);
  }

  // The .d.ts through the exports map, as a TypeScript user resolves it (NodeNext).
  const nodeProject = projects[0].dir;
  writeFileSync(join(nodeProject, "consumer.ts"), CONSUMER_TS);
  writeFileSync(
    join(nodeProject, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        lib: ["ES2023", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
        types: [],
        typeRoots: [join(root, "node_modules/@types")],
      },
      files: ["consumer.ts"],
    }),
  );
  run(tsc, ["-p", join(nodeProject, "tsconfig.json"), "--types", "node"], { cwd: nodeProject });
  console.log("types: a TypeScript consumer type-checks against the published .d.ts");
} catch (error) {
  failed = true;
  console.error(`npm smoke test FAILED: ${(error as Error).message}`);
} finally {
  await cluster.close();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
