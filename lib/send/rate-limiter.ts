import { abortedError, type Cancellable } from '../base/abort';
import { later } from '../base/clock';
import { API_NAMES, API_TABLE, type ApiLimit, type ApiName } from '../base/api-table';
import { isLoopbackHost } from './endpoints';
import { SEND_ALLOWANCE_MS } from './send-channels';
import { WaitQueue } from '../base/wait-queue';

export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. In any one-second
 * window it lets through at most burst + ratePerSecond requests, so the defaults keep that sum
 * under the service's per-IP limit (going over it can get the caller's IP blocked).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters = new WaitQueue();
  /** Set while a refill is due on the clock. */
  private refillDue = false;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    /** Tokens saved up at the start (default: a full burst). */
    initialTokens = burst,
  ) {
    this.tokens = Math.min(burst, initialTokens);
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
  }

  /** Takes a token now, waiting for none: tokens may go below zero, and later takes wait that out. */
  charge(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** Resolves when a request may be sent, having taken its token. FIFO, so no caller starves. */
  take(signal?: Cancellable): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const waiting = this.waiters.wait(signal);
    this.schedule();
    return waiting;
  }

  private schedule(): void {
    if (this.refillDue || this.waiters.length === 0) return;
    this.refill();
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
    this.refillDue = true;
    later(waitMs, () => {
      this.refillDue = false;
      this.refill();
      while (this.tokens >= 1 && this.waiters.grantNext()) this.tokens -= 1;
      this.schedule();
    });
  }
}

/** One limit the service counts a request against: per source IP, or per account. */
export interface LimitedKey {
  key: string;
  limit: RateLimit;
}

/**
 * Where the shared rate tokens come from. The scheduler takes one token of every limit a request
 * counts against at the moment it sends it: this process's own buckets (LocalTokenStore), or
 * buckets that several processes share (lib/shared-limit).
 */
export interface TokenStore {
  /**
   * Waits until one request may be sent under every limit in `keys`, takes it; FIFO; rejects
   * `Aborted` on abort. May resolve with the moment (performance.now()) the token counts from when
   * that is earlier than the resolution (a slot reserved ahead in a shared bucket: the earliest it
   * can have begun), so that the transport's send allowance is measured from it.
   */
  take(keys: readonly LimitedKey[], signal?: Cancellable): Promise<number | void>;
  /**
   * Counts one more request under every limit in `keys` without waiting (the buckets may go into
   * debt, which later takes wait out): the payment for a request written late (SEND_ALLOWANCE_MS).
   */
  charge?(keys: readonly LimitedKey[]): void;
}

/**
 * The burst a bucket hands out so that the limit holds as requests are *written*, not only as
 * their tokens are granted: a request may be written up to SEND_ALLOWANCE_MS after its token (a
 * later one pays with a second token at its write), so a one-second span of writes can hold the
 * grants of a span that long again. That much of the rate stays off the burst.
 */
export function sendSafeBurst(limit: RateLimit): number {
  return Math.max(1, Math.floor(limit.burst - (limit.ratePerSecond * SEND_ALLOWANCE_MS) / 1000));
}

/**
 * The same, unrounded: what a bucket may hold. The bound above is a real-valued one (at most
 * capacity + rate x (1 s + the allowance) grants can be written in a second), so the fraction the
 * rounding would drop is room that costs no limit; without it, a bucket of one token loses what a
 * late timer accrues past its cap on every wait (the batch query ran 7 % under its rate, measured).
 */
export function sendSafeCapacity(limit: RateLimit): number {
  return Math.max(1, limit.burst - (limit.ratePerSecond * SEND_ALLOWANCE_MS) / 1000);
}

/** One bucket per key in this process. */
export class LocalTokenStore implements TokenStore {
  private readonly buckets = new Map<string, TokenBucket>();

  async take(keys: readonly LimitedKey[], signal?: Cancellable): Promise<void> {
    for (const key of keys) await this.bucket(key).take(signal);
  }

  /**
   * Counts one request sent now under every limit in `keys` without waiting (the bucket may go
   * into debt, which later takes wait out): for a request another store already cleared to send.
   */
  charge(keys: readonly LimitedKey[]): void {
    for (const key of keys) this.bucket(key).charge();
  }

  private bucket({ key, limit }: LimitedKey): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(limit.ratePerSecond, sendSafeCapacity(limit))));
    return bucket;
  }
}

