/**
 * The availability report of a watch: per device, per group and for the fleet, over a window, from
 * the saved watch state (the watcher's own history), optionally filled in from the service's
 * connection trace where the watcher's record does not reach back (a device watched since
 * yesterday, asked about last week). Plain data: the hosts give it as JSON and as the SVG picture
 * (report-svg.ts).
 */
import type { ConnectionEvent } from '../base/results';
import { isAcceptedReason } from '../base/results';
import { DEFAULT_TRACE_TIME_ZONE, disconnectCodeOf, parseUtcOffset, traceTimeToIso } from '../actions/offline-details';
import { invalidInput } from '../base/errors';
import { ownValue } from '../base/own-keys';
import {
  combined,
  deviceAvailability,
  groupAvailability,
  segmentsOf,
  windowOf,
  type AvailabilityFigures,
  type DeviceAvailability,
  type GroupAvailability,
  type Segment,
  type TimeWindow,
  type WindowName,
} from './availability';
import { groupBudgets, type BudgetOptions, type GroupBudget } from './budgets';
import { isDeviceHistory, type DeviceHistory, type Outage } from './history';
import type { WatchState } from './transition';

export const WINDOW_NAMES: readonly WindowName[] = ['hour', 'day', 'week', '30days'];

/** How exact the figures are, said in every report (see docs/fleet-health.md). */
export const DETECTION_NOTE =
  'Outages start when a check first saw the device offline and end when one first saw it online: up to one check interval after the change (push: about a second). The service itself notices a device that went silent 1.5 x its keepalive after its last packet, a clean disconnect at once. Unknown time (before a device was first checked, after now) counts neither way.';

export interface ReportRequest {
  /** `hour`, `day`, `week`, `30days` (ending now) or from-to (ms, ISO text or Date). */
  window: WindowName | { from: number | string | Date; to: number | string | Date };
  /** Only these devices, or these groups (`GID_x`); all watched devices when absent or empty. */
  devices?: string[];
  budgets?: BudgetOptions;
  /** Each device's timeline (what the picture draws); off by default in JSON to keep it small. */
  timelines?: boolean;
}

export interface DeviceReport extends DeviceAvailability {
  /** Where the figures come from: the watcher's record, or the service's trace before it. */
  source: 'watcher' | 'watcher+trace' | 'trace';
  timeline?: Segment[];
}

export interface AvailabilityReport {
  event: 'availability_report';
  instanceId: string;
  generatedAt: string;
  window: { from: string; to: string; ms: number; name: string };
  detection: string;
  fleet: AvailabilityFigures & { devices: number };
  groups: GroupAvailability[];
  devices: DeviceReport[];
  budgets: GroupBudget[];
}

/** The window asked for, checked: a clear error for anything else. */
export function reportWindow(spec: ReportRequest['window'] | undefined, nowMs: number): TimeWindow & { name: string } {
  if (spec === undefined) return { ...windowOf('day', nowMs), name: 'day' };
  if (typeof spec === 'string') {
    if (!(WINDOW_NAMES as readonly string[]).includes(spec))
      throw invalidInput('window', `"${spec}" is not a window: use hour, day, week, 30days, or give from and to.`);
    return { ...windowOf(spec, nowMs), name: spec };
  }
  const time = (field: string, value: unknown) => {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
    if (!Number.isFinite(ms))
      throw invalidInput(field, `${JSON.stringify(value)} is not a time: give ISO 8601 text or epoch milliseconds.`);
    return ms;
  };
  const from = time('from', spec?.from);
  const to = time('to', spec?.to);
  if (to <= from) throw invalidInput('to', 'must be later than "from".');
  return { from, to, name: 'custom' };
}

/** The report from a saved state (and trace-derived histories for the devices that have them). */
export function availabilityReport(
  state: WatchState | undefined,
  request: ReportRequest,
  nowMs: number,
  fromTrace: ReadonlyMap<string, DeviceHistory> = new Map(),
): AvailabilityReport {
  const window = reportWindow(request.window, nowMs);
  const histories = reportHistories(state, request.devices, fromTrace);
  const devices: DeviceReport[] = [...histories.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([clientId, history]) => {
      const figures = deviceAvailability(clientId, history, window, nowMs);
      const device: DeviceReport = { ...figures, source: fromTrace.has(clientId) ? 'watcher+trace' : 'watcher' };
      if (request.timelines) device.timeline = segmentsOf(history, window, nowMs);
      return device;
    });
  return {
    event: 'availability_report',
    instanceId: state?.instanceId ?? '',
    generatedAt: new Date(nowMs).toISOString(),
    window: {
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      ms: window.to - window.from,
      name: window.name,
    },
    detection: DETECTION_NOTE,
    fleet: { devices: devices.length, ...combined(devices, window) },
    groups: groupAvailability(devices, window),
    devices,
    budgets: request.budgets ? groupBudgets(histories, request.budgets, nowMs) : [],
  };
}

