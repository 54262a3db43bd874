import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** InitProducerId request. */
export interface InitProducerIdRequest {
  /** The transactional id, or null for an idempotent-only producer. */
  transactionalId: string | null;
  /** How long an idle transaction may stay open, in ms (ignored without a transactional id). */
  transactionTimeoutMs: number;
  /**
   * v3+: the current producer id when asking to bump its epoch (KIP-360), else -1.
   * @default -1n
   */
  producerId?: bigint;
  /**
   * v3+: the current epoch when asking to bump it, else -1.
   * @default -1
   */
  producerEpoch?: number;
}

/** InitProducerId response. */
export interface InitProducerIdResponse {
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** 0, or the error. */
  errorCode: number;
  /** The producer id to stamp on batches. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
}

/*
 * InitProducerId Request (Version: 0-4) =>
 *     transactional_id:NULLABLE_STRING (compact v2+)
 *     transaction_timeout_ms:INT32
 *     producer_id:INT64 (v3+)
 *     producer_epoch:INT16 (v3+)
 *     TAG_BUFFER (v2+)
 */
function encodeRequest(writer: Writer, version: number, request: InitProducerIdRequest): void {
  const flexible = version >= 2;
  writer.nullableStringOf(request.transactionalId, flexible);
  writer.int32(request.transactionTimeoutMs);
  if (version >= 3) { // v3+
    writer.int64(request.producerId ?? -1n);
    writer.int16(request.producerEpoch ?? -1);
  }
  if (flexible) writer.emptyTaggedFields(); // v2+
}

/*
 * InitProducerId Response (Version: 0-4) =>
 *     throttle_time_ms:INT32 error_code:INT16 producer_id:INT64 producer_epoch:INT16
 *     TAG_BUFFER (v2+)
 */
function decodeResponse(reader: Reader, version: number): InitProducerIdResponse {
  const throttleTimeMs = reader.int32();
  const errorCode = reader.int16();
  const producerId = reader.int64();
  const producerEpoch = reader.int16();
  if (version >= 2) reader.readTaggedFields(); // v2+
  return { throttleTimeMs, errorCode, producerId, producerEpoch };
}

/**
 * InitProducerId v0–v4: obtains an idempotent producer id, or (v3+) bumps the epoch of the
 * current one. Flexible from v2.
 *
 * @example Encode a v3 epoch bump
 * ```ts
 * import { InitProducerIdApi } from "./init_producer_id.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * InitProducerIdApi.encodeRequest(writer, 3, {
 *   transactionalId: null,
 *   transactionTimeoutMs: 60000,
 *   producerId: 7n,
 *   producerEpoch: 1,
 * });
 * // null (compact) 60000 7n 1 no-tags
 * if (writer.toBytes().join(",") !== "0,0,0,234,96,0,0,0,0,0,0,0,7,0,1,0") throw new Error();
 * ```
 */
export const InitProducerIdApi: ApiDescriptor<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: ApiKey.InitProducerId,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 2,
  encodeRequest,
  decodeResponse,
};
