// The fault proxy against a tiny upstream that answers every frame with its correlation id: what
// it forwards (byte for byte, whatever the chunking), what a cut drops (the answer, after the
// upstream saw the request), per-node cuts, and the blackhole.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { FaultProxy } from "./fault_proxy.ts";

/** Frames requests: size, ApiKey, ApiVersion, CorrelationId, then `body`. */
function request(apiKey: number, correlationId: number, body: number[] = []): Uint8Array {
  const frame = new Uint8Array(4 + 8 + body.length);
  const view = new DataView(frame.buffer);
  view.setInt32(0, 8 + body.length);
  view.setInt16(4, apiKey);
  view.setInt16(6, 9);
  view.setInt32(8, correlationId);
  frame.set(body, 12);
  return frame;
}

/** An upstream that answers each request frame with [size][correlationId][0xAB × n]. */
async function startUpstream(): Promise<{ server: Server; port: number; seen: number[] }> {
  const seen: number[] = [];
  const server = createServer((socket) => {
    socket.on("error", () => {});
    let buffer = new Uint8Array(0);
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      buffer = joined;
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      let at = 0;
      while (buffer.length - at >= 4 && buffer.length - at - 4 >= view.getInt32(at)) {
        const size = view.getInt32(at);
        const correlationId = view.getInt32(at + 8);
        seen.push(correlationId);
        const answer = new Uint8Array(4 + 4 + 3).fill(0xab);
        new DataView(answer.buffer).setInt32(0, 7);
        new DataView(answer.buffer).setInt32(4, correlationId);
        socket.write(answer);
        at += 4 + size;
      }
      buffer = buffer.slice(at);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, seen };
}

/** A client that collects the correlation ids of the answers and notices the close. */
function client(port: number) {
  const socket: Socket = createConnection({ host: "127.0.0.1", port });
  const answers: number[] = [];
  let buffer = new Uint8Array(0);
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => {});
  socket.on("data", (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let at = 0;
    while (buffer.length - at >= 8 && buffer.length - at - 4 >= view.getInt32(at)) {
      answers.push(view.getInt32(at + 4));
      at += 4 + view.getInt32(at);
    }
    buffer = buffer.slice(at);
  });
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, answers, closed, connected };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

const freePort = async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe("FaultProxy", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    upstream = await startUpstream();
  });
  after(async () => {
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  });

  it("FaultProxy forwards frames both ways intact, however they are split, and counts requests", async () => {
    const listen = await freePort();
    const proxy = await FaultProxy.start([{ listen, target: upstream.port }]);
    try {
      const c = client(listen);
      await c.connected;
      const bytes = new Uint8Array([
        ...request(0, 101, [1, 2, 3]),
        ...request(3, 102),
        ...request(0, 103, [9]),
      ]);
      for (const byte of bytes) c.socket.write(Uint8Array.of(byte)); // one byte at a time
      await until(() => c.answers.length === 3, `answers: ${c.answers}`);
      assert.deepEqual(c.answers, [101, 102, 103]);
      assert.equal(proxy.counters.requests.get(0), 2);
      assert.equal(proxy.counters.requests.get(3), 1);
      assert.equal(proxy.counters.cutResponses, 0);
      c.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("FaultProxy.cutAfterResponse() drops the answer the upstream gave and closes that connection", async () => {
    const listen = await freePort();
    const proxy = await FaultProxy.start([{ listen, target: upstream.port }]);
    try {
      proxy.cutAfterResponse({ apiKey: 0 });
      const before = upstream.seen.length;
      const c = client(listen);
      await c.connected;
      c.socket.write(request(3, 201)); // not a Produce: answered
      c.socket.write(request(0, 202)); // its answer is cut
      await c.closed;
      assert.deepEqual(c.answers, [201]);
      assert.deepEqual(upstream.seen.slice(before), [201, 202], "the upstream saw the request");
      assert.equal(proxy.counters.cutResponses, 1);
      assert.equal(proxy.armedCuts, 0);
      // Used up: the next connection gets every answer.
      const next = client(listen);
      await next.connected;
      next.socket.write(request(0, 203));
      await until(() => next.answers.length === 1, "answered after the cut");
      assert.deepEqual(next.answers, [203]);
      next.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("FaultProxy cuts only on the node a plan names", async () => {
    const [one, two] = [await freePort(), await freePort()];
    const proxy = await FaultProxy.start([
      { listen: one, target: upstream.port, nodeId: 1 },
      { listen: two, target: upstream.port, nodeId: 2 },
    ]);
    try {
      proxy.cutAfterResponse({ apiKey: 0, nodeId: 2 });
      const a = client(one);
      await a.connected;
      a.socket.write(request(0, 301));
      await until(() => a.answers.length === 1, "node 1 answers");
      const b = client(two);
      await b.connected;
      b.socket.write(request(0, 302));
      await b.closed;
      assert.deepEqual(b.answers, []);
      assert.equal(proxy.counters.cutResponses, 1);
      a.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("FaultProxy.setBlackhole() forwards nothing while on, and traffic flows again after", async () => {
    const listen = await freePort();
    const proxy = await FaultProxy.start([{ listen, target: upstream.port }]);
    try {
      const c = client(listen);
      await c.connected;
      const before = upstream.seen.length;
      proxy.setBlackhole(true);
      c.socket.write(request(0, 401));
      // Give it every chance to get through: the upstream answers within milliseconds.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(upstream.seen.length, before, "nothing reached the upstream");
      assert.deepEqual(c.answers, []);
      proxy.setBlackhole(false);
      c.socket.write(request(0, 402));
      await until(() => c.answers.length === 1, "answered after the blackhole");
      assert.deepEqual(c.answers, [402]);
      c.socket.destroy();
    } finally {
      await proxy.close();
    }
  });
});
