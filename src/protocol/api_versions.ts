import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** ApiVersions request (v3+ names the client software). */
export interface ApiVersionsRequest {
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

/** One API's supported version range on the broker. */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions response. */
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
}

/*
 * ApiVersions Request (Version: 0-2) => (empty)
 * ApiVersions Request (Version: 3) => client_software_name:compact_string
 *                                     client_software_version:compact_string TAG_BUFFER
 *
 * ApiVersions Response (Version: 0) => error_code:int16 [api_key:int16 min:int16 max:int16]
 * ApiVersions Response (Version: 1-2) => error_code [api_keys] throttle_time_ms:int32
 * ApiVersions Response (Version: 3) => error_code:int16
 *     [api_key:int16 min_version:int16 max_version:int16 TAG_BUFFER] (compact array)
 *     throttle_time_ms:int32 TAG_BUFFER (tags: supported/finalized features, skipped)
 *
 * A broker that does not support the requested version answers UNSUPPORTED_VERSION (35) with
 * a v0 body listing what it does support (so the client can retry with a version it knows).
 */
function encodeRequest(writer: Writer, version: number, request: ApiVersionsRequest): void {
  if (version >= 3) {
    writer.compactString(request.clientSoftwareName ?? "sluice");
    writer.compactString(request.clientSoftwareVersion ?? "0.0.0");
    writer.emptyTaggedFields();
  }
}

function decodeResponse(reader: Reader, version: number): ApiVersionsResponse {
  const errorCode = reader.int16();
  if (errorCode === 35) return { errorCode, apiKeys: readFallbackKeys(reader), throttleTimeMs: 0 };
  const flexible = version >= 3;
  const apiKeys = readApiKeys(reader, flexible);
  const throttleTimeMs = version >= 1 ? reader.int32() : 0; // v1+
  if (flexible) reader.taggedFields(); // v3+
  return { errorCode, apiKeys, throttleTimeMs };
}

function readApiKeys(reader: Reader, flexible: boolean): ApiVersionRange[] {
  const count = reader.arrayLength(flexible, 6);
  const apiKeys: ApiVersionRange[] = [];
  for (let i = 0; i < count; i++) {
    const apiKey = reader.int16();
    const minVersion = reader.int16();
    const maxVersion = reader.int16();
    if (flexible) reader.taggedFields();
    apiKeys.push({ apiKey, minVersion, maxVersion });
  }
  return apiKeys;
}

/**
 * The body of an UNSUPPORTED_VERSION answer should be v0, but brokers differ (librdkafka's
 * mock writes a malformed mix): read it as v0 if it parses, else report no ranges, and the
 * handshake falls back to ApiVersions v0, which every broker speaks.
 */
function readFallbackKeys(reader: Reader): ApiVersionRange[] {
  try {
    const keys = readApiKeys(reader, false);
    return reader.remaining <= 4 ? keys : [];
  } catch {
    return [];
  }
}

/**
 * ApiVersions v0–v3: which versions of each API the broker speaks.
 *
 * @example
 * ```ts
 * import { ApiVersionsApi } from "./api_versions.ts";
 * if (ApiVersionsApi.apiKey !== 18 || ApiVersionsApi.maxVersion !== 3) throw new Error();
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
 * The highest version both sides support, or undefined when the ranges do not overlap.
 *
 * @example
 * ```ts
 * import { pickVersion } from "./api_versions.ts";
 * if (pickVersion({ minVersion: 3, maxVersion: 11 }, { minVersion: 0, maxVersion: 10 }) !== 10) throw new Error();
 * if (pickVersion({ minVersion: 3, maxVersion: 11 }, { minVersion: 0, maxVersion: 2 }) !== undefined) throw new Error();
 * ```
 */
export function pickVersion(
  ours: { minVersion: number; maxVersion: number },
  broker: { minVersion: number; maxVersion: number } | undefined,
): number | undefined {
  if (broker === undefined) return undefined;
  const version = Math.min(ours.maxVersion, broker.maxVersion);
  return version >= Math.max(ours.minVersion, broker.minVersion) ? version : undefined;
}
