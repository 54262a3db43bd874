// A fake broker that authenticates like Kafka's SASL listeners, on top of fake_broker.ts: it
// answers SaslHandshake v0-1 and SaslAuthenticate v0-2 for PLAIN, SCRAM-SHA-256/512 (the
// server side of RFC 5802, with node:crypto: independent of the client's WebCrypto code) and
// OAUTHBEARER, closes connections that send other requests before authenticating (as Kafka
// does), and supports KIP-368 session lifetimes and re-authentication.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import type { TlsOptions } from "node:tls";
import { ApiKey } from "../../src/protocol/api_keys.ts";
import { Writer } from "../../src/protocol/writer.ts";
import { type FakeBroker, type FakeRequest, startFakeBroker } from "./fake_broker.ts";

/** How the fake authenticates. */
export interface FakeSaslOptions {
  /** Mechanisms its listener enables. @default PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER */
  mechanisms?: string[];
  /** Users and passwords (PLAIN and SCRAM). @default { alice: "alice-secret" } */
  users?: Record<string, string>;
  /** Tokens OAUTHBEARER accepts. @default ["good-token"] */
  tokens?: string[];
  /** SaslAuthenticate's session_lifetime_ms (v1+). @default 0 */
  sessionLifetimeMs?: number;
  /** Send a SCRAM server-final with a wrong signature (a server that does not know the password). */
  forgeServerSignature?: boolean;
  /** SCRAM iterations the server asks for. @default 4096 */
  scramIterations?: number;
  /** Highest SaslAuthenticate version offered. @default 2 */
  saslAuthenticateMax?: number;
  /** Other requests of authenticated connections. */
  onRequest?: (request: FakeRequest) => void;
  /** Serve TLS (SASL_SSL). */
  tls?: TlsOptions;
}

/** What a connection did, in order, e.g. "handshake SCRAM-SHA-256", "authenticated". */
export interface FakeSaslBroker extends FakeBroker {
  readonly events: string[];
  /** Non-SASL requests that arrived while a connection was (re-)authenticating. */
  readonly violations: string[];
  /** The OAUTHBEARER extensions of the last token accepted. */
  readonly lastExtensions: Record<string, string>;
}

interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

interface SocketState {
  authenticated: boolean;
  mechanism: string | undefined;
  /** SCRAM: the state after client-first. */
  scram?: {
    hash: string;
    bare: string;
    serverFirst: string;
    nonce: string;
    credential: ScramCredential;
  } | undefined;
  /** OAUTHBEARER: a refused token, waiting for the client's %x01. */
  oauthRefused?: boolean;
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeSaslBroker(options: FakeSaslOptions = {}): Promise<FakeSaslBroker> {
  const mechanisms = options.mechanisms ??
    ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];
  const users = options.users ?? { alice: "alice-secret" };
  const tokens = options.tokens ?? ["good-token"];
  const iterations = options.scramIterations ?? 4096;
  const credentials = new Map<string, ScramCredential>(); // "hash/user"
  for (const [user, password] of Object.entries(users)) {
    for (const hash of ["sha256", "sha512"]) {
      const salt = randomBytes(16);
      const length = hash === "sha256" ? 32 : 64;
      const salted = pbkdf2Sync(password, salt, iterations, length, hash);
      const clientKey = createHmac(hash, salted).update("Client Key").digest();
      credentials.set(`${hash}/${user}`, {
        salt,
        storedKey: createHash(hash).update(clientKey).digest(),
        serverKey: createHmac(hash, salted).update("Server Key").digest(),
      });
    }
  }
  const events: string[] = [];
  const violations: string[] = [];
  const lastExtensions: Record<string, string> = {};
  const states = new WeakMap<Socket, SocketState>();
  const stateOf = (socket: Socket) => {
    let state = states.get(socket);
    if (state === undefined) {
      state = { authenticated: false, mechanism: undefined };
      states.set(socket, state);
    }
    return state;
  };

  const onRequest = (request: FakeRequest) => {
    const state = stateOf(request.socket);
    if (request.apiKey === ApiKey.SaslHandshake) {
      const mechanism = request.body.string();
      events.push(`handshake ${mechanism}`);
      const enabled = mechanisms.includes(mechanism);
      if (enabled) {
        state.mechanism = mechanism;
        state.authenticated = false;
      }
      reply(request, (w) => {
        w.int16(enabled ? 0 : 33).int32(mechanisms.length);
        for (const m of mechanisms) w.string(m);
      });
      return;
    }
    if (request.apiKey === ApiKey.SaslAuthenticate) {
      const flexible = request.version >= 2;
      if (flexible) request.body.readTaggedFields();
      const bytes = flexible ? request.body.compactBytes() : request.body.bytes();
      const answer = authenticate(state, new Uint8Array(bytes));
      events.push(
        answer.error === undefined ? (answer.done ? "authenticated" : "step") : "refused",
      );
      reply(request, (w) => {
        w.int16(answer.error === undefined ? 0 : 58);
        const message = answer.error ?? null;
        if (flexible) w.compactNullableString(message).compactBytes(answer.bytes);
        else w.nullableString(message).bytes(answer.bytes);
        if (request.version >= 1) {
          w.int64(BigInt(answer.done ? options.sessionLifetimeMs ?? 0 : 0));
        }
        if (flexible) w.emptyTaggedFields();
      }, flexible);
      if (answer.error !== undefined) setTimeout(() => request.socket.destroy(), 10);
      return;
    }
    if (!state.authenticated) {
      // Kafka: any other request before (or during re-) authentication closes the connection.
      violations.push(`${request.apiKey} before authentication`);
      events.push(`violation ${request.apiKey}`);
      request.socket.destroy();
      return;
    }
    events.push(`request ${request.apiKey}`);
    options.onRequest?.(request);
  };

