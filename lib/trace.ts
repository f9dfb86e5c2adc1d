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

export function parseTracePage(body: Record<string, unknown>): TracePage | undefined {
  const list = body.DeviceInfoList;
  if (!Array.isArray(list)) return undefined;
  const events = list
    .filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
    .map((row) => ({
      time: String(row.Time ?? ''),
      action: String(row.Action ?? ''),
      reason: String(row.ActionInfo ?? ''),
      actionCode: String(row.ActionCode ?? ''),
      channel: String(row.ChannelId ?? ''),
    }));
  // Newest first whatever order a page came in ("YYYY-MM-DD HH:mm:ss.SSS" sorts as text).
  events.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  const total = Number(body.Total);
  return { events, total: Number.isFinite(total) ? total : events.length };
}
