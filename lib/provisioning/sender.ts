/**
 * What a provisioning action needs from the client: one call through its scheduler, retry policy
 * and error table, and a way to say that an answer was not what the API documents.
 */
import type { RateLimitedApi } from '../rate-limiter';
import type { TransportResponse } from '../transport';
import type { OnsMqttError } from '../errors';

export interface ActionSender {
  /** Names the endpoint and identity the calls go to (for work shared by concurrent callers); not a secret. */
  readonly scope: string;
  call(action: RateLimitedApi, query: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse>;
  malformed(action: string, field: string, response: TransportResponse): OnsMqttError;
}
