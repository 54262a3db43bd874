import { describeThrown } from "../errors/describe_thrown.ts";
import { BrokerError } from "../errors/broker_error.ts";
import { KafkaError } from "../errors/kafka_error.ts";
import { AuthenticationError } from "../errors/security_errors.ts";
import type { ApiDescriptor } from "../protocol/api.ts";
import { ApiKey } from "../protocol/api_keys.ts";
import type { ApiVersionRange } from "../protocol/api_versions.ts";
import { SaslAuthenticateApi } from "../protocol/sasl_authenticate.ts";
import { SaslHandshakeApi } from "../protocol/sasl_handshake.ts";
import type { SaslMechanism, SaslTarget } from "../sasl/sasl_mechanism.ts";

/** What SASL authentication needs from a connection (a `BrokerConnection` provides it). */
export interface SaslChannel {
  /** Sends a request on this connection, bypassing any hold on other requests. */
  sendSasl<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    version: number,
  ): Promise<Res | undefined>;
  /** The broker's version range of an API, from ApiVersions. */
  brokerVersions(apiKey: number): ApiVersionRange | undefined;
}

/** The outcome of a successful authentication. */
export interface SaslSession {
  /** How long the session lasts, in ms (KIP-368); 0: until the connection closes. */
  lifetimeMs: number;
}

/**
 * Authenticates a connection: SaslHandshake v1 with the mechanism's name, then
 * SaslAuthenticate (the highest version both sides speak, v0–v2) for each message of the
 * mechanism's exchange until it is complete. Used for the first authentication and for each
 * re-authentication (KIP-368).
 *
 * Failures are `AuthenticationError`s, never retriable: a mechanism the broker has not
 * enabled ("UNSUPPORTED_SASL_MECHANISM", listing the ones it has), refused credentials
 * ("SASL_AUTHENTICATION_FAILED", with the broker's message), a broker without SaslHandshake
 * v1 ("SASL_UNSUPPORTED"), or the mechanism's own refusal (e.g. "SASL_SERVER_SIGNATURE").
 *
 * @param channel The connection.
 * @param mechanism The mechanism.
 * @param target The broker, for the mechanism and messages.
 * @param reauthentication True for a KIP-368 re-authentication of an authenticated connection
 * (then ILLEGAL_SASL_STATE means the broker refused to start one, e.g. less than a second after
 * the last). @default false
 * @returns The session's lifetime.
 * @throws {AuthenticationError} When authentication fails (see above).
 *
 * @example The broker has not enabled the mechanism: the error lists what it has
 * ```ts
 * import { authenticateSasl } from "./sasl_authentication.ts";
 * import { PlainMechanism } from "../sasl/plain_mechanism.ts";
 * const channel = {
 *   brokerVersions: () => ({ apiKey: 17, minVersion: 0, maxVersion: 1 }),
 *   sendSasl: () => Promise.resolve({ errorCode: 33, mechanisms: ["SCRAM-SHA-512"] }),
 * };
 * const error = await authenticateSasl(channel as never, new PlainMechanism("u", "p"), { host: "b1", port: 9092, nodeId: 1 })
 *   .then(() => undefined, (e: Error & { code: string }) => e);
 * if (error?.code !== "UNSUPPORTED_SASL_MECHANISM" || !error.message.includes('"SCRAM-SHA-512"')) throw new Error();
 * ```
 */
export async function authenticateSasl(
  channel: SaslChannel,
  mechanism: SaslMechanism,
  target: SaslTarget,
  reauthentication = false,
): Promise<SaslSession> {
  const name = mechanism.mechanism;
  const broker = describeTarget(target);
  const handshake = channel.brokerVersions(ApiKey.SaslHandshake);
  if (handshake === undefined || handshake.maxVersion < 1) {
    throw new AuthenticationError(
      `Cannot authenticate with ${broker}: it does not offer SaslHandshake v1 (Kafka >= 1.0); ` +
        `is this a SASL listener of a recent broker?`,
      "SASL_UNSUPPORTED",
    );
  }
  const answer = (await channel.sendSasl(SaslHandshakeApi, { mechanism: name }, 1))!;
  if (answer.errorCode === 33) {
    const enabled = answer.mechanisms.length === 0
      ? "none"
      : answer.mechanisms.map((m) => `"${m}"`).join(", ");
    throw new AuthenticationError(
      `Cannot authenticate with ${broker}: it does not enable SASL mechanism "${name}"; its ` +
        `listener enables ${enabled}: set sasl.mechanism to one of them`,
      "UNSUPPORTED_SASL_MECHANISM",
    );
  }
  if (answer.errorCode === 34 && !reauthentication) {
    // ILLEGAL_SASL_STATE to a first SaslHandshake: the listener authenticates no one by SASL.
    throw new AuthenticationError(
      `Cannot authenticate with ${broker}: its listener does not use SASL (a PLAINTEXT or SSL ` +
        `listener?); use its SASL_PLAINTEXT / SASL_SSL port, or securityProtocol "PLAINTEXT" / ` +
        `"SSL" without sasl`,
      "ILLEGAL_SASL_STATE",
    );
  }
  if (answer.errorCode !== 0) throw brokerRefusal(answer.errorCode, null, name, broker);

  let exchange;
  try {
    exchange = await mechanism.authenticate(target);
  } catch (error) {
    throw asAuthenticationError(error, name, broker);
  }
  const version = Math.min(
    SaslAuthenticateApi.maxVersion,
    channel.brokerVersions(ApiKey.SaslAuthenticate)?.maxVersion ?? 0,
  );
  let message: Uint8Array | undefined = exchange.initialResponse;
  for (;;) {
    const response =
      (await channel.sendSasl(SaslAuthenticateApi, { authBytes: message }, version))!;
    if (response.errorCode !== 0) {
      throw brokerRefusal(response.errorCode, response.errorMessage, name, broker);
    }
    try {
      message = await exchange.next(response.authBytes);
    } catch (error) {
      throw asAuthenticationError(error, name, broker);
    }
    if (message === undefined) {
      const lifetime = Number(response.sessionLifetimeMs);
      return { lifetimeMs: lifetime > 0 ? lifetime : 0 };
    }
  }
}

function brokerRefusal(
  errorCode: number,
  brokerMessage: string | null,
  mechanism: string,
  broker: string,
): AuthenticationError {
  const cause = BrokerError.fromCode(errorCode, brokerMessage);
  const reason = brokerMessage ?? cause.message;
  return new AuthenticationError(
    `${mechanism} authentication with ${broker} failed: ${reason}`,
    cause.code,
    { cause },
  );
}

function asAuthenticationError(
  error: unknown,
  mechanism: string,
  broker: string,
): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  const detail = error instanceof KafkaError || error instanceof Error
    ? error.message
    : describeThrown(error); // a custom SaslMechanism may throw anything
  return new AuthenticationError(
    `${mechanism} authentication with ${broker} failed in the mechanism: ${detail}`,
    "SASL_AUTHENTICATION_FAILED",
    { cause: error },
  );
}

function describeTarget(target: SaslTarget): string {
  return target.nodeId < 0
    ? `bootstrap broker ${target.host}:${target.port}`
    : `broker ${target.nodeId} (${target.host}:${target.port})`;
}
