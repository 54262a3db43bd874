// The CLI's security options: -X under Java's and librdkafka's names, -F FILE, and failures
// that exit 1 at once with the typed error and no secret on stderr.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProduceArgs, runProduceCli } from "../../src/cli/produce_cli.ts";
import { javaPropertiesFromLibrdkafka } from "../../src/cli/librdkafka_properties.ts";
import { parseProperties } from "../../src/config/properties_file.ts";
import { resolveProducerConfig } from "../../src/config/producer_config.ts";
import { testCerts } from "../support/test_certs.ts";
import { startFakeSaslBroker } from "../connection/fake_sasl_broker.ts";

const SECRET = "cli-secret-password-7Q";

function withDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "sluice-cli-"));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("parseProperties()", () => {
  it("parseProperties() reads name=value, name: value and name value lines, comments and continuations", () => {
    const properties = parseProperties(
      [
        "# comment",
        "! also a comment",
        "",
        "  security.protocol = SASL_SSL",
        "sasl.mechanism: SCRAM-SHA-512",
        "client.id my-app",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
        '    username="alice" \\',
        '    password="a\\\\b";',
        "key\\=with\\:escapes=tab\\there \\u0041",
        "empty=",
        "client.id=overridden",
      ].join("\r\n"),
    );
    assert.deepEqual(properties, {
      "security.protocol": "SASL_SSL",
      "sasl.mechanism": "SCRAM-SHA-512",
      "client.id": "overridden",
      "sasl.jaas.config":
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="a\\b";',
      "key=with:escapes": "tab\there A",
      empty: "",
    });
  });

  it("parseProperties() names the line of a nameless entry, not its value", () => {
    assert.throws(() => parseProperties(`a=1\n=${SECRET}\n`), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /line 2/);
      assert.ok(!error.message.includes(SECRET));
      return true;
    });
  });
});

describe("javaPropertiesFromLibrdkafka()", () => {
  it("javaPropertiesFromLibrdkafka() maps kcat's SASL and TLS names onto Java's", () => {
    const certs = testCerts();
    withDir((dir) => {
      writeFileSync(join(dir, "ca.pem"), certs.ca);
      writeFileSync(join(dir, "client.pem"), certs.clientCert);
      writeFileSync(join(dir, "client.key"), certs.clientKeyEncrypted);
      const java = javaPropertiesFromLibrdkafka({
        "bootstrap.servers": "b:9093",
        "security.protocol": "sasl_ssl",
        "sasl.mechanisms": "PLAIN",
        "sasl.username": "alice",
        "sasl.password": `pa"ss\\word`,
        "ssl.ca.location": join(dir, "ca.pem"),
        "ssl.certificate.location": join(dir, "client.pem"),
        "ssl.key.location": join(dir, "client.key"),
        "ssl.key.password": certs.clientKeyPassword,
        "ssl.endpoint.identification.algorithm": "none",
        "enable.ssl.certificate.verification": "true",
      });
      assert.deepEqual(java, {
        "bootstrap.servers": "b:9093",
        "security.protocol": "sasl_ssl",
        "sasl.mechanism": "PLAIN",
        "sasl.jaas.config":
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pa\\"ss\\\\word";',
        "ssl.truststore.location": join(dir, "ca.pem"),
        "ssl.truststore.type": "PEM",
        "ssl.keystore.certificate.chain": certs.clientCert,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.key": certs.clientKeyEncrypted,
        "ssl.key.password": certs.clientKeyPassword,
        "ssl.endpoint.identification.algorithm": "",
      });
    });
  });

  it("javaPropertiesFromLibrdkafka() refuses turning verification off, conflicts and credentials without a mechanism", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ "enable.ssl.certificate.verification": "false" }, /always verifies/],
      [{ "sasl.mechanisms": "PLAIN", "sasl.mechanism": "SCRAM-SHA-256" }, /Conflicting/],
      [{ "sasl.username": "u", "sasl.password": SECRET }, /GSSAPI, is not supported/],
      [{ "sasl.mechanisms": "PLAIN", "sasl.username": "u" }, /set both/],
      [{ "ssl.key.location": "/nonexistent/key.pem" }, /Cannot read "ssl.key.location"/],
    ];
    for (const [properties, pattern] of cases) {
      assert.throws(() => javaPropertiesFromLibrdkafka(properties), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes(SECRET));
        return true;
      });
    }
  });
});

