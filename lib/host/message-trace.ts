/**
 * The three message traces as both hosts offer them: one request shape, one answer (the events,
 * newest first), so that an n8n item and a Node-RED message carry the same fields.
 */
import type { CallOptions, MessageTraceEvent } from '../base/results';
import type { OnsMqttClient } from '../client/client';

/** publish: who sent the message; deliveries: who received it; client: what one client sent and received. */
export type MessageTraceKind = 'publish' | 'deliveries' | 'client';
export const MESSAGE_TRACE_KINDS: readonly MessageTraceKind[] = ['publish', 'deliveries', 'client'];

export interface MessageTraceRequest {
  kind: MessageTraceKind;
  instanceId: string;
  /** publish and deliveries: the message. */
  msgId?: string;
  /** client: the client; deliveries: one receiver only (blank: all). */
  clientId?: string;
  from: Date | number | string;
  to: Date | number | string;
  /** deliveries and client: the most events to return. */
  limit?: number;
}

export function runMessageTrace(
  client: OnsMqttClient,
  request: MessageTraceRequest,
  options: CallOptions = {},
): Promise<MessageTraceEvent[]> {
  const { instanceId, msgId, clientId, from, to, limit } = request;
  switch (request.kind) {
    case 'publish':
      return client.queryPublishTrace({ instanceId, msgId: msgId as string, from, to }, options);
    case 'deliveries':
      return client.queryDeliveryTrace({ instanceId, msgId: msgId as string, clientId, from, to, limit }, options);
    default:
      return client.queryClientMessages({ instanceId, clientId: clientId as string, from, to, limit }, options);
  }
}
