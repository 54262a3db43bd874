import { AuthenticationError } from "../errors/security_errors.ts";
import type { SaslExchange, SaslMechanism, SaslTarget } from "./sasl_mechanism.ts";

/** Options of {@linkcode ScramMechanism}. */
export interface ScramOptions {
  /**
   * Makes the client nonce (printable ASCII without ","). Tests fix it to replay RFC 7677's
   * example. @default 24 random bytes (WebCrypto), base64
   */
  nonce?: () => string;
}

/** Kafka's minimum PBKDF2 iteration count for SCRAM-SHA-256 and -512 (as Java's client checks). */
const MIN_ITERATIONS = 4096;

/**
 * SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) with WebCrypto (PBKDF2, HMAC,
 * SHA-2), present on Deno, Bun and Node. Two round trips:
 *
 *     client-first  n,,n=<user>,r=<client nonce>
 *     server-first  r=<client nonce + server nonce>,s=<salt>,i=<iterations>
 *     client-final  c=biws,r=<nonce>,p=<ClientKey XOR HMAC(StoredKey, AuthMessage)>
 *     server-final  v=<HMAC(ServerKey, AuthMessage)>
 *
 * where SaltedPassword = PBKDF2(password, salt, iterations), ClientKey = HMAC(SaltedPassword,
 * "Client Key"), StoredKey = H(ClientKey), ServerKey = HMAC(SaltedPassword, "Server Key") and
 * AuthMessage = client-first-bare "," server-first "," client-final-without-proof.
 *
 * The server must prove it knows the password too: a server-final whose signature does not
 * verify fails with `AuthenticationError` ("SASL_SERVER_SIGNATURE"), as does a server-first
 * whose nonce does not extend ours or that asks for fewer than 4096 iterations. The password
 * (UTF-8, as Kafka reads it) stays in a private field; `toJSON()` shows mechanism and user.
 *
 * @example RFC 7677's SCRAM-SHA-256 example, replayed
 * ```ts
 * import { ScramMechanism } from "./scram_mechanism.ts";
 * const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
 * const scram = new ScramMechanism("SCRAM-SHA-256", "user", "pencil", { nonce: () => "rOprNGfwEbeRWgbNEkqO" });
 * const exchange = await scram.authenticate({ host: "b1", port: 9092, nodeId: 1 });
 * if (text(exchange.initialResponse) !== "n,,n=user,r=rOprNGfwEbeRWgbNEkqO") throw new Error();
 * const final = await exchange.next(new TextEncoder().encode(
 *   "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
 * ));
 * if (!text(final).endsWith(",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")) throw new Error(text(final));
 * const done = await exchange.next(new TextEncoder().encode("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
 * if (done !== undefined) throw new Error("the server's signature verifies: done");
 * ```
 */
export class ScramMechanism implements SaslMechanism {
  /** "SCRAM-SHA-256" or "SCRAM-SHA-512". */
  readonly mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /** The user name. */
  readonly username: string;
  readonly #password: string;
  readonly #hash: "SHA-256" | "SHA-512";
  readonly #nonce: () => string;

  /**
   * @param mechanism Which hash.
   * @param username The user.
   * @param password Their password (never logged).
   * @param options The nonce source (tests).
   * @throws {TypeError} When `mechanism` is not a SCRAM-SHA-2 mechanism.
   */
  constructor(
    mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512",
    username: string,
    password: string,
    options: ScramOptions = {},
  ) {
    if (mechanism !== "SCRAM-SHA-256" && mechanism !== "SCRAM-SHA-512") {
      throw new TypeError(
        `Invalid SCRAM mechanism "${String(mechanism)}": "SCRAM-SHA-256" or "SCRAM-SHA-512"`,
      );
    }
    this.mechanism = mechanism;
    this.username = username;
    this.#password = password;
    this.#hash = mechanism === "SCRAM-SHA-256" ? "SHA-256" : "SHA-512";
    this.#nonce = options.nonce ?? randomNonce;
  }

