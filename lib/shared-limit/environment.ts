/**
 * Where a host finds the shared limit without being told: n8n's queue mode always has a Redis
 * (its job queue), named by n8n's own settings, and every worker of it runs executions in a process
 * of its own, so the limit must be shared there. An explicit variable points elsewhere or turns it off.
 */
import type { SharedLimitOptions } from './options';

/** A redis:// URL, or "off". */
export const SHARED_LIMIT_VARIABLE = 'ALICLOUD_MQTT_SHARED_LIMIT';
export const EGRESS_ID_VARIABLE = 'ALICLOUD_MQTT_EGRESS_ID';
export const ACCOUNT_ID_VARIABLE = 'ALICLOUD_MQTT_ACCOUNT_ID';

export function sharedLimitFromEnvironment(env: NodeJS.ProcessEnv = process.env): SharedLimitOptions | undefined {
  const explicit = env[SHARED_LIMIT_VARIABLE]?.trim();
  if (explicit && /^(off|false|no|0|none)$/i.test(explicit)) return undefined;
  const extra = {
    ...(env[EGRESS_ID_VARIABLE]?.trim() ? { egressId: env[EGRESS_ID_VARIABLE].trim() } : {}),
    ...(env[ACCOUNT_ID_VARIABLE]?.trim() ? { accountId: env[ACCOUNT_ID_VARIABLE].trim() } : {}),
  };
  if (explicit) return { redisUrl: explicit, ...extra };
  if (env.EXECUTIONS_MODE?.trim() !== 'queue') return undefined;
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
