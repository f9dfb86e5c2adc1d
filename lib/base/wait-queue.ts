import { abortedError, whenAborted } from './abort';

/**
 * A FIFO of callers waiting for something (a rate token, a concurrency slot). A caller whose
 * signal aborts leaves the queue at once with `Aborted` (or the signal's own OnsMqttError) and is
 * never granted afterwards.
 */
export class WaitQueue {
  private readonly waiters: Array<{ grant: () => void; stopWaiting?: () => void }> = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves when `grantNext` reaches this caller. */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { grant: resolve };
      if (signal) {
        waiter.stopWaiting = whenAborted(signal, () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortedError(signal));
        });
      }
      this.waiters.push(waiter);
    });
  }

  /** Grants the oldest waiter; false when nobody waits. */
  grantNext(): boolean {
    const next = this.waiters.shift();
    if (!next) return false;
    next.stopWaiting?.();
    next.grant();
    return true;
  }
}
