/**
 * The rate limit shared across processes, with a real Redis and the emulator in its own process
 * (its arrival log is the service's view): several processes checking thousands of devices stay at
 * or under rate + burst together, Redis going away mid-run costs no call, and two egress groups of
 * one account share the per-account limit.
 */
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import { runSharedLimitChild, type SharedLimitReport } from '../../bench/shared-limit-child';
import { busiestSecond } from '../../emulator/request-log';
import { ACCOUNT_RATE_LIMITS, API_RATE_LIMITS, type LimitedKey } from '../../lib/send/rate-limiter';
import { RedisTokenStore } from '../../lib/shared-limit/redis-token-store';
import { resolveSharedLimit, type SharedLimitOptions } from '../../lib/shared-limit/options';
import { queueModeNotice, sharedLimitFromEnvironment } from '../../lib/shared-limit/environment';
import { WatchLeadership } from '../../lib/watch/leadership';
import { busiestWindow } from '../helpers/send-log';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const IP = API_RATE_LIMITS.QuerySessionByClientId;
const ACCOUNT = ACCOUNT_RATE_LIMITS.QuerySessionByClientId;
const runChild = runSharedLimitChild;

/**
 * Each process's part of the sends made while every process was sending (from the last one's first
 * send to the first one's last): what "not starved" means, as a count.
 */
function sharesWhileAllSent(results: SharedLimitReport[]): number[] {
  const from = Math.max(...results.map((r) => Math.min(...r.sent)));
  const to = Math.min(...results.map((r) => Math.max(...r.sent)));
  const counts = results.map((r) => r.sent.filter((t) => t >= from && t <= to).length);
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** Outage lines come in pairs, "unavailable" (with the fallback share) then "answers again". */
function expectOutageWarnings(warnings: string[], unavailable: RegExp): void {
  expect(warnings.length).toBeGreaterThanOrEqual(2);
  expect(warnings.length % 2).toBe(0);
  warnings.forEach((w, i) => expect(w).toMatch(i % 2 === 0 ? unavailable : /answers again/));
}

/** The busiest second of all the processes' sends together. */
const busiestSent = (results: SharedLimitReport[]) => busiestWindow(results.flatMap((r) => r.sent));

let redis: RedisServer;
let emu: EmulatorProcess;
beforeAll(async () => {
  [redis, emu] = await Promise.all([startRedis(), startEmulatorProcess()]);
}, 30_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), emu?.stop()]);
});
beforeEach(async () => {
  await emu.reset();
  await emu.setFaults({ throttleQps: { QuerySessionByClientId: IP.documentedQps } });
});

const jobFor = (
  name: string,
  devices: number,
  sharedLimit: SharedLimitOptions | undefined,
  extra: { startAt?: number } = {},
) => ({
  name,
  devices,
  endpoint: emu.endpoint,
  accessKeyId: emu.accessKeyId,
  accessKeySecret: emu.accessKeySecret,
  instanceId: emu.instanceId,
  sharedLimit,
  ...extra,
});

const arrivals = async () => (await emu.log()).filter((e) => e.action === 'QuerySessionByClientId');

