import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { consoleLogger, guardLogger, silentLogger } from "../../src/config/logger.ts";

describe("consoleLogger()", () => {
  const originalLog = console.log;
  const originalError = console.error;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    console.log = (text: string) => out.push(text);
    console.error = (text: string) => err.push(text);
  });
  afterEach(() => {
    console.log = originalLog;
    console.error = originalError;
  });

  it("consoleLogger() writes from its level up, warn and error to console.error", () => {
    const logger = consoleLogger("info");
    logger.debug("hidden");
    logger.info("connected", { broker: 1 });
    logger.warn("slow");
    logger.error("failed", { offset: 5n });
    assert.deepEqual(out, ['[sluice] INFO connected {"broker":1}']);
    assert.deepEqual(err, ["[sluice] WARN slow", '[sluice] ERROR failed {"offset":"5"}']);
  });

  it("consoleLogger() defaults to info and rejects unknown levels", () => {
    consoleLogger().debug("hidden");
    consoleLogger("debug").debug("shown");
    assert.deepEqual(out, ["[sluice] DEBUG shown"]);
    assert.throws(() => consoleLogger("verbose" as "info"), RangeError);
    assert.throws(() => consoleLogger("toString" as "info"), RangeError);
  });

  it("silentLogger writes nothing", () => {
    silentLogger.debug("a");
    silentLogger.info("b");
    silentLogger.warn("c");
    silentLogger.error("d", { x: 1 });
    assert.deepEqual([out, err], [[], []]);
  });
});

describe("guardLogger()", () => {
  it("guardLogger() passes every call on, with the logger as this", () => {
    const lines: string[] = [];
    const logger = {
      prefix: "p",
      debug(this: { prefix: string }, m: string) {
        lines.push(`${this.prefix} debug ${m}`);
      },
      info(this: { prefix: string }, m: string, f?: Record<string, unknown>) {
        lines.push(`${this.prefix} info ${m} ${JSON.stringify(f)}`);
      },
      warn(this: { prefix: string }, m: string) {
        lines.push(`${this.prefix} warn ${m}`);
      },
      error(this: { prefix: string }, m: string) {
        lines.push(`${this.prefix} error ${m}`);
      },
    };
    const guarded = guardLogger(logger);
    guarded.debug("a");
    guarded.info("b", { n: 1 });
    guarded.warn("c");
    guarded.error("d");
    assert.deepEqual(lines, ["p debug a", 'p info b {"n":1}', "p warn c", "p error d"]);
  });

  it("guardLogger() isolates methods that throw odd values or return rejecting promises", async () => {
    const thrower = () => {
      throw Object.create(null);
    };
    const rejecter = () => Promise.reject(Object.create(null));
    const guarded = guardLogger({ debug: thrower, info: rejecter, warn: thrower, error: rejecter });
    for (const method of ["debug", "info", "warn", "error"] as const) {
      assert.doesNotThrow(() => guarded[method]("m", { f: 1 }));
    }
    // A rejection left unhandled would fail the test run on all three runtimes.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it("guardLogger() returns silentLogger as is", () => {
    assert.equal(guardLogger(silentLogger), silentLogger);
  });
});
