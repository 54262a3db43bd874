/**
 * Security settings from environment variables, for the examples (and for deployments that
 * keep credentials in the environment, as edge platforms do):
 *
 * | variable | meaning |
 * | --- | --- |
 * | `KAFKA_SECURITY_PROTOCOL` | PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (default: SASL_SSL when a mechanism is set, else PLAINTEXT) |
 * | `KAFKA_SASL_MECHANISM` | PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER |
 * | `KAFKA_USERNAME`, `KAFKA_PASSWORD` | for PLAIN and SCRAM (e.g. a Confluent Cloud API key and secret) |
 * | `KAFKA_OAUTH_TOKEN_URL`, `KAFKA_OAUTH_CLIENT_ID`, `KAFKA_OAUTH_CLIENT_SECRET`, `KAFKA_OAUTH_SCOPE` | OAUTHBEARER: an OAuth 2 client-credentials token endpoint |
 * | `KAFKA_OAUTH_EXTENSIONS` | OAUTHBEARER SASL extensions, `key=value,key=value` (Confluent Cloud: `logicalCluster=lkc-…,identityPoolId=pool-…`) |
 * | `KAFKA_CA_PEM` | a PEM CA bundle for a private CA (default: the runtime's roots) |
 *
 * @module
 */
import type { OAuthBearerToken, ProducerConfig, SaslConfig } from "../mod.ts";

/** The security part of a producer config. */
export type SecuritySettings = Pick<ProducerConfig, "securityProtocol" | "sasl" | "ssl">;

/**
 * Reads the variables above.
 *
 * @param get Reads one variable (`Deno.env.get`, `(name) => process.env[name]`).
 * @returns The settings to spread into a ProducerConfig.
 * @throws {TypeError} When a mechanism is set without its credentials (naming the variable).
 */
export function securityFromEnv(get: (name: string) => string | undefined): SecuritySettings {
  const mechanism = get("KAFKA_SASL_MECHANISM");
  const protocol = get("KAFKA_SECURITY_PROTOCOL") ??
    (mechanism === undefined ? "PLAINTEXT" : "SASL_SSL");
  const settings: SecuritySettings = {
    securityProtocol: protocol as SecuritySettings["securityProtocol"],
  };
  const ca = get("KAFKA_CA_PEM");
  if (ca !== undefined && (protocol === "SSL" || protocol === "SASL_SSL")) settings.ssl = { ca };
  if (mechanism === undefined) return settings;
  settings.sasl = saslFromEnv(mechanism, get);
  return settings;
}

function saslFromEnv(mechanism: string, get: (name: string) => string | undefined): SaslConfig {
  const need = (name: string): string => {
    const value = get(name);
    if (value === undefined || value === "") {
      throw new TypeError(`Missing ${name}: KAFKA_SASL_MECHANISM ${mechanism} needs it`);
    }
    return value;
  };
  if (mechanism === "OAUTHBEARER") {
    const url = need("KAFKA_OAUTH_TOKEN_URL");
    const clientId = need("KAFKA_OAUTH_CLIENT_ID");
    const clientSecret = need("KAFKA_OAUTH_CLIENT_SECRET");
    const scope = get("KAFKA_OAUTH_SCOPE");
    const extensions = Object.fromEntries(
      (get("KAFKA_OAUTH_EXTENSIONS") ?? "").split(",").filter((pair) => pair.includes("=")).map(
        (
          pair,
        ) => [pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1).trim()],
      ),
    );
    return {
      mechanism: "OAUTHBEARER",
      token: () => clientCredentialsToken(url, clientId, clientSecret, scope, extensions),
    };
  }
  if (mechanism !== "PLAIN" && mechanism !== "SCRAM-SHA-256" && mechanism !== "SCRAM-SHA-512") {
    throw new TypeError(
      `Invalid KAFKA_SASL_MECHANISM "${mechanism}": PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
    );
  }
  return { mechanism, username: need("KAFKA_USERNAME"), password: need("KAFKA_PASSWORD") };
}

/**
 * Fetches an access token with the OAuth 2 client-credentials grant (RFC 6749 4.4), as Java's
 * `OAuthBearerLoginCallbackHandler` does with `sasl.oauthbearer.token.endpoint.url`.
 */
async function clientCredentialsToken(
  url: string,
  clientId: string,
  clientSecret: string,
  scope: string | undefined,
  extensions: Record<string, string>,
): Promise<OAuthBearerToken> {
  const body = new URLSearchParams({ grant_type: "client_credentials" });
  if (scope !== undefined) body.set("scope", scope);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body,
  });
  if (!response.ok) {
    throw new Error(`The token endpoint answered ${response.status} ${response.statusText}`);
  }
  const json = await response.json() as { access_token?: string; expires_in?: number };
  if (typeof json.access_token !== "string") {
    throw new Error("The token endpoint's answer has no access_token");
  }
  return {
    value: json.access_token,
    lifetimeMs: (json.expires_in ?? 3600) * 1000,
    extensions,
  };
}
