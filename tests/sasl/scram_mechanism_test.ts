// SCRAM-SHA-256/512 (RFC 5802, RFC 7677). The SHA-256 exchange is RFC 7677's own example;
// SHA-512 has no RFC example and is checked against an independent server (node:crypto) in
// tests/connection/sasl_connection_test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError } from "../../src/errors/security_errors.ts";
import { ScramMechanism } from "../../src/sasl/scram_mechanism.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

// RFC 7677 section 3.
const RFC = {
  user: "user",
  password: "pencil",
  clientNonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst:
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

function rfcScram(): ScramMechanism {
  return new ScramMechanism("SCRAM-SHA-256", RFC.user, RFC.password, {
    nonce: () => RFC.clientNonce,
  });
}

async function refusal(promise: Promise<unknown>): Promise<AuthenticationError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AuthenticationError, String(error));
  return error;
}

describe("ScramMechanism", () => {
  it("ScramMechanism replays RFC 7677's SCRAM-SHA-256 example byte for byte", async () => {
    const exchange = await rfcScram().authenticate();
    assert.equal(decode(exchange.initialResponse), RFC.clientFirst);
    assert.equal(decode(await exchange.next(encode(RFC.serverFirst))), RFC.clientFinal);
    assert.equal(await exchange.next(encode(RFC.serverFinal)), undefined);
  });

  it("ScramMechanism refuses a server-final whose signature does not verify", async () => {
    const exchange = await rfcScram().authenticate();
    await exchange.next(encode(RFC.serverFirst));
    const forged = "v=" + btoa("x".repeat(32));
    const error = await refusal(exchange.next(encode(forged)));
    assert.equal(error.code, "SASL_SERVER_SIGNATURE");
    assert.ok(!error.message.includes(RFC.password));
  });

  it("ScramMechanism refuses a server-final without a signature, or with e=", async () => {
    for (const final of ["", "e=invalid-proof"]) {
      const exchange = await rfcScram().authenticate();
      await exchange.next(encode(RFC.serverFirst));
      await refusal(exchange.next(encode(final)));
    }
  });

  it("ScramMechanism refuses a server nonce that does not extend the client's", async () => {
    for (
      const serverFirst of [
        "r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        `r=${RFC.clientNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, // no server part
      ]
    ) {
      const exchange = await rfcScram().authenticate();
      const error = await refusal(exchange.next(encode(serverFirst)));
      assert.match(error.message, /nonce/);
    }
  });

  it("ScramMechanism refuses fewer than 4096 iterations, a missing salt and extensions (m=)", async () => {
    for (
      const serverFirst of [
        `r=${RFC.clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095`,
        `r=${RFC.clientNonce}x,i=4096`,
        `m=ext,r=${RFC.clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`,
      ]
    ) {
      const exchange = await rfcScram().authenticate();
      await refusal(exchange.next(encode(serverFirst)));
    }
  });

  it("ScramMechanism escapes '=' and ',' in the user name (saslname)", async () => {
    const scram = new ScramMechanism("SCRAM-SHA-512", "a=b,c", "p", { nonce: () => "n" });
    const exchange = await scram.authenticate();
    assert.equal(decode(exchange.initialResponse), "n,,n=a=3Db=2Cc,r=n");
  });

  it("ScramMechanism makes a fresh random nonce per exchange", async () => {
    const scram = new ScramMechanism("SCRAM-SHA-256", "u", "p");
    const a = decode((await scram.authenticate()).initialResponse);
    const b = decode((await scram.authenticate()).initialResponse);
    assert.notEqual(a, b);
    assert.match(a, /^n,,n=u,r=[A-Za-z0-9+/=]{32}$/);
  });

  it("ScramMechanism keeps the password out of JSON.stringify", () => {
    const scram = new ScramMechanism("SCRAM-SHA-512", "alice", "alice-secret");
    assert.equal(JSON.stringify(scram), '{"mechanism":"SCRAM-SHA-512","username":"alice"}');
    assert.ok(!JSON.stringify({ scram }).includes("alice-secret"));
  });
});
