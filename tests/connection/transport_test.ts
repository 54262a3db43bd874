import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { connectTransport, type Transport } from "../../src/connection/transport.ts";
import { COALESCE_BYTES, HIGH_WATER_MARK } from "../../src/connection/write_queue.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";
import { until } from "./fake_broker.ts";

/** A server that records what each connection sent. */
async function recordingServer(onSocket?: (socket: Socket) => void) {
  const received: Uint8Array[] = [];
  const ended: boolean[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const index = ended.push(false) - 1;
    socket.on("error", () => {});
    socket.on("data", (chunk: Uint8Array) => received.push(new Uint8Array(chunk)));
    socket.on("end", () => {
      ended[index] = true;
      socket.end();
    });
    onSocket?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const total = () => received.reduce((n, c) => n + c.length, 0);
  const bytes = () => {
    const out = new Uint8Array(total());
    let at = 0;
    for (const c of received) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return { port, sockets, ended, total, bytes, close };
}

function connect(port: number, onClose: (error: Error | undefined) => void = () => {}) {
  const data: Uint8Array[] = [];
  return connectTransport({
    host: "127.0.0.1",
    port,
    connectTimeoutMs: 5000,
    handlers: { onData: (chunk) => data.push(chunk.slice()), onClose },
  });
}

/** A pattern that detects reordering and loss: byte i of frame n is (n * 7 + i) & 0xff. */
function frame(n: number, size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (n * 7 + i) & 0xff);
}

describe("connectTransport()", () => {
  it("Transport.write() delivers many small frames and large ones in order; close() sends them first", async () => {
    const server = await recordingServer();
    const transport = await connect(server.port);
    const frames: Uint8Array[] = [];
    for (let n = 0; n < 2000; n++) frames.push(frame(n, 1 + (n % 97)));
    frames.splice(500, 0, frame(9999, 3 * 1024 * 1024), frame(9998, COALESCE_BYTES));
    for (const f of frames) transport.write(f);
    transport.close(); // same tick: everything queued must still go out
    assert.equal(await transport.closed, undefined);
    await until(() => server.ended[0] === true);
    const expected = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      expected.set(f, at);
      at += f.length;
    }
    const got = server.bytes();
    assert.equal(got.length, expected.length);
    assert.ok(got.every((b, i) => b === expected[i]), "bytes arrive unchanged and in order");
    await server.close();
  });

  it("Transport.write() returns false under backpressure and drained() resolves when the peer reads", async () => {
    const server = await recordingServer((socket) => socket.pause());
    const transport = await connect(server.port);
    await until(() => server.sockets.length === 1);
    const chunk = new Uint8Array(64 * 1024).fill(1);
    let written = 0;
    let accepted = true;
    // Bursts of 512 KiB (below the high-water mark) with a pause between them: write()
    // only says false once the kernel's buffers are full and bytes pile up in the transport.
    while (accepted && written < 512 * 1024 * 1024) {
      for (let i = 0; i < 8 && accepted; i++) {
        accepted = transport.write(chunk);
        written += chunk.length;
      }
      if (accepted) await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(accepted, false, "write() reported backpressure");
    assert.ok(written >= HIGH_WATER_MARK);
    let drained = false;
    const draining = transport.drained().then(() => drained = true);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(drained, false, "drained() waits while the peer does not read");
    server.sockets[0]!.resume();
    await draining;
    await until(() => server.total() === written, 20000);
    transport.close();
    await transport.closed;
    await server.close();
  });

  it("Transport.closed and onClose report the peer going away, once", async () => {
    const server = await recordingServer();
    const closes: Array<Error | undefined> = [];
    const transport = await connect(server.port, (error) => closes.push(error));
    await until(() => server.sockets.length === 1);
    server.sockets[0]!.destroy();
    await transport.closed;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closes.length, 1);
    assert.equal(transport.write(new Uint8Array(1)), false, "writes after close are refused");
    await transport.drained(); // resolves at once when closed
    transport.close(); // idempotent
    await server.close();
  });

  it("Transport delivers the peer's bytes to onData", async () => {
    const server = await recordingServer((socket) => socket.write(new Uint8Array([1, 2, 3])));
    const got: number[] = [];
    const transport: Transport = await connectTransport({
      host: "127.0.0.1",
      port: server.port,
      connectTimeoutMs: 5000,
      handlers: { onData: (chunk) => got.push(...chunk), onClose: () => {} },
    });
    await until(() => got.length === 3);
    assert.deepEqual(got, [1, 2, 3]);
    transport.close();
    await transport.closed;
    await server.close();
  });

  it("connectTransport() rejects with ConnectionError when nothing listens", async () => {
    const server = await recordingServer();
    const port = server.port;
    await server.close();
    await assert.rejects(connect(port), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
      return true;
    });
  });
});
