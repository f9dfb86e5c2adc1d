import { abortedError, type Cancellable } from '../base/abort';
import { reportGrant, SEND_ALLOWANCE_MS } from './send-channels';
import { WaitQueue } from '../base/wait-queue';
export { SEND_CHANNEL } from './send-channels';

import {
  TokenBucket,
  ownLimit,
  processTokenStore,
  requestLimits,
  type RateLimitedApi,
  type TokenStore,
} from './rate-limiter';

/**
 * Concurrency slots, FIFO. A caller that is cancelled while it queues leaves the queue at once;
 * a slot is given back exactly once.
 */
export class Slots {
  private active = 0;
  private readonly queue = new WaitQueue();

  constructor(readonly limit: number) {}

  /** Resolves with the function that gives the slot back. */
  async acquire(signal?: Cancellable): Promise<() => void> {
    if (signal?.aborted) throw abortedError(signal);
    if (this.active < this.limit) this.active++;
    else await this.queue.wait(signal); // granted by a release: the slot passes straight over
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (!this.queue.grantNext()) this.active--;
    };
  }
}

export interface SchedulerOptions {
  /** Host (and port) of the endpoint: the service's per-IP limit is per source and API. */
  endpointHost: string;
  /** Names the account the requests count against (lib/credentials/spec.ts accountOf), never a secret. */
  account?: string;
  /** Calls in progress at once for this client. */
  concurrency: number;
  /** This client's own ceiling in requests per second per API; lowers no one else's rate. */
  maxQps?: number;
  store?: TokenStore;
  /** Processes sending from this IP with no shared store: this one keeps to its share (rate-limiter.ts requestLimits). */
  processesPerIp?: number;
}

/**
 * Decides when each request of one client is sent. A call first takes one of the client's
 * concurrency slots and keeps it until it ends (retries and their backoff included); every
 * attempt then takes its rate tokens at the moment it is sent: the client's own (when `maxQps` is
 * set), then the per-source and per-account ones in the store (this process's, or one shared by
 * several processes). A token is never spent on a request that is still queued,
 * so however the calls arrive (bursts, a stalled service that recovers, retries), no one-second
 * window carries more than rate + burst of the shared limit as this process sends.
 */
export class RequestScheduler {
  readonly slots: Slots;
  private readonly store: TokenStore;
  private readonly own = new Map<RateLimitedApi, TokenBucket>();
  private readonly limits = new Map<RateLimitedApi, ReturnType<typeof requestLimits>>();

  constructor(private readonly options: SchedulerOptions) {
    this.slots = new Slots(options.concurrency);
    this.store = options.store ?? processTokenStore;
  }

  /** Holds a slot for the whole of `call`. */
  async withSlot<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(signal);
    try {
      return await call();
    } finally {
      release();
    }
  }

  /**
   * Waits for the tokens of one attempt of `api`; resolve means "send now", with the moment of the
   * grant (performance.now()) for the transport's last check before the socket write.
   */
  async clearToSend(api: RateLimitedApi, signal?: Cancellable): Promise<number> {
    if (this.options.maxQps !== undefined) {
      let bucket = this.own.get(api);
      if (!bucket) {
        const limit = ownLimit(api, this.options.maxQps);
        this.own.set(api, (bucket = new TokenBucket(limit.ratePerSecond, limit.burst)));
      }
      await bucket.take(signal);
    }
    let limits = this.limits.get(api);
    if (!limits)
      this.limits.set(
        api,
        (limits = requestLimits(
          this.options.endpointHost,
          this.options.account ?? 'unnamed',
          api,
          this.options.processesPerIp,
        )),
      );
    await processTokenStore.take(limits, signal);
    if (this.store === processTokenStore) return this.granted(api, performance.now());
    // The process's own buckets first, then the shared store's. When the shared store kept the
    // request waiting past the send allowance, the process's token is old by its write: the
    // request is counted again there, now (a debt that the process's next requests wait out).
    const ownGrant = performance.now();
    const sharedSlot = await this.store.take(limits, signal);
    const at = performance.now();
    if (at - ownGrant > SEND_ALLOWANCE_MS) processTokenStore.charge(limits);
    // A slot reserved in the shared bucket counts from its own moment, which may be before now.
    return this.granted(api, typeof sharedSlot === 'number' ? Math.min(sharedSlot, at) : at);
  }

  /**
   * Pays for a request of `api` written later than the send allowance after its token: one more
   * token of every limit it counts against, charged now (this process's buckets at once, a shared
   * store's with its next round trip), which later grants wait out. Never waits: it is called at
   * the moment of writing.
   */
  chargeLateWrite(api: RateLimitedApi): void {
    const limits = this.limits.get(api);
    if (!limits) return;
    processTokenStore.charge(limits);
    if (this.store !== processTokenStore) this.store.charge?.(limits);
  }

  private granted(api: RateLimitedApi, at: number): number {
    reportGrant({ api, endpointHost: this.options.endpointHost, at });
    return at;
  }
}
