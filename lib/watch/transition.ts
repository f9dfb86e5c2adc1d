/**
 * Watching a fleet: which devices went offline or came back since the last check. The transition
 * is a pure function of (previous state, new observations, time): no timers, no I/O, so that both
 * hosts share it and tests drive it with a fake clock.
 */
import { isSessionFailure, type OfflineDetails, type SessionQueryOutcome } from '../base/results';
import { invalidInput } from '../base/errors';
import { ownValue, setOwn } from '../base/own-keys';
import { displayValue } from '../base/validation';

export interface WatchOptions {
  /** Which events to report. */
  events: { offline: boolean; online: boolean };
  /** A device must be seen offline on consecutive checks spanning at least this long. */
  offlineAfterMs: number;
  /** The same for coming back (0: on the first check that sees it online). */
  onlineAfterMs: number;
  /** On the first check, report devices that are already offline (otherwise: baseline only). */
  reportInitialOffline: boolean;
  /**
   * Report a device first seen online as coming online. For a watch of every device of a group by
   * push, where a device is first heard of by its own notification: a connect is a device coming
   * online (a client the user just connected appears), as a drop is one going offline.
   */
  reportInitialOnline?: boolean;
  /** Storm protection: many devices dropping in one check make one incident (off when absent). */
  storm?: StormOptions;
}

export interface StormOptions {
  /** An incident opens when at least this many devices go offline in one check (0: not by count). */
  minDevices: number;
  /** ... or at least this share of the watched list, in percent (0: not by share). */
  minPercent: number;
  /** The incident is resolved when at least this share of its devices is back online, in percent. */
  resolvePercent: number;
  /** Drops are folded into an open incident only this long after it started (default 15 minutes). */
  foldForMs?: number;
  /** An incident not resolved after this long ends anyway (default 24 hours). */
  maxAgeMs?: number;
}

export const DEFAULT_RESOLVE_PERCENT = 80;
/**
 * How an incident ends when its share never comes back (a few devices dead for good): drops are
 * folded into it only while it is young, as the storm that opened it unfolds (15 minutes covers a
 * gateway or a region failing device by device over several checks); later drops are unrelated
 * and fire their own events. After 24 hours it ends as `expired`, and its devices still offline
 * are ordinary devices again: without an end, the incident would fold their returns for ever.
 */
export const DEFAULT_INCIDENT_FOLD_MS = 15 * 60_000;
export const DEFAULT_INCIDENT_MAX_AGE_MS = 24 * 60 * 60_000;

/** Whether `drops` devices going offline in one check of `watched` make a storm. */
export function isStorm(drops: number, watched: number, storm: StormOptions | undefined): boolean {
  if (!storm || drops === 0) return false;
  const byCount = storm.minDevices > 0 && drops >= storm.minDevices;
  const byShare = storm.minPercent > 0 && watched > 0 && drops * 100 >= storm.minPercent * watched;
  return byCount || byShare;
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
  /** The storm in progress, if any. */
  incident?: IncidentState;
}

export interface IncidentState {
  id: string;
  startedAt: string;
  /** Every device that dropped in it (at its start or while it lasted): when each was first seen offline. */
  devices: Record<string, { since: string }>;
}

/** One event instead of one per device: many devices dropped in one check. */
export interface IncidentEvent {
  event: 'incident';
  incidentId: string;
  instanceId: string;
  startedAt: string;
  checkedAt: string;
  /** Devices that dropped in this check. */
  offlineCount: number;
  watchedCount: number;
  offlinePercent: number;
  /** With `lastDisconnectReason` and the other details when the offline details are on. */
  devices: Array<{ clientId: string; since: string } & Partial<OfflineDetails>>;
}

/** The end of an incident: at least the configured share of its devices is back, or it is a day old. */
export interface IncidentResolvedEvent {
  event: 'incident_resolved';
  incidentId: string;
  instanceId: string;
  startedAt: string;
  resolvedAt: string;
  checkedAt: string;
  durationMs: number;
  /** `recovered`: the share came back; `expired`: the incident reached its maximum age first. */
  endedBy: 'recovered' | 'expired';
  /** All devices folded into the incident (at its start and while it lasted). */
  deviceCount: number;
  backOnline: string[];
  /** Still offline: from now on they are ordinary devices again (their return fires "online"). */
  stillOffline: Array<{ clientId: string; since: string }>;
}

