/**
 * A watch leadership whose Redis is down is asked again at every tick: each wait for the
 * connection must take its 'ready' listener with it (one was left behind per tick, for ever).
 */
import { WatchLeadership } from '../../lib/watch/leadership';

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
