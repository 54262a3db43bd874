// Golden bytes derived by hand from MetadataRequest.json / MetadataResponse.json (v1-v13).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { MetadataApi, type MetadataRequest } from "../../src/protocol/metadata.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  METADATA_BROKERS,
  METADATA_REQUEST,
  METADATA_REQUESTS,
  METADATA_RESPONSES,
  metadataResponse,
  TOPIC_ID,
} from "./golden.ts";

function encode(version: number, request: MetadataRequest): Uint8Array {
  const writer = new Writer(1);
  MetadataApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const decode = (version: number, body: Uint8Array) =>
  MetadataApi.decodeResponse(new Reader(body), version);

describe("MetadataApi", () => {
  for (let v = 1; v <= 13; v++) {
    it(`MetadataApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encode(v, METADATA_REQUEST), METADATA_REQUESTS[v]);
    });
  }

  it("MetadataApi.encodeRequest() writes null topics (all) and an empty list", () => {
    for (let v = 1; v <= 3; v++) assert.deepEqual(encode(v, { topics: null }), hex`ff ff ff ff`);
    assert.deepEqual(encode(4, { topics: null }), hex`ff ff ff ff 01  # null, allow_auto default`);
    assert.deepEqual(
      encode(8, { topics: [] }),
      hex`00 00 00 00 01 00 00  # [], true, false, false`,
    );
    assert.deepEqual(encode(9, { topics: null }), hex`00 01 00 00 00  # compact null`);
    assert.deepEqual(encode(12, { topics: [] }), hex`01 01 00 00  # compact [], true, false`);
  });

  it("MetadataApi.encodeRequest() writes a zero topic id and a null name by id from v10", () => {
    assert.deepEqual(
      encode(10, { topics: [{ name: "ab" }] }),
      hex`02 ${new Uint8Array(16)} 03 61 62 00  01 00 00 00`,
    );
    assert.deepEqual(
      encode(12, { topics: [{ name: null, topicId: TOPIC_ID }] }),
      hex`02 ${TOPIC_ID} 00 00  01 00 00  # name null`,
    );
    assert.throws(() => encode(9, { topics: [{ name: null, topicId: TOPIC_ID }] }), TypeError);
  });

  for (let v = 1; v <= 13; v++) {
    it(`MetadataApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(METADATA_RESPONSES[v]!);
      assert.deepEqual(MetadataApi.decodeResponse(reader, v), metadataResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("MetadataApi.decodeResponse() reads a null topic name in v12", () => {
    const body = hex`
      00 00 00 00 01 00 ff ff ff ff   # throttle, [brokers] 0, cluster null, controller -1
      02 00 64 00                     # [topics] 1: error 100 UNKNOWN_TOPIC_ID, name null
      ${TOPIC_ID} 00 01               #   topic_id, is_internal, [partitions] 0
      80 00 00 00 00 00               #   operations unset, TAG_BUFFER; TAG_BUFFER
    `;
    const response = decode(12, body);
    assert.equal(response.topics[0]!.name, null);
    assert.equal(response.topics[0]!.errorCode, 100);
    assert.equal(response.controllerId, -1);
    assert.throws(() => decode(11, body), ProtocolError, "null name before v12");
  });

  it("MetadataApi.decodeResponse() reads each topic's id from v10 and the top-level error in v13", () => {
    for (let v = 10; v <= 13; v++) {
      assert.deepEqual(decode(v, METADATA_RESPONSES[v]!).topics[0]!.topicId, TOPIC_ID, `v${v}`);
    }
    const body = hex`
      00 00 00 00 01 00 ff ff ff ff   # throttle, [brokers] 0, cluster null, controller -1
      01                              # [topics] 0
      00 81                           # error_code 129 REBOOTSTRAP_REQUIRED (v13+)
      00                              # TAG_BUFFER
    `;
    assert.equal(decode(13, body).errorCode, 129);
    assert.equal(decode(12, body).errorCode, 0, "no error_code before v13");
  });

  it("MetadataApi.decodeResponse() throws ProtocolError on every truncation of every version", () => {
    for (let v = 1; v <= 13; v++) {
      const body = METADATA_RESPONSES[v]!;
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
  });

  it("MetadataApi.decodeResponse() rejects absurd counts before allocating", () => {
    assert.throws(() => decode(1, hex`7f ff ff ff 00 00`), /Cannot read array of 2147483647/);
    assert.throws(() => decode(9, hex`00 00 00 00 ff ff ff ff 07`), ProtocolError);
    const partitions = hex`${
      METADATA_RESPONSES[1]!.subarray(0, METADATA_BROKERS.length + 4 + 4 + 7)
    } 7f ff ff ff`;
    assert.throws(() => decode(1, partitions), /Cannot read array/);
  });
});
