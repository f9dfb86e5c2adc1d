/**
 * The diagnostics channels of the send path (node:diagnostics_channel on Node; free when nobody
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

/** A rate token handed out: `at` is performance.now(). */
export interface Grant {
  api: string;
  endpointHost: string;
  at: number;
}

let grantObserver: ((grant: Grant) => void) | undefined;

/**
 * Who hears of each grant: nobody by default (the scheduler itself names no runtime); the Node
 * runtime publishes them on GRANT_CHANNEL (lib/client/node-runtime.ts).
 */
export function observeGrants(observer: ((grant: Grant) => void) | undefined): void {
  grantObserver = observer;
}

/** Tells the observer, if any, of a grant. */
export function reportGrant(grant: Grant): void {
  grantObserver?.(grant);
}

/** A request handed to the wire: `grantAgeMs` is how long after its rate token. */
export interface Send extends Grant {
  grantAgeMs: number;
}

let sendObserver: ((send: Send) => void) | undefined;

/**
 * Who hears of each request a host's HTTP transport hands over (lib/send/http-transport.ts; the
 * SDK transport publishes on SEND_CHANNEL itself, at the socket): the Node runtime publishes them
 * on SEND_CHANNEL, so that tests count both transports' sends alike.
 */
export function observeSends(observer: ((send: Send) => void) | undefined): void {
  sendObserver = observer;
}

export function reportSend(send: Send): void {
  sendObserver?.(send);
}

/**
 * The longest a rate token may wait for its request to be written and still count alone. A token
 * is spent on a request the moment it is granted; if that request only leaves later (a busy event
 * loop, another execution serialising its results, a connection still being opened), it lands in a
 * later second together with that second's own tokens. The buckets keep this much of the rate off
 * their burst (sendSafeBurst), so writes up to this late stay within rate + burst. A request written
 * later than this is still written (its token is never thrown away: on a loop blocked in 50 ms
 * slices a fresh token would age the same way, and the request would never leave), and pays with
 * one more token charged at the moment of writing, which later grants wait out.
 */
export const SEND_ALLOWANCE_MS = 25;
