/**
 * The trace queries: a device's connection history (QueryMqttTraceDevice) and a message's way
 * (QueryMqttTraceMessagePublish, QueryMqttTraceMessageSubscribe, QueryMqttTraceMessageOfClient).
 * Newest first, following pages up to a limit that a hostile service cannot stretch.
 */
import type { ApiName } from '../base/api-table';
import { invalidInput } from '../base/errors';
import type { CallOptions, ConnectionEvent, MessageTraceEvent } from '../base/results';
import { optionalNumber, optionalString, requireId, requireTime } from '../base/validation';
import type { ActionSender } from '../send/sender';

export const DEFAULT_TRACE_LIMIT = 100;
export const MAX_TRACE_LIMIT = 10_000;
/** A constant page size, so that page N always starts at (N-1) x size: shrinking the last page
 * would move its offset back and return events already seen. */
const TRACE_PAGE_SIZE = 100;

export interface TracePage<E = ConnectionEvent> {
  events: E[];
  total: number;
}

/** A field of the service's answer as text ('' for anything that is not a string or a number). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

const connectionEvent = (row: Record<string, unknown>): ConnectionEvent => ({
  time: text(row.Time),
  action: text(row.Action),
  reason: text(row.ActionInfo),
  actionCode: text(row.ActionCode),
  channel: text(row.ChannelId),
});

const messageEvent = (row: Record<string, unknown>): MessageTraceEvent => ({
  time: text(row.Time),
  msgId: text(row.MsgId),
  clientId: text(row.ClientId),
  action: text(row.Action),
  actionCode: text(row.ActionCode),
  detail: text(row.ActionInfo),
});

function parsePage<E extends { time: string }>(
  body: Record<string, unknown>,
  listField: string,
  toEvent: (row: Record<string, unknown>) => E,
): TracePage<E> | undefined {
  const list = body[listField];
  if (!Array.isArray(list)) return undefined;
  const events = list.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object').map(toEvent);
  // Newest first whatever order a page came in ("YYYY-MM-DD HH:mm:ss.SSS" sorts as text).
  events.sort(newestFirst);
  const total = Number(body.Total);
  return { events, total: Number.isFinite(total) ? total : events.length };
}

export function parseTracePage(body: Record<string, unknown>): TracePage | undefined {
  return parsePage(body, 'DeviceInfoList', connectionEvent);
}

/** A time range of one trace query, checked before any request. */
interface TraceRange {
  from: Date | number | string;
  to: Date | number | string;
  limit?: number;
  /** The trace's region (default: the client's). */
  mqttRegionId?: string;
}

export interface TraceQuery extends TraceRange {
  clientId: string;
  instanceId: string;
}

/** QueryMqttTraceMessagePublish: who sent the message, when. */
export interface PublishTraceQuery extends Omit<TraceRange, 'limit'> {
  instanceId: string;
  msgId: string;
}

/** QueryMqttTraceMessageSubscribe: who received the message, when (all clients, or one). */
export interface DeliveryTraceQuery extends TraceRange {
  instanceId: string;
  msgId: string;
  clientId?: string;
}

/** QueryMqttTraceMessageOfClient: what one client sent and received in the range. */
export interface ClientMessagesQuery extends TraceRange {
  instanceId: string;
  clientId: string;
}

interface Range {
  from: number;
  to: number;
  limit: number;
  mqttRegionId: string;
}

function checkRange(sender: ActionSender, input: TraceRange): Range {
  const from = requireTime('from', input.from);
  const to = requireTime('to', input.to);
  if (from > to) throw invalidInput('from', 'must not be later than "to".');
  const limit = optionalNumber('limit', input.limit, { min: 1, max: MAX_TRACE_LIMIT }) ?? DEFAULT_TRACE_LIMIT;
  return { from, to, limit, mqttRegionId: optionalString('mqttRegionId', input.mqttRegionId) ?? sender.regionId };
}

/**
 * Connection history of one device, newest first, following pages up to `limit` events
 * (default 100, at most 10,000). Throws OnsMqttError.
 */
export async function queryConnectionTrace(
  sender: ActionSender,
  input: TraceQuery,
  options: CallOptions = {},
): Promise<ConnectionEvent[]> {
  const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const range = checkRange(sender, input);
  const query = { InstanceId: instanceId, ClientId: clientId };
  return readPages(sender, 'QueryMqttTraceDevice', query, range, 'DeviceInfoList', connectionEvent, options);
}

