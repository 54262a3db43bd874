import { KafkaError } from "./kafka_error.ts";

/**
 * A broker refused who we are, or we refused the broker: SASL authentication failed (wrong
 * credentials, an expired or rejected token, a mechanism the broker has not enabled, a server
 * that could not prove it knows the SCRAM password), or the TLS handshake failed
 * ({@linkcode TlsError}, a subclass, as Java's `SslAuthenticationException`).
 *
 * Never retriable: as in Java, where an `AuthenticationException` is fatal for the pending
 * sends, every record waiting for that broker fails at once with this error (not after
 * `deliveryTimeoutMs`), and the producer stops. Messages never contain a password, token or key.
 *
 * `code` is the broker's error name ("SASL_AUTHENTICATION_FAILED", "UNSUPPORTED_SASL_MECHANISM",
 * "ILLEGAL_SASL_STATE") or a client code: "SASL_SERVER_SIGNATURE" (the SCRAM server's proof
 * was wrong), "SASL_TOKEN" (the OAUTHBEARER token callback failed), "SASL_UNSUPPORTED" (the
 * broker cannot do SASL the way sluice needs, e.g. only SaslHandshake v0).
 *
 * @example
 * ```ts
 * import { AuthenticationError } from "./security_errors.ts";
 * const error = new AuthenticationError("Authentication failed: invalid credentials", "SASL_AUTHENTICATION_FAILED");
 * if (error.retriable || error.code !== "SASL_AUTHENTICATION_FAILED") throw new Error();
 * ```
 */
export class AuthenticationError extends KafkaError {
  /**
   * Creates the error.
   *
   * @param message What was refused, by whom, and what to check; never a secret.
   * @param code A broker error name or a client code (see the class description).
   * @param options The underlying error, if any.
   */
  constructor(
    message: string,
    code: string = "SASL_AUTHENTICATION_FAILED",
    options: { cause?: unknown } = {},
  ) {
    super(message, { code, retriable: false, cause: options.cause });
  }
}

/** Which TLS failure a {@linkcode TlsError} is. */
export type TlsErrorCode =
  /** The broker's certificate is not signed by a trusted CA (`ssl.ca`, or the default roots). */
  | "TLS_UNKNOWN_CA"
  /** The broker's certificate does not name the host connected to (or `ssl.servername`). */
  | "TLS_HOSTNAME_MISMATCH"
  /** The broker's certificate has expired or is not valid yet. */
  | "TLS_CERTIFICATE_EXPIRED"
  /** The broker refused our client certificate (missing, unknown CA, expired). */
  | "TLS_CLIENT_CERTIFICATE_REJECTED"
  /** TLS was used, and the broker's listener does not speak TLS (PLAINTEXT, SASL_PLAINTEXT). */
  | "TLS_NOT_SUPPORTED_BY_BROKER"
  /** No TLS was used, and the broker's listener expects it (SSL, SASL_SSL). */
  | "TLS_REQUIRED_BY_BROKER"
  /** Any other TLS handshake failure (the runtime's reason is the `cause`). */
  | "TLS_HANDSHAKE_FAILED";

/**
 * The TLS handshake with a broker failed, or the client and the broker's listener disagree
 * about TLS. `code` says which ({@linkcode TlsErrorCode}), the message names the broker and
 * what to check, and `cause` is the runtime's own error. Never retriable: an
 * {@linkcode AuthenticationError}, so pending records fail at once.
 *
 * @example
 * ```ts
 * import { AuthenticationError, TlsError } from "./security_errors.ts";
 * const error = new TlsError("Cannot verify 127.0.0.1:9093", "TLS_UNKNOWN_CA", { cause: new Error("UnknownIssuer") });
 * if (!(error instanceof AuthenticationError) || error.code !== "TLS_UNKNOWN_CA") throw new Error();
 * ```
 */
export class TlsError extends AuthenticationError {
  /** Which TLS failure this is. */
  declare readonly code: TlsErrorCode;

  /**
   * Creates the error.
   *
   * @param message What failed, with which broker, and what to check.
   * @param code Which failure.
   * @param options The runtime's error.
   */
  constructor(message: string, code: TlsErrorCode, options: { cause?: unknown } = {}) {
    super(message, code, options);
  }
}
