/**
 * A watch leadership whose Redis is down is asked again at every tick: each wait for the
 * connection must take its 'ready' listener with it (one was left behind per tick, for ever).
 * And a leader renews three times a lease, whatever its length.
 */
import { DEFAULT_LEASE_MS, renewalIntervalMs, WatchLeadership } from '../../lib/watch/leadership';

it('a leader renews three times a lease, short or long (a 500 ms floor once left a 600 ms lease 100 ms of margin)', () => {
  for (const leaseMs of [600, 1_000, 3_000, DEFAULT_LEASE_MS]) {
    expect(renewalIntervalMs(leaseMs) * 3).toBeLessThanOrEqual(leaseMs);
    expect(renewalIntervalMs(leaseMs) * 3).toBeGreaterThan(leaseMs - 3);
  }
});

it("waiting for a Redis that is down leaves no 'ready' listener behind, however often", async () => {
  const leadership = new WatchLeadership({ redisUrl: 'redis://127.0.0.1:9/0', name: 'listener-test' });
  const redis = (leadership as unknown as { redis: { listenerCount(event: string): number } }).redis;
  try {
    const before = redis.listenerCount('ready');
    for (let tick = 0; tick < 25; tick++) expect(await leadership.connected(5)).toBe(false);
    expect(redis.listenerCount('ready')).toBe(before);
  } finally {
    await leadership.close();
  }
});
