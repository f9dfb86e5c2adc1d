/**
 * What the core's actions answer, as plain data: a device's status, a failure in its place, the
 * connection trace's events and the offline details read from them. Every room above reads these
 * types; they live here, below all of them, so that no room needs another's implementation to
 * name what it passes on.
 */
import type { OnsMqttError } from './errors';

/**
 * Whether a connect's ActionInfo says the service accepted it: `accepted` in Alibaba's SDK model,
 * `accept` in the same model's example; both are read.
 */
export function isAcceptedReason(reason: string): boolean {
  const r = reason.trim().toLowerCase();
  return r === 'accepted' || r === 'accept';
}

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

/** One step of a message's way: sent by a client, or delivered to one (the message traces). */
export interface MessageTraceEvent {
  /** As the service gives it, e.g. "2021-05-21 15:08:19.234" (the service's local time). */
  time: string;
  msgId: string;
  /** The client that sent the message (publish) or received it (delivery). */
  clientId: string;
  /** pub_mqtt (sent by an MQTT client), pub_mq (sent through RocketMQ or the API), sub (delivered), push_offline (delivered after a reconnect). */
  action: string;
  actionCode: string;
  /** ActionInfo: "Pub From Mqtt Client", "Push To Mqtt Client", ... */
  detail: string;
}

/**
 * Stable codes for the trace's reasons, so that a flow can branch on them. The reason text is kept
 * beside the code (`lastDisconnectReason`), since the service may add reasons.
 */
export type DisconnectCode =
  | 'keepalive_timeout'
  | 'client_disconnected'
  | 'client_closed'
  | 'client_id_conflict'
  | 'auth_failed'
  | 'network_error'
  | 'invalid_param'
  | 'unknown';

export interface OfflineDetails {
  /** When the last connection ended (ISO 8601, UTC); null when not in the window. */
  offlineSince: string | null;
  /** The trace's newest reason the device is not connected (a refused login counts), as the service words it. */
  lastDisconnectReason: string | null;
  lastDisconnectCode: DisconnectCode | null;
  /** The newest accepted connection (ISO 8601, UTC); null when not in the window. */
  lastConnectedAt: string | null;
  /** Only when the details could not be read: why (the status itself is correct). */
  offlineDetailsMissing?: string;
}

export interface OfflineDetailsOptions {
  /** Give up the details after this long (default 10 s): a slow trace never holds a status back for longer. */
  timeoutMs?: number;
}

export interface SessionStatus {
  clientId: string;
  instanceId: string;
  online: boolean;
  requestId: string | undefined;
  /** ISO 8601 time at which the service answered. */
  checkedAt: string;
  /** Offline only, when asked for: why and since when (from the connection trace). */
  details?: OfflineDetails;
}

export interface SessionQueryFailure {
  clientId: string;
  instanceId: string;
  error: OnsMqttError;
}

export type SessionQueryOutcome = SessionStatus | SessionQueryFailure;
export type QueryMode = 'exact' | 'batch';

export interface CallOptions {
  /** Cancels the call at any stage: queued, waiting for a rate token, in flight, between attempts. */
  signal?: AbortSignal;
}

export interface StatusCallOptions extends CallOptions {
  /**
   * For an offline device, also read why and since when (one connection-trace query, through the
   * same limits). A trace that fails or is slow leaves the status as it is, marked as missing them.
   */
  offlineDetails?: boolean | OfflineDetailsOptions;
}

export function isSessionFailure(outcome: SessionQueryOutcome): outcome is SessionQueryFailure {
  return 'error' in outcome;
}
