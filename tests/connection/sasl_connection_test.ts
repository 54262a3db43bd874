// SASL on a BrokerConnection against a fake broker that authenticates like Kafka (PLAIN,
// SCRAM-SHA-256/512 with node:crypto on the server side, OAUTHBEARER, KIP-368).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BrokerConnection } from "../../src/connection/broker_connection.ts";
import type { ConnectionOptions } from "../../src/connection/connection_options.ts";
import { TlsSettings } from "../../src/connection/tls_settings.ts";
import { AuthenticationError } from "../../src/errors/security_errors.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { OAuthBearerMechanism } from "../../src/sasl/oauthbearer_mechanism.ts";
import { saslMechanismFrom } from "../../src/sasl/sasl_config.ts";
import type { SaslMechanism } from "../../src/sasl/sasl_mechanism.ts";
import { testCerts } from "../support/test_certs.ts";
import { frameOf, readMetadataV1Topics, writeMetadataV1 } from "./fake_broker.ts";
import { type FakeSaslOptions, startFakeSaslBroker } from "./fake_sasl_broker.ts";

/** Answers Metadata v1 with controllerId = the number in the first topic's name. */
const answerMetadata: FakeSaslOptions["onRequest"] = (request) => {
  const topics = readMetadataV1Topics(request.body) ?? [];
  const marker = Number(topics[0]?.slice(1) ?? -1);
  request.socket.write(
    frameOf(
      request.correlationId,
      (w) => writeMetadataV1(w, { brokers: [], controllerId: marker, topics: [] }),
    ),
  );
};

