import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** EndTxn request. */
export interface EndTxnRequest {
  /** The transactional id. */
  transactionalId: string;
  /** The producer id. */
  producerId: bigint;
  /** Its current epoch. */
  producerEpoch: number;
  /** True to commit the transaction, false to abort it. */
  committed: boolean;
}

/** EndTxn response. */
export interface EndTxnResponse {
  /** How long the broker throttled the request, in ms. */
  throttleTimeMs: number;
  /** 0, or e.g. 51 (CONCURRENT_TRANSACTIONS), 90 (PRODUCER_FENCED), 48 (INVALID_TXN_STATE). */
  errorCode: number;
  /**
   * v5+: the producer id for the next transaction (transactions v2 bump the epoch at every
   * commit or abort, KIP-890; the id changes when the epoch would overflow); -1n before v5.
   */
  producerId: bigint;
  /** v5+: the epoch for the next transaction; -1 before v5. */
  producerEpoch: number;
}

/*
 * EndTxn Request (Version: 0-5) =>
 *     transactional_id:STRING producer_id:INT64 producer_epoch:INT16 committed:BOOLEAN
 *     TAG_BUFFER (v3+)
 * Strings are compact from v3. v2 may answer PRODUCER_FENCED, v4 TRANSACTION_ABORTABLE; v5
 * is sent with transactions v2 (the broker's finalized transaction.version >= 2).
 */
function encodeRequest(writer: Writer, version: number, request: EndTxnRequest): void {
  const flexible = version >= 3;
  writer.stringOf(request.transactionalId, flexible);
  writer.int64(request.producerId).int16(request.producerEpoch).boolean(request.committed);
  if (flexible) writer.emptyTaggedFields(); // v3+
}

/*
 * EndTxn Response (Version: 0-5) =>
 *     throttle_time_ms:INT32 error_code:INT16
 *     producer_id:INT64 (v5+)
 *     producer_epoch:INT16 (v5+)
 *     TAG_BUFFER (v3+)
 */
function decodeResponse(reader: Reader, version: number): EndTxnResponse {
  const throttleTimeMs = reader.int32();
  const errorCode = reader.int16();
  const producerId = version >= 5 ? reader.int64() : -1n; // v5+
  const producerEpoch = version >= 5 ? reader.int16() : -1; // v5+
  if (version >= 3) reader.readTaggedFields(); // v3+
  return { throttleTimeMs, errorCode, producerId, producerEpoch };
}

/**
 * EndTxn v0–v5: commits or aborts the open transaction at its coordinator. Flexible from v3;
 * v5 (transactions v2, KIP-890) answers with the producer id and epoch to use next.
 *
 * @example Commit, and read the bumped epoch from a v5 answer
 * ```ts
 * import { EndTxnApi } from "./end_txn.ts";
 * import { Reader } from "./reader.ts";
 * import { Writer } from "./writer.ts";
 * const writer = new Writer();
 * EndTxnApi.encodeRequest(writer, 5, {
 *   transactionalId: "tx",
 *   producerId: 5n,
 *   producerEpoch: 1,
 *   committed: true,
 * });
 * // "tx" (3) id (8) epoch (2) committed (1) TAG_BUFFER (1)
 * if (writer.length !== 15) throw new Error("request");
 * // throttle 0, error 0, producer id 5, epoch 2, TAG_BUFFER
 * const body = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 2, 0]);
 * const response = EndTxnApi.decodeResponse(new Reader(body), 5);
 * if (response.producerId !== 5n || response.producerEpoch !== 2) throw new Error();
 * ```
 */
export const EndTxnApi: ApiDescriptor<EndTxnRequest, EndTxnResponse> = {
  apiKey: ApiKey.EndTxn,
  name: "EndTxn",
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 3,
  encodeRequest,
  decodeResponse,
};
