// Golden bytes derived by hand from ApiVersionsRequest.json / ApiVersionsResponse.json.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { ApiVersionsApi, pickVersion } from "../../src/protocol/api_versions.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  API_VERSIONS_KEYS,
  API_VERSIONS_V0_RESPONSE,
  API_VERSIONS_V1_RESPONSE,
  API_VERSIONS_V3_RESPONSE,
  apiVersionsResponse,
} from "./golden.ts";

/** The feature fields when a response has none. */
const NO_FEATURES = {
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1n,
  finalizedFeatures: new Map<string, number>(),
  zkMigrationReady: false,
};

function encode(version: number, request = {}): Uint8Array {
  const writer = new Writer(1);
  ApiVersionsApi.encodeRequest(writer, version, request);
  return writer.toBytes();
}

const decode = (version: number, body: Uint8Array) =>
  ApiVersionsApi.decodeResponse(new Reader(body), version);

describe("ApiVersionsApi", () => {
  it("ApiVersionsApi.encodeRequest() writes an empty body for v0-v2", () => {
    for (const v of [0, 1, 2]) assert.deepEqual(encode(v), new Uint8Array(0), `v${v}`);
  });

  it("ApiVersionsApi.encodeRequest() writes client software name and version for v3", () => {
    assert.deepEqual(
      encode(3, { clientSoftwareName: "sluice", clientSoftwareVersion: "1.2.3" }),
      hex`
        07 73 6c 75 69 63 65   # client_software_name compact "sluice" (6 + 1)
        06 31 2e 32 2e 33      # client_software_version compact "1.2.3" (5 + 1)
        00                     # TAG_BUFFER
      `,
    );
    assert.deepEqual(
      encode(3),
      hex`07 73 6c 75 69 63 65  06 30 2e 31 2e 30  00  # defaults "sluice" "0.1.0"`,
    );
  });

  it("ApiVersionsApi.decodeResponse() decodes v0", () => {
    assert.deepEqual(decode(0, API_VERSIONS_V0_RESPONSE), apiVersionsResponse(0));
  });

  it("ApiVersionsApi.decodeResponse() decodes v1 and v2 (throttle_time_ms)", () => {
    for (const v of [1, 2]) {
      assert.deepEqual(decode(v, API_VERSIONS_V1_RESPONSE), apiVersionsResponse(v));
    }
  });

  it("ApiVersionsApi.decodeResponse() decodes v3's features: supported, finalized and their epoch", () => {
    const reader = new Reader(API_VERSIONS_V3_RESPONSE);
    const response = ApiVersionsApi.decodeResponse(reader, 3);
    assert.deepEqual(response, apiVersionsResponse(3));
    assert.equal(reader.remaining, 0);
    assert.equal(response.finalizedFeatures.get("transaction.version"), 2);
  });

  it("ApiVersionsApi.decodeResponse() reads absent feature tags as their defaults", () => {
    const body = hex`00 00 01 00 00 00 00 00  # error 0, [api_keys] 0, throttle 0, no tags`;
    assert.deepEqual(decode(3, body), {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      ...NO_FEATURES,
    });
  });

  it("ApiVersionsApi.decodeResponse() rejects a feature tag shorter than its content", () => {
    const head = hex`00 00 01 00 00 00 00`;
    assert.throws(
      () => decode(3, hex`${head} 01 01 04 00 00 00 00  # epoch in 4 bytes`),
      ProtocolError,
    );
    assert.throws(
      () => decode(3, hex`${head} 01 02 03 02 02 61  # finalized feature "a" without levels`),
      ProtocolError,
    );
    assert.throws(
      () => decode(3, hex`${head} 01 00 01 05  # 4 supported features in 1 byte`),
      ProtocolError,
    );
    assert.throws(
      () => decode(3, hex`${head} 01 03 00  # zk_migration_ready in 0 bytes`),
      ProtocolError,
    );
  });

  it("ApiVersionsApi.decodeResponse() decodes v3 and skips unknown tagged fields", () => {
    // Tag 0 is built from its entry so its size prefix is right.
    const feature = hex`
      0e 6d 65 74 61 64 61 74 61 2e 76 65 72 73   # name "metadata.vers" (13 + 1)
      00 01 00 14                                 # min 1, max 20
      00                                          # TAG_BUFFER
    `;
    const tag0 = Uint8Array.of(0x02, ...feature); // [supported_features] 1 + 1
    const v3 = new Uint8Array([
      ...hex`
        00 00               # error_code
        03                  # [api_keys] compact: 2 + 1
        00 00 00 03 00 0b   # Produce 3..11
        00                  #   TAG_BUFFER
        00 12 00 00 00 04   # ApiVersions 0..4
        01 05 02 ab cd      #   TAG_BUFFER: unknown tag 5, 2 bytes
        00 00 00 07         # throttle_time_ms 7
        03                  # TAG_BUFFER: 3 fields
      `,
      0x00,
      tag0.length,
      ...tag0, // tag 0 supported_features
      ...hex`01 08 00 00 00 00 00 00 00 2a  # tag 1 finalized_features_epoch 42`,
      ...hex`03 01 01                       # tag 3 zk_migration_ready true`,
    ]);
    const reader = new Reader(v3);
    assert.deepEqual(ApiVersionsApi.decodeResponse(reader, 3), {
      errorCode: 0,
      apiKeys: API_VERSIONS_KEYS,
      throttleTimeMs: 7,
      ...NO_FEATURES,
      supportedFeatures: [{ name: "metadata.vers", minVersion: 1, maxVersion: 20 }],
      finalizedFeaturesEpoch: 42n,
      zkMigrationReady: true,
    });
    assert.equal(reader.remaining, 0, "the whole body is consumed");
  });

  it("ApiVersionsApi.decodeResponse() reads an UNSUPPORTED_VERSION answer to v1-v3 as v0", () => {
    const body = hex`
      00 23               # error_code 35 UNSUPPORTED_VERSION
      00 00 00 01         # [api_keys] 1 (v0 layout)
      00 12 00 00 00 02   # ApiVersions 0..2
    `;
    for (const v of [1, 2, 3]) {
      assert.deepEqual(decode(v, body), {
        errorCode: 35,
        apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }],
        throttleTimeMs: 0,
        ...NO_FEATURES,
      }, `v${v}`);
    }
  });

  it("ApiVersionsApi.decodeResponse() accepts error 35 in the requested layout too", () => {
    const body = hex`
      00 23 02 00 12 00 00 00 02 00   # error 35, compact [ApiVersions 0..2 + tags]
      00 00 00 00 00                  # throttle, TAG_BUFFER
    `;
    assert.deepEqual(decode(3, body).apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 2 }]);
  });

  it("ApiVersionsApi.decodeResponse() yields no ranges for librdkafka's malformed answer", () => {
    // librdkafka 2.8's mock answers a v3 request with a one-byte count (not n+1) before
    // v0-style entries, then a throttle time: neither layout consumes it exactly.
    const body = hex`00 23  01  00 12 00 00 00 02  00 00 00 00`;
    assert.deepEqual(decode(3, body), {
      errorCode: 35,
      apiKeys: [],
      throttleTimeMs: 0,
      ...NO_FEATURES,
    });
  });

  it("ApiVersionsApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (let cut = 0; cut < API_VERSIONS_V0_RESPONSE.length; cut++) {
      assert.throws(() => decode(0, API_VERSIONS_V0_RESPONSE.subarray(0, cut)), ProtocolError);
    }
    for (
      const [v, body] of [[1, API_VERSIONS_V1_RESPONSE], [3, API_VERSIONS_V3_RESPONSE]] as const
    ) {
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(() => decode(v, body.subarray(0, cut)), ProtocolError, `v${v} cut ${cut}`);
      }
    }
    assert.throws(() => decode(0, hex`00 00 7f ff ff ff`), ProtocolError, "huge array");
  });
});

describe("pickVersion()", () => {
  it("pickVersion() picks the highest common version or undefined", () => {
    assert.equal(pickVersion(ProduceApi, { minVersion: 0, maxVersion: 10 }), 10); // librdkafka 2.8
    assert.equal(pickVersion(ProduceApi, { minVersion: 3, maxVersion: 12 }), 12); // Kafka 4.0
    assert.equal(pickVersion(ProduceApi, { minVersion: 0, maxVersion: 13 }), 13); // Kafka 4.1+
    assert.equal(pickVersion(ProduceApi, { minVersion: 0, maxVersion: 2 }), undefined);
    assert.equal(pickVersion(ProduceApi, { minVersion: 14, maxVersion: 15 }), undefined);
    assert.equal(pickVersion(MetadataApi, { minVersion: 0, maxVersion: 0 }), undefined);
    assert.equal(pickVersion(ApiVersionsApi, { minVersion: 0, maxVersion: 2 }), 2);
    assert.equal(pickVersion(MetadataApi, undefined), undefined);
  });
});
