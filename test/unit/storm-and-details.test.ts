import { detailsFromTrace, disconnectCodeOf, parseUtcOffset, traceTimeToIso } from '../../lib/actions/offline-details';
import type { ConnectionEvent } from '../../lib/base/results';
import {
  isStorm,
  transition,
  type IncidentNotice,
  type WatchEvent,
  type WatchOptions,
  type WatchState,
} from '../../lib/watch/transition';
import { TRACE_ACTION_INFO } from '../helpers/trace-values';

const MIN = 60_000;
const T0 = Date.parse('2026-11-29T10:00:00Z');
const STORM: WatchOptions = {
  events: { offline: true, online: true },
  offlineAfterMs: 0,
  onlineAfterMs: 0,
  reportInitialOffline: false,
  storm: { minDevices: 0, minPercent: 20, resolvePercent: 80 },
};
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `d${String(i + from).padStart(3, '0')}`);

/** A fleet of 100; each step lists the devices offline at that minute (all others online). */
function run(steps: Array<[minute: number, offline: string[]]>, options: WatchOptions = STORM) {
  let state: WatchState | undefined;
  const events: Array<[number, WatchEvent]> = [];
  const incidents: Array<[number, IncidentNotice]> = [];
  for (const [minute, offline] of steps) {
    const down = new Set(offline);
    const result = transition(
      state,
      'post-1',
      ids(100).map((clientId) => ({ clientId, online: !down.has(clientId) })),
      T0 + minute * MIN,
      options,
    );
    state = result.state;
    for (const e of result.events) events.push([minute, e]);
    for (const i of result.incidents) incidents.push([minute, i]);
  }
  return { state: state!, events, incidents };
}

