// LZ4 frames as Kafka needs them (KIP-57): header checksum, independent blocks (each block
// decodes on its own), block sizes up to 4 MiB, optional content checksum, high-effort levels;
// and the reader against every variant the lz4 tool writes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createXXHash32 } from "hash-wasm";
import { lz4FrameCompress, lz4FrameDecompress } from "../../src/compression/lz4_codec.ts";
import { xxh32 } from "../../src/compression/xxh32.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { concat, jsonLines, pseudoRandom, SAMPLES } from "./samples.ts";

const MAGIC = [0x04, 0x22, 0x4d, 0x18];

interface Block {
  size: number;
  stored: boolean;
  data: Uint8Array;
}

/** Walks a frame written without block checksums or content size; returns its blocks. */
function blocksOf(frame: Uint8Array): Block[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const blocks: Block[] = [];
  for (let at = 7;;) {
    const word = view.getUint32(at, true);
    if (word === 0) return blocks;
    const size = word & 0x7fffffff;
    blocks.push({ size, stored: word >>> 31 === 1, data: frame.subarray(at + 4, at + 4 + size) });
    at += 4 + size;
  }
}

/** A frame holding only `block`, with `frame`'s descriptor: decodes only if the block is independent. */
function singleBlockFrame(frame: Uint8Array, block: Block): Uint8Array {
  const out = new Uint8Array(7 + 4 + block.size + 4);
  out.set(frame.subarray(0, 7));
  out[4] = out[4]! & ~0x04; // no content checksum: it covers the whole content
  out[6] = (xxh32(out, 4, 6) >>> 8) & 0xff;
  new DataView(out.buffer).setUint32(7, block.size | (block.stored ? 0x80000000 : 0), true);
  out.set(block.data, 11);
  return out;
}

function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "sluice-lz4-"));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lz4Tool(args: string[], input: Uint8Array): Uint8Array {
  return withTempDir((dir) => {
    const file = join(dir, "in");
    writeFileSync(file, input);
    return new Uint8Array(execFileSync("lz4", [...args, "-c", file], { maxBuffer: 1 << 28 }));
  });
}

describe("xxh32()", () => {
  it("xxh32() matches the reference values", () => {
    const text = (value: string) => new TextEncoder().encode(value);
    assert.equal(xxh32(new Uint8Array(0)), 0x02cc5d05);
    assert.equal(xxh32(text("abc")), 0x32d153ff);
    assert.equal(xxh32(text("Nobody inspects the spammish repetition")), 0xe2293b2f);
  });

  it("xxh32() agrees with hash-wasm's xxhash32 on every length up to 100, seeds and 1 MiB", async () => {
    const data = pseudoRandom(1 << 20, 5);
    for (const seed of [0, 1, 0x9747b28c]) {
      const reference = await createXXHash32(seed);
      for (let length = 0; length <= 100; length++) {
        reference.init();
        reference.update(data.subarray(3, 3 + length));
        assert.equal(
          xxh32(data, 3, 3 + length, seed),
          parseInt(reference.digest("hex"), 16),
          `${length}`,
        );
      }
      reference.init();
      reference.update(data);
      assert.equal(xxh32(data, 0, data.length, seed), parseInt(reference.digest("hex"), 16));
    }
  });
});

