/**
 * Fleet health, as properties over random schedules (fast-check, seeded):
 * - hysteresis: flapping starts only at or above the high threshold and stops only at or below the
 *   low one, start and stop alternate, and each start needs a fresh crossing of the high threshold
 *   (never more than one toggle per crossing); while a device flaps, none of its changes fires an
 *   event of its own;
 * - availability: up + down + unknown is the window, for every device and every group, whatever the
 *   history and the window; the timeline tiles the window without gap or overlap;
 * - the watcher's history equals the schedule: the offline time the report gives is the time the
 *   checks saw the device offline.
 */
import fc from 'fast-check';
import {
  DEFAULT_WATCH_OPTIONS,
  availabilityReport,
  deviceAvailability,
  groupAvailability,
  percentStateChange,
  segmentsOf,
  transition,
  type DeviceHistory,
  type Outage,
  type WatchOptions,
  type WatchState,
} from '../../lib/internal';

const SEED = 20261206;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

describe('flapping hysteresis (property)', () => {
  it('toggles at most once per threshold crossing, and holds every change back while flapping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 2, max: 90 }),
        (observed, low, highAbove) => {
          const high = Math.min(100, low + highAbove);
          const options: WatchOptions = { ...DEFAULT_WATCH_OPTIONS, flapping: { highPercent: high, lowPercent: low } };
          let state: WatchState | undefined;
          let flapping = false;
          let aboveSinceLastStart = true; // may start at once: nothing was crossed before
          let history = '';
          for (const [i, online] of observed.entries()) {
            const result = transition(state, 'i', [{ clientId: 'd', online }], T0 + i * MINUTE, options);
            history = (history + (online ? '1' : '0')).slice(-21);
            const percent = percentStateChange(history);
            const kinds = result.health.map((e) => e.event);
            if (kinds.includes('flapping')) {
              expect(flapping).toBe(false);
              expect(percent).toBeGreaterThanOrEqual(high);
              expect(aboveSinceLastStart).toBe(true);
              flapping = true;
              aboveSinceLastStart = false;
            } else if (kinds.includes('flapping_stopped')) {
              expect(flapping).toBe(true);
              expect(percent).toBeLessThanOrEqual(low);
              flapping = false;
            } else {
              expect(kinds).toEqual([]);
            }
            // A new start needs the percentage to have fallen to the low threshold since the last one.
            if (!flapping && percent <= low) aboveSinceLastStart = true;
            if (flapping || kinds.length > 0) expect(result.events).toEqual([]);
            expect(state === undefined || result.state.health?.d?.flap?.length === Math.min(i + 1, 21)).toBe(true);
            state = result.state;
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

const outagesArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 })), { maxLength: 30 })
  .map((gaps): { history: DeviceHistory; end: number } => {
    // Alternating up and down stretches of random length, the last outage possibly open.
    const outages: Outage[] = [];
    let t = T0;
    for (const [up, down] of gaps) {
      t += up * MINUTE;
      outages.push([t, t + down * MINUTE]);
      t += down * MINUTE;
    }
    return { history: { from: T0, outages }, end: t };
  });

describe('availability (property)', () => {
  it('up + down + unknown is the window for every device and group; the timeline tiles it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(outagesArb, fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -1000, max: 40_000 }),
        fc.integer({ min: 1, max: 40_000 }),
        fc.integer({ min: -100, max: 40_000 }),
        (devices, fromMinutes, lengthMinutes, nowMinutes) => {
          const window = { from: T0 + fromMinutes * MINUTE, to: T0 + (fromMinutes + lengthMinutes) * MINUTE };
          const now = T0 + nowMinutes * MINUTE;
          const figures = devices.map(([{ history }, open], i) => {
            const h: DeviceHistory =
              open && history.outages.length > 0
                ? {
                    from: history.from,
                    outages: [...history.outages.slice(0, -1), [history.outages[history.outages.length - 1][0], 0]],
                  }
                : history;
            const segments = segmentsOf(h, window, now);
            expect(segments[0].from).toBe(window.from);
            expect(segments[segments.length - 1].to).toBe(window.to);
            for (let s = 1; s < segments.length; s++) expect(segments[s].from).toBe(segments[s - 1].to);
            const d = deviceAvailability(`GID_g${i % 2}@@@d${i}`, h, window, now);
            expect(d.upMs + d.downMs + d.unknownMs).toBe(window.to - window.from);
            expect(d.downMs).toBeGreaterThanOrEqual(d.longestOutageMs); // the longest outage is part of the down time
            return d;
          });
          for (const group of groupAvailability(figures, window))
            expect(group.upMs + group.downMs + group.unknownMs).toBe(group.windowMs);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('the watcher’s own history gives the offline time its checks saw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 90 })), { minLength: 1, maxLength: 80 }),
        (steps) => {
          let state: WatchState | undefined;
          let t = T0;
          let expectedDown = 0;
          let previous: boolean | undefined;
          let previousAt = T0;
          for (const [online, gap] of steps) {
            // The confirmed state holds from one check to the next (no debounce).
            if (previous === false) expectedDown += t - previousAt;
            state = transition(state, 'i', [{ clientId: 'GID_p@@@x', online }], t, DEFAULT_WATCH_OPTIONS).state;
            previous = online;
            previousAt = t;
            t += gap * MINUTE;
          }
          // The last state holds until the report, one gap after the last check.
          if (previous === false) expectedDown += t - previousAt;
          const end = t;
          const report = availabilityReport(state, { window: { from: T0, to: end } }, end);
          const device = report.devices[0];
          expect(device.downMs).toBe(expectedDown);
          expect(device.upMs + device.downMs).toBe(end - T0);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
