import { readFileSync } from "node:fs";

/** librdkafka's security property names the CLI also takes (what kcat users type). */
const LIBRDKAFKA_NAMES = [
  "sasl.mechanisms",
  "sasl.username",
  "sasl.password",
  "ssl.ca.location",
  "ssl.ca.pem",
  "ssl.certificate.location",
  "ssl.certificate.pem",
  "ssl.key.location",
  "ssl.key.pem",
  "enable.ssl.certificate.verification",
];

const LOGIN_MODULES: Record<string, string> = {
  "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
  "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
  "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
};

/**
 * Rewrites librdkafka's security properties (kcat's `-X` names) into Java's, which
 * `fromJavaProperties()` reads; Java names pass through, and both may be mixed:
 *
 * | librdkafka | Java |
 * | --- | --- |
 * | `security.protocol` (any case) | `security.protocol` |
 * | `sasl.mechanisms` | `sasl.mechanism` |
 * | `sasl.username`, `sasl.password` | `sasl.jaas.config` (`PlainLoginModule` / `ScramLoginModule`) |
 * | `ssl.ca.location` (`probe`: the default roots), `ssl.ca.pem` | `ssl.truststore.location` / `.certificates`, type PEM |
 * | `ssl.certificate.location` / `.pem`, `ssl.key.location` / `.pem` | `ssl.keystore.certificate.chain`, `ssl.keystore.key`, type PEM |
 * | `ssl.key.password` | `ssl.key.password` |
 * | `ssl.endpoint.identification.algorithm` `none` / `https` | `""` / `https` |
 * | `enable.ssl.certificate.verification` | `true` only: sluice always verifies certificates |
 *
 * Files named by `*.location` are read here. Errors name properties and paths, never the
 * password or key.
 *
 * @param properties Properties under either name.
 * @returns The same settings under Java's names.
 * @throws {TypeError} When settings conflict, a file cannot be read, or a setting is not
 * supported (turning certificate verification off).
 *
 * @example
 * ```ts
 * import { javaPropertiesFromLibrdkafka } from "./librdkafka_properties.ts";
 * const java = javaPropertiesFromLibrdkafka({
 *   "security.protocol": "sasl_ssl",
 *   "sasl.mechanisms": "SCRAM-SHA-256",
 *   "sasl.username": "alice",
 *   "sasl.password": "s3cret",
 * });
 * if (java["sasl.mechanism"] !== "SCRAM-SHA-256") throw new Error();
 * if (java["sasl.jaas.config"] !== 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";') throw new Error();
 * ```
 */
export function javaPropertiesFromLibrdkafka(
  properties: Readonly<Record<string, string>>,
): Record<string, string> {
  const java: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (!LIBRDKAFKA_NAMES.includes(name)) java[name] = value;
  }
  const set = (name: string, value: string, from: string) => {
    if (java[name] !== undefined && java[name] !== value) {
      throw new TypeError(
        `Conflicting properties "${from}" and "${name}": set one of them (librdkafka's or Java's name)`,
      );
    }
    java[name] = value;
  };

  const mechanisms = properties["sasl.mechanisms"];
  if (mechanisms !== undefined) set("sasl.mechanism", mechanisms.trim(), "sasl.mechanisms");
  const username = properties["sasl.username"];
  const password = properties["sasl.password"];
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      throw new TypeError(`Invalid SASL credentials: set both "sasl.username" and "sasl.password"`);
    }
    const mechanism = java["sasl.mechanism"];
    const module = mechanism === undefined ? undefined : LOGIN_MODULES[mechanism];
    if (module === undefined) {
      throw new TypeError(
        `Invalid "sasl.username"/"sasl.password": they need sasl.mechanisms PLAIN, SCRAM-SHA-256 ` +
          `or SCRAM-SHA-512 (librdkafka's default, GSSAPI, is not supported)`,
      );
    }
    if (java["sasl.jaas.config"] !== undefined) {
      throw new TypeError(
        `Conflicting properties "sasl.username"/"sasl.password" and "sasl.jaas.config": set one`,
      );
    }
    java["sasl.jaas.config"] = `${module} required username="${jaasQuote(username)}" ` +
      `password="${jaasQuote(password)}";`;
  }

  const caLocation = properties["ssl.ca.location"];
  const caPem = properties["ssl.ca.pem"];
  if (caLocation !== undefined && caLocation.trim() !== "probe") {
    set("ssl.truststore.location", caLocation, "ssl.ca.location");
    set("ssl.truststore.type", "PEM", "ssl.ca.location");
  }
  if (caPem !== undefined) {
    set("ssl.truststore.certificates", caPem, "ssl.ca.pem");
    set("ssl.truststore.type", "PEM", "ssl.ca.pem");
  }
  const certificate = pemFrom(properties, "ssl.certificate.location", "ssl.certificate.pem");
  if (certificate !== undefined) {
    set("ssl.keystore.certificate.chain", certificate, "ssl.certificate.location");
    set("ssl.keystore.type", "PEM", "ssl.certificate.location");
  }
  const key = pemFrom(properties, "ssl.key.location", "ssl.key.pem");
  if (key !== undefined) {
    set("ssl.keystore.key", key, "ssl.key.location");
    set("ssl.keystore.type", "PEM", "ssl.key.location");
  }
  const algorithm = properties["ssl.endpoint.identification.algorithm"];
  if (algorithm !== undefined && algorithm.trim().toLowerCase() === "none") {
    java["ssl.endpoint.identification.algorithm"] = "";
  }
  const verification = properties["enable.ssl.certificate.verification"];
  if (verification !== undefined) {
    const value = verification.trim().toLowerCase();
    if (value === "false") {
      throw new TypeError(
        `Unsupported "enable.ssl.certificate.verification=false": sluice always verifies the ` +
          `broker's certificate; give its CA with ssl.ca.location (and, for a certificate that ` +
          `does not name the host, ssl.endpoint.identification.algorithm=none)`,
      );
    }
    if (value !== "true") {
      throw new TypeError(
        `Invalid "enable.ssl.certificate.verification": "${verification}" must be true or false`,
      );
    }
  }
  return java;
}

/** A PEM from `<location>` (a file) or `<pem>` (inline); undefined when neither is set. */
function pemFrom(
  properties: Readonly<Record<string, string>>,
  location: string,
  pem: string,
): string | undefined {
  const path = properties[location];
  const inline = properties[pem];
  if (path !== undefined && inline !== undefined) {
    throw new TypeError(`Conflicting properties "${location}" and "${pem}": set one`);
  }
  if (inline !== undefined) return inline;
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new TypeError(`Cannot read "${location}" "${path}": ${(error as Error).message}`);
  }
}

/** Escapes a JAAS option value for double quotes. */
function jaasQuote(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}
