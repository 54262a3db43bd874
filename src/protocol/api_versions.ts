import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** ApiVersions request. Versions 0-2 have an empty body; v3+ names the client software. */
export interface ApiVersionsRequest {
  /**
   * v3+: the client's name; brokers require `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`.
   * @default "sluice"
   */
  clientSoftwareName?: string;
  /**
   * v3+: the client's version, same pattern.
   * @default "0.1.0"
   */
  clientSoftwareVersion?: string;
}

/** One API's supported version range on the broker. */
export interface ApiVersionRange {
  /** The API key. */
  apiKey: number;
  /** The lowest version the broker speaks, inclusive. */
  minVersion: number;
  /** The highest version the broker speaks, inclusive. */
  maxVersion: number;
}

/** ApiVersions response. */
export interface ApiVersionsResponse {
  /** 0, or e.g. 35 (UNSUPPORTED_VERSION) with the ranges the broker speaks. */
  errorCode: number;
  /** The broker's APIs; empty when an UNSUPPORTED_VERSION body could not be parsed. */
  apiKeys: ApiVersionRange[];
  /** v1+, else 0. */
  throttleTimeMs: number;
}

/*
 * ApiVersions Request (Version: 0-2) => (empty)
 * ApiVersions Request (Version: 3) => client_software_name:COMPACT_STRING
 *                                     client_software_version:COMPACT_STRING TAG_BUFFER
 */
function encodeRequest(writer: Writer, version: number, request: ApiVersionsRequest): void {
  if (version >= 3) { // v3+
    writer.compactString(request.clientSoftwareName ?? "sluice");
    writer.compactString(request.clientSoftwareVersion ?? "0.1.0");
    writer.emptyTaggedFields();
  }
}

/*
 * ApiVersions Response (Version: 0-3) =>
 *     error_code:INT16
 *     [api_keys] (compact v3+)
 *         api_key:INT16 min_version:INT16 max_version:INT16 TAG_BUFFER (v3+)
 *     throttle_time_ms:INT32 (v1+)
 *     TAG_BUFFER (v3+; tags 0 supported_features, 1 finalized_features_epoch,
 *                 2 finalized_features, 3 zk_migration_ready: all skipped)
 * The response header is always v0, even for v3 (see decodeResponseFrame).
 *
 * UNSUPPORTED_VERSION fallback: a broker that does not speak the requested version answers
 * error 35 with a *v0* body (KIP-511: Kafka >= 2.4 lists at least its ApiVersions range).
 * Kafka's Java client parses with the requested version and re-parses as v0 when that fails.
 * We detect it the other way round, which is unambiguous: when the error code is 35 and the
 * version is > 0, the rest of the body is parsed as v0 and accepted if that consumes it
 * exactly; else as the requested version, accepted if that consumes it exactly; else the
 * body is malformed (librdkafka's mock writes a v3 count byte in front of v0 entries) and
 * `apiKeys` is empty, so the caller retries with ApiVersions v0, which every broker speaks.
 */
function decodeResponse(reader: Reader, version: number): ApiVersionsResponse {
  const errorCode = reader.int16();
  if (errorCode === 35 && version > 0) {
    const rest = reader.subarray(reader.remaining);
    const apiKeys = tryBody(rest, 0) ?? tryBody(rest, version) ?? [];
    return { errorCode, apiKeys, throttleTimeMs: 0 };
  }
  const apiKeys = readApiKeys(reader, version);
  const throttleTimeMs = version >= 1 ? reader.int32() : 0; // v1+
  if (version >= 3) reader.readTaggedFields(); // v3+
  return { errorCode, apiKeys, throttleTimeMs };
}

function readApiKeys(reader: Reader, version: number): ApiVersionRange[] {
  const flexible = version >= 3;
  const count = reader.arrayLength(flexible, flexible ? 7 : 6);
  const apiKeys: ApiVersionRange[] = [];
  for (let i = 0; i < count; i++) {
    const apiKey = reader.int16();
    const minVersion = reader.int16();
    const maxVersion = reader.int16();
    if (flexible) reader.readTaggedFields(); // v3+
    apiKeys.push({ apiKey, minVersion, maxVersion });
  }
  return apiKeys;
}

/** The api keys of a body (after the error code) in `version`'s layout, if it fits exactly. */
function tryBody(rest: Uint8Array, version: number): ApiVersionRange[] | undefined {
  try {
    const reader = new Reader(rest);
    const apiKeys = readApiKeys(reader, version);
    if (version >= 1) reader.int32(); // v1+
    if (version >= 3) reader.readTaggedFields(); // v3+
    return reader.remaining === 0 ? apiKeys : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ApiVersions v0–v3: which versions of each API the broker speaks. Sent first on every
 * connection; v3 uses request header v2, but every version answers with response header v0.
 *
 * @example Decode a v0 answer to a v3 request (UNSUPPORTED_VERSION)
 * ```ts
 * import { ApiVersionsApi } from "./api_versions.ts";
 * import { Reader } from "./reader.ts";
 * // error 35, [1 entry: ApiVersions (18) 0..2]
 * const body = new Uint8Array([0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 2]);
 * const response = ApiVersionsApi.decodeResponse(new Reader(body), 3);
 * if (response.errorCode !== 35 || response.apiKeys[0]?.maxVersion !== 2) throw new Error();
 * ```
 */
export const ApiVersionsApi: ApiDescriptor<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: ApiKey.ApiVersions,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};

/**
 * The highest version both sides support.
 *
 * @param api Our range (an `ApiDescriptor` fits).
 * @param broker The broker's range for the same API, or undefined if it lacks the API.
 * @returns The version to use, or undefined when the ranges do not overlap.
 *
 * @example
 * ```ts
 * import { pickVersion } from "./api_versions.ts";
 * if (pickVersion({ minVersion: 3, maxVersion: 11 }, { minVersion: 0, maxVersion: 10 }) !== 10) throw new Error();
 * if (pickVersion({ minVersion: 3, maxVersion: 11 }, { minVersion: 0, maxVersion: 2 }) !== undefined) throw new Error();
 * ```
 */
export function pickVersion(
  api: { minVersion: number; maxVersion: number },
  broker: { minVersion: number; maxVersion: number } | undefined,
): number | undefined {
  if (broker === undefined) return undefined;
  const version = Math.min(api.maxVersion, broker.maxVersion);
  return version >= Math.max(api.minVersion, broker.minVersion) ? version : undefined;
}