/** Each reported device's history: its own, merged after what its trace says of the time before. */
function reportHistories(
  state: WatchState | undefined,
  only: readonly string[] | undefined,
  fromTrace: ReadonlyMap<string, DeviceHistory>,
): Map<string, DeviceHistory> {
  const wanted = only && only.length > 0 ? new Set(only) : undefined;
  const picked = (id: string) => !wanted || wanted.has(id) || wanted.has(id.slice(0, Math.max(0, id.indexOf('@@@'))));
  const histories = new Map<string, DeviceHistory>();
  for (const clientId of Object.keys(state?.devices ?? {})) {
    if (!picked(clientId)) continue;
    const record = state?.health ? ownValue(state.health, clientId) : undefined;
    const device = state ? ownValue(state.devices, clientId) : undefined;
    let history: DeviceHistory | undefined = record && isDeviceHistory(record.history) ? record.history : undefined;
    // A state saved before records existed: from the confirmed state's start.
    if (!history && device) {
      const since = Date.parse(device.since);
      history = { from: since, outages: device.online ? [] : [[since, 0]] };
    }
    if (!history) continue;
    const traced = fromTrace.get(clientId);
    histories.set(clientId, traced ? mergeHistories(traced, history) : history);
  }
  return histories;
}

/** The trace's record of the time before the watcher's, then the watcher's own. */
export function mergeHistories(before: DeviceHistory, own: DeviceHistory): DeviceHistory {
  if (before.from >= own.from) return own;
  const outages: Outage[] = [];
  for (const o of before.outages) {
    if (o[0] >= own.from) break;
    const end = o[1] === 0 || o[1] > own.from ? own.from : o[1];
    outages.push(o.length === 3 ? [o[0], end, o[2]] : [o[0], end]);
  }
  const first = own.outages[0];
  const last = outages[outages.length - 1];
  // An outage the trace saw going on when the watcher began is the watcher's first outage.
  if (last && last[1] === own.from && first && first[0] === own.from) {
    outages.pop();
    outages.push(
      first.length === 3
        ? [last[0], first[1], first[2]]
        : last.length === 3
          ? [last[0], first[1], last[2]]
          : [last[0], first[1]],
    );
    return { from: before.from, outages: [...outages, ...own.outages.slice(1)] };
  }
  return { from: before.from, outages: [...outages, ...own.outages] };
}

/**
 * A device's history from its connection trace (newest first, as the service lists it): from its first event in the range on,
 * offline after a close or disconnect, online after an accepted connect. Refused logins keep it
 * offline and give the outage its reason.
 */
export function historyFromTrace(
  events: readonly ConnectionEvent[],
  range: TimeWindow,
  traceTimeZone = DEFAULT_TRACE_TIME_ZONE,
  /** Start at the range's start, in the state the first event left (a trace read for the whole range). */
  inferBefore = false,
): DeviceHistory | undefined {
  const offset = parseUtcOffset(traceTimeZone) ?? 8 * 60;
  // The service lists newest first: reversed, events of the same millisecond keep their true order.
  const timed = [...events]
    .reverse()
    .map((e) => ({ e, at: Date.parse(traceTimeToIso(e.time, offset) ?? '') }))
    .filter((x) => Number.isFinite(x.at) && x.at >= range.from && x.at <= range.to)
    .sort((a, b) => a.at - b.at);
  if (timed.length === 0) return undefined;
  const outages: Outage[] = [];
  let online: boolean | undefined;
  if (inferBefore) {
    // The first event says what the device was before it: a connect that it was offline, a drop online.
    const first = timed[0].e;
    const firstConnects = first.action.toLowerCase() === 'connect';
    if (firstConnects) outages.push([range.from, 0, 'unknown']);
    online = !firstConnects;
  }
  for (const { e, at } of timed) {
    const action = e.action.toLowerCase();
    const connected = action === 'connect' && isAcceptedReason(e.reason);
    const reason = disconnectCodeOf(e.reason);
    if (connected) {
      const open = outages[outages.length - 1];
      if (open && open[1] === 0)
        outages[outages.length - 1] = open.length === 3 ? [open[0], at, open[2]] : [open[0], at];
      online = true;
    } else if (online !== false) {
      outages.push([at, 0, reason]);
      online = false;
    } else {
      const open = outages[outages.length - 1];
      if (open) outages[outages.length - 1] = [open[0], open[1], reason];
    }
  }
  return { from: inferBefore ? range.from : timed[0].at, outages };
}

/** The report as JSON beside its picture: the figures without the timelines the picture draws. */
export function reportJson(report: AvailabilityReport): AvailabilityReport {
  return {
    ...report,
    devices: report.devices.map((device) => {
      const copy = { ...device };
      delete copy.timeline;
      return copy;
    }),
  };
}

const DAY_MS = 24 * 60 * 60_000;

/** [from, to] in trace queries of at most a day each (the console's limit), newest first. */
export function dayRanges(from: number, to: number): Array<{ from: number; to: number }> {
  const days: Array<{ from: number; to: number }> = [];
  for (let end = to; end > from; end -= DAY_MS) days.push({ from: Math.max(from, end - DAY_MS), to: end });
  return days;
}