describe('why a token bucket in Redis, not fixed windows', () => {
  // Counted, not timed: a fixed window of 10 s (rate-limiter-flexible's shape) is filled late in one
  // window and again at the start of the next, so one 10 s span holds twice its points however
  // slowly the machine sends them (it has about 7 s for 2 x 290 local Redis calls). The shared
  // bucket's grants, taken as fast as the machine can, never put more than rate + burst in a second.
  it("rate-limiter-flexible's fixed windows let twice the points through in a span that straddles two; the shared bucket keeps rate + burst", async () => {
    const connection = new Redis(redis.url, { lazyConnect: false });
    try {
      const points = IP.ratePerSecond + IP.burst;
      const windowMs = 10_000;
      const fixed = new RateLimiterRedis({
        storeClient: connection,
        keyPrefix: `fixed-${Date.now()}`,
        points,
        duration: windowMs / 1000,
      });
      const fixedTimes: number[] = [];
      const consumeAll = async () => {
        // 25 at a time, as a busy client would send, until the window says no.
        for (;;) {
          const waits = await Promise.all(
            Array.from({ length: 25 }, () =>
              fixed.consume('k').then(
                () => (fixedTimes.push(performance.now()), 0),
                (rejection: { msBeforeNext: number }) => rejection.msBeforeNext,
              ),
            ),
          );
          const wait = Math.max(...waits);
          if (wait > 0) return wait;
        }
      };
      await fixed.consume('k'); // opens a window; the rest of it is spent late, near its end
      await new Promise((r) => setTimeout(r, windowMs * 0.7));
      const untilNext = await consumeAll();
      await new Promise((r) => setTimeout(r, untilNext));
      await consumeAll();
      const store = new RedisTokenStore(
        resolveSharedLimit({ redisUrl: redis.url, keyPrefix: `bucket-${Date.now()}` }),
        () => undefined,
      );
      const keys: LimitedKey[] = [
        {
          key: 'source\u0000h\u0000QuerySessionByClientId',
          limit: { ratePerSecond: IP.ratePerSecond, burst: IP.burst },
        },
      ];
      const bucketTimes: number[] = [];
      const end = performance.now() + 2_000;
      try {
        while (performance.now() < end) {
          await Promise.all(
            Array.from({ length: 20 }, () => store.take(keys).then(() => bucketTimes.push(performance.now()))),
          );
        }
      } finally {
        await store.close();
      }
      const fixedBusiest = busiestWindow(fixedTimes, windowMs);
      const bucketBusiest = busiestWindow(bucketTimes);
      console.log(
        `busiest ${windowMs / 1000} s of fixed windows of ${points}: ${fixedBusiest}; busiest second of the shared bucket: ${bucketBusiest} (rate + burst = ${points})`,
      );
      expect(fixedBusiest).toBeGreaterThan(points * 1.9);
      expect(bucketBusiest).toBeLessThanOrEqual(points);
      expect(bucketTimes.length).toBeGreaterThan(0);
    } finally {
      connection.disconnect();
    }
  }, 60_000);
});

