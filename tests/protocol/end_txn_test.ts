// Golden bytes derived by hand from EndTxn{Request,Response}.json (v0-v5): see
// golden_transactions.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { EndTxnApi } from "../../src/protocol/end_txn.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  END_TXN_REQUEST,
  END_TXN_REQUESTS,
  END_TXN_RESPONSES,
  endTxnResponse,
  upTo,
} from "./golden_transactions.ts";

function encode(version: number, committed: boolean): Uint8Array {
  const writer = new Writer(1);
  EndTxnApi.encodeRequest(writer, version, { ...END_TXN_REQUEST, committed });
  return writer.toBytes();
}

describe("EndTxnApi", () => {
  for (let v = 0; v <= 5; v++) {
    it(`EndTxnApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encode(v, true), upTo(END_TXN_REQUESTS, v));
    });

    it(`EndTxnApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(upTo(END_TXN_RESPONSES, v));
      assert.deepEqual(EndTxnApi.decodeResponse(reader, v), endTxnResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("EndTxnApi.encodeRequest() writes an abort", () => {
    assert.deepEqual(encode(0, false).at(-1), 0);
    assert.deepEqual(encode(5, false).subarray(-2), hex`00 00  # committed false, TAG_BUFFER`);
  });

  it("EndTxnApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let v = 0; v <= 5; v++) {
      const body = upTo(END_TXN_RESPONSES, v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(
          () => EndTxnApi.decodeResponse(new Reader(body.subarray(0, cut)), v),
          ProtocolError,
          `v${v} cut ${cut}`,
        );
      }
    }
  });
});
