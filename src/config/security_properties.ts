import { readFileSync } from "node:fs";
import type { SslConfig } from "../connection/tls_settings.ts";
import type { SaslPasswordConfig } from "../sasl/sasl_config.ts";

/**
 * The Java security properties {@linkcode securityFromJavaProperties} reads (`security.protocol`,
 * `sasl.*`, `ssl.*`).
 *
 * @example
 * ```ts
 * import { SECURITY_PROPERTIES } from "./security_properties.ts";
 * if (!SECURITY_PROPERTIES.includes("sasl.jaas.config")) throw new Error();
 * ```
 */
export const SECURITY_PROPERTIES: readonly string[] = [
  "security.protocol",
  "sasl.mechanism",
  "sasl.jaas.config",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.truststore.password",
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.key",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.endpoint.identification.algorithm",
];

/** What the security properties configure. */
export interface SecurityFromProperties {
  /** `security.protocol`, upper-cased. */
  securityProtocol?: "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
  /** From `sasl.mechanism` and `sasl.jaas.config`. */
  sasl?: SaslPasswordConfig;
  /** From the `ssl.*` properties. */
  ssl?: SslConfig;
}

const LOGIN_MODULES: Record<string, readonly string[]> = {
  "org.apache.kafka.common.security.plain.PlainLoginModule": ["PLAIN"],
  "org.apache.kafka.common.security.scram.ScramLoginModule": ["SCRAM-SHA-256", "SCRAM-SHA-512"],
};

/**
 * Reads Java's security properties into `securityProtocol`, `sasl` and `ssl`:
 *
 * - `security.protocol`: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (any case);
 * - `sasl.mechanism` with `sasl.jaas.config` in the `PlainLoginModule` / `ScramLoginModule`
 *   form `… required username="…" password="…";` (OAUTHBEARER needs a token callback, which a
 *   property cannot give: set `sasl` in the ProducerConfig);
 * - `ssl.truststore.type=PEM` with `ssl.truststore.location` (a PEM file) or
 *   `ssl.truststore.certificates` (PEM text);
 * - `ssl.keystore.type=PEM` with `ssl.keystore.location` (a PEM file with the private key and
 *   the certificate chain) or `ssl.keystore.certificate.chain` and `ssl.keystore.key`;
 * - `ssl.key.password` (the password of an encrypted key);
 * - `ssl.endpoint.identification.algorithm`: "https" (Java's default) checks the host name;
 *   "" turns the check off (the producer logs a warning).
 *
 * JKS and PKCS12 stores are not supported (convert them to PEM with `keytool` / `openssl`).
 * Error messages name the property, never the value of a password, key or JAAS config.
 *
 * @param properties The properties (only the security ones are read).
 * @returns What they configure.
 * @throws {TypeError} When a value is malformed, a file cannot be read, or a combination is
 * unsupported.
 *
 * @example
 * ```ts
 * import { securityFromJavaProperties } from "./security_properties.ts";
 * const security = securityFromJavaProperties({
 *   "security.protocol": "sasl_ssl",
 *   "sasl.mechanism": "SCRAM-SHA-512",
 *   "sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";',
 * });
 * if (security.securityProtocol !== "SASL_SSL" || security.sasl?.username !== "alice") throw new Error();
 * ```
 */
