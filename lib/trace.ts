/** Parsing of QueryMqttTraceDevice pages into the core's connection events. */

export interface ConnectionEvent {
  /** As the service gives it, e.g. "2021-05-21 15:51:54.867" (the service's local time). */
  time: string;
  /** connect | close | disconnect */
  action: string;
  /** ActionInfo: accepted, no heart, closed by client, Socket IOException, ... */
  reason: string;
  actionCode: string;
  channel: string;
}

export interface TracePage {
  events: ConnectionEvent[];
  total: number;
}

/** A field of the service's answer as text ('' for anything that is not a string or a number). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function parseTracePage(body: Record<string, unknown>): TracePage | undefined {
  const list = body.DeviceInfoList;
  if (!Array.isArray(list)) return undefined;
  const events = list
    .filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
    .map((row) => ({
      time: text(row.Time),
      action: text(row.Action),
      reason: text(row.ActionInfo),
      actionCode: text(row.ActionCode),
      channel: text(row.ChannelId),
    }));
  // Newest first whatever order a page came in ("YYYY-MM-DD HH:mm:ss.SSS" sorts as text).
  events.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  const total = Number(body.Total);
  return { events, total: Number.isFinite(total) ? total : events.length };
}
