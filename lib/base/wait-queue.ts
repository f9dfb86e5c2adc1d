import { abortedError, whenAborted, type Cancellable } from './abort';

/**
 * A FIFO of callers waiting for something (a rate token, a concurrency slot). A caller whose
 * signal aborts leaves the queue at once with `Aborted` (or the signal's own OnsMqttError) and is
 * never granted afterwards.
 */
export class WaitQueue<T = void> {
  private readonly waiters: Array<{ grant: (value: T) => void; stopWaiting?: () => void }> = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves when `grantNext` reaches this caller. */
  wait(signal?: Cancellable): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return new Promise<T>((resolve, reject) => {
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

  /** Grants the oldest waiter (resolving it with `value`); false when nobody waits. */
  grantNext(...value: T extends void ? [] : [T]): boolean {
    const next = this.waiters.shift();
    if (!next) return false;
    next.stopWaiting?.();
    next.grant(value[0] as T);
    return true;
  }
}
