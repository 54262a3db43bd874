// Golden RecordBatch v2 bytes derived by hand from implementation.html ("Record Batch",
// "Record", "Record Header"); the CRC-32C was computed with a bit-at-a-time reference.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeRecordBatches,
  encodedRecordSize,
  RECORD_BATCH_OVERHEAD,
  RecordBatchWriter,
  recordSizeUpperBound,
} from "../../src/protocol/record_batch.ts";
import { crc32c } from "../../src/protocol/crc32c.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex, toHex } from "./hex.ts";

const utf8 = new TextEncoder();

const GOLDEN = hex`
  00 00 00 00 00 00 00 00   # baseOffset 0
  00 00 00 45               # batchLength 69 (81 - 12)
  ff ff ff ff               # partitionLeaderEpoch -1
  02                        # magic 2
  33 af f2 91               # crc: CRC-32C of attributes..end
  00 00                     # attributes: no codec, not transactional
  00 00 00 01               # lastOffsetDelta 1
  00 00 00 00 00 00 03 e8   # baseTimestamp 1000
  00 00 00 00 00 00 03 ea   # maxTimestamp 1002
  00 00 00 00 00 00 00 07   # producerId 7
  00 01                     # producerEpoch 1
  00 00 00 05               # baseSequence 5
  00 00 00 02               # records count 2
  10                        # record 0: length 8 (varint)
  00 00 00                  #   attributes, timestampDelta 0, offsetDelta 0
  02 6b 02 76               #   key "k" (length 1), value "v" (length 1)
  00                        #   headers 0
  14                        # record 1: length 10
  00 04 02                  #   attributes, timestampDelta 2, offsetDelta 1
  01 01                     #   key null (-1), value null (-1)
  02 02 68 02 78            #   headers 1: key "h", value "x"
`;

function goldenWriter(): RecordBatchWriter {
  const writer = new RecordBatchWriter(64);
  writer.append(1000, utf8.encode("k"), utf8.encode("v"));
  writer.append(1002, null, null, [{ key: "h", value: utf8.encode("x") }]);
  return writer;
}

