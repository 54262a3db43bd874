// securityProtocol, sasl and ssl: validation, Java properties, and secrets kept out of errors
// and of producer.config.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJavaProperties } from "../../src/config/java_properties.ts";
import { resolveProducerConfig } from "../../src/config/producer_config.ts";
import type { Logger } from "../../src/config/logger.ts";
import { connectionOptionsFrom } from "../../src/connection/connection_options.ts";
import { TlsSettings } from "../../src/connection/tls_settings.ts";
import { PlainMechanism } from "../../src/sasl/plain_mechanism.ts";
import { ScramMechanism } from "../../src/sasl/scram_mechanism.ts";
import { testCerts } from "../support/test_certs.ts";

const SECRET = "pa$$word-that-must-not-leak";
const servers = { bootstrapServers: "127.0.0.1:9092" };

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** The error `fn` throws; asserts its message holds no secret. */
function thrown(fn: () => unknown, secrets: string[] = [SECRET]): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error);
    for (const secret of secrets) {
      assert.ok(!error.message.includes(secret), `secret in: ${error.message}`);
    }
    return error;
  }
  assert.fail("expected an error");
}

describe("resolveProducerConfig() security", () => {
  it("resolveProducerConfig() defaults securityProtocol to PLAINTEXT without sasl or ssl", () => {
    const config = resolveProducerConfig(servers);
    assert.equal(config.securityProtocol, "PLAINTEXT");
    assert.equal(config.sasl, undefined);
    assert.equal(config.ssl, undefined);
  });

  it("resolveProducerConfig() builds the SASL mechanism and TLS settings for SASL_SSL", () => {
    const certs = testCerts();
    const config = resolveProducerConfig({
      ...servers,
      securityProtocol: "SASL_SSL",
      sasl: { mechanism: "SCRAM-SHA-256", username: "alice", password: SECRET },
      ssl: { ca: certs.ca },
    });
    assert.ok(config.sasl instanceof ScramMechanism);
    assert.ok(config.ssl instanceof TlsSettings);
    assert.equal(config.ssl.checkHostname, true);
    const connection = connectionOptionsFrom(config);
    assert.equal(connection.sasl, config.sasl);
    assert.equal(connection.tls, config.ssl);
  });

  it("resolveProducerConfig() uses the default roots for SSL without ssl", () => {
    const config = resolveProducerConfig({ ...servers, securityProtocol: "SSL" });
    assert.equal(config.ssl?.ca, undefined);
    assert.equal(config.ssl?.checkHostname, true);
  });

  it("resolveProducerConfig() refuses sasl or ssl the protocol would not use, and SASL_* without sasl", () => {
    const sasl = { mechanism: "PLAIN", username: "u", password: SECRET } as const;
    assert.match(thrown(() => resolveProducerConfig({ ...servers, sasl })).message, /SASL_SSL/);
    assert.match(
      thrown(() => resolveProducerConfig({ ...servers, securityProtocol: "SSL", sasl })).message,
      /does not authenticate with SASL/,
    );
    assert.match(
      thrown(() => resolveProducerConfig({ ...servers, securityProtocol: "SASL_SSL" })).message,
      /Missing "sasl"/,
    );
    assert.match(
      thrown(() =>
        resolveProducerConfig({ ...servers, securityProtocol: "SASL_PLAINTEXT", sasl, ssl: {} })
      ).message,
      /does not use TLS/,
    );
    assert.throws(
      () => resolveProducerConfig({ ...servers, securityProtocol: "TLS" as "SSL" }),
      RangeError,
    );
  });

  it("resolveProducerConfig() checks sasl fields without ever showing the password", () => {
    const bad: unknown[] = [
      { mechanism: "PLAIN", username: "", password: SECRET },
      { mechanism: "PLAIN", username: "u", password: 42 },
      { mechanism: "PLAIN", username: "u", password: SECRET, extra: SECRET },
      { mechanism: "SCRAM-SHA-1", username: "u", password: SECRET },
      { mechanism: "OAUTHBEARER", token: SECRET },
      { username: "u", password: SECRET },
      SECRET,
    ];
    for (const sasl of bad) {
      const error = thrown(() =>
        resolveProducerConfig({ ...servers, securityProtocol: "SASL_SSL", sasl } as never)
      );
      assert.ok(error instanceof TypeError || error instanceof RangeError);
    }
  });

  it("resolveProducerConfig() takes a custom SaslMechanism object as is", () => {
    const custom = {
      mechanism: "AWS_MSK_IAM",
      authenticate: () => Promise.reject(new Error("not here")),
    };
    const config = resolveProducerConfig({
      ...servers,
      securityProtocol: "SASL_SSL",
      sasl: custom,
    });
    assert.equal(config.sasl, custom);
  });

  it("resolveProducerConfig() warns when ssl.checkHostname is false", () => {
    const logger = recordingLogger();
    resolveProducerConfig({
      ...servers,
      securityProtocol: "SSL",
      ssl: { checkHostname: false },
      logger,
    });
    assert.equal(
      logger.lines.filter((l) => l.startsWith("warn TLS hostname verification is off")).length,
      1,
    );
  });

  it("producer config with secrets: JSON.stringify shows mechanism and user, never the password or key", () => {
    const certs = testCerts();
    const config = resolveProducerConfig({
      ...servers,
      securityProtocol: "SASL_SSL",
      sasl: { mechanism: "PLAIN", username: "alice", password: SECRET },
      ssl: {
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKeyEncrypted,
        keyPassword: certs.clientKeyPassword,
      },
    });
    assert.ok(config.sasl instanceof PlainMechanism);
    const json = JSON.stringify(config);
    assert.ok(json.includes('"username":"alice"'));
    for (
      const secret of [
        SECRET,
        certs.clientKeyPassword,
        "PRIVATE KEY",
        certs.clientKey.slice(40, 80),
      ]
    ) {
      assert.ok(!json.includes(secret), `${secret} in ${json}`);
    }
    assert.match(json, /"key":"\[redacted\]"/);
  });
});

