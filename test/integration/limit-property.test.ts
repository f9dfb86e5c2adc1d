/**
 * "One limit per source per process, whatever the configuration", as a property: any mix of
 * clients in one process (with and without a store shared over Redis, the endpoint written in
 * different ways, each with its own maxRequestsPerSecond) sending at once to one service keeps the
 * busiest second, as written to the sockets, at or under rate + burst. Seeded and bounded: a
 * failure prints its seed and the counterexample, and the same seed replays it.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import fc from 'fast-check';
import { OnsMqttClient } from '../../lib/internal';
import { API_RATE_LIMITS, sourceName } from '../../lib/send/rate-limiter';
import { SEND_CHANNEL } from '../../lib/send/send-channels';
import { closeSharedTokenStores } from '../../lib/shared-limit';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { busiestWindow } from '../helpers/send-log';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const IP = API_RATE_LIMITS.QuerySessionByClientId;
const SEED = 20261202;

let redis: RedisServer;
let emu: EmulatorProcess;
beforeAll(async () => {
  [redis, emu] = await Promise.all([startRedis(), startEmulatorProcess()]);
}, 30_000);
afterAll(async () => {
  await closeSharedTokenStores();
  await Promise.all([redis?.stop(), emu?.stop()]);
});

/** How one client of the mix is configured. */
interface ClientPlan {
  spelling: 'ip' | 'localhost' | 'LocalHost' | 'ip-upper';
  shared: boolean;
  maxRequestsPerSecond: number | undefined;
  devices: number;
}

function endpointOf(spelling: ClientPlan['spelling']): string {
  const { port } = new URL(emu.endpoint);
  // (A trailing dot, "localhost.", is the same host too, but this machine's resolver does not know it.)
  const host = { ip: '127.0.0.1', localhost: 'localhost', LocalHost: 'LocalHost', 'ip-upper': '127.0.0.1' }[spelling];
  return spelling === 'ip-upper' ? `HTTP://${host}:${port}` : `http://${host}:${port}`;
}

const clientPlan: fc.Arbitrary<ClientPlan> = fc.record({
  spelling: fc.constantFrom<ClientPlan['spelling']>('ip', 'localhost', 'LocalHost', 'ip-upper'),
  shared: fc.boolean(),
  maxRequestsPerSecond: fc.constantFrom(undefined, 50, 200, 300, 10_000),
  devices: fc.integer({ min: 60, max: 260 }),
});

describe('one limit per source in a process, whatever the clients (property, fast-check)', () => {
  it('the busiest second as written stays at or under rate + burst', async () => {
    const writes: number[] = [];
    const service = sourceName(new URL(emu.endpoint).host);
    const onSend = (message: unknown) => {
      const sent = message as { api: string; endpointHost: string; at: number };
      if (sent.api === 'QuerySessionByClientId' && sourceName(sent.endpointHost) === service) writes.push(sent.at);
    };
    subscribe(SEND_CHANNEL, onSend);
    let run = 0;
    const busiest: number[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(clientPlan, { minLength: 2, maxLength: 4 }), async (plans) => {
          writes.length = 0;
          run++;
          const clients = plans.map(
            (plan) =>
              new OnsMqttClient({
                accessKeyId: emu.accessKeyId,
                accessKeySecret: emu.accessKeySecret,
                endpoint: endpointOf(plan.spelling),
                maxRequestsPerSecond: plan.maxRequestsPerSecond,
                timeoutMs: 20_000,
                ...(plan.shared ? { sharedLimit: { redisUrl: redis.url, keyPrefix: `property-${SEED}` } } : {}),
              }),
          );
          const outcomes = await Promise.all(
            clients.map((client, c) =>
              client.querySessions({
                clientIds: Array.from({ length: plans[c].devices }, (_, i) => `GID_prop@@@${run}-${c}-${i}`),
                instanceId: emu.instanceId,
              }),
            ),
          );
          // Every request was answered (nothing throttled, nothing lost) and written. (Once, on a
          // quiet machine; a loaded one may see a kept-alive connection closed under a request, which
          // is then written again: each write still counts below.)
          const answered = outcomes.flat().filter((o) => !('error' in o)).length;
          const total = plans.reduce((n, p) => n + p.devices, 0);
          busiest.push(busiestWindow(writes));
          expect(answered).toBe(total);
          expect(writes.length).toBeGreaterThanOrEqual(total);
          expect(busiestWindow(writes)).toBeLessThanOrEqual(IP.ratePerSecond + IP.burst);
        }),
        { seed: SEED, numRuns: 6, endOnFailure: true },
      );
    } finally {
      unsubscribe(SEND_CHANNEL, onSend);
    }
    expect(run).toBe(6);
    // The mixes did load the limit: the busiest second of the heaviest runs is near it.
    expect(Math.max(...busiest)).toBeGreaterThan(IP.ratePerSecond / 2);
  }, 180_000);
});
