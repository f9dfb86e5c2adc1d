/**
 * Alarms with a life, after ThingsBoard's model: each outage, incident or flapping episode is one
 * alarm with a stable key (the same after a restart, so a ticketing system can deduplicate on it),
 * a severity from rules, and two independent flags: active or cleared (the device came back, the
 * incident resolved, the flapping stopped, or someone cleared it), acknowledged or not (someone
 * took it, with who and when). The book is plain JSON in the saved watch state: active alarms,
 * plus cleared ones for 7 days (at most 1,000), so that a late acknowledgement still finds its alarm.
 */
import { invalidInput } from '../base/errors';
import { ownValue, setOwn } from '../base/own-keys';
import { groupOf } from './availability';

export type AlarmType = 'outage' | 'incident' | 'flapping';
export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export type AlarmStatus = 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';

export interface Alarm {
  key: string;
  type: AlarmType;
  /** The device (outage, flapping) or the incident's ID. */
  source: string;
  instanceId: string;
  severity: Severity;
  status: AlarmStatus;
  active: boolean;
  acknowledged: boolean;
  /** When the outage, incident or episode began (ISO). */
  startedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  clearedAt?: string;
  /** `device` (it came back, the incident resolved, the flapping stopped) or who cleared it. */
  clearedBy?: string;
}

export interface AlarmOptions {
  /** Severity of a new alarm (default `warning`). */
  severity?: Severity;
  /** Devices or groups (`GID_x`) whose alarms are critical from the start. */
  criticalDevices?: string[];
  /** An active outage alarm becomes major after this long (0 or absent: never). */
  majorAfterMs?: number;
  /** ... and critical after this long. */
  criticalAfterMs?: number;
}

export type AlarmBook = Record<string, Alarm>;

/** What changed: a new alarm, a cleared one, an acknowledged one, a severity raised. */
export interface AlarmEvent {
  event: 'alarm';
  change: 'created' | 'cleared' | 'acknowledged' | 'severity';
  checkedAt: string;
  alarm: Alarm;
}

export const CLEARED_ALARM_KEPT_MS = 7 * 24 * 60 * 60_000;
export const MAX_CLEARED_ALARMS = 1000;
const SEVERITY_RANK: Record<Severity, number> = { warning: 0, minor: 1, major: 2, critical: 3 };
export const SEVERITIES = Object.keys(SEVERITY_RANK) as Severity[];

/** The stable key: the same outage gives the same key in every process and after every restart. */
export function alarmKey(type: AlarmType, instanceId: string, source: string, startedAt: string): string {
  return `${type}:${instanceId}:${source}:${startedAt}`;
}

function statusOf(active: boolean, acknowledged: boolean): AlarmStatus {
  return `${active ? 'ACTIVE' : 'CLEARED'}_${acknowledged ? 'ACK' : 'UNACK'}`;
}

function severityAt(type: AlarmType, source: string, ageMs: number, options: AlarmOptions): Severity {
  const critical = options.criticalDevices ?? [];
  if (type !== 'incident' && (critical.includes(source) || critical.includes(groupOf(source)))) return 'critical';
  let severity: Severity = type === 'incident' ? 'major' : (options.severity ?? 'warning');
  if (type === 'outage') {
    if (options.majorAfterMs && ageMs >= options.majorAfterMs) severity = higher(severity, 'major');
    if (options.criticalAfterMs && ageMs >= options.criticalAfterMs) severity = 'critical';
  }
  return severity;
}

