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

/** A feature the broker supports (KIP-584), e.g. "transaction.version" 0..2. */
export interface SupportedFeature {
  /** The feature's name. */
  name: string;
  /** The lowest level the broker supports (brokers answering v3 omit features whose min is 0). */
  minVersion: number;
  /** The highest level the broker supports. */
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
  /** v3+ (tagged field 0): the features the broker supports; else []. */
  supportedFeatures: SupportedFeature[];
  /**
   * v3+ (tagged field 1): the epoch of `finalizedFeatures`, growing with every change; -1n
   * when unknown (and always before v3). Brokers may lag: keep the answer with the highest
   * epoch, as Java's client does.
   */
  finalizedFeaturesEpoch: bigint;
  /**
   * v3+ (tagged field 2): the cluster-wide finalized features, name → max version level,
   * e.g. "transaction.version" → 2 when transactions v2 (KIP-890) are on. A feature finalized
   * at level 0 is absent (read an absent feature as level 0). Empty before v3.
   */
  finalizedFeatures: Map<string, number>;
  /** v3+ (tagged field 3): set by a KRaft controller ready for ZooKeeper migration; else false. */
  zkMigrationReady: boolean;
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
 *     TAG_BUFFER (v3+) =>
 *         tag 0: [supported_features] (compact)
 *             name:COMPACT_STRING min_version:INT16 max_version:INT16 TAG_BUFFER
 *         tag 1: finalized_features_epoch:INT64 (default -1)
 *         tag 2: [finalized_features] (compact)
 *             name:COMPACT_STRING max_version_level:INT16 min_version_level:INT16 TAG_BUFFER
 *         tag 3: zk_migration_ready:BOOLEAN (default false)
 * The response header is always v0, even for v3 (see decodeResponseFrame). Each tagged field
 * is read from its own bytes, so a field longer than its content (a newer broker) is fine and
 * one shorter than its content is a ProtocolError. Unknown tags are skipped.
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
    return { errorCode, apiKeys, throttleTimeMs: 0, ...noFeatures() };
  }
  const apiKeys = readApiKeys(reader, version);
  const throttleTimeMs = version >= 1 ? reader.int32() : 0; // v1+
  const response: ApiVersionsResponse = { errorCode, apiKeys, throttleTimeMs, ...noFeatures() };
  if (version >= 3) { // v3+
    const tags = reader.readTaggedFields();
    const supported = tags.get(0);
    if (supported !== undefined) {
      const tag = new Reader(supported);
      const count = tag.arrayLength(true, 6);
      for (let i = 0; i < count; i++) {
        const name = tag.compactString();
        const minVersion = tag.int16();
        const maxVersion = tag.int16();
        tag.readTaggedFields();
        response.supportedFeatures.push({ name, minVersion, maxVersion });
      }
    }
    const epoch = tags.get(1);
    if (epoch !== undefined) response.finalizedFeaturesEpoch = new Reader(epoch).int64();
    const finalized = tags.get(2);
    if (finalized !== undefined) {
      const tag = new Reader(finalized);
      const count = tag.arrayLength(true, 6);
      for (let i = 0; i < count; i++) {
        const name = tag.compactString();
        const maxVersionLevel = tag.int16();
        tag.int16(); // min_version_level: Kafka writes the max level here too
        tag.readTaggedFields();
        response.finalizedFeatures.set(name, maxVersionLevel);
      }
    }
    const zkMigrationReady = tags.get(3);
    if (zkMigrationReady !== undefined) {
      response.zkMigrationReady = new Reader(zkMigrationReady).boolean();
    }
  }
  return response;
}

/** The feature fields' defaults (absent tags, versions before v3). */
function noFeatures(): Pick<
  ApiVersionsResponse,
  "supportedFeatures" | "finalizedFeaturesEpoch" | "finalizedFeatures" | "zkMigrationReady"
> {
  return {
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: new Map(),
    zkMigrationReady: false,
  };
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
 * ApiVersions v0–v3: which versions of each API the broker speaks and (v3) the cluster's
 * finalized features, e.g. `transaction.version`. Sent first on every connection; v3 uses
 * request header v2, but every version answers with response header v0. (v4 only lets
 * brokers list supported features whose minimum is 0; v5 adds cluster/node id checks,
 * KIP-1242. Neither changes what a producer reads.)
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
