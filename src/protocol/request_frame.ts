import type { ApiDescriptor } from "./api.ts";
import { ApiKey } from "./api_keys.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

/*
 * Frame => Size:int32 RequestHeader Body
 * RequestHeader v1 => ApiKey:int16 ApiVersion:int16 CorrelationId:int32 ClientId:nullable_string
 * RequestHeader v2 => v1 TaggedFields                       (flexible API versions)
 * ResponseHeader v0 => CorrelationId:int32
 * ResponseHeader v1 => CorrelationId:int32 TaggedFields     (flexible, except ApiVersions)
 */

/**
 * Encodes one request: size prefix, header (v1, or v2 for flexible versions) and body.
 *
 * @param writer A writer to reuse (reset first); the result is then a view into it.
 * @returns The whole frame, ready for the socket.
 *
 * @example
 * ```ts
 * import { encodeRequestFrame } from "./request_frame.ts";
 * import { ApiVersionsApi } from "./api_versions.ts";
 * const frame = encodeRequestFrame(ApiVersionsApi, 0, 7, "sluice", {});
 * if (frame.length !== 4 + 10 + 6) throw new Error(String(frame.length));
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
  writer.reset();
  const sizeAt = writer.reserve(4);
  writer.int16(api.apiKey).int16(version).int32(correlationId).nullableString(clientId);
  if (version >= api.flexibleFrom) writer.emptyTaggedFields();
  api.encodeRequest(writer, version, request);
  writer.setInt32At(sizeAt, writer.length - 4);
  return writer.toBytes();
}

/**
 * The correlation id of a response frame (the bytes after the size prefix).
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
 * Decodes a response frame (without its size prefix): skips the header (v0, or v1 with
 * tagged fields for flexible versions; ApiVersions always answers with v0) and decodes the
 * body with `api`.
 *
 * @example
 * ```ts
 * import { decodeResponseFrame } from "./request_frame.ts";
 * import { InitProducerIdApi } from "./init_producer_id.ts";
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
  reader.int32();
  if (version >= api.flexibleFrom && api.apiKey !== ApiKey.ApiVersions) reader.taggedFields();
  return api.decodeResponse(reader, version);
}
