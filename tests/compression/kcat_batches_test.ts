// Our decoder reads the compressed batches librdkafka writes (kcat -z, librdkafka 2.0.2 from
// Debian), captured byte for byte from kcat's Produce requests through a recording proxy that
// points kcat's metadata at itself. (What kcat reads back from us is in
// producer_compression_test.ts.)
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type Server } from "node:net";
import { codecById, loadAllCodecs } from "../../src/compression/codec_registry.ts";
import { FrameReader } from "../../src/connection/frame_reader.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";
import { kcatProduce } from "../support/kcat.ts";
import { asReal, startCluster, type TestCluster, uniqueTopic } from "../support/test_cluster.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const decompress = await loadAllCodecs();

/** A TCP proxy that records every Produce request kcat sends through it. */
async function recordingProxy(
  target: string,
): Promise<{ server: Server; address: string; batches: Uint8Array[] }> {
  const [host, port] = target.split(",")[0]!.split(":") as [string, string];
  const batches: Uint8Array[] = [];
  let proxyPort = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host, port: Number(port) });
    const frames = new FrameReader((frame) => {
      const reader = new Reader(frame);
      const apiKey = reader.int16();
      const version = reader.int16();
      if (apiKey !== 0) return;
      reader.int32();
      reader.nullableString();
      const flexible = version >= 9;
      if (flexible) reader.taggedFields();
      reader.nullableStringOf(flexible);
      reader.int16();
      reader.int32();
      const topics = reader.arrayLength(flexible);
      for (let t = 0; t < topics; t++) {
        reader.stringOf(flexible);
        const partitions = reader.arrayLength(flexible);
        for (let p = 0; p < partitions; p++) {
          reader.int32();
          const records = flexible ? reader.compactNullableBytes() : reader.nullableBytes();
          if (records) batches.push(records.slice());
          if (flexible) reader.taggedFields();
        }
        if (flexible) reader.taggedFields();
      }
    });
    client.on("data", (chunk) => {
      frames.push(chunk);
      upstream.write(chunk);
    });
    // Point the brokers in Metadata answers at the proxy, so kcat keeps producing through it:
    // the broker's host string followed by its int32 port gets our port instead. (Loopback
    // answers are small and arrive whole.)
    const needle = new Uint8Array([
      ...encoder.encode(host),
      ...[24, 16, 8, 0].map((shift) => (Number(port) >>> shift) & 255),
    ]);
    upstream.on("data", (chunk: Uint8Array) => {
      const copy = new Uint8Array(chunk);
      for (let at = 0; at + needle.length <= copy.length; at++) {
        if (needle.every((byte, i) => copy[at + i] === byte)) {
          new DataView(copy.buffer).setInt32(at + needle.length - 4, proxyPort);
        }
      }
      client.write(copy);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxyPort = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${proxyPort}`, batches };
}

describe("compressed batches written by librdkafka (kcat -z)", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  for (const codec of ["gzip", "snappy", "lz4", "zstd"] as const) {
    it(`our decoder reads the ${codec} batches kcat -z ${codec} writes`, async () => {
      const proxy = await recordingProxy(cluster.bootstrap);
      try {
        const topic = uniqueTopic(`kcatz-${codec}`);
        await cluster.createTopic(topic, 1);
        // The proxy points only the first broker at itself: lead the partition from there.
        await asReal(cluster)?.moveLeader(topic, 0, 1);
        const lines = Array.from(
          { length: 2000 },
          (_, i) => `line ${i} ${"payload ".repeat(i % 9)}`,
        );
        await kcatProduce(proxy.address, topic, lines, { compression: codec });
        const stored = await cluster.readBack(topic, { expected: 2000 });
        assert.equal(stored.length, 2000, "kcat delivered");
        const seen = proxy.batches.flatMap((batch) => decodeRecordBatches(batch, { decompress }));
        assert.ok(seen.length > 0, "the proxy captured kcat's Produce requests");
        // librdkafka sends a batch uncompressed when compressing does not make it smaller.
        const id = codecById({ gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[codec]).id;
        for (const batch of seen) {
          assert.ok(
            batch.compression === id || batch.compression === 0,
            `codec ${batch.compression}`,
          );
        }
        assert.ok(seen.some((batch) => batch.compression === id), `no ${codec} batch captured`);
        const values = seen.flatMap((batch) => batch.records.map((r) => decoder.decode(r.value!)));
        assert.deepEqual(values, lines, "every record, in order, byte for byte");
      } finally {
        proxy.server.close();
      }
    });
  }
});
