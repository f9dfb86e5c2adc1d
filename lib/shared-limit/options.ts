/**
 * The `sharedLimit` option: where the store is and which group this process belongs to. Plain data,
 * validated with messages that say what to fix. The Redis URL may hold a password: it is never put
 * into a message or a log (`describeRedis` gives host, port and database only).
 */
import { invalidInput } from '../base/errors';
import { normalizeUserInfo } from '../base/user-info';
import { optionalNumber, optionalString } from '../base/validation';

export interface SharedLimitOptions {
  /** redis://[user:password@]host[:port][/db] or rediss:// (TLS). */
  redisUrl: string;
  /** Prefix of every key (default 'alicloud-mqtt'); processes share a limit only with the same prefix. */
  keyPrefix?: string;
  /** Processes with the same egressId share each API's per-source-IP limit (default: one group for all). */
  egressId?: string;
  /**
   * Names the Alibaba account, for the per-account limit, when the credential cannot tell (several
   * RAM users' AccessKeys of one account). Default: what the credential says (lib/credentials/spec.ts).
   */
  accountId?: string;
  /**
   * In its first minute (before it has seen who else uses the limit), how many processes a process
   * assumes it shares each limit with if Redis is down (default 4). Afterwards it counts the
   * processes Redis saw using the limit in the last minute.
   */
  assumedProcesses?: number;
  /**
   * Longest wait for one Redis answer before falling back to the local share (default 1000 ms:
   * Redis answers in well under a millisecond, but a busy event loop reads the answer late).
   */
  commandTimeoutMs?: number;
}

export interface ResolvedSharedLimit {
  redisUrl: string;
  keyPrefix: string;
  egressId: string;
  accountId: string | undefined;
  assumedProcesses: number;
  commandTimeoutMs: number;
}

const NAME = /^[\w.:@-]{1,100}$/;

export function resolveSharedLimit(value: unknown): ResolvedSharedLimit {
  if (!value || typeof value !== 'object')
    throw invalidInput('sharedLimit', "expected an object such as { redisUrl: 'redis://127.0.0.1:6379/0' }.");
  const o = value as Record<string, unknown>;
  const redisUrl = optionalString('sharedLimit.redisUrl', o.redisUrl);
  if (!redisUrl) throw invalidInput('sharedLimit.redisUrl', "is required, e.g. 'redis://127.0.0.1:6379/0'.");
  let parsed: URL;
  try {
    parsed = new URL(redisUrl);
  } catch {
    throw invalidInput(
      'sharedLimit.redisUrl',
      'is not a URL; write it as redis://host:port/db (or rediss:// for TLS).',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalidInput('sharedLimit.redisUrl', `must start with redis:// or rediss://, not ${parsed.protocol}//.`);
  }
  const name = (field: string, raw: unknown, fallback: string | undefined) => {
    const v = optionalString(`sharedLimit.${field}`, raw) ?? fallback;
    if (v !== undefined && !NAME.test(v))
      throw invalidInput(`sharedLimit.${field}`, 'may hold letters, digits and . _ : @ - only (at most 100).');
    return v;
  };
  return {
    // ioredis decodes the password strictly: a raw % in it would fail as "URI malformed".
    redisUrl: parsed.username || parsed.password ? normalizeUserInfo(parsed).href : redisUrl,
    keyPrefix: name('keyPrefix', o.keyPrefix, 'alicloud-mqtt') as string,
    egressId: name('egressId', o.egressId, 'default') as string,
    accountId: name('accountId', o.accountId, undefined),
    assumedProcesses: optionalNumber('sharedLimit.assumedProcesses', o.assumedProcesses, { min: 1, max: 1000 }) ?? 4,
    commandTimeoutMs:
      optionalNumber('sharedLimit.commandTimeoutMs', o.commandTimeoutMs, { min: 10, max: 10_000 }) ?? 1000,
  };
}

/** host:port/db of a Redis URL, for messages: never the user name or password. */
export function describeRedis(redisUrl: string): string {
  try {
    const u = new URL(redisUrl);
    const db = u.pathname.replace(/^\//, '') || '0';
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}/${db}`;
  } catch {
    return 'the configured Redis server';
  }
}
