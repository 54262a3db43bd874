import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FrameReader, MAX_FRAME_BYTES } from "../../src/connection/frame_reader.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { Writer } from "../../src/protocol/writer.ts";

function stream(frames: Uint8Array[]): Uint8Array {
  const w = new Writer(16);
  for (const frame of frames) w.int32(frame.length).raw(frame);
  return w.toBytes().slice();
}

function collect(): { reader: FrameReader; frames: number[][] } {
  const frames: number[][] = [];
  return { reader: new FrameReader((frame) => frames.push([...frame])), frames };
}

describe("FrameReader", () => {
  const frames = [
    new Uint8Array([1, 2, 3]),
    new Uint8Array(0),
    new Uint8Array(1000).map((_, i) => i & 0xff),
    new Uint8Array([4]),
    new Uint8Array(0),
  ];
  const bytes = stream(frames);
  const expected = frames.map((f) => [...f]);

  for (const size of [1, 2, 3, 4, 5, 7, 64, 1003, 4096]) {
    it(`FrameReader.push() splits frames across ${size}-byte chunks`, () => {
      const { reader, frames: out } = collect();
      for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
      assert.deepEqual(out, expected);
    });
  }

  it("FrameReader.push() handles random chunk boundaries over many frames", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const many = Array.from(
      { length: 300 },
      (_, i) => new Uint8Array(Math.floor(random() * 300)).fill(i & 0xff),
    );
    const all = stream(many);
    const { reader, frames: out } = collect();
    for (let at = 0; at < all.length;) {
      const size = 1 + Math.floor(random() * 700);
      reader.push(all.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(out, many.map((f) => [...f]));
  });

  it("FrameReader.push() hands out whole frames as views of the chunk (no copy)", () => {
    const chunk = stream([new Uint8Array([5, 6]), new Uint8Array([7])]);
    const buffers: ArrayBufferLike[] = [];
    new FrameReader((frame) => buffers.push(frame.buffer)).push(chunk);
    assert.equal(buffers.length, 2);
    for (const buffer of buffers) assert.equal(buffer, chunk.buffer);
  });

  it("FrameReader.push() reassembles a 3 MiB frame split across 64 KiB chunks", () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const all = stream([big, new Uint8Array([1])]);
    const sizes: number[] = [];
    let intact = false;
    const reader = new FrameReader((frame) => {
      sizes.push(frame.length);
      if (frame.length === big.length) intact = frame.every((b, i) => b === big[i]);
    });
    for (let at = 0; at < all.length; at += 65536) reader.push(all.subarray(at, at + 65536));
    assert.deepEqual(sizes, [big.length, 1]);
    assert.ok(intact);
  });

  it("FrameReader.push() rejects a negative size with ProtocolError", () => {
    assert.throws(
      () => new FrameReader(() => {}).push(new Uint8Array([0xff, 0xff, 0xff, 0xfe, 0])),
      (error: unknown) => error instanceof ProtocolError && /-2/.test(error.message),
    );
  });

  it("FrameReader.push() rejects a size above MAX_FRAME_BYTES, even split across chunks", () => {
    const size = MAX_FRAME_BYTES + 1;
    const prefix = new Uint8Array([
      size >>> 24,
      (size >>> 16) & 0xff,
      (size >>> 8) & 0xff,
      size & 0xff,
    ]);
    assert.throws(() => new FrameReader(() => {}).push(prefix), ProtocolError);
    const reader = new FrameReader(() => {});
    reader.push(prefix.subarray(0, 1));
    reader.push(prefix.subarray(1, 3));
    assert.throws(() => reader.push(prefix.subarray(3)), ProtocolError);
  });

  it("FrameReader.push() accepts a frame of exactly MAX_FRAME_BYTES by its size", () => {
    const size = MAX_FRAME_BYTES;
    const reader = new FrameReader(() => {});
    reader.push(
      new Uint8Array([size >>> 24, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff]),
    );
  });
});
