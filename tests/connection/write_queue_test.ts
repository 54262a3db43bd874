import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COALESCE_BYTES, WriteQueue } from "../../src/connection/write_queue.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("WriteQueue", () => {
  it("WriteQueue.take() joins runs of small frames and passes large ones through uncopied", () => {
    const queue = new WriteQueue(() => {});
    const large1 = new Uint8Array(COALESCE_BYTES).fill(9);
    const large2 = new Uint8Array(COALESCE_BYTES + 1).fill(8);
    const small = bytes(7);
    queue.push(bytes(1, 2));
    queue.push(bytes(3));
    queue.push(large1);
    queue.push(small);
    queue.push(large2);
    queue.push(bytes(4));
    queue.push(bytes(5, 6));
    assert.equal(queue.size, 3 + large1.length + 1 + large2.length + 3);
    const segments = queue.take();
    assert.equal(segments.length, 5);
    assert.deepEqual([...segments[0]!], [1, 2, 3]);
    assert.equal(segments[1], large1);
    assert.equal(segments[2], small, "a run of one small frame is not copied");
    assert.equal(segments[3], large2);
    assert.deepEqual([...segments[4]!], [4, 5, 6]);
    assert.equal(queue.size, 0);
    assert.deepEqual(queue.take(), []);
  });

  it("WriteQueue.push() calls onReady once per batch, on a microtask", async () => {
    let ready = 0;
    const queue = new WriteQueue(() => ready++);
    queue.push(bytes(1));
    queue.push(bytes(2));
    assert.equal(ready, 0, "not before the microtask");
    await Promise.resolve();
    assert.equal(ready, 1);
    queue.push(bytes(3)); // not taken yet: no second notification
    await Promise.resolve();
    assert.equal(ready, 1);
    assert.deepEqual([...queue.take()[0]!], [1, 2, 3]);
    queue.push(bytes(4));
    await Promise.resolve();
    assert.equal(ready, 2);
  });

  it("WriteQueue.push() calls onReady at once when COALESCE_BYTES are queued", () => {
    let ready = 0;
    const queue = new WriteQueue(() => ready++);
    for (let i = 0; i < 63; i++) queue.push(new Uint8Array(1024));
    assert.equal(ready, 0);
    queue.push(new Uint8Array(1024));
    assert.equal(ready, 1);
    const segments = queue.take();
    assert.equal(segments.length, 1);
    assert.equal(segments[0]!.length, COALESCE_BYTES);
  });

  it("WriteQueue.push() ignores empty chunks", async () => {
    let ready = 0;
    const queue = new WriteQueue(() => ready++);
    queue.push(new Uint8Array(0));
    await Promise.resolve();
    assert.equal(ready, 0);
    assert.equal(queue.size, 0);
  });
});
