/**
 * Watching a fleet: which devices went offline or came back since the last check. The transition
 * is a pure function of (previous state, new observations, time): no timers, no I/O, so that both
 * hosts share it and tests drive it with a fake clock.
 */
import { isSessionFailure, type OfflineDetails, type SessionQueryOutcome } from '../base/results';
import { invalidInput } from '../base/errors';
import { ownValue, setOwn } from '../base/own-keys';
import { displayValue } from '../base/validation';
import {
  activeAlarmOf,
  clearAlarm,
  escalateAlarms,
  pruneAlarms,
  raiseAlarm,
  type Alarm,
  type AlarmBook,
  type AlarmEvent,
  type AlarmOptions,
} from './alarms';
import { budgetAlerts, groupBudgets, type BudgetAlerts, type BudgetEvent, type BudgetOptions } from './budgets';
import { nextFlapping, percentStateChange, recordState, stateChanges, type FlappingOptions } from './flapping';
import { pruneHistory, recordChange, startHistory, type DeviceHistory } from './history';

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
  /** Flapping devices are held back: one event when it starts, one when it stops (off when absent). */
  flapping?: FlappingOptions;
  /** Each outage, incident and flapping episode is an alarm (off when absent). */
  alarms?: AlarmOptions;
  /** Error budgets per group, with burn-rate alerts (off when absent). */
  budgets?: BudgetOptions;
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
  /** Per device: its outages (availability) and, with flapping on, its recent states. */
  health?: Record<string, DeviceHealth>;
  /** With alarms on: active alarms and recently cleared ones, by key. */
  alarms?: AlarmBook;
  /** With budgets on: the groups whose burn-rate alert is firing. */
  budgetAlerts?: BudgetAlerts;
}

export interface DeviceHealth {
  history: DeviceHistory;
  /** The last 21 states observed, oldest first ('1' online), with flapping on. */
  flap?: string;
  /** Since when the device is held back as flapping. */
  flapping?: { since: string };
}

/** A device held back: it started flapping, or it settled. */
export interface FlappingEvent {
  event: 'flapping' | 'flapping_stopped';
  clientId: string;
  instanceId: string;
  /** Its confirmed state now. */
  online: boolean;
  /** Nagios's weighted percent state change over the last 21 states, and the changes among them. */
  percentStateChange: number;
  stateChanges: number;
  /** When the flapping started. */
  since: string;
  checkedAt: string;
  /** For `flapping_stopped`: how long it was held back. */
  flappingForMs?: number;
  alarm?: Alarm;
}

/** What the health features add to a check: flapping, alarm changes, budget alerts. */
export type HealthNotice = FlappingEvent | AlarmEvent | BudgetEvent;

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
  alarm?: Alarm;
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
  alarm?: Alarm;
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
  /** With alarms on: the outage's alarm (opened by "offline", cleared by "online"). */
  alarm?: Alarm;
}

export interface TransitionResult {
  state: WatchState;
  /** Per-device events (the selected kinds, minus what an incident folded in). */
  events: WatchEvent[];
  /** Incident started / resolved (storm protection on). */
  incidents: IncidentNotice[];
  /** Confirmed changes of this check, folded ones included: for the fleet summary. */
  changed: { offline: number; online: number };
  /** Flapping started or stopped, alarms raised in severity or cleared with a flapping episode, budget alerts. */
  health: HealthNotice[];
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
  const same = previous !== undefined && previous.instanceId === instanceId;
  const prevDevices = same ? previous.devices : {};
  const prevHealth = (same ? previous.health : undefined) ?? {};
  const now = new Date(nowMs).toISOString();
  const devices: Record<string, DeviceWatchState> = {};
  const health: Record<string, DeviceHealth> = {};
  const changes: Change[] = [];
  const flapping: FlappingEvent[] = [];
  /** Devices flapping (or starting or stopping to) in this check: their changes fire no event of their own. */
  const heldBack = new Set<string>();

