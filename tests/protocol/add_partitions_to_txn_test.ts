// Golden bytes derived by hand from AddPartitionsToTxn{Request,Response}.json, client
// versions v0-v3: see golden_transactions.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { AddPartitionsToTxnApi } from "../../src/protocol/add_partitions_to_txn.ts";
import { encodeRequestFrame } from "../../src/protocol/request_frame.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  ADD_PARTITIONS_TO_TXN_REQUEST,
  ADD_PARTITIONS_TO_TXN_REQUESTS,
  ADD_PARTITIONS_TO_TXN_RESPONSE,
  ADD_PARTITIONS_TO_TXN_RESPONSES,
  upTo,
} from "./golden_transactions.ts";

const decode = (version: number, body: Uint8Array) =>
  AddPartitionsToTxnApi.decodeResponse(new Reader(body), version);

describe("AddPartitionsToTxnApi", () => {
  for (let v = 0; v <= 3; v++) {
    it(`AddPartitionsToTxnApi.encodeRequest() writes v${v}`, () => {
      const writer = new Writer(1);
      AddPartitionsToTxnApi.encodeRequest(writer, v, ADD_PARTITIONS_TO_TXN_REQUEST);
      assert.deepEqual(writer.toBytes(), upTo(ADD_PARTITIONS_TO_TXN_REQUESTS, v));
    });

    it(`AddPartitionsToTxnApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(upTo(ADD_PARTITIONS_TO_TXN_RESPONSES, v));
      assert.deepEqual(
        AddPartitionsToTxnApi.decodeResponse(reader, v),
        ADD_PARTITIONS_TO_TXN_RESPONSE,
      );
      assert.equal(reader.remaining, 0);
    });
  }

  it("AddPartitionsToTxnApi offers only the client versions v0-v3", () => {
    assert.equal(AddPartitionsToTxnApi.maxVersion, 3);
    assert.throws(
      () => encodeRequestFrame(AddPartitionsToTxnApi, 4, 1, "c", ADD_PARTITIONS_TO_TXN_REQUEST),
      /sluice implements v0-v3/,
    );
  });

  it("AddPartitionsToTxnApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let v = 0; v <= 3; v++) {
      const body = upTo(ADD_PARTITIONS_TO_TXN_RESPONSES, v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
    assert.throws(
      () => decode(0, hex`00 00 00 00 00 00 00 01 00 01 74 7f ff ff ff`),
      /Cannot read array/,
    );
  });
});
