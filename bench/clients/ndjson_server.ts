// Bench helper: serves a file as an NDJSON body over HTTP on 127.0.0.1 (another process than
// the client, as a real upstream would be), streamed in 64 KiB chunks so the client reads it as
// it arrives. Prints "PORT <n>" once listening; serves every GET the same file until killed.
// Usage: node bench/clients/ndjson_server.ts FILE
import { createReadStream } from "node:fs";
import { createServer } from "node:http";
import process from "node:process";

const file = process.argv[2]!;
const server = createServer((request, response) => {
  if (request.method !== "GET") {
    response.writeHead(405).end();
    return;
  }
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(response);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`);
});