/** Who sent the message and when (one page: the service does not page it). Throws OnsMqttError. */
export async function queryPublishTrace(
  sender: ActionSender,
  input: PublishTraceQuery,
  options: CallOptions = {},
): Promise<MessageTraceEvent[]> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const msgId = requireId('msgId', input?.msgId, 'AC1EC0030EAB78308DB16A3EC773BD95');
  const range = checkRange(sender, { ...input, limit: undefined });
  const api = 'QueryMqttTraceMessagePublish';
  const query = {
    MqttRegionId: range.mqttRegionId,
    InstanceId: instanceId,
    MsgId: msgId,
    BeginTime: String(range.from),
    EndTime: String(range.to),
  };
  const response = await sender.call(api, query, options.signal);
  const page = parsePage(response.body, 'MessageTraceLists', messageEvent);
  if (!page) throw sender.malformed(api, 'MessageTraceLists', response);
  return page.events.slice(0, MAX_TRACE_LIMIT);
}

/** Which clients received the message and when, newest first, up to `limit`. Throws OnsMqttError. */
export async function queryDeliveryTrace(
  sender: ActionSender,
  input: DeliveryTraceQuery,
  options: CallOptions = {},
): Promise<MessageTraceEvent[]> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const msgId = requireId('msgId', input?.msgId, 'AC1EC0030EAB78308DB16A3EC773BD95');
  // Optional: blank means every client that received it.
  const clientId =
    input.clientId === undefined || input.clientId === ''
      ? undefined
      : requireId('clientId', input.clientId, 'GID_group@@@device');
  const range = checkRange(sender, input);
  const query = { InstanceId: instanceId, MsgId: msgId, ...(clientId ? { ClientId: clientId } : {}) };
  return readPages(sender, 'QueryMqttTraceMessageSubscribe', query, range, 'MessageTraceLists', messageEvent, options);
}

/** What the client sent and received in the range, newest first, up to `limit`. Throws OnsMqttError. */
export async function queryClientMessages(
  sender: ActionSender,
  input: ClientMessagesQuery,
  options: CallOptions = {},
): Promise<MessageTraceEvent[]> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
  const range = checkRange(sender, input);
  return readPages(
    sender,
    'QueryMqttTraceMessageOfClient',
    { InstanceId: instanceId, ClientId: clientId },
    range,
    'MessageOfClientList',
    messageEvent,
    options,
  );
}

/**
 * The pages of one trace query, newest first (Reverse), up to the range's limit. Events that
 * arrive while we page shift the list: what a page repeats is skipped. Stops on a short page, on
 * the total, on a page that adds nothing (a service repeating its pages), and at a page ceiling:
 * a service that miscounts or lies cannot loop us.
 */
async function readPages<E extends { time: string }>(
  sender: ActionSender,
  api: ApiName,
  query: Record<string, string>,
  range: Range,
  listField: string,
  toEvent: (row: Record<string, unknown>) => E,
  options: CallOptions,
): Promise<E[]> {
  const events: E[] = [];
  const seen = new Set<string>();
  // Pages enough for `limit`, and two more for events that arrive while we page and shift it.
  const maxPages = Math.ceil(range.limit / TRACE_PAGE_SIZE) + 2;
  for (let page = 1; events.length < range.limit && page <= maxPages; page++) {
    const response = await sender.call(
      api,
      {
        MqttRegionId: range.mqttRegionId,
        ...query,
        BeginTime: String(range.from),
        EndTime: String(range.to),
        CurrentPage: String(page),
        PageSize: String(TRACE_PAGE_SIZE),
        Reverse: 'true',
      },
      options.signal,
    );
    const parsed = parsePage(response.body, listField, toEvent);
    if (!parsed) throw sender.malformed(api, listField, response);
    const before = events.length;
    for (const event of parsed.events) {
      const key = Object.values(event).join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      events.push(event);
    }
    if (parsed.events.length < TRACE_PAGE_SIZE || page * TRACE_PAGE_SIZE >= parsed.total || events.length === before)
      break;
  }
  events.sort(newestFirst);
  return events.slice(0, range.limit);
}

function newestFirst(a: { time: string }, b: { time: string }): number {
  return a.time < b.time ? 1 : a.time > b.time ? -1 : 0;
}