describe("TlsSettings.from()", () => {
  it("TlsSettings.from() splits a CA bundle and accepts PEM bytes", () => {
    const certs = testCerts();
    const settings = TlsSettings.from({ ca: new TextEncoder().encode(certs.ca + certs.otherCa) });
    assert.equal(settings.ca?.length, 2);
    assert.ok(settings.ca!.every((pem) => pem.startsWith("-----BEGIN CERTIFICATE-----")));
    assert.equal(TlsSettings.from({ ca: [certs.ca, certs.otherCa] }).ca?.length, 2);
  });

  it("TlsSettings.from() decrypts an encrypted key once (a wrong password fails here, unnamed)", () => {
    const certs = testCerts();
    const settings = TlsSettings.from({
      cert: certs.clientCert,
      key: certs.clientKeyEncrypted,
      keyPassword: certs.clientKeyPassword,
    });
    assert.match(settings.key!, /^-----BEGIN PRIVATE KEY-----/);
    const wrong = thrown(
      () =>
        TlsSettings.from({
          cert: certs.clientCert,
          key: certs.clientKeyEncrypted,
          keyPassword: SECRET,
        }),
    );
    assert.match(wrong.message, /cannot decrypt "ssl.key"/);
    assert.match(
      thrown(() => TlsSettings.from({ cert: certs.clientCert, key: certs.clientKeyEncrypted }))
        .message,
      /encrypted; set "ssl.keyPassword"/,
    );
  });

  it("TlsSettings.from() refuses malformed settings, naming the field", () => {
    const certs = testCerts();
    const cases: Array<[unknown, RegExp]> = [
      [{ ca: "not a pem" }, /"ssl.ca"/],
      [{ ca: 42 }, /"ssl.ca"/],
      [{ cert: certs.clientCert }, /"cert" and "key" go together/],
      [{ key: certs.clientKey }, /"cert" and "key" go together/],
      [{ cert: certs.clientCert, key: SECRET }, /"ssl.key"/],
      [{ keyPassword: SECRET }, /no "ssl.key"/],
      [{ servername: "" }, /"ssl.servername"/],
      [{ checkHostname: "no" }, /"ssl.checkHostname"/],
      [{ verify: false }, /Unknown "ssl" field "verify"/],
    ];
    for (const [config, pattern] of cases) {
      const error = thrown(() => TlsSettings.from(config as never));
      assert.ok(error instanceof TypeError);
      assert.match(error.message, pattern);
    }
  });
});

