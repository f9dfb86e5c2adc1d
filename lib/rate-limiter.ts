import { abortedError } from './retry';

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. In any one-second
 * window it lets through at most burst + ratePerSecond requests, so the defaults keep that sum
 * under the service's per-IP limit (going over it can get the caller's IP blocked).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: Error) => void; signal?: AbortSignal; onAbort?: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    public ratePerSecond: number,
    public burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Lower the rate (a bucket is shared: the most careful caller wins). */
  restrict(ratePerSecond: number, burst: number): void {
    this.ratePerSecond = Math.min(this.ratePerSecond, ratePerSecond);
    this.burst = Math.min(this.burst, burst);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.ratePerSecond) / 1000);
    this.last = t;
  }

  /** Resolves when a request may be sent. FIFO, so no caller starves. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError());
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    this.refill();
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        const w = this.waiters.shift()!;
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve();
      }
      this.schedule();
    }, waitMs);
  }

  get pending(): number {
    return this.waiters.length;
  }
}

/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

/**
 * Per-API defaults under the documented per-source-IP limits. rate + burst bounds any one-second
 * window as the client sends; the rest of the limit (8 % or more) absorbs what the network and a
 * busy event loop do to arrival times at the service (measured: a 10-request margin was not enough).
 */
export const API_RATE_LIMITS = Object.freeze({
  QuerySessionByClientId: { documentedQps: 300, ratePerSecond: 265, burst: 10 },
  BatchQuerySessionByClientIds: { documentedQps: 100, ratePerSecond: 88, burst: 4 },
  QueryMqttTraceDevice: { documentedQps: 500, ratePerSecond: 450, burst: 25 },
});
export type RateLimitedApi = keyof typeof API_RATE_LIMITS;

const sharedBuckets = new Map<string, TokenBucket>();

/**
 * The bucket for one API on one endpoint with one AccessKey, shared by every client in the
 * process: two nodes polling the same account from one machine share one source IP's limit.
 */
export function sharedBucket(endpoint: string, accessKeyId: string, api: RateLimitedApi, maxQps?: number): TokenBucket {
  const limits = API_RATE_LIMITS[api];
  // A user may lower the rate, and raise it only up to just under the documented limit.
  const rate = Math.min(maxQps ?? limits.ratePerSecond, limits.documentedQps - 1);
  const burst = Math.max(1, Math.min(limits.burst, Math.floor(limits.documentedQps * 0.92 - rate)));
  const key = `${endpoint}\u0000${accessKeyId}\u0000${api}`;
  const existing = sharedBuckets.get(key);
  if (existing) {
    existing.restrict(rate, burst);
    return existing;
  }
  const bucket = new TokenBucket(rate, burst);
  sharedBuckets.set(key, bucket);
  return bucket;
}