  for (const { clientId, online } of observations) {
    const prev = ownValue(prevDevices, clientId);
    const prevRecord = ownValue(prevHealth, clientId) ?? (prev ? healthFrom(prev) : undefined);
    if (online === undefined) {
      // A failed check teaches nothing: keep what we knew, fire nothing.
      if (prev) setOwn(devices, clientId, prev);
      if (prev && prevRecord) setOwn(health, clientId, prevRecord);
      continue;
    }
    let change: Change | undefined;
    if (!prev) {
      setOwn(devices, clientId, { online, since: now });
      // A device's first check is its baseline: it counts only if the user asked for devices already
      // offline (or, first heard of by push, for a device that just connected).
      if (online ? options.reportInitialOnline === true : options.reportInitialOffline)
        change = { clientId, online, previousOnline: null, since: now };
    } else if (online === prev.online) {
      setOwn(devices, clientId, { online: prev.online, since: prev.since });
    } else {
      const pending = prev.pending && prev.pending.online === online ? prev.pending : { online, firstSeen: now };
      const requiredMs = online ? options.onlineAfterMs : options.offlineAfterMs;
      if (nowMs - Date.parse(pending.firstSeen) < requiredMs) {
        setOwn(devices, clientId, { online: prev.online, since: prev.since, pending });
      } else {
        setOwn(devices, clientId, { online, since: pending.firstSeen });
        change = { clientId, online, previousOnline: prev.online, since: pending.firstSeen };
        if (online) change.offlineForMs = Math.max(0, Date.parse(pending.firstSeen) - Date.parse(prev.since));
      }
    }
    if (change) changes.push(change);
    const record = nextHealth(prevRecord, prev === undefined, online, change, nowMs);
    // Flapping turned off: its history and episode go (turned on again, it starts afresh).
    if (!options.flapping) {
      delete record.flap;
      delete record.flapping;
    }
    if (options.flapping) {
      const flap = flapOf(record, prevRecord, clientId, instanceId, online, now, nowMs, options.flapping);
      if (flap.event) flapping.push(flap.event);
      if (flap.heldBack) heldBack.add(clientId);
    }
    setOwn(health, clientId, pruneHistoryOf(record, nowMs));
  }