describe("parseProduceArgs() security", () => {
  it("parseProduceArgs() takes -X under librdkafka's and Java's names", () => {
    const certs = testCerts();
    withDir((dir) => {
      writeFileSync(join(dir, "ca.pem"), certs.ca);
      const librdkafka = parseProduceArgs([
        "-b",
        "b:9093",
        "-t",
        "t",
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        "sasl.mechanisms=SCRAM-SHA-256",
        "-X",
        "sasl.username=alice",
        "-X",
        `sasl.password=${SECRET}`,
        "-X",
        `ssl.ca.location=${join(dir, "ca.pem")}`,
      ]);
      assert.equal(librdkafka.config.securityProtocol, "SASL_SSL");
      assert.deepEqual(librdkafka.config.sasl, {
        mechanism: "SCRAM-SHA-256",
        username: "alice",
        password: SECRET,
      });
      assert.equal(librdkafka.config.ssl?.ca, certs.ca);
      const java = parseProduceArgs([
        "-b",
        "b:9093",
        "-t",
        "t",
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${SECRET}";`,
      ]);
      assert.deepEqual(java.config.sasl, {
        mechanism: "PLAIN",
        username: "alice",
        password: SECRET,
      });
      resolveProducerConfig(librdkafka.config);
      resolveProducerConfig(java.config);
    });
  });

  it("parseProduceArgs() reads -F FILE like kcat, -b and later -X override it", () => {
    withDir((dir) => {
      const file = join(dir, "client.properties");
      writeFileSync(
        file,
        [
          "bootstrap.servers=from-file:9093",
          "security.protocol=SASL_SSL",
          "sasl.mechanism=SCRAM-SHA-512",
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\`,
          `  username="alice" password="${SECRET}";`,
          "linger.ms=50",
        ].join("\n"),
      );
      const fromFile = parseProduceArgs(["-t", "t", "-F", file]);
      assert.equal(fromFile.bootstrap, "from-file:9093");
      assert.equal(fromFile.config.securityProtocol, "SASL_SSL");
      assert.deepEqual(fromFile.config.sasl, {
        mechanism: "SCRAM-SHA-512",
        username: "alice",
        password: SECRET,
      });
      const overridden = parseProduceArgs([
        "-b",
        "cli:9093",
        "-t",
        "t",
        "-F",
        file,
        "-X",
        "linger.ms=5",
      ]);
      assert.equal(overridden.bootstrap, "cli:9093");
      assert.equal(overridden.config.lingerMs, 5);
      assert.throws(
        () => parseProduceArgs(["-b", "b:1", "-t", "t", "-F", join(dir, "missing.properties")]),
        /Cannot read -F/,
      );
    });
  });
});

describe("sluice-produce on a secured cluster", () => {
  async function run(args: string[]): Promise<{ code: number; stderr: string; ms: number }> {
    let stderr = "";
    const started = performance.now();
    const code = await runProduceCli(args, {
      stdin: ReadableStream.from([new TextEncoder().encode("a\nb\nc\n")]),
      stderr: (text) => stderr += text,
    });
    return { code, stderr, ms: performance.now() - started };
  }

  it("sluice-produce exits 1 at once with the authentication error and no password on stderr", async () => {
    const broker = await startFakeSaslBroker();
    try {
      const result = await run([
        "-b",
        `127.0.0.1:${broker.port}`,
        "-t",
        "events",
        "-X",
        "security.protocol=sasl_plaintext",
        "-X",
        "sasl.mechanisms=SCRAM-SHA-256",
        "-X",
        "sasl.username=alice",
        "-X",
        `sasl.password=${SECRET}`,
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /error \[SASL_AUTHENTICATION_FAILED\]: SCRAM-SHA-256 authentication/,
      );
      assert.ok(!result.stderr.includes(SECRET));
      assert.ok(result.ms < 2000, `took ${result.ms} ms`);
    } finally {
      await broker.close();
    }
  });

  it("sluice-produce exits 2 for enable.ssl.certificate.verification=false, naming what to do", async () => {
    const result = await run([
      "-b",
      "127.0.0.1:1",
      "-t",
      "events",
      "-X",
      "security.protocol=ssl",
      "-X",
      "enable.ssl.certificate.verification=false",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /always verifies the broker's certificate; give its CA/);
  });

  it("sluice-produce authenticates with the SCRAM-SHA-512 credentials of a -F file", async () => {
    // The fake answers only SASL: the run authenticates, then fails for want of Metadata.
    // What this shows: the -F credentials authenticate (the broker saw "authenticated").
    const broker = await startFakeSaslBroker();
    try {
      await withDirAsync(async (dir) => {
        const file = join(dir, "client.properties");
        writeFileSync(
          file,
          "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n" +
            'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";\n' +
            "max.block.ms=300\nrequest.timeout.ms=200\ndelivery.timeout.ms=1000\nlinger.ms=0\n",
        );
        const result = await run(["-b", `127.0.0.1:${broker.port}`, "-t", "events", "-F", file]);
        assert.equal(result.code, 1);
        assert.ok(broker.events.includes("authenticated"), broker.events.join());
        assert.ok(!result.stderr.includes("alice-secret"));
      });
    } finally {
      await broker.close();
    }
  });
});

async function withDirAsync(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-cli-"));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
