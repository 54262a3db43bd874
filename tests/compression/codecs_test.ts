// The four codecs through the registry: round trips at several levels, KIP-390 level checks,
// golden bytes, malformed input, the gzip fallback, and interop with the Debian gzip, zstd
// and lz4 command-line tools (lz4 frames have their own file: lz4_frame_test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Codec } from "../../src/compression/codec.ts";
import { codecById, loadAllCodecs, loadCodec } from "../../src/compression/codec_registry.ts";
import { createGzipCodec, loadGzipImplementation } from "../../src/compression/gzip_codec.ts";
import { snappyCompress, snappyDecompress } from "../../src/compression/snappy_codec.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { concat, jsonLines, pseudoRandom, SAMPLES } from "./samples.ts";

const decompressHook = await loadAllCodecs();
const gzip = codecById(1);
const snappy = codecById(2);
const lz4 = codecById(3);
const zstd = codecById(4);

/** Levels worth trying per codec: undefined (default), the range ends, a middle one. */
const LEVELS: Record<string, Array<number | undefined>> = {
  gzip: [undefined, 1, 5, 9],
  snappy: [undefined],
  lz4: [undefined, 1, 3, 9, 17],
  zstd: [undefined, -131072, -5, 1, 19],
};

function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "sluice-codec-"));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("loadCodec()", () => {
  it("loadCodec() returns one instance per codec with Kafka's attribute ids", async () => {
    for (const [name, id] of [["gzip", 1], ["snappy", 2], ["lz4", 3], ["zstd", 4]] as const) {
      const codec = await loadCodec(name);
      assert.equal(codec.id, id);
      assert.equal(codec.name, name);
      assert.equal(codecById(id), codec);
      assert.equal(await loadCodec(name), codec);
    }
  });

  it("loadCodec() rejects an unknown codec with a TypeError", async () => {
    await assert.rejects(loadCodec("brotli" as never), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /"brotli"/);
      return true;
    });
  });

  it("codecById() rejects attributes that are not codecs", () => {
    for (const attribute of [0, 5, 7, -1]) {
      assert.throws(() => codecById(attribute), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, new RegExp(`"${attribute}"`));
        return true;
      });
    }
  });

  it("loadAllCodecs() returns a decompress hook keyed by attribute", () => {
    const data = jsonLines(10_000);
    for (const codec of [gzip, snappy, lz4, zstd]) {
      assert.deepEqual(decompressHook(codec.id, codec.compress(data)), data, codec.name);
    }
  });
});

