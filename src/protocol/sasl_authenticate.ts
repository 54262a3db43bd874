import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** SaslAuthenticate request: one client token of the SASL exchange. */
export interface SaslAuthenticateRequest {
  /** The mechanism's bytes (secret material for PLAIN: never log them). */
  authBytes: Uint8Array;
}

/** SaslAuthenticate response: the broker's token, or why authentication failed. */
export interface SaslAuthenticateResponse {
  /** 0, or e.g. 58 (SASL_AUTHENTICATION_FAILED), 34 (ILLEGAL_SASL_STATE). */
  errorCode: number;
  /** The broker's reason, or null. */
  errorMessage: string | null;
  /** The mechanism's bytes from the broker (a copy, so it outlives the response buffer). */
  authBytes: Uint8Array;
  /**
   * v1+: ms until the session expires and the client must re-authenticate on the same
   * connection (KIP-368); 0 when it never does, and always 0 before v1.
   */
  sessionLifetimeMs: bigint;
}

/*
 * SaslAuthenticate Request (Version: 0-2) =>
 *     auth_bytes:BYTES (compact v2+)
 *     TAG_BUFFER (v2+)
 */
function encodeRequest(writer: Writer, version: number, request: SaslAuthenticateRequest): void {
  if (version >= 2) writer.compactBytes(request.authBytes).emptyTaggedFields(); // v2+
  else writer.bytes(request.authBytes);
}

/*
 * SaslAuthenticate Response (Version: 0-2) =>
 *     error_code:INT16
 *     error_message:NULLABLE_STRING (compact v2+)
 *     auth_bytes:BYTES (compact v2+)
 *     session_lifetime_ms:INT64 (v1+)
 *     TAG_BUFFER (v2+)
 */
function decodeResponse(reader: Reader, version: number): SaslAuthenticateResponse {
  const flexible = version >= 2;
  const errorCode = reader.int16();
  const errorMessage = reader.nullableStringOf(flexible);
  const authBytes = (flexible ? reader.compactBytes() : reader.bytes()).slice();
  const sessionLifetimeMs = version >= 1 ? reader.int64() : 0n; // v1+
  if (flexible) reader.readTaggedFields(); // v2+
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}

/**
 * SaslAuthenticate v0–v2: one round of a SASL exchange after SaslHandshake v1 (KIP-152);
 * v1 adds the session lifetime (KIP-368), v2 is flexible (KIP-482).
 *
 * @example Encode a v2 token and read a failure
 * ```ts
 * import { SaslAuthenticateApi } from "./sasl_authenticate.ts";
 * import { Reader } from "./reader.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * SaslAuthenticateApi.encodeRequest(writer, 2, { authBytes: new Uint8Array([0, 117, 0, 112]) });
 * // compact bytes (4 + 1), then an empty TAG_BUFFER
 * if (writer.toBytes().join(",") !== "5,0,117,0,112,0") throw new Error("request");
 * // error 58, message "no", no bytes, lifetime 0, TAG_BUFFER
 * const body = new Uint8Array([0, 58, 3, 110, 111, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const response = SaslAuthenticateApi.decodeResponse(new Reader(body), 2);
 * if (response.errorCode !== 58 || response.errorMessage !== "no") throw new Error();
 * ```
 */
export const SaslAuthenticateApi: ApiDescriptor<SaslAuthenticateRequest, SaslAuthenticateResponse> =
  {
    apiKey: ApiKey.SaslAuthenticate,
    name: "SaslAuthenticate",
    minVersion: 0,
    maxVersion: 2,
    flexibleFrom: 2,
    encodeRequest,
    decodeResponse,
  };