/**
 * This process's own buckets. Every request of the process takes from them, whatever its client's
 * store: a store shared with other processes (Redis) comes on top, never instead, so that two
 * clients of one process, one sharing over Redis and one not, still keep one limit together.
 */
export const processTokenStore = new LocalTokenStore();

/**
 * Per-API defaults under the documented per-source-IP limits, from the API table. rate + burst
 * bounds any one-second window as the client sends; the rest of the limit (8 % or more) absorbs
 * what the network and a busy event loop do to arrival times at the service (measured: a
 * 10-request margin was not enough).
 */
export const API_RATE_LIMITS: Readonly<Record<ApiName, ApiLimit>> = Object.freeze(limitsOf('perIp'));
export type RateLimitedApi = ApiName;

/**
 * Per-account limits (every AccessKey and RAM user of one Alibaba account together), from the API
 * table, with the same margin. Only a shared store makes them bind: one process never reaches them
 * under its per-IP limit. Many processes on many machines reach it, so arrivals spread more than
 * one process's: 12 % of margin (measured: 4 processes at 450 + 25 had 508 arrive within one second).
 */
export const ACCOUNT_RATE_LIMITS: Readonly<Record<ApiName, ApiLimit>> = Object.freeze(limitsOf('perAccount'));

function limitsOf(which: 'perIp' | 'perAccount'): Record<ApiName, ApiLimit> {
  return Object.fromEntries(API_NAMES.map((api) => [api, API_TABLE[api][which]])) as Record<ApiName, ApiLimit>;
}

/** The per-account bucket key; `account` names the account, never a temporary AccessKey. */
export function accountKey(account: string, api: RateLimitedApi): string {
  return `account\u0000${account}\u0000${api}`;
}

/**
 * The limits one request of `api` counts against. `processes`: how many processes send from this
 * IP with this account without a shared store (n8n queue mode without Redis): each keeps to its
 * share, the limit divided by them (a burst of at least one), in buckets of their own.
 */
export function requestLimits(endpointHost: string, account: string, api: RateLimitedApi, processes = 1): LimitedKey[] {
  const { ratePerSecond, burst } = API_RATE_LIMITS[api];
  const perAccount = ACCOUNT_RATE_LIMITS[api];
  const share = (limit: RateLimit): RateLimit =>
    processes === 1
      ? limit
      : { ratePerSecond: limit.ratePerSecond / processes, burst: Math.max(1, Math.floor(limit.burst / processes)) };
  const suffix = processes === 1 ? '' : `\u0000share/${processes}`;
  return [
    { key: sourceKey(endpointHost, api) + suffix, limit: share({ ratePerSecond, burst }) },
    {
      key: accountKey(account, api) + suffix,
      limit: share({ ratePerSecond: perAccount.ratePerSecond, burst: perAccount.burst }),
    },
  ];
}

/**
 * The per-source-IP bucket key: the service counts requests per source IP and API, whatever the
 * AccessKey, so everything this process sends to one host shares it.
 */
export function sourceKey(endpointHost: string, api: RateLimitedApi): string {
  return `source\u0000${sourceName(endpointHost)}\u0000${api}`;
}

/**
 * One name per service host however it is written: case, a trailing dot (an absolute DNS name)
 * and the loopback spellings (`localhost`, `127.x.y.z`, `::1`) name the same host. The port stays:
 * another port is another service. (A host written once by name and once by its IP address is not
 * merged: which address a name resolves to can change, and the SDK resolves it, not us.)
 */
export function sourceName(endpointHost: string): string {
  const written = endpointHost.trim().toLowerCase();
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(written);
  if (!match) return written;
  let host = match[1].replace(/\.+$/, '');
  if (isLoopbackHost(host)) host = 'loopback';
  const port = match[2] && match[2] !== '443' ? `:${match[2]}` : '';
  return `${host}${port}`;
}

/**
 * A client's own limit for `maxQps` (a bucket in front of the shared one): at most the API's
 * default rate, and rate + burst at most the default rate + burst.
 */
export function ownLimit(api: RateLimitedApi, maxQps: number): RateLimit {
  const limits = API_RATE_LIMITS[api];
  const ratePerSecond = Math.min(maxQps, limits.ratePerSecond);
  return { ratePerSecond, burst: Math.max(1, Math.min(limits.burst, Math.ceil(ratePerSecond / 10))) };
}
