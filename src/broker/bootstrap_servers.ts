/** A broker's address: where to open a connection. */
export interface BrokerAddress {
  /** The host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** The TCP port. */
  readonly port: number;
}

/**
 * Parses a bootstrap list (`bootstrap.servers`): "host:port,host:port" or a list of
 * "host:port" entries; blanks around entries and empty entries are ignored, IPv6 hosts are
 * written in brackets ("[::1]:9092").
 *
 * @param servers The list as configured.
 * @returns The addresses, in the given order (at least one).
 * @throws {TypeError} When an entry is not "host:port" with a port in 1..65535.
 * @throws {RangeError} When the list names no broker.
 *
 * @example
 * ```ts
 * import { parseBootstrapServers } from "./bootstrap_servers.ts";
 * const addresses = parseBootstrapServers("127.0.0.1:9092, [::1]:9093");
 * if (addresses[1]!.host !== "::1" || addresses[1]!.port !== 9093) throw new Error();
 * ```
 */
export function parseBootstrapServers(servers: string | readonly string[]): BrokerAddress[] {
  const list = typeof servers === "string" ? servers.split(",") : servers;
  const addresses = list.map((entry) => entry.trim()).filter((entry) => entry !== "").map(
    parseAddress,
  );
  if (addresses.length === 0) {
    throw new RangeError(
      `Invalid bootstrapServers "${String(servers)}": expected at least one "host:port"`,
    );
  }
  return addresses;
}

function parseAddress(entry: string): BrokerAddress {
  const colon = entry.lastIndexOf(":");
  const port = Number(entry.slice(colon + 1));
  let host = entry.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon <= 0 || host === "" || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(
      `Invalid bootstrap server "${entry}": expected "host:port", e.g. "127.0.0.1:9092"`,
    );
  }
  return { host, port };
}
