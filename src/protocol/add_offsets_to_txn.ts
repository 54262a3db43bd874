import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** AddOffsetsToTxn request. */
export interface AddOffsetsToTxnRequest {
  /** The transactional id. */
  transactionalId: string;
  /** The producer id from InitProducerId. */
  producerId: bigint;
  /** Its epoch. */
  producerEpoch: number;
  /** The consumer group whose offsets the transaction will commit. */
  groupId: string;
}

/** AddOffsetsToTxn response. */
export interface AddOffsetsToTxnResponse {
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** 0, or e.g. 51 (CONCURRENT_TRANSACTIONS), 90 (PRODUCER_FENCED). */
  errorCode: number;
}

/*
 * AddOffsetsToTxn Request (Version: 0-4) =>
 *     transactional_id:STRING producer_id:INT64 producer_epoch:INT16 group_id:STRING
 *     TAG_BUFFER (v3+)
 * AddOffsetsToTxn Response (Version: 0-4) =>
 *     throttle_time_ms:INT32 error_code:INT16 TAG_BUFFER (v3+)
 * Strings are compact from v3. v2 may answer PRODUCER_FENCED, v4 TRANSACTION_ABORTABLE.
 */
function encodeRequest(writer: Writer, version: number, request: AddOffsetsToTxnRequest): void {
  const flexible = version >= 3;
  writer.stringOf(request.transactionalId, flexible);
  writer.int64(request.producerId).int16(request.producerEpoch);
  writer.stringOf(request.groupId, flexible);
  if (flexible) writer.emptyTaggedFields(); // v3+
}

function decodeResponse(reader: Reader, version: number): AddOffsetsToTxnResponse {
  const throttleTimeMs = reader.int32();
  const errorCode = reader.int16();
  if (version >= 3) reader.readTaggedFields(); // v3+
  return { throttleTimeMs, errorCode };
}

/**
 * AddOffsetsToTxn v0–v4: tells the transaction coordinator that the transaction will commit
 * a consumer group's offsets (then TxnOffsetCommit goes to the group coordinator). Flexible
 * from v3. With transactions v2, TxnOffsetCommit v5+ does this itself and Java's producer
 * skips this request.
 *
 * @example
 * ```ts
 * import { AddOffsetsToTxnApi } from "./add_offsets_to_txn.ts";
 * import { Reader } from "./reader.ts";
 * // throttle 0, error 51 CONCURRENT_TRANSACTIONS, TAG_BUFFER
 * const body = new Uint8Array([0, 0, 0, 0, 0, 51, 0]);
 * const response = AddOffsetsToTxnApi.decodeResponse(new Reader(body), 3);
 * if (response.errorCode !== 51) throw new Error();
 * ```
 */
export const AddOffsetsToTxnApi: ApiDescriptor<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = {
  apiKey: ApiKey.AddOffsetsToTxn,
  name: "AddOffsetsToTxn",
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};
