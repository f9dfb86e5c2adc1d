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
  const days = dayRanges(window.from, to);
  const histories = new Map<string, DeviceHistory>();
  const silent: string[] = [];
  await Promise.all(
    input.clientIds.map(async (clientId) => {
      const pages = await Promise.all(
        days.map((day) =>
          client.queryConnectionTrace(
            { clientId, instanceId: input.instanceId, from: day.from, to: day.to, limit: TRACE_EVENTS_PER_DAY },
            { signal: options.signal },
          ),
        ),
      );
      const history = historyFromTrace(pages.flat(), { from: window.from, to }, input.traceTimeZone, true);
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
