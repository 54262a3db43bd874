// Codecs: round trips, interop with the Debian gzip/lz4/zstd tools, librdkafka's compressed
// batches decoded by us (captured from kcat -z through a recording proxy), and our compressed
// batches read back by kcat (librdkafka's decoder, CRCs checked) from the mock cluster.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection, createServer, type Server } from "node:net";
import { codecById, loadAllCodecs } from "../../src/compression/codec_registry.ts";
import { lz4FrameCompress, lz4FrameDecompress, xxh32 } from "../../src/compression/lz4_codec.ts";
import { snappyCompress, snappyDecompress } from "../../src/compression/snappy_codec.ts";
import { FrameReader } from "../../src/connection/frame_reader.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { decodeRecordBatches } from "../../src/protocol/record_batch.ts";
import { Producer } from "../../mod.ts";
import { kcatProduce, readTopic } from "../support/kcat.ts";
import { startCluster, type TestCluster, uniqueTopic } from "../support/mock_cluster.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const decompress = await loadAllCodecs();

function jsonLines(count: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ id: i, user: `user-${i % 997}`, at: 1767225600000 + i }));
  }
  return encoder.encode(lines.join("\n"));
}

function pseudoRandom(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const SAMPLES: Array<[string, Uint8Array]> = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([7])],
  ["JSON lines", jsonLines(20_000)],
  ["random", pseudoRandom(200_000)],
  ["zeros", new Uint8Array(300_000)],
  ["mixed", new Uint8Array([...jsonLines(500), ...pseudoRandom(70_000), ...jsonLines(3000)])],
];

describe("codecs", () => {
  for (const id of [1, 2, 3, 4]) {
    it(`${codecById(id).name} round-trips every sample`, () => {
      const codec = codecById(id);
      for (const [name, data] of SAMPLES) {
        assert.deepEqual(codec.decompress(codec.compress(data)), data, name);
      }
    });
  }

  it("xxh32() matches the reference vectors", () => {
    assert.equal(xxh32(new Uint8Array(0)), 0x02cc5d05);
    assert.equal(xxh32(encoder.encode("abc")), 0x32d153ff);
    assert.equal(xxh32(encoder.encode("Nobody inspects the spammish repetition")), 0xe2293b2f);
  });

  it("LZ4 frames have the independent-blocks flag, 64 KiB blocks and a correct header checksum", () => {
    const frame = lz4FrameCompress(jsonLines(40_000));
    assert.deepEqual([...frame.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18]);
    assert.equal(frame[4]! & 0x20, 0x20, "independent blocks");
    assert.equal(frame[5], 0x40, "64 KiB blocks");
    assert.equal(frame[6], (xxh32(frame, 4, 6) >>> 8) & 0xff);
    let blocks = 0;
    const view = new DataView(frame.buffer, frame.byteOffset);
    for (
      let at = 7;
      view.getUint32(at, true) !== 0;
      at += 4 + (view.getUint32(at, true) & 0x7fffffff)
    ) blocks++;
    assert.ok(blocks > 4, `only ${blocks} blocks`);
  });

  it("decoders reject garbage with an error instead of hanging", () => {
    assert.throws(() =>
      lz4FrameDecompress(new Uint8Array([4, 0x22, 0x4d, 0x18, 0x60, 0x40, 0, 5, 0, 0, 0, 0xf0]))
    );
    assert.throws(() => snappyDecompress(new Uint8Array([10, 0xff])));
  });

  it("snappy reads xerial framing (Java's writer)", () => {
    const data = jsonLines(3000);
    const a = snappyCompress(data.subarray(0, 30_000));
    const b = snappyCompress(data.subarray(30_000));
    const framed = new Uint8Array(16 + 8 + a.length + b.length);
    framed.set([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const view = new DataView(framed.buffer);
    view.setInt32(16, a.length);
    framed.set(a, 20);
    view.setInt32(20 + a.length, b.length);
    framed.set(b, 24 + a.length);
    assert.deepEqual(snappyDecompress(framed), data);
  });
});

describe("codecs and the Debian command-line tools", () => {
  const data = jsonLines(30_000);
  const tools: Array<[number, string[], string[]]> = [
    [1, ["gzip", "-dc"], ["gzip", "-c"]],
    [3, ["lz4", "-dc"], ["lz4", "-c"]],
    [4, ["zstd", "-dc"], ["zstd", "-c"]],
  ];
  for (const [id, unpack, pack] of tools) {
    it(`${unpack[0]} decodes our ${codecById(id).name} frames, and we decode its output`, () => {
      // Through files: piping megabytes both ways with execFileSync can deadlock.
      const dir = mkdtempSync(join(tmpdir(), "sluice-codec-"));
      try {
        writeFileSync(join(dir, "ours"), codecById(id).compress(data));
        writeFileSync(join(dir, "plain"), data);
        const unpacked = execFileSync(unpack[0]!, [...unpack.slice(1), join(dir, "ours")], {
          maxBuffer: 1 << 28,
        });
        assert.deepEqual(new Uint8Array(unpacked), data);
        const theirs = execFileSync(pack[0]!, [...pack.slice(1), join(dir, "plain")], {
          maxBuffer: 1 << 28,
        });
        assert.deepEqual(codecById(id).decompress(new Uint8Array(theirs)), data);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

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

describe("compressed batches against librdkafka", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 1 });
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
        const lines = Array.from(
          { length: 2000 },
          (_, i) => `line ${i} ${"payload ".repeat(i % 9)}`,
        );
        await kcatProduce(proxy.address, topic, lines, { compression: codec });
        const stored = await readTopic(cluster.bootstrap, topic, { expected: 2000 });
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

  for (const codec of ["gzip", "snappy", "lz4", "zstd"] as const) {
    it(`kcat reads what sluice writes with ${codec}: 1 record, 10,000 small records, records spanning several lz4 blocks`, async () => {
      const topic = uniqueTopic(`ours-${codec}`);
      await cluster.createTopic(topic, 1);
      const producer = new Producer({
        bootstrapServers: cluster.bootstrap,
        compressionType: codec,
        batchSize: 1_000_000,
        lingerMs: 20,
      });
      await producer.send({ topic, value: "single" });
      const writer = producer.writable.getWriter();
      await writer.write(
        Array.from(
          { length: 10_000 },
          (_, i) => ({ topic, key: `k${i % 50}`, value: `small record ${i}` }),
        ),
      );
      const big = [pseudoRandom(150_000, 3), jsonLines(6000), pseudoRandom(90_000, 4)];
      await writer.write(big.map((value) => ({ topic, value })));
      await writer.close();
      await producer.close();
      const stored = await readTopic(cluster.bootstrap, topic, { expected: 10_004 });
      assert.equal(stored.length, 10_004);
      assert.equal(decoder.decode(stored[0]!.value!), "single");
      for (let i = 0; i < 10_000; i++) {
        assert.equal(decoder.decode(stored[1 + i]!.value!), `small record ${i}`);
      }
      for (let i = 0; i < 3; i++) assert.deepEqual(stored[10_001 + i]!.value, big[i]);
    });
  }
});