describe('storm protection (pure transition)', () => {
  it('60 of 100 dropping at once: one incident listing them, then one resolution when 80 % are back', () => {
    const sixty = ids(60);
    const { events, incidents, state } = run([
      [0, []],
      [5, sixty],
      [10, sixty.slice(30)], // 30 back: 50 % < 80 %
      [15, sixty.slice(50)], // 50 back: 83 %
      [20, []],
    ]);
    expect(events).toEqual([
      [20, expect.objectContaining({ event: 'online', clientId: 'd050' })],
      ...sixty.slice(51).map((id) => [20, expect.objectContaining({ event: 'online', clientId: id })]),
    ]);
    expect(incidents.map(([m, i]) => [m, i.event])).toEqual([
      [5, 'incident'],
      [15, 'incident_resolved'],
    ]);
    const started = incidents[0][1];
    if (started.event !== 'incident') throw new Error('expected an incident');
    expect(started).toMatchObject({
      offlineCount: 60,
      watchedCount: 100,
      offlinePercent: 60,
      startedAt: new Date(T0 + 5 * MIN).toISOString(),
    });
    expect(started.devices.map((d) => d.clientId)).toEqual(sixty);
    const resolved = incidents[1][1];
    if (resolved.event !== 'incident_resolved') throw new Error('expected a resolution');
    expect(resolved).toMatchObject({
      incidentId: started.incidentId,
      deviceCount: 60,
      durationMs: 10 * MIN,
      endedBy: 'recovered',
    });
    expect(resolved.backOnline).toHaveLength(50);
    expect(resolved.stillOffline.map((d) => d.clientId)).toEqual(sixty.slice(50));
    expect(state.incident).toBeUndefined();
  });

  it('3 of 100 give three ordinary events and no incident', () => {
    const { events, incidents } = run([
      [0, []],
      [5, ids(3)],
    ]);
    expect(incidents).toEqual([]);
    expect(events.map(([, e]) => [e.clientId, e.event])).toEqual(ids(3).map((id) => [id, 'offline']));
  });

  it('drops and returns during an incident are folded into it; a device offline before it still fires its own return', () => {
    const { events, incidents } = run([
      [0, ['d099']],
      [5, [...ids(30), 'd099']], // 30 more: incident
      [10, [...ids(30), 'd040', 'd041', 'd099']], // two more drop: folded
      [15, [...ids(30).slice(5), 'd040']], // d000-d004 and d041 back, d099 back: its own event
      [20, []],
    ]);
    expect(events.map(([m, e]) => [m, e.clientId, e.event])).toEqual([[15, 'd099', 'online']]);
    expect(incidents.map(([m, i]) => [m, i.event])).toEqual([
      [5, 'incident'],
      [20, 'incident_resolved'],
    ]);
    const resolved = incidents[1][1];
    if (resolved.event !== 'incident_resolved') throw new Error('expected a resolution');
    expect(resolved.deviceCount).toBe(32);
  });

  it('after the incident, devices still offline are ordinary again: their return fires "online"', () => {
    const { events } = run([
      [0, []],
      [5, ids(50)],
      [10, ['d000']], // 49 of 50 back: resolved, d000 still offline
      [15, []],
    ]);
    expect(events.map(([m, e]) => [m, e.clientId, e.event])).toEqual([[15, 'd000', 'online']]);
  });

  it('an incident whose share never comes back does not mute the fleet: later drops fire their own events, and it expires after a day', () => {
    const thirty = ids(30);
    const dead = thirty.slice(20); // 20 come back, 10 stay dead: 67 % < 80 %, never "recovered"
    const HOUR = 60 * MIN;
    const { events, incidents, state } = run([
      [0, []],
      [5, thirty],
      [10, dead],
      [15, [...dead, 'd050']], // 10 minutes in: still the storm unfolding, folded into it
      [20, dead], // d050 back: a member, folded
      [7 * 24 * HOUR, [...dead, 'd090']], // a week later, unrelated: its own events
      [7 * 24 * HOUR + 5 * MIN, dead],
    ]);
    expect(incidents.map(([m, i]) => [m, i.event, i.event === 'incident_resolved' ? i.endedBy : null])).toEqual([
      [5, 'incident', null],
      [7 * 24 * HOUR, 'incident_resolved', 'expired'], // the first check after its maximum age ends it
    ]);
    const ended = incidents[1][1];
    if (ended.event !== 'incident_resolved') throw new Error('expected the end');
    expect(ended.deviceCount).toBe(31);
    expect(ended.stillOffline.map((d) => d.clientId)).toEqual(dead);
    expect(events.map(([m, e]) => [m, e.clientId, e.event])).toEqual([
      [7 * 24 * HOUR, 'd090', 'offline'],
      [7 * 24 * HOUR + 5 * MIN, 'd090', 'online'],
    ]);
    expect(state.incident).toBeUndefined();
    // The leftovers are ordinary devices again: a return fires "online".
    const after = transition(
      state,
      'post-1',
      ids(100).map((clientId) => ({ clientId, online: clientId !== dead[1] })),
      T0 + 8 * 24 * HOUR,
      STORM,
    );
    expect(after.events.map((e) => [e.clientId, e.event])).toEqual(
      dead.filter((id) => id !== dead[1]).map((id) => [id, 'online']),
    );
  });

  it('a drop long after the incident started, but before it expired, is its own event (fold window)', () => {
    const thirty = ids(30);
    const { events, incidents } = run(
      [
        [0, []],
        [5, thirty],
        [25, thirty], // 20 minutes in
        [26, [...thirty, 'd060']],
      ],
      {
        ...STORM,
        storm: { minDevices: 0, minPercent: 20, resolvePercent: 80, foldForMs: 15 * MIN, maxAgeMs: 60 * MIN },
      },
    );
    expect(incidents.map(([m, i]) => [m, i.event])).toEqual([[5, 'incident']]);
    expect(events.map(([m, e]) => [m, e.clientId, e.event])).toEqual([[26, 'd060', 'offline']]);
  });

  it('is off without storm options, and counts by number or share', () => {
    const { events, incidents } = run(
      [
        [0, []],
        [5, ids(60)],
      ],
      { ...STORM, storm: undefined },
    );
    expect(incidents).toEqual([]);
    expect(events).toHaveLength(60);
    expect(isStorm(10, 1000, { minDevices: 10, minPercent: 0, resolvePercent: 80 })).toBe(true);
    expect(isStorm(9, 1000, { minDevices: 10, minPercent: 0, resolvePercent: 80 })).toBe(false);
    expect(isStorm(9, 1000, { minDevices: 10, minPercent: 0.9, resolvePercent: 80 })).toBe(true);
    expect(isStorm(0, 10, { minDevices: 0, minPercent: 0, resolvePercent: 80 })).toBe(false);
  });

  it('survives a save and load as JSON (the incident is part of the state)', () => {
    const first = transition(
      undefined,
      'post-1',
      ids(10).map((clientId) => ({ clientId, online: true })),
      T0,
      STORM,
    );
    const second = transition(
      first.state,
      'post-1',
      ids(10).map((clientId, i) => ({ clientId, online: i >= 5 })),
      T0 + MIN,
      STORM,
    );
    expect(second.incidents).toHaveLength(1);
    const restored = JSON.parse(JSON.stringify(second.state)) as WatchState;
    const third = transition(
      restored,
      'post-1',
      ids(10).map((clientId) => ({ clientId, online: true })),
      T0 + 2 * MIN,
      STORM,
    );
    expect(third.incidents.map((i) => i.event)).toEqual(['incident_resolved']);
    expect(third.events).toEqual([]);
  });
});

