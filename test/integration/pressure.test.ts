/**
 * Safety under pressure, against the emulator over real HTTP with its request log as the witness:
 * the per-source rate limit holds after a stall, across AccessKeys and with retries; one client's
 * maxRequestsPerSecond slows no one else; cancellation ends a call at every stage; the deadline bounds every
 * attempt; the retry budget caps the load on a failing service; trace pages never repeat.
 */
import { busiestSecond, type RunningEmulator } from '../../emulator';
import {
  API_RATE_LIMITS,
  OnsMqttClient,
  OnsMqttError,
  isSessionFailure,
  type OnsMqttClientOptions,
} from '../../lib/internal';
import { SECOND_KEY, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { busiestWindow, recordSends, type SendLog } from '../helpers/send-log';
import { clientFor, emulatorWithSentinel } from '../helpers/emulator';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { GRANT_CHANNEL, SEND_ALLOWANCE_MS, SEND_CHANNEL } from '../../lib/send/send-channels';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
const LIMIT = API_RATE_LIMITS.QuerySessionByClientId;
const PROMISED = LIMIT.ratePerSecond + LIMIT.burst;

beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `GID_${prefix}@@@${i}`);
const sent = (action = 'QuerySessionByClientId') => emu.requestLog().filter((e) => e.action === action);

/** Aborts after `afterMs` and resolves with the call's error (it must not succeed). */
async function abortAfter(
  promise: Promise<unknown>,
  controller: AbortController,
  afterMs: number,
): Promise<{ error: OnsMqttError }> {
  await new Promise((r) => setTimeout(r, afterMs));
  controller.abort();
  const error = (await promise.then(
    () => {
      throw new Error('expected the call to be cancelled');
    },
    (e: unknown) => e,
  )) as OnsMqttError;
  return { error };
}

describe('the per-source limit holds after a stall (emulator in its own process)', () => {
  let proc: EmulatorProcess;
  beforeAll(async () => {
    proc = await startEmulatorProcess();
  });
  afterAll(async () => proc.stop());
  beforeEach(async () => proc.reset());
  const procClient = (overrides: Partial<OnsMqttClientOptions> = {}) =>
    new OnsMqttClient({
      accessKeyId: proc.accessKeyId,
      accessKeySecret: proc.accessKeySecret,
      endpoint: proc.endpoint,
      timeoutMs: 10_000,
      ...overrides,
    });
  let sends: SendLog;
  beforeEach(() => (sends = recordSends(proc.endpoint)));
  afterEach(() => sends.stop());
  /** Both sides: the client's busiest second as it sends, and what arrived at the service. */
  const witness = async () => {
    const log = (await proc.log()).filter((e) => e.action === 'QuerySessionByClientId');
    return {
      sent: log.length,
      busiestSent: busiestWindow(sends.times),
      busiestArrived: busiestSecond(log).count,
      overflowed: log.filter((e) => e.code === 'SystemOverFlow').length,
      keys: new Set(log.map((e) => e.accessKeyId)).size,
    };
  };
  const expectWithinLimits = (seen: Awaited<ReturnType<typeof witness>>) => {
    expect(seen.busiestSent).toBeLessThanOrEqual(PROMISED);
    expect(seen.busiestArrived).toBeLessThanOrEqual(LIMIT.documentedQps);
    expect(seen.overflowed).toBe(0);
  };

  it.each([2000, 3000])(
    '1,500 concurrent querySession calls while the service stalls %i ms, then recovers: busiest second <= rate + burst',
    async (stallMs) => {
      await proc.setFaults({ stallForMs: stallMs, throttleQps: { QuerySessionByClientId: LIMIT.documentedQps } });
      const client = procClient();
      const outcomes = await Promise.all(
        ids(1500).map((clientId) => client.querySession({ clientId, instanceId: INSTANCE }).then((s) => s.online)),
      );
      expect(outcomes).toHaveLength(1500);
      const seen = await witness();
      expect(seen.sent).toBe(1500);
      expectWithinLimits(seen);
    },
    90_000,
  );

  it('retries take fresh tokens at send time: with 30 % InternalError after a stall, all requests together stay within the limit', async () => {
    await proc.setFaults({
      stallForMs: 1500,
      seed: 7,
      errors: [{ code: 'InternalError', rate: 0.3 }],
      throttleQps: { QuerySessionByClientId: LIMIT.documentedQps },
    });
    const client = procClient({ retryBudget: false, retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 } });
    const results = await client.querySessions({ clientIds: ids(1200), instanceId: INSTANCE });
    expect(results.filter(isSessionFailure).length).toBeLessThan(5);
    const seen = await witness();
    expect(seen.sent).toBeGreaterThan(1500); // the retries were really sent
    expectWithinLimits(seen);
  }, 90_000);

  it('two AccessKeys used from one process share the one per-IP limit', async () => {
    await proc.setFaults({ throttleQps: { QuerySessionByClientId: LIMIT.documentedQps } });
    await Promise.all([
      procClient().querySessions({ clientIds: ids(700, 'a'), instanceId: INSTANCE }),
      procClient(SECOND_KEY).querySessions({ clientIds: ids(700, 'b'), instanceId: INSTANCE }),
    ]);
    const seen = await witness();
    expect(seen.keys).toBe(2);
    expectWithinLimits(seen);
  }, 90_000);
});

