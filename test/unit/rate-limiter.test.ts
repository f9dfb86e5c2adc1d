import { API_RATE_LIMITS, Semaphore, TokenBucket, sharedBucket } from '../../lib/rate-limiter';

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
      expect(limits.ratePerSecond).toBeGreaterThanOrEqual(0.85 * limits.documentedQps);
    }
  });

  it('is shared per endpoint, AccessKey and API; a lower maxQps restricts it; a higher one cannot pass the limit', () => {
    const a = sharedBucket('https://x', 'AK1', 'QuerySessionByClientId');
    const b = sharedBucket('https://x', 'AK1', 'QuerySessionByClientId', 50);
    expect(a).toBe(b);
    expect(a.ratePerSecond).toBe(50);
    expect(sharedBucket('https://x', 'AK2', 'QuerySessionByClientId')).not.toBe(a);
    const high = sharedBucket('https://y', 'AK1', 'QuerySessionByClientId', 100_000);
    expect(high.ratePerSecond + high.burst).toBeLessThanOrEqual(300);
  });
});

describe('semaphore', () => {
  it('caps concurrency and runs everything', async () => {
    const s = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

