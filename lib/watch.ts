/**
 * Watching a fleet: which devices went offline or came back since the last check. The transition
 * is a pure function of (previous state, new observations, time): no timers, no I/O, so that both
 * hosts share it and tests drive it with a fake clock.
 */
import { isSessionFailure, type SessionQueryOutcome } from './client';

export interface WatchOptions {
  /** Which events to report. */
  events: { offline: boolean; online: boolean };
  /** A device must be seen offline on consecutive checks spanning at least this long. */
  offlineAfterMs: number;
  /** The same for coming back (0: on the first check that sees it online). */
  onlineAfterMs: number;
  /** On the first check, report devices that are already offline (otherwise: baseline only). */
  reportInitialOffline: boolean;
}

export const DEFAULT_WATCH_OPTIONS: WatchOptions = {
  events: { offline: true, online: true },
  offlineAfterMs: 0,
  onlineAfterMs: 0,
  reportInitialOffline: false,
};

export interface DeviceWatchState {
  /** The confirmed (reported) state. */
  online: boolean;
  /** ISO time the device was first seen in its confirmed state. */
  since: string;
  /** A different state seen but not yet confirmed by the debounce. */
  pending?: { online: boolean; firstSeen: string };
}

/** Plain JSON, so it can live in n8n's static data or a Node-RED context store. */
export interface WatchState {
  instanceId: string;
  devices: Record<string, DeviceWatchState>;
  /** The process that last checked: another one means a restart since (see restart-reconcile). */
  process?: string;
}

export interface Observation {
  clientId: string;
  /** undefined when this device's check failed. */
  online?: boolean;
}

export interface WatchEvent {
  clientId: string;
  instanceId: string;
  event: 'offline' | 'online';
  online: boolean;
  /** null when reported on the first check (no earlier state known). */
  previousOnline: boolean | null;
  /** When the device was first seen in its new state. */
  since: string;
  checkedAt: string;
  /** For "online": how long it was offline (from first seen offline to first seen online). */
  offlineForMs?: number;
}

export interface TransitionResult {
  state: WatchState;
  events: WatchEvent[];
}

export function emptyWatchState(instanceId: string): WatchState {
  return { instanceId, devices: {} };
}

/**
 * The next state and the events to fire. `observations` is the whole watch list of this check:
 * a device not in it is forgotten; a device whose check failed keeps its state and fires nothing.
 */
export function transition(
  previous: WatchState | undefined,
  instanceId: string,
  observations: readonly Observation[],
  nowMs: number,
  options: WatchOptions,
): TransitionResult {
  // Another instance means other devices: start from a fresh baseline.
  const prevDevices = previous && previous.instanceId === instanceId ? previous.devices : {};
  const now = new Date(nowMs).toISOString();
  const devices: Record<string, DeviceWatchState> = {};
  const events: WatchEvent[] = [];

  for (const { clientId, online } of observations) {
    const prev = prevDevices[clientId];
    if (online === undefined) {
      // A failed check teaches nothing: keep what we knew, fire nothing.
      if (prev) devices[clientId] = prev;
      continue;
    }
    if (!prev) {
      devices[clientId] = { online, since: now };
      // A device's first check is its baseline: it fires only if the user asked for devices already offline.
      if (options.reportInitialOffline && options.events.offline && !online) {
        events.push({ clientId, instanceId, event: 'offline', online: false, previousOnline: null, since: now, checkedAt: now });
      }
      continue;
    }
    if (online === prev.online) {
      devices[clientId] = { online: prev.online, since: prev.since };
      continue;
    }
    const pending = prev.pending && prev.pending.online === online ? prev.pending : { online, firstSeen: now };
    const requiredMs = online ? options.onlineAfterMs : options.offlineAfterMs;
    if (nowMs - Date.parse(pending.firstSeen) < requiredMs) {
      devices[clientId] = { online: prev.online, since: prev.since, pending };
      continue;
    }
    devices[clientId] = { online, since: pending.firstSeen };
    if (online ? options.events.online : options.events.offline) {
      const event: WatchEvent = {
        clientId,
        instanceId,
        event: online ? 'online' : 'offline',
        online,
        previousOnline: prev.online,
        since: pending.firstSeen,
        checkedAt: now,
      };
      if (online) event.offlineForMs = Math.max(0, Date.parse(pending.firstSeen) - Date.parse(prev.since));
      events.push(event);
    }
  }
  return { state: { instanceId, devices }, events };
}

/** Query outcomes -> observations (a failed query becomes "unknown"). */
export function observationsOf(outcomes: readonly SessionQueryOutcome[]): Observation[] {
  return outcomes.map((o) => (isSessionFailure(o) ? { clientId: o.clientId } : { clientId: o.clientId, online: o.online }));
}

/** Counts for status lines: "12 online / 3 offline". */
export function summarize(state: WatchState): { online: number; offline: number } {
  let online = 0;
  let offline = 0;
  for (const d of Object.values(state.devices)) {
    if (d.online) online++;
    else offline++;
  }
  return { online, offline };
}

/** "a, b\nc" -> ['a', 'b', 'c']: one per line or comma-separated, blanks and duplicates dropped. */
export function parseClientIdList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map((v) => String(v)) : typeof value === 'string' ? value.split(/[\n,]/) : [];
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))];
}
