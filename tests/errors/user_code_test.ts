import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeThrown } from "../../src/errors/describe_thrown.ts";
import {
  callUserCode,
  handleIfThenable,
  UserCodeFailure,
} from "../../src/errors/call_user_code.ts";

/** Values user code may throw, many of which String() or a template literal cannot convert. */
function oddValues(): Array<[unknown, string | RegExp]> {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingMessage = new Error("x");
  Object.defineProperty(throwingMessage, "message", {
    get() {
      throw new Error("getter");
    },
  });
  return [
    [new Error("boom"), "boom"],
    [new RangeError("far"), "RangeError: far"],
    [new Error(""), "Error"],
    [throwingMessage, "Error"],
    ["text", "text"],
    [1, "1"],
    [-0, "0"],
    [Number.NaN, "NaN"],
    [true, "true"],
    [10n, "10n"],
    [undefined, "undefined"],
    [null, "null"],
    [Symbol("s"), "Symbol(s)"],
    [Symbol(), "Symbol()"],
    [function named() {}, "a function (named)"],
    [Object.create(null), "an object with a null prototype"],
    [{ code: 5 }, '{"code":5}'],
    [{}, "an object (Object)"],
    [[1, 2], "1,2"],
    [{ toString: () => "custom" }, "custom"],
    [{ toString: () => ({}) }, "an object (Object)"],
    [{
      toString() {
        throw new Error("no");
      },
    }, "an object (Object)"],
    [{
      toJSON() {
        throw new Error("no");
      },
    }, "an object (Object)"],
    [new (class Thing {})(), "an object (Thing)"],
    [revoked.proxy, "an object"],
    [
      new Proxy({}, {
        get() {
          throw new Error("trap");
        },
        getPrototypeOf() {
          throw new Error("trap");
        },
      }),
      "an object",
    ],
    ["x".repeat(10_000), /^x{299}…$/],
  ];
}

describe("describeThrown()", () => {
  it("describeThrown() describes every kind of thrown value in one line, never throwing", () => {
    for (const [value, expected] of oddValues()) {
      const text = describeThrown(value);
      if (typeof expected === "string") assert.equal(text, expected);
      else assert.match(text, expected);
      assert.ok(text.length <= 300);
    }
  });
});

describe("callUserCode()", () => {
  it("callUserCode() returns the function's result, called with its this and arguments", () => {
    const self = {
      base: 10,
      add(this: { base: number }, a: number, b: number) {
        return this.base + a + b;
      },
    };
    assert.equal(callUserCode(self.add, self, 1, 2), 13);
  });

  it("callUserCode() turns anything thrown into a UserCodeFailure with a safe description", () => {
    for (const [value, expected] of oddValues()) {
      const result = callUserCode(() => {
        throw value;
      }, undefined);
      assert.ok(result instanceof UserCodeFailure);
      assert.equal(result.thrown, value);
      if (typeof expected === "string") assert.equal(result.description, expected);
      else assert.match(result.description, expected);
    }
  });
});

describe("handleIfThenable()", () => {
  it("handleIfThenable() catches a rejected Promise's reason, whatever it is", async () => {
    const reasons: string[] = [];
    assert.equal(
      handleIfThenable(Promise.reject(Object.create(null)), (r) => reasons.push(r)),
      true,
    );
    assert.equal(handleIfThenable(Promise.resolve(1), (r) => reasons.push(r)), true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(reasons, ["an object with a null prototype"]);
  });

  it("handleIfThenable() says no for values without a callable then, even hostile ones", () => {
    const hostile = new Proxy({}, {
      get() {
        throw new Error("trap");
      },
    });
    for (const value of [undefined, null, 5, "then", {}, { then: 1 }, hostile]) {
      assert.equal(handleIfThenable(value, () => {}), false);
    }
    // A then that throws is isolated too.
    const thenThrows = {
      then() {
        throw Object.create(null);
      },
    };
    assert.equal(handleIfThenable(thenThrows, () => {}), true);
  });
});
