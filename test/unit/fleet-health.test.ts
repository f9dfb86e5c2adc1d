/**
 * The pieces of fleet health one by one: Nagios's weights, the bounds of the saved history and of
 * the alarm book, the alarm life cycle, budget targets as users type them, report windows, the
 * connection trace as a history, and the SVG picture with hostile names and a large fleet.
 */
import fc from 'fast-check';
import {
  DEFAULT_WATCH_OPTIONS,
  MAX_OUTAGES_PER_DEVICE,
  HISTORY_RETENTION_MS,
  acknowledgeAlarm,
  alarmCommandFrom,
  availabilityReport,
  budgetOptionsFrom,
  budgetTargetsFrom,
  clearAlarm,
  escalateAlarms,
  flappingOptionsFrom,
  historyFromTrace,
  listAlarms,
  mergeHistories,
  percentStateChange,
  pruneAlarms,
  pruneHistory,
  raiseAlarm,
  recordChange,
  recordState,
  reportSvg,
  reportWindow,
  startHistory,
  transition,
  type AlarmBook,
  type AvailabilityReport,
  type ConnectionEvent,
  type DeviceHistory,
  type WatchState,
} from '../../lib/internal';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require('sax') as {
  parser(strict: boolean): { onerror: (e: Error) => void; write(s: string): { close(): void } };
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

describe('percent state change (Nagios weights)', () => {
  it('0 when steady, 100 when changing at every one of 21 checks, 0.75 and 1.25 at the two ends', () => {
    expect(percentStateChange('1'.repeat(21))).toBe(0);
    expect(percentStateChange('10'.repeat(10) + '1')).toBe(100);
    expect(percentStateChange('1'.repeat(20) + '0')).toBe(6.25); // newest step: 1.25 / 20
    expect(percentStateChange('0' + '1'.repeat(20))).toBe(3.75); // oldest step: 0.75 / 20
    expect(percentStateChange('10')).toBe(6.25); // a short history: its step is the newest
    expect(recordState('1'.repeat(21), false)).toBe('1'.repeat(20) + '0');
  });

  it('turned off, a device’s flapping history and episode are dropped; turned on again, it starts afresh', () => {
    const on = { ...DEFAULT_WATCH_OPTIONS, flapping: { highPercent: 20, lowPercent: 5 } };
    let state: WatchState | undefined;
    for (let i = 0; i < 8; i++)
      state = transition(state, 'i', [{ clientId: 'd', online: i % 2 === 0 }], T0 + i * MINUTE, on).state;
    expect(state?.health?.d).toMatchObject({ flap: '10101010', flapping: { since: expect.any(String) } });
    state = transition(state, 'i', [{ clientId: 'd', online: true }], T0 + 9 * MINUTE, DEFAULT_WATCH_OPTIONS).state;
    expect(state.health?.d.flap).toBeUndefined();
    expect(state.health?.d.flapping).toBeUndefined();
    const again = transition(state, 'i', [{ clientId: 'd', online: false }], T0 + 10 * MINUTE, on);
    expect(again.state.health?.d.flap).toBe('0');
    expect(again.events.map((e) => e.event)).toEqual(['offline']);
  });

  it('thresholds from settings: Nagios defaults when empty, the low one kept below the high one', () => {
    expect(flappingOptionsFrom({})).toEqual({ highPercent: 20, lowPercent: 5 });
    expect(flappingOptionsFrom({ highPercent: '30', lowPercent: '10' })).toEqual({ highPercent: 30, lowPercent: 10 });
    expect(flappingOptionsFrom({ highPercent: 10, lowPercent: 40 })).toEqual({ highPercent: 10, lowPercent: 2.5 });
    expect(flappingOptionsFrom({ highPercent: 500, lowPercent: -3 })).toEqual({ highPercent: 100, lowPercent: 5 });
  });
});

describe('saved history bounds', () => {
  it('keeps at most 200 outages a device and 31 days; the time it dropped becomes unknown, never up', () => {
    let history = startHistory(true, T0);
    for (let i = 0; i < 300; i++) {
      history = recordChange(history, false, T0 + i * 10 * MINUTE + MINUTE);
      history = recordChange(history, true, T0 + i * 10 * MINUTE + 2 * MINUTE);
    }
    const pruned = pruneHistory(history, T0 + 300 * 10 * MINUTE);
    expect(pruned.outages).toHaveLength(MAX_OUTAGES_PER_DEVICE);
    expect(pruned.from).toBe(history.outages[99][1]);
    const later = pruneHistory(pruned, T0 + HISTORY_RETENTION_MS + 300 * 10 * MINUTE);
    expect(later.outages).toEqual([]);
    const report = availabilityReport(
      {
        instanceId: 'i',
        devices: { d: { online: true, since: new Date(T0).toISOString() } },
        health: { d: { history: pruned } },
      },
      { window: { from: T0, to: T0 + 3000 * MINUTE } },
      T0 + 3000 * MINUTE,
    );
    expect(report.devices[0].unknownMs).toBe(pruned.from - T0);
  });

  it('the saved state of a flapping fleet stays small per device', () => {
    let state: WatchState | undefined;
    const ids = Array.from({ length: 50 }, (_, i) => `GID_s@@@d${i}`);
    const options = { ...DEFAULT_WATCH_OPTIONS, flapping: { highPercent: 20, lowPercent: 5 }, alarms: {} };
    for (let step = 0; step < 2000; step++)
      state = transition(
        state,
        'i',
        ids.map((id) => ({ clientId: id, online: step % 2 === 0 })),
        T0 + step * 10 * MINUTE,
        options,
      ).state;
    const perDevice = JSON.stringify(state).length / ids.length;
    // 200 outages of two 13-digit times, the 21 states, the episode's alarm: bounded whatever the time.
    expect(perDevice).toBeLessThan(7000);
  });
});

describe('alarms', () => {
  const at = (m: number) => T0 + m * MINUTE;
  const since = new Date(at(0)).toISOString();

  it('one alarm per key; clear and acknowledge are independent, each once', () => {
    const book: AlarmBook = {};
    const first = raiseAlarm(book, 'outage', 'i', 'GID_a@@@1', since, at(0), {});
    expect(first.event?.change).toBe('created');
    expect(raiseAlarm(book, 'outage', 'i', 'GID_a@@@1', since, at(1), {}).event).toBeUndefined();
    const key = first.alarm.key;
    expect(key).toBe(`outage:i:GID_a@@@1:${since}`);
    expect(acknowledgeAlarm(book, key, 'ann', at(2)).alarm?.status).toBe('ACTIVE_ACK');
    expect(acknowledgeAlarm(book, key, 'bob', at(3)).event).toBeUndefined();
    expect(clearAlarm(book, key, 'device', at(4)).alarm).toMatchObject({
      status: 'CLEARED_ACK',
      acknowledgedBy: 'ann',
    });
    expect(clearAlarm(book, key, 'bob', at(5)).event).toBeUndefined();
    expect(clearAlarm(book, 'missing', 'bob', at(5)).alarm).toBeUndefined();
  });

  it('severity: critical devices and groups from the start; outages escalate with their duration, never down', () => {
    const book: AlarmBook = {};
    const options = { criticalDevices: ['GID_vip'], majorAfterMs: 10 * MINUTE, criticalAfterMs: 60 * MINUTE };
    expect(raiseAlarm(book, 'outage', 'i', 'GID_vip@@@1', since, at(0), options).alarm.severity).toBe('critical');
    expect(raiseAlarm(book, 'outage', 'i', 'GID_a@@@1', since, at(0), options).alarm.severity).toBe('warning');
    expect(escalateAlarms(book, at(5), options)).toEqual([]);
    expect(escalateAlarms(book, at(10), options).map((e) => e.alarm.severity)).toEqual(['major']);
    expect(escalateAlarms(book, at(30), options)).toEqual([]);
    expect(escalateAlarms(book, at(60), options).map((e) => e.alarm.severity)).toEqual(['critical']);
  });

  it('cleared alarms are kept 7 days and at most 1,000; active ones always', () => {
    const book: AlarmBook = {};
    for (let i = 0; i < 1100; i++) {
      const { alarm } = raiseAlarm(book, 'outage', 'i', `GID_a@@@${i}`, since, at(0), {});
      if (i > 0) clearAlarm(book, alarm.key, 'device', at(i));
    }
    const kept = pruneAlarms(book, at(1100));
    expect(listAlarms(kept, { status: 'active' })).toHaveLength(1);
    expect(listAlarms(kept, { status: 'cleared' })).toHaveLength(1000);
    expect(listAlarms(pruneAlarms(kept, at(1100) + 8 * DAY))).toHaveLength(1);
  });

  it('commands from hosts: a clear error for what is wrong', () => {
    expect(() => alarmCommandFrom('delete', {})).toThrow(
      /"delete" is not an alarm action: use "acknowledge", "clear" or "list"/,
    );
    expect(() => alarmCommandFrom('acknowledge', { key: '  ' })).toThrow(/needs the alarm's key/);
    expect(alarmCommandFrom('clear', { key: ' k ', by: '' })).toEqual({ action: 'clear', key: 'k', by: 'user' });
  });
});

describe('budgets and windows from what users type', () => {
  it('targets: one number for every group, or group=percent lines; anything else refused by name', () => {
    expect(budgetTargetsFrom('99.5')).toEqual([{ group: '*', targetPercent: 99.5 }]);
    expect(budgetTargetsFrom('GID_a=99.9\n*=99')).toEqual([
      { group: 'GID_a', targetPercent: 99.9 },
      { group: '*', targetPercent: 99 },
    ]);
    expect(budgetTargetsFrom('')).toEqual([]);
    expect(() => budgetTargetsFrom('GID_a=100')).toThrow(/"GID_a=100" is not a target/);
    expect(() => budgetTargetsFrom('lots')).toThrow(/give a percentage such as 99.5/);
    expect(budgetOptionsFrom({ targets: '99', windowDays: 7 })).toMatchObject({
      windowMs: 7 * DAY,
      burnRateAlert: 14.4,
    });
  });

  it('report windows: named, from-to; a clear error otherwise', () => {
    expect(reportWindow('week', T0)).toEqual({ from: T0 - 7 * DAY, to: T0, name: 'week' });
    expect(reportWindow({ from: '2026-11-01T00:00:00Z', to: T0 + DAY }, T0)).toMatchObject({ from: T0, to: T0 + DAY });
    expect(() => reportWindow('fortnight' as never, T0)).toThrow(
      /"fortnight" is not a window: use hour, day, week, 30days/,
    );
    expect(() => reportWindow({ from: 'yesterday', to: T0 }, T0)).toThrow(/"yesterday" is not a time/);
    expect(() => reportWindow({ from: T0, to: T0 }, T0)).toThrow(/must be later than "from"/);
  });
});

describe('the connection trace as a history', () => {
  const event = (time: string, action: string, reason: string): ConnectionEvent => ({
    time,
    action,
    reason,
    actionCode: '',
    channel: 'c',
  });
  it('drops, refused logins and returns, at UTC+8, merged before the watcher’s own record', () => {
    const trace = [
      event('2026-11-01 08:10:00.000', 'connect', 'accepted'),
      event('2026-11-01 08:20:00.000', 'close', 'no heart'),
      event('2026-11-01 08:25:00.000', 'connect', 'not authorized'),
      event('2026-11-01 08:30:00.000', 'connect', 'accepted'),
      event('2026-11-01 08:50:00.000', 'disconnect', 'disconnected by client'),
    ];
    const traced = historyFromTrace([...trace].reverse(), { from: T0, to: T0 + DAY });
    expect(traced).toEqual({
      from: T0 + 10 * MINUTE,
      outages: [
        [T0 + 20 * MINUTE, T0 + 30 * MINUTE, 'auth_failed'],
        [T0 + 50 * MINUTE, 0, 'client_disconnected'],
      ],
    });
    // The watcher started at :55 with the device offline: the trace's open outage is that one.
    const own: DeviceHistory = { from: T0 + 55 * MINUTE, outages: [[T0 + 55 * MINUTE, T0 + 60 * MINUTE]] };
    expect(mergeHistories(traced!, own).outages).toEqual([
      [T0 + 20 * MINUTE, T0 + 30 * MINUTE, 'auth_failed'],
      [T0 + 50 * MINUTE, T0 + 60 * MINUTE, 'client_disconnected'],
    ]);
  });
});

describe('the SVG picture', () => {
  function reportOf(ids: string[], outagesEach: number, days: number): AvailabilityReport {
    const end = T0 + days * DAY;
    const state: WatchState = { instanceId: 'post-cn-x', devices: {}, health: {} };
    ids.forEach((id, i) => {
      const outages: DeviceHistory['outages'] = [];
      for (let k = 0; k < outagesEach; k++) {
        const start = T0 + (((k * days * DAY) / outagesEach + i * 37 * MINUTE) % (days * DAY));
        outages.push([start, start + 20 * MINUTE, k % 2 ? 'keepalive_timeout' : 'client_closed']);
      }
      outages.sort((a, b) => a[0] - b[0]);
      state.devices[id] = { online: true, since: new Date(T0).toISOString() };
      state.health![id] = { history: { from: T0 + (i % 10 === 0 ? DAY : 0), outages } };
    });
    return availabilityReport(
      state,
      { window: { from: T0, to: end }, timelines: true, budgets: { targets: [{ group: '*', targetPercent: 99.5 }] } },
      end,
    );
  }
  const wellFormed = (svg: string) => {
    const parser = sax.parser(true);
    let error: Error | undefined;
    parser.onerror = (e) => {
      error = e;
      throw e;
    };
    try {
      parser.write(svg).close();
    } catch {
      // reported through `error`
    }
    return error;
  };

  it('1,000 devices over 30 days with outages every few days: under 200 kB, a row for each device', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `GID_group${i % 7}@@@device-${String(i).padStart(5, '0')}`);
    const svg = reportSvg(reportOf(ids, 8, 30));
    expect(Buffer.byteLength(svg)).toBeLessThan(200 * 1024);
    expect(wellFormed(svg)).toBeUndefined();
    for (const id of ids) expect(svg).toContain(`>${id}</tspan>`);
  });

  it('any Client ID, however hostile, gives a well-formed document with the name escaped (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 5 }), (names) => {
        const svg = reportSvg(reportOf([...new Set(names.map((n) => `GID_x@@@${n}`))], 2, 1));
        expect(wellFormed(svg)).toBeUndefined();
        expect(svg).not.toContain('<script');
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });
});