describe("RecordBatchWriter", () => {
  it("RecordBatchWriter.finish() writes the golden batch byte for byte", () => {
    const writer = goldenWriter();
    assert.equal(writer.recordCount, 2);
    assert.equal(writer.sizeInBytes, GOLDEN.length);
    assert.equal(writer.firstTimestamp, 1000);
    assert.equal(writer.maxTimestamp, 1002);
    assert.equal(toHex(writer.recordsView()), toHex(GOLDEN.subarray(RECORD_BATCH_OVERHEAD)));
    const batch = writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 });
    assert.equal(toHex(batch), toHex(GOLDEN));
  });

  it("RecordBatchWriter.append() returns each record's size within recordSizeUpperBound()", () => {
    const writer = new RecordBatchWriter(64);
    assert.equal(writer.append(1000, utf8.encode("k"), utf8.encode("v")), 9);
    const headers = [{ key: "h", value: utf8.encode("x") }];
    assert.equal(writer.append(1002, null, null, headers), 11);
    assert.ok(recordSizeUpperBound(1, 1, undefined) >= 9);
    assert.ok(recordSizeUpperBound(-1, -1, headers) >= 11);
    const big = new Uint8Array(300_000);
    const manyHeaders = Array.from({ length: 50 }, (_, i) => ({ key: `héader-${i}`, value: big }));
    const size = writer.append(1700000000000, big, big, manyHeaders);
    assert.ok(size <= recordSizeUpperBound(big.length, big.length, manyHeaders));
    assert.equal(writer.sizeInBytes, RECORD_BATCH_OVERHEAD + 9 + 11 + size);
  });

  it("RecordBatchWriter records keep offset deltas, timestamp deltas (also negative) and nulls", () => {
    const writer = new RecordBatchWriter(16);
    const large = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    writer.append(1700000000500, null, utf8.encode("first"));
    writer.append(1700000000000, utf8.encode(""), null); // earlier than the first record
    writer.append(1700000009999, utf8.encode("k"), large, [
      { key: "a", value: null },
      { key: "ünïcode-😀", value: new Uint8Array(0) },
    ]);
    const batch = writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
    const [decoded] = decodeRecordBatches(batch);
    assert.equal(decoded!.firstTimestamp, 1700000000500);
    assert.equal(decoded!.maxTimestamp, 1700000009999);
    assert.equal(decoded!.lastOffsetDelta, 2);
    assert.equal(decoded!.producerId, -1n);
    assert.equal(decoded!.baseSequence, -1);
    const [a, b, c] = decoded!.records;
    assert.deepEqual([a!.offsetDelta, a!.timestamp, a!.key], [0, 1700000000500, null]);
    assert.deepEqual(a!.value, utf8.encode("first"));
    assert.deepEqual([b!.offsetDelta, b!.timestamp, b!.value], [1, 1700000000000, null]);
    assert.deepEqual(b!.key, new Uint8Array(0));
    assert.equal(c!.timestamp, 1700000009999);
    assert.deepEqual(c!.value, large);
    assert.deepEqual(c!.headers, [
      { key: "a", value: null },
      { key: "ünïcode-😀", value: new Uint8Array(0) },
    ]);
  });

  it("RecordBatchWriter.finish() again rewrites the header without re-encoding records", () => {
    const writer = goldenWriter();
    const first = writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 }).slice();
    const records = writer.recordsView();
    const second = writer.finish({
      producerId: 8n,
      producerEpoch: 0,
      baseSequence: 100,
      isTransactional: true,
    });
    assert.equal(writer.recordsView().buffer, records.buffer, "same buffer, records untouched");
    assert.deepEqual(second.subarray(RECORD_BATCH_OVERHEAD), first.subarray(RECORD_BATCH_OVERHEAD));
    const view = new DataView(second.buffer, second.byteOffset);
    assert.equal(view.getBigInt64(43), 8n);
    assert.equal(view.getInt16(51), 0);
    assert.equal(view.getInt32(53), 100);
    assert.equal(view.getInt16(21), 0x10, "transactional bit 4");
    assert.equal(view.getUint32(17), crc32c(second, 21));
    assert.notEqual(view.getUint32(17), new DataView(first.buffer).getUint32(17));
    const [decoded] = decodeRecordBatches(second);
    assert.equal(decoded!.isTransactional, true);
    assert.equal(decoded!.baseSequence, 100);
  });

  it("RecordBatchWriter.finish() puts compressed records behind the header (codec bits)", () => {
    const writer = goldenWriter();
    const plain = writer.recordsView().slice();
    const fakeCompressed = plain.slice().reverse(); // stands in for a codec's output
    const compression = { attribute: 4, records: fakeCompressed };
    const batch = writer.finish({
      producerId: 7n,
      producerEpoch: 1,
      baseSequence: 5,
      isTransactional: true,
      compression,
    });
    assert.equal(batch.length, RECORD_BATCH_OVERHEAD + fakeCompressed.length);
    const view = new DataView(batch.buffer, batch.byteOffset);
    assert.equal(view.getInt32(8), batch.length - 12);
    assert.equal(view.getInt16(21), 0x14, "zstd (4) + transactional");
    assert.equal(view.getInt32(57), 2, "record count is the uncompressed count");
    assert.equal(view.getUint32(17), crc32c(batch, 21));
    assert.throws(() => decodeRecordBatches(batch), /codec 4 not supported yet/);
    const seen: number[] = [];
    const [decoded] = decodeRecordBatches(batch, {
      decompress: (attribute, data) => {
        seen.push(attribute);
        return data.slice().reverse();
      },
    });
    assert.deepEqual(seen, [4]);
    assert.deepEqual(decoded!.records.map((r) => r.offsetDelta), [0, 1]);
    // Re-finishing with the same compressed records reuses the batch buffer.
    const again = writer.finish({ producerId: 9n, producerEpoch: 2, baseSequence: 0, compression });
    assert.equal(again, batch);
    assert.equal(
      decodeRecordBatches(again, { decompress: (_, d) => d.slice().reverse() })[0]!
        .producerId,
      9n,
    );
    assert.throws(
      () =>
        writer.finish({
          producerId: 1n,
          producerEpoch: 0,
          baseSequence: 0,
          compression: { attribute: 0, records: plain },
        }),
      RangeError,
    );
  });

  it("RecordBatchWriter.reset() reuses the buffer for a new batch", () => {
    const writer = goldenWriter();
    const before = writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 });
    writer.reset();
    assert.equal(writer.recordCount, 0);
    assert.equal(writer.sizeInBytes, RECORD_BATCH_OVERHEAD);
    assert.equal(writer.recordsView().length, 0);
    assert.throws(
      () => writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 }),
      RangeError,
    );
    writer.append(1000, utf8.encode("k"), utf8.encode("v"));
    writer.append(1002, null, null, [{ key: "h", value: utf8.encode("x") }]);
    const after = writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 });
    assert.equal(after.buffer, before.buffer, "no new buffer");
    assert.equal(toHex(after), toHex(GOLDEN));
  });

  it("RecordBatchWriter.append() encodes timestamp deltas beyond 2^52 ms exactly, sized as written", () => {
    // Two records: a first one (timestamp t0) and one whose timestampDelta is t1 - t0. Zigzag
    // (protocol.html "varlong"): d >= 0 → 2d, d < 0 → -2d - 1; then 7 bits per byte, low
    // first, high bit set on every byte but the last. Record 0 is the same in every case:
    const record0 = hex`
      0c                         # length 6
      00 00 00                   # attributes, timestampDelta 0, offsetDelta 0
      01 01 00                   # key null, value null, no headers
    `;
    const cases: Array<[number, number, Uint8Array]> = [
      // Date(8.64e15) then 1700000000001: d = -8638299999999999 → 17276599999999997
      [8_640_000_000_000_000, 1_700_000_000_001, hex`fd df b4 af 9e 9f d8 1e`],
      // d = -2^52 → 2^53 - 1 (the largest zigzag value still a safe integer)
      [2 ** 52, 0, hex`ff ff ff ff ff ff ff 0f`],
      // d = 2^53 - 1 → 2^54 - 2
      [0, Number.MAX_SAFE_INTEGER, hex`fe ff ff ff ff ff ff 1f`],
      // d = -(2^54 - 2), itself beyond the safe integers → 2^55 - 5
      [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, hex`fb ff ff ff ff ff ff 3f`],
    ];
    for (const [t0, t1, delta] of cases) {
      const writer = new RecordBatchWriter(64);
      assert.equal(writer.append(t0, null, null), 7);
      const size = writer.append(t1, null, null);
      const record1 = hex`
        1a                       # length 13
        00                       # attributes
        ${delta}                 # timestampDelta (8 bytes)
        02                       # offsetDelta 1
        01 01 00                 # key null, value null, no headers
      `;
      assert.equal(toHex(writer.recordsView()), toHex(hex`${record0} ${record1}`), `${t0} → ${t1}`);
      assert.equal(size, record1.length);
      const batch = writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
      const [decoded] = decodeRecordBatches(batch);
      assert.deepEqual(decoded!.records.map((r) => r.timestamp), [t0, t1]);
    }
  });

  it("RecordBatchWriter.append() round-trips every timestamp pair across the safe range", () => {
    // Deltas of every magnitude, both signs, around each power of two where varlongs grow.
    const points = [0, 1, 1_700_000_000_000, 8_640_000_000_000_000, Number.MAX_SAFE_INTEGER];
    for (let bit = 0; bit < 53; bit += 1) {
      points.push(2 ** bit - 1, 2 ** bit, Math.min(Number.MAX_SAFE_INTEGER, 2 ** bit + 1));
    }
    const timestamps = [...points, ...points.filter((p) => p > 0).map((p) => -p)];
    for (const t0 of [0, 1_700_000_000_000, 2 ** 52, Number.MAX_SAFE_INTEGER, -(2 ** 52)]) {
      const writer = new RecordBatchWriter(64);
      let expectedSize = RECORD_BATCH_OVERHEAD;
      expectedSize += writer.append(t0, null, null);
      for (const t of timestamps) expectedSize += writer.append(t, null, null);
      assert.equal(writer.sizeInBytes, expectedSize);
      const batch = writer.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1 });
      const [decoded] = decodeRecordBatches(batch);
      assert.deepEqual(decoded!.records.map((r) => r.timestamp), [t0, ...timestamps]);
    }
  });

  it("RecordBatchWriter.append() rejects non-integer timestamps", () => {
    const writer = new RecordBatchWriter();
    assert.throws(() => writer.append(1.5, null, null), RangeError);
    assert.throws(() => writer.append(Number.NaN, null, null), RangeError);
  });
});

