import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BufferBudget } from "../../src/accumulator/buffer_budget.ts";
import { TimeoutError } from "../../src/errors/client_errors.ts";

describe("BufferBudget", () => {
  it("tryReserve() refuses bytes beyond the total", () => {
    const budget = new BufferBudget(100);
    assert.equal(budget.tryReserve(70), true);
    assert.equal(budget.tryReserve(31), false);
    assert.equal(budget.tryReserve(30), true);
    assert.equal(budget.available, 0);
    assert.equal(budget.used, 100);
  });

  it("reserve() waits for release() and serves waiters in arrival order", async () => {
    const budget = new BufferBudget(100);
    assert.equal(budget.tryReserve(100), true);
    const order: string[] = [];
    const big = budget.reserve(80, 10_000).then(() => order.push("big"));
    const small = budget.reserve(10, 10_000).then(() => order.push("small"));
    // A newcomer may not jump the queue even though 10 bytes would fit after a release of 15.
    assert.equal(budget.waiting, 2);
    budget.release(15);
    await Promise.resolve();
    assert.deepEqual(order, []);
    assert.equal(budget.tryReserve(5), false, "tryReserve must not overtake waiters");
    budget.release(85);
    await Promise.all([big, small]);
    assert.deepEqual(order, ["big", "small"]);
    assert.equal(budget.used, 90);
  });

  it("reserve() rejects with a MAX_BLOCK_TIMEOUT TimeoutError after maxBlockMs", async () => {
    const budget = new BufferBudget(10);
    budget.tryReserve(10);
    await assert.rejects(budget.reserve(5, 20), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.code, "MAX_BLOCK_TIMEOUT");
      assert.match(error.message, /maxBlockMs \(20 ms\)/);
      return true;
    });
    assert.equal(budget.waiting, 0);
    budget.release(10);
    assert.equal(budget.available, 10);
  });

  it("reserve() rejects with the signal's reason when aborted, and later waiters still get served", async () => {
    const budget = new BufferBudget(10);
    budget.tryReserve(10);
    const controller = new AbortController();
    const first = budget.reserve(8, 10_000, controller.signal);
    const second = budget.reserve(2, 10_000);
    controller.abort(new Error("stop"));
    await assert.rejects(first, /stop/);
    budget.release(2);
    await second;
    assert.equal(budget.used, 10);
  });

  it("rejectWaiters() rejects every waiter", async () => {
    const budget = new BufferBudget(1);
    budget.tryReserve(1);
    const waits = [budget.reserve(1, 10_000), budget.reserve(1, 10_000)];
    budget.rejectWaiters(new Error("closed"));
    for (const wait of waits) await assert.rejects(wait, /closed/);
    assert.equal(budget.waiting, 0);
  });

  it("release() throws when more is released than reserved", () => {
    const budget = new BufferBudget(10);
    assert.throws(() => budget.release(1), /released more than it reserved/);
  });
});
