/**
 * Why and since when a device is offline, read from its connection trace (QueryMqttTraceDevice):
 * what a ticket needs beyond "offline". One trace query per offline device, over the last day
 * (the longest span the console allows a trace query), newest 100 events (one page).
 *
 * The trace's `Time` is text without a time zone ("2021-05-21 15:51:54.867"). The service's own
 * example places it at UTC+8 (its BeginTime/EndTime 1621580400000..1621584000000 are 15:00..16:00
 * Beijing time, and the example event is 15:51); that is the default, and `traceTimeZone` changes it.
 */
import { isAcceptedReason, type ConnectionEvent, type DisconnectCode, type OfflineDetails } from '../base/results';

import { linkedSignal } from '../base/abort';

/** How far back the details look. */
export const DETAILS_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Events read per device: one page. Enough for a day of a device retrying a refused login every 15 minutes. */
export const DETAILS_EVENTS = 100;
/** Details not read within this long are given up (the status goes out without them). */
export const DEFAULT_DETAILS_TIMEOUT_MS = 10_000;
export const DEFAULT_TRACE_TIME_ZONE = '+08:00';

const REASON_CODES: Record<string, DisconnectCode> = {
  'no heart': 'keepalive_timeout',
  'disconnected by client': 'client_disconnected',
  'closed by client': 'client_closed',
  'clientid conflict': 'client_id_conflict',
  'not authorized': 'auth_failed',
  'resource auth failed': 'auth_failed',
  'topic auth failed': 'auth_failed',
  'socket ioexception': 'network_error',
  'invalid param': 'invalid_param',
};

export function disconnectCodeOf(reason: string): DisconnectCode {
  return REASON_CODES[reason.trim().toLowerCase()] ?? 'unknown';
}

/** "+08:00", "-05:30", "UTC" or "Z" -> minutes east of UTC; undefined for anything else. */
export function parseUtcOffset(value: string): number | undefined {
  const v = value.trim();
  if (/^(utc|z|gmt)$/i.test(v)) return 0;
  const m = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(v);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

/** A trace `Time` ("2021-05-21 15:51:54.867") at the given offset -> ISO 8601 UTC, or null if unreadable. */
export function traceTimeToIso(time: string, offsetMinutes: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(time.trim());
  if (!m) return null;
  const ms =
    Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], Number((m[7] ?? '0').padEnd(3, '0'))) -
    offsetMinutes * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function isAcceptedConnect(e: ConnectionEvent): boolean {
  return e.action.toLowerCase() === 'connect' && isAcceptedReason(e.reason);
}

function endsConnection(e: ConnectionEvent): boolean {
  const action = e.action.toLowerCase();
  return action === 'disconnect' || action === 'close';
}

/**
 * The details from trace events (newest first):
 * - lastConnectedAt: the newest accepted connect;
 * - offlineSince: the first close or disconnect after it (the end of that connection); with no
 *   accepted connect in the window, the oldest close or disconnect in it;
 * - the reason: the newest event that is not an accepted connect (a refused login after the drop
 *   says better why the device is still offline than the drop itself).
 * A trace whose newest event is an accepted connect (the trace lags the status by a moment) gives
 * lastConnectedAt only.
 */
export function detailsFromTrace(events: readonly ConnectionEvent[], offsetMinutes: number): OfflineDetails {
  const connectIndex = events.findIndex(isAcceptedConnect);
  const afterConnect = connectIndex === -1 ? events : events.slice(0, connectIndex);
  const ends = afterConnect.filter(endsConnection);
  const end = ends.length > 0 ? ends[ends.length - 1] : undefined; // the oldest: where the outage began
  const why = afterConnect.find((e) => !isAcceptedConnect(e));
  return {
    offlineSince: end ? traceTimeToIso(end.time, offsetMinutes) : null,
    lastDisconnectReason: why ? why.reason : null,
    lastDisconnectCode: why ? disconnectCodeOf(why.reason) : null,
    lastConnectedAt: connectIndex === -1 ? null : traceTimeToIso(events[connectIndex].time, offsetMinutes),
  };
}

export function missingDetails(why: string): OfflineDetails {
  return {
    offlineSince: null,
    lastDisconnectReason: null,
    lastDisconnectCode: null,
    lastConnectedAt: null,
    offlineDetailsMissing: why,
  };
}

type TraceReader = (
  query: { clientId: string; instanceId: string; from: number; to: number; limit: number },
  signal: AbortSignal,
) => Promise<ConnectionEvent[]>;

/**
 * Reads one device's details. Never throws for a trace that cannot be read: the answer then says
 * the details are missing and why (only the caller's own cancellation propagates).
 */
export async function readOfflineDetails(
  readTrace: TraceReader,
  device: { clientId: string; instanceId: string },
  context: { now: number; offsetMinutes: number; timeoutMs: number; signal?: AbortSignal },
): Promise<OfflineDetails> {
  const { signal, timedOut, done } = linkedSignal(context.signal, context.timeoutMs);
  try {
    const events = await readTrace(
      {
        clientId: device.clientId,
        instanceId: device.instanceId,
        from: context.now - DETAILS_WINDOW_MS,
        to: context.now,
        limit: DETAILS_EVENTS,
      },
      signal,
    );
    return detailsFromTrace(events, context.offsetMinutes);
  } catch (error) {
    if (context.signal?.aborted) throw error;
    if (timedOut())
      return missingDetails(`the connection trace did not answer within ${Math.round(context.timeoutMs / 1000)} s`);
    const e = error as { code?: unknown; hint?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'Error';
    const hint = typeof e.hint === 'string' ? ` ${e.hint}` : '';
    return missingDetails(`the connection trace could not be read (${code}).${hint}`);
  } finally {
    done();
  }
}
