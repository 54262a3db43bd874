import type { ApiDescriptor } from "../protocol/api.ts";

/**
 * The operations the sender and the transaction manager use on a broker connection (a
 * `BrokerConnection` provides them): the negotiated version of an API, and a request that
 * resolves with its response. A narrow interface, so those modules can be driven by a fake
 * broker in tests.
 *
 * @example A channel that answers nothing
 * ```ts
 * import type { RequestChannel } from "./request_channel.ts";
 * const channel: RequestChannel = {
 *   isOpen: true,
 *   versionFor: () => 0,
 *   send: () => Promise.resolve(undefined),
 * };
 * if (!channel.isOpen) throw new Error();
 * ```
 */
export interface RequestChannel {
  /** True until the connection closes. */
  readonly isOpen: boolean;
  /**
   * The cluster's finalized features from the broker's ApiVersions answer (e.g.
   * "transaction.version"); absent or empty when the broker sent none.
   */
  readonly finalizedFeatures?: ReadonlyMap<string, number>;
  /** The highest version of `api` both sides support (throws when none). */
  versionFor(api: ApiDescriptor<unknown, unknown>): number;
  /**
   * Sends a request; resolves with the response (undefined when none is expected, e.g.
   * Produce with acks=0), rejects with a `KafkaError` (connection lost, timeout, protocol).
   */
  send<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options?: { version?: number; expectResponse?: boolean },
  ): Promise<Res | undefined>;
}