const ev = (time: string, action: string, reason: string): ConnectionEvent => ({
  time,
  action,
  reason,
  actionCode: '',
  channel: 'c',
});

describe('offline details from a trace', () => {
  it('maps every documented reason to a stable code', () => {
    expect(disconnectCodeOf('no heart')).toBe('keepalive_timeout');
    expect(disconnectCodeOf('disconnected by client')).toBe('client_disconnected');
    expect(disconnectCodeOf('closed by client')).toBe('client_closed');
    expect(disconnectCodeOf('clientId conflict')).toBe('client_id_conflict');
    expect(disconnectCodeOf('not authorized')).toBe('auth_failed');
    expect(disconnectCodeOf('resource auth failed')).toBe('auth_failed');
    expect(disconnectCodeOf('topic auth failed')).toBe('auth_failed');
    expect(disconnectCodeOf('Socket IOException')).toBe('network_error');
    expect(disconnectCodeOf('invalid param')).toBe('invalid_param');
    expect(disconnectCodeOf('something new')).toBe('unknown');
  });

  it('reads trace times at the service offset (UTC+8 by default, as its own example)', () => {
    expect(traceTimeToIso('2021-05-21 15:51:54.867', 480)).toBe('2021-05-21T07:51:54.867Z');
    expect(traceTimeToIso('2021-05-21 15:51:54', 0)).toBe('2021-05-21T15:51:54.000Z');
    expect(traceTimeToIso('yesterday', 480)).toBeNull();
    expect(parseUtcOffset('+08:00')).toBe(480);
    expect(parseUtcOffset('UTC')).toBe(0);
    expect(parseUtcOffset('-0530')).toBe(-330);
    expect(parseUtcOffset('Asia/Shanghai')).toBeUndefined();
  });

  it('since = the end of the last accepted connection; reason = the newest refusal or end', () => {
    const events = [
      ev('2026-11-29 18:10:00.000', 'connect', 'not authorized'),
      ev('2026-11-29 18:05:00.000', 'connect', 'not authorized'),
      ev('2026-11-29 18:00:00.000', 'close', 'no heart'),
      ev('2026-11-29 17:00:00.000', 'connect', 'accepted'),
      ev('2026-11-29 16:59:00.000', 'disconnect', 'disconnected by client'),
    ];
    expect(detailsFromTrace(events, 480)).toEqual({
      offlineSince: '2026-11-29T10:00:00.000Z',
      lastDisconnectReason: 'not authorized',
      lastDisconnectCode: 'auth_failed',
      lastConnectedAt: '2026-11-29T09:00:00.000Z',
    });
  });

  it.each([TRACE_ACTION_INFO.accepted, TRACE_ACTION_INFO.acceptedAsInExample, 'Accepted '])(
    'a connect the service says "%s" to counts as the last connection (the SDK model says accepted, its example accept)',
    (reason) => {
      const events = [
        ev('2026-11-29 18:00:00.000', 'close', TRACE_ACTION_INFO.noHeart),
        ev('2026-11-29 17:00:00.000', 'connect', reason),
      ];
      expect(detailsFromTrace(events, 0)).toEqual({
        offlineSince: '2026-11-29T18:00:00.000Z',
        lastDisconnectReason: TRACE_ACTION_INFO.noHeart,
        lastDisconnectCode: 'keepalive_timeout',
        lastConnectedAt: '2026-11-29T17:00:00.000Z',
      });
    },
  );

  it('an empty window and a trace that has not caught up yet give what they can', () => {
    expect(detailsFromTrace([], 480)).toEqual({
      offlineSince: null,
      lastDisconnectReason: null,
      lastDisconnectCode: null,
      lastConnectedAt: null,
    });
    expect(detailsFromTrace([ev('2026-11-29 17:00:00.000', 'connect', 'accepted')], 0)).toEqual({
      offlineSince: null,
      lastDisconnectReason: null,
      lastDisconnectCode: null,
      lastConnectedAt: '2026-11-29T17:00:00.000Z',
    });
    // The connection began before the window: its end is in it.
    expect(detailsFromTrace([ev('2026-11-29 17:00:00.000', 'close', 'clientId conflict')], 0)).toMatchObject({
      offlineSince: '2026-11-29T17:00:00.000Z',
      lastDisconnectCode: 'client_id_conflict',
      lastConnectedAt: null,
    });
  });
});
