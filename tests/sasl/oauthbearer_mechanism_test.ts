import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError } from "../../src/errors/security_errors.ts";
import {
  OAuthBearerMechanism,
  type OAuthBearerToken,
} from "../../src/sasl/oauthbearer_mechanism.ts";

const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

async function refusal(promise: Promise<unknown>): Promise<AuthenticationError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(error.code, "SASL_TOKEN");
  return error;
}

describe("OAuthBearerMechanism", () => {
  it("OAuthBearerMechanism sends the RFC 7628 initial response with extensions", async () => {
    const oauth = new OAuthBearerMechanism(() =>
      Promise.resolve({ value: "tok", lifetimeMs: 1000, extensions: { a: "1", bB: "x y" } })
    );
    const exchange = await oauth.authenticate();
    assert.equal(
      decode(exchange.initialResponse),
      "n,,\x01auth=Bearer tok\x01a=1\x01bB=x y\x01\x01",
    );
    assert.equal(await exchange.next(new Uint8Array(0)), undefined, "an empty answer: done");
  });

  it("OAuthBearerMechanism acknowledges the broker's JSON error with %x01 (RFC 7628 3.2.3)", async () => {
    const oauth = new OAuthBearerMechanism(() => Promise.resolve({ value: "t", lifetimeMs: 1000 }));
    const exchange = await oauth.authenticate();
    const ack = await exchange.next(new TextEncoder().encode('{"status":"invalid_token"}'));
    assert.deepEqual(ack, Uint8Array.of(1));
  });

  it("OAuthBearerMechanism refreshes the token once 80% of its lifetime has passed, sharing one fetch", async () => {
    let now = 1_000_000;
    let calls = 0;
    const oauth = new OAuthBearerMechanism(() => {
      calls++;
      return Promise.resolve({ value: `token-${calls}`, lifetimeMs: 10_000 });
    }, { now: () => now });
    const tokenIn = async () =>
      decode((await oauth.authenticate()).initialResponse).split("\x01")[1]!.slice(
        "auth=Bearer ".length,
      );
    const [a, b] = await Promise.all([tokenIn(), tokenIn()]);
    assert.equal(a, "token-1");
    assert.equal(b, "token-1");
    assert.equal(calls, 1);
    now += 7_999;
    assert.equal(await tokenIn(), "token-1", "still fresh at 79.99%");
    now += 1;
    assert.equal(await tokenIn(), "token-2", "refreshed at 80%, before it expires");
    assert.equal(calls, 2);
  });

  it("OAuthBearerMechanism fails with SASL_TOKEN when the callback throws, with its error as cause", async () => {
    const cause = new Error("HTTP 503 from the token endpoint");
    const error = await refusal(
      new OAuthBearerMechanism(() => Promise.reject(cause)).authenticate(),
    );
    assert.equal(error.cause, cause);
    assert.match(error.message, /HTTP 503/);
  });

  it("OAuthBearerMechanism describes whatever the callback throws, even a value String() cannot convert", async () => {
    const odd = Object.create(null);
    const oauth = new OAuthBearerMechanism(() => {
      throw odd;
    });
    const error = await refusal(oauth.authenticate());
    assert.match(error.message, /the token callback failed: an object with a null prototype/);
    assert.equal(error.cause, odd);
  });

  it("OAuthBearerMechanism refuses unusable tokens without showing them", async () => {
    const bad: unknown[] = [
      undefined,
      { value: "", lifetimeMs: 1000 },
      { value: "has\x01separator", lifetimeMs: 1000 },
      { value: "secret-token-value", lifetimeMs: 0 },
      { value: "secret-token-value", lifetimeMs: 1000, extensions: { auth: "x" } },
      { value: "secret-token-value", lifetimeMs: 1000, extensions: { "bad key": "x" } },
      { value: "secret-token-value", lifetimeMs: 1000, extensions: { k: "\x01" } },
    ];
    for (const token of bad) {
      const error = await refusal(
        new OAuthBearerMechanism(() => Promise.resolve(token as OAuthBearerToken)).authenticate(),
      );
      assert.ok(!error.message.includes("secret-token-value"), error.message);
    }
  });

  it("OAuthBearerMechanism keeps the token out of JSON.stringify", async () => {
    const oauth = new OAuthBearerMechanism(() =>
      Promise.resolve({ value: "secret-token-value", lifetimeMs: 1000, principal: "svc" })
    );
    await oauth.authenticate();
    assert.equal(JSON.stringify(oauth), '{"mechanism":"OAUTHBEARER","principal":"svc"}');
  });
});
