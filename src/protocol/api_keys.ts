/**
 * Kafka API keys sluice speaks.
 *
 * @example
 * ```ts
 * import { ApiKey } from "./api_keys.ts";
 * if (ApiKey.Produce !== 0 || ApiKey.ApiVersions !== 18) throw new Error();
 * ```
 */
export const ApiKey = { Produce: 0, Metadata: 3, ApiVersions: 18, InitProducerId: 22 } as const;