describe('three processes, one source IP', () => {
  it('3 x 3,000 devices: the busiest second at the service stays at or under rate + burst, nothing throttled, nothing failed', async () => {
    const sharedLimit = { redisUrl: redis.url, keyPrefix: `three-${Date.now()}` };
    const startAt = Date.now() + 1_500;
    const runs = ['a', 'b', 'c'].map((n) => runChild(jobFor(n, 3000, sharedLimit, { startAt })));
    const results = await Promise.all(runs.map((r) => r.done));
    const log = await arrivals();
    const busiest = busiestSecond(log).count;
    const overflowed = log.filter((e) => e.code === 'SystemOverFlow').length;
    const seconds = (Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1);
    const sentBusiest = busiestSent(results);
    const roundTripsPerRequest = results.reduce((s, r) => s + r.stats!.roundTrips, 0) / log.length;
    console.log(
      `3 processes x 3000: busiest second sent ${sentBusiest}, arrived ${busiest}, ${log.length} requests in ${seconds} s, round trips per request ${roundTripsPerRequest.toFixed(2)}`,
    );
    for (const r of results) {
      expect(r.crashed).toBeUndefined();
      expect(r.codes).toEqual({ ok: 3000 });
      expect(r.warnings).toEqual([]);
    }
    expect(log).toHaveLength(9000);
    expect(overflowed).toBe(0);
    expect(sentBusiest).toBeLessThanOrEqual(IP.ratePerSecond + IP.burst);
    expect(busiest).toBeLessThanOrEqual(IP.documentedQps);
    // Shared, not starved: while all three were sending, each got at least half of a fair third of
    // the grants (counted, whatever the machine's speed; how fast together is a bench figure).
    for (const share of sharesWhileAllSent(results)) expect(share).toBeGreaterThanOrEqual(1 / 3 / 2);
    // Slots are reserved a batch at a time: sharing costs under one Redis round trip per request
    // (counted; asking whenever a token may have come in made about one per process per request).
    expect(roundTripsPerRequest).toBeLessThanOrEqual(1.5);
  }, 180_000);

  it('Redis killed mid-run and restarted: no call fails, each process says so once each way, the service is never over its limit', async () => {
    const sharedLimit = { redisUrl: redis.url, keyPrefix: `outage-${Date.now()}` };
    const startAt = Date.now() + 1_500;
    // assumedProcesses 3, the truth: the fallback share is 3 whether Redis was seen before it went
    // (it counted 3) or not at all (a process that started slowly on a loaded machine).
    const runs = ['a', 'b', 'c'].map((n) =>
      runChild(jobFor(n, 1500, { ...sharedLimit, assumedProcesses: 3 }, { startAt })),
    );
    await Promise.all(runs.map((r) => r.started));
    await new Promise((r) => setTimeout(r, 2_500));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 4_000));
    await redis.start();
    const results = await Promise.all(runs.map((r) => r.done));
    const log = await arrivals();
    const busiest = busiestSecond(log).count;
    const sentBusiest = busiestSent(results);
    console.log(
      `Redis outage: busiest second sent ${sentBusiest}, arrived ${busiest}; per process: ${results.map((r) => `${r.name} ${r.stats!.fallbackGrants} alone, ${r.stats!.granted} shared`).join('; ')}`,
    );
    for (const r of results) {
      expect(r.crashed).toBeUndefined();
      expect(r.codes).toEqual({ ok: 1500 });
      expect(r.stats!.fallbackGrants).toBeGreaterThan(0);
      expect(r.stats!.granted).toBeGreaterThan(0);
      // When it went and when it came back, the URL's host and port only. (A restarting Redis may
      // drop a connection once more just after it answered: then a second pair, never a lone line.)
      expectOutageWarnings(r.warnings, /unavailable.*1\/3 of each limit/);
    }
    // Back on the shared store after the restart: the last requests were granted by Redis.
    expect(log.filter((e) => e.code === 'SystemOverFlow')).toHaveLength(0);
    expect(sentBusiest).toBeLessThanOrEqual(IP.ratePerSecond + IP.burst);
    expect(busiest).toBeLessThanOrEqual(IP.documentedQps);
  }, 120_000);
});

describe('the fallback share', () => {
  it('a process that never reached Redis keeps to the assumed share, and says it is assumed', async () => {
    const { freePort } = await import('../helpers/redis-server');
    const warnings: string[] = [];
    const store = new RedisTokenStore(
      resolveSharedLimit({ redisUrl: `redis://127.0.0.1:${await freePort()}/0`, keyPrefix: 'never' }),
      (m) => void warnings.push(m),
    );
    try {
      const keys: LimitedKey[] = [
        {
          key: 'source\u0000127.0.0.1\u0000QuerySessionByClientId',
          limit: { ratePerSecond: IP.ratePerSecond, burst: IP.burst },
        },
      ];
      await store.take(keys);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /unavailable \(it has not answered in the 5 s since this process started\); this process now keeps to 1\/4 of each limit on its own \(how many processes share it is unknown: it assumes 4/,
      );
    } finally {
      await store.close();
    }
  }, 20_000);
});

