/**
 * The diagnostics channels of the send path (node:diagnostics_channel; free when nobody
 * subscribes). The rate limit is the package's promise at the moment a request is written to its
 * socket, so that is the moment tests and benchmarks count.
 *
 * - SEND_CHANNEL `{ api, endpointHost, at, grantAgeMs }`: a request written to its socket (for a
 *   new connection: when it connects, which is when the buffered request goes out). `at` is
 *   performance.now(); `grantAgeMs` how long after its rate token.
 * - GRANT_CHANNEL `{ api, endpointHost, at }`: the scheduler handed out a rate token.
 */
export const SEND_CHANNEL = 'alicloud-mqtt:request-send';
export const GRANT_CHANNEL = 'alicloud-mqtt:rate-grant';

/**
 * The longest a rate token may wait for its request to be written. A token is spent on a request
 * the moment it is granted; if that request only leaves later (a busy event loop, another
 * execution serialising its results, a connection still being opened), it would land in a later
 * second together with that second's own tokens. Such a request is abandoned before it is
 * written and takes a fresh token (not counted as an attempt). The shared buckets keep this much
 * of the rate off their burst (lib/shared-limit/redis-token-store.ts).
 */
export const SEND_ALLOWANCE_MS = 25;

/** Thrown by the transport for a request abandoned before it was written because its token was too old. */
export class StaleGrant extends Error {
  constructor(readonly ageMs: number) {
    super(`rate token ${Math.round(ageMs)} ms old when its request would have been written`);
    this.name = 'StaleGrant';
  }
}
