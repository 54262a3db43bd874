import type { SaslExchange, SaslMechanism, SaslTarget } from "./sasl_mechanism.ts";

/**
 * SASL PLAIN (RFC 4616): one message, "\0username\0password" in UTF-8 (no authorization id, as
 * Java's `PlainLoginModule` sends). The password crosses the network as is: use it over TLS
 * (`securityProtocol: "SASL_SSL"`). The password is kept in a private field; `toJSON()` shows
 * the mechanism and user only.
 *
 * @example
 * ```ts
 * import { PlainMechanism } from "./plain_mechanism.ts";
 * const plain = new PlainMechanism("alice", "alice-secret");
 * const exchange = await plain.authenticate({ host: "b1", port: 9092, nodeId: 1 });
 * if (new TextDecoder().decode(exchange.initialResponse) !== "\0alice\0alice-secret") throw new Error();
 * if (await exchange.next(new Uint8Array(0)) !== undefined) throw new Error("one message");
 * if (JSON.stringify(plain) !== '{"mechanism":"PLAIN","username":"alice"}') throw new Error();
 * ```
 */
export class PlainMechanism implements SaslMechanism {
  /** "PLAIN". */
  readonly mechanism = "PLAIN";
  /** The user name (`username` in the JAAS config; librdkafka's `sasl.username`). */
  readonly username: string;
  readonly #password: string;

  /**
   * @param username The user.
   * @param password Their password (never logged).
   */
  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
  }

  /**
   * Starts the one-message exchange.
   *
   * @param _target The broker (PLAIN's message is the same for every broker).
   * @returns The exchange: the message, then done on the broker's (empty) answer.
   */
  authenticate(_target?: SaslTarget): Promise<SaslExchange> {
    const initialResponse = new TextEncoder().encode(`\0${this.username}\0${this.#password}`);
    return Promise.resolve({ initialResponse, next: () => Promise.resolve(undefined) });
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
