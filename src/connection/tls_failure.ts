import { TlsError, type TlsErrorCode } from "../errors/security_errors.ts";

/**
 * How each runtime reports each failure: OpenSSL verify codes and Node error codes (Node,
 * Bun), rustls reasons in the message (Deno). Checked in order; the first match wins.
 */
const PATTERNS: ReadonlyArray<[TlsErrorCode, RegExp, string]> = [
  [
    "TLS_CLIENT_CERTIFICATE_REJECTED",
    // The broker's alert about our certificate (mTLS): Node's ERR_SSL_*_ALERT_* codes, Bun's
    // OpenSSL reason, Deno's "received fatal alert: …".
    /ALERT_CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_EXPIRED|ALERT_CERTIFICATE_UNKNOWN|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_ACCESS_DENIED|fatal alert: (?:CertificateRequired|BadCertificate|UnknownCA|CertificateExpired|CertificateUnknown|UnsupportedCertificate|AccessDenied)/i,
    "the broker refused the client certificate: check ssl.cert and ssl.key, and that the broker trusts their CA (ssl.client.auth)",
  ],
  [
    "TLS_HOSTNAME_MISMATCH",
    /ERR_TLS_CERT_ALTNAME_INVALID|not valid for name|NotValidForName|does not match certificate/i,
    "the broker's certificate does not name this host: connect by a name in its certificate, set ssl.servername, or (not recommended) ssl.checkHostname false",
  ],
  [
    "TLS_CERTIFICATE_EXPIRED",
    /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|certificate expired|certificate has expired|NotValidYet|not valid yet/i,
    "the broker's certificate has expired or is not valid yet: renew it (or check this machine's clock)",
  ],
  [
    "TLS_UNKNOWN_CA",
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|UnknownIssuer|unknown issuer|CaUsedAsEndEntity|self.signed/i,
    "the broker's certificate is not signed by a trusted CA: set ssl.ca (ssl.truststore.location, ssl.ca.location) to the CA that signed it",
  ],
  [
    "TLS_NOT_SUPPORTED_BY_BROKER",
    // Plaintext bytes where a TLS record was expected, or the broker hanging up on our
    // ClientHello (a plaintext Kafka listener reads it as an absurd request size and closes).
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|before secure TLS connection|UnexpectedEof|unexpected end of file|unexpected eof|InvalidContentType|corrupt message|ECONNRESET|EPIPE/i,
    "the broker's listener does not speak TLS (PLAINTEXT or SASL_PLAINTEXT?): use securityProtocol PLAINTEXT or SASL_PLAINTEXT for it, or the broker's SSL port",
  ],
];

/**
 * The {@linkcode TlsError} for a TLS handshake that failed: which failure it is (unknown CA,
 * hostname mismatch, expired certificate, client certificate refused, a listener that does not
 * speak TLS, or another handshake failure), with the runtime's error as `cause`.
 *
 * @param target The broker connected to.
 * @param cause What the runtime reported.
 * @returns The typed error.
 *
 * @example
 * ```ts
 * import { tlsHandshakeError } from "./tls_failure.ts";
 * const cause = Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" });
 * const error = tlsHandshakeError({ host: "b1", port: 9093 }, cause);
 * if (error.code !== "TLS_CERTIFICATE_EXPIRED" || error.cause !== cause) throw new Error(error.message);
 * ```
 */
export function tlsHandshakeError(
  target: { host: string; port: number },
  cause: unknown,
): TlsError {
  const reason = describe(cause);
  const match = PATTERNS.find(([, pattern]) => pattern.test(reason));
  const [code, , advice] = match ?? [
    "TLS_HANDSHAKE_FAILED",
    undefined,
    "the TLS handshake failed",
  ];
  return new TlsError(
    `Cannot connect to ${target.host}:${target.port} with TLS: ${advice} (${reason})`,
    code,
    { cause },
  );
}

/**
 * The {@linkcode TlsError} for a TLS connection that died with a broker's alert about our
 * client certificate (with TLS 1.3 the broker checks it after our side of the handshake is
 * done, so it shows as the socket failing), else undefined: other failures of an established
 * connection are ordinary connection losses.
 *
 * @param target The broker connected to.
 * @param cause What the runtime reported.
 * @returns The typed error, or undefined.
 *
 * @example
 * ```ts
 * import { tlsAlertError } from "./tls_failure.ts";
 * const alert = new Error("received fatal alert: CertificateRequired");
 * if (tlsAlertError({ host: "b1", port: 9093 }, alert)?.code !== "TLS_CLIENT_CERTIFICATE_REJECTED") throw new Error();
 * if (tlsAlertError({ host: "b1", port: 9093 }, new Error("ECONNRESET")) !== undefined) throw new Error();
 * ```
 */
export function tlsAlertError(
  target: { host: string; port: number },
  cause: unknown,
): TlsError | undefined {
  const error = tlsHandshakeError(target, cause);
  return error.code === "TLS_CLIENT_CERTIFICATE_REJECTED" ? error : undefined;
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause ?? "the connection closed");
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" && !cause.message.includes(code)
    ? `${code}: ${cause.message}`
    : cause.message;
}

/**
 * The cause to report when the broker hung up during the TLS handshake and the runtime gave
 * no error of its own.
 *
 * @returns An error that {@linkcode tlsHandshakeError} reads as "the listener does not speak TLS".
 *
 * @example
 * ```ts
 * import { handshakeClosed, tlsHandshakeError } from "./tls_failure.ts";
 * const error = tlsHandshakeError({ host: "b1", port: 9092 }, handshakeClosed());
 * if (error.code !== "TLS_NOT_SUPPORTED_BY_BROKER") throw new Error(error.code);
 * ```
 */
export function handshakeClosed(): Error {
  return new Error("unexpected eof: the broker closed the connection during the TLS handshake");
}
