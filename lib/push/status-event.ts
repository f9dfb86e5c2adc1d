/**
 * One status notification as the service pushes it on the `STATUS` queue: a UTF-8 JSON object
 * `{clientId, channelId, eventType, time, clientIp}`. Anything else is malformed, by kind, so
 * that a consumer can count it, say so once per kind, and acknowledge it (never a crash, never a
 * redelivery loop).
 */
import { requireId } from '../base/validation';

export type StatusEventType = 'connect' | 'disconnect' | 'tcpclean';
const EVENT_TYPES: readonly string[] = ['connect', 'disconnect', 'tcpclean'];

export interface StatusEvent {
  clientId: string;
  channelId: string;
  eventType: StatusEventType;
  /** The event's own time, epoch milliseconds. */
  time: number;
  clientIp?: string;
}

export type MalformedKind =
  | 'not-json'
  | 'not-an-object'
  | 'no-client-id'
  | 'invalid-client-id'
  | 'no-channel-id'
  | 'unknown-event-type'
  | 'no-time';

export type ParsedStatusEvent = { ok: true; event: StatusEvent } | { ok: false; kind: MalformedKind };

function acceptedClientId(clientId: string): boolean {
  try {
    return requireId('clientId', clientId, 'GID_group@@@device') === clientId;
  } catch {
    return false;
  }
}

export function parseStatusEvent(body: Buffer | string): ParsedStatusEvent {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return { ok: false, kind: 'not-json' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, kind: 'not-an-object' };
  const v = value as Record<string, unknown>;
  if (typeof v.clientId !== 'string' || v.clientId === '') return { ok: false, kind: 'no-client-id' };
  // A Client ID the API would refuse (10 kB long, a control character, half a character) can never
  // be checked: read as malformed, it is acknowledged once and never enters a watch list.
  if (!acceptedClientId(v.clientId)) return { ok: false, kind: 'invalid-client-id' };
  if (typeof v.channelId !== 'string' || v.channelId === '') return { ok: false, kind: 'no-channel-id' };
  if (typeof v.eventType !== 'string' || !EVENT_TYPES.includes(v.eventType))
    return { ok: false, kind: 'unknown-event-type' };
  // The SDKs read `time` as a 64-bit number; text of digits is taken too (a tolerant reader).
  const time =
    typeof v.time === 'number' ? v.time : typeof v.time === 'string' && /^\d+$/.test(v.time) ? Number(v.time) : NaN;
  if (!Number.isSafeInteger(time) || time < 0) return { ok: false, kind: 'no-time' };
  return {
    ok: true,
    event: {
      clientId: v.clientId,
      channelId: v.channelId,
      eventType: v.eventType as StatusEventType,
      time,
      ...(typeof v.clientIp === 'string' ? { clientIp: v.clientIp } : {}),
    },
  };
}