export type IncidentNotice = IncidentEvent | IncidentResolvedEvent;

export interface Observation {
  clientId: string;
  /** undefined when this device's check failed. */
  online?: boolean;
}

/** With the offline details (offline events, when they are on). */
export interface WatchEvent extends Partial<OfflineDetails> {
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
  /** Per-device events (the selected kinds, minus what an incident folded in). */
  events: WatchEvent[];
  /** Incident started / resolved (storm protection on). */
  incidents: IncidentNotice[];
  /** Confirmed changes of this check, folded ones included: for the fleet summary. */
  changed: { offline: number; online: number };
}

/** A confirmed change of one device in one check. */
interface Change {
  clientId: string;
  online: boolean;
  previousOnline: boolean | null;
  since: string;
  offlineForMs?: number;
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
  const changes: Change[] = [];

  for (const { clientId, online } of observations) {
    const prev = ownValue(prevDevices, clientId);
    if (online === undefined) {
      // A failed check teaches nothing: keep what we knew, fire nothing.
      if (prev) setOwn(devices, clientId, prev);
      continue;
    }
    if (!prev) {
      setOwn(devices, clientId, { online, since: now });
      // A device's first check is its baseline: it counts only if the user asked for devices already
      // offline (or, first heard of by push, for a device that just connected).
      if (online ? options.reportInitialOnline === true : options.reportInitialOffline)
        changes.push({ clientId, online, previousOnline: null, since: now });
      continue;
    }
    if (online === prev.online) {
      setOwn(devices, clientId, { online: prev.online, since: prev.since });
      continue;
    }
    const pending = prev.pending && prev.pending.online === online ? prev.pending : { online, firstSeen: now };
    const requiredMs = online ? options.onlineAfterMs : options.offlineAfterMs;
    if (nowMs - Date.parse(pending.firstSeen) < requiredMs) {
      setOwn(devices, clientId, { online: prev.online, since: prev.since, pending });
      continue;
    }
    setOwn(devices, clientId, { online, since: pending.firstSeen });
    const change: Change = { clientId, online, previousOnline: prev.online, since: pending.firstSeen };
    if (online) change.offlineForMs = Math.max(0, Date.parse(pending.firstSeen) - Date.parse(prev.since));
    changes.push(change);
  }

  const previousIncident = previous && previous.instanceId === instanceId ? previous.incident : undefined;
  const storm = foldStorm(previousIncident, changes, devices, observations.length, now, options.storm);
  const events: WatchEvent[] = [];
  for (const c of changes) {
    if (storm.folded.has(c.clientId) || !(c.online ? options.events.online : options.events.offline)) continue;
    const event: WatchEvent = {
      clientId: c.clientId,
      instanceId,
      event: c.online ? 'online' : 'offline',
      online: c.online,
      previousOnline: c.previousOnline,
      since: c.since,
      checkedAt: now,
    };
    if (c.offlineForMs !== undefined) event.offlineForMs = c.offlineForMs;
    events.push(event);
  }
  const state: WatchState = { instanceId, devices };
  if (storm.incident) state.incident = storm.incident;
  const changed = { offline: changes.filter((c) => !c.online).length, online: changes.filter((c) => c.online).length };
  return { state, events, incidents: storm.notices.map((n) => ({ ...n, instanceId })), changed };
}

/**
 * Storm protection over one check's changes. With no incident open, enough drops open one: they
 * are folded into it (one event for all). While one is open, every drop and every return of one
 * of its devices is folded into it; a device that was already offline before the incident and
 * comes back still fires its own "online" (its ticket was opened before the storm and must close).
 * Resolved when at least `resolvePercent` of its devices still watched are confirmed online; drops
 * fold into it only while it is young, and it ends when it reaches its maximum age (see
 * DEFAULT_INCIDENT_FOLD_MS).
 */
