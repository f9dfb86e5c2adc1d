import { randomBytes } from 'node:crypto';

/**
 * Device sessions as the emulator knows them: who is online now, and the connection history that
 * QueryMqttTraceDevice reports (Action connect | close | disconnect, with ActionInfo reasons).
 */
export type TraceAction = 'connect' | 'close' | 'disconnect';

export interface TraceEvent {
  timeMs: number;
  clientId: string;
  channelId: string;
  action: TraceAction;
  actionCode: string;
  actionInfo: string;
}

/**
 * The reasons (ActionInfo) the service documents, and what the emulator gives each. The trace's
 * `ActionCode` is `mqtt.trace.action.<action>` as Alibaba's SDK models it (not a number); a
 * connect the service accepted says `accepted` (the SDK model; its own example says `accept`,
 * which the client reads as well).
 */
export const ACTION_INFO = {
  accepted: 'accepted',
  'disconnected by client': 'disconnected by client',
  'closed by client': 'closed by client',
  'no heart': 'no heart',
  'clientId conflict': 'clientId conflict',
  'Socket IOException': 'Socket IOException',
  'not authorized': 'not authorized',
} as const;
export type ActionInfo = keyof typeof ACTION_INFO;

/** The trace's ActionCode for an action, as the SDK documents it. */
export function actionCodeOf(action: TraceAction): string {
  return `mqtt.trace.action.${action}`;
}

/** A channel id as the service gives one: opaque (here 32 hex digits), never a counter. */
function newChannelId(): string {
  return randomBytes(16).toString('hex');
}

/** History kept per device: enough for any troubleshooting query, bounded for long runs. */
const MAX_EVENTS_PER_DEVICE = 1000;

export class DeviceRegistry {
  private readonly online = new Map<string, { since: number; channelId: string }>();
  private readonly history = new Map<string, TraceEvent[]>();
  /** Told of every connection that came up or ended (the Cloud SDK's status events come from it). */
  onSession?: (event: TraceEvent) => void;

  isOnline(clientId: string): boolean {
    return this.online.has(clientId);
  }

  connect(clientId: string, now = Date.now()): string {
    const channelId = newChannelId();
    this.online.set(clientId, { since: now, channelId });
    const event: TraceEvent = {
      timeMs: now,
      clientId,
      channelId,
      action: 'connect',
      actionCode: actionCodeOf('connect'),
      actionInfo: ACTION_INFO.accepted,
    };
    this.record(event);
    this.onSession?.(event);
    return channelId;
  }

  disconnect(clientId: string, action: Exclude<TraceAction, 'connect'>, info: ActionInfo, now = Date.now()): void {
    const session = this.online.get(clientId);
    if (!session) return;
    this.online.delete(clientId);
    const event: TraceEvent = {
      timeMs: now,
      clientId,
      channelId: session.channelId,
      action,
      actionCode: actionCodeOf(action),
      actionInfo: ACTION_INFO[info],
    };
    this.record(event);
    this.onSession?.(event);
  }

  /** A CONNECT refused (a wrong password): recorded in the trace, the device stays as it was. */
  refused(clientId: string, info: ActionInfo, now = Date.now()): void {
    const channelId = newChannelId();
    this.record({
      timeMs: now,
      clientId,
      channelId,
      action: 'connect',
      actionCode: actionCodeOf('connect'),
      actionInfo: ACTION_INFO[info],
    });
  }

  /** Admin control: set a device on- or offline without an MQTT connection. */
  set(clientId: string, online: boolean, now = Date.now()): void {
    if (online && !this.isOnline(clientId)) this.connect(clientId, now);
    // The service documents no reason for an operator's close: the emulator says the socket went
    // away, as a device switched off would.
    if (!online) this.disconnect(clientId, 'close', 'Socket IOException', now);
  }

  list(): Array<{ clientId: string; online: boolean; since?: string }> {
    const ids = new Set([...this.online.keys(), ...this.history.keys()]);
    return [...ids].sort().map((clientId) => {
      const s = this.online.get(clientId);
      return s ? { clientId, online: true, since: new Date(s.since).toISOString() } : { clientId, online: false };
    });
  }

  trace(clientId: string, fromMs: number, toMs: number): TraceEvent[] {
    return (this.history.get(clientId) ?? []).filter((e) => e.timeMs >= fromMs && e.timeMs <= toMs);
  }

  reset(): void {
    this.online.clear();
    this.history.clear();
  }

  private record(event: TraceEvent): void {
    let events = this.history.get(event.clientId);
    if (!events) this.history.set(event.clientId, (events = []));
    events.push(event);
    if (events.length > MAX_EVENTS_PER_DEVICE) events.splice(0, events.length - MAX_EVENTS_PER_DEVICE);
  }
}

/**
 * "2021-05-21 15:51:54.867", as the service formats Time: no zone given, and at UTC+8 (the
 * service's own example puts its event at 15:51 inside a 15:00-16:00 Beijing-time query window).
 */
export function formatTraceTime(ms: number): string {
  return new Date(ms + TRACE_UTC_OFFSET_MS).toISOString().replace('T', ' ').replace('Z', '');
}
const TRACE_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
