/**
 * Producer configs for common managed Kafka services (they type-check with the test suite;
 * README.md's "Connect to a secured cluster" shows them). Each service's brokers present
 * certificates from public CAs, so `ssl.ca` stays unset (the runtime's default roots) unless
 * noted. Copy the one you need; the values in angle brackets come from the service's console.
 *
 * @module
 */
import type { OAuthBearerToken, ProducerConfig } from "../mod.ts";

/**
 * Confluent Cloud with an API key: SASL_SSL + PLAIN (key as user, secret as password), port
 * 9092 of the cluster's bootstrap endpoint.
 */
export function confluentCloud(
  bootstrap: string, // "pkc-<id>.<region>.<cloud>.confluent.cloud:9092"
  apiKey: string,
  apiSecret: string,
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SASL_SSL",
    sasl: { mechanism: "PLAIN", username: apiKey, password: apiSecret },
  };
}

/**
 * Confluent Cloud with OAuth (an identity pool): OAUTHBEARER, the token from your identity
 * provider, and the two SASL extensions Confluent requires.
 */
export function confluentCloudOAuth(
  bootstrap: string,
  token: () => Promise<{ value: string; lifetimeMs: number }>,
  logicalCluster: string, // "lkc-<id>"
  identityPoolId: string, // "pool-<id>"
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SASL_SSL",
    sasl: {
      mechanism: "OAUTHBEARER",
      token: async (): Promise<OAuthBearerToken> => ({
        ...(await token()),
        extensions: { logicalCluster, identityPoolId },
      }),
    },
  };
}

/**
 * Amazon MSK with SASL/SCRAM (a secret in AWS Secrets Manager): SASL_SSL + SCRAM-SHA-512 on
 * port 9096. (IAM access control, `AWS_MSK_IAM` on port 9098, is not built in: it is a
 * `SaslMechanism` that signs its message with SigV4; pass such an object as `sasl`.)
 */
export function amazonMskScram(
  bootstrap: string, // "b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com:9096,…"
  username: string,
  password: string,
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SASL_SSL",
    sasl: { mechanism: "SCRAM-SHA-512", username, password },
  };
}

/** Amazon MSK with mutual TLS (a certificate from AWS Private CA): SSL on port 9094. */
export function amazonMskTls(bootstrap: string, cert: string, key: string): ProducerConfig {
  return { bootstrapServers: bootstrap, securityProtocol: "SSL", ssl: { cert, key } };
}

/**
 * Aiven for Apache Kafka with client certificates (the service's "Access key" and "Access
 * certificate", and its project CA, which is private: `ca` is required).
 */
export function aivenTls(
  bootstrap: string, // "<service>-<project>.aivencloud.com:<port>"
  ca: string,
  accessCertificate: string,
  accessKey: string,
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SSL",
    ssl: { ca, cert: accessCertificate, key: accessKey },
  };
}

/** Aiven with SASL enabled: SASL_SSL + SCRAM-SHA-256 on the SASL port, the project CA. */
export function aivenSasl(
  bootstrap: string,
  ca: string,
  username: string,
  password: string,
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SASL_SSL",
    ssl: { ca },
    sasl: { mechanism: "SCRAM-SHA-256", username, password },
  };
}

/** Redpanda Cloud (Serverless, Dedicated, BYOC): SASL_SSL + SCRAM-SHA-256 (or -512). */
export function redpandaCloud(
  bootstrap: string, // "<id>.any.<region>.mpx.prd.cloud.redpanda.com:9092"
  username: string,
  password: string,
  mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512" = "SCRAM-SHA-256",
): ProducerConfig {
  return {
    bootstrapServers: bootstrap,
    securityProtocol: "SASL_SSL",
    sasl: { mechanism, username, password },
  };
}
