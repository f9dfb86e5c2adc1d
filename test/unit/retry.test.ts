import { OnsMqttError } from '../../lib/errors';
import { backoffCeiling, backoffDelay, decideRetry, DEFAULT_RETRY, runWithRetry, type RetryClock } from '../../lib/retry';

/** A fake clock: sleeping advances time instantly and records the waits. */
function fakeClock(randomValues: number[] = [0.5]): RetryClock & { t: number; waits: number[] } {
  let i = 0;
  const clock = {
    t: 0,
    waits: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.t += ms;
    },
    random: () => randomValues[i++ % randomValues.length],
  };
  return clock;
}

const transient = () => new OnsMqttError({ code: 'InternalError', httpStatus: 500, message: 'boom' });
const permanent = () => new OnsMqttError({ code: 'ParameterCheckFailed', httpStatus: 400, message: 'bad' });

describe('retry policy', () => {
  it('defaults: 4 attempts, base 200 ms, cap 5 s', () => {
    expect(DEFAULT_RETRY).toMatchObject({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000 });
  });

  it('exponential ceilings capped at maxDelayMs', () => {
    const o = { ...DEFAULT_RETRY };
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeiling(a, o))).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('full jitter stays within [0, ceiling)', () => {
    const o = { ...DEFAULT_RETRY };
    for (let a = 1; a <= 8; a++) {
      expect(backoffDelay(a, o, () => 0)).toBe(0);
      expect(backoffDelay(a, o, () => 0.999999)).toBeLessThan(backoffCeiling(a, o));
      for (let k = 0; k < 50; k++) {
        const d = backoffDelay(a, o);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(backoffCeiling(a, o));
      }
    }
  });

  it('fail-class errors are never retried', () => {
    expect(decideRetry(permanent(), 1, 0, DEFAULT_RETRY)).toEqual({ retry: false, reason: 'fail-class' });
  });

  it('stops at maxAttempts and at the deadline', () => {
    expect(decideRetry(transient(), 4, 0, DEFAULT_RETRY)).toEqual({ retry: false, reason: 'attempts' });
    expect(decideRetry(transient(), 1, 59_950, DEFAULT_RETRY, () => 0.5)).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry(transient(), 1, 0, DEFAULT_RETRY, () => 0.5)).toEqual({ retry: true, delayMs: 100 });
  });

  it('runs until success, waiting the jittered delays', async () => {
    const clock = fakeClock([0.5]);
    let calls = 0;
    const result = await runWithRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      DEFAULT_RETRY,
      clock,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with attempts recorded on the error', async () => {
    const clock = fakeClock([0.9]);
    let calls = 0;
    const error = await runWithRetry(async () => {
      calls++;
      throw transient();
    }, DEFAULT_RETRY, clock).catch((e: OnsMqttError) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(OnsMqttError);
    expect((error as OnsMqttError).attempts).toBe(4);
    expect(clock.waits).toEqual([180, 360, 720]);
  });

  it('sends a fail-class request exactly once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const error = (await runWithRetry(async () => {
      calls++;
      throw permanent();
    }, DEFAULT_RETRY, clock).catch((e) => e)) as OnsMqttError;
    expect(calls).toBe(1);
    expect(error.attempts).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it('respects the overall deadline', async () => {
    const clock = fakeClock([0.99]);
    let calls = 0;
    await runWithRetry(async () => {
      calls++;
      clock.t += 400; // each attempt takes 400 ms
      throw transient();
    }, { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 1500 }, clock).catch(() => undefined);
    // 400 +198 wait, 400 +396 wait = 1394 ms, third attempt ends at 1794: no time left to wait again.
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([198, 396]);
  });

  it('an abort signal stops waiting and further attempts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const promise = runWithRetry(async () => {
      calls++;
      throw transient();
    }, { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000, deadlineMs: 60_000 }, { now: Date.now, random: () => 0.99, sleep: (await import('../../lib/retry')).systemClock.sleep }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const error = (await promise.catch((e) => e)) as OnsMqttError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    expect(error.code).toBe('InternalError');
  });
});
