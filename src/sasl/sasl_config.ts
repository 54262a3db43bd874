import { OAuthBearerMechanism, type OAuthBearerToken } from "./oauthbearer_mechanism.ts";
import { PlainMechanism } from "./plain_mechanism.ts";
import type { SaslMechanism } from "./sasl_mechanism.ts";
import { ScramMechanism } from "./scram_mechanism.ts";

/**
 * SASL with a user name and password: PLAIN (`PlainLoginModule`), SCRAM-SHA-256 or
 * SCRAM-SHA-512 (`ScramLoginModule`).
 */
export interface SaslPasswordConfig {
  /** The mechanism (`sasl.mechanism`; librdkafka's `sasl.mechanisms`). */
  mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /** The user (`username="…"` in `sasl.jaas.config`; librdkafka's `sasl.username`). */
  username: string;
  /** The password (`password="…"`; librdkafka's `sasl.password`). Never logged. */
  password: string;
}

/** SASL OAUTHBEARER with a token callback. */
export interface SaslOAuthBearerConfig {
  /** "OAUTHBEARER" (`sasl.mechanism`). */
  mechanism: "OAUTHBEARER";
  /**
   * Returns a token and how long it lives; called on first use and again once 80% of the
   * lifetime has passed (Java's `sasl.login.refresh.window.factor`). Its `extensions` carry
   * SASL extensions such as Confluent Cloud's `logicalCluster` and `identityPoolId`.
   */
  token: () => Promise<OAuthBearerToken>;
}

/**
 * The `sasl` setting: a user and password (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), a token
 * callback (OAUTHBEARER), or any object implementing {@linkcode SaslMechanism} (e.g. AWS MSK
 * IAM, GSSAPI).
 *
 * @example
 * ```ts
 * import type { SaslConfig } from "./sasl_config.ts";
 * const scram: SaslConfig = { mechanism: "SCRAM-SHA-512", username: "alice", password: "secret" };
 * const oauth: SaslConfig = {
 *   mechanism: "OAUTHBEARER",
 *   token: () => Promise.resolve({ value: "eyJ…", lifetimeMs: 3_600_000 }),
 * };
 * if (scram.mechanism !== "SCRAM-SHA-512" || oauth.mechanism !== "OAUTHBEARER") throw new Error();
 * ```
 */
export type SaslConfig = SaslPasswordConfig | SaslOAuthBearerConfig | SaslMechanism;

const PASSWORD_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/**
 * The mechanism object for a `sasl` setting: a built-in one for the configs above, the object
 * itself when it implements {@linkcode SaslMechanism}. The result keeps secrets in private
 * fields, so it can be shown (`producer.config`, `JSON.stringify`) without them.
 *
 * @param config The `sasl` setting.
 * @returns The mechanism connections authenticate with.
 * @throws {TypeError} When the setting is malformed (naming the field, never its value).
 * @throws {RangeError} When the mechanism is not one sluice knows and no `authenticate()` is
 * given.
 *
 * @example
 * ```ts
 * import { saslMechanismFrom } from "./sasl_config.ts";
 * const mechanism = saslMechanismFrom({ mechanism: "SCRAM-SHA-256", username: "alice", password: "secret" });
 * if (JSON.stringify(mechanism) !== '{"mechanism":"SCRAM-SHA-256","username":"alice"}') throw new Error();
 * ```
 */
export function saslMechanismFrom(config: SaslConfig): SaslMechanism {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TypeError(
      `Invalid "sasl": must be an object such as { mechanism: "SCRAM-SHA-512", username, password }`,
    );
  }
  const given = config as unknown as Record<string, unknown>;
  const mechanism = given.mechanism;
  if (typeof mechanism !== "string" || mechanism === "") {
    throw new TypeError(
      `Invalid "sasl.mechanism": must be "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER" ` +
        `or the name of a custom mechanism with authenticate()`,
    );
  }
  if (typeof given.authenticate === "function") return config as SaslMechanism;
  if (PASSWORD_MECHANISMS.includes(mechanism)) {
    onlyFields(given, ["mechanism", "username", "password"]);
    if (typeof given.username !== "string" || given.username === "") {
      throw new TypeError(`Invalid "sasl.username": must be a non-empty string`);
    }
    if (typeof given.password !== "string") {
      throw new TypeError(`Invalid "sasl.password": must be a string`);
    }
    return mechanism === "PLAIN"
      ? new PlainMechanism(given.username, given.password)
      : new ScramMechanism(
        mechanism as "SCRAM-SHA-256" | "SCRAM-SHA-512",
        given.username,
        given.password,
      );
  }
  if (mechanism === "OAUTHBEARER") {
    onlyFields(given, ["mechanism", "token"]);
    if (typeof given.token !== "function") {
      throw new TypeError(
        `Invalid "sasl.token": must be a function () => Promise<{ value, lifetimeMs }>`,
      );
    }
    return new OAuthBearerMechanism(given.token as () => Promise<OAuthBearerToken>);
  }
  throw new RangeError(
    `Unsupported "sasl.mechanism" "${mechanism}": sluice has PLAIN, SCRAM-SHA-256, ` +
      `SCRAM-SHA-512 and OAUTHBEARER; for another (e.g. AWS_MSK_IAM, GSSAPI) pass an object ` +
      `with mechanism and authenticate() (the SaslMechanism interface)`,
  );
}

function onlyFields(given: Record<string, unknown>, fields: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!fields.includes(key)) {
      throw new TypeError(
        `Unknown "sasl" field "${key}" for mechanism "${String(given.mechanism)}": expected ${
          fields.map((f) => `"${f}"`).join(", ")
        }`,
      );
    }
  }
}
