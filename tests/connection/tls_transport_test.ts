// TLS through each runtime's own API (Deno.connectTls/startTls, Bun.connect's tls, node:tls)
// against node:tls servers, with certificates made by openssl at test time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer as createNetServer, type Socket } from "node:net";
import { createServer, type Server, type TlsOptions } from "node:tls";
import { BrokerConnection } from "../../src/connection/broker_connection.ts";
import { TlsSettings } from "../../src/connection/tls_settings.ts";
import {
  checkTlsSupport,
  connectTransport,
  currentRuntime,
} from "../../src/connection/transport.ts";
import { COALESCE_BYTES, HIGH_WATER_MARK } from "../../src/connection/write_queue.ts";
import { ConnectionError } from "../../src/errors/client_errors.ts";
import { AuthenticationError, TlsError } from "../../src/errors/security_errors.ts";
import { testCerts } from "../support/test_certs.ts";
import { startFakeBroker, until } from "./fake_broker.ts";

/** A node:tls server recording what each connection sent. */
async function tlsServer(options: TlsOptions, onSocket?: (socket: Socket) => void) {
  const received: Uint8Array[] = [];
  const sockets: Socket[] = [];
  const ended: boolean[] = [];
  const server: Server = createServer(options, (socket) => {
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
  server.on("tlsClientError", () => {});
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

function serverOptions(extra: TlsOptions = {}): TlsOptions {
  const certs = testCerts();
  return { key: certs.serverKey, cert: certs.serverCert, ...extra };
}

function connectTls(port: number, tls: TlsSettings, host = "127.0.0.1") {
  return connectTransport({
    host,
    port,
    connectTimeoutMs: 5000,
    tls,
    handlers: { onData: () => {}, onClose: () => {} },
  });
}

function frame(n: number, size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (n * 7 + i) & 0xff);
}

/** Connects a BrokerConnection over TLS to a fake broker serving `server` options. */
async function connectBroker(tls: TlsSettings | undefined, server: TlsOptions | undefined) {
  const broker = await startFakeBroker(server === undefined ? {} : { tls: server });
  const started = performance.now();
  const outcome = await BrokerConnection.connect(
    { host: "127.0.0.1", port: broker.port, nodeId: 1 },
    { clientId: "sluice-test", requestTimeoutMs: 10_000, connectTimeoutMs: 5000, tls },
  ).then(
    (connection) => ({ connection, error: undefined }),
    (error: unknown) => ({ connection: undefined, error }),
  );
  const elapsedMs = performance.now() - started;
  await outcome.connection?.close();
  await broker.close();
  return { ...outcome, elapsedMs };
}

/** Asserts a TlsError with `code`, the runtime's error as cause, well before any timeout. */
function assertTlsError(
  outcome: { error: unknown; elapsedMs: number },
  code: string,
): TlsError {
  const error = outcome.error;
  assert.ok(error instanceof TlsError, `expected a TlsError, got ${String(error)}`);
  assert.ok(error instanceof AuthenticationError, "a TlsError is an AuthenticationError");
  assert.equal(error.code, code, error.message);
  assert.equal(error.retriable, false);
  assert.ok(error.cause !== undefined, "the runtime's reason is the cause");
  assert.ok(outcome.elapsedMs < 5000, `failed after ${outcome.elapsedMs} ms, not at once`);
  return error;
}

describe(`TLS on ${currentRuntime()}`, () => {
  it("connectTransport() with tls verifies the broker against ssl.ca and delivers frames in order, coalesced", async () => {
    const server = await tlsServer(serverOptions());
    const transport = await connectTls(server.port, TlsSettings.from({ ca: testCerts().ca }));
    const frames: Uint8Array[] = [];
    for (let n = 0; n < 2000; n++) frames.push(frame(n, 1 + (n % 97)));
    frames.splice(500, 0, frame(9999, 3 * 1024 * 1024), frame(9998, COALESCE_BYTES));
    for (const f of frames) transport.write(f);
    transport.close(); // same tick: everything queued must still go out
    assert.equal(await transport.closed, undefined);
    await until(() => server.ended[0] === true, 20000);
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

  it("Transport over TLS: write() returns false under backpressure and drained() resolves when the peer reads (Deno: cannot, documented)", async () => {
    const server = await tlsServer(serverOptions(), (socket) => socket.pause());
    const transport = await connectTls(server.port, TlsSettings.from({ ca: testCerts().ca }));
    await until(() => server.sockets.length === 1);
    const chunk = new Uint8Array(64 * 1024).fill(1);
    // Deno's TLS write resolves once rustls has the bytes, whatever the peer reads (its buffer
    // has no bound), so the transport never sees backpressure there: 64 MiB go "out" to a
    // peer that reads nothing. What bounds memory on Deno is the producer's in-flight limit
    // (maxInFlightRequestsPerConnection × maxRequestSize). Node and Bun see the socket fill.
    const limit = currentRuntime() === "Deno" ? 64 * 1024 * 1024 : 512 * 1024 * 1024;
    let written = 0;
    let accepted = true;
    while (accepted && written < limit) {
      for (let i = 0; i < 8 && accepted; i++) {
        accepted = transport.write(chunk);
        written += chunk.length;
      }
      if (accepted) await new Promise((r) => setTimeout(r, 2));
    }
    if (currentRuntime() === "Deno") {
      assert.equal(accepted, true, "Deno reports no backpressure over TLS (the documented limit)");
      await transport.drained();
    } else {
      assert.equal(accepted, false, "write() reported backpressure");
      assert.ok(written >= HIGH_WATER_MARK);
      let drained = false;
      const draining = transport.drained().then(() => drained = true);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(drained, false, "drained() waits while the peer does not read");
      server.sockets[0]!.resume();
      await draining;
    }
    server.sockets[0]!.resume();
    await until(() => server.total() === written, 30000);
    transport.close();
    await transport.closed;
    await server.close();
  });

  it("connectTransport() with tls accepts the host name in the certificate (localhost) and a PEM given as bytes", async () => {
    const server = await tlsServer(serverOptions());
    const ca = new TextEncoder().encode(testCerts().ca);
    const transport = await connectTls(server.port, TlsSettings.from({ ca }), "localhost");
    transport.close();
    await transport.closed;
    await server.close();
  });

  it("BrokerConnection.connect() with mTLS presents the client certificate (plain and encrypted keys)", async () => {
    const certs = testCerts();
    const server = serverOptions({ ca: certs.ca, requestCert: true, rejectUnauthorized: true });
    for (
      const settings of [
        { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
        {
          ca: certs.ca,
          cert: certs.clientCert,
          key: certs.clientKeyEncrypted,
          keyPassword: certs.clientKeyPassword,
        },
      ]
    ) {
      const outcome = await connectBroker(TlsSettings.from(settings), server);
      assert.equal(outcome.error, undefined, String(outcome.error));
    }
  });

  it("BrokerConnection.connect() fails with TLS_UNKNOWN_CA for a broker signed by an unknown CA", async () => {
    const certs = testCerts();
    // Another CA configured.
    assertTlsError(
      await connectBroker(TlsSettings.from({ ca: certs.otherCa }), serverOptions()),
      "TLS_UNKNOWN_CA",
    );
    // The runtime's default roots (a private CA is not among them).
    assertTlsError(await connectBroker(TlsSettings.from({}), serverOptions()), "TLS_UNKNOWN_CA");
  });

  it("BrokerConnection.connect() fails with TLS_HOSTNAME_MISMATCH when the certificate does not name the host", async () => {
    const settings = TlsSettings.from({ ca: testCerts().ca, servername: "kafka.example.com" });
    const error = assertTlsError(
      await connectBroker(settings, serverOptions()),
      "TLS_HOSTNAME_MISMATCH",
    );
    assert.match(error.message, /127\.0\.0\.1:\d+/);
  });

  it("BrokerConnection.connect() with checkHostname false accepts a name mismatch but still verifies the chain", async () => {
    const certs = testCerts();
    const unchecked = TlsSettings.from({
      ca: certs.ca,
      servername: "kafka.example.com",
      checkHostname: false,
    });
    const outcome = await connectBroker(unchecked, serverOptions());
    assert.equal(outcome.error, undefined, String(outcome.error));
    assertTlsError(
      await connectBroker(
        TlsSettings.from({
          ca: certs.otherCa,
          servername: "kafka.example.com",
          checkHostname: false,
        }),
        serverOptions(),
      ),
      "TLS_UNKNOWN_CA",
    );
    assertTlsError(
      await connectBroker(
        TlsSettings.from({ ca: certs.ca, checkHostname: false }),
        { key: certs.expiredKey, cert: certs.expiredCert },
      ),
      "TLS_CERTIFICATE_EXPIRED",
    );
  });

  it("BrokerConnection.connect() fails with TLS_CERTIFICATE_EXPIRED for an expired broker certificate", async () => {
    const certs = testCerts();
    assertTlsError(
      await connectBroker(TlsSettings.from({ ca: certs.ca }), {
        key: certs.expiredKey,
        cert: certs.expiredCert,
      }),
      "TLS_CERTIFICATE_EXPIRED",
    );
  });

  it("BrokerConnection.connect() with TLS to a plaintext listener fails with TLS_NOT_SUPPORTED_BY_BROKER", async () => {
    // Plaintext Kafka listeners read a ClientHello as an absurd request size and hang up.
    const plain = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.on("data", () => socket.destroy());
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const port = (plain.address() as { port: number }).port;
    const started = performance.now();
    const error = await BrokerConnection.connect(
      { host: "127.0.0.1", port, nodeId: 1 },
      {
        clientId: "t",
        requestTimeoutMs: 10_000,
        connectTimeoutMs: 5000,
        tls: TlsSettings.from({ ca: testCerts().ca }),
      },
    ).then(() => undefined, (e: unknown) => e);
    assertTlsError(
      { error, elapsedMs: performance.now() - started },
      "TLS_NOT_SUPPORTED_BY_BROKER",
    );
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  });

  it("BrokerConnection.connect() without TLS to a TLS listener fails with TLS_REQUIRED_BY_BROKER", async () => {
    // As Kafka's SSL listener: a TLS alert record in answer to a plaintext request.
    const tlsOnly = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.on("data", () => socket.end(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50)));
    });
    await new Promise<void>((resolve) => tlsOnly.listen(0, "127.0.0.1", resolve));
    const port = (tlsOnly.address() as { port: number }).port;
    const started = performance.now();
    const error = await BrokerConnection.connect(
      { host: "127.0.0.1", port, nodeId: 1 },
      { clientId: "t", requestTimeoutMs: 10_000, connectTimeoutMs: 5000 },
    ).then(() => undefined, (e: unknown) => e);
    const tlsError = assertTlsErrorNoCause(error, performance.now() - started);
    assert.equal(tlsError.code, "TLS_REQUIRED_BY_BROKER");
    await new Promise<void>((resolve) => tlsOnly.close(() => resolve()));
  });

  it("connectTransport() with tls rejects with ConnectionError (retriable) when nothing listens", async () => {
    const server = await tlsServer(serverOptions());
    const port = server.port;
    await server.close();
    await assert.rejects(
      connectTls(port, TlsSettings.from({ ca: testCerts().ca })),
      (error: unknown) => error instanceof ConnectionError && error.retriable,
    );
  });

  it("checkTlsSupport() refuses servername with a client certificate on Deno, naming the runtime and what to do", () => {
    const certs = testCerts();
    const settings = TlsSettings.from({
      ca: certs.ca,
      cert: certs.clientCert,
      key: certs.clientKey,
      servername: "kafka.example.com",
    });
    assert.throws(
      () => checkTlsSupport(settings, "Deno"),
      (error: unknown) =>
        error instanceof TypeError && /on Deno/.test(error.message) &&
        /Node or Bun/.test(error.message),
    );
    checkTlsSupport(settings, "Node");
    checkTlsSupport(settings, "Bun");
    checkTlsSupport(TlsSettings.from({ ca: certs.ca, servername: "x" }), "Deno");
  });
});

function assertTlsErrorNoCause(error: unknown, elapsedMs: number): TlsError {
  assert.ok(error instanceof TlsError, `expected a TlsError, got ${String(error)}`);
  assert.equal(error.retriable, false);
  assert.ok(elapsedMs < 5000, `failed after ${elapsedMs} ms, not at once`);
  return error;
}
