/**
 * Availability over a window, per device, per group and for the fleet, from the watcher's own
 * history (lib/watch/history.ts): uptime, outages, mean time to recover (MTTR), mean time between
 * failures (MTBF), the longest outage and the offline reasons with counts.
 *
 * Every moment of the window is exactly one of up, down or unknown (before the device's record
 * starts, or after now): up + down + unknown = the window, for each device. The percentage is
 * up / (up + down): unknown time is not counted either way.
 *
 * The figures are the watcher's confirmed times, so they are as exact as detection is: an outage
 * starts when a check first saw the device offline, which is at most one check interval (polling)
 * after the service noticed, and the service notices a client that went silent 1.5 x its keepalive
 * after its last packet (a clean disconnect at once). `detection` in the report says so.
 */
import type { DeviceHistory, Outage } from './history';

export type WindowName = 'hour' | 'day' | 'week' | '30days';
export interface TimeWindow {
  from: number;
  to: number;
}

const HOUR_MS = 60 * 60_000;
const WINDOW_MS: Record<WindowName, number> = {
  hour: HOUR_MS,
  day: 24 * HOUR_MS,
  week: 7 * 24 * HOUR_MS,
  '30days': 30 * 24 * HOUR_MS,
};

/** A named window ending now, or the from-to given. */
export function windowOf(spec: WindowName | { from: number; to: number }, nowMs: number): TimeWindow {
  if (typeof spec === 'object') return { from: spec.from, to: spec.to };
  return { from: nowMs - WINDOW_MS[spec], to: nowMs };
}

/** The group of a Client ID (`GID_x@@@device` -> `GID_x`); a Client ID without one is its own. */
export function groupOf(clientId: string): string {
  const at = clientId.indexOf('@@@');
  return at > 0 ? clientId.slice(0, at) : clientId;
}

export interface Segment {
  from: number;
  to: number;
  state: 'up' | 'down' | 'unknown';
  /** The outage's reason, when known. */
  reason?: string;
}

/** The device's timeline inside the window, in order, covering it without gap or overlap. */
export function segmentsOf(history: DeviceHistory, window: TimeWindow, nowMs: number): Segment[] {
  const segments: Segment[] = [];
  const end = Math.max(window.from, window.to);
  const push = (from: number, to: number, state: Segment['state'], reason?: string) => {
    const last = segments[segments.length - 1];
    // Never back over what is drawn already: the segments tile the window, in order.
    const a = Math.max(from, window.from, last ? last.to : window.from);
    const b = Math.min(to, end);
    if (b <= a) return;
    if (last && last.state === state && last.to === a && last.reason === reason) last.to = b;
    else segments.push(reason === undefined ? { from: a, to: b, state } : { from: a, to: b, state, reason });
  };
  const known = Math.min(nowMs, end);
  let cursor = window.from;
  push(cursor, history.from, 'unknown');
  cursor = Math.max(cursor, history.from);
  for (const outage of history.outages) {
    const [start, stop] = outage;
    const until = stop === 0 ? known : stop;
    if (until <= cursor) continue;
    push(cursor, Math.min(start, known), 'up');
    push(Math.max(start, cursor), Math.min(until, known), 'down', outage[2]);
    cursor = Math.max(cursor, until);
  }
  push(cursor, known, 'up');
  push(Math.max(known, window.from), end, 'unknown');
  return segments;
}

export interface AvailabilityFigures {
  windowMs: number;
  upMs: number;
  downMs: number;
  unknownMs: number;
  /** up / (up + down) in percent, to 0.001; null when nothing of the window is known. */
  availabilityPercent: number | null;
  /** Outages that overlap the window (one that began before it counts, clipped to it). */
  outages: number;
  /** Outages that ended inside the window. */
  recovered: number;
  /** Mean duration inside the window of the outages that ended in it; null when none did. */
  mttrMs: number | null;
  /** Up time divided by the outages; null without an outage. */
  mtbfMs: number | null;
  longestOutageMs: number;
  /** Offline reasons with how many outages had each (outages without a known reason: `unknown`). */
  reasons: Record<string, number>;
}

