// Golden bytes derived by hand from TxnOffsetCommit{Request,Response}.json (v0-v6): see
// golden_transactions.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import {
  TxnOffsetCommitApi,
  type TxnOffsetCommitRequest,
} from "../../src/protocol/txn_offset_commit.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  TXN_OFFSET_COMMIT_REQUESTS,
  TXN_OFFSET_COMMIT_RESPONSES,
  txnOffsetCommitRequest,
  txnOffsetCommitResponse,
  upTo,
} from "./golden_transactions.ts";

function encode(version: number, request: TxnOffsetCommitRequest): Uint8Array {
  const writer = new Writer(1);
  TxnOffsetCommitApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const decode = (version: number, body: Uint8Array) =>
  TxnOffsetCommitApi.decodeResponse(new Reader(body), version);

describe("TxnOffsetCommitApi", () => {
  for (let v = 0; v <= 6; v++) {
    it(`TxnOffsetCommitApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encode(v, txnOffsetCommitRequest(v)), upTo(TXN_OFFSET_COMMIT_REQUESTS, v));
    });

    it(`TxnOffsetCommitApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(upTo(TXN_OFFSET_COMMIT_RESPONSES, v));
      assert.deepEqual(TxnOffsetCommitApi.decodeResponse(reader, v), txnOffsetCommitResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("TxnOffsetCommitApi.encodeRequest() writes the group metadata defaults from v3", () => {
    const request = { ...txnOffsetCommitRequest(0), topics: [] };
    assert.deepEqual(
      encode(3, request),
      hex`
        03 74 78 02 67 00 00 00 00 00 00 00 05 00 02   # "tx" "g" 5 2
        ff ff ff ff               # generation_id_or_member_epoch -1
        01                        # member_id ""
        00                        # group_instance_id null
        01 00                     # [topics] empty, TAG_BUFFER
      `,
    );
  });

  it("TxnOffsetCommitApi.encodeRequest() rejects group metadata before v3 and v6 without topic ids", () => {
    for (let v = 0; v <= 2; v++) {
      assert.throws(() => encode(v, txnOffsetCommitRequest(3)), /group metadata .* needs v3\+/);
      assert.throws(() => encode(v, { ...txnOffsetCommitRequest(0), memberId: "m" }), RangeError);
    }
    const byName = txnOffsetCommitRequest(6);
    const noId = { ...byName, topics: [{ name: "t", partitions: [] }] };
    assert.throws(() => encode(6, noId), /without its topicId/);
    const zeroId = {
      ...byName,
      topics: [{ name: "t", topicId: new Uint8Array(16), partitions: [] }],
    };
    assert.throws(() => encode(6, zeroId), TypeError);
    assert.doesNotThrow(() => encode(5, noId));
  });

  it("TxnOffsetCommitApi.decodeResponse() throws ProtocolError on every truncation of every version", () => {
    for (let v = 0; v <= 6; v++) {
      const body = upTo(TXN_OFFSET_COMMIT_RESPONSES, v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
  });
});
