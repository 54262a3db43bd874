// Golden bytes for SaslHandshake v0-v1 and SaslAuthenticate v0-v2, derived by hand from
// SaslHandshake{Request,Response}.json and SaslAuthenticate{Request,Response}.json (each byte
// run commented). Shared by the per-API tests and the KafkaJS and Java cross-checks.
import type { SaslAuthenticateResponse } from "../../src/protocol/sasl_authenticate.ts";
import { hex } from "./hex.ts";

// SaslHandshake: one layout for v0 and v1, never flexible.

export const SASL_HANDSHAKE_MECHANISM = "SCRAM-SHA-256";

export const SASL_HANDSHAKE_REQUEST = hex`
  00 0d                                     # mechanism: 13 bytes
  53 43 52 41 4d 2d 53 48 41 2d 32 35 36    #   "SCRAM-SHA-256"
`;

export const SASL_HANDSHAKE_MECHANISMS = ["PLAIN", "SCRAM-SHA-256"];

export const SASL_HANDSHAKE_RESPONSE = hex`
  00 00                                     # error_code 0
  00 00 00 02                               # [mechanisms] 2
  00 05 50 4c 41 49 4e                      #   "PLAIN"
  00 0d 53 43 52 41 4d 2d 53 48 41 2d 32 35 36   # "SCRAM-SHA-256"
`;

// SaslAuthenticate

/** A PLAIN token: authzid "" NUL "u" NUL "p". */
export const SASL_AUTH_BYTES = hex`00 75 00 70`;

export const SASL_AUTHENTICATE_REQUESTS: Record<number, Uint8Array> = {
  0: hex`
    00 00 00 04 00 75 00 70   # auth_bytes: 4 bytes
  `,
  2: hex`
    05 00 75 00 70            # auth_bytes compact: 4 + 1 bytes
    00                        # TAG_BUFFER
  `,
};
SASL_AUTHENTICATE_REQUESTS[1] = SASL_AUTHENTICATE_REQUESTS[0]!;

/** The server's bytes in the responses: "r=1". */
export const SASL_SERVER_BYTES = hex`72 3d 31`;

export const SASL_AUTHENTICATE_RESPONSES: Record<number, Uint8Array> = {
  0: hex`
    00 00                     # error_code 0
    ff ff                     # error_message null
    00 00 00 03 72 3d 31      # auth_bytes "r=1"
  `,
  1: hex`
    00 00 ff ff 00 00 00 03 72 3d 31   # error 0, message null, auth_bytes "r=1"
    00 00 00 00 00 36 ee 80   # session_lifetime_ms 3600000 (v1+)
  `,
  2: hex`
    00 00                     # error_code 0
    00                        # error_message compact null
    04 72 3d 31               # auth_bytes compact: 3 + 1
    00 00 00 00 00 36 ee 80   # session_lifetime_ms 3600000
    00                        # TAG_BUFFER
  `,
};

export function saslAuthenticateResponse(v: number): SaslAuthenticateResponse {
  return {
    errorCode: 0,
    errorMessage: null,
    authBytes: SASL_SERVER_BYTES,
    sessionLifetimeMs: v >= 1 ? 3600000n : 0n,
  };
}

/** A failure, v2: error 58 SASL_AUTHENTICATION_FAILED with a message and no bytes. */
export const SASL_AUTHENTICATE_FAILURE_V2 = hex`
  00 3a                     # error_code 58
  16 41 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 20 66 61 69 6c 65 64   # "Authentication failed" (21 + 1)
  01                        # auth_bytes compact: 0 + 1
  00 00 00 00 00 00 00 00   # session_lifetime_ms 0
  00                        # TAG_BUFFER
`;