describe("lz4FrameCompress()", () => {
  it("lz4FrameCompress() writes Kafka's header: independent 64 KiB blocks, KIP-57 checksum (golden)", () => {
    const frame = lz4FrameCompress(new Uint8Array(0));
    // magic, FLG 0x60 (version 1, independent), BD 0x40 (64 KiB), HC 0x82, end mark
    assert.deepEqual([...frame], [...MAGIC, 0x60, 0x40, 0x82, 0, 0, 0, 0]);
    assert.equal(frame[6], (xxh32(frame, 4, 6) >>> 8) & 0xff, "checksum of the descriptor only");
    assert.deepEqual(lz4FrameDecompress(frame), new Uint8Array(0));
  });

  for (const blockSize of [65536, 262144, 1048576, 4194304] as const) {
    it(`lz4FrameCompress() splits input into independent blocks of at most ${blockSize} bytes`, () => {
      const data = blockSize === 4194304
        ? concat(jsonLines(4_500_000), pseudoRandom(300_000)) // > 4 MiB: two 4 MiB blocks
        : concat(jsonLines(blockSize * 3), pseudoRandom(blockSize / 2 + 17));
      const frame = lz4FrameCompress(data, { blockSize });
      assert.deepEqual([...frame.subarray(0, 4)], MAGIC);
      assert.equal(frame[4], 0x60);
      assert.equal(frame[5], { 65536: 4, 262144: 5, 1048576: 6, 4194304: 7 }[blockSize] << 4);
      assert.equal(frame[6], (xxh32(frame, 4, 6) >>> 8) & 0xff);
      const blocks = blocksOf(frame);
      assert.equal(blocks.length, Math.ceil(data.length / blockSize));
      let at = 0;
      for (const [index, block] of blocks.entries()) {
        // Every block decodes alone (the independent-blocks promise) to its slice of the input.
        const alone = lz4FrameDecompress(singleBlockFrame(frame, block));
        assert.ok(alone.length <= blockSize);
        assert.deepEqual(alone, data.subarray(at, at + alone.length), `block ${index}`);
        at += alone.length;
      }
      assert.equal(at, data.length);
      assert.ok(blocks.some((block) => !block.stored), "JSON blocks are compressed");
      assert.deepEqual(lz4FrameDecompress(frame), data);
      assert.deepEqual(lz4Tool(["-d"], frame), data, "lz4 -d agrees");
    });
  }

  it("lz4FrameCompress() stores incompressible blocks uncompressed (size high bit)", () => {
    const data = pseudoRandom(200_000, 11);
    const frame = lz4FrameCompress(data);
    const blocks = blocksOf(frame);
    assert.ok(blocks.every((block) => block.stored));
    assert.ok(frame.length <= data.length + 7 + 4 * blocks.length + 4);
    assert.deepEqual(lz4Tool(["-d"], frame), data);
  });

  it("lz4FrameCompress() appends a content checksum when asked, which the reader checks", () => {
    const data = jsonLines(150_000);
    const frame = lz4FrameCompress(data, { contentChecksum: true });
    assert.equal(frame[4], 0x64);
    assert.equal(frame[6], (xxh32(frame, 4, 6) >>> 8) & 0xff);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    assert.equal(view.getUint32(frame.length - 4, true), xxh32(data));
    assert.deepEqual(lz4FrameDecompress(frame), data);
    assert.deepEqual(lz4Tool(["-d"], frame), data);
    const corrupt = frame.slice();
    corrupt[corrupt.length - 1]! ^= 1;
    assert.throws(() => lz4FrameDecompress(corrupt), /content checksum/);
  });

  it("lz4FrameCompress() compresses JSON smaller at higher levels; lz4 -d reads every level", () => {
    const data = jsonLines(300_000);
    const sizes: number[] = [];
    for (let level = 1; level <= 17; level++) {
      const frame = lz4FrameCompress(data, { level });
      sizes.push(frame.length);
      assert.deepEqual(lz4FrameDecompress(frame), data, `level ${level}`);
      if (level % 4 === 1) assert.deepEqual(lz4Tool(["-d"], frame), data, `lz4 -d level ${level}`);
    }
    assert.ok(sizes[8]! < sizes[0]! * 0.95, `level 9 ${sizes[8]} vs level 1 ${sizes[0]}`);
    assert.ok(sizes[16]! <= sizes[8]!, `level 17 ${sizes[16]} vs level 9 ${sizes[8]}`);
  });

  it("lz4FrameCompress() round-trips every sample and every length around the block edges", () => {
    for (const [name, data] of SAMPLES) {
      assert.deepEqual(lz4FrameDecompress(lz4FrameCompress(data)), data, name);
      assert.deepEqual(
        lz4FrameDecompress(lz4FrameCompress(data, { level: 5 })),
        data,
        `${name} level 5`,
      );
    }
    const text = jsonLines(200);
    for (let length = 0; length <= 40; length++) {
      const data = text.subarray(0, length);
      assert.deepEqual(lz4FrameDecompress(lz4FrameCompress(data)), data, `${length} bytes`);
    }
    const repeated = new Uint8Array(64).fill(97);
    assert.deepEqual(lz4Tool(["-d"], lz4FrameCompress(repeated)), repeated);
  });

  it("lz4FrameCompress() is deterministic", () => {
    const data = jsonLines(100_000);
    lz4FrameCompress(pseudoRandom(100_000)); // leave other data in the shared hash table
    assert.deepEqual(lz4FrameCompress(data), lz4FrameCompress(data));
  });

  it("lz4FrameCompress() rejects a bad block size or level with a RangeError", () => {
    const data = new Uint8Array(10);
    assert.throws(() => lz4FrameCompress(data, { blockSize: 1000 as 65536 }), /block size "1000"/);
    assert.throws(() => lz4FrameCompress(data, { level: 0 }), RangeError);
    assert.throws(() => lz4FrameCompress(data, { level: 18 }), /between 1 and 17/);
  });
});