describe("decodeRecordBatches()", () => {
  it("decodeRecordBatches() reads back-to-back batches", () => {
    const a = goldenWriter().finish({ producerId: 7n, producerEpoch: 1, baseSequence: 5 }).slice();
    const writer = new RecordBatchWriter();
    writer.append(5, null, utf8.encode("z"));
    const b = writer.finish({ producerId: 7n, producerEpoch: 1, baseSequence: 7 });
    const batches = decodeRecordBatches(hex`${a} ${b}`);
    assert.deepEqual(batches.map((batch) => batch.baseSequence), [5, 7]);
    assert.deepEqual(batches.map((batch) => batch.records.length), [2, 1]);
  });

  it("decodeRecordBatches() rejects a corrupted CRC unless verifyCrc is false", () => {
    const batch = GOLDEN.slice();
    batch[batch.length - 1]! ^= 1;
    assert.throws(() => decodeRecordBatches(batch), /CRC/);
    assert.equal(decodeRecordBatches(batch, { verifyCrc: false })[0]!.records.length, 2);
  });

  it("decodeRecordBatches() throws ProtocolError on every truncation", () => {
    for (let cut = 1; cut < GOLDEN.length; cut++) {
      assert.throws(
        () => decodeRecordBatches(GOLDEN.subarray(0, cut)),
        ProtocolError,
        `cut ${cut}`,
      );
    }
  });

  it("decodeRecordBatches() rejects malformed headers and records", () => {
    const patched = (at: number, bytes: number[]) => {
      const copy = GOLDEN.slice();
      copy.set(bytes, at);
      return copy;
    };
    const cases: Array<[string, Uint8Array]> = [
      ["magic 1", patched(16, [1])],
      ["batchLength too large", patched(8, [0, 0, 0, 0x46])],
      ["batchLength negative", patched(8, [0xff, 0xff, 0xff, 0xff])],
      ["record count 1e9", patched(57, [0x3b, 0x9a, 0xca, 0x00])],
      ["record count -1", patched(57, [0xff, 0xff, 0xff, 0xff])],
      ["record count 3", patched(57, [0, 0, 0, 3])],
      ["record length too short", patched(61, [0x0e])],
      ["key length -2", patched(65, [0x03])],
    ];
    for (const [name, bytes] of cases) {
      assert.throws(() => decodeRecordBatches(bytes, { verifyCrc: false }), ProtocolError, name);
    }
  });
});

