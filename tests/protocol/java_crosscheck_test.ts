// Cross-check against Kafka's own generated message classes (kafka-clients' *Data classes,
// the code Kafka's Java clients and brokers run): tests/protocol/java/ProtocolCrosscheck.java
// builds every request and response below at every version with the same field values as
// golden*.ts and prints Kafka's bytes. Our encoders must write exactly those request bytes;
// our decoders must read those response bytes to the expected values (and, where a golden
// exists, Kafka's bytes must equal our hand-derived ones).
//
// Needs a JDK (javac, java) and kafka-clients 4.4: SLUICE_KAFKA_CLASSPATH_FILE names a file
// holding one ':'-separated classpath line, as `mvn dependency:build-classpath
// -Dmdep.outputFile=FILE` writes it. Without it the test fails (it never skips).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import type { ApiDescriptor } from "../../src/protocol/api.ts";
import { ProduceApi } from "../../src/protocol/produce.ts";
import { MetadataApi } from "../../src/protocol/metadata.ts";
import { ApiVersionsApi } from "../../src/protocol/api_versions.ts";
import { InitProducerIdApi } from "../../src/protocol/init_producer_id.ts";
import { SaslHandshakeApi } from "../../src/protocol/sasl_handshake.ts";
import { SaslAuthenticateApi } from "../../src/protocol/sasl_authenticate.ts";
import { FindCoordinatorApi } from "../../src/protocol/find_coordinator.ts";
import { AddPartitionsToTxnApi } from "../../src/protocol/add_partitions_to_txn.ts";
import { AddOffsetsToTxnApi } from "../../src/protocol/add_offsets_to_txn.ts";
import { EndTxnApi } from "../../src/protocol/end_txn.ts";
import { TxnOffsetCommitApi } from "../../src/protocol/txn_offset_commit.ts";
import { uuidToString } from "../../src/protocol/uuid.ts";
import { hex, toHex } from "./hex.ts";
import {
  API_VERSIONS_V0_RESPONSE,
  API_VERSIONS_V1_RESPONSE,
  API_VERSIONS_V3_RESPONSE,
  apiVersionsResponse,
  METADATA_REQUEST,
  METADATA_REQUESTS,
  METADATA_RESPONSES,
  metadataResponse,
  PRODUCE_REQUEST,
  PRODUCE_RESPONSES,
  produceResponse,
} from "./golden.ts";
import {
  SASL_AUTH_BYTES,
  SASL_AUTHENTICATE_FAILURE_V2,
  SASL_AUTHENTICATE_RESPONSES,
  SASL_HANDSHAKE_MECHANISM,
  SASL_HANDSHAKE_MECHANISMS,
  SASL_HANDSHAKE_RESPONSE,
  saslAuthenticateResponse,
} from "./golden_sasl.ts";
import {
  ADD_OFFSETS_TO_TXN_REQUEST,
  ADD_OFFSETS_TO_TXN_RESPONSES,
  ADD_PARTITIONS_TO_TXN_REQUEST,
  ADD_PARTITIONS_TO_TXN_RESPONSE,
  ADD_PARTITIONS_TO_TXN_RESPONSES,
  END_TXN_REQUEST,
  END_TXN_RESPONSES,
  endTxnResponse,
  FIND_COORDINATOR_RESPONSES,
  findCoordinatorRequest,
  findCoordinatorResponse,
  TXN_OFFSET_COMMIT_RESPONSES,
  txnOffsetCommitRequest,
  txnOffsetCommitResponse,
  upTo,
} from "./golden_transactions.ts";

const JAVA_SOURCE = fileURLToPath(new URL("./java/ProtocolCrosscheck.java", import.meta.url));

let javaOutput: Map<string, string> | Error | undefined;

/**
 * Kafka's bytes by "<label> v<version>" (and "Uuid <hex>" → its string), compiled and run
 * once per test file (a failure too is kept, so every test reports it without recompiling).
 */
