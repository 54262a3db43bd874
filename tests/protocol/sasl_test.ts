// Golden bytes derived by hand from SaslHandshake{Request,Response}.json (v0-v1) and
// SaslAuthenticate{Request,Response}.json (v0-v2): see golden_sasl.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/writer.ts";
import { Reader } from "../../src/protocol/reader.ts";
import { SaslHandshakeApi } from "../../src/protocol/sasl_handshake.ts";
import { SaslAuthenticateApi } from "../../src/protocol/sasl_authenticate.ts";
import { encodeRequestFrame } from "../../src/protocol/request_frame.ts";
import { ProtocolError } from "../../src/errors/client_errors.ts";
import { hex } from "./hex.ts";
import {
  SASL_AUTH_BYTES,
  SASL_AUTHENTICATE_FAILURE_V2,
  SASL_AUTHENTICATE_REQUESTS,
  SASL_AUTHENTICATE_RESPONSES,
  SASL_HANDSHAKE_MECHANISM,
  SASL_HANDSHAKE_MECHANISMS,
  SASL_HANDSHAKE_REQUEST,
  SASL_HANDSHAKE_RESPONSE,
  saslAuthenticateResponse,
} from "./golden_sasl.ts";

function encodeHandshake(version: number, mechanism: string): Uint8Array {
  const writer = new Writer(1);
  SaslHandshakeApi.encodeRequest(writer, version, { mechanism });
  return writer.toBytes();
}

function encodeAuthenticate(version: number, authBytes: Uint8Array): Uint8Array {
  const writer = new Writer(1);
  SaslAuthenticateApi.encodeRequest(writer, version, { authBytes });
  return writer.toBytes();
}

describe("SaslHandshakeApi", () => {
  for (const v of [0, 1]) {
    it(`SaslHandshakeApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encodeHandshake(v, SASL_HANDSHAKE_MECHANISM), SASL_HANDSHAKE_REQUEST);
    });

    it(`SaslHandshakeApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(SASL_HANDSHAKE_RESPONSE);
      assert.deepEqual(SaslHandshakeApi.decodeResponse(reader, v), {
        errorCode: 0,
        mechanisms: SASL_HANDSHAKE_MECHANISMS,
      });
      assert.equal(reader.remaining, 0);
    });
  }

  it("SaslHandshakeApi.decodeResponse() reads UNSUPPORTED_SASL_MECHANISM with the enabled list", () => {
    const body = hex`00 21  00 00 00 01  00 05 50 4c 41 49 4e  # error 33, ["PLAIN"]`;
    assert.deepEqual(SaslHandshakeApi.decodeResponse(new Reader(body), 1), {
      errorCode: 33,
      mechanisms: ["PLAIN"],
    });
  });

  it("SaslHandshakeApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (const v of [0, 1]) {
      for (let cut = 0; cut < SASL_HANDSHAKE_RESPONSE.length; cut++) {
        assert.throws(
          () =>
            SaslHandshakeApi.decodeResponse(
              new Reader(SASL_HANDSHAKE_RESPONSE.subarray(0, cut)),
              v,
            ),
          ProtocolError,
          `v${v} cut ${cut}`,
        );
      }
    }
    const nullMechanism = hex`00 00 00 00 00 01 ff ff`;
    assert.throws(
      () => SaslHandshakeApi.decodeResponse(new Reader(nullMechanism), 1),
      ProtocolError,
    );
  });

  it("SaslHandshakeApi frames use request header v1 in every version (never flexible)", () => {
    const frame = encodeRequestFrame(SaslHandshakeApi, 1, 3, "c", { mechanism: "PLAIN" });
    assert.deepEqual(
      frame,
      hex`
        00 00 00 12               # size 18
        00 11 00 01               # api key 17, version 1
        00 00 00 03               # correlation id 3
        00 01 63                  # client id "c", no TAG_BUFFER (header v1)
        00 05 50 4c 41 49 4e      # mechanism "PLAIN"
      `,
    );
  });
});

describe("SaslAuthenticateApi", () => {
  for (const v of [0, 1, 2]) {
    it(`SaslAuthenticateApi.encodeRequest() writes v${v}`, () => {
      assert.deepEqual(encodeAuthenticate(v, SASL_AUTH_BYTES), SASL_AUTHENTICATE_REQUESTS[v]);
    });

    it(`SaslAuthenticateApi.decodeResponse() reads v${v}`, () => {
      const reader = new Reader(SASL_AUTHENTICATE_RESPONSES[v]!);
      assert.deepEqual(SaslAuthenticateApi.decodeResponse(reader, v), saslAuthenticateResponse(v));
      assert.equal(reader.remaining, 0);
    });
  }

  it("SaslAuthenticateApi.encodeRequest() writes empty bytes", () => {
    assert.deepEqual(encodeAuthenticate(0, new Uint8Array(0)), hex`00 00 00 00`);
    assert.deepEqual(encodeAuthenticate(2, new Uint8Array(0)), hex`01 00  # compact 0 + 1, tags`);
  });

  it("SaslAuthenticateApi.decodeResponse() reads a failure with its message (v2)", () => {
    assert.deepEqual(
      SaslAuthenticateApi.decodeResponse(new Reader(SASL_AUTHENTICATE_FAILURE_V2), 2),
      {
        errorCode: 58,
        errorMessage: "Authentication failed",
        authBytes: new Uint8Array(0),
        sessionLifetimeMs: 0n,
      },
    );
  });

  it("SaslAuthenticateApi.decodeResponse() copies authBytes out of the response buffer", () => {
    const body = SASL_AUTHENTICATE_RESPONSES[1]!.slice();
    const response = SaslAuthenticateApi.decodeResponse(new Reader(body), 1);
    body.fill(0);
    assert.deepEqual(response.authBytes, hex`72 3d 31`);
  });

  it("SaslAuthenticateApi.decodeResponse() throws ProtocolError on every truncation", () => {
    for (const v of [0, 1, 2]) {
      const body = SASL_AUTHENTICATE_RESPONSES[v]!;
      for (let cut = 0; cut < body.length; cut++) {
        assert.throws(
          () => SaslAuthenticateApi.decodeResponse(new Reader(body.subarray(0, cut)), v),
          ProtocolError,
          `v${v} cut ${cut}`,
        );
      }
    }
    const nullBytes = hex`00 00 ff ff ff ff ff ff`;
    assert.throws(
      () => SaslAuthenticateApi.decodeResponse(new Reader(nullBytes), 0),
      ProtocolError,
    );
  });
});
