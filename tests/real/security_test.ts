// Secured listeners of real Kafka (tests/kafka's launcher: SSL, MTLS, SASL_PLAINTEXT and
// SASL_SSL with PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER; SSL_EXPIRED and SSL_BADHOST), on
// this runtime, by the library and by the CLI. What was stored is read back by kcat through a
// secured listener with its own TLS/SASL settings. kcat's librdkafka (2.0.2) cannot do SCRAM
// with Kafka 4.x (it repeats the client nonce, which Kafka 4 refuses; fixed in librdkafka
// 2.6.1), so kcat reads back with PLAIN (or TLS client certificates).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  AuthenticationError,
  type Logger,
  Producer,
  type ProducerConfig,
  type SaslMechanism,
  TlsError,
} from "../../mod.ts";
import { readTopic } from "../support/kcat.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

const decoder = new TextDecoder();
const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";

/** An unsecured JWS (alg "none") as Kafka's default OAUTHBEARER validator accepts, to the ms. */
function unsecuredToken(
  subject: string,
  lifetimeMs: number,
): { value: string; lifetimeMs: number } {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
  const now = Date.now();
  const exp = Math.floor((now + lifetimeMs) / 1000);
  return {
    value: `${encode({ alg: "none" })}.${
      encode({ sub: subject, iat: Math.floor(now / 1000), exp })
    }.`,
    lifetimeMs: exp * 1000 - now,
  };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

describe(`secured listeners of real Kafka on ${runtime}`, () => {
  let cluster: RealKafkaCluster;
  let files: RealKafkaCluster["info"]["files"];
  let user: { username: string; password: string };
  let pem: (path: string) => string;
  /** kcat settings to read through the SASL_SSL listener (PLAIN: see the header). */
  let kcatSaslSsl: () => Record<string, string>;
  before(async () => {
    cluster = await startRealCluster();
    files = cluster.info.files;
    user = { username: cluster.info.sasl.username, password: cluster.info.sasl.password };
    pem = (path) => readFileSync(path, "utf8");
    kcatSaslSsl = () => ({
      "security.protocol": "sasl_ssl",
      "sasl.mechanisms": "PLAIN",
      "sasl.username": user.username,
      "sasl.password": user.password,
      "ssl.ca.location": files.ca,
    });
  });
  after(async () => {
    await cluster.close();
  });

  /** Produces 40 records (send() and the writable) with `config`, reads them back with kcat. */
  async function produceAndReadBack(
    config: Omit<ProducerConfig, "bootstrapServers">,
    listener: "SSL" | "MTLS" | "SASL_PLAINTEXT" | "SASL_SSL",
    kcatConfig: Record<string, string>,
  ): Promise<void> {
    const topic = uniqueTopic(`sec-${listener.toLowerCase()}`);
    await cluster.createTopic(topic, 3);
    const producer = new Producer({
      ...config,
      bootstrapServers: cluster.info.bootstrap[listener],
    });
    try {
      const sent = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => producer.send({ topic, key: `k${i}`, value: `s${i}` }),
        ),
      );
      assert.equal(sent.length, 20);
      const writer = producer.writable.getWriter();
      await writer.write(Array.from({ length: 20 }, (_, i) => ({ topic, value: `w${i}` })));
      await writer.close();
    } finally {
      await producer.close();
    }
    const kcatBootstrap = kcatConfig["security.protocol"] === "ssl"
      ? cluster.info.bootstrap[listener === "MTLS" ? "MTLS" : "SSL"]
      : cluster.info.bootstrap.SASL_SSL;
    const stored = await readTopic(kcatBootstrap, topic, { expected: 40, config: kcatConfig });
    const values = stored.map((r) => decoder.decode(r.value!)).sort();
    const expected = [
      ...Array.from({ length: 20 }, (_, i) => `s${i}`),
      ...Array.from({ length: 20 }, (_, i) => `w${i}`),
    ].sort();
    assert.deepEqual(values, expected);
  }

  it("Producer over SSL verifies the brokers against ssl.ca; kcat reads back over SSL", async () => {
    await produceAndReadBack(
      { securityProtocol: "SSL", ssl: { ca: pem(files.ca) } },
      "SSL",
      { "security.protocol": "ssl", "ssl.ca.location": files.ca },
    );
  });

  it("Producer over mTLS presents its certificate (plain and encrypted key); kcat reads back with its own", async () => {
    const kcat = {
      "security.protocol": "ssl",
      "ssl.ca.location": files.ca,
      "ssl.certificate.location": files.clientCert,
      "ssl.key.location": files.clientKey,
    };
    await produceAndReadBack(
      {
        securityProtocol: "SSL",
        ssl: { ca: pem(files.ca), cert: pem(files.clientCert), key: pem(files.clientKey) },
      },
      "MTLS",
      kcat,
    );
    await produceAndReadBack(
      {
        securityProtocol: "SSL",
        ssl: {
          ca: pem(files.ca),
          cert: pem(files.clientCert),
          key: pem(files.clientKeyEncrypted),
          keyPassword: cluster.info.clientKeyPassword,
        },
      },
      "MTLS",
      kcat,
    );
  });

  for (const listener of ["SASL_PLAINTEXT", "SASL_SSL"] as const) {
    for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
      it(`Producer over ${listener} with ${mechanism}; kcat reads back over SASL_SSL`, async () => {
        await produceAndReadBack(
          {
            securityProtocol: listener,
            sasl: { mechanism, ...user },
            ...(listener === "SASL_SSL" ? { ssl: { ca: pem(files.ca) } } : {}),
          },
          listener,
          kcatSaslSsl(),
        );
      });
    }
    it(`Producer over ${listener} with OAUTHBEARER and a token callback; kcat reads back over SASL_SSL`, async () => {
      await produceAndReadBack(
        {
          securityProtocol: listener,
          sasl: {
            mechanism: "OAUTHBEARER",
            token: () => Promise.resolve(unsecuredToken("sluice", 3_600_000)),
          },
          ...(listener === "SASL_SSL" ? { ssl: { ca: pem(files.ca) } } : {}),
        },
        listener,
        kcatSaslSsl(),
      );
    });
  }

  it("Producer with OAUTHBEARER refreshes short-lived tokens and re-authenticates (KIP-368) while producing, losing nothing", async () => {
    const topic = uniqueTopic("sec-reauth");
    await cluster.createTopic(topic, 3);
    const logger = recordingLogger();
    let tokens = 0;
    const producer = new Producer({
      bootstrapServers: cluster.info.bootstrap.SASL_SSL,
      securityProtocol: "SASL_SSL",
      ssl: { ca: pem(files.ca) },
      // The broker makes each session last as long as its token: 3 s.
      sasl: {
        mechanism: "OAUTHBEARER",
        token: () => {
          tokens++;
          return Promise.resolve(unsecuredToken("sluice", 3000));
        },
      },
      logger,
      lingerMs: 0,
    });
    let sent = 0;
    try {
      const until = Date.now() + 7000;
      const sends: Array<Promise<unknown>> = [];
      while (Date.now() < until) {
        sends.push(producer.send({ topic, value: `r${sent++}` }));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const outcomes = await Promise.allSettled(sends);
      assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    } finally {
      await producer.close();
    }
    const reauthentications = logger.lines.filter((l) => l.startsWith("debug Re-authenticated"));
    assert.ok(tokens >= 2, `the token was refreshed (${tokens} fetched in 7 s of 3 s tokens)`);
    assert.ok(reauthentications.length >= 2, `re-authenticated ${reauthentications.length} times`);
    assert.deepEqual(logger.lines.filter((l) => l.startsWith("warn") || l.startsWith("error")), []);
    const stored = await readTopic(cluster.info.bootstrap.SASL_SSL, topic, {
      expected: sent,
      config: kcatSaslSsl(),
    });
    assert.equal(stored.length, sent, "every record stored once");
  });

  /** Sends 10 records that cannot go out; returns the errors and how long they took. */
  async function failure(config: ProducerConfig): Promise<{ errors: unknown[]; ms: number }> {
    const started = performance.now();
    const producer = new Producer({ ...config, deliveryTimeoutMs: 120_000, maxBlockMs: 60_000 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => producer.send({ topic: "sec-never", value: `${i}` })),
    );
    const ms = performance.now() - started;
    await producer.close();
    return { errors: outcomes.map((o) => o.status === "rejected" ? o.reason : undefined), ms };
  }

  function assertTyped(
    outcome: { errors: unknown[]; ms: number },
    type: typeof AuthenticationError,
    code: string,
  ): Error {
    for (const error of outcome.errors) {
      assert.ok(error instanceof type, `expected ${type.name} ${code}, got ${String(error)}`);
      assert.equal((error as AuthenticationError).code, code, (error as Error).message);
    }
    assert.ok(outcome.ms < 1000, `failed after ${Math.round(outcome.ms)} ms, not within a second`);
    return outcome.errors[0] as Error;
  }

  it("wrong SCRAM credentials fail every record within a second with the broker's message", async () => {
    const error = assertTyped(
      await failure({
        bootstrapServers: cluster.info.bootstrap.SASL_SSL,
        securityProtocol: "SASL_SSL",
        ssl: { ca: pem(files.ca) },
        sasl: { mechanism: "SCRAM-SHA-512", username: user.username, password: "not-the-password" },
      }),
      AuthenticationError,
      "SASL_AUTHENTICATION_FAILED",
    );
    assert.match(error.message, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
  });

  it("an expired OAUTHBEARER token fails within a second", async () => {
    assertTyped(
      await failure({
        bootstrapServers: cluster.info.bootstrap.SASL_PLAINTEXT,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () =>
            Promise.resolve({ value: unsecuredToken("sluice", -60_000).value, lifetimeMs: 60_000 }),
        },
      }),
      AuthenticationError,
      "SASL_AUTHENTICATION_FAILED",
    );
  });

  it("a mechanism the listener does not enable fails within a second, listing those it does", async () => {
    const iam: SaslMechanism = {
      mechanism: "AWS_MSK_IAM",
      authenticate: () => Promise.reject(new Error("never called")),
    };
    const error = assertTyped(
      await failure({
        bootstrapServers: cluster.info.bootstrap.SASL_PLAINTEXT,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: iam,
      }),
      AuthenticationError,
      "UNSUPPORTED_SASL_MECHANISM",
    );
    for (const enabled of cluster.info.sasl.mechanisms.split(",")) {
      assert.ok(error.message.includes(`"${enabled}"`), error.message);
    }
  });

  it("an expired broker certificate, a host name mismatch and an unknown CA fail within a second, typed, with the runtime's reason", async () => {
    const cases: Array<[string, ProducerConfig]> = [
      ["TLS_CERTIFICATE_EXPIRED", {
        bootstrapServers: cluster.info.bootstrap.SSL_EXPIRED,
        securityProtocol: "SSL",
        ssl: { ca: pem(files.ca) },
      }],
      ["TLS_HOSTNAME_MISMATCH", {
        bootstrapServers: cluster.info.bootstrap.SSL_BADHOST,
        securityProtocol: "SSL",
        ssl: { ca: pem(files.ca) },
      }],
      ["TLS_UNKNOWN_CA", {
        bootstrapServers: cluster.info.bootstrap.SSL,
        securityProtocol: "SSL",
        ssl: { ca: pem(files.otherCa) },
      }],
    ];
    for (const [code, config] of cases) {
      const error = assertTyped(await failure(config), TlsError, code);
      assert.ok(error.cause instanceof Error, "the runtime's reason is the cause");
    }
  });

  it("the broker refusing our client certificate (none, or from another CA) fails within a second", async () => {
    for (
      const ssl of [
        { ca: pem(files.ca) },
        { ca: pem(files.ca), cert: pem(files.otherClientCert), key: pem(files.otherClientKey) },
      ]
    ) {
      assertTyped(
        await failure({
          bootstrapServers: cluster.info.bootstrap.MTLS,
          securityProtocol: "SSL",
          ssl,
        }),
        TlsError,
        "TLS_CLIENT_CERTIFICATE_REJECTED",
      );
    }
  });

  it("plaintext to a TLS listener, TLS to a plaintext one, and SASL to a listener without it fail within a second", async () => {
    assertTyped(
      await failure({ bootstrapServers: cluster.info.bootstrap.SSL }),
      TlsError,
      "TLS_REQUIRED_BY_BROKER",
    );
    assertTyped(
      await failure({
        bootstrapServers: cluster.info.bootstrap.PLAINTEXT,
        securityProtocol: "SSL",
        ssl: { ca: pem(files.ca) },
      }),
      TlsError,
      "TLS_NOT_SUPPORTED_BY_BROKER",
    );
    assertTyped(
      await failure({
        bootstrapServers: cluster.info.bootstrap.PLAINTEXT,
        securityProtocol: "SASL_PLAINTEXT",
        sasl: { mechanism: "PLAIN", ...user },
      }),
      AuthenticationError,
      "ILLEGAL_SASL_STATE",
    );
  });

  describe("sluice-produce", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "sluice-sec-cli-"));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    function cli(
      args: string[],
      input: string,
    ): Promise<{ code: number; stderr: string; ms: number }> {
      const command = runtime === "Deno" ? [process.execPath, "run", "-A"] : [process.execPath];
      const path = new URL("../../cli.ts", import.meta.url).pathname;
      const started = performance.now();
      return new Promise((resolve) => {
        const child = execFile(
          command[0]!,
          [...command.slice(1), path, ...args],
          { timeout: 60_000 },
          (error, _stdout, stderr) => {
            resolve({
              code: error ? (error as { code?: number }).code ?? 1 : 0,
              stderr: String(stderr),
              ms: performance.now() - started,
            });
          },
        );
        child.stdin!.end(input);
      });
    }

    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);

    async function assertStored(
      topic: string,
      bootstrap: string,
      kcatConfig: Record<string, string>,
    ): Promise<void> {
      const stored = await readTopic(bootstrap, topic, {
        expected: lines.length,
        config: kcatConfig,
      });
      assert.deepEqual(stored.map((r) => decoder.decode(r.value!)).sort(), [...lines].sort());
    }

    it("sluice-produce over SASL_SSL with librdkafka's -X names (SCRAM-SHA-512)", async () => {
      const topic = uniqueTopic("sec-cli-scram");
      await cluster.createTopic(topic, 3);
      const result = await cli([
        "-b",
        cluster.info.bootstrap.SASL_SSL,
        "-t",
        topic,
        "-X",
        "security.protocol=sasl_ssl",
        "-X",
        "sasl.mechanisms=SCRAM-SHA-512",
        "-X",
        `sasl.username=${user.username}`,
        "-X",
        `sasl.password=${user.password}`,
        "-X",
        `ssl.ca.location=${files.ca}`,
      ], lines.join("\n") + "\n");
      assert.equal(result.code, 0, result.stderr);
      await assertStored(topic, cluster.info.bootstrap.SASL_SSL, kcatSaslSsl());
    });

    it("sluice-produce over mTLS from a -F file with Java's names (PEM keystore, encrypted key)", async () => {
      const topic = uniqueTopic("sec-cli-mtls");
      await cluster.createTopic(topic, 3);
      const keystore = join(dir, "keystore.pem");
      writeFileSync(keystore, pem(files.clientKeyEncrypted) + pem(files.clientCert));
      const properties = join(dir, "client.properties");
      writeFileSync(
        properties,
        [
          `bootstrap.servers=${cluster.info.bootstrap.MTLS}`,
          "security.protocol=SSL",
          "ssl.truststore.type=PEM",
          `ssl.truststore.location=${files.ca}`,
          "ssl.keystore.type=PEM",
          `ssl.keystore.location=${keystore}`,
          `ssl.key.password=${cluster.info.clientKeyPassword}`,
          "ssl.endpoint.identification.algorithm=https",
        ].join("\n") + "\n",
      );
      const result = await cli(["-t", topic, "-F", properties], lines.join("\n") + "\n");
      assert.equal(result.code, 0, result.stderr);
      await assertStored(topic, cluster.info.bootstrap.MTLS, {
        "security.protocol": "ssl",
        "ssl.ca.location": files.ca,
        "ssl.certificate.location": files.clientCert,
        "ssl.key.location": files.clientKey,
      });
    });

    it("sluice-produce over SASL_PLAINTEXT with Java's sasl.jaas.config (PLAIN)", async () => {
      const topic = uniqueTopic("sec-cli-plain");
      await cluster.createTopic(topic, 3);
      const result = await cli([
        "-b",
        cluster.info.bootstrap.SASL_PLAINTEXT,
        "-t",
        topic,
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${user.username}" password="${user.password}";`,
      ], lines.join("\n") + "\n");
      assert.equal(result.code, 0, result.stderr);
      await assertStored(topic, cluster.info.bootstrap.SASL_SSL, kcatSaslSsl());
    });

    it("sluice-produce exits 1 with the typed error for wrong credentials and a host name mismatch, and no password", async () => {
      const wrong = await cli([
        "-b",
        cluster.info.bootstrap.SASL_SSL,
        "-t",
        "sec-never",
        "-X",
        "security.protocol=sasl_ssl",
        "-X",
        "sasl.mechanisms=SCRAM-SHA-256",
        "-X",
        `sasl.username=${user.username}`,
        "-X",
        "sasl.password=wrong-password-42",
        "-X",
        `ssl.ca.location=${files.ca}`,
      ], "a\nb\n");
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.match(wrong.stderr, /error \[SASL_AUTHENTICATION_FAILED\]: /);
      assert.ok(!wrong.stderr.includes("wrong-password-42"));
      const badHost = await cli([
        "-b",
        cluster.info.bootstrap.SSL_BADHOST,
        "-t",
        "sec-never",
        "-X",
        "security.protocol=ssl",
        "-X",
        `ssl.ca.location=${files.ca}`,
      ], "a\n");
      assert.equal(badHost.code, 1, badHost.stderr);
      assert.match(badHost.stderr, /error \[TLS_HOSTNAME_MISMATCH\]: /);
    });
  });
});
