import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/**
 * Coordinator key types: a consumer group (0), a transactional id (1), a share group (2,
 * KIP-932, v6+).
 *
 * @example
 * ```ts
 * import { CoordinatorKeyType } from "./find_coordinator.ts";
 * if (CoordinatorKeyType.Transaction !== 1) throw new Error();
 * ```
 */
export const CoordinatorKeyType = { Group: 0, Transaction: 1, Share: 2 } as const;

/** FindCoordinator request. */
export interface FindCoordinatorRequest {
  /** What the keys are: `CoordinatorKeyType.Group` (0), `.Transaction` (1) or `.Share` (2). */
  keyType: number;
  /**
   * The group ids or transactional ids to find coordinators for; exactly one before v4,
   * one or more from v4 (KIP-699 batching).
   */
  keys: string[];
}

/** One key's coordinator. */
export interface FindCoordinatorCoordinator {
  /** v4+: the key this entry answers; null before v4 (the answer is for the one key asked). */
  key: string | null;
  /** The coordinator's broker id (-1 with an error). */
  nodeId: number;
  /** Its host ("" with an error). */
  host: string;
  /** Its port (-1 with an error). */
  port: number;
  /** 0, or e.g. 15 (COORDINATOR_NOT_AVAILABLE), 14 (COORDINATOR_LOAD_IN_PROGRESS). */
  errorCode: number;
  /** v1+: the broker's reason, or null. */
  errorMessage: string | null;
}

/** FindCoordinator response. */
export interface FindCoordinatorResponse {
  /** v1+, else 0. */
  throttleTimeMs: number;
  /** One entry per key asked (before v4: exactly one, with `key` null). */
  coordinators: FindCoordinatorCoordinator[];
}

/*
 * FindCoordinator Request (Version: 0-6) =>
 *     key:STRING (v0-v3; compact v3)
 *     key_type:INT8 (v1+)
 *     [coordinator_keys:COMPACT_STRING] (v4+)
 *     TAG_BUFFER (v3+)
 * v5 may answer TRANSACTION_ABORTABLE (KIP-890); v6 allows key type 2 (share groups,
 * "groupId:topicId:partition"). Their layout is v4's.
 */
function encodeRequest(writer: Writer, version: number, request: FindCoordinatorRequest): void {
  const flexible = version >= 3;
  const keys = request.keys;
  if (version < 4 && keys.length !== 1) {
    throw new RangeError(
      `Cannot encode FindCoordinator v${version} with ${keys.length} keys: ` +
        "one key before v4 (batching needs v4+)",
    );
  }
  // Kafka's own check: other key types do not exist before v1 (v6 for share groups), and a
  // broker would read them as a group.
  const lowest = request.keyType === CoordinatorKeyType.Share
    ? 6
    : request.keyType === CoordinatorKeyType.Group
    ? 0
    : 1;
  if (version < lowest) {
    throw new RangeError(
      `Cannot encode FindCoordinator v${version} with key type ${request.keyType}: it needs v${lowest}+`,
    );
  }
  if (version < 4) writer.stringOf(keys[0]!, flexible); // v0-v3
  if (version >= 1) writer.int8(request.keyType); // v1+
  if (version >= 4) { // v4+
    writer.arrayLength(keys.length, true);
    for (let i = 0; i < keys.length; i++) writer.compactString(keys[i]!);
  }
  if (flexible) writer.emptyTaggedFields(); // v3+
}

/*
 * FindCoordinator Response (Version: 0-6) =>
 *     throttle_time_ms:INT32 (v1+)
 *     error_code:INT16 (v0-v3)
 *     error_message:NULLABLE_STRING (v1-v3; compact v3)
 *     node_id:INT32 (v0-v3)
 *     host:STRING (v0-v3; compact v3)
 *     port:INT32 (v0-v3)
 *     [coordinators] (v4+, compact)
 *         key:COMPACT_STRING node_id:INT32 host:COMPACT_STRING port:INT32
 *         error_code:INT16 error_message:COMPACT_NULLABLE_STRING TAG_BUFFER
 *     TAG_BUFFER (v3+)
 */
function decodeResponse(reader: Reader, version: number): FindCoordinatorResponse {
  const flexible = version >= 3;
  const throttleTimeMs = version >= 1 ? reader.int32() : 0; // v1+
  const coordinators: FindCoordinatorCoordinator[] = [];
  if (version < 4) { // v0-v3
    const errorCode = reader.int16();
    const errorMessage = version >= 1 ? reader.nullableStringOf(flexible) : null; // v1+
    const nodeId = reader.int32();
    const host = reader.stringOf(flexible);
    const port = reader.int32();
    coordinators.push({ key: null, nodeId, host, port, errorCode, errorMessage });
  } else { // v4+
    // key, node_id, host, port, error_code, error_message, TAG_BUFFER
    const count = reader.arrayLength(true, 1 + 4 + 1 + 4 + 2 + 1 + 1);
    for (let i = 0; i < count; i++) {
      const key = reader.compactString();
      const nodeId = reader.int32();
      const host = reader.compactString();
      const port = reader.int32();
      const errorCode = reader.int16();
      const errorMessage = reader.compactNullableString();
      reader.readTaggedFields();
      coordinators.push({ key, nodeId, host, port, errorCode, errorMessage });
    }
  }
  if (flexible) reader.readTaggedFields(); // v3+
  return { throttleTimeMs, coordinators };
}

/**
 * FindCoordinator v0–v6: which broker coordinates a consumer group or a transactional id.
 * Flexible from v3; from v4 one request asks for several keys (KIP-699). The response has
 * one shape for every version: a list of coordinators (one, keyless, before v4).
 *
 * @example Find a transaction coordinator with v4
 * ```ts
 * import { CoordinatorKeyType, FindCoordinatorApi } from "./find_coordinator.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * FindCoordinatorApi.encodeRequest(writer, 4, {
 *   keyType: CoordinatorKeyType.Transaction,
 *   keys: ["tx"],
 * });
 * // key_type 1, [coordinator_keys] 1 + 1: "tx" (2 + 1), TAG_BUFFER
 * if (writer.toBytes().join(",") !== "1,2,3,116,120,0") throw new Error();
 * ```
 */
export const FindCoordinatorApi: ApiDescriptor<FindCoordinatorRequest, FindCoordinatorResponse> = {
  apiKey: ApiKey.FindCoordinator,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 6,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};
