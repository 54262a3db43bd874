// How each runtime words each TLS failure (seen on Deno 2.9, Bun 1.4 and Node 26 against
// node:tls servers and Kafka 3.9/4.4 listeners), and the TlsError code it must become. The
// client-certificate refusals come from real brokers (Kafka sends the alert, then closes);
// node:tls servers reset too early for the alert to arrive reliably.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  handshakeClosed,
  tlsAlertError,
  tlsHandshakeError,
} from "../../src/connection/tls_failure.ts";
import { TlsError } from "../../src/errors/security_errors.ts";

function coded(message: string, code?: string): Error {
  const error = new Error(message);
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

const target = { host: "broker-1", port: 9093 };

const OBSERVED: Array<[string, Error, string]> = [
  // Deno (rustls)
  ["Deno", coded("invalid peer certificate: UnknownIssuer"), "TLS_UNKNOWN_CA"],
  [
    "Deno",
    coded(
      'invalid peer certificate: certificate not valid for name "other.example"; certificate is only valid for DnsName("localhost") or IpAddress(127.0.0.1)',
    ),
    "TLS_HOSTNAME_MISMATCH",
  ],
  [
    "Deno",
    coded(
      "invalid peer certificate: certificate expired: verification time 1796045819 (UNIX), but certificate is not valid after 1577923200 (218122619 seconds ago)",
    ),
    "TLS_CERTIFICATE_EXPIRED",
  ],
  ["Deno", coded("received fatal alert: CertificateRequired"), "TLS_CLIENT_CERTIFICATE_REJECTED"],
  ["Deno", coded("received fatal alert: BadCertificate"), "TLS_CLIENT_CERTIFICATE_REJECTED"],
  ["Deno", coded("unexpected end of file"), "TLS_NOT_SUPPORTED_BY_BROKER"],
  // Node (OpenSSL)
  [
    "Node",
    coded("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
    "TLS_UNKNOWN_CA",
  ],
  [
    "Node",
    coded("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"),
    "TLS_UNKNOWN_CA",
  ],
  [
    "Node",
    coded(
      "Hostname/IP does not match certificate's altnames: Host: other.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1",
      "ERR_TLS_CERT_ALTNAME_INVALID",
    ),
    "TLS_HOSTNAME_MISMATCH",
  ],
  ["Node", coded("certificate has expired", "CERT_HAS_EXPIRED"), "TLS_CERTIFICATE_EXPIRED"],
  [
    "Node",
    coded(
      "4083DC83D37F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required",
      "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
    ),
    "TLS_CLIENT_CERTIFICATE_REJECTED",
  ],
  [
    "Node",
    coded("…:sslv3 alert bad certificate:…", "ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE"),
    "TLS_CLIENT_CERTIFICATE_REJECTED",
  ],
  [
    "Node",
    coded(
      "Client network socket disconnected before secure TLS connection was established",
      "ECONNRESET",
    ),
    "TLS_NOT_SUPPORTED_BY_BROKER",
  ],
  [
    "Node",
    coded("…:wrong version number:…", "ERR_SSL_WRONG_VERSION_NUMBER"),
    "TLS_NOT_SUPPORTED_BY_BROKER",
  ],
  // Bun (BoringSSL)
  [
    "Bun",
    coded("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
    "TLS_UNKNOWN_CA",
  ],
  [
    "Bun",
    coded(
      "error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED",
      "EPROTO",
    ),
    "TLS_CLIENT_CERTIFICATE_REJECTED",
  ],
  [
    "Bun",
    coded("error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE", "EPROTO"),
    "TLS_CLIENT_CERTIFICATE_REJECTED",
  ],
  [
    "Bun",
    coded("error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER", "EPROTO"),
    "TLS_NOT_SUPPORTED_BY_BROKER",
  ],
  // A generic handshake failure is not guessed at.
  [
    "Bun",
    coded("error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE", "EPROTO"),
    "TLS_HANDSHAKE_FAILED",
  ],
];

describe("tlsHandshakeError()", () => {
  for (const [runtime, cause, code] of OBSERVED) {
    it(`tlsHandshakeError() reads ${runtime}'s "${cause.message.slice(0, 48)}…" as ${code}`, () => {
      const error = tlsHandshakeError(target, cause);
      assert.ok(error instanceof TlsError);
      assert.equal(error.code, code);
      assert.equal(error.cause, cause);
      assert.equal(error.retriable, false);
      assert.match(error.message, /^Cannot connect to broker-1:9093 with TLS: /);
    });
  }

  it("tlsHandshakeError() of a close without error says the listener does not speak TLS", () => {
    assert.equal(tlsHandshakeError(target, handshakeClosed()).code, "TLS_NOT_SUPPORTED_BY_BROKER");
  });
});

describe("tlsAlertError()", () => {
  it("tlsAlertError() types only the broker's refusal of our certificate", () => {
    for (const [, cause, code] of OBSERVED) {
      const error = tlsAlertError(target, cause);
      if (code === "TLS_CLIENT_CERTIFICATE_REJECTED") assert.equal(error?.code, code);
      else assert.equal(error, undefined, cause.message);
    }
  });
});
