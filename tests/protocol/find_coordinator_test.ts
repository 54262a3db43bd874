// Golden bytes derived by hand from FindCoordinator{Request,Response}.json (v0-v6): see
// golden_transactions.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import {
  CoordinatorKeyType,
  FindCoordinatorApi,
  type FindCoordinatorRequest,
} from "../../src/protocol/find_coordinator.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  FIND_COORDINATOR_REQUESTS,
  FIND_COORDINATOR_RESPONSES,
  findCoordinatorRequest,
  findCoordinatorResponse,
  upTo,
} from "./golden_transactions.ts";

function encode(version: number, request: FindCoordinatorRequest): Uint8Array {
  const writer = new Writer(1);
  FindCoordinatorApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const decode = (version: number, body: Uint8Array) =>
  FindCoordinatorApi.decodeResponse(new Reader(body), version);

describe("FindCoordinatorApi", () => {
  for (let v = 0; v <= 6; v++) {
    it(`FindCoordinatorApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encode(v, findCoordinatorRequest(v)), upTo(FIND_COORDINATOR_REQUESTS, v));
    });

    it(`FindCoordinatorApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(upTo(FIND_COORDINATOR_RESPONSES, v));
      assert.deepEqual(FindCoordinatorApi.decodeResponse(reader, v), findCoordinatorResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("FindCoordinatorApi.encodeRequest() writes a group key at v1-v3 and one key at v4", () => {
    assert.deepEqual(encode(2, { keyType: 0, keys: ["g"] }), hex`00 01 67 00  # "g", group`);
    assert.deepEqual(encode(6, { keyType: 1, keys: ["tx"] }), hex`01 02 03 74 78 00`);
    assert.deepEqual(
      encode(6, { keyType: CoordinatorKeyType.Share, keys: ["g:AAAAAAAAAAAAAAAAAAAAAA:0"] }),
      hex`02 02 1b ${new TextEncoder().encode("g:AAAAAAAAAAAAAAAAAAAAAA:0")} 00  # share key`,
    );
  });

  it("FindCoordinatorApi.encodeRequest() rejects what a version cannot carry", () => {
    assert.throws(() => encode(3, { keyType: 1, keys: ["a", "b"] }), /one key before v4/);
    assert.throws(() => encode(0, { keyType: 1, keys: [] }), RangeError);
    assert.throws(() => encode(0, { keyType: 1, keys: ["tx"] }), /key type 1: it needs v1\+/);
    assert.throws(() => encode(5, { keyType: 2, keys: ["s"] }), /key type 2: it needs v6\+/);
  });

  it("FindCoordinatorApi.decodeResponse() throws ProtocolError on every truncation of every version", () => {
    for (let v = 0; v <= 6; v++) {
      const body = upTo(FIND_COORDINATOR_RESPONSES, v);
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
    assert.throws(() => decode(4, hex`00 00 00 00 7f`), /Cannot read array of 126/);
  });
});
