/**
 * The promises on a busy host, as properties (fast-check, seeded, bounded; a failure prints its
 * seed and counterexample, and the same seed replays it), asserted as counts and orders once
 * everything is quiet, never as speeds:
 * - never over the limit, never stalled: any mix of a blocked event loop (slices, back to back or
 *   half the time), Redis far away, shared or not: every query answered, the busiest second as
 *   written within rate + burst;
 * - one event per outage, none lost: any schedule of drops and returns of a few devices, racing
 *   their confirmations through a service far away: each device's events alternate, and once quiet
 *   the watcher believes what the service says.
 */
import fc from 'fast-check';
import type { RunningEmulator } from '../../emulator';
import {
  DEFAULT_WATCH_OPTIONS,
  FleetWatcher,
  type SavedWatch,
  type WatchCheckResult,
  type WatchStore,
} from '../../lib/internal';
import { PushWatch } from '../../lib/watch/push-watch';
import { API_RATE_LIMITS } from '../../lib/send/rate-limiter';
import { runSharedLimitChild } from '../../bench/shared-limit-child';
import { latencyProxy, type LatencyProxy } from '../../bench/hostile';
import { busiestWindow } from '../helpers/send-log';
import { clientFor, emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET, waitFor } from '../helpers/emulator';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const IP = API_RATE_LIMITS.QuerySessionByClientId;
const SEED = 20261206;

describe('never over the limit, never stalled', () => {
  let redis: RedisServer;
  let emu: EmulatorProcess;
  let proxy: LatencyProxy;
  beforeAll(async () => {
    [redis, emu] = await Promise.all([startRedis(), startEmulatorProcess()]);
    proxy = await latencyProxy({ host: '127.0.0.1', port: redis.port }, 0);
  }, 30_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([redis?.stop(), emu?.stop()]);
  });

  it('whatever the blocks, the Redis latency and the sharing: every query answered, the busiest second within rate + burst', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          blockMs: fc.constantFrom(0, 15, 50),
          halfTime: fc.boolean(),
          redisOneWayMs: fc.constantFrom(0, 15, 30, 50),
          shared: fc.boolean(),
          devices: fc.integer({ min: 120, max: 300 }),
        }),
        async (plan) => {
          await emu.reset();
          proxy.setDelay(plan.redisOneWayMs);
          const report = await runSharedLimitChild({
            name: `p${run++}`,
            devices: plan.devices,
            endpoint: emu.endpoint,
            accessKeyId: emu.accessKeyId,
            accessKeySecret: emu.accessKeySecret,
            instanceId: emu.instanceId,
            ...(plan.shared
              ? {
                  sharedLimit: {
                    redisUrl: `redis://127.0.0.1:${proxy.port}/0`,
                    keyPrefix: `prop-${Date.now()}-${run}`,
                  },
                }
              : {}),
            ...(plan.blockMs > 0 ? { busy: { blockMs: plan.blockMs, idleMs: plan.halfTime ? plan.blockMs : 0 } } : {}),
          }).done;
          expect(report.crashed).toBeUndefined();
          expect(report.codes).toEqual({ ok: plan.devices });
          expect(busiestWindow(report.sent)).toBeLessThanOrEqual(IP.ratePerSecond + IP.burst);
        },
      ),
      { seed: SEED, numRuns: 6, endOnFailure: true },
    );
  }, 240_000);
});

describe('one event per outage, none lost', () => {
  let emu: RunningEmulator;
  let proxy: LatencyProxy;
  beforeAll(async () => {
    emu = await emulatorWithSentinel({ amqpPort: 0 });
    proxy = await latencyProxy({ host: '127.0.0.1', port: Number(new URL(emu.endpoint).port) }, 0);
  });
  afterAll(async () => {
    await proxy?.close();
    await emu?.stop();
  });

  const step = fc.record({ device: fc.integer({ min: 0, max: 3 }), gapMs: fc.integer({ min: 0, max: 700 }) });

  it('any schedule of drops and returns racing their confirmations: events alternate per device, and once quiet the watcher believes the service', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: 12 }),
        fc.constantFrom(0, 100, 300),
        fc.constantFrom(50, 200, 400),
        async (steps, oneWayMs, windowMs) => {
          emu.reset();
          proxy.setDelay(oneWayMs);
          const ids = [0, 1, 2, 3].map((i) => `GID_prop@@@r${run}-${i}`);
          run++;
          for (const id of ids) emu.setDeviceOnline(id, true);
          let saved: SavedWatch | undefined;
          const store: WatchStore = {
            load: async () => saved && (JSON.parse(JSON.stringify(saved)) as SavedWatch),
            save: async (s) => void (saved = JSON.parse(JSON.stringify(s)) as SavedWatch),
          };
          const results: WatchCheckResult[] = [];
          const watcher = new FleetWatcher({
            client: () => clientFor(emu, { endpoint: `http://127.0.0.1:${proxy.port}` }),
            instanceId: emu.instanceId,
            clientIds: ids,
            options: DEFAULT_WATCH_OPTIONS,
            store,
          });
          const watch = new PushWatch({
            watcher,
            clientIds: ids,
            windowMs,
            safetyPollMs: 0,
            subscription: {
              instanceId: emu.instanceId,
              accessKeyId: SENTINEL_ACCESS_KEY_ID,
              accessKeySecret: SENTINEL_SECRET,
              groupIds: ['GID_prop'],
              endpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
            },
            deliver: (r) => void results.push(r),
          });
          try {
            await watch.start();
            await waitFor(() => results.length >= 1 && watch.idle, 20_000, 'the first full check');
            const online = ids.map(() => true);
            // A connection's end closes the channel its connect opened (the first ones: connected
            // before the subscription, their channel never heard of).
            const channel = ids.map((_, i) => `r${run}-before-${i}`);
            for (const [n, { device, gapMs }] of steps.entries()) {
              online[device] = !online[device];
              if (online[device]) channel[device] = `r${run}-${n}-${device}`;
              emu.setDeviceOnline(ids[device], online[device]);
              emu.cloudSdk!.publishStatus({
                clientId: ids[device],
                channelId: channel[device],
                eventType: online[device] ? 'connect' : 'tcpclean',
                time: Date.now(),
                clientIp: '127.0.0.1',
              });
              await new Promise((r) => setTimeout(r, gapMs));
            }
            await new Promise((r) => setTimeout(r, windowMs + 50));
            await waitFor(
              () =>
                watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
              30_000,
              'quiet',
            );
            const events = results.flatMap((r) => r.events);
            for (const [i, id] of ids.entries()) {
              const kinds = events.filter((e) => e.clientId === id).map((e) => e.event);
              kinds.forEach((k, j) => expect(k).toBe(j % 2 === 0 ? 'offline' : 'online'));
              expect(saved?.state?.devices?.[id]?.online).toBe(online[i]);
            }
          } finally {
            await watch.stop();
          }
        },
      ),
      { seed: SEED, numRuns: 8, endOnFailure: true },
    );
  }, 240_000);
});
