import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

/*
 * Request  => size:INT32 RequestHeader body
 * RequestHeader v1 => request_api_key:INT16 request_api_version:INT16 correlation_id:INT32
 *                     client_id:NULLABLE_STRING
 * RequestHeader v2 => v1 TAG_BUFFER          (flexible API versions)
 * Response => size:INT32 ResponseHeader body
 * ResponseHeader v0 => correlation_id:INT32
 * ResponseHeader v1 => correlation_id:INT32 TAG_BUFFER   (flexible API versions)
 *
 * client_id keeps its INT16 length even in header v2 (RequestHeader.json: old brokers must
 * read any ApiVersions request header). ApiVersions responses always use header v0, even for
 * flexible versions, so a broker can answer a version it does not know (ApiVersionsResponse.json).
 */

/**
 * Encodes one request: size prefix, header (v1, or v2 for flexible versions) and body.
 *
 * @param api The API.
 * @param version Its version, within `api.minVersion..api.maxVersion`.
 * @param correlationId Echoed by the broker in the response header.
 * @param clientId The client id, or null.
 * @param request The request body.
 * @param writer A writer to reuse (it is reset first); the frame is then a view into it.
 * @returns The whole frame, ready for the socket.
 *
 * @example
 * ```ts
 * import { encodeRequestFrame } from "./request_frame.ts";
 * import { ApiVersionsApi } from "./api_versions.ts";
 * const frame = encodeRequestFrame(ApiVersionsApi, 0, 7, "sluice", {});
 * // size, api key 18, version 0, correlation id 7, client id "sluice", empty body
 * if (frame.join(",") !== "0,0,0,16,0,18,0,0,0,0,0,7,0,6,115,108,117,105,99,101") throw new Error();
 * ```
 */
export function encodeRequestFrame<Req>(
  api: ApiDescriptor<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
  writer: Writer = new Writer(256),
): Uint8Array {
  writeRequestFrame(api, version, correlationId, clientId, request, writer);
  return writer.toBytes();
}

/**
 * Writes a whole request frame into `writer` (reset first): what `encodeRequestFrame` does,
 * leaving the bytes in the writer, e.g. to take them as segments when the writer keeps bulk
 * data by reference (`Writer.referenceFrom`). The size prefix counts every byte, referenced
 * ones included.
 *
 * @param api The API.
 * @param version A version in the API's implemented range.
 * @param correlationId Echoed by the broker in the response.
 * @param clientId Sent in the header.
 * @param request The body.
 * @param writer Where to write.
 *
 * @example A Produce frame whose record batch is kept by reference
 * ```ts
 * import { writeRequestFrame } from "./request_frame.ts";
 * import { ProduceApi } from "./produce.ts";
 * import { Writer } from "./writer.ts";
 * const records = new Uint8Array(5000);
 * const writer = new Writer(64);
 * writer.referenceFrom = 4096;
 * writeRequestFrame(ProduceApi, 7, 1, "c", {
 *   transactionalId: null, acks: 1, timeoutMs: 1000,
 *   topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
 * }, writer);
 * const segments = writer.toSegments();
 * if (segments[1] !== records || segments.length !== 2) throw new Error("not by reference");
 * const size = new DataView(segments[0]!.buffer).getInt32(0);
 * if (size !== writer.length - 4) throw new Error("size prefix");
 * ```
 */
export function writeRequestFrame<Req>(
  api: ApiDescriptor<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  request: Req,
  writer: Writer,
): void {
  if (!(version >= api.minVersion && version <= api.maxVersion)) {
    throw new RangeError(
      `Cannot encode ${api.name} v${version}: sluice implements v${api.minVersion}-v${api.maxVersion}`,
    );
  }
  writer.reset();
  const sizeAt = writer.reserve(4);
  writer.int16(api.apiKey).int16(version).int32(correlationId).nullableString(clientId);
  if (version >= api.flexibleFrom) writer.emptyTaggedFields(); // header v2
  api.encodeRequest(writer, version, request);
  writer.setInt32At(sizeAt, writer.length - 4);
}

/**
 * The correlation id of a response frame.
 *
 * @param frame The response bytes after the size prefix.
 * @returns Its correlation id; throws `ProtocolError` if the frame is shorter than 4 bytes.
 *
 * @example
 * ```ts
 * import { readCorrelationId } from "./request_frame.ts";
 * if (readCorrelationId(new Uint8Array([0, 0, 1, 2])) !== 258) throw new Error();
 * ```
 */
export function readCorrelationId(frame: Uint8Array): number {
  return new Reader(frame).int32();
}

/**
 * Decodes a response frame: skips the header (v0, or v1 with tagged fields for flexible
 * versions; ApiVersions always answers with v0) and decodes the body with `api`. Bytes after
 * the body are ignored (newer brokers may append fields); nothing is read past the end.
 *
 * @param api The API the request was for.
 * @param version The version the request was sent with.
 * @param frame The response bytes after the size prefix.
 * @returns The decoded body; throws `ProtocolError` on malformed input.
 *
 * @example
 * ```ts
 * import { decodeResponseFrame } from "./request_frame.ts";
 * import { InitProducerIdApi } from "./init_producer_id.ts";
 * // correlation id 1, throttle 0, error 0, producer id 9, epoch 0
 * const frame = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0]);
 * const response = decodeResponseFrame(InitProducerIdApi, 1, frame);
 * if (response.producerId !== 9n) throw new Error();
 * ```
 */
export function decodeResponseFrame<Res>(
  api: ApiDescriptor<unknown, Res>,
  version: number,
  frame: Uint8Array,
): Res {
  const reader = new Reader(frame);
  reader.int32(); // correlation_id
  if (version >= api.flexibleFrom && api.apiKey !== ApiKey.ApiVersions) {
    reader.readTaggedFields(); // header v1
  }
  return api.decodeResponse(reader, version);
}
