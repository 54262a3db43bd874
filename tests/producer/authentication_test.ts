// Authentication and TLS failures are fatal for the pending sends, as in Java: every pending
// record fails at once with the typed error (not after deliveryTimeoutMs), later sends fail
// the same way, no reconnect storm follows — and no secret appears anywhere on the way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  AuthenticationError,
  type Logger,
  Producer,
  type ProducerConfig,
  type RecordMetadata,
  TlsError,
} from "../../mod.ts";
import { testCerts } from "../support/test_certs.ts";
import { startFakeSaslBroker } from "../connection/fake_sasl_broker.ts";
import { startFakeBroker } from "../connection/fake_broker.ts";

/** Everything a logger at debug level is given, as text. */
function capturingLogger(): Logger & { text: () => string } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${inspect(fields, { depth: 10 })} ${JSON.stringify(fields)}`);
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    text: () => lines.join("\n"),
  };
}

/** An error, its causes, as every way a user might print them. */
function everyRendering(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(String(current), inspect(current, { depth: 10 }));
    try {
      parts.push(JSON.stringify(current) ?? "");
    } catch {
      // circular: inspect covered it
    }
    if (current instanceof Error) parts.push(current.message, current.stack ?? "");
    current = (current as { cause?: unknown })?.cause;
  }
  return parts.join("\n");
}

interface Outcome {
  errors: unknown[];
  elapsedMs: number;
  output: string;
  /** Connections the broker accepted: right after the failure, and 600 ms later. */
  connections: [number, number];
}

/**
 * Sends 30 records (20 with send(), 10 through the writable) that can never be delivered,
 * then one more after the failure, and closes; returns what happened.
 */
async function failingRun(
  config: ProducerConfig,
  connections: () => number,
): Promise<Outcome> {
  const logger = capturingLogger();
  const started = performance.now();
  const producer = new Producer({
    ...config,
    logger,
    deliveryTimeoutMs: 120_000,
    maxBlockMs: 60_000,
  });
  const sends: Promise<RecordMetadata>[] = [];
  for (let i = 0; i < 20; i++) sends.push(producer.send({ topic: "events", value: `r${i}` }));
  const writer = producer.writable.getWriter();
  const written = writer.write(
    Array.from({ length: 10 }, (_, i) => ({ topic: "events", value: `w${i}` })),
  );
  const outcomes = await Promise.allSettled([...sends, written]);
  const elapsedMs = performance.now() - started;
  const atFailure = connections();
  await new Promise((resolve) => setTimeout(resolve, 600));
  const later = await producer.send({ topic: "events", value: "later" }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const stats = JSON.stringify(producer.stats());
  const shownConfig = JSON.stringify(producer.config) + inspect(producer.config, { depth: 10 });
  await writer.closed.catch(() => {});
  await producer.close();
  const errors = [
    ...outcomes.map((o) => (o.status === "rejected" ? o.reason : new Error("delivered?!"))),
    later,
  ];
  return {
    errors,
    elapsedMs,
    output: [logger.text(), stats, shownConfig, ...errors.map(everyRendering)].join("\n"),
    connections: [atFailure, connections()],
  };
}

function assertFailedFast(outcome: Outcome, type: typeof AuthenticationError, code: string): void {
  for (const error of outcome.errors) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal((error as AuthenticationError).code, code);
  }
  assert.ok(outcome.elapsedMs < 1000, `every record failed after ${outcome.elapsedMs} ms`);
  assert.equal(outcome.connections[1], outcome.connections[0], "no reconnects after the failure");
  assert.ok(outcome.connections[0] <= 3, `${outcome.connections[0]} connections: a storm`);
}

function assertNoSecrets(output: string, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!output.includes(secret), `a secret leaked: ${secret.slice(0, 24)}…`);
  }
}

describe("Producer authentication failures", () => {
  it("Producer fails every pending record at once with AuthenticationError for a wrong password, without retries or reconnects", async () => {
    const broker = await startFakeSaslBroker();
    try {
      for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
        const password = `wrong-${mechanism}-password-x9`;
        const outcome = await failingRun({
          bootstrapServers: `127.0.0.1:${broker.port}`,
          securityProtocol: "SASL_PLAINTEXT",
          sasl: { mechanism, username: "alice", password },
        }, () => broker.sockets.length);
        assertFailedFast(outcome, AuthenticationError, "SASL_AUTHENTICATION_FAILED");
        assert.match(
          (outcome.errors[0] as Error).message,
          /invalid credentials with SASL mechanism/,
          "the broker's message",
        );
        assertNoSecrets(outcome.output, [password, "alice-secret"]);
        broker.sockets.length = 0;
      }
    } finally {
      await broker.close();
    }
  });

  it("Producer fails at once with UNSUPPORTED_SASL_MECHANISM naming the broker's mechanisms", async () => {
    const broker = await startFakeSaslBroker({ mechanisms: ["SCRAM-SHA-512"] });
    try {
      const outcome = await failingRun({
        bootstrapServers: `127.0.0.1:${broker.port}`,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
      }, () => broker.sockets.length);
      assertFailedFast(outcome, AuthenticationError, "UNSUPPORTED_SASL_MECHANISM");
      assert.match((outcome.errors[0] as Error).message, /"SCRAM-SHA-512"/);
      assertNoSecrets(outcome.output, ["alice-secret"]);
    } finally {
      await broker.close();
    }
  });

  it("Producer fails at once when the OAUTHBEARER token is refused or its callback fails, never showing the token", async () => {
    const broker = await startFakeSaslBroker();
    try {
      const token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0b3Atc2VjcmV0In0.";
      const refused = await failingRun({
        bootstrapServers: `127.0.0.1:${broker.port}`,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () => Promise.resolve({ value: token, lifetimeMs: 60_000 }),
        },
      }, () => broker.sockets.length);
      assertFailedFast(refused, AuthenticationError, "SASL_AUTHENTICATION_FAILED");
      assertNoSecrets(refused.output, [token]);
      broker.sockets.length = 0;
      const failing = await failingRun({
        bootstrapServers: `127.0.0.1:${broker.port}`,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () => Promise.reject(new Error("identity provider unreachable")),
        },
      }, () => broker.sockets.length);
      assertFailedFast(failing, AuthenticationError, "SASL_TOKEN");
    } finally {
      await broker.close();
    }
  });

  it("Producer fails at once with TlsError when the broker's certificate is not trusted; the client key never shows", async () => {
    const certs = testCerts();
    const broker = await startFakeBroker({
      tls: { key: certs.serverKey, cert: certs.serverCert },
    });
    try {
      const outcome = await failingRun({
        bootstrapServers: `127.0.0.1:${broker.port}`,
        securityProtocol: "SSL",
        ssl: {
          ca: certs.otherCa,
          cert: certs.clientCert,
          key: certs.clientKeyEncrypted,
          keyPassword: certs.clientKeyPassword,
        },
      }, () => broker.sockets.length);
      assertFailedFast(outcome, TlsError, "TLS_UNKNOWN_CA");
      const keyBody = certs.clientKey.split("\n").slice(1, -2).join("\n");
      assertNoSecrets(outcome.output, [
        certs.clientKeyPassword,
        keyBody.slice(0, 40),
        "PRIVATE KEY-----\n",
      ]);
    } finally {
      await broker.close();
    }
  });

  it("Producer with SASL over a plaintext listener's fake fails at once with a TLS-less listener hint", async () => {
    // A SASL client on a listener without SASL: Kafka answers SaslHandshake ILLEGAL_SASL_STATE.
    const broker = await startFakeBroker({
      apis: [[18, 0, 2], [17, 0, 1], [36, 0, 2], [3, 1, 1], [0, 3, 9]],
      onRequest: (request) => {
        if (request.apiKey !== 17) return;
        request.socket.write(
          Uint8Array.of(0, 0, 0, 10, ...int32(request.correlationId), 0, 34, 0, 0, 0, 0),
        );
      },
    });
    try {
      const outcome = await failingRun({
        bootstrapServers: `127.0.0.1:${broker.port}`,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: { mechanism: "SCRAM-SHA-256", username: "alice", password: "alice-secret" },
      }, () => broker.sockets.length);
      assertFailedFast(outcome, AuthenticationError, "ILLEGAL_SASL_STATE");
      assert.match((outcome.errors[0] as Error).message, /does not use SASL/);
    } finally {
      await broker.close();
    }
  });
});

function int32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}
