import { OnsMqttError } from '../../lib/base/errors';
import { whenAborted } from '../../lib/base/abort';
import {
  backoffCeiling,
  backoffDelay,
  decideRetry,
  DEFAULT_RETRY,
  RetryBudget,
  runWithRetry,
  systemClock,
  type RetryClock,
} from '../../lib/send/retry';

/** A fake clock: sleeping advances time instantly and records the waits; timers fire as time passes. */
function fakeClock(
  randomValues: number[] = [0.5],
): RetryClock & { t: number; waits: number[]; advance(ms: number): void } {
  let i = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock = {
    t: 0,
    waits: [] as number[],
    now: () => clock.t,
    advance: (ms: number) => {
      clock.t += ms;
      for (const timer of [...timers]) {
        if (timer.at <= clock.t) {
          timers.delete(timer);
          timer.fn();
        }
      }
    },
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.advance(ms);
    },
    timer: (ms: number, fn: () => void) => {
      const timer = { at: clock.t + ms, fn };
      timers.add(timer);
      return () => void timers.delete(timer);
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
      async (attempt) => {
        attempt.sent();
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      DEFAULT_RETRY,
      { clock },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with attempts recorded on the error', async () => {
    const clock = fakeClock([0.9]);
    let calls = 0;
    const error = await runWithRetry(
      async (attempt) => {
        attempt.sent();
        calls++;
        throw transient();
      },
      DEFAULT_RETRY,
      { clock },
    ).catch((e: OnsMqttError) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error.attempts).toBe(4);
    expect(clock.waits).toEqual([180, 360, 720]);
  });

  it('sends a fail-class request exactly once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const error = (await runWithRetry(
      async (attempt) => {
        attempt.sent();
        calls++;
        throw permanent();
      },
      DEFAULT_RETRY,
      { clock },
    ).catch((e) => e)) as OnsMqttError;
    expect(calls).toBe(1);
    expect(error.attempts).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it('stops retrying when the next wait would pass the deadline, with DeadlineExceeded', async () => {
    const clock = fakeClock([0.99]);
    let calls = 0;
    const error = (await runWithRetry(
      async (attempt) => {
        calls++;
        attempt.sent();
        clock.advance(Math.min(400, attempt.remainingMs())); // each attempt takes 400 ms
        throw transient();
      },
      { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 1500 },
      { clock },
    ).catch((e) => e)) as OnsMqttError;
    // 400 + 198 wait, 400 + 396 wait = 1394 ms; the third attempt gets the 106 ms left, then no time to wait.
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([198, 396]);
    expect(clock.t).toBe(1500);
    expect(error).toMatchObject({ code: 'DeadlineExceeded', retryable: true, attempts: 3 });
    expect(error.message).toContain('last: boom');
  });

  it('the deadline bounds an attempt in flight: it ends at the deadline, not when the request would', async () => {
    const started = Date.now();
    let remainingAtStart = 0;
    const error = (await runWithRetry(
      (attempt) =>
        new Promise<never>((_resolve, reject) => {
          remainingAtStart = attempt.remainingMs();
          attempt.sent();
          // A request that would answer after 3 s; it honours its signal as the transport does.
          const t = setTimeout(() => reject(transient()), 3000);
          whenAborted(attempt.signal, () => {
            clearTimeout(t);
            reject(new OnsMqttError({ code: 'Aborted', message: 'abandoned' }));
          });
        }),
      { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 10, deadlineMs: 300 },
    ).catch((e) => e)) as OnsMqttError;
    const elapsed = Date.now() - started;
    expect(remainingAtStart).toBeLessThanOrEqual(300);
    expect(error).toMatchObject({ code: 'DeadlineExceeded', attempts: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(290); // never before the deadline
  });

  it('an abort between attempts ends the call at once with Aborted and the attempts sent', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = runWithRetry(
      async (attempt) => {
        calls++;
        attempt.sent();
        throw transient();
      },
      { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000, deadlineMs: 60_000 },
      { clock: { ...systemClock, random: () => 0.99 }, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = (await promise.catch((e) => e)) as OnsMqttError;
    // One call: the 10 s backoff was cut short, not waited out and followed by a second attempt.
    expect(calls).toBe(1);
    expect(error).toMatchObject({ code: 'Aborted', retryable: false, attempts: 1 });
  });
});

describe('retry budget (AWS standard mode)', () => {
  it('draws 5 per retry and 10 per retry after a timeout; refunds what a success drew, or 1', () => {
    const budget = new RetryBudget({ capacity: 20, retryCost: 5, timeoutCost: 10, successIncrement: 1 });
    expect(budget.draw(transient())).toBe(5);
    expect(budget.draw(new OnsMqttError({ code: 'RequestTimeout', message: 't' }))).toBe(10);
    expect(budget.tokens).toBe(5);
    expect(budget.draw(new OnsMqttError({ code: 'RequestTimeout', message: 't' }))).toBe(0); // cannot pay
    budget.refund(10);
    expect(budget.tokens).toBe(15);
    budget.refund(0);
    expect(budget.tokens).toBe(16);
    budget.refund(50);
    expect(budget.tokens).toBe(20); // never above capacity
  });

  it('under 100 % errors the load falls back towards one request per call', async () => {
    const clock = fakeClock([0]);
    const budget = new RetryBudget(); // 500 tokens, 5 per retry: 100 retries in all
    let requests = 0;
    const calls = 1000;
    for (let i = 0; i < calls; i++) {
      await runWithRetry(
        async (attempt) => {
          attempt.sent();
          requests++;
          throw transient();
        },
        DEFAULT_RETRY,
        { clock, budget },
      ).catch(() => undefined);
    }
    // Without a budget: 4 000 requests. With it: 1 000 first attempts + 100 retries.
    expect(requests).toBe(calls + 100);
    expect(budget.tokens).toBe(0);
  });
});

describe("one call's deadline and attempt time limit on one timer (CallSignal)", () => {
  const counting = (clock: ReturnType<typeof fakeClock>) => {
    const counted = { ...clock, timers: 0 };
    counted.timer = (ms: number, fn: () => void) => {
      counted.timers++;
      return clock.timer(ms, fn);
    };
    return counted;
  };

  it('a call answered in time sets one timer, and leaves none behind', async () => {
    const clock = counting(fakeClock());
    let stoppedTimer: (() => void) | undefined;
    const result = await runWithRetry(
      async (attempt) => {
        clock.advance(30); // waited for its rate token
        stoppedTimer = attempt.signal.timeAttempt(5_000, () => {
          throw new Error('the attempt timed out although it was answered');
        });
        clock.advance(20); // the answer
        stoppedTimer();
        return 'answered';
      },
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, deadlineMs: 60_000 },
      { clock, attemptTimeoutMs: 5_000 },
    );
    expect(result).toBe('answered');
    expect(clock.timers).toBe(1);
    clock.advance(120_000); // nothing fires later: neither the attempt's limit nor the deadline
  });

  it("an attempt's time limit ends that attempt only; the call retries and its deadline still holds", async () => {
    const clock = counting(fakeClock([0]));
    const outcomes: string[] = [];
    const error = (await runWithRetry(
      (attempt) =>
        new Promise<never>((_resolve, reject) => {
          attempt.sent();
          const started = clock.now();
          // The call set its first check for 1 s (attemptTimeoutMs), before this limit: it fires early and is set again.
          attempt.signal.timeAttempt(2_000, () => {
            outcomes.push(
              `attempt ${attempt.attempt} timed out after ${clock.now() - started} ms, call aborted: ${attempt.signal.aborted}`,
            );
            reject(new OnsMqttError({ code: 'RequestTimeout', message: 'no whole answer' }));
          });
          whenAborted(attempt.signal, () => {
            outcomes.push(
              `attempt ${attempt.attempt} aborted by ${String((attempt.signal.reason as OnsMqttError).code)}`,
            );
            reject(new OnsMqttError({ code: 'Aborted', message: 'abandoned' }));
          });
          for (let i = 0; i < 10; i++) setImmediate(() => clock.advance(500));
        }),
      { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, deadlineMs: 5_000 },
      { clock, attemptTimeoutMs: 1_000 },
    ).catch((e: unknown) => e)) as OnsMqttError;
    expect(outcomes[0]).toMatch(/^attempt 1 timed out after 2000 ms, call aborted: false$/);
    expect(outcomes[1]).toMatch(/^attempt 2 timed out after 2000 ms, call aborted: false$/);
    expect(outcomes[outcomes.length - 1]).toBe('attempt 3 aborted by DeadlineExceeded');
    expect(error).toMatchObject({ code: 'DeadlineExceeded', attempts: 3 });
  });
});
