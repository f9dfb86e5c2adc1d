/**
 * A device's connection history (QueryMqttTraceDevice): connect, disconnect and close events with
 * their reasons, newest first, following pages up to a limit that a hostile service cannot stretch.
 */
import { invalidInput } from '../base/errors';
import type { CallOptions, ConnectionEvent } from '../base/results';
import { optionalNumber, optionalString, requireId, requireTime } from '../base/validation';
import type { ActionSender } from '../send/sender';

export const DEFAULT_TRACE_LIMIT = 100;
export const MAX_TRACE_LIMIT = 10_000;
/** A constant page size, so that page N always starts at (N-1) x size: shrinking the last page
 * would move its offset back and return events already seen. */
const TRACE_PAGE_SIZE = 100;

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
  events.sort(newestFirst);
  const total = Number(body.Total);
  return { events, total: Number.isFinite(total) ? total : events.length };
}

export interface TraceQuery {
  clientId: string;
  instanceId: string;
  from: Date | number | string;
  to: Date | number | string;
  limit?: number;
  /** The trace's region (default: the client's). */
  mqttRegionId?: string;
}

/**
 * Connection history of one device, newest first, following pages up to `limit` events
 * (default 100, at most 10,000). Throws OnsMqttError.
 */
export async function queryConnectionTrace(sender: ActionSender, input: TraceQuery, options: CallOptions = {}): Promise<ConnectionEvent[]> {
  const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const from = requireTime('from', input.from);
  const to = requireTime('to', input.to);
  if (from > to) throw invalidInput('from', 'must not be later than "to".');
  const limit = optionalNumber('limit', input.limit, { min: 1, max: MAX_TRACE_LIMIT }) ?? DEFAULT_TRACE_LIMIT;
  const mqttRegionId = optionalString('mqttRegionId', input.mqttRegionId) ?? sender.regionId;
  const events: ConnectionEvent[] = [];
  const seen = new Set<string>();
  // Pages enough for `limit`, and two more for events that arrive while we page and shift it.
  const maxPages = Math.ceil(limit / TRACE_PAGE_SIZE) + 2;
  for (let page = 1; events.length < limit && page <= maxPages; page++) {
    const response = await sender.call(
      'QueryMqttTraceDevice',
      {
        MqttRegionId: mqttRegionId,
        InstanceId: instanceId,
        ClientId: clientId,
        BeginTime: String(from),
        EndTime: String(to),
        CurrentPage: String(page),
        PageSize: String(TRACE_PAGE_SIZE),
        Reverse: 'true',
      },
      options.signal,
    );
    const parsed = parseTracePage(response.body);
    if (!parsed) throw sender.malformed('QueryMqttTraceDevice', 'DeviceInfoList', response);
    // Events that arrive while we page shift the newest-first list: skip what a page repeats.
    const before = events.length;
    for (const event of parsed.events) {
      const key = `${event.time}\u0000${event.action}\u0000${event.channel}\u0000${event.actionCode}\u0000${event.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      events.push(event);
    }
    // Stop on a short page, on the total, on a page that adds nothing (a service repeating its
    // pages), and at the page ceiling: a service that miscounts or lies cannot loop us.
    if (parsed.events.length < TRACE_PAGE_SIZE || page * TRACE_PAGE_SIZE >= parsed.total || events.length === before) break;
  }
  events.sort(newestFirst);
  return events.slice(0, limit);
}

function newestFirst(a: ConnectionEvent, b: ConnectionEvent): number {
  return a.time < b.time ? 1 : a.time > b.time ? -1 : 0;
}