async function connect(
  broker: { port: number },
  sasl: SaslMechanism,
  extra: Partial<ConnectionOptions> = {},
) {
  return await BrokerConnection.connect({ host: "127.0.0.1", port: broker.port, nodeId: 1 }, {
    clientId: "sluice-test",
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 5000,
    sasl,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<AuthenticationError> {
  const started = performance.now();
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(
    error instanceof AuthenticationError,
    `expected an AuthenticationError, got ${String(error)}`,
  );
  assert.equal(error.retriable, false);
  assert.ok(performance.now() - started < 5000, "fails at once, not after a timeout");
  return error;
}

const ALICE = { username: "alice", password: "alice-secret" };

describe("BrokerConnection with SASL", () => {
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    for (const version of [0, 1, 2]) {
      it(`BrokerConnection.connect() authenticates with ${mechanism} (SaslAuthenticate v${version}) before any other request`, async () => {
        const broker = await startFakeSaslBroker({
          saslAuthenticateMax: version,
          onRequest: answerMetadata,
        });
        try {
          const connection = await connect(broker, saslMechanismFrom({ mechanism, ...ALICE }));
          const answer = await connection.send(MetadataApi, {
            topics: [{ name: "t7" }],
            allowAutoTopicCreation: false,
          });
          assert.equal(answer!.controllerId, 7);
          const steps = mechanism === "PLAIN" ? ["authenticated"] : ["step", "authenticated"];
          assert.deepEqual(broker.events, [`handshake ${mechanism}`, ...steps, "request 3"]);
          await connection.close();
        } finally {
          await broker.close();
        }
      });
    }
  }

  it("BrokerConnection.connect() authenticates with OAUTHBEARER, sending the token's extensions", async () => {
    const broker = await startFakeSaslBroker({ onRequest: answerMetadata });
    try {
      const oauth = new OAuthBearerMechanism(() =>
        Promise.resolve({
          value: "good-token",
          lifetimeMs: 60_000,
          extensions: { logicalCluster: "lkc-123", identityPoolId: "pool-9" },
        })
      );
      const connection = await connect(broker, oauth);
      assert.deepEqual(broker.events, ["handshake OAUTHBEARER", "authenticated"]);
      assert.deepEqual(broker.lastExtensions, {
        logicalCluster: "lkc-123",
        identityPoolId: "pool-9",
      });
      await connection.close();
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() over SASL_SSL: TLS, then SCRAM-SHA-512", async () => {
    const certs = testCerts();
    const broker = await startFakeSaslBroker({
      tls: { key: certs.serverKey, cert: certs.serverCert },
      onRequest: answerMetadata,
    });
    try {
      const connection = await connect(
        broker,
        saslMechanismFrom({ mechanism: "SCRAM-SHA-512", ...ALICE }),
        { tls: TlsSettings.from({ ca: certs.ca }) },
      );
      await connection.send(MetadataApi, {
        topics: [{ name: "t1" }],
        allowAutoTopicCreation: false,
      });
      await connection.close();
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() fails with SASL_AUTHENTICATION_FAILED and the broker's message for a wrong password", async () => {
    const broker = await startFakeSaslBroker();
    try {
      for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
        const error = await failure(
          connect(broker, saslMechanismFrom({ mechanism, username: "alice", password: "wrong" })),
        );
        assert.equal(error.code, "SASL_AUTHENTICATION_FAILED");
        assert.match(error.message, /invalid credentials with SASL mechanism/);
        assert.ok(!error.message.includes("wrong"), "the password is not in the message");
      }
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() fails with UNSUPPORTED_SASL_MECHANISM, listing the broker's mechanisms", async () => {
    const broker = await startFakeSaslBroker({ mechanisms: ["SCRAM-SHA-512", "OAUTHBEARER"] });
    try {
      const error = await failure(
        connect(broker, saslMechanismFrom({ mechanism: "PLAIN", ...ALICE })),
      );
      assert.equal(error.code, "UNSUPPORTED_SASL_MECHANISM");
      assert.match(error.message, /"PLAIN"/);
      assert.match(error.message, /"SCRAM-SHA-512", "OAUTHBEARER"/);
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() refuses a SCRAM server whose signature does not verify (it does not know the password)", async () => {
    const broker = await startFakeSaslBroker({ forgeServerSignature: true });
    try {
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
        const error = await failure(connect(broker, saslMechanismFrom({ mechanism, ...ALICE })));
        assert.equal(error.code, "SASL_SERVER_SIGNATURE");
      }
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() refuses a SCRAM server asking for fewer than 4096 iterations", async () => {
    const broker = await startFakeSaslBroker({ scramIterations: 1000 });
    try {
      const error = await failure(
        connect(broker, saslMechanismFrom({ mechanism: "SCRAM-SHA-256", ...ALICE })),
      );
      assert.match(error.message, /1000 iterations/);
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() with OAUTHBEARER: a refused token and a failing callback are AuthenticationErrors", async () => {
    const broker = await startFakeSaslBroker();
    try {
      const refused = await failure(
        connect(
          broker,
          new OAuthBearerMechanism(() =>
            Promise.resolve({ value: "bad-token", lifetimeMs: 60_000 })
          ),
        ),
      );
      assert.equal(refused.code, "SASL_AUTHENTICATION_FAILED");
      assert.ok(!refused.message.includes("bad-token"));
      const cause = new Error("token endpoint unreachable");
      const callback = await failure(
        connect(broker, new OAuthBearerMechanism(() => Promise.reject(cause))),
      );
      assert.equal(callback.code, "SASL_TOKEN");
      assert.equal(callback.cause, cause);
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection.connect() with a custom SaslMechanism object runs its exchange", async () => {
    const broker = await startFakeSaslBroker();
    try {
      const seen: unknown[] = [];
      const custom: SaslMechanism = {
        mechanism: "PLAIN",
        authenticate(target) {
          seen.push(target.nodeId);
          return Promise.resolve({
            initialResponse: new TextEncoder().encode("\0alice\0alice-secret"),
            next: () => Promise.resolve(undefined),
          });
        },
      };
      const connection = await connect(broker, custom);
      assert.deepEqual(seen, [1]);
      await connection.close();
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection re-authenticates before the session lifetime ends (KIP-368); requests sent meanwhile wait and all succeed", async () => {
    const broker = await startFakeSaslBroker({ sessionLifetimeMs: 300, onRequest: answerMetadata });
    try {
      for (const mechanism of ["SCRAM-SHA-256", "PLAIN"] as const) {
        broker.events.length = 0;
        const connection = await connect(broker, saslMechanismFrom({ mechanism, ...ALICE }));
        // Keep requests flowing, in bursts, through at least two re-authentications.
        const answers: Array<Promise<unknown>> = [];
        let marker = 0;
        const until = Date.now() + 800;
        while (Date.now() < until) {
          for (let i = 0; i < 20; i++) {
            const m = ++marker;
            answers.push(
              connection.send(MetadataApi, {
                topics: [{ name: `t${m}` }],
                allowAutoTopicCreation: false,
              })
                .then((answer) => assert.equal(answer!.controllerId, m)),
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const outcomes = await Promise.allSettled(answers);
        const failed = outcomes.filter((o) => o.status === "rejected");
        assert.deepEqual(failed, [], "none failed, each got its own answer");
        assert.ok(connection.isOpen);
        const handshakes = broker.events.filter((e) => e === `handshake ${mechanism}`).length;
        assert.ok(
          handshakes >= 3,
          `authenticated ${handshakes} times in 800 ms with 300 ms sessions`,
        );
        assert.deepEqual(broker.violations, [], "no request arrived while re-authenticating");
        await connection.close();
      }
    } finally {
      await broker.close();
    }
  });

  it("BrokerConnection closes with the AuthenticationError as cause when a re-authentication is refused", async () => {
    const users: Record<string, string> = { alice: "alice-secret" };
    const broker = await startFakeSaslBroker({
      sessionLifetimeMs: 200,
      users,
      onRequest: answerMetadata,
    });
    try {
      const connection = await connect(broker, saslMechanismFrom({ mechanism: "PLAIN", ...ALICE }));
      users.alice = "changed"; // the broker no longer accepts our password
      const error = await (async () => {
        try {
          for (;;) {
            await connection.send(MetadataApi, {
              topics: [{ name: "t1" }],
              allowAutoTopicCreation: false,
            });
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        } catch (error) {
          return error;
        }
      })();
      const cause = (error as { cause?: unknown }).cause;
      assert.ok(cause instanceof AuthenticationError, String(error));
      assert.equal(cause.code, "SASL_AUTHENTICATION_FAILED");
      assert.equal(connection.isOpen, false);
    } finally {
      await broker.close();
    }
  });
});