export function securityFromJavaProperties(
  properties: Readonly<Record<string, string | number | boolean | undefined>>,
): SecurityFromProperties {
  const text = (name: string): string | undefined => {
    const value = properties[name];
    return value === undefined ? undefined : String(value);
  };
  const result: SecurityFromProperties = {};

  const protocol = text("security.protocol")?.trim().toUpperCase();
  if (protocol !== undefined) {
    if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) {
      throw new TypeError(
        `Invalid "security.protocol": "${text("security.protocol")}" must be PLAINTEXT, SSL, ` +
          `SASL_PLAINTEXT or SASL_SSL`,
      );
    }
    result.securityProtocol = protocol as "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
  }

  const mechanism = text("sasl.mechanism")?.trim();
  const jaas = text("sasl.jaas.config");
  if (mechanism !== undefined || jaas !== undefined) {
    if (mechanism === undefined) {
      throw new TypeError(
        `Missing "sasl.mechanism": e.g. SCRAM-SHA-512 or PLAIN (Java's default, GSSAPI, is not ` +
          `supported)`,
      );
    }
    if (mechanism === "OAUTHBEARER") {
      throw new TypeError(
        `Unsupported "sasl.mechanism" OAUTHBEARER in properties: it needs a token callback; ` +
          `set sasl: { mechanism: "OAUTHBEARER", token } in the ProducerConfig`,
      );
    }
    if (jaas === undefined) {
      throw new TypeError(
        `Missing "sasl.jaas.config" for sasl.mechanism ${mechanism}: e.g. ` +
          `org.apache.kafka.common.security.scram.ScramLoginModule required username="…" password="…";`,
      );
    }
    const login = parseJaasConfig(jaas);
    const mechanisms = LOGIN_MODULES[login.module];
    if (mechanisms === undefined) {
      throw new TypeError(
        `Unsupported login module in "sasl.jaas.config": ${login.module}; sluice reads ` +
          `PlainLoginModule and ScramLoginModule (for another mechanism, set sasl in the ` +
          `ProducerConfig)`,
      );
    }
    if (!mechanisms.includes(mechanism)) {
      throw new TypeError(
        `Invalid "sasl.jaas.config": ${login.module.split(".").pop()} does not go with ` +
          `sasl.mechanism ${mechanism} (it is for ${mechanisms.join(" and ")})`,
      );
    }
    const username = login.options.get("username");
    const password = login.options.get("password");
    if (username === undefined || password === undefined) {
      throw new TypeError(
        `Invalid "sasl.jaas.config": it must set username="…" and password="…"`,
      );
    }
    result.sasl = {
      mechanism: mechanism as SaslPasswordConfig["mechanism"],
      username,
      password,
    };
  }

  const ssl: SslConfig = {};
  let sslSet = false;
  const truststoreLocation = text("ssl.truststore.location");
  const truststoreCertificates = text("ssl.truststore.certificates");
  if (truststoreLocation !== undefined || truststoreCertificates !== undefined) {
    requirePem(text("ssl.truststore.type"), "ssl.truststore.type");
    if (text("ssl.truststore.password") !== undefined) {
      throw new TypeError(
        `Unsupported "ssl.truststore.password" with a PEM truststore: PEM truststores have no ` +
          `password; remove it`,
      );
    }
    if (truststoreLocation !== undefined && truststoreCertificates !== undefined) {
      throw new TypeError(
        `Invalid "ssl.truststore.certificates": "ssl.truststore.location" is set too; use one`,
      );
    }
    ssl.ca = truststoreCertificates ?? readPem(truststoreLocation!, "ssl.truststore.location");
    sslSet = true;
  }
  const keystoreLocation = text("ssl.keystore.location");
  const chain = text("ssl.keystore.certificate.chain");
  const key = text("ssl.keystore.key");
  if (keystoreLocation !== undefined || chain !== undefined || key !== undefined) {
    requirePem(text("ssl.keystore.type"), "ssl.keystore.type");
    if (text("ssl.keystore.password") !== undefined) {
      throw new TypeError(
        `Unsupported "ssl.keystore.password" with a PEM keystore: set "ssl.key.password" to the ` +
          `password of an encrypted key instead`,
      );
    }
    if (keystoreLocation !== undefined) {
      if (chain !== undefined || key !== undefined) {
        throw new TypeError(
          `Invalid "ssl.keystore.location": ssl.keystore.certificate.chain / ssl.keystore.key are ` +
            `set too; use the file or the inline PEM`,
        );
      }
      const pem = readPem(keystoreLocation, "ssl.keystore.location");
      const keyBlock = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/
        .exec(pem)?.[0];
      const certificates = pem.match(
        /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
      );
      if (keyBlock === undefined || certificates === null) {
        throw new TypeError(
          `Invalid "ssl.keystore.location": the PEM file must hold the private key and the ` +
            `certificate chain`,
        );
      }
      ssl.key = keyBlock + "\n";
      ssl.cert = certificates.join("\n") + "\n";
    } else {
      if (chain === undefined || key === undefined) {
        throw new TypeError(
          `Invalid PEM keystore: set both "ssl.keystore.certificate.chain" and "ssl.keystore.key"`,
        );
      }
      ssl.cert = chain;
      ssl.key = key;
    }
    sslSet = true;
  }
  const keyPassword = text("ssl.key.password");
  if (keyPassword !== undefined) {
    ssl.keyPassword = keyPassword;
    sslSet = true;
  }
  const algorithm = text("ssl.endpoint.identification.algorithm");
  if (algorithm !== undefined) {
    const value = algorithm.trim().toLowerCase();
    if (value !== "" && value !== "https") {
      throw new TypeError(
        `Invalid "ssl.endpoint.identification.algorithm": "${algorithm}" must be "https" ` +
          `(check the host name) or "" (do not)`,
      );
    }
    ssl.checkHostname = value === "https";
    sslSet = true;
  }
  if (sslSet) result.ssl = ssl;
  return result;
}

