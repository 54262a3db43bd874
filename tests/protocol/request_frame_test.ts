// Golden frames derived by hand from RequestHeader.json / ResponseHeader.json.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import {
  decodeResponseFrame,
  encodeRequestFrame,
  readCorrelationId,
} from "../../src/protocol/request_frame.ts";
import { ApiVersionsApi } from "../../src/protocol/api_versions.ts";
import { InitProducerIdApi } from "../../src/protocol/init_producer_id.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";

describe("encodeRequestFrame()", () => {
  it("encodeRequestFrame() writes size + request header v1 for non-flexible versions", () => {
    for (const v of [0, 1, 2]) {
      assert.deepEqual(
        encodeRequestFrame(ApiVersionsApi, v, 0x01020304, "app", {}),
        hex`
          00 00 00 0d   # size 13
          00 12         # request_api_key 18
          00 0${v}      # request_api_version
          01 02 03 04   # correlation_id
          00 03 61 70 70   # client_id "app" (INT16 length, never compact)
        `,
        `v${v}`,
      );
    }
  });

  it("encodeRequestFrame() writes request header v2 (tagged fields) for flexible versions", () => {
    assert.deepEqual(
      encodeRequestFrame(ApiVersionsApi, 3, 7, "app", {
        clientSoftwareName: "s",
        clientSoftwareVersion: "1",
      }),
      hex`
        00 00 00 13   # size 19: header 14 + body 5
        00 12 00 03   # ApiVersions v3
        00 00 00 07   # correlation_id 7
        00 03 61 70 70   # client_id "app": still INT16 length in header v2
        00            # header TAG_BUFFER
        02 73  02 31  00   # body: "s" "1" TAG_BUFFER
      `,
    );
    assert.deepEqual(
      encodeRequestFrame(MetadataApi, 9, 1, null, { topics: null }),
      hex`
        00 00 00 10   # size 16: header 11 + body 5
        00 03 00 09   # Metadata v9
        00 00 00 01   # correlation_id 1
        ff ff         # client_id null
        00            # header TAG_BUFFER
        00 01 00 00   # body: topics null, allow_auto true, include_cluster/topic ops false
        00            # body TAG_BUFFER
      `,
    );
  });

  it("encodeRequestFrame() reuses a given writer and rejects versions out of range", () => {
    const writer = new Writer(8);
    writer.int32(99);
    const frame = encodeRequestFrame(ApiVersionsApi, 0, 1, null, {}, writer);
    assert.equal(frame.length, 4 + 10);
    assert.equal(frame.buffer, writer.toBytes().buffer);
    assert.throws(() => encodeRequestFrame(ApiVersionsApi, 4, 1, null, {}), RangeError);
    assert.throws(() => encodeRequestFrame(MetadataApi, 0, 1, null, { topics: null }), RangeError);
  });
});

describe("readCorrelationId()", () => {
  it("readCorrelationId() reads the first int32 and rejects short frames", () => {
    assert.equal(readCorrelationId(hex`7f ff ff ff 00`), 2147483647);
    assert.throws(() => readCorrelationId(hex`00 00 01`), ProtocolError);
  });
});

describe("decodeResponseFrame()", () => {
  it("decodeResponseFrame() skips header v0 for non-flexible and v1 for flexible versions", () => {
    const body = hex`00 00 00 05  00 00  00 00 00 00 00 00 00 2a  00 03`;
    const v1 = decodeResponseFrame(InitProducerIdApi, 1, hex`00 00 00 09 ${body}`);
    assert.deepEqual(v1, {
      throttleTimeMs: 5,
      errorCode: 0,
      producerId: 42n,
      producerEpoch: 3,
      ongoingTxnProducerId: -1n,
      ongoingTxnProducerEpoch: -1,
    });
    // Header v1: correlation_id + a TAG_BUFFER carrying an unknown tag, which is skipped.
    const v2 = decodeResponseFrame(InitProducerIdApi, 2, hex`00 00 00 09  01 07 01 ff  ${body} 00`);
    assert.deepEqual(v2, v1);
  });

  it("decodeResponseFrame() reads ApiVersions v3 responses with header v0", () => {
    const frame = hex`
      00 00 00 01           # correlation_id; no header TAG_BUFFER for ApiVersions
      00 00                 # error_code
      02 00 12 00 00 00 03 00   # [ApiVersions 0..3]
      00 00 00 00           # throttle_time_ms
      00                    # TAG_BUFFER
    `;
    assert.deepEqual(decodeResponseFrame(ApiVersionsApi, 3, frame).apiKeys, [
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
  });

  it("decodeResponseFrame() ignores trailing bytes but never reads past the end", () => {
    const body = hex`00 00 00 00  00 00  00 00 00 00 00 00 00 01  00 00`;
    assert.equal(
      decodeResponseFrame(InitProducerIdApi, 0, hex`00 00 00 01 ${body} de ad`).producerId,
      1n,
    );
    const frame = hex`00 00 00 01 ${body}`;
    for (let cut = 0; cut < frame.length; cut++) {
      assert.throws(
        () => decodeResponseFrame(InitProducerIdApi, 0, frame.subarray(0, cut)),
        ProtocolError,
      );
    }
  });
});