describe("maxRequestsPerSecond is a client's own", () => {
  // Counted in the order the emulator saw the requests, not timed: a client at 0.2/s sends its second
  // request five seconds after its first, and every request of a default client, started meanwhile,
  // arrives before it (60 local requests need a tiny part of those five seconds, however busy the machine).
  it('a client with maxRequestsPerSecond 0.2 slows itself, never a default client of the same AccessKey, during or after its life', async () => {
    const slow = clientFor(emu, { maxRequestsPerSecond: 0.2 });
    const stopSlow = new AbortController();
    const slowRun = slow.querySessions({ clientIds: ids(3, 's'), instanceId: INSTANCE }, { signal: stopSlow.signal });
    await clientFor(emu).querySessions({ clientIds: ids(60, 'f'), instanceId: INSTANCE });
    const order = () => sent().map((e) => e.clientIds[0]);
    // The slow client has sent its first request only; all 60 of the other went meanwhile.
    expect(order().filter((id) => id.startsWith('GID_s@@@'))).toEqual(['GID_s@@@0']);
    expect(order().filter((id) => id.startsWith('GID_f@@@'))).toHaveLength(60);
    stopSlow.abort();
    const slowOutcomes = await slowRun;
    expect(slowOutcomes.filter(isSessionFailure).map((f) => f.error.code)).toEqual(['Aborted', 'Aborted']);
    // After its life: a new default client of the same AccessKey takes no token of the slow one.
    const slowAgain = clientFor(emu, { maxRequestsPerSecond: 0.2 });
    const stopAgain = new AbortController();
    const againRun = slowAgain.querySessions(
      { clientIds: ids(2, 't'), instanceId: INSTANCE },
      { signal: stopAgain.signal },
    );
    await clientFor(emu).querySessions({ clientIds: ids(60, 'g'), instanceId: INSTANCE });
    expect(order().filter((id) => id.startsWith('GID_t@@@'))).toEqual(['GID_t@@@0']);
    expect(order().filter((id) => id.startsWith('GID_g@@@'))).toHaveLength(60);
    stopAgain.abort();
    await againRun;
  });
});

