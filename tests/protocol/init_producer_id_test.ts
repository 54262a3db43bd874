// Golden bytes derived by hand from InitProducerIdRequest.json / InitProducerIdResponse.json.
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

  it("InitProducerIdApi.encodeRequest() writes v3 and v4 with producer id and epoch", () => {
    for (const v of [3, 4]) {
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

  it("InitProducerIdApi.decodeResponse() reads v0-v4", () => {
    for (let v = 0; v <= 4; v++) {
      const reader = new Reader(v >= 2 ? RESPONSE_FLEXIBLE : RESPONSE_CLASSIC);
      assert.deepEqual(InitProducerIdApi.decodeResponse(reader, v), {
        throttleTimeMs: 3,
        errorCode: 0,
        producerId: 4096n,
        producerEpoch: 7,
      });
      assert.equal(reader.remaining, 0, `v${v}`);
    }
  });

  it("InitProducerIdApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let v = 0; v <= 4; v++) {
      const body = v >= 2 ? RESPONSE_FLEXIBLE : RESPONSE_CLASSIC;
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