describe('processes with different rates for one key (a rolling upgrade)', () => {
  it('the strictest rate of the callers of the last minute binds them all', async () => {
    const prefix = `upgrade-${Date.now()}`;
    const stores = [0, 1, 2, 3].map(
      () => new RedisTokenStore(resolveSharedLimit({ redisUrl: redis.url, keyPrefix: prefix }), () => undefined),
    );
    const slow = { ratePerSecond: 50, burst: 5 };
    const fast = { ratePerSecond: 200, burst: 10 };
    const granted: number[] = [];
    try {
      const until = performance.now() + 3_000;
      await Promise.all(
        stores.map(async (store, i) => {
          const keys: LimitedKey[] = [
            { key: 'source\u0000upgrade\u0000QuerySessionByClientId', limit: i % 2 ? fast : slow },
          ];
          // The slow ones first, as the old version of a rolling upgrade still runs.
          if (i % 2) await new Promise((r) => setTimeout(r, 50));
          while (performance.now() < until) {
            await Promise.all(
              Array.from({ length: 8 }, () => store.take(keys).then(() => void granted.push(performance.now()))),
            );
          }
        }),
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const busiest = busiestWindow(granted);
    console.log(`rolling upgrade: busiest second granted ${busiest} (strictest 50 + 5, fastest 200 + 10)`);
    expect(busiest).toBeLessThanOrEqual(slow.ratePerSecond + slow.burst);
  }, 30_000);
});

describe('a slow Redis', () => {
  it('Redis stalls (DEBUG SLEEP) mid-run: the processes fall back after 1 s, no call fails, they come back, the limit holds', async () => {
    const sharedLimit = { redisUrl: redis.url, keyPrefix: `slow-${Date.now()}`, assumedProcesses: 2 };
    const startAt = Date.now() + 1_500;
    const runs = ['a', 'b'].map((n) => runChild(jobFor(n, 1500, sharedLimit, { startAt })));
    await Promise.all(runs.map((r) => r.started));
    await new Promise((r) => setTimeout(r, 2_000));
    const admin = new Redis(redis.url);
    try {
      await admin.call('DEBUG', 'SLEEP', '3');
    } finally {
      admin.disconnect();
    }
    const results = await Promise.all(runs.map((r) => r.done));
    const log = await arrivals();
    const sentBusiest = busiestSent(results);
    console.log(
      `slow Redis: busiest second sent ${sentBusiest}, arrived ${busiestSecond(log).count}; ${results.map((r) => `${r.name} ${r.stats!.fallbackGrants} alone`).join(', ')}`,
    );
    for (const r of results) {
      expect(r.codes).toEqual({ ok: 1500 });
      expect(r.stats!.fallbackGrants).toBeGreaterThan(0);
      // One stall, one pair of lines: an answer read late by a busy process is no second outage.
      expect(r.warnings).toHaveLength(2);
      expectOutageWarnings(r.warnings, /unavailable \(no answer in time\).*1\/2 of each limit/);
    }
    expect(log.filter((e) => e.code === 'SystemOverFlow')).toHaveLength(0);
    expect(sentBusiest).toBeLessThanOrEqual(IP.ratePerSecond + IP.burst);
  }, 120_000);
});

describe('one leader among instances of one watcher', () => {
  it('one lease at a time; a leader that stalled past its lease can no longer save (or fire); the next leader reads its state', async () => {
    const name = `watch-${Date.now()}`;
    // A lease of 3 s, renewed every second: a leader passed over by a loaded machine's scheduler
    // for up to 2 s still renews in time. What is counted is whose lease it is, never how fast.
    const leaseMs = 3_000;
    const a = new WatchLeadership({ redisUrl: redis.url, name, leaseMs, owner: 'A' });
    const b = new WatchLeadership({ redisUrl: redis.url, name, leaseMs, owner: 'B' });
    try {
      expect(await a.claim()).toBe(true);
      expect(await b.claim()).toBe(false);
      expect(b.holder).toBe('A');
      await a.store.save({ state: { version: 1, instanceId: 'i', devices: {} } as never });
      await expect(b.store.save({})).rejects.toMatchObject({ code: 'LeadershipLost' });
      // A stalls (its event loop blocked past the lease): it cannot renew.
      const until = Date.now() + leaseMs * 1.1;
      while (Date.now() < until) {
        /* busy: no timer of this process runs */
      }
      expect(await b.claim()).toBe(true);
      await expect(a.store.save({})).rejects.toMatchObject({ code: 'LeadershipLost' });
      expect(a.isLeader).toBe(false);
      expect(await b.store.load()).toEqual({ state: { version: 1, instanceId: 'i', devices: {} } });
      // B renews by itself while it leads: past the lease it took, it still holds it.
      await new Promise((r) => setTimeout(r, leaseMs * 1.2));
      expect(await a.claim()).toBe(false);
      // B goes away politely: A takes over at once.
      await b.close();
      expect(await a.claim()).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);
});

describe('one account, two egress groups', () => {
  it('each group has its own per-IP limit, and together they keep to the per-account limit', async () => {
    await emu.setFaults({ throttleQps: { QuerySessionByClientId: ACCOUNT.documentedQps } });
    const prefix = `account-${Date.now()}`;
    const startAt = Date.now() + 1_500;
    const runs = ['nat-a', 'nat-b', 'nat-a2', 'nat-b2'].map((name) =>
      runChild(jobFor(name, 2000, { redisUrl: redis.url, keyPrefix: prefix, egressId: name.slice(0, 5) }, { startAt })),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    const log = await arrivals();
    const busiest = busiestSecond(log).count;
    const sentBusiest = busiestSent(results);
    console.log(
      `two egress groups: busiest second sent ${sentBusiest}, arrived ${busiest} (per-IP ${IP.ratePerSecond + IP.burst} each, account ${ACCOUNT.ratePerSecond + ACCOUNT.burst})`,
    );
    for (const r of results) expect(r.codes).toEqual({ ok: 2000 });
    expect(log.filter((e) => e.code === 'SystemOverFlow')).toHaveLength(0);
    expect(sentBusiest).toBeLessThanOrEqual(ACCOUNT.ratePerSecond + ACCOUNT.burst);
    expect(busiest).toBeLessThanOrEqual(ACCOUNT.documentedQps);
    // More than one group's per-IP limit: the groups do not share that one.
    expect(sentBusiest).toBeGreaterThan(IP.ratePerSecond + IP.burst);
  }, 120_000);
});

describe("n8n queue mode's Redis settings", () => {
  it('are used by default in queue mode, can be pointed elsewhere or turned off', () => {
    expect(sharedLimitFromEnvironment({})).toBeUndefined();
    expect(sharedLimitFromEnvironment({ EXECUTIONS_MODE: 'queue' })).toEqual({
      redisUrl: 'redis://localhost:6379/0',
      keyPrefix: 'bull:alicloud-mqtt',
    });
    expect(
      sharedLimitFromEnvironment({
        EXECUTIONS_MODE: 'queue',
        QUEUE_BULL_REDIS_HOST: 'redis.internal',
        QUEUE_BULL_REDIS_PORT: '6380',
        QUEUE_BULL_REDIS_DB: '2',
        QUEUE_BULL_REDIS_USERNAME: 'n8n',
        QUEUE_BULL_REDIS_PASSWORD: 'p@ss:word',
        QUEUE_BULL_REDIS_TLS: 'true',
        QUEUE_BULL_PREFIX: 'jobs',
        ALICLOUD_MQTT_EGRESS_ID: 'nat-a',
      }),
    ).toEqual({
      redisUrl: 'rediss://n8n:p%40ss%3Aword@redis.internal:6380/2',
      keyPrefix: 'jobs:alicloud-mqtt',
      egressId: 'nat-a',
    });
    expect(sharedLimitFromEnvironment({ EXECUTIONS_MODE: 'queue', ALICLOUD_MQTT_SHARED_LIMIT: 'off' })).toBeUndefined();
    expect(sharedLimitFromEnvironment({ ALICLOUD_MQTT_SHARED_LIMIT: 'redis://10.0.0.5:6379/1' })).toEqual({
      redisUrl: 'redis://10.0.0.5:6379/1',
    });
    // A Redis Cluster is not used by itself: no sharing, and a notice that says so and what to set.
    const cluster = { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'r1:6379,r2:6379' };
    expect(sharedLimitFromEnvironment(cluster)).toBeUndefined();
    expect(queueModeNotice(cluster)).toMatch(/Set ALICLOUD_MQTT_SHARED_LIMIT to a standalone Redis/);
    expect(queueModeNotice({ ...cluster, ALICLOUD_MQTT_SHARED_LIMIT: 'off' })).toBeUndefined();
    expect(queueModeNotice({ EXECUTIONS_MODE: 'queue' })).toBeUndefined();
  });
});
