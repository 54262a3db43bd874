// The examples' security: kafka_env.ts (settings from environment variables, OAuth client
// credentials), managed_services.ts (configs that must resolve, not only type-check), and the
// ingest servers on real Kafka's SASL_SSL listener with settings taken from the environment
// (deno_edge.ts on Deno, node_http.ts everywhere).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { readFileSync } from "node:fs";
import { resolveProducerConfig } from "../../src/config/producer_config.ts";
import { OAuthBearerMechanism } from "../../src/sasl/oauthbearer_mechanism.ts";
import type { SaslMechanism } from "../../src/sasl/sasl_mechanism.ts";
import { securityFromEnv } from "../../examples/kafka_env.ts";
import * as managed from "../../examples/managed_services.ts";
import { startNodeHttp } from "../../examples/node_http.ts";
import type { RunningIngestServer } from "../../examples/ingest.ts";
import { readTopic } from "../support/kcat.ts";
import { type RealKafkaCluster, startRealCluster, uniqueTopic } from "../support/test_cluster.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

/** An OAuth 2 token endpoint for client credentials, answering `token()`'s access tokens. */
async function tokenEndpoint(token: () => string) {
  const requests: Array<{ authorization: string | undefined; body: string }> = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk) => body += chunk);
    request.on("end", () => {
      requests.push({ authorization: request.headers.authorization, body });
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({ access_token: token(), token_type: "bearer", expires_in: 3600 }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("examples/kafka_env.ts securityFromEnv()", () => {
  it("securityFromEnv() defaults to PLAINTEXT and to SASL_SSL once a mechanism is set", () => {
    assert.deepEqual(securityFromEnv(env({})), { securityProtocol: "PLAINTEXT" });
    assert.deepEqual(
      securityFromEnv(env({
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_USERNAME: "alice",
        KAFKA_PASSWORD: "secret",
        KAFKA_CA_PEM: "-----BEGIN CERTIFICATE-----",
      })),
      {
        securityProtocol: "SASL_SSL",
        ssl: { ca: "-----BEGIN CERTIFICATE-----" },
        sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "secret" },
      },
    );
    assert.throws(
      () => securityFromEnv(env({ KAFKA_SASL_MECHANISM: "PLAIN", KAFKA_USERNAME: "u" })),
      /Missing KAFKA_PASSWORD/,
    );
    assert.throws(() => securityFromEnv(env({ KAFKA_SASL_MECHANISM: "GSSAPI" })), /GSSAPI/);
  });

  it("securityFromEnv() with OAUTHBEARER fetches tokens from a client-credentials endpoint, with extensions", async () => {
    const endpoint = await tokenEndpoint(() => "token-from-endpoint");
    try {
      const security = securityFromEnv(env({
        KAFKA_SASL_MECHANISM: "OAUTHBEARER",
        KAFKA_OAUTH_TOKEN_URL: endpoint.url,
        KAFKA_OAUTH_CLIENT_ID: "client",
        KAFKA_OAUTH_CLIENT_SECRET: "shh",
        KAFKA_OAUTH_SCOPE: "kafka",
        KAFKA_OAUTH_EXTENSIONS: "logicalCluster=lkc-1, identityPoolId=pool-2",
      }));
      const config = resolveProducerConfig({ bootstrapServers: "b:9092", ...security });
      assert.ok(config.sasl instanceof OAuthBearerMechanism);
      const mechanism: SaslMechanism = config.sasl;
      const exchange = await mechanism.authenticate({ host: "b", port: 9092, nodeId: 1 });
      assert.equal(
        new TextDecoder().decode(exchange.initialResponse),
        "n,,\x01auth=Bearer token-from-endpoint\x01logicalCluster=lkc-1\x01identityPoolId=pool-2\x01\x01",
      );
      assert.deepEqual(endpoint.requests, [{
        authorization: `Basic ${btoa("client:shh")}`,
        body: "grant_type=client_credentials&scope=kafka",
      }]);
    } finally {
      await endpoint.close();
    }
  });
});

describe("examples/managed_services.ts", () => {
  it("every managed-service config resolves", () => {
    const token = () => Promise.resolve({ value: "t", lifetimeMs: 1000 });
    const configs = [
      managed.confluentCloud("pkc-1.us-east-1.aws.confluent.cloud:9092", "KEY", "SECRET"),
      managed.confluentCloudOAuth("pkc-1.x.confluent.cloud:9092", token, "lkc-1", "pool-1"),
      managed.amazonMskScram("b-1.c.kafka.eu-west-1.amazonaws.com:9096", "u", "p"),
      managed.aivenSasl("kafka-x.aivencloud.com:12345", CERT, "u", "p"),
      managed.redpandaCloud("x.any.us-east-1.mpx.prd.cloud.redpanda.com:9092", "u", "p"),
    ];
    for (const config of configs) {
      const resolved = resolveProducerConfig(config);
      assert.equal(resolved.securityProtocol, "SASL_SSL");
      assert.ok(resolved.sasl !== undefined);
    }
  });
});

// A syntactically valid PEM block is enough for resolving (nothing connects).
const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("ingest servers on real Kafka's SASL_SSL listener, security from the environment", () => {
  let cluster: RealKafkaCluster;
  let variables: Record<string, string>;
  before(async () => {
    cluster = await startRealCluster();
    variables = {
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
      KAFKA_USERNAME: cluster.info.sasl.username,
      KAFKA_PASSWORD: cluster.info.sasl.password,
      KAFKA_CA_PEM: readFileSync(cluster.info.files.ca, "utf8"),
    };
  });
  after(async () => {
    await cluster.close();
  });

  const starters: Array<[string, (topic: string) => Promise<RunningIngestServer>]> = [
    ["node_http.ts", (topic) =>
      startNodeHttp({
        bootstrap: cluster.info.bootstrap.SASL_SSL,
        topic,
        port: 0,
        security: securityFromEnv(env(variables)),
      })],
  ];
  if ("Deno" in globalThis) {
    starters.push(["deno_edge.ts", async (topic) => {
      const { startDenoEdge } = await import("../../examples/deno_edge.ts");
      return startDenoEdge({
        bootstrap: cluster.info.bootstrap.SASL_SSL,
        topic,
        port: 0,
        security: securityFromEnv(env(variables)),
      });
    }]);
  }

  for (const [name, start] of starters) {
    it(`${name} produces each POST over SASL_SSL (SCRAM-SHA-256, private CA) from environment settings`, async () => {
      const topic = uniqueTopic("sec-ingest");
      await cluster.createTopic(topic, 1);
      const server = await start(topic);
      try {
        for (let i = 0; i < 5; i++) {
          const response = await fetch(`${server.url}?key=k${i}`, {
            method: "POST",
            body: `v${i}`,
          });
          assert.equal(response.status, 200, await response.clone().text());
          assert.equal((await response.json()).offset, String(i));
        }
      } finally {
        await server.close();
      }
      const stored = await readTopic(cluster.info.bootstrap.SASL_SSL, topic, {
        expected: 5,
        config: {
          "security.protocol": "sasl_ssl",
          "sasl.mechanisms": "PLAIN",
          "sasl.username": cluster.info.sasl.username,
          "sasl.password": cluster.info.sasl.password,
          "ssl.ca.location": cluster.info.files.ca,
        },
      });
      assert.deepEqual(stored.map((r) => new TextDecoder().decode(r.value!)), [
        "v0",
        "v1",
        "v2",
        "v3",
        "v4",
      ]);
    });
  }
});
