import process from "node:process";

/** PEM text, as a string or its bytes (e.g. a file read with `Deno.readFile`). */
export type Pem = string | Uint8Array;

/**
 * TLS settings (`ssl` in the producer config), for `securityProtocol` "SSL" and "SASL_SSL".
 * Certificates and keys are PEM, as strings or bytes; Java's PEM keystore and truststore
 * properties map onto these fields (`fromJavaProperties()`).
 *
 * @example mTLS with a private CA
 * ```ts
 * import type { SslConfig } from "./tls_settings.ts";
 * const ssl: SslConfig = {
 *   ca: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
 *   cert: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
 *   key: "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n",
 * };
 * if (ssl.checkHostname === false) throw new Error();
 * ```
 */
export interface SslConfig {
  /**
   * The CA certificates that sign the brokers' certificates (`ssl.truststore.certificates`, or
   * the file of `ssl.truststore.location`; librdkafka's `ssl.ca.location`): one PEM with one or
   * more certificates, or a list. On Node and Bun they replace the runtime's default roots; on
   * Deno they are trusted in addition to them (Deno offers no other way).
   * @default the runtime's default root certificates (public CAs)
   */
  ca?: Pem | readonly Pem[] | undefined;
  /**
   * The client certificate chain for mutual TLS (`ssl.keystore.certificate.chain`; librdkafka's
   * `ssl.certificate.location`): PEM, leaf first. Requires `key`.
   * @default undefined (no client certificate)
   */
  cert?: Pem | undefined;
  /**
   * The client certificate's private key (`ssl.keystore.key`; librdkafka's `ssl.key.location`):
   * PEM, PKCS#8 ("BEGIN PRIVATE KEY" or "BEGIN ENCRYPTED PRIVATE KEY"), PKCS#1 or SEC1.
   * Requires `cert`. Never logged, never in errors, `JSON.stringify` or `producer.config`.
   * @default undefined
   */
  key?: Pem | undefined;
  /**
   * The password of an encrypted `key` (`ssl.key.password`). The key is decrypted once, when
   * the producer is created (a wrong password fails there), on every runtime alike.
   * @default undefined
   */
  keyPassword?: string | undefined;
  /**
   * The name to send as SNI and to check the broker's certificate against, instead of the host
   * connected to (e.g. when connecting through an IP address or a tunnel). Deno cannot combine
   * it with a client certificate (`Deno.startTls` takes none): that fails at construction.
   * @default the host connected to (each broker's advertised host)
   */
  servername?: string | undefined;
  /**
   * Whether the broker's certificate must name the host (`ssl.endpoint.identification.algorithm`
   * "https", Java's default; "" turns it off). Off, the certificate chain is still verified
   * against `ca`: only the name check is skipped. SNI is sent either way.
   * @default true
   */
  checkHostname?: boolean | undefined;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----/;

/**
 * {@linkcode SslConfig} checked and normalised: what the transports connect with. PEM bytes
 * are decoded, CA bundles split into single certificates, and an encrypted key decrypted
 * (with `node:crypto`, present on Deno, Bun and Node) so every runtime gets a plain PKCS#8 key.
 *
 * The private key is kept in a private field: it never appears in `JSON.stringify`,
 * `console.log` or `producer.config`; `toJSON()` shows what is configured without it.
 *
 * @example
 * ```ts
 * import { TlsSettings } from "./tls_settings.ts";
 * const settings = TlsSettings.from({ checkHostname: false });
 * if (settings.ca !== undefined || settings.checkHostname) throw new Error();
 * if (JSON.stringify(settings) !== '{"ca":"default roots","cert":null,"key":null,"servername":null,"checkHostname":false}') {
 *   throw new Error(JSON.stringify(settings));
 * }
 * ```
 */
export class TlsSettings {
  /** The trusted CA certificates, one PEM each; undefined: the runtime's default roots. */
  readonly ca: readonly string[] | undefined;
  /** The client certificate chain (PEM), or undefined. */
  readonly cert: string | undefined;
  /** The SNI and verification name, or undefined for the host connected to. */
  readonly servername: string | undefined;
  /** Whether the certificate must name the host. */
  readonly checkHostname: boolean;
  readonly #key: string | undefined;

  private constructor(
    ca: readonly string[] | undefined,
    cert: string | undefined,
    key: string | undefined,
    servername: string | undefined,
    checkHostname: boolean,
  ) {
    this.ca = ca;
    this.cert = cert;
    this.#key = key;
    this.servername = servername;
    this.checkHostname = checkHostname;
  }

  /** The client certificate's private key (PEM, unencrypted), or undefined. */
  get key(): string | undefined {
    return this.#key;
  }

