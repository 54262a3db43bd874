import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/**
 * One Kafka API as the connection layer sees it: its key, the version range sluice
 * implements, where flexible (compact, tagged) encoding starts, and the pure encoder and
 * decoder covering every version in that range.
 *
 * Invariants: `minVersion <= maxVersion`; `encodeRequest` writes only the request body (the
 * header is written by `encodeRequestFrame`); `decodeResponse` reads only the body (the
 * header was already consumed) and throws `ProtocolError` on malformed input.
 */
export interface ApiDescriptor<Request, Response> {
  /** Kafka's API key, e.g. 0 for Produce. */
  readonly apiKey: number;
  /** The API's name, for messages, e.g. "Produce". */
  readonly name: string;
  /** The lowest version sluice implements. */
  readonly minVersion: number;
  /** The highest version sluice implements. */
  readonly maxVersion: number;
  /** The first flexible version (request header v2, response header v1), or Infinity. */
  readonly flexibleFrom: number;
  /** Writes the request body for `version`. */
  encodeRequest(writer: Writer, version: number, request: Request): void;
  /**
   * For requests that carry bulk data (Produce): an upper bound of the encoded body size in
   * bytes, so the connection encodes the frame once into a buffer of its own instead of
   * into a shared writer followed by a copy. Absent for small requests.
   */
  bodySizeBound?(request: Request): number;
  /** Reads the response body for `version`. */
  decodeResponse(reader: Reader, version: number): Response;
}
