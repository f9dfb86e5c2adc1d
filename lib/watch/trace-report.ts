/**
 * The availability report without a watch: from the service's connection trace alone
 * (QueryMqttTraceDevice), for a flow or an AI agent that asks "how available were these devices
 * last week" with nothing watching them before. Within the trace's limits: one query per device
 * and day (the console limits a trace query to a day), at most 1,000 events a day, at most 30 days
 * and 1,000 devices per report; everything goes through the client's rate limit (500 QPS).
 * A device's state before its first event in the window is what that event left (a connect: it was
 * offline; a drop: online); a device without an event in the window is in its current state all
 * along (one status query). Times are the trace's, at UTC+8 unless told otherwise.
 */
import { invalidInput } from '../base/errors';
import { setOwn } from '../base/own-keys';
import { isSessionFailure, type CallOptions } from '../base/results';
import type { OnsMqttClient } from '../client/client';
import type { BudgetOptions } from './budgets';
import type { DeviceHistory } from './history';
import {
  availabilityReport,
  dayRanges,
  historyFromTrace,
  reportWindow,
  type AvailabilityReport,
  type ReportRequest,
} from './report';
import type { WatchState } from './transition';

export const MAX_TRACE_REPORT_DAYS = 30;
export const MAX_TRACE_REPORT_DEVICES = 1000;
const TRACE_EVENTS_PER_DAY = 1000;
const DAY_MS = 24 * 60 * 60_000;

export interface TraceReportInput {
  instanceId: string;
  clientIds: readonly string[];
  window: ReportRequest['window'];
  budgets?: BudgetOptions;
  timelines?: boolean;
  traceTimeZone?: string;
}

export async function traceAvailabilityReport(
  client: OnsMqttClient,
  input: TraceReportInput,
  options: CallOptions & { now?: () => number } = {},
): Promise<AvailabilityReport> {
  const nowMs = (options.now ?? Date.now)();
  const window = reportWindow(input.window, nowMs);
  const to = Math.min(window.to, nowMs);
  if (window.to - window.from > MAX_TRACE_REPORT_DAYS * DAY_MS)
    throw invalidInput(
      'window',
      `a report from the connection trace covers at most ${MAX_TRACE_REPORT_DAYS} days: choose a shorter window.`,
    );
  if (input.clientIds.length === 0)
    throw invalidInput('clientIds', 'give at least one Client ID, one per line or comma-separated.');
  if (input.clientIds.length > MAX_TRACE_REPORT_DEVICES)
    throw invalidInput(
      'clientIds',
      `a report from the connection trace covers at most ${MAX_TRACE_REPORT_DEVICES} devices: split the list.`,
    );
  const histories = new Map<string, DeviceHistory>();
  const silent: string[] = [];
  await Promise.all(
    input.clientIds.map(async (clientId) => {
      const history = await readTraceHistory(
        client,
        { clientId, instanceId: input.instanceId, from: window.from, to },
        { traceTimeZone: input.traceTimeZone, inferBefore: true, signal: options.signal },
      );
      if (history) histories.set(clientId, history);
      else silent.push(clientId);
    }),
  );
  if (silent.length > 0) {
    const statuses = await client.querySessions(
      { clientIds: silent, instanceId: input.instanceId },
      { signal: options.signal },
    );
    for (const status of statuses) {
      if (isSessionFailure(status)) throw status.error;
      histories.set(status.clientId, { from: window.from, outages: status.online ? [] : [[window.from, 0]] });
    }
  }
  const state: WatchState = { instanceId: input.instanceId.trim(), devices: {}, health: {} };
  for (const [clientId, history] of histories) {
    const last = history.outages[history.outages.length - 1];
    setOwn(state.devices, clientId, { online: !(last && last[1] === 0), since: new Date(window.from).toISOString() });
    setOwn(state.health as NonNullable<WatchState['health']>, clientId, { history });
  }
  const report = availabilityReport(
    state,
    { window: input.window, budgets: input.budgets, timelines: input.timelines },
    nowMs,
  );
  for (const device of report.devices) device.source = 'trace';
  return report;
}

/**
 * A device's history from its connection trace over [from, to]: one query per day (the console's
 * limit), at most 1,000 events a day, through the client's limits. `inferBefore`: the record starts
 * at `from`, in the state the first event left (see historyFromTrace).
 */
export async function readTraceHistory(
  client: OnsMqttClient,
  range: { clientId: string; instanceId: string; from: number; to: number },
  options: { traceTimeZone?: string; inferBefore?: boolean; signal?: AbortSignal } = {},
): Promise<DeviceHistory | undefined> {
  const pages = await Promise.all(
    dayRanges(range.from, range.to).map((day) =>
      client.queryConnectionTrace(
        {
          clientId: range.clientId,
          instanceId: range.instanceId,
          from: day.from,
          to: day.to,
          limit: TRACE_EVENTS_PER_DAY,
        },
        { signal: options.signal },
      ),
    ),
  );
  return historyFromTrace(pages.flat(), range, options.traceTimeZone, options.inferBefore === true);
}
