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
