/**
 * One leader among the processes that run the same watcher (two Node-RED instances with the same
 * flows): a lock with a lease in Redis. Only the leader checks and fires; the state it saves lives in
 * Redis too, so whoever leads next starts from it. Saving is fenced: a process that lost the lease
 * (it stalled past the lease, another took over) cannot overwrite the new leader's state, and since
 * events are sent only after their state is saved, it cannot fire them either.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { inspect } from 'node:util';
import type { Redis as RedisClient } from 'ioredis';
import type { SavedWatch, WatchStore } from './watcher';
import { OnsMqttError } from '../base/errors';
import { describeRedis } from '../shared-limit/options';

const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return { 1, ARGV[1] }
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return { 1, holder }
end
return { 0, holder }
`;
const FENCED_SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface LeaseRedis extends RedisClient {
  alicloudMqttClaim(lock: string, owner: string, leaseMs: number): Promise<[number, string]>;
  alicloudMqttFencedSave(lock: string, state: string, owner: string, json: string): Promise<number>;
  alicloudMqttRelease(lock: string, owner: string): Promise<number>;
}

export interface WatchLeadershipOptions {
  redisUrl: string;
  keyPrefix?: string;
  /** What the instances share: the same name means the same watcher (Node-RED: the node's id). */
  name: string;
  /** How long a lease lasts without renewal: how late a takeover may come after a leader dies. */
  leaseMs?: number;
  /** Names this process in the lock (host name, PID and a random part by default). */
  owner?: string;
}

export const DEFAULT_LEASE_MS = 15_000;

/** How often a leader renews its lease: a third of it, never more often than every 50 ms. */
export const renewalIntervalMs = (leaseMs: number): number => Math.max(50, Math.floor(leaseMs / 3));

export class WatchLeadership {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly redis: LeaseRedis;
  private readonly lockKey: string;
  private readonly stateKey: string;
  private leading = false;
  private renewal: NodeJS.Timeout | undefined;
  /** The last state this process saved, for a Redis that restarted empty while it led. */
  private lastSaved: SavedWatch | undefined;
  /** The process that holds the lease, as last seen (for a status). */
  holder: string | undefined;

  /** What JSON.stringify and util.inspect show: where Redis is, never its password. */
  toJSON(): Record<string, unknown> {
    return { redis: this.where, owner: this.owner, leading: this.leading, holder: this.holder };
  }

  [inspect.custom](): string {
    return `WatchLeadership ${inspect(this.toJSON())}`;
  }

  constructor(options: WatchLeadershipOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Redis } = require('ioredis') as typeof import('ioredis');
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const tag = `{${options.keyPrefix ?? 'alicloud-mqtt'}}`;
    this.lockKey = `${tag}:watch-leader:${options.name}`;
    this.stateKey = `${tag}:watch-state:${options.name}`;
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 2_000,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(250 * times, 2_000),
    }) as LeaseRedis;
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('alicloudMqttClaim', { numberOfKeys: 1, lua: CLAIM });
    this.redis.defineCommand('alicloudMqttFencedSave', { numberOfKeys: 2, lua: FENCED_SAVE });
    this.redis.defineCommand('alicloudMqttRelease', { numberOfKeys: 1, lua: RELEASE });
    this.where = describeRedis(options.redisUrl);
  }

  private readonly where: string;

  /** Waits (briefly) for the first connection; false if Redis did not answer. */
  async connected(timeoutMs = 3_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    // The listener goes when the wait ends either way: a claim every tick while Redis is down
    // would otherwise leave one 'ready' listener per tick behind.
    return new Promise<boolean>((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Takes the lease if it is free, renews it if it is ours. While this process leads, it renews
   * every third of the lease on its own, so a long check does not lose it. Throws when Redis cannot
   * be asked (nobody may then act as leader: this process stops leading).
   */
  async claim(): Promise<boolean> {
    if (this.redis.status !== 'ready') await this.connected();
    try {
      const [won, holder] = await this.redis.alicloudMqttClaim(this.lockKey, this.owner, this.leaseMs);
      this.holder = holder;
      this.setLeading(Number(won) === 1);
    } catch (error) {
      this.setLeading(false);
      throw unavailable(this.where, error);
    }
    return this.leading;
  }

  /** The saved watch, kept in Redis; saving succeeds only while this process holds the lease. */
  readonly store: WatchStore = {
    load: async () => {
      let raw: string | null;
      try {
        raw = await this.redis.get(this.stateKey);
      } catch (error) {
        throw unavailable(this.where, error);
      }
      if (raw === null) return this.lastSaved;
      return JSON.parse(raw) as SavedWatch;
    },
    save: async (saved) => {
      let ok: number;
      try {
        ok = Number(
          await this.redis.alicloudMqttFencedSave(this.lockKey, this.stateKey, this.owner, JSON.stringify(saved)),
        );
      } catch (error) {
        throw unavailable(this.where, error);
      }
      if (ok !== 1) {
        this.setLeading(false);
        throw new OnsMqttError({
          code: 'LeadershipLost',
          message:
            'Another instance took over this watch while it was checking: this check fires nothing (the new leader reports the changes).',
          errorClass: 'retry',
        });
      }
      this.lastSaved = saved;
    },
  };

  /** Gives the lease up (a redeploy, a stop), so another instance takes over at its next check. */
  async release(): Promise<void> {
    this.setLeading(false);
    try {
      await this.redis.alicloudMqttRelease(this.lockKey, this.owner);
    } catch {
      // The lease runs out by itself.
    }
  }

  async close(): Promise<void> {
    await this.release();
    this.redis.disconnect();
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (leading && !this.renewal) {
      // Three renewals a lease: two may come late (a busy loop, a slow Redis) before it lapses. A
      // floor in milliseconds would eat that margin for short leases (500 ms for a 600 ms lease).
      this.renewal = setInterval(() => void this.claim().catch(() => undefined), renewalIntervalMs(this.leaseMs));
      this.renewal.unref();
    } else if (!leading && this.renewal) {
      clearInterval(this.renewal);
      this.renewal = undefined;
    }
  }
}

function unavailable(where: string, error: unknown): OnsMqttError {
  const timedOut = error instanceof Error && /timed out/i.test(error.message);
  return new OnsMqttError({
    code: 'SharedStateUnavailable',
    message: `Redis at ${where} ${timedOut ? 'did not answer in time' : 'is not reachable'}: the instances cannot agree which one leads, so none checks until it is back.`,
    errorClass: 'retry',
  });
}