describe("fromJavaProperties() security", () => {
  const jaas = (module: string, user: string, password: string) =>
    `org.apache.kafka.common.security.${module} required username="${user}" password="${password}";`;

  it("fromJavaProperties() maps security.protocol, sasl.mechanism and a ScramLoginModule / PlainLoginModule jaas config", () => {
    const scram = fromJavaProperties({
      "bootstrap.servers": "b:9093",
      "security.protocol": "sasl_ssl",
      "sasl.mechanism": "SCRAM-SHA-512",
      "sasl.jaas.config": jaas("scram.ScramLoginModule", "alice", SECRET),
    });
    assert.equal(scram.securityProtocol, "SASL_SSL");
    assert.deepEqual(scram.sasl, {
      mechanism: "SCRAM-SHA-512",
      username: "alice",
      password: SECRET,
    });
    const plain = fromJavaProperties({
      "bootstrap.servers": "b:9093",
      "security.protocol": "SASL_PLAINTEXT",
      "sasl.mechanism": "PLAIN",
      // Escaped quote and backslash in the password, bare word user, spacing as people write it.
      "sasl.jaas.config":
        'org.apache.kafka.common.security.plain.PlainLoginModule   required\n  username=bob  password="a\\"b\\\\c" ;',
    });
    assert.deepEqual(plain.sasl, { mechanism: "PLAIN", username: "bob", password: 'a"b\\c' });
    resolveProducerConfig(plain);
  });

  it("fromJavaProperties() refuses bad SASL properties without repeating the jaas config", () => {
    const base = { "bootstrap.servers": "b:1", "security.protocol": "SASL_SSL" };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { "sasl.jaas.config": jaas("plain.PlainLoginModule", "u", SECRET) },
        /Missing "sasl.mechanism"/,
      ],
      [{ "sasl.mechanism": "PLAIN" }, /Missing "sasl.jaas.config"/],
      [
        {
          "sasl.mechanism": "SCRAM-SHA-256",
          "sasl.jaas.config": jaas("plain.PlainLoginModule", "u", SECRET),
        },
        /does not go with/,
      ],
      [
        {
          "sasl.mechanism": "PLAIN",
          "sasl.jaas.config": `x.y.KrbLoginModule required password="${SECRET}";`,
        },
        /Unsupported login module/,
      ],
      [
        {
          "sasl.mechanism": "PLAIN",
          "sasl.jaas.config":
            `org.apache.kafka.common.security.plain.PlainLoginModule required password="${SECRET}`,
        },
        /closing quote/,
      ],
      [
        {
          "sasl.mechanism": "PLAIN",
          "sasl.jaas.config":
            `org.apache.kafka.common.security.plain.PlainLoginModule required password="${SECRET}";`,
        },
        /username/,
      ],
      [{ "sasl.mechanism": "OAUTHBEARER", "sasl.jaas.config": "x required;" }, /token callback/],
    ];
    for (const [extra, pattern] of cases) {
      assert.match(thrown(() => fromJavaProperties({ ...base, ...extra })).message, pattern);
    }
  });

  it("fromJavaProperties() reads PEM truststores and keystores from files and inline, and ssl.key.password", () => {
    const certs = testCerts();
    const dir = mkdtempSync(join(tmpdir(), "sluice-props-"));
    try {
      writeFileSync(join(dir, "ca.pem"), certs.ca);
      writeFileSync(join(dir, "keystore.pem"), certs.clientKeyEncrypted + certs.clientCert);
      const fromFiles = fromJavaProperties({
        "bootstrap.servers": "b:9093",
        "security.protocol": "SSL",
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": join(dir, "ca.pem"),
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": join(dir, "keystore.pem"),
        "ssl.key.password": certs.clientKeyPassword,
        "ssl.endpoint.identification.algorithm": "https",
      });
      assert.equal(fromFiles.ssl?.ca, certs.ca);
      assert.match(String(fromFiles.ssl?.key), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      assert.match(String(fromFiles.ssl?.cert), /^-----BEGIN CERTIFICATE-----/);
      assert.equal(fromFiles.ssl?.checkHostname, true);
      const resolved = resolveProducerConfig(fromFiles);
      assert.equal(resolved.ssl?.ca?.length, 1);
      assert.match(resolved.ssl!.key!, /^-----BEGIN PRIVATE KEY-----/, "decrypted");

      const inline = fromJavaProperties({
        "bootstrap.servers": "b:9093",
        "security.protocol": "SSL",
        "ssl.truststore.type": "PEM",
        "ssl.truststore.certificates": certs.ca,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.certificate.chain": certs.clientCert,
        "ssl.keystore.key": certs.clientKey,
        "ssl.endpoint.identification.algorithm": "",
      });
      assert.deepEqual(inline.ssl, {
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
        checkHostname: false,
      });
      const logger = recordingLogger();
      resolveProducerConfig({ ...inline, logger });
      assert.ok(logger.lines.some((l) => l.startsWith("warn TLS hostname verification is off")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fromJavaProperties() refuses JKS stores, store passwords and unknown identification algorithms", () => {
    const base = { "bootstrap.servers": "b:1", "security.protocol": "SSL" };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ "ssl.truststore.type": "JKS", "ssl.truststore.location": "/x.jks" }, /PEM only/],
      [
        {
          "ssl.truststore.type": "PEM",
          "ssl.truststore.location": "/x.pem",
          "ssl.truststore.password": SECRET,
        },
        /ssl.truststore.password/,
      ],
      [
        { "ssl.keystore.type": "PEM", "ssl.keystore.key": "k", "ssl.keystore.password": SECRET },
        /ssl.key.password/,
      ],
      [{ "ssl.keystore.type": "PEM", "ssl.keystore.key": "k" }, /both/],
      [
        { "ssl.truststore.type": "PEM", "ssl.truststore.location": "/nonexistent/ca.pem" },
        /Cannot read/,
      ],
      [{ "ssl.endpoint.identification.algorithm": "none" }, /"https"/],
    ];
    for (const [extra, pattern] of cases) {
      assert.match(thrown(() => fromJavaProperties({ ...base, ...extra })).message, pattern);
    }
  });
});
