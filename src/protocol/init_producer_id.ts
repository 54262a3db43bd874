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
  /**
   * v6+: enable two-phase commit for this transactional id (KIP-939); needs
   * `transaction.two.phase.commit.enable` on the broker. Must be false before v6.
   * @default false
   */
  enable2Pc?: boolean;
  /**
   * v6+: keep the prepared transaction instead of aborting it (KIP-939 recovery); needs
   * `enable2Pc`. Must be false before v6.
   * @default false
   */
  keepPreparedTxn?: boolean;
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
  /** v6+: with `keepPreparedTxn`, the producer id of the kept transaction; else -1n. */
  ongoingTxnProducerId: bigint;
  /** v6+: with `keepPreparedTxn`, the epoch of the kept transaction; else -1. */
  ongoingTxnProducerEpoch: number;
}

/*
 * InitProducerId Request (Version: 0-6) =>
 *     transactional_id:NULLABLE_STRING (compact v2+)
 *     transaction_timeout_ms:INT32
 *     producer_id:INT64 (v3+)
 *     producer_epoch:INT16 (v3+)
 *     enable_2pc:BOOLEAN (v6+)
 *     keep_prepared_txn:BOOLEAN (v6+)
 *     TAG_BUFFER (v2+)
 * v4 may answer PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE (KIP-890); their layout is v3's.
 */
function encodeRequest(writer: Writer, version: number, request: InitProducerIdRequest): void {
  const flexible = version >= 2;
  writer.nullableStringOf(request.transactionalId, flexible);
  writer.int32(request.transactionTimeoutMs);
  if (version >= 3) { // v3+
    writer.int64(request.producerId ?? -1n);
    writer.int16(request.producerEpoch ?? -1);
  }
  const enable2Pc = request.enable2Pc ?? false;
  const keepPreparedTxn = request.keepPreparedTxn ?? false;
  if (version >= 6) { // v6+
    writer.boolean(enable2Pc).boolean(keepPreparedTxn);
  } else if (enable2Pc || keepPreparedTxn) {
    // Dropping them would silently abort a prepared transaction the caller meant to keep.
    throw new RangeError(
      `Cannot encode InitProducerId v${version} with enable2Pc or keepPreparedTxn: ` +
        "two-phase commit (KIP-939) needs v6+",
    );
  }
  if (flexible) writer.emptyTaggedFields(); // v2+
}

/*
 * InitProducerId Response (Version: 0-6) =>
 *     throttle_time_ms:INT32 error_code:INT16 producer_id:INT64 producer_epoch:INT16
 *     ongoing_txn_producer_id:INT64 (v6+)
 *     ongoing_txn_producer_epoch:INT16 (v6+)
 *     TAG_BUFFER (v2+)
 */
function decodeResponse(reader: Reader, version: number): InitProducerIdResponse {
  const throttleTimeMs = reader.int32();
  const errorCode = reader.int16();
  const producerId = reader.int64();
  const producerEpoch = reader.int16();
  const ongoingTxnProducerId = version >= 6 ? reader.int64() : -1n; // v6+
  const ongoingTxnProducerEpoch = version >= 6 ? reader.int16() : -1; // v6+
  if (version >= 2) reader.readTaggedFields(); // v2+
  return {
    throttleTimeMs,
    errorCode,
    producerId,
    producerEpoch,
    ongoingTxnProducerId,
    ongoingTxnProducerEpoch,
  };
}

/**
 * InitProducerId v0–v5: obtains a producer id for an idempotent or (with a transactional id)
 * transactional producer, fencing older instances with the same transactional id, or (v3+)
 * bumps the epoch of the current one. Flexible from v2. The functions also encode and decode
 * v6 (KIP-939 two-phase commit), but `maxVersion` stays 5: Kafka 4.4 marks v6 unstable
 * (`latestVersionUnstable`), so brokers advertise it only with `unstable.api.versions.enable`
 * and its layout may still change; Java's client does not send it either.
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
  maxVersion: 5,
  flexibleFrom: 2,
  encodeRequest,
  decodeResponse,
};