/** A JAAS login configuration: `<module> <flag> key="value" …;`. */
interface JaasConfig {
  module: string;
  options: Map<string, string>;
}

/**
 * Parses one JAAS entry (`sasl.jaas.config`). Values are double-quoted (with `\"` and `\\`
 * escapes) or bare words. Errors never repeat the text (it holds a password).
 */
function parseJaasConfig(config: string): JaasConfig {
  const invalid = (what: string) =>
    new TypeError(
      `Invalid "sasl.jaas.config": ${what}; expected ` +
        `<LoginModule class> required username="…" password="…";`,
    );
  let at = 0;
  const skipSpace = () => {
    while (at < config.length && /\s/.test(config[at]!)) at++;
  };
  const word = () => {
    skipSpace();
    const start = at;
    while (at < config.length && /[^\s=;"]/.test(config[at]!)) at++;
    return config.slice(start, at);
  };
  const module = word();
  const flag = word();
  if (module === "" || !["required", "requisite", "sufficient", "optional"].includes(flag)) {
    throw invalid("it does not start with a login module and a control flag");
  }
  const options = new Map<string, string>();
  for (;;) {
    skipSpace();
    if (at >= config.length) throw invalid("it does not end with ';'");
    if (config[at] === ";") break;
    const key = word();
    skipSpace();
    if (key === "" || config[at] !== "=") throw invalid("an option is not key=value");
    at++;
    skipSpace();
    let value = "";
    if (config[at] === '"') {
      at++;
      for (;;) {
        if (at >= config.length) throw invalid(`the value of "${key}" has no closing quote`);
        const c = config[at++]!;
        if (c === '"') break;
        if (c === "\\" && at < config.length) value += config[at++]!;
        else value += c;
      }
    } else {
      value = word();
    }
    options.set(key, value);
  }
  skipSpace();
  if (config.slice(at + 1).trim() !== "") {
    throw invalid("there is text after ';' (one login module only)");
  }
  return { module, options };
}

function requirePem(type: string | undefined, name: string): void {
  // Java's default store type is JKS; a PEM file read without the type is accepted (its
  // content is checked), an explicit other type is not.
  if (type !== undefined && type.trim().toUpperCase() !== "PEM") {
    throw new TypeError(
      `Unsupported "${name}": "${type}": sluice reads PEM only; convert the store to PEM ` +
        `(keytool -exportcert -rfc, openssl pkcs12 -nodes) and set ${name}=PEM`,
    );
  }
}

function readPem(path: string, name: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new TypeError(
      `Cannot read "${name}" "${path}": ${(error as Error).message}`,
    );
  }
}
