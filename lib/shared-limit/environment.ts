/**
 * Where a host finds the shared limit without being told: n8n's queue mode always has a Redis
 * (its job queue), named by n8n's own settings, and every worker of it runs executions in a process
 * of its own, so the limit must be shared there. An explicit variable points elsewhere or turns it off.
 */
import { environment, type Environment } from '../base/environment';
import type { SharedLimitOptions } from './options';

/** A redis:// URL, or "off". */
export const SHARED_LIMIT_VARIABLE = 'ALICLOUD_MQTT_SHARED_LIMIT';
export const EGRESS_ID_VARIABLE = 'ALICLOUD_MQTT_EGRESS_ID';
export const ACCOUNT_ID_VARIABLE = 'ALICLOUD_MQTT_ACCOUNT_ID';

export function sharedLimitFromEnvironment(env: Environment = environment()): SharedLimitOptions | undefined {
  const explicit = env[SHARED_LIMIT_VARIABLE]?.trim();
  if (explicit && /^(off|false|no|0|none)$/i.test(explicit)) return undefined;
  const extra = {
    ...(env[EGRESS_ID_VARIABLE]?.trim() ? { egressId: env[EGRESS_ID_VARIABLE].trim() } : {}),
    ...(env[ACCOUNT_ID_VARIABLE]?.trim() ? { accountId: env[ACCOUNT_ID_VARIABLE].trim() } : {}),
  };
  if (explicit) return { redisUrl: explicit, ...extra };
  if (env.EXECUTIONS_MODE?.trim() !== 'queue') return undefined;
  // A Redis Cluster is not used by itself (see queueModeNotice): no sharing rather than a wrong host.
  if (env.QUEUE_BULL_REDIS_CLUSTER_NODES?.trim()) return undefined;
  // n8n's defaults: localhost:6379, database 0, no TLS, prefix "bull".
  const tls = /^(true|1)$/i.test(env.QUEUE_BULL_REDIS_TLS?.trim() ?? '');
  const user = env.QUEUE_BULL_REDIS_USERNAME ?? '';
  const password = env.QUEUE_BULL_REDIS_PASSWORD ?? '';
  const auth = user || password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}@` : '';
  const host = env.QUEUE_BULL_REDIS_HOST?.trim() || 'localhost';
  const port = env.QUEUE_BULL_REDIS_PORT?.trim() || '6379';
  const db = env.QUEUE_BULL_REDIS_DB?.trim() || '0';
  const prefix = (env.QUEUE_BULL_PREFIX?.trim() || 'bull').replace(/[^\w.:@-]/g, '_');
  return {
    redisUrl: `${tls ? 'rediss' : 'redis'}://${auth}${host.includes(':') ? `[${host}]` : host}:${port}/${db}`,
    keyPrefix: `${prefix}:alicloud-mqtt`,
    ...extra,
  };
}

/**
 * What an operator of n8n's queue mode must know once: its Redis is a cluster, which the shared
 * limit does not use by itself, so each worker keeps to the limit alone until told where to share.
 */
export function queueModeNotice(env: Environment = environment()): string | undefined {
  if (env.EXECUTIONS_MODE?.trim() !== 'queue' || env[SHARED_LIMIT_VARIABLE]?.trim()) return undefined;
  if (!env.QUEUE_BULL_REDIS_CLUSTER_NODES?.trim()) return undefined;
  return `n8n's queue Redis is a cluster (QUEUE_BULL_REDIS_CLUSTER_NODES), which the Alibaba Cloud MQTT nodes do not share their rate limit over: each worker keeps to the whole limit alone, so together they can exceed it. Set ${SHARED_LIMIT_VARIABLE} to a standalone Redis (redis://host:port/db), or to "off" to silence this.`;
}
