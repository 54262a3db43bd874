import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** InitProducerId request. */
export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+: the current producer id when bumping its epoch, else -1. */
  producerId: bigint;
  /** v3+: the current epoch when bumping it, else -1. */
  producerEpoch: number;
}

/** InitProducerId response. */
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

/*
 * InitProducerId Request (Version: 0-4) => transactional_id:nullable_string
 *     transaction_timeout_ms:int32 producer_id:int64 (v3+) producer_epoch:int16 (v3+)
 *     TAG_BUFFER (v2+; strings compact from v2)
 * InitProducerId Response (Version: 0-4) => throttle_time_ms:int32 error_code:int16
 *     producer_id:int64 producer_epoch:int16 TAG_BUFFER (v2+)
 */
function encodeRequest(writer: Writer, version: number, request: InitProducerIdRequest): void {
  const flexible = version >= 2;
  writer.nullableStringOf(request.transactionalId, flexible);
  writer.int32(request.transactionTimeoutMs);
  if (version >= 3) writer.int64(request.producerId).int16(request.producerEpoch); // v3+
  if (flexible) writer.emptyTaggedFields();
}

function decodeResponse(reader: Reader, version: number): InitProducerIdResponse {
  const response = {
    throttleTimeMs: reader.int32(),
    errorCode: reader.int16(),
    producerId: reader.int64(),
    producerEpoch: reader.int16(),
  };
  if (version >= 2) reader.taggedFields();
  return response;
}

/**
 * InitProducerId v0–v4: obtains (or, v3+, bumps the epoch of) an idempotent producer id.
 *
 * @example
 * ```ts
 * import { InitProducerIdApi } from "./init_producer_id.ts";
 * if (InitProducerIdApi.apiKey !== 22 || InitProducerIdApi.flexibleFrom !== 2) throw new Error();
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
