// Golden bytes derived by hand from ProduceRequest.json / ProduceResponse.json (v3-v13).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { ProduceApi, type ProduceRequest } from "../../src/protocol/produce.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  FF8,
  PRODUCE_REQUEST,
  PRODUCE_REQUEST_CLASSIC,
  PRODUCE_REQUEST_FLEXIBLE,
  PRODUCE_REQUEST_V13,
  PRODUCE_RESPONSES,
  produceResponse,
  TOPIC_ID,
} from "./golden.ts";

function encode(version: number, request: ProduceRequest): Uint8Array {
  const writer = new Writer(1);
  ProduceApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const decode = (version: number, body: Uint8Array) =>
  ProduceApi.decodeResponse(new Reader(body), version);

describe("ProduceApi", () => {
  for (let v = 3; v <= 13; v++) {
    it(`ProduceApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(
        encode(v, PRODUCE_REQUEST),
        v >= 13 ? PRODUCE_REQUEST_V13 : v >= 9 ? PRODUCE_REQUEST_FLEXIBLE : PRODUCE_REQUEST_CLASSIC,
      );
    });
  }

  it("ProduceApi.encodeRequest() needs a non-zero topic id for v13 only", () => {
    const byName = {
      ...PRODUCE_REQUEST,
      topicData: [{ name: "t", partitionData: [{ index: 0, records: null }] }],
    };
    assert.throws(() => encode(13, byName), /Produce v13 for topic "t" without its topicId/);
    const zero = {
      ...byName,
      topicData: [{ ...byName.topicData[0]!, topicId: new Uint8Array(16) }],
    };
    assert.throws(() => encode(13, zero), TypeError);
    assert.deepEqual(
      encode(12, byName),
      hex`00 ff ff 00 00 75 30 02 02 74 02 00 00 00 00 00 00 00 00`,
    );
    assert.throws(
      () => encode(13, { ...byName, topicData: [{ ...byName.topicData[0]!, topicId: hex`01` }] }),
      /must be 16 bytes/,
    );
  });

  it("ProduceApi.encodeRequest() keeps record batches by reference at v13 too", () => {
    const records = new Uint8Array(5000).fill(9);
    const writer = new Writer(64);
    writer.referenceFrom = 4096;
    ProduceApi.encodeRequest(writer, 13, {
      transactionalId: "tx",
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: "t", topicId: TOPIC_ID, partitionData: [{ index: 0, records }] }],
    });
    const segments = writer.toSegments();
    assert.equal(segments.length, 3);
    assert.equal(segments[1], records, "the batch itself, not a copy");
    assert.deepEqual(
      segments[0],
      hex`03 74 78 ff ff 00 00 03 e8 02 ${TOPIC_ID} 02 00 00 00 00 89 27  # ... records 5000 + 1`,
    );
    assert.deepEqual(segments[2], hex`00 00 00  # TAG_BUFFERs: partition, topic, request`);
  });

  it("ProduceApi.encodeRequest() writes a transactional id", () => {
    const request = { ...PRODUCE_REQUEST, transactionalId: "tx", topicData: [] };
    assert.deepEqual(encode(3, request), hex`00 02 74 78  ff ff 00 00 75 30  00 00 00 00`);
    assert.deepEqual(encode(9, request), hex`03 74 78  ff ff 00 00 75 30  01  00`);
  });

  it("ProduceApi.encodeRequest() copies the records into the writer", () => {
    const records = new Uint8Array(70_000).fill(5);
    const bytes = encode(9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1,
      topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
    });
    // 1 + 2 + 4 + 1 + 2 + 1 + 4, then the 3-byte uvarint 70001, the records and 3 TAG_BUFFERs.
    assert.equal(bytes.length, 15 + 3 + 70_000 + 3);
    assert.equal(toUvarint(bytes.subarray(15, 18)), 70_001);
  });

  it("ProduceApi.bodySizeBound() is at least what encodeRequest() writes, for every version", () => {
    const requests: ProduceRequest[] = [
      PRODUCE_REQUEST,
      { ...PRODUCE_REQUEST, transactionalId: "tx-\u00e9\u{1f600}", topicData: [] },
      {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30000,
        topicData: [
          {
            name: "t".repeat(249),
            partitionData: [
              { index: 0, records: new Uint8Array(70_000) },
              { index: 7, records: null },
              { index: 2, records: new Uint8Array(0) },
            ],
          },
          { name: "x", partitionData: [{ index: 1, records: new Uint8Array(200) }] },
        ],
      },
    ];
    requests.push({
      ...PRODUCE_REQUEST,
      topicData: PRODUCE_REQUEST.topicData.map((topic) => ({ ...topic, name: "" })),
    });
    for (let v = 3; v <= 13; v++) {
      for (const request of requests) {
        if (v === 13 && request.topicData.some((topic) => topic.topicId === undefined)) continue;
        const written = encode(v, request).length;
        const bound = ProduceApi.bodySizeBound!(request);
        assert.ok(bound >= written, `v${v}: bound ${bound} < written ${written}`);
        assert.ok(bound - written < 64 + 3 * 249, `v${v}: bound ${bound} far above ${written}`);
      }
    }
  });

  for (let v = 3; v <= 13; v++) {
    it(`ProduceApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(PRODUCE_RESPONSES[v]!);
      assert.deepEqual(ProduceApi.decodeResponse(reader, v), produceResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("ProduceApi.decodeResponse() throws ProtocolError on every truncation of every version", () => {
    for (let v = 3; v <= 13; v++) {
      const body = PRODUCE_RESPONSES[v]!;
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
  });

  it("ProduceApi.decodeResponse() rejects malformed tagged fields and counts", () => {
    // current_leader tag with only 4 bytes.
    const shortLeader = hex`
      02 02 74 02 00 00 00 01 00 06 ${FF8} ${FF8} ${FF8} 01 00   # no record errors, null message
      01 00 04 00 00 00 02   # tag 0 of 4 bytes: leader_epoch missing
      00 00 00 00 00 00
    `;
    assert.throws(() => decode(10, shortLeader), ProtocolError);
    assert.throws(() => decode(3, hex`00 ff ff ff 00 00 00 00`), /Cannot read array/);
    assert.throws(() => decode(9, hex`02 02 74 ff ff ff ff 0f`), /Cannot read array/);
    // node_endpoints claiming 100 entries inside a 3-byte tag.
    assert.throws(() => decode(10, hex`01 00 00 00 00 01 00 03 65 00 00`), ProtocolError);
  });
});

function toUvarint(bytes: Uint8Array): number {
  return new Reader(bytes).uvarint();
}