  /**
   * Starts an exchange with a fresh nonce.
   *
   * @param _target The broker (SCRAM's messages do not depend on it).
   * @returns The exchange (client-first, then client-final, then the server's proof checked).
   */
  authenticate(_target?: SaslTarget): Promise<SaslExchange> {
    const hash = this.#hash;
    const password = this.#password;
    const clientNonce = this.#nonce();
    const clientFirstBare = `n=${saslName(this.username)},r=${clientNonce}`;
    let expectedServerSignature: Uint8Array | undefined;
    let step = 0;
    const next = async (challenge: Uint8Array): Promise<Uint8Array | undefined> => {
      const message = new TextDecoder().decode(challenge);
      if (step === 0) {
        step = 1;
        const server = parseAttributes(message);
        const nonce = server.get("r");
        const salt = server.get("s");
        const iterations = Number(server.get("i"));
        if (server.has("m")) throw refused("the server asked for an unsupported extension");
        if (nonce === undefined || !nonce.startsWith(clientNonce) || nonce === clientNonce) {
          throw refused("the server's nonce does not extend the client's");
        }
        if (salt === undefined || salt === "" || !Number.isInteger(iterations)) {
          throw refused("the server's first message lacks a salt or an iteration count");
        }
        if (iterations < MIN_ITERATIONS) {
          throw refused(
            `the server asked for ${iterations} iterations, fewer than the minimum ${MIN_ITERATIONS}`,
          );
        }
        const withoutProof = `c=biws,r=${nonce}`; // biws = base64("n,,"): no channel binding
        const authMessage = new TextEncoder().encode(
          `${clientFirstBare},${message},${withoutProof}`,
        );
        const salted = await pbkdf2(hash, password, fromBase64(salt), iterations);
        const clientKey = await hmac(hash, salted, "Client Key");
        const storedKey = new Uint8Array(
          await crypto.subtle.digest(hash, clientKey as Uint8Array<ArrayBuffer>),
        );
        const clientSignature = await hmac(hash, storedKey, authMessage);
        const proof = clientKey.map((byte, i) => byte ^ clientSignature[i]!);
        expectedServerSignature = await hmac(
          hash,
          await hmac(hash, salted, "Server Key"),
          authMessage,
        );
        return new TextEncoder().encode(`${withoutProof},p=${toBase64(proof)}`);
      }
      if (step === 1) {
        step = 2;
        const server = parseAttributes(message);
        const error = server.get("e");
        if (error !== undefined) throw refused(`the server refused: ${error}`);
        const signature = server.get("v");
        if (
          signature === undefined ||
          !equalBytes(fromBase64(signature), expectedServerSignature!)
        ) {
          throw new AuthenticationError(
            `SCRAM authentication of "${this.username}" refused the broker: its signature does ` +
              `not verify, so it does not know the password (a misconfigured or impostor broker)`,
            "SASL_SERVER_SIGNATURE",
          );
        }
        return undefined;
      }
      throw refused("the server sent a message after the exchange ended");
    };
    return Promise.resolve({
      initialResponse: new TextEncoder().encode(`n,,${clientFirstBare}`),
      next,
    });
  }

  /**
   * The mechanism and user, without the password.
   *
   * @returns A JSON-safe summary.
   */
  toJSON(): Record<string, unknown> {
    return { mechanism: this.mechanism, username: this.username };
  }
}

function refused(reason: string): AuthenticationError {
  return new AuthenticationError(`SCRAM authentication failed: ${reason}`, "ILLEGAL_SASL_STATE");
}

/** RFC 5802 saslname: "=" and "," escaped. */
function saslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** "a=1,b=2" → Map; a value may contain "=" (base64), never ",". */
function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) attributes.set(part[0]!, part.slice(2));
  }
  return attributes;
}

async function pbkdf2(
  hash: string,
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = hash === "SHA-256" ? 256 : 512;
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash, salt: salt as Uint8Array<ArrayBuffer>, iterations },
      key,
      bits,
    ),
  );
}

async function hmac(
  hash: string,
  key: Uint8Array,
  data: Uint8Array | string,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", cryptoKey, bytes as Uint8Array<ArrayBuffer>),
  );
}

/** Compares in time independent of where the bytes differ. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function randomNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw refused("the server sent invalid base64");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
