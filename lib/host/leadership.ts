/**
 * The leader election a host's watch uses when its settings name a Redis: one instance of the
 * watch checks, the others stand by (Node-RED high availability; n8n multi-main).
 */
import { resolveSharedLimit, type SharedLimitOptions } from '../shared-limit/options';
import { WatchLeadership } from '../watch/leadership';

/** The election of the watch named `name` on the Redis of `shared` (ioredis is loaded only now). */
export function leadershipFor(shared: SharedLimitOptions, name: string): WatchLeadership {
  const resolved = resolveSharedLimit(shared);
  return new WatchLeadership({ redisUrl: resolved.redisUrl, keyPrefix: resolved.keyPrefix, name });
}

export type { WatchLeadership };

/**
 * Asks for the lease now and every `everyMs`, and tells `onClaim` each time whether this process
 * leads (a subscription starts on the leader and stops elsewhere; `onClaim` must be idempotent).
 * A claim that fails counts as not leading: nobody consumes twice while Redis cannot be asked.
 */
export function claimEvery(
  claim: () => Promise<boolean>,
  onClaim: (leading: boolean) => void | Promise<void>,
  everyMs = 5_000,
): () => void {
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running) return; // a slow Redis: one claim at a time
    running = true;
    try {
      const leading = await claim().catch(() => false);
      // Stopped while the claim was out: starting a subscription now would outlive its node.
      if (!stopped) await onClaim(leading);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
