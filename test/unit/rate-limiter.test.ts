import {
  API_RATE_LIMITS,
  LocalTokenStore,
  TokenBucket,
  ownLimit,
  sourceKey,
  sourceName,
  type LimitedKey,
  type TokenStore,
} from '../../lib/send/rate-limiter';
import { RequestScheduler, Slots } from '../../lib/send/scheduler';

describe('token bucket', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('lets the burst through at once, then paces at the rate', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    const granted: number[] = [];
    const takes = Array.from({ length: 8 }, () => bucket.take().then(() => granted.push(now)));
    await Promise.resolve();
    await Promise.resolve();
    expect(granted).toEqual([0, 0, 0]);
    for (let step = 0; step < 60; step++) {
      now += 10;
      await jest.advanceTimersByTimeAsync(10);
    }
    await Promise.all(takes);
    // 3 at once, then one every 100 ms.
    expect(granted).toEqual([0, 0, 0, 100, 200, 300, 400, 500]);
  });

  it('never lets more than burst + rate through in any one-second window', async () => {
    let now = 0;
    const bucket = new TokenBucket(50, 5, () => now);
    const granted: number[] = [];
    for (let i = 0; i < 300; i++) void bucket.take().then(() => granted.push(now));
    for (let step = 0; step < 700; step++) {
      now += 10;
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(granted.length).toBe(300);
    let worst = 0;
    for (let i = 0; i < granted.length; i++) {
      let j = i;
      while (j < granted.length && granted[j] < granted[i] + 1000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(55);
  });

  it('defaults keep rate + burst under each documented per-IP limit', () => {
    for (const limits of Object.values(API_RATE_LIMITS)) {
      expect(limits.ratePerSecond + limits.burst).toBeLessThanOrEqual(limits.documentedQps);
      // At least 85 % of the limit, except where a burst of one is a fifth of it (RevokeToken: 5/s).
      if (limits.documentedQps >= 20) expect(limits.ratePerSecond).toBeGreaterThanOrEqual(0.85 * limits.documentedQps);
      else expect(limits).toMatchObject({ ratePerSecond: limits.documentedQps - 1, burst: 1 });
    }
  });

  it('one source name however the host is written: case, a trailing dot, loopback spellings, the default port', () => {
    const same = [
      ['onsmqtt.cn-hangzhou.aliyuncs.com', 'ONSMQTT.cn-hangzhou.aliyuncs.com.'],
      ['onsmqtt.cn-hangzhou.aliyuncs.com', 'onsmqtt.cn-hangzhou.aliyuncs.com:443'],
      ['127.0.0.1:8090', 'localhost:8090'],
      ['127.0.0.1:8090', 'LocalHost.:8090'],
      ['127.0.0.1:8090', '[::1]:8090'],
      ['127.0.0.1:8090', '127.1.2.3:8090'],
    ];
    for (const [a, b] of same) expect([a, sourceName(b)]).toEqual([a, sourceName(a)]);
    const different = [
      ['127.0.0.1:8090', '127.0.0.1:8091'],
      ['onsmqtt.cn-hangzhou.aliyuncs.com', 'onsmqtt.cn-shanghai.aliyuncs.com'],
      ['onsmqtt.cn-hangzhou.aliyuncs.com', 'onsmqtt.cn-hangzhou.aliyuncs.com:8443'],
    ];
    for (const [a, b] of different) expect(sourceName(b)).not.toBe(sourceName(a));
  });

  it("charge counts a request sent on another store's word: the bucket goes into debt, and the next take waits it out", async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, () => now);
    bucket.charge();
    bucket.charge(); // one below zero
    let grantedAt: number | undefined;
    void bucket.take().then(() => (grantedAt = now));
    for (let step = 0; step < 40; step++) {
      now += 10;
      await jest.advanceTimersByTimeAsync(10);
    }
    // Two tokens owed back (the debt, then the token itself) at 10 a second: not before 200 ms.
    expect(grantedAt).toBe(200);
  });

  it("the shared key is the source and API, whatever the AccessKey; a client's own limit never exceeds the default", () => {
    expect(sourceKey('onsmqtt.cn-hangzhou.aliyuncs.com', 'QuerySessionByClientId')).toBe(
      sourceKey('ONSMQTT.cn-hangzhou.aliyuncs.com', 'QuerySessionByClientId'),
    );
    expect(sourceKey('a', 'QuerySessionByClientId')).not.toBe(sourceKey('a', 'BatchQuerySessionByClientIds'));
    expect(ownLimit('QuerySessionByClientId', 100_000)).toEqual({ ratePerSecond: 265, burst: 10 });
    expect(ownLimit('QuerySessionByClientId', 2)).toEqual({ ratePerSecond: 2, burst: 1 });
  });
});

/** Records which keys and limits the scheduler asks the shared store for. */
class RecordingStore implements TokenStore {
  readonly takes: LimitedKey[] = [];
  private readonly inner = new LocalTokenStore();
  take(keys: readonly LimitedKey[], signal?: AbortSignal): Promise<void> {
    this.takes.push(keys[0]);
    return this.inner.take(keys, signal);
  }
}

describe('request scheduler', () => {
  it('a client with a low maxQps is slowed alone; the shared limit stays the default for everyone', async () => {
    const store = new RecordingStore();
    const slow = new RequestScheduler({ endpointHost: 'h', concurrency: 8, maxQps: 2, store });
    const fast = new RequestScheduler({ endpointHost: 'h', concurrency: 8, store });
    await slow.clearToSend('QuerySessionByClientId');
    // The slow one now waits for its own next token (half a second away); meanwhile the default
    // client takes ten, from its burst: in that order, whatever the machine's speed.
    const order: string[] = [];
    const slowNext = slow.clearToSend('QuerySessionByClientId').then(() => order.push('slow'));
    for (let i = 0; i < 10; i++) await fast.clearToSend('QuerySessionByClientId').then(() => order.push('fast'));
    await slowNext;
    expect(order).toEqual([...Array(10).fill('fast'), 'slow']);
    expect(new Set(store.takes.map((t) => JSON.stringify(t.limit)))).toEqual(
      new Set([JSON.stringify({ ratePerSecond: 265, burst: 10 })]),
    );
    expect(new Set(store.takes.map((t) => t.key)).size).toBe(1);
  });
});

describe('slots', () => {
  it('cap concurrency, run everything in order of arrival', async () => {
    const slots = new Slots(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await slots.acquire();
        order.push(i);
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
        release();
        release(); // giving back twice gives back once
      }),
    );
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a cancelled waiter leaves the queue at once and never takes a slot', async () => {
    const slots = new Slots(1);
    const holder = await slots.acquire();
    const controller = new AbortController();
    const cancelled = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'Aborted' });
    holder();
    const release = await next; // the slot went to the next waiter, not to the cancelled one
    release();
    const again = await slots.acquire();
    again();
  });
});