  const authenticate = (
    state: SocketState,
    bytes: Uint8Array,
  ): { bytes: Uint8Array; done: boolean; error?: string } => {
    const text = new TextDecoder().decode(bytes);
    const refuse = () => ({
      bytes: new Uint8Array(0),
      done: false,
      error:
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${state.mechanism}`,
    });
    switch (state.mechanism) {
      case "PLAIN": {
        const [, user, password] = text.split("\0");
        if (user === undefined || users[user] === undefined || users[user] !== password) {
          return refuse();
        }
        state.authenticated = true;
        return { bytes: new Uint8Array(0), done: true };
      }
      case "SCRAM-SHA-256":
      case "SCRAM-SHA-512": {
        const hash = state.mechanism === "SCRAM-SHA-256" ? "sha256" : "sha512";
        if (state.scram === undefined) {
          // client-first: n,,n=user,r=nonce
          const bare = text.slice(3);
          const user = /n=([^,]*)/.exec(bare)?.[1] ?? "";
          const clientNonce = /r=([^,]*)/.exec(bare)?.[1] ?? "";
          // Unknown users get a made-up credential (as Kafka: no user enumeration).
          const credential = credentials.get(`${hash}/${user}`) ?? {
            salt: randomBytes(16),
            storedKey: randomBytes(hash === "sha256" ? 32 : 64),
            serverKey: randomBytes(hash === "sha256" ? 32 : 64),
          };
          const nonce = clientNonce + randomBytes(12).toString("base64");
          const serverFirst = `r=${nonce},s=${credential.salt.toString("base64")},i=${iterations}`;
          state.scram = { hash, bare, serverFirst, nonce, credential };
          return { bytes: new TextEncoder().encode(serverFirst), done: false };
        }
        // client-final: c=biws,r=nonce,p=proof
        const { bare, serverFirst, nonce, credential } = state.scram;
        state.scram = undefined;
        const proof = Buffer.from(/,p=(.*)$/.exec(text)?.[1] ?? "", "base64");
        const withoutProof = text.slice(0, text.lastIndexOf(",p="));
        if (!withoutProof.endsWith(`r=${nonce}`)) return refuse();
        const authMessage = `${bare},${serverFirst},${withoutProof}`;
        const clientSignature = createHmac(hash, credential.storedKey).update(authMessage).digest();
        if (proof.length !== clientSignature.length) return refuse();
        const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]!));
        const stored = createHash(hash).update(clientKey).digest();
        if (!timingSafeEqual(stored, credential.storedKey)) return refuse();
        let serverSignature = createHmac(hash, credential.serverKey).update(authMessage).digest();
        if (options.forgeServerSignature) serverSignature = randomBytes(serverSignature.length);
        state.authenticated = true;
        return {
          bytes: new TextEncoder().encode(`v=${serverSignature.toString("base64")}`),
          done: true,
        };
      }
      case "OAUTHBEARER": {
        if (state.oauthRefused) return refuse(); // the client's %x01 after our error
        const parts = text.split("\x01");
        const token = /^auth=Bearer (.*)$/.exec(parts[1] ?? "")?.[1];
        if (!text.startsWith("n,,\x01") || token === undefined || !tokens.includes(token)) {
          state.oauthRefused = true;
          return {
            bytes: new TextEncoder().encode('{"status":"invalid_token"}'),
            done: false,
          };
        }
        for (const key of Object.keys(lastExtensions)) delete lastExtensions[key];
        for (const part of parts.slice(2)) {
          const eq = part.indexOf("=");
          if (eq > 0) lastExtensions[part.slice(0, eq)] = part.slice(eq + 1);
        }
        state.authenticated = true;
        return { bytes: new Uint8Array(0), done: true };
      }
    }
    return refuse();
  };

  const broker = await startFakeBroker({
    apis: [
      [ApiKey.Produce, 3, 9],
      [ApiKey.Metadata, 1, 1],
      [ApiKey.ApiVersions, 0, 2],
      [ApiKey.SaslHandshake, 0, 1],
      [ApiKey.SaslAuthenticate, 0, options.saslAuthenticateMax ?? 2],
    ],
    onRequest,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  return Object.assign(broker, { events, violations, lastExtensions });
}

/** Writes a response: header v0 (or v1 with tags when flexible), then the body. */
function reply(request: FakeRequest, write: (w: Writer) => void, flexible = false): void {
  const w = new Writer(256);
  const size = w.reserve(4);
  w.int32(request.correlationId);
  if (flexible) w.emptyTaggedFields();
  write(w);
  w.setInt32At(size, w.length - 4);
  if (!request.socket.destroyed) request.socket.write(w.toBytes().slice());
}