// How fast a cancelled call settles is measured in bench/ (the abort latency line); here: that it
// settles as Aborted with the right attempt count, and that nothing is sent for it afterwards.
describe('cancellation ends a call at every stage', () => {
  it('queued behind the concurrency cap: leaves the queue, nothing is sent for it', async () => {
    emu.setFaults({ hangRate: 1 });
    const client = clientFor(emu, { concurrency: 1, timeoutMs: 10_000 });
    const blocker = new AbortController();
    const first = client
      .querySession({ clientId: 'GID_q@@@1', instanceId: INSTANCE }, { signal: blocker.signal })
      .catch((e) => e);
    const controller = new AbortController();
    const queued = client.querySession({ clientId: 'GID_q@@@2', instanceId: INSTANCE }, { signal: controller.signal });
    const { error } = await abortAfter(queued, controller, 100);
    expect(error).toMatchObject({ code: 'Aborted', attempts: 0 });
    blocker.abort();
    await first;
    expect(sent().map((e) => e.clientIds[0])).toEqual(['GID_q@@@1']);
  });

  it('waiting for a rate token: gives up its place, sends nothing', async () => {
    const client = clientFor(emu, { maxRequestsPerSecond: 0.2 });
    await client.querySession({ clientId: 'GID_t@@@1', instanceId: INSTANCE }); // spends the only token
    const controller = new AbortController();
    const waiting = client.querySession({ clientId: 'GID_t@@@2', instanceId: INSTANCE }, { signal: controller.signal });
    const { error } = await abortAfter(waiting, controller, 100);
    expect(error).toMatchObject({ code: 'Aborted', attempts: 0 });
    expect(sent()).toHaveLength(1);
  });

  it('in flight: the request is abandoned (its connection closed), Aborted and not a timeout', async () => {
    emu.setFaults({ hangRate: 1 });
    const client = clientFor(emu, { timeoutMs: 10_000 });
    const controller = new AbortController();
    const inFlight = client.querySession(
      { clientId: 'GID_f@@@1', instanceId: INSTANCE },
      { signal: controller.signal },
    );
    const { error } = await abortAfter(inFlight, controller, 300);
    expect(error).toMatchObject({ code: 'Aborted', attempts: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(emu.stats().hanging).toBe(0); // the emulator saw the connection go
  });

  it('between attempts: the backoff wait ends at once', async () => {
    emu.setFaults({ errors: [{ code: 'InternalError' }] });
    // Full jitter may draw a short first wait: give the backoff room with 4 attempts of up to 20 s.
    const client = clientFor(emu, {
      retry: { maxAttempts: 4, baseDelayMs: 20_000, maxDelayMs: 20_000, deadlineMs: 120_000 },
    });
    const controller = new AbortController();
    const backingOff = client.querySession(
      { clientId: 'GID_b@@@1', instanceId: INSTANCE },
      { signal: controller.signal },
    );
    const { error } = await abortAfter(backingOff, controller, 300);
    expect(error).toMatchObject({ code: 'Aborted' });
    const requests = sent().length;
    expect(error.attempts).toBe(requests); // every request it made is counted
    await new Promise((r) => setTimeout(r, 300));
    expect(sent()).toHaveLength(requests); // and none after the abort
  });

  it('ten calls with concurrency 2 aborted at 50 ms: only the two in flight were ever sent', async () => {
    emu.setFaults({ hangRate: 1 });
    const client = clientFor(emu, { concurrency: 2, timeoutMs: 10_000 });
    const controller = new AbortController();
    const calls = ids(10, 'c').map((clientId) =>
      client
        .querySession({ clientId, instanceId: INSTANCE }, { signal: controller.signal })
        .catch((e: OnsMqttError) => e),
    );
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const errors = await Promise.all(calls);
    expect(errors.map((e) => (e as OnsMqttError).code)).toEqual(Array(10).fill('Aborted'));
    await new Promise((r) => setTimeout(r, 100));
    expect(sent()).toHaveLength(2);
  });
});

describe('retries are bounded', () => {
  it('the deadline bounds the attempt in flight: DeadlineExceeded at the deadline, not at the request timeout', async () => {
    emu.setFaults({ hangRate: 1 });
    const client = clientFor(emu, {
      timeoutMs: 10_000,
      retry: { deadlineMs: 1500, maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 5 },
    });
    const t0 = performance.now();
    const error = (await client
      .querySession({ clientId: 'GID_d@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    const elapsed = performance.now() - t0;
    expect(error).toMatchObject({ code: 'DeadlineExceeded', retryable: true, attempts: 1 });
    // Never before the deadline (a bound that holds at any speed); attempts 1 says it did not wait
    // for the 10 s request timeout and retry.
    expect(elapsed).toBeGreaterThanOrEqual(1490);
  });

  it("an attempt's timeout is cut to what is left of the deadline", async () => {
    emu.setFaults({ hangRate: 1 });
    const client = clientFor(emu, {
      timeoutMs: 1000,
      retry: { deadlineMs: 1600, maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = (await client
      .querySession({ clientId: 'GID_d@@@2', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    // 1 000 ms timeout, then a second attempt with the ~600 ms left: ends at the deadline, after
    // exactly two requests (a third would need time the deadline no longer has).
    expect(error.code).toMatch(/^(DeadlineExceeded|RequestTimeout)$/);
    expect(error.attempts).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(sent()).toHaveLength(2);
    expect(emu.stats().hanging).toBe(0); // the second request was abandoned, not left open
  });

  it('under 100 % errors the retry budget brings the load back towards one request per call', async () => {
    emu.setFaults({ errors: [{ code: 'InternalError' }] });
    const client = clientFor(emu, { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 } });
    const results = await client.querySessions({ clientIds: ids(400, 'e'), instanceId: INSTANCE });
    expect(results.every(isSessionFailure)).toBe(true);
    // Without the budget: 1 600 requests. With it: 400 first attempts + at most 100 retries
    // (500 tokens, 5 a retry; 10 after a timeout, which a loaded machine may produce).
    expect(sent().length).toBeGreaterThanOrEqual(450);
    expect(sent().length).toBeLessThanOrEqual(500);
  });

  it('a healthy client keeps its retries: a success refunds what its retries drew', async () => {
    emu.setFaults({ seed: 3, errors: [{ code: 'InternalError', rate: 0.2 }] });
    const client = clientFor(emu, { retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 2 } });
    const results = await client.querySessions({ clientIds: ids(1000, 'h'), instanceId: INSTANCE });
    expect(results.filter(isSessionFailure)).toHaveLength(0);
  });
});

describe('connection-trace paging', () => {
  const DEVICE = 'GID_trace@@@paging';
  let from: number;
  let traceEmu: RunningEmulator;

  afterAll(async () => traceEmu.stop());
  beforeAll(async () => {
    traceEmu = await emulatorWithSentinel({ mqttPort: false });
    from = Date.now() - 1000;
    // 260 events, each at its own millisecond (connect, close, connect, ...).
    for (let i = 0; i < 260; i++) {
      traceEmu.setDeviceOnline(DEVICE, i % 2 === 0);
      await new Promise((r) => setTimeout(r, 2));
    }
  });

  it.each([1, 99, 100, 101, 150, 250, 260, 1000])(
    'limit %i: unique events, newest first, min(limit, 260) of them',
    async (limit) => {
      const client = clientFor(traceEmu);
      const events = await client.queryConnectionTrace({
        clientId: DEVICE,
        instanceId: INSTANCE,
        from,
        to: Date.now() + 1000,
        limit,
      });
      expect(events).toHaveLength(Math.min(limit, 260));
      const keys = events.map((e) => `${e.time}|${e.channel}|${e.action}`);
      expect(new Set(keys).size).toBe(events.length);
      const times = events.map((e) => e.time);
      expect([...times].sort().reverse()).toEqual(times);
      // Every page but the last asked for the same size.
      const sizes = traceEmu
        .requestLog()
        .filter((e) => e.action === 'QueryMqttTraceDevice')
        .map((e) => e.params.PageSize);
      expect(new Set(sizes)).toEqual(new Set(['100']));
      traceEmu.clearLog();
    },
  );
});

describe('a rate token that grows old before its request is written', () => {
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      /* the event loop is blocked, as by another execution serialising its results */
    }
  };
  /** Blocks the process once, `how` after the first grant, and records what was written and when. */
  async function queryWithOneStall(how: (block: () => void) => void) {
    const written: Array<{ grantAgeMs: number }> = [];
    const onSend = (m: unknown) => void written.push(m as { grantAgeMs: number });
    let stalled = false;
    const onGrant = () => {
      if (stalled) return;
      stalled = true;
      how(() => busy(80));
    };
    subscribe(SEND_CHANNEL, onSend);
    subscribe(GRANT_CHANNEL, onGrant);
    try {
      const client = clientFor(emu);
      const status = await client.querySession({ clientId: 'GID_stale@@@1', instanceId: INSTANCE });
      return { status, written, lateWrites: client.lateWrites };
    } finally {
      unsubscribe(SEND_CHANNEL, onSend);
      unsubscribe(GRANT_CHANNEL, onGrant);
    }
  }

  it.each([
    ['right after the grant (before the SDK builds the request)', (block: () => void) => block()],
    [
      'in a microtask of someone else, while the SDK prepares the request',
      (block: () => void) => queueMicrotask(block),
    ],
    [
      'on the next tick, after the request was created and before its socket is given to it',
      (block: () => void) => process.nextTick(block),
    ],
  ])('blocked %s: written once all the same, paid for with one more token, counted', async (_when, how) => {
    const { status, written, lateWrites } = await queryWithOneStall(how);
    expect(status.online).toBe(false);
    // The token is never thrown away: the request leaves once, late, and says so.
    expect(sent()).toHaveLength(1);
    expect(written).toHaveLength(1);
    expect(written[0].grantAgeMs).toBeGreaterThan(SEND_ALLOWANCE_MS);
    expect(lateWrites).toBe(1);
  });
});