export interface DeviceAvailability extends AvailabilityFigures {
  clientId: string;
  group: string;
  /** Whether the device is offline at the end of the window, as far as is known. */
  online: boolean | null;
}

export interface GroupAvailability extends AvailabilityFigures {
  group: string;
  devices: number;
}

/** One device's figures over the window. */
export function deviceAvailability(
  clientId: string,
  history: DeviceHistory,
  window: TimeWindow,
  nowMs: number,
): DeviceAvailability {
  const segments = segmentsOf(history, window, nowMs);
  let upMs = 0;
  let downMs = 0;
  let unknownMs = 0;
  for (const s of segments) {
    const ms = s.to - s.from;
    if (s.state === 'up') upMs += ms;
    else if (s.state === 'down') downMs += ms;
    else unknownMs += ms;
  }
  const known = Math.min(nowMs, window.to);
  const overlapping = history.outages.filter((o) => o[0] < known && (o[1] === 0 || o[1] > window.from));
  const clipped = (o: Outage) => Math.max(0, Math.min(o[1] === 0 ? known : o[1], known) - Math.max(o[0], window.from));
  const recovered = overlapping.filter((o) => o[1] !== 0 && o[1] <= window.to);
  const reasons: Record<string, number> = {};
  for (const o of overlapping) {
    const reason = o[2] ?? 'unknown';
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  const last = segments.filter((s) => s.state !== 'unknown').pop();
  return {
    clientId,
    group: groupOf(clientId),
    online: last ? last.state === 'up' : null,
    ...figures(
      upMs,
      downMs,
      unknownMs,
      window,
      overlapping.length,
      recovered.map(clipped),
      overlapping.map(clipped),
      reasons,
    ),
  };
}

function figures(
  upMs: number,
  downMs: number,
  unknownMs: number,
  window: TimeWindow,
  outages: number,
  recoveredDurations: number[],
  durations: number[],
  reasons: Record<string, number>,
): AvailabilityFigures {
  const knownMs = upMs + downMs;
  return {
    windowMs: Math.max(0, window.to - window.from),
    upMs,
    downMs,
    unknownMs,
    availabilityPercent: knownMs > 0 ? Math.round((upMs * 100_000) / knownMs) / 1000 : null,
    outages,
    recovered: recoveredDurations.length,
    mttrMs:
      recoveredDurations.length > 0
        ? Math.round(recoveredDurations.reduce((a, b) => a + b, 0) / recoveredDurations.length)
        : null,
    mtbfMs: outages > 0 ? Math.round(upMs / outages) : null,
    longestOutageMs: durations.reduce((a, b) => Math.max(a, b), 0),
    reasons,
  };
}

/** The devices of each group together (time sums; MTTR over all their recovered outages). */
export function groupAvailability(devices: readonly DeviceAvailability[], window: TimeWindow): GroupAvailability[] {
  const byGroup = new Map<string, DeviceAvailability[]>();
  for (const d of devices) {
    const list = byGroup.get(d.group) ?? [];
    list.push(d);
    byGroup.set(d.group, list);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, list]) => ({ group, devices: list.length, ...combined(list, window) }));
}

/** Figures of several devices together (a group, the fleet). */
export function combined(list: readonly DeviceAvailability[], window: TimeWindow): AvailabilityFigures {
  const sum = (pick: (d: DeviceAvailability) => number) => list.reduce((a, d) => a + pick(d), 0);
  const reasons: Record<string, number> = {};
  for (const d of list) for (const [r, n] of Object.entries(d.reasons)) reasons[r] = (reasons[r] ?? 0) + n;
  const recovered = sum((d) => d.recovered);
  const result = figures(
    sum((d) => d.upMs),
    sum((d) => d.downMs),
    sum((d) => d.unknownMs),
    window,
    sum((d) => d.outages),
    [],
    [],
    reasons,
  );
  result.windowMs = result.windowMs * list.length;
  result.recovered = recovered;
  result.mttrMs = recovered > 0 ? Math.round(sum((d) => (d.mttrMs ?? 0) * d.recovered) / recovered) : null;
  result.longestOutageMs = list.reduce((a, d) => Math.max(a, d.longestOutageMs), 0);
  return result;
}
