/**
 * Where Redis's clock is on this process's clock (lib/shared-limit/clock-offset.ts), as properties
 * over random round trips (fast-check, seeded): whatever the delays each way, the truth is always
 * within the stated uncertainty of the estimate; the uncertainty comes down to the quickest delays
 * seen, not the typical ones; a clock that drifts within the bound stays inside; a clock that steps
 * is followed at once.
 */
import fc from 'fast-check';
import { ClockOffset, DRIFT_PER_MS } from '../../lib/shared-limit/clock-offset';

const SEED = 20261206;

/** One round trip: the process sends at `sentAt`, Redis runs `out` ms later, the answer is read `back` ms after that. */
interface RoundTrip {
  gap: number;
  out: number;
  back: number;
}
const roundTrip = fc.record({
  gap: fc.double({ min: 0, max: 5_000, noNaN: true }),
  out: fc.double({ min: 0, max: 300, noNaN: true }),
  back: fc.double({ min: 0, max: 300, noNaN: true }),
});

/** Epoch milliseconds against performance.now() differ by some 1.7e12: a microsecond is what a double keeps there. */
const PRECISION_MS = 1e-3;

/** Runs the round trips against a Redis clock `offsetAt(local)` behind; checks each estimate. */
function replay(trips: RoundTrip[], offsetAt: (local: number) => number, clock = new ClockOffset()): ClockOffset {
  let local = 1_000;
  for (const { gap, out, back } of trips) {
    local += gap;
    const sentAt = local;
    const ranAt = sentAt + out;
    const readAt = ranAt + back;
    const redisNowMs = ranAt - offsetAt(ranAt);
    const placed = clock.observe(redisNowMs, sentAt, readAt);
    // Where Redis's now was placed is never further from the truth than the uncertainty says.
    expect(Math.abs(placed - ranAt)).toBeLessThanOrEqual(clock.uncertaintyMs() + PRECISION_MS);
    // ...and never worse than the middle of this round trip alone could be.
    expect(clock.uncertaintyMs()).toBeLessThanOrEqual((out + back) / 2 + PRECISION_MS);
    local = readAt;
  }
  return clock;
}

it('the truth is within the uncertainty, whatever the delays; the uncertainty is the quickest delays seen', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1e12, max: 1e12, noNaN: true }),
      fc.array(roundTrip, { minLength: 1, maxLength: 40 }),
      (offset, trips) => {
        const clock = replay(trips, () => offset);
        // With no drift between the clocks (gaps add a little widening), the interval is at most the
        // quickest delay out plus the quickest back, plus what the gaps allow.
        const quickest = Math.min(...trips.map((t) => t.out)) + Math.min(...trips.map((t) => t.back));
        const totalTime = trips.reduce((s, t) => s + t.gap + t.out + t.back, 0);
        expect(clock.uncertaintyMs() * 2).toBeLessThanOrEqual(quickest + totalTime * DRIFT_PER_MS * 2 + PRECISION_MS);
      },
    ),
    { seed: SEED, numRuns: 500 },
  );
});

it('a Redis clock drifting within the bound stays within the uncertainty', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -DRIFT_PER_MS, max: DRIFT_PER_MS, noNaN: true }),
      fc.array(roundTrip, { minLength: 1, maxLength: 60 }),
      (drift, trips) => {
        replay(trips, (local) => 42 + local * drift);
      },
    ),
    { seed: SEED, numRuns: 500 },
  );
});

it('a clock that steps (a failover to another machine) is followed from the next round trip on', () => {
  fc.assert(
    fc.property(
      fc.array(roundTrip, { minLength: 1, maxLength: 20 }),
      fc.array(roundTrip, { minLength: 1, maxLength: 20 }),
      fc.double({ min: 1_000, max: 1e9, noNaN: true }),
      (before, after, step) => {
        const clock = replay(before, () => 0);
        replay(after, () => step, clock);
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

it('one busy moment does not move a settled estimate: a round trip slow one way leaves it where the quick ones put it', () => {
  const clock = new ClockOffset();
  // Ten quick round trips of 0.2 ms on a clock 5 s behind.
  for (let i = 0; i < 10; i++) clock.observe(10_000 + i * 100 + 0.1 - 5_000, 10_000 + i * 100, 10_000 + i * 100 + 0.2);
  // The answer read 80 ms late (this process busy): the middle of that round trip alone is 40 ms off.
  const placed = clock.observe(20_000 + 0.1 - 5_000, 20_000, 20_080.2);
  expect(Math.abs(placed - 20_000.1)).toBeLessThan(5);
  expect(clock.uncertaintyMs()).toBeLessThan(5);
});
