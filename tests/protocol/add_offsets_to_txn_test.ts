// Golden bytes derived by hand from AddOffsetsToTxn{Request,Response}.json (v0-v4): see
// golden_transactions.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { AddOffsetsToTxnApi } from "../../src/protocol/add_offsets_to_txn.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import {
  ADD_OFFSETS_TO_TXN_REQUEST,
  ADD_OFFSETS_TO_TXN_REQUESTS,
  ADD_OFFSETS_TO_TXN_RESPONSES,
  upTo,
} from "./golden_transactions.ts";

describe("AddOffsetsToTxnApi", () => {
  for (let v = 0; v <= 4; v++) {
    it(`AddOffsetsToTxnApi.encodeRequest() writes v${v}`, () => {
      const writer = new Writer(1);
      AddOffsetsToTxnApi.encodeRequest(writer, v, ADD_OFFSETS_TO_TXN_REQUEST);
      assert.deepEqual(writer.toBytes(), upTo(ADD_OFFSETS_TO_TXN_REQUESTS, v));
    });

    it(`AddOffsetsToTxnApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(upTo(ADD_OFFSETS_TO_TXN_RESPONSES, v));
      assert.deepEqual(AddOffsetsToTxnApi.decodeResponse(reader, v), {
        throttleTimeMs: 10,
        errorCode: 51,
      });
      assert.equal(reader.remaining, 0);
    });
  }

  it("AddOffsetsToTxnApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let v = 0; v <= 4; v++) {
      const body = upTo(ADD_OFFSETS_TO_TXN_RESPONSES, v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(
          () => AddOffsetsToTxnApi.decodeResponse(new Reader(body.subarray(0, cut)), v),
          ProtocolError,
          `v${v} cut ${cut}`,
        );
      }
    }
  });
});