  const previousIncident = same ? previous.incident : undefined;
  // A flapping device's drops and returns are its flapping's, not a storm's.
  const ownChanges = changes.filter((c) => !heldBack.has(c.clientId));
  const storm = foldStorm(previousIncident, ownChanges, devices, observations.length, now, options.storm);
  const events: WatchEvent[] = [];
  for (const c of ownChanges) {
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
  const state: WatchState = { instanceId, devices, health };
  if (storm.incident) state.incident = storm.incident;
  const changed = { offline: changes.filter((c) => !c.online).length, online: changes.filter((c) => c.online).length };
  const incidents: IncidentNotice[] = storm.notices.map((n) => ({ ...n, instanceId }));
  const notices: HealthNotice[] = [...flapping];
  if (options.alarms) {
    const book: AlarmBook = { ...((same ? previous.alarms : undefined) ?? {}) };
    notices.push(...alarmsOf(book, instanceId, events, incidents, flapping, ownChanges, nowMs, options.alarms));
    state.alarms = pruneAlarms(book, nowMs);
  }
  if (options.budgets) {
    const histories = new Map(Object.entries(health).map(([id, h]) => [id, h.history]));
    const budgets = groupBudgets(histories, options.budgets, nowMs);
    const fired = budgetAlerts(budgets, same ? previous.budgetAlerts : undefined, options.budgets, instanceId, nowMs);
    if (Object.keys(fired.alerts).length > 0) state.budgetAlerts = fired.alerts;
    notices.push(...fired.events);
  }
  return { state, events, incidents, changed, health: notices };
}

/** The health record of a device saved before records existed: its history starts at its confirmed state. */
function healthFrom(device: DeviceWatchState): DeviceHealth {
  return { history: startHistory(device.online, Date.parse(device.since)) };
}

/** The device's record after this check's observation (and its confirmed change, if any). */
function nextHealth(
  prev: DeviceHealth | undefined,
  firstCheck: boolean,
  online: boolean,
  change: Change | undefined,
  nowMs: number,
): DeviceHealth {
  if (firstCheck || !prev) return { history: startHistory(online, nowMs) };
  const history = change ? recordChange(prev.history, online, Date.parse(change.since)) : prev.history;
  return { ...prev, history };
}

function pruneHistoryOf(record: DeviceHealth, nowMs: number): DeviceHealth {
  const history = pruneHistory(record.history, nowMs);
  return history === record.history ? record : { ...record, history };
}

/**
 * Records the observed state in the flapping history (in place on `record`) and decides: starts,
 * stops, or stays. A device is held back while flapping, in the check it starts and in the one it stops.
 */
function flapOf(
  record: DeviceHealth,
  prev: DeviceHealth | undefined,
  clientId: string,
  instanceId: string,
  online: boolean,
  now: string,
  nowMs: number,
  options: FlappingOptions,
): { event?: FlappingEvent; heldBack: boolean } {
  record.flap = recordState(prev?.flap, online);
  const percent = percentStateChange(record.flap);
  const was = prev?.flapping !== undefined;
  const is = nextFlapping(was, percent, options);
  const fields = {
    clientId,
    instanceId,
    online,
    percentStateChange: percent,
    stateChanges: stateChanges(record.flap),
    checkedAt: now,
  };
  if (is && !was) {
    record.flapping = { since: now };
    return { event: { event: 'flapping', ...fields, since: now }, heldBack: true };
  }
  if (!is && was) {
    const since = prev?.flapping?.since ?? now;
    delete record.flapping;
    return {
      event: { event: 'flapping_stopped', ...fields, since, flappingForMs: Math.max(0, nowMs - Date.parse(since)) },
      heldBack: true,
    };
  }
  if (is) record.flapping = prev?.flapping ?? { since: now };
  return { heldBack: is };
}

/**
 * The alarm book after this check: an "offline" opens the device's outage alarm, an "online"
 * clears it; an incident opens one for the incident, its end clears it; flapping opens one for the
 * episode, and when it stops the episode's alarm is cleared (with the outage's, when the device is
 * back). Each event carries its alarm; what no event carries (a cleared outage, a raised severity)
 * is returned as an alarm notice.
 */
function alarmsOf(
  book: AlarmBook,
  instanceId: string,
  events: WatchEvent[],
  incidents: IncidentNotice[],
  flapping: FlappingEvent[],
  changes: readonly Change[],
  nowMs: number,
  options: AlarmOptions,
): HealthNotice[] {
  const notices: HealthNotice[] = [];
  const reported = new Set(events.map((e) => e.clientId));
  for (const event of events) {
    if (event.event === 'offline') {
      event.alarm = raiseAlarm(book, 'outage', instanceId, event.clientId, event.since, nowMs, options).alarm;
    } else {
      const open = activeAlarmOf(book, 'outage', instanceId, event.clientId);
      if (open) event.alarm = clearAlarm(book, open.key, 'device', nowMs).alarm;
    }
  }
  // A return not reported as an event (folded into an incident, or its kind not selected) still ends the outage.
  for (const c of changes) {
    if (!c.online || reported.has(c.clientId)) continue;
    const open = activeAlarmOf(book, 'outage', instanceId, c.clientId);
    const cleared = open ? clearAlarm(book, open.key, 'device', nowMs).event : undefined;
    if (cleared) notices.push(cleared);
  }
  for (const incident of incidents) {
    if (incident.event === 'incident') {
      incident.alarm = raiseAlarm(
        book,
        'incident',
        instanceId,
        incident.incidentId,
        incident.startedAt,
        nowMs,
        options,
      ).alarm;
    } else {
      const open = activeAlarmOf(book, 'incident', instanceId, incident.incidentId);
      if (open) incident.alarm = clearAlarm(book, open.key, 'device', nowMs).alarm;
    }
  }
  for (const flap of flapping) {
    if (flap.event === 'flapping') {
      flap.alarm = raiseAlarm(book, 'flapping', instanceId, flap.clientId, flap.since, nowMs, options).alarm;
      continue;
    }
    const open = activeAlarmOf(book, 'flapping', instanceId, flap.clientId);
    if (open) flap.alarm = clearAlarm(book, open.key, 'device', nowMs).alarm;
    const outage = flap.online ? activeAlarmOf(book, 'outage', instanceId, flap.clientId) : undefined;
    const cleared = outage ? clearAlarm(book, outage.key, 'device', nowMs).event : undefined;
    if (cleared) notices.push(cleared);
  }
  notices.push(...escalateAlarms(book, nowMs, options));
  return notices;
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
