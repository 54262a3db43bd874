import type { Logger } from "../config/logger.ts";
import type { ResolvedProducerConfig } from "../config/producer_config.ts";
import type { SaslMechanism } from "../sasl/sasl_mechanism.ts";
import type { TlsSettings } from "./tls_settings.ts";
import { checkTlsSupport } from "./transport.ts";

/**
 * How every connection of a producer is made and behaves: one object, built once from the
 * config ({@linkcode connectionOptionsFrom}) and shared by all connections, so that what a
 * connection needs (timeouts, ids, TLS, SASL) is decided in one place, and TLS and SASL live
 * in the connection layer only.
 *
 * @example
 * ```ts
 * import type { ConnectionOptions } from "./connection_options.ts";
 * const options: ConnectionOptions = { clientId: "sluice", requestTimeoutMs: 30000, connectTimeoutMs: 10000 };
 * if (options.maxInFlight !== undefined) throw new Error();
 * ```
 */
export interface ConnectionOptions {
  /** The `client.id` sent in every request header. */
  readonly clientId: string;
  /** How long a request may wait for its response before it fails and the connection closes. */
  readonly requestTimeoutMs: number;
  /** How long the TCP connect may take (`socket.connection.setup.timeout.ms`). */
  readonly connectTimeoutMs: number;
  /**
   * Requests in flight above which a connection's `writable` turns false. Advisory: `send()`
   * never refuses a request; a sender checks `writable` (or awaits `drained()`) first.
   * @default Infinity
   */
  readonly maxInFlight?: number;
  /** ApiVersions v3's `client_software_name`. @default "sluice" */
  readonly clientSoftwareName?: string;
  /** ApiVersions v3's `client_software_version`. @default "0.1.0" */
  readonly clientSoftwareVersion?: string;
  /** Connect with TLS, verified as these settings say. @default undefined (plain TCP) */
  readonly tls?: TlsSettings | undefined;
  /** Authenticate with this SASL mechanism after ApiVersions. @default undefined (none) */
  readonly sasl?: SaslMechanism | undefined;
  /** Where connections log re-authentications (never secrets). @default undefined */
  readonly logger?: Logger | undefined;
}

/**
 * The connection options of a producer with this config: TLS for `securityProtocol` "SSL"
 * and "SASL_SSL" (with `ssl`, or the runtime's default roots), the SASL mechanism for
 * "SASL_PLAINTEXT" and "SASL_SSL". TLS settings this runtime cannot honour fail here, at
 * construction (see `checkTlsSupport()`).
 *
 * @param config The resolved producer config.
 * @returns The options every connection of that producer uses.
 * @throws {TypeError} When the runtime cannot connect with the TLS settings.
 *
 * @example
 * ```ts
 * import { connectionOptionsFrom } from "./connection_options.ts";
 * import { resolveProducerConfig } from "../config/producer_config.ts";
 * const options = connectionOptionsFrom(resolveProducerConfig({ bootstrapServers: "127.0.0.1:9092" }));
 * if (options.clientId !== "sluice" || options.connectTimeoutMs !== 10000) throw new Error();
 * ```
 */
export function connectionOptionsFrom(config: ResolvedProducerConfig): ConnectionOptions {
  const protocol = config.securityProtocol;
  const tls = protocol === "SSL" || protocol === "SASL_SSL" ? config.ssl : undefined;
  if (tls !== undefined) checkTlsSupport(tls);
  const sasl = protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL" ? config.sasl : undefined;
  return {
    clientId: config.clientId,
    requestTimeoutMs: config.requestTimeoutMs,
    connectTimeoutMs: config.socketConnectionSetupTimeoutMs,
    tls,
    sasl,
    logger: config.logger,
  };
}