  /**
   * Checks and normalises an `ssl` config.
   *
   * @param config The `ssl` settings.
   * @returns The settings the transports use.
   * @throws {TypeError} When a field has the wrong type, is not PEM, `cert` and `key` are not
   * given together, or the key cannot be decrypted with `keyPassword` (or is encrypted and no
   * password is given). Messages name the field, never its value.
   */
  static from(config: SslConfig): TlsSettings {
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
      throw new TypeError(`Invalid "ssl": must be an object such as { ca, cert, key }`);
    }
    const known = ["ca", "cert", "key", "keyPassword", "servername", "checkHostname"];
    for (const field of Object.keys(config)) {
      if (!known.includes(field)) {
        throw new TypeError(
          `Unknown "ssl" field "${field}": expected ${known.map((k) => `"${k}"`).join(", ")}`,
        );
      }
    }
    let ca: string[] | undefined;
    if (config.ca !== undefined) {
      const list = Array.isArray(config.ca) ? config.ca : [config.ca as Pem];
      ca = [];
      for (const entry of list) {
        const certificates = pemText(entry, "ssl.ca").match(CERTIFICATE);
        if (certificates === null) {
          throw new TypeError(
            `Invalid "ssl.ca": expected PEM certificates ("-----BEGIN CERTIFICATE-----")`,
          );
        }
        ca.push(...certificates.map((certificate) => certificate + "\n"));
      }
    }
    let cert: string | undefined;
    if (config.cert !== undefined) {
      cert = pemText(config.cert, "ssl.cert");
      if (cert.match(CERTIFICATE) === null) {
        throw new TypeError(
          `Invalid "ssl.cert": expected a PEM certificate chain ("-----BEGIN CERTIFICATE-----")`,
        );
      }
    }
    let key: string | undefined;
    if (config.key !== undefined) key = pemText(config.key, "ssl.key");
    const password = config.keyPassword;
    if (password !== undefined && typeof password !== "string") {
      throw new TypeError(`Invalid "ssl.keyPassword": must be a string`);
    }
    if ((cert === undefined) !== (key === undefined)) {
      throw new TypeError(
        `Invalid "ssl": "cert" and "key" go together (the client certificate and its private key)`,
      );
    }
    if (password !== undefined && key === undefined) {
      throw new TypeError(`Invalid "ssl.keyPassword": there is no "ssl.key" to decrypt`);
    }
    if (key !== undefined) key = plainKey(key, password);
    const servername = config.servername;
    if (servername !== undefined && (typeof servername !== "string" || servername === "")) {
      throw new TypeError(`Invalid "ssl.servername": must be a non-empty host name`);
    }
    const checkHostname = config.checkHostname ?? true;
    if (typeof checkHostname !== "boolean") {
      throw new TypeError(`Invalid "ssl.checkHostname": must be true or false`);
    }
    return new TlsSettings(ca, cert, key, servername, checkHostname);
  }

  /**
   * What is configured, without the key: certificate counts, never key material.
   *
   * @returns A JSON-safe summary.
   */
  toJSON(): Record<string, unknown> {
    return {
      ca: this.ca === undefined ? "default roots" : `${this.ca.length} certificate(s)`,
      cert: this.cert === undefined
        ? null
        : `${this.cert.match(CERTIFICATE)?.length ?? 0} certificate(s)`,
      key: this.#key === undefined ? null : "[redacted]",
      servername: this.servername ?? null,
      checkHostname: this.checkHostname,
    };
  }
}

function pemText(value: unknown, field: string): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  throw new TypeError(`Invalid "${field}": must be PEM text, as a string or a Uint8Array`);
}

/** The key as unencrypted PEM: decrypted with `password` when it is encrypted. */
function plainKey(key: string, password: string | undefined): string {
  const kind = PRIVATE_KEY.exec(key)?.[1];
  if (kind === undefined) {
    throw new TypeError(
      `Invalid "ssl.key": expected a PEM private key ("-----BEGIN PRIVATE KEY-----")`,
    );
  }
  // PKCS#8 "ENCRYPTED PRIVATE KEY", or a traditional key with "Proc-Type: 4,ENCRYPTED".
  const encrypted = kind === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(key);
  if (!encrypted) return key;
  if (password === undefined) {
    throw new TypeError(
      `Invalid "ssl.key": it is encrypted; set "ssl.keyPassword" (ssl.key.password)`,
    );
  }
  // Loaded only here: producers without an encrypted key never load node:crypto.
  const crypto = process.getBuiltinModule?.("node:crypto") as
    | typeof import("node:crypto")
    | undefined;
  if (crypto === undefined) {
    throw new TypeError(
      `Cannot decrypt "ssl.key": this runtime has no node:crypto; give the key unencrypted`,
    );
  }
  try {
    return crypto.createPrivateKey({ key, format: "pem", passphrase: password })
      .export({ type: "pkcs8", format: "pem" }) as string;
  } catch (error) {
    // The runtime's reason ("bad decrypt") names no secret; the password is not repeated.
    throw new TypeError(
      `Invalid "ssl.keyPassword": cannot decrypt "ssl.key" with it (${(error as Error).message})`,
    );
  }
}