function kafka(): Map<string, string> {
  if (javaOutput === undefined) {
    try {
      javaOutput = runJava();
    } catch (error) {
      javaOutput = error as Error;
    }
  }
  if (javaOutput instanceof Error) throw javaOutput;
  return javaOutput;
}

function runJava(): Map<string, string> {
  const classpathFile = process.env.SLUICE_KAFKA_CLASSPATH_FILE;
  if (classpathFile === undefined || classpathFile === "") {
    throw new Error(
      "Cannot run the Java cross-check: SLUICE_KAFKA_CLASSPATH_FILE is not set. Set it to a " +
        "file holding kafka-clients 4.4's classpath on one line, e.g. " +
        "`mvn dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt` in a project depending " +
        "on org.apache.kafka:kafka-clients:4.4.0, then " +
        "`export SLUICE_KAFKA_CLASSPATH_FILE=/tmp/cp.txt`",
    );
  }
  if (!existsSync(classpathFile)) {
    throw new Error(
      `Cannot run the Java cross-check: SLUICE_KAFKA_CLASSPATH_FILE "${classpathFile}" does not exist`,
    );
  }
  const classpath = readFileSync(classpathFile, "utf8").trim();
  if (!/kafka-clients-[^/:]*\.jar/.test(classpath)) {
    throw new Error(
      `Cannot run the Java cross-check: the classpath in "${classpathFile}" has no kafka-clients jar`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "sluice-java-crosscheck-"));
  try {
    execFileSync("javac", ["-d", dir, "-cp", classpath, JAVA_SOURCE], { stdio: "pipe" });
    const out = execFileSync("java", ["-cp", `${classpath}:${dir}`, "ProtocolCrosscheck"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = new Map<string, string>();
    for (const line of out.trim().split("\n")) {
      const at = line.lastIndexOf(" ");
      lines.set(line.slice(0, at), line.slice(at + 1));
    }
    return lines;
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `Cannot run the Java cross-check (javac/java with "${classpathFile}"): ${
        stderr === undefined ? error : String(stderr).slice(0, 2000)
      }`,
      { cause: error },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kafka's body for `label` at `version` as spaced hex (as toHex prints ours). */
function theirs(label: string, version: number): string {
  const body = kafka().get(`${label} v${version}`);
  if (body === undefined) {
    throw new Error(`ProtocolCrosscheck.java printed no "${label} v${version}"`);
  }
  return toHex(hex(body));
}

function ours<Req>(api: ApiDescriptor<Req, unknown>, version: number, request: Req): string {
  const writer = new Writer(1);
  api.encodeRequest(writer, version, request);
  return toHex(writer.toBytes());
}

/** Decodes Kafka's response bytes with our decoder, requiring every byte to be read. */
function decodeTheirs<Res>(api: ApiDescriptor<unknown, Res>, label: string, version: number): Res {
  const reader = new Reader(hex(theirs(label, version)));
  const response = api.decodeResponse(reader, version);
  assert.equal(reader.remaining, 0, `${label} v${version}: ${reader.remaining} bytes left`);
  return response;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe("Java (kafka-clients 4.4 *Data classes) cross-check", () => {
  it("uuidToString() equals Java's Uuid.toString()", () => {
    const uuids = [...kafka()].filter(([key]) => key.startsWith("Uuid "));
    assert.equal(uuids.length, 4);
    for (const [key, string] of uuids) assert.equal(uuidToString(hex(key.slice(5))), string, key);
  });

  it("Produce v3-v13 request bodies equal Java's, with and without a transactional id", () => {
    for (const v of range(3, 13)) {
      assert.equal(ours(ProduceApi, v, PRODUCE_REQUEST), theirs("ProduceRequest", v), `v${v}`);
      assert.equal(
        ours(ProduceApi, v, { ...PRODUCE_REQUEST, transactionalId: "tx" }),
        theirs("ProduceRequest/tx", v),
        `v${v} tx`,
      );
    }
  });

  it("ProduceApi.decodeResponse() reads Java's v3-v13 responses (tagged fields included)", () => {
    for (const v of range(3, 13)) {
      assert.deepEqual(decodeTheirs(ProduceApi, "ProduceResponse", v), produceResponse(v), `v${v}`);
      // The v9 golden carries a tag-0 field Java does not write before v10.
      if (v !== 9) {
        assert.equal(theirs("ProduceResponse", v), toHex(PRODUCE_RESPONSES[v]!), `v${v}`);
      }
    }
  });

  it("Metadata v1-v13 request bodies equal Java's and the goldens; responses read to the same values", () => {
    for (const v of range(1, 13)) {
      assert.equal(ours(MetadataApi, v, METADATA_REQUEST), theirs("MetadataRequest", v), `v${v}`);
      assert.equal(theirs("MetadataRequest", v), toHex(METADATA_REQUESTS[v]!), `v${v}`);
      assert.deepEqual(decodeTheirs(MetadataApi, "MetadataResponse", v), metadataResponse(v));
      assert.equal(theirs("MetadataResponse", v), toHex(METADATA_RESPONSES[v]!), `v${v}`);
    }
  });

  it("ApiVersions v0-v3 agree, v3's features included", () => {
    for (const v of range(0, 3)) {
      assert.equal(
        ours(ApiVersionsApi, v, { clientSoftwareName: "sluice", clientSoftwareVersion: "1.2.3" }),
        theirs("ApiVersionsRequest", v),
        `v${v}`,
      );
      assert.deepEqual(
        decodeTheirs(ApiVersionsApi, "ApiVersionsResponse", v),
        apiVersionsResponse(v),
      );
      const golden = v >= 3
        ? API_VERSIONS_V3_RESPONSE
        : v >= 1
        ? API_VERSIONS_V1_RESPONSE
        : API_VERSIONS_V0_RESPONSE;
      assert.equal(theirs("ApiVersionsResponse", v), toHex(golden), `v${v}`);
    }
  });

  it("InitProducerId v0-v6 agree: an epoch bump and a transactional id with 2PC flags", () => {
    for (const v of range(0, 6)) {
      assert.equal(
        ours(InitProducerIdApi, v, {
          transactionalId: null,
          transactionTimeoutMs: 60000,
          producerId: 5n,
          producerEpoch: 2,
        }),
        theirs("InitProducerIdRequest/bump", v),
        `v${v} bump`,
      );
      assert.equal(
        ours(InitProducerIdApi, v, {
          transactionalId: "tx",
          transactionTimeoutMs: 60000,
          ...(v >= 6 ? { enable2Pc: true, keepPreparedTxn: true } : {}),
        }),
        theirs("InitProducerIdRequest/tx", v),
        `v${v} tx`,
      );
      assert.deepEqual(decodeTheirs(InitProducerIdApi, "InitProducerIdResponse", v), {
        throttleTimeMs: 3,
        errorCode: 0,
        producerId: 4096n,
        producerEpoch: 7,
        ongoingTxnProducerId: v >= 6 ? 4095n : -1n,
        ongoingTxnProducerEpoch: v >= 6 ? 6 : -1,
      });
    }
  });

  it("SaslHandshake v0-v1 and SaslAuthenticate v0-v2 agree with Java and the goldens", () => {
    for (const v of range(0, 1)) {
      assert.equal(
        ours(SaslHandshakeApi, v, { mechanism: SASL_HANDSHAKE_MECHANISM }),
        theirs("SaslHandshakeRequest", v),
      );
      assert.deepEqual(decodeTheirs(SaslHandshakeApi, "SaslHandshakeResponse", v), {
        errorCode: 0,
        mechanisms: SASL_HANDSHAKE_MECHANISMS,
      });
      assert.equal(theirs("SaslHandshakeResponse", v), toHex(SASL_HANDSHAKE_RESPONSE));
    }
    for (const v of range(0, 2)) {
      assert.equal(
        ours(SaslAuthenticateApi, v, { authBytes: SASL_AUTH_BYTES }),
        theirs("SaslAuthenticateRequest", v),
        `v${v}`,
      );
      assert.deepEqual(
        decodeTheirs(SaslAuthenticateApi, "SaslAuthenticateResponse", v),
        saslAuthenticateResponse(v),
      );
      assert.equal(theirs("SaslAuthenticateResponse", v), toHex(SASL_AUTHENTICATE_RESPONSES[v]!));
      assert.deepEqual(decodeTheirs(SaslAuthenticateApi, "SaslAuthenticateResponse/failed", v), {
        errorCode: 58,
        errorMessage: "Authentication failed",
        authBytes: new Uint8Array(0),
        sessionLifetimeMs: 0n,
      });
    }
    assert.equal(theirs("SaslAuthenticateResponse/failed", 2), toHex(SASL_AUTHENTICATE_FAILURE_V2));
  });

  it("FindCoordinator v0-v6 agree with Java and the goldens", () => {
    for (const v of range(0, 6)) {
      assert.equal(
        ours(FindCoordinatorApi, v, findCoordinatorRequest(v)),
        theirs("FindCoordinatorRequest", v),
        `v${v}`,
      );
      assert.deepEqual(
        decodeTheirs(FindCoordinatorApi, "FindCoordinatorResponse", v),
        findCoordinatorResponse(v),
      );
      assert.equal(
        theirs("FindCoordinatorResponse", v),
        toHex(upTo(FIND_COORDINATOR_RESPONSES, v)),
        `v${v}`,
      );
    }
  });

  it("AddPartitionsToTxn v0-v3, AddOffsetsToTxn v0-v4 and EndTxn v0-v5 agree with Java and the goldens", () => {
    for (const v of range(0, 3)) {
      assert.equal(
        ours(AddPartitionsToTxnApi, v, ADD_PARTITIONS_TO_TXN_REQUEST),
        theirs("AddPartitionsToTxnRequest", v),
        `v${v}`,
      );
      assert.deepEqual(
        decodeTheirs(AddPartitionsToTxnApi, "AddPartitionsToTxnResponse", v),
        ADD_PARTITIONS_TO_TXN_RESPONSE,
      );
      assert.equal(
        theirs("AddPartitionsToTxnResponse", v),
        toHex(upTo(ADD_PARTITIONS_TO_TXN_RESPONSES, v)),
      );
    }
    for (const v of range(0, 4)) {
      assert.equal(
        ours(AddOffsetsToTxnApi, v, ADD_OFFSETS_TO_TXN_REQUEST),
        theirs("AddOffsetsToTxnRequest", v),
        `v${v}`,
      );
      assert.deepEqual(decodeTheirs(AddOffsetsToTxnApi, "AddOffsetsToTxnResponse", v), {
        throttleTimeMs: 10,
        errorCode: 51,
      });
      assert.equal(
        theirs("AddOffsetsToTxnResponse", v),
        toHex(upTo(ADD_OFFSETS_TO_TXN_RESPONSES, v)),
      );
    }
    for (const v of range(0, 5)) {
      for (const committed of [true, false]) {
        assert.equal(
          ours(EndTxnApi, v, { ...END_TXN_REQUEST, committed }),
          theirs(committed ? "EndTxnRequest/commit" : "EndTxnRequest/abort", v),
          `v${v} ${committed}`,
        );
      }
      assert.deepEqual(decodeTheirs(EndTxnApi, "EndTxnResponse", v), endTxnResponse(v));
      assert.equal(theirs("EndTxnResponse", v), toHex(upTo(END_TXN_RESPONSES, v)), `v${v}`);
    }
  });

  it("TxnOffsetCommit v0-v6 agree with Java and the goldens", () => {
    for (const v of range(0, 6)) {
      assert.equal(
        ours(TxnOffsetCommitApi, v, txnOffsetCommitRequest(v)),
        theirs("TxnOffsetCommitRequest", v),
        `v${v}`,
      );
      assert.deepEqual(
        decodeTheirs(TxnOffsetCommitApi, "TxnOffsetCommitResponse", v),
        txnOffsetCommitResponse(v),
      );
      assert.equal(
        theirs("TxnOffsetCommitResponse", v),
        toHex(upTo(TXN_OFFSET_COMMIT_RESPONSES, v)),
        `v${v}`,
      );
    }
  });
});
