// The generated error table includes the rows of scripts/errors_supplement.tsv (codes of
// Kafka 4.4 missing from the October 2024 errors.tsv), with Java's retriable flags.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { errorCodeInfo } from "../../src/errors/error_codes.ts";

const supplement = readFileSync(
  new URL("../../scripts/errors_supplement.tsv", import.meta.url),
  "utf8",
).trim().split("\n").filter((line) => !line.startsWith("#")).slice(1).map((line) =>
  line.split("\t")
);

describe("errorCodeInfo()", () => {
  it("errorCodeInfo() knows every code of scripts/errors_supplement.tsv, as Java has it", () => {
    assert.ok(supplement.length >= 9);
    for (const [code, name, retriable, _exception, message] of supplement) {
      assert.deepEqual(errorCodeInfo(Number(code)), {
        code: Number(code),
        name,
        retriable: retriable === "yes",
        message,
      });
    }
  });

  it("errorCodeInfo() has the codes transactions and topic ids need, with Java's retriable flags", () => {
    const expected: Array<[number, string, boolean]> = [
      [47, "INVALID_PRODUCER_EPOCH", false],
      [48, "INVALID_TXN_STATE", false],
      [49, "INVALID_PRODUCER_ID_MAPPING", false],
      [50, "INVALID_TRANSACTION_TIMEOUT", false],
      [51, "CONCURRENT_TRANSACTIONS", true],
      [53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false],
      [90, "PRODUCER_FENCED", false],
      [100, "UNKNOWN_TOPIC_ID", true],
      [120, "TRANSACTION_ABORTABLE", false],
      [129, "REBOOTSTRAP_REQUIRED", false],
      [133, "SHARE_SESSION_LIMIT_REACHED", true],
    ];
    for (const [code, name, retriable] of expected) {
      const info = errorCodeInfo(code);
      assert.deepEqual([info.name, info.retriable], [name, retriable], `code ${code}`);
    }
    assert.equal(errorCodeInfo(137).name, "UNKNOWN_ERROR_CODE_137");
  });
});
