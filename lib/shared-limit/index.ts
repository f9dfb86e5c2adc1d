/**
 * One shared store per Redis, prefix and egress group in a process: every client configured alike
 * shares its connection and its queues (n8n creates a client per execution; they must not each
 * open a connection or queue apart). Loaded only when a `sharedLimit` is configured: a plain
 * install never loads ioredis.
 */
import { RedisTokenStore, type SharedLimitLog } from './redis-token-store';
import type { ResolvedSharedLimit } from './options';

export { resolveSharedLimit, describeRedis, type SharedLimitOptions, type ResolvedSharedLimit } from './options';
export {
  sharedLimitFromEnvironment,
  queueModeNotice,
  SHARED_LIMIT_VARIABLE,
  EGRESS_ID_VARIABLE,
  ACCOUNT_ID_VARIABLE,
} from './environment';
export { RedisTokenStore, type SharedLimitLog };

const stores = new Map<string, RedisTokenStore>();

const defaultLog: SharedLimitLog = (message) => console.warn(`[alicloud-mqtt] ${message}`);

export function sharedTokenStore(options: ResolvedSharedLimit, log: SharedLimitLog = defaultLog): RedisTokenStore {
  const id = JSON.stringify([options.redisUrl, options.keyPrefix, options.egressId, options.accountId ?? '']);
  let store = stores.get(id);
  if (!store) stores.set(id, (store = new RedisTokenStore(options, log)));
  return store;
}

/** Closes every shared store of this process (tests; a host that unloads the package). */
export async function closeSharedTokenStores(): Promise<void> {
  const all = [...stores.values()];
  stores.clear();
  await Promise.all(all.map((s) => s.close()));
}