describe("recordSizeUpperBound()", () => {
  it("recordSizeUpperBound() bounds the encoded size across sizes and headers", () => {
    const writer = new RecordBatchWriter();
    for (const [keyLength, valueLength] of [[-1, -1], [0, 0], [10, 100], [200, 70_000]] as const) {
      const key = keyLength < 0 ? null : new Uint8Array(keyLength);
      const value = valueLength < 0 ? null : new Uint8Array(valueLength);
      const headers = [{ key: "€".repeat(keyLength < 0 ? 0 : keyLength), value }];
      const bound = recordSizeUpperBound(keyLength, valueLength, headers);
      const size = writer.append(1700000000000 + valueLength * 1000, key, value, headers);
      assert.ok(size <= bound, `${size} <= ${bound}`);
    }
  });
});

describe("encodedRecordSize()", () => {
  // Header names of every UTF-8 width (1-4 bytes, lone surrogates 3), values and keys around
  // the varint length boundaries (63/64, 8191/8192 bytes).
  const names = [
    "",
    "h",
    "x".repeat(50),
    "é".repeat(50),
    "€".repeat(64),
    "😀".repeat(20),
    "\ud800a",
  ];
  const lengths = [-1, 0, 63, 64, 8191, 8192];

  it("encodedRecordSize() is exactly what RecordBatchWriter.append() writes, for any deltas", () => {
    for (const keyLength of lengths) {
      for (const valueLength of lengths) {
        for (let count = 0; count <= names.length; count++) {
          const key = keyLength < 0 ? null : new Uint8Array(keyLength);
          const value = valueLength < 0 ? null : new Uint8Array(valueLength);
          const headers = names.slice(0, count).map((name, i) => ({
            key: name,
            value: i % 2 === 0 ? null : new Uint8Array(i * 10),
          }));
          const writer = new RecordBatchWriter(64);
          const alone = writer.append(1_700_000_000_000, key, value, headers);
          assert.equal(encodedRecordSize(keyLength, valueLength, headers), alone);
          // Later records of a batch: their deltas take more bytes.
          for (let i = 1; i < 130; i++) writer.append(1_700_000_000_000, null, null);
          const later = writer.append(1_700_000_000_000 + 10_000_000, key, value, headers);
          assert.equal(encodedRecordSize(keyLength, valueLength, headers, 10_000_000, 130), later);
        }
      }
    }
  });

  it("recordSizeUpperBound() is at most 14 bytes above the encoded size, whatever the deltas", () => {
    for (const valueLength of lengths) {
      const headers = names.map((name) => ({ key: name, value: null }));
      const bound = recordSizeUpperBound(-1, valueLength, headers);
      const alone = encodedRecordSize(-1, valueLength, headers);
      assert.ok(bound >= alone && bound <= alone + 14, `${alone} .. ${bound}`);
      const widest = encodedRecordSize(
        -1,
        valueLength,
        headers,
        -Number.MAX_SAFE_INTEGER,
        2 ** 31 - 1,
      );
      assert.ok(widest <= bound, `${widest} <= ${bound}`);
    }
  });
});