function higher(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** Opens an alarm (or returns the one with this key, which is already open: a repeat changes nothing). */
export function raiseAlarm(
  book: AlarmBook,
  type: AlarmType,
  instanceId: string,
  source: string,
  startedAt: string,
  nowMs: number,
  options: AlarmOptions,
): { alarm: Alarm; event?: AlarmEvent } {
  const key = alarmKey(type, instanceId, source, startedAt);
  const existing = ownValue(book, key);
  if (existing) return { alarm: existing };
  const severity = severityAt(type, source, nowMs - Date.parse(startedAt), options);
  const alarm: Alarm = {
    key,
    type,
    source,
    instanceId,
    severity,
    status: statusOf(true, false),
    active: true,
    acknowledged: false,
    startedAt,
  };
  setOwn(book, key, alarm);
  return { alarm, event: { event: 'alarm', change: 'created', checkedAt: new Date(nowMs).toISOString(), alarm } };
}

/** The active alarm of this type for a source (the device's open outage, its flapping episode). */
export function activeAlarmOf(book: AlarmBook, type: AlarmType, instanceId: string, source: string): Alarm | undefined {
  return Object.values(book).find(
    (a) => a.active && a.type === type && a.source === source && a.instanceId === instanceId,
  );
}

/**
 * One change of an alarm's state by key: none when no alarm has the key or it is so already (a
 * repeat hands nothing on); else the alarm as it is now and the event that says so.
 */
function changeAlarm(
  book: AlarmBook,
  key: string,
  nowMs: number,
  change: 'cleared' | 'acknowledged',
  apply: (alarm: Alarm, at: string) => Alarm | undefined,
): { alarm?: Alarm; event?: AlarmEvent } {
  const alarm = ownValue(book, key);
  const at = new Date(nowMs).toISOString();
  const changed = alarm && apply(alarm, at);
  if (!changed) return { alarm };
  setOwn(book, key, changed);
  return { alarm: changed, event: { event: 'alarm', change, checkedAt: at, alarm: changed } };
}

/** Clears an alarm; one already cleared stays as it was (no second event). */
export function clearAlarm(
  book: AlarmBook,
  key: string,
  by: string,
  nowMs: number,
): { alarm?: Alarm; event?: AlarmEvent } {
  return changeAlarm(book, key, nowMs, 'cleared', (alarm, at) =>
    alarm.active
      ? { ...alarm, active: false, status: statusOf(false, alarm.acknowledged), clearedAt: at, clearedBy: by }
      : undefined,
  );
}

/** Acknowledges an alarm; one already acknowledged keeps who did it first (no second event). */
export function acknowledgeAlarm(
  book: AlarmBook,
  key: string,
  by: string,
  nowMs: number,
): { alarm?: Alarm; event?: AlarmEvent } {
  return changeAlarm(book, key, nowMs, 'acknowledged', (alarm, at) =>
    alarm.acknowledged
      ? undefined
      : { ...alarm, acknowledged: true, status: statusOf(alarm.active, true), acknowledgedAt: at, acknowledgedBy: by },
  );
}

/** Raises the severity of active outage alarms that have lasted long enough (never lowers it). */
export function escalateAlarms(book: AlarmBook, nowMs: number, options: AlarmOptions): AlarmEvent[] {
  const events: AlarmEvent[] = [];
  for (const alarm of Object.values(book)) {
    if (!alarm.active || alarm.type !== 'outage') continue;
    const severity = higher(
      alarm.severity,
      severityAt(alarm.type, alarm.source, nowMs - Date.parse(alarm.startedAt), options),
    );
    if (severity === alarm.severity) continue;
    const raised = { ...alarm, severity };
    setOwn(book, alarm.key, raised);
    events.push({ event: 'alarm', change: 'severity', checkedAt: new Date(nowMs).toISOString(), alarm: raised });
  }
  return events;
}

/** Drops cleared alarms older than 7 days, and the oldest beyond 1,000. */
export function pruneAlarms(book: AlarmBook, nowMs: number): AlarmBook {
  const cleared = Object.values(book)
    .filter((a) => !a.active)
    .sort((a, b) => Date.parse(b.clearedAt ?? '') - Date.parse(a.clearedAt ?? ''));
  const drop = new Set(
    cleared
      .filter((a, i) => i >= MAX_CLEARED_ALARMS || nowMs - Date.parse(a.clearedAt ?? '') > CLEARED_ALARM_KEPT_MS)
      .map((a) => a.key),
  );
  if (drop.size === 0) return book;
  const kept: AlarmBook = {};
  for (const alarm of Object.values(book)) if (!drop.has(alarm.key)) setOwn(kept, alarm.key, alarm);
  return kept;
}

/** What a list asks for. */
export interface AlarmFilter {
  /** `active`, `cleared` or all (default). */
  status?: 'active' | 'cleared' | 'all';
  acknowledged?: boolean;
  source?: string;
}

/** The alarms that match, newest first. */
export function listAlarms(book: AlarmBook, filter: AlarmFilter = {}): Alarm[] {
  return Object.values(book)
    .filter((a) => filter.status === undefined || filter.status === 'all' || (filter.status === 'active') === a.active)
    .filter((a) => filter.acknowledged === undefined || a.acknowledged === filter.acknowledged)
    .filter((a) => filter.source === undefined || a.source === filter.source || groupOf(a.source) === filter.source)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.key < b.key ? -1 : 1));
}

/** An operation on alarms as a host hands it over (an n8n item, a Node-RED message). */
export interface AlarmCommand {
  action: 'acknowledge' | 'clear' | 'list';
  /** The alarm's key (acknowledge, clear). */
  key?: string;
  /** Who does it: shown on the alarm (acknowledge, clear). */
  by?: string;
  filter?: AlarmFilter;
}

/** Checks a command from a host before it touches the book: says what is wrong and what to do. */
export function alarmCommandFrom(
  action: unknown,
  fields: { key?: unknown; by?: unknown; filter?: AlarmFilter },
): AlarmCommand {
  if (action !== 'acknowledge' && action !== 'clear' && action !== 'list')
    throw invalidInput(
      'alarm action',
      `"${String(action)}" is not an alarm action: use "acknowledge", "clear" or "list".`,
    );
  if (action === 'list') return { action, filter: fields.filter ?? {} };
  if (typeof fields.key !== 'string' || fields.key.trim() === '')
    throw invalidInput(
      'alarmKey',
      `${action} needs the alarm's key: give the "key" of the alarm (from its event or from "list").`,
    );
  const by = typeof fields.by === 'string' && fields.by.trim() !== '' ? fields.by.trim().slice(0, 200) : 'user';
  return { action, key: fields.key.trim(), by };
}

/** Whether a value read from a store is an alarm book this code can use. */
export function isAlarmBook(value: unknown): value is AlarmBook {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((a) => typeof a === 'object' && a !== null && typeof (a as Alarm).key === 'string')
  );
}