describe("lz4FrameDecompress()", () => {
  const data = concat(jsonLines(700_000), pseudoRandom(50_000, 2), jsonLines(100_000, 4));
  const variants: Array<[string, string[]]> = [
    ["defaults (4 MiB blocks, content checksum)", []],
    ["64 KiB linked blocks", ["-B4", "-BD"]],
    ["block checksums", ["-B5", "-BX"]],
    ["content size", ["--content-size"]],
    ["no content checksum", ["--no-frame-crc", "-B6"]],
    ["high compression", ["-12", "-B4"]],
  ];
  for (const [name, args] of variants) {
    it(`lz4FrameDecompress() reads lz4 frames with ${name}`, () => {
      assert.deepEqual(lz4FrameDecompress(lz4Tool(args, data)), data);
    });
  }

  it("lz4FrameDecompress() rejects a wrong header checksum, including the pre-KIP-57 one", () => {
    const frame = lz4FrameCompress(jsonLines(1000));
    const corrupt = frame.slice();
    corrupt[6] = (corrupt[6]! + 1) & 0xff;
    assert.throws(() => lz4FrameDecompress(corrupt), /header checksum/);
    const broken = frame.slice();
    broken[6] = (xxh32(frame, 0, 6) >>> 8) & 0xff; // Kafka's old writer hashed the magic too
    if (broken[6] !== frame[6]) assert.throws(() => lz4FrameDecompress(broken), /header checksum/);
  });

  it("lz4FrameDecompress() rejects a block checksum mismatch", () => {
    const frame = lz4Tool(["-B4", "-BX", "--no-frame-crc"], jsonLines(100_000));
    frame[20]! ^= 0x40;
    assert.throws(() => lz4FrameDecompress(frame), ProtocolError);
  });

  it("lz4FrameDecompress() rejects truncated and corrupted frames without hanging", () => {
    const frame = lz4FrameCompress(jsonLines(50_000));
    for (const length of [0, 3, 6, 7, 10, 100, frame.length - 1]) {
      assert.throws(
        () => lz4FrameDecompress(frame.subarray(0, length)),
        ProtocolError,
        `${length} bytes`,
      );
    }
    // Flip bytes inside the compressed block: each result is an error or some bytes, never a hang
    // or a non-ProtocolError.
    for (let k = 0; k < 200; k++) {
      const corrupt = frame.slice();
      corrupt[11 + ((k * 7919) % (frame.length - 15))]! ^= 1 + (k % 255);
      try {
        lz4FrameDecompress(corrupt);
      } catch (error) {
        assert.ok(error instanceof ProtocolError, String(error));
      }
    }
  });
});
