// Kafka prints UUIDs as URL-safe base64 without padding (Java's Uuid.toString(); the Java
// cross-check compares with Java itself). Expected strings derived by hand: 11 22 33 → "ESIz".
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isZeroUuid, uuidToString } from "../../src/protocol/uuid.ts";
import { hex } from "./hex.ts";

describe("uuidToString()", () => {
  it("uuidToString() writes 22 URL-safe base64 characters without padding", () => {
    // 0x112233 → 000100 010010 001000 110011 → E S I z
    assert.equal(
      uuidToString(hex`11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00`),
      "ESIzRFVmd4iZqrvM3e7_AA",
    );
    // 0xffffff → "////" in standard base64, "____" URL-safe; 0xfbefbe → 111110 ×4 → "----";
    // the last byte 0xfb → 111110 11(0000) → "-w".
    assert.equal(
      uuidToString(hex`ff ff ff fb ef be ${new Uint8Array(9)} fb`),
      "____----AAAAAAAAAAAA-w",
    );
    assert.equal(uuidToString(new Uint8Array(16)), "AAAAAAAAAAAAAAAAAAAAAA");
  });

  it("uuidToString() rejects anything but 16 bytes", () => {
    assert.throws(() => uuidToString(new Uint8Array(15)), RangeError);
    assert.throws(() => uuidToString(new Uint8Array(17)), /16/);
  });
});

describe("isZeroUuid()", () => {
  it("isZeroUuid() is true only when every byte is 0", () => {
    assert.equal(isZeroUuid(new Uint8Array(16)), true);
    for (let i = 0; i < 16; i++) {
      const bytes = new Uint8Array(16);
      bytes[i] = 1;
      assert.equal(isZeroUuid(bytes), false, `byte ${i}`);
    }
  });
});
