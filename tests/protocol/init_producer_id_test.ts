// Golden bytes derived by hand from InitProducerIdRequest.json / InitProducerIdResponse.json
// (Kafka 4.4's for v5-v6).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import {
  InitProducerIdApi,
  type InitProducerIdRequest,
} from "../../src/protocol/init_producer_id.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";

function encode(version: number, request: InitProducerIdRequest): Uint8Array {
  const writer = new Writer(1);
  InitProducerIdApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const BUMP: InitProducerIdRequest = {
  transactionalId: null,
  transactionTimeoutMs: 60000,
  producerId: 5n,
  producerEpoch: 2,
};

const RESPONSE_CLASSIC = hex`
  00 00 00 03               # throttle_time_ms 3
  00 00                     # error_code 0
  00 00 00 00 00 00 10 00   # producer_id 4096
  00 07                     # producer_epoch 7
`;
const RESPONSE_FLEXIBLE = hex`${RESPONSE_CLASSIC} 00  # TAG_BUFFER (v2+)`;
const RESPONSE_V6 = hex`
  ${RESPONSE_CLASSIC}       # throttle 3, error 0, producer_id 4096, producer_epoch 7
  00 00 00 00 00 00 0f ff   # ongoing_txn_producer_id 4095 (v6+)
  00 06                     # ongoing_txn_producer_epoch 6 (v6+)
  00                        # TAG_BUFFER
`;

function responseBody(v: number): Uint8Array {
  return v >= 6 ? RESPONSE_V6 : v >= 2 ? RESPONSE_FLEXIBLE : RESPONSE_CLASSIC;
}

describe("InitProducerIdApi", () => {
  it("InitProducerIdApi.encodeRequest() writes v0 and v1", () => {
    for (const v of [0, 1]) {
      assert.deepEqual(
        encode(v, BUMP),
        hex`
          ff ff         # transactional_id null
          00 00 ea 60   # transaction_timeout_ms 60000
        `,
      );
      assert.deepEqual(
        encode(v, { transactionalId: "tx", transactionTimeoutMs: 1 }),
        hex`00 02 74 78  00 00 00 01  # "tx", 1`,
      );
    }
  });

  it("InitProducerIdApi.encodeRequest() writes v2 (flexible)", () => {
    assert.deepEqual(
      encode(2, BUMP),
      hex`
        00            # transactional_id compact null
        00 00 ea 60   # transaction_timeout_ms 60000
        00            # TAG_BUFFER
      `,
    );
  });

  it("InitProducerIdApi.encodeRequest() writes v3-v5 with producer id and epoch", () => {
    for (const v of [3, 4, 5]) {
      assert.deepEqual(
        encode(v, BUMP),
        hex`
          00                        # transactional_id compact null
          00 00 ea 60               # transaction_timeout_ms 60000
          00 00 00 00 00 00 00 05   # producer_id 5 (v3+)
          00 02                     # producer_epoch 2 (v3+)
          00                        # TAG_BUFFER
        `,
      );
      assert.deepEqual(
        encode(v, { transactionalId: "tx", transactionTimeoutMs: 1 }),
        hex`03 74 78  00 00 00 01  ff ff ff ff ff ff ff ff  ff ff  00  # defaults -1, -1`,
      );
    }
  });

  it("InitProducerIdApi.encodeRequest() writes v6 with a transactional id and 2PC flags", () => {
    assert.deepEqual(
      encode(6, {
        transactionalId: "tx",
        transactionTimeoutMs: 60000,
        producerId: 5n,
        producerEpoch: 2,
        enable2Pc: true,
        keepPreparedTxn: true,
      }),
      hex`
        03 74 78                  # transactional_id compact "tx"
        00 00 ea 60               # transaction_timeout_ms 60000
        00 00 00 00 00 00 00 05   # producer_id 5
        00 02                     # producer_epoch 2
        01                        # enable_2pc true (v6+)
        01                        # keep_prepared_txn true (v6+)
        00                        # TAG_BUFFER
      `,
    );
    assert.deepEqual(
      encode(6, { transactionalId: "tx", transactionTimeoutMs: 1 }),
      hex`03 74 78  00 00 00 01  ff ff ff ff ff ff ff ff  ff ff  00 00  00  # defaults`,
    );
  });

  it("InitProducerIdApi.encodeRequest() rejects 2PC flags before v6", () => {
    for (let v = 0; v <= 5; v++) {
      assert.throws(() => encode(v, { ...BUMP, enable2Pc: true }), /needs v6\+/, `v${v}`);
      assert.throws(() => encode(v, { ...BUMP, keepPreparedTxn: true }), RangeError, `v${v}`);
      assert.doesNotThrow(() => encode(v, { ...BUMP, enable2Pc: false, keepPreparedTxn: false }));
    }
  });

  it("InitProducerIdApi negotiates up to v5: v6 is unstable in Kafka 4.4", () => {
    assert.equal(InitProducerIdApi.maxVersion, 5);
  });

  it("InitProducerIdApi.decodeResponse() reads v0-v6", () => {
    for (let v = 0; v <= 6; v++) {
      const reader = new Reader(responseBody(v));
      assert.deepEqual(InitProducerIdApi.decodeResponse(reader, v), {
        throttleTimeMs: 3,
        errorCode: 0,
        producerId: 4096n,
        producerEpoch: 7,
        ongoingTxnProducerId: v >= 6 ? 4095n : -1n,
        ongoingTxnProducerEpoch: v >= 6 ? 6 : -1,
      });
      assert.equal(reader.remaining, 0, `v${v}`);
    }
  });

  it("InitProducerIdApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let v = 0; v <= 6; v++) {
      const body = responseBody(v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(
          () => InitProducerIdApi.decodeResponse(new Reader(body.subarray(0, cut)), v),
          ProtocolError,
          `v${v} cut ${cut}`,
        );
      }
    }
    const badTags = hex`${RESPONSE_CLASSIC} 01 00 7f 00`;
    assert.throws(() => InitProducerIdApi.decodeResponse(new Reader(badTags), 4), ProtocolError);
  });
});
