/**
 * Kafka API keys sluice speaks.
 *
 * @example
 * ```ts
 * import { ApiKey } from "./api_keys.ts";
 * if (ApiKey.Produce !== 0 || ApiKey.ApiVersions !== 18 || ApiKey.EndTxn !== 26) throw new Error();
 * ```
 */
export const ApiKey = {
  Produce: 0,
  Metadata: 3,
  FindCoordinator: 10,
  SaslHandshake: 17,
  ApiVersions: 18,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  SaslAuthenticate: 36,
} as const;
