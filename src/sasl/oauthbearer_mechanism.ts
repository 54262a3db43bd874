import { describeThrown } from "../errors/describe_thrown.ts";
import { AuthenticationError } from "../errors/security_errors.ts";
import type { SaslExchange, SaslMechanism, SaslTarget } from "./sasl_mechanism.ts";

/** What an OAUTHBEARER token callback returns. */
export interface OAuthBearerToken {
  /** The token (e.g. a JWT), sent as "auth=Bearer <value>". Never logged. */
  value: string;
  /** How long the token is valid from now, in ms; it is refreshed before that. */
  lifetimeMs: number;
  /** Who the token is for (informational, as Java's `principalName`). @default undefined */
  principal?: string | undefined;
  /**
   * SASL extensions (KIP-342), e.g. Confluent Cloud's `logicalCluster` and `identityPoolId`:
   * keys of letters, values of printable ASCII. @default {}
   */
  extensions?: Readonly<Record<string, string>> | undefined;
}

/** Options of {@linkcode OAuthBearerMechanism}. */
export interface OAuthBearerOptions {
  /**
   * The share of a token's lifetime after which a new one is fetched (Java's
   * `sasl.login.refresh.window.factor`). @default 0.8
   */
  refreshWindowFactor?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

interface CachedToken {
  token: OAuthBearerToken;
  /** Fetch a new one from this time on (`Date.now()` ms). */
  refreshAt: number;
}

const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7E \t\r\n]+$/;

/**
 * SASL OAUTHBEARER (RFC 7628) with a token callback: the client's one message is
 * `n,,\x01auth=Bearer <token>\x01[key=value\x01]…\x01`, as Java's client sends it. Tokens are
 * cached and fetched again once 80% of their lifetime has passed (so every new connection
 * and every re-authentication — KIP-368, when the broker gives sessions a lifetime — carries
 * a token that is still valid); concurrent connections share one fetch.
 *
 * When the broker refuses the token it first answers with a JSON error (RFC 7628 §3.2.2);
 * the exchange acknowledges it with "\x01" and the broker then fails the request with its
 * own message. A callback that throws, or returns no usable token, fails the connection with
 * `AuthenticationError` ("SASL_TOKEN"), its error as `cause`.
 *
 * @example A token from a callback, cached until 80% of its lifetime
 * ```ts
 * import { OAuthBearerMechanism } from "./oauthbearer_mechanism.ts";
 * let fetched = 0;
 * const oauth = new OAuthBearerMechanism(() => {
 *   fetched++;
 *   return Promise.resolve({ value: "eyJhbGciOiJub25lIn0.e30.", lifetimeMs: 60_000 });
 * });
 * const target = { host: "b1", port: 9092, nodeId: 1 };
 * const first = await oauth.authenticate(target);
 * await oauth.authenticate(target);
 * if (fetched !== 1) throw new Error("the token is reused while fresh");
 * const message = new TextDecoder().decode(first.initialResponse);
 * if (message !== "n,,\x01auth=Bearer eyJhbGciOiJub25lIn0.e30.\x01\x01") throw new Error(message);
 * if (JSON.stringify(oauth).includes("eyJ")) throw new Error("the token leaked");
 * ```
 */
export class OAuthBearerMechanism implements SaslMechanism {
  /** "OAUTHBEARER". */
  readonly mechanism = "OAUTHBEARER";
  readonly #callback: () => Promise<OAuthBearerToken>;
  readonly #factor: number;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #fetching: Promise<OAuthBearerToken> | undefined;

  /**
   * @param token Returns a token; called when there is none or the cached one is due for a
   * refresh.
   * @param options The refresh window and the clock.
   */
  constructor(token: () => Promise<OAuthBearerToken>, options: OAuthBearerOptions = {}) {
    this.#callback = token;
    this.#factor = options.refreshWindowFactor ?? 0.8;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Starts an exchange with a valid token (fetching one when needed).
   *
   * @param _target The broker (the token is the same for every broker).
   * @returns The exchange.
   * @throws {AuthenticationError} ("SASL_TOKEN") When the callback fails or its token is
   * unusable.
   */
  async authenticate(_target?: SaslTarget): Promise<SaslExchange> {
    const token = await this.#token();
    let extensions = "";
    for (const [key, value] of Object.entries(token.extensions ?? {})) {
      extensions += `${key}=${value}\x01`;
    }
    const initialResponse = new TextEncoder().encode(
      `n,,\x01auth=Bearer ${token.value}\x01${extensions}\x01`,
    );
    let answered = false;
    return {
      initialResponse,
      next: (challenge) => {
        // An empty answer: accepted. A non-empty one is the broker's JSON error: acknowledge
        // it with %x01, and the broker fails the SaslAuthenticate with its reason.
        if (challenge.length === 0 || answered) return Promise.resolve(undefined);
        answered = true;
        return Promise.resolve(Uint8Array.of(1));
      },
    };
  }

  /**
   * The mechanism and whether a token is cached, never the token.
   *
   * @returns A JSON-safe summary.
   */
  toJSON(): Record<string, unknown> {
    return {
      mechanism: this.mechanism,
      principal: this.#cached?.token.principal ?? null,
    };
  }

  #token(): Promise<OAuthBearerToken> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.refreshAt) {
      return Promise.resolve(cached.token);
    }
    this.#fetching ??= this.#fetch().finally(() => this.#fetching = undefined);
    return this.#fetching;
  }

  async #fetch(): Promise<OAuthBearerToken> {
    const fetchedAt = this.#now();
    let token: OAuthBearerToken;
    try {
      token = await this.#callback();
    } catch (error) {
      throw new AuthenticationError(
        `Cannot authenticate with OAUTHBEARER: the token callback failed: ${describeThrown(error)}`,
        "SASL_TOKEN",
        { cause: error },
      );
    }
    checkToken(token);
    this.#cached = {
      token,
      refreshAt: fetchedAt + Math.floor(token.lifetimeMs * this.#factor),
    };
    return token;
  }
}

/** Checks a callback's token, naming what is wrong but never the token itself. */
function checkToken(token: OAuthBearerToken): void {
  const problem = token === null || typeof token !== "object"
    ? "it returned no { value, lifetimeMs } object"
    : typeof token.value !== "string" || token.value === "" || !VALUE.test(token.value) ||
        token.value.includes("\x01")
    ? `its "value" must be a non-empty token of printable ASCII`
    : typeof token.lifetimeMs !== "number" || !(token.lifetimeMs > 0)
    ? `its "lifetimeMs" must be a positive number of milliseconds`
    : extensionProblem(token.extensions);
  if (problem !== undefined) {
    throw new AuthenticationError(
      `Cannot authenticate with OAUTHBEARER: the token callback's result is unusable: ${problem}`,
      "SASL_TOKEN",
    );
  }
}

function extensionProblem(extensions: unknown): string | undefined {
  if (extensions === undefined) return undefined;
  if (extensions === null || typeof extensions !== "object") {
    return `its "extensions" must be an object of strings`;
  }
  for (const [key, value] of Object.entries(extensions)) {
    if (!KEY.test(key) || key === "auth") {
      return `extension "${key}" must be letters only, and not "auth"`;
    }
    if (typeof value !== "string" || !VALUE.test(value)) {
      return `extension "${key}" must be a string of printable ASCII`;
    }
  }
  return undefined;
}