function foldStorm(
  open: IncidentState | undefined,
  changes: readonly Change[],
  devices: Record<string, DeviceWatchState>,
  watched: number,
  now: string,
  storm: StormOptions | undefined,
): {
  incident?: IncidentState;
  folded: Set<string>;
  notices: Array<Omit<IncidentEvent, 'instanceId'> | Omit<IncidentResolvedEvent, 'instanceId'>>;
} {
  const folded = new Set<string>();
  if (!storm) return { folded, notices: [] };
  if (!open) {
    const drops = changes.filter((c) => !c.online);
    if (!isStorm(drops.length, watched, storm)) return { folded, notices: [] };
    const incident: IncidentState = { id: `incident-${now}`, startedAt: now, devices: {} };
    for (const d of drops) {
      setOwn(incident.devices, d.clientId, { since: d.since });
      folded.add(d.clientId);
    }
    const event: Omit<IncidentEvent, 'instanceId'> = {
      event: 'incident',
      incidentId: incident.id,
      startedAt: now,
      checkedAt: now,
      offlineCount: drops.length,
      watchedCount: watched,
      offlinePercent: watched > 0 ? Math.round((drops.length * 1000) / watched) / 10 : 0,
      devices: drops.map((d) => ({ clientId: d.clientId, since: d.since })),
    };
    return { incident, folded, notices: [event] };
  }
  const incident: IncidentState = { ...open, devices: { ...open.devices } };
  const ageMs = Date.parse(now) - Date.parse(incident.startedAt);
  const young = ageMs <= (storm.foldForMs ?? DEFAULT_INCIDENT_FOLD_MS);
  for (const c of changes) {
    if (!c.online && young && !ownValue(incident.devices, c.clientId))
      setOwn(incident.devices, c.clientId, { since: c.since });
    if (ownValue(incident.devices, c.clientId)) folded.add(c.clientId);
  }
  const watchedNow = (id: string) => ownValue(devices, id);
  const members = Object.keys(incident.devices).filter((id) => watchedNow(id) !== undefined);
  const back = members.filter((id) => watchedNow(id)?.online);
  const recovered = members.length === 0 || back.length * 100 >= storm.resolvePercent * members.length;
  const expired = ageMs >= (storm.maxAgeMs ?? DEFAULT_INCIDENT_MAX_AGE_MS);
  if (!recovered && !expired) return { incident, folded, notices: [] };
  const resolved: Omit<IncidentResolvedEvent, 'instanceId'> = {
    event: 'incident_resolved',
    incidentId: incident.id,
    startedAt: incident.startedAt,
    resolvedAt: now,
    checkedAt: now,
    durationMs: Math.max(0, ageMs),
    endedBy: recovered ? 'recovered' : 'expired',
    deviceCount: Object.keys(incident.devices).length,
    backOnline: back.sort(),
    stillOffline: members
      .filter((id) => !watchedNow(id)?.online)
      .sort()
      .map((id) => ({ clientId: id, since: watchedNow(id)?.since ?? incident.startedAt })),
  };
  return { folded, notices: [resolved] };
}

/** Query outcomes -> observations (a failed query becomes "unknown"). */
export function observationsOf(outcomes: readonly SessionQueryOutcome[]): Observation[] {
  return outcomes.map((o) =>
    isSessionFailure(o) ? { clientId: o.clientId } : { clientId: o.clientId, online: o.online },
  );
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

/**
 * "a, b\nc" -> ['a', 'b', 'c']: one per line or comma-separated, blanks and duplicates dropped. In
 * an array, only strings are Client IDs: `null`, numbers or objects are refused with the position
 * of the first, rather than watched as "null" or "[object Object]".
 */
export function parseClientIdList(value: unknown): string[] {
  let parts: string[] = [];
  if (Array.isArray(value)) {
    const bad = value.findIndex((v) => typeof v !== 'string');
    if (bad >= 0)
      throw invalidInput(
        'clientIds',
        `entry ${bad} is ${displayValue(value[bad]) || 'undefined'}, not a Client ID: give strings such as "GID_group@@@device".`,
      );
    parts = value as string[];
  } else if (typeof value === 'string') parts = value.split(/[\n,]/);
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))];
}
