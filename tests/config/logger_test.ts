import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { consoleLogger, silentLogger } from "../../src/config/logger.ts";

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
