import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** SaslHandshake request: the mechanism the client wants to use. */
export interface SaslHandshakeRequest {
  /** The SASL mechanism, e.g. "PLAIN", "SCRAM-SHA-256", "OAUTHBEARER". */
  mechanism: string;
}

/** SaslHandshake response. */
export interface SaslHandshakeResponse {
  /** 0, or e.g. 33 (UNSUPPORTED_SASL_MECHANISM) when the broker does not enable `mechanism`. */
  errorCode: number;
  /** The mechanisms the broker enabled on this listener (also sent with an error). */
  mechanisms: string[];
}

/*
 * SaslHandshake Request (Version: 0-1) => mechanism:STRING
 * SaslHandshake Response (Version: 0-1) => error_code:INT16 [mechanisms:STRING]
 * Never flexible (KAFKA-9577: clients <= 2.4 negotiate it wrongly, so it cannot be bumped).
 * v0 and v1 have one layout; v1 means the SASL tokens then travel in SaslAuthenticate
 * requests, v0 that they follow as raw size-prefixed frames (sluice sends v1).
 */
function encodeRequest(writer: Writer, _version: number, request: SaslHandshakeRequest): void {
  writer.string(request.mechanism);
}

function decodeResponse(reader: Reader, _version: number): SaslHandshakeResponse {
  const errorCode = reader.int16();
  const count = reader.arrayLength(false, 2);
  const mechanisms: string[] = [];
  for (let i = 0; i < count; i++) mechanisms.push(reader.string());
  return { errorCode, mechanisms };
}

/**
 * SaslHandshake v0–v1: picks the SASL mechanism on a new connection, after ApiVersions and
 * before SaslAuthenticate (KIP-152). Not flexible in any version.
 *
 * @example Encode a v1 request and decode an answer listing the broker's mechanisms
 * ```ts
 * import { SaslHandshakeApi } from "./sasl_handshake.ts";
 * import { Reader } from "./reader.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * SaslHandshakeApi.encodeRequest(writer, 1, { mechanism: "PLAIN" });
 * if (writer.toBytes().join(",") !== "0,5,80,76,65,73,78") throw new Error("request");
 * // error 33 UNSUPPORTED_SASL_MECHANISM, [1 mechanism: "PLAIN"]
 * const body = new Uint8Array([0, 33, 0, 0, 0, 1, 0, 5, 80, 76, 65, 73, 78]);
 * const response = SaslHandshakeApi.decodeResponse(new Reader(body), 1);
 * if (response.errorCode !== 33 || response.mechanisms[0] !== "PLAIN") throw new Error();
 * ```
 */
export const SaslHandshakeApi: ApiDescriptor<SaslHandshakeRequest, SaslHandshakeResponse> = {
  apiKey: ApiKey.SaslHandshake,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: Infinity,
  encodeRequest,
  decodeResponse,
};