describe("Codec.compress()", () => {
  for (const codec of [gzip, snappy, lz4, zstd]) {
    it(`${codec.name} Codec.compress() round-trips every sample at every level`, () => {
      for (const level of LEVELS[codec.name]!) {
        for (const [name, data] of SAMPLES) {
          if (level === 19 && data.length > 100_000) continue; // zstd 19 is slow; small ones suffice
          const compressed = codec.compress(data, level);
          assert.equal(compressed.constructor, Uint8Array, `${name}: plain Uint8Array`);
          assert.deepEqual(codec.decompress(compressed), data, `${name} at level ${level}`);
        }
      }
    });

    it(`${codec.name} Codec.compress() shrinks JSON at least 3×`, () => {
      const data = jsonLines(1 << 20);
      const ratio = data.length / codec.compress(data).length;
      assert.ok(ratio > 3, `ratio ${ratio.toFixed(2)}`);
    });

    it(`${codec.name} Codec.compress() does not modify or alias its input`, () => {
      const data = jsonLines(70_000);
      const copy = data.slice();
      const compressed = codec.compress(data);
      assert.deepEqual(data, copy);
      assert.notEqual(compressed.buffer, data.buffer);
    });
  }

  it("Codec.compress() rejects levels outside KIP-390's ranges with a RangeError naming the codec", () => {
    const cases: Array<[Codec, number, RegExp]> = [
      [gzip, 0, /gzip at level "0".*between 1 and 9/],
      [gzip, 10, /gzip at level "10".*between 1 and 9/],
      [gzip, 1.5, /gzip at level "1.5"/],
      [gzip, -1, /gzip/],
      [lz4, 0, /lz4 at level "0".*between 1 and 17/],
      [lz4, 18, /lz4 at level "18".*between 1 and 17/],
      [zstd, -131073, /zstd at level "-131073".*between -131072 and 22/],
      [zstd, 23, /zstd at level "23".*between -131072 and 22/],
      [zstd, Number.NaN, /zstd/],
      [snappy, 1, /snappy at level "1".*no levels/],
    ];
    const data = new TextEncoder().encode("level");
    for (const [codec, level, message] of cases) {
      assert.throws(() => codec.compress(data, level), (error: unknown) => {
        assert.ok(error instanceof RangeError, `${codec.name} ${level}`);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it("zstd Codec.compress() uses the level (higher compresses JSON smaller)", () => {
    const data = jsonLines(200_000);
    assert.ok(zstd.compress(data, 19).length < zstd.compress(data, -5).length);
  });

  it("gzip Codec.compress() uses the level (9 compresses JSON smaller than 1)", () => {
    const data = jsonLines(200_000);
    assert.ok(gzip.compress(data, 9).length < gzip.compress(data, 1).length);
  });
});

describe("gzip codec", () => {
  it("loadGzipImplementation() prefers node:zlib where the runtime has it", async () => {
    assert.equal((await loadGzipImplementation()).source, "node:zlib");
  });

  it("createGzipCodec() over fflate and over node:zlib read each other's output", async () => {
    const fflate = createGzipCodec(await loadGzipImplementation("fflate"));
    const zlib = createGzipCodec(await loadGzipImplementation("node:zlib"));
    for (const [name, data] of SAMPLES) {
      for (const level of [1, 6, 9]) {
        assert.deepEqual(
          zlib.decompress(fflate.compress(data, level)),
          data,
          `fflate → zlib ${name}`,
        );
        assert.deepEqual(
          fflate.decompress(zlib.compress(data, level)),
          data,
          `zlib → fflate ${name}`,
        );
      }
    }
    assert.throws(() => fflate.compress(new Uint8Array(1), 10), RangeError);
  });
});

describe("snappy codec", () => {
  it("snappyCompress() writes literals then a 1- or 2-byte-offset copy (golden bytes)", () => {
    const encode = (text: string) => [...snappyCompress(new TextEncoder().encode(text))];
    // length 12; literal "abcd" (tag (4-1)<<2); copy1 length 8 offset 4: (8-4)<<2 | 1
    assert.deepEqual(encode("abcdabcdabcd"), [12, 12, 97, 98, 99, 100, 17, 4]);
    // length 16; copy1 holds 4..11 bytes, so 12 is a copy2: (12-1)<<2 | 2, offset 4 LE
    assert.deepEqual(encode("abcdabcdabcdabcd"), [16, 12, 97, 98, 99, 100, 46, 4, 0]);
    assert.deepEqual(encode(""), [0]);
  });

  it("snappyCompress() splits long copies into elements of at most 64 bytes", () => {
    const data = new Uint8Array(1000).fill(120);
    const compressed = snappyCompress(data);
    assert.ok(compressed.length < 60, `${compressed.length} bytes`);
    assert.deepEqual(snappyDecompress(compressed), data);
  });

  it("snappyDecompress() reads every element kind, including 2- and 4-byte offsets", () => {
    // length 12: literal "abc", copy2 offset 3 length 6, copy4 offset 3 length 3
    const raw = new Uint8Array([
      12,
      2 << 2,
      97,
      98,
      99,
      ((6 - 1) << 2) | 2,
      3,
      0,
      ((3 - 1) << 2) | 3,
      3,
      0,
      0,
      0,
    ]);
    assert.equal(new TextDecoder().decode(snappyDecompress(raw)), "abcabcabcabc");
    // a literal with a 1-byte extended length (61 bytes)
    const long = concat(new Uint8Array([61, 60 << 2, 60]), new Uint8Array(61).fill(65));
    assert.deepEqual(snappyDecompress(long), new Uint8Array(61).fill(65));
  });

  it("snappyDecompress() reads xerial framing as Java producers write it", () => {
    const data = jsonLines(100_000);
    const a = snappyCompress(data.subarray(0, 32_768));
    const b = snappyCompress(data.subarray(32_768));
    const header = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1];
    const framed = new Uint8Array(16 + 8 + a.length + b.length);
    framed.set(header);
    const view = new DataView(framed.buffer);
    view.setInt32(16, a.length);
    framed.set(a, 20);
    view.setInt32(20 + a.length, b.length);
    framed.set(b, 24 + a.length);
    assert.deepEqual(snappyDecompress(framed), data);
    assert.deepEqual(snappy.decompress(framed), data);
  });

  it("snappyDecompress() rejects malformed input with a ProtocolError", () => {
    const bad: Array<[string, number[]]> = [
      ["empty", []],
      ["truncated length", [0x80]],
      ["copy before any output", [4, 1, 1]],
      ["offset past the start", [8, 8, 97, 98, 99, ((4 - 1) << 2) | 2, 9, 0]],
      ["literal overruns", [2, 12, 97]],
      ["short output", [5, 8, 97, 98, 99]],
      ["length far beyond the input", [0xff, 0xff, 0xff, 0xff, 0x07, 0]],
      ["truncated xerial block", [
        0x82,
        0x53,
        0x4e,
        0x41,
        0x50,
        0x50,
        0x59,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        9,
      ]],
    ];
    for (const [name, bytes] of bad) {
      assert.throws(() => snappyDecompress(new Uint8Array(bytes)), ProtocolError, name);
    }
  });
});

describe("codecs and the Debian command-line tools", () => {
  const data = concat(jsonLines(400_000), pseudoRandom(30_000), jsonLines(100_000, 9));
  const tools: Array<[Codec, string, Array<number | undefined>]> = [
    [gzip, "gzip", [undefined, 1, 9]],
    [zstd, "zstd", [undefined, -131072, -3, 1, 12]],
    [lz4, "lz4", [undefined, 1, 9, 17]],
  ];
  for (const [codec, tool, levels] of tools) {
    it(`${tool} -d decodes what ${codec.name} Codec.compress() writes at every level`, () => {
      withTempDir((dir) => {
        for (const level of levels) {
          // Through files: piping megabytes both ways through execFileSync can deadlock.
          const file = join(dir, `ours-${level}`);
          writeFileSync(file, codec.compress(data, level));
          const unpacked = execFileSync(tool, ["-d", "-c", file], { maxBuffer: 1 << 28 });
          assert.deepEqual(new Uint8Array(unpacked), data, `level ${level}`);
        }
      });
    });

    it(`${codec.name} Codec.decompress() reads what ${tool} writes`, () => {
      withTempDir((dir) => {
        const file = join(dir, "plain");
        writeFileSync(file, data);
        for (const level of ["-1", "-9"]) {
          const theirs = execFileSync(tool, [level, "-c", file], { maxBuffer: 1 << 28 });
          assert.deepEqual(codec.decompress(new Uint8Array(theirs)), data, level);
        }
      });
    });
  }
});
