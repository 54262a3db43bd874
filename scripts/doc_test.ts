/**
 * Runs every JSDoc example (`deno test --doc`) against a real broker: starts the mock cluster
 * (topic "events") and a TCP relay on 127.0.0.1:9092 to its first broker, so examples can be
 * written as users would (`bootstrapServers: "127.0.0.1:9092"`); metadata then points the
 * producer at the mock's own ports. Also runs `deno doc --lint` on the public API.
 *
 * Usage: SLUICE_MOCK_HARNESS=... deno run -A scripts/doc_test.ts
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { startMockCluster } from "../tests/support/mock_cluster.ts";

const root = new URL("..", import.meta.url).pathname;
const deno = join(root, "node_modules/.bin/deno");
const RELAY_PORT = 9092;

const lint = spawnSync(deno, ["doc", "--lint", "mod.ts", "cli.ts"], {
  cwd: root,
  stdio: "inherit",
});
if (lint.status !== 0) process.exit(1);

const cluster = await startMockCluster({ brokers: 3, topics: [{ name: "events", partitions: 3 }] });
const [host, port] = cluster.bootstrap.split(",")[0]!.split(":");
const sockets = new Set<Socket>();
const relay = createServer((client) => {
  const upstream = createConnection({ host: host!, port: Number(port) });
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  }
  client.pipe(upstream).pipe(client);
});
try {
  await new Promise<void>((resolve, reject) => {
    relay.once("error", (error) =>
      reject(
        new Error(
          `Cannot listen on 127.0.0.1:${RELAY_PORT} for the doc examples (is a broker running there?)`,
          { cause: error },
        ),
      ));
    relay.listen(RELAY_PORT, "127.0.0.1", resolve);
  });
  // Async: the relay must keep serving while the examples run.
  const status = await new Promise<number>((resolve) => {
    import("node:child_process").then(({ spawn }) => {
      const child = spawn(deno, ["test", "-A", "--doc", "mod.ts", "cli.ts", "src/"], {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("close", (code) => resolve(code ?? 1));
    });
  });
  process.exitCode = status;
} finally {
  for (const socket of sockets) socket.destroy();
  relay.close();
  await cluster.close();
}
