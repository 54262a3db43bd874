/** The broker a SASL exchange authenticates to (for mechanisms that sign per host). */
export interface SaslTarget {
  /** The broker's host, as connected to. */
  readonly host: string;
  /** The broker's port. */
  readonly port: number;
  /** The broker's id, or -1 for a bootstrap connection. */
  readonly nodeId: number;
}

/**
 * One authentication exchange of a {@linkcode SaslMechanism}: the client's first message,
 * then one step per broker answer. Each message travels in a SaslAuthenticate request; each
 * answer is that request's `auth_bytes`.
 */
export interface SaslExchange {
  /** The client's first message (e.g. PLAIN's "\0user\0password", SCRAM's client-first). */
  readonly initialResponse: Uint8Array;
  /**
   * Takes the broker's answer to the last message sent.
   *
   * @param challenge The broker's `auth_bytes` (empty when it sent none).
   * @returns The next message to send, or undefined when the exchange is complete (the
   * broker has accepted, and, where the mechanism allows, proven itself).
   * @throws {AuthenticationError} When the answer is wrong: e.g. a SCRAM server signature
   * that does not verify (a server that does not know the password). Never include secrets
   * in the message.
   */
  next(challenge: Uint8Array): Promise<Uint8Array | undefined>;
}

/**
 * A SASL mechanism: what `sasl` in the producer config takes besides the built-in
 * `{ mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512", username, password }` and
 * `{ mechanism: "OAUTHBEARER", token }`, so that other mechanisms (AWS MSK IAM, GSSAPI, …)
 * can be plugged in without changing sluice.
 *
 * Each connection runs ApiVersions → SaslHandshake v1 (`mechanism`) → SaslAuthenticate
 * (`authenticate()`'s exchange, one request per message) before any other request; when the
 * broker gives the session a lifetime (KIP-368), the connection calls `authenticate()` again
 * before it ends (requests keep flowing around it). Keep secrets in `#private` fields, so that
 * `JSON.stringify(producer.config)` and logs never show them, and never put them in errors.
 *
 * @example A custom mechanism (here PLAIN by hand; use `{ mechanism: "PLAIN", … }` instead)
 * ```ts
 * import type { SaslExchange, SaslMechanism } from "./sasl_mechanism.ts";
 * class MyPlain implements SaslMechanism {
 *   readonly mechanism = "PLAIN";
 *   readonly #username: string;
 *   readonly #password: string;
 *   constructor(username: string, password: string) {
 *     this.#username = username;
 *     this.#password = password;
 *   }
 *   authenticate(): Promise<SaslExchange> {
 *     const initialResponse = new TextEncoder().encode(`\0${this.#username}\0${this.#password}`);
 *     return Promise.resolve({ initialResponse, next: () => Promise.resolve(undefined) });
 *   }
 * }
 * const mechanism: SaslMechanism = new MyPlain("alice", "secret");
 * if (JSON.stringify(mechanism).includes("secret")) throw new Error("the password leaked");
 * ```
 */
export interface SaslMechanism {
  /** The mechanism's name as brokers know it (SaslHandshake), e.g. "AWS_MSK_IAM". */
  readonly mechanism: string;
  /**
   * Starts one exchange, for a new connection or a re-authentication. May wait (e.g. to
   * fetch or refresh a token).
   *
   * @param target The broker being authenticated to.
   * @returns The exchange.
   * @throws {AuthenticationError} When no exchange can start (e.g. no token can be had).
   */
  authenticate(target: SaslTarget): Promise<SaslExchange>;
}
