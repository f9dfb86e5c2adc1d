import {
  MESSAGE_TRACE_KINDS,
  parseClientIdList,
  reportJson,
  reportSvg,
  runMessageTrace,
  traceAvailabilityReport,
  traceLimitFrom,
  type MessageTraceKind,
} from '../../../lib/internal';
import type { QueryNodeContext, QueryNodeDef } from '../node-context';
import type { NodeMessage, NodeStatus, SendFn } from '../types';

export interface TraceDef extends QueryNodeDef {
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  minutes?: number | string;
  limit?: number | string;
  property?: string;
  /**
   * connections (default): QueryMqttTraceDevice; publish, deliveries, client: the message traces;
   * availability: the availability report of the devices over the period, from their traces.
   */
  what?: 'connections' | 'availability' | MessageTraceKind;
  msgId?: string;
  msgIdType?: string;
}

/** One node, four traces: the device's connections, or a message's publish, deliveries, a client's messages. */
export function trace(ctx: QueryNodeContext<TraceDef>, msg: NodeMessage, send: SendFn): Promise<NodeStatus> {
  const what = ctx.def.what;
  if (what === 'availability') return availability(ctx, msg, send);
  return what && (MESSAGE_TRACE_KINDS as readonly string[]).includes(what)
    ? messageTrace(ctx, what as MessageTraceKind, msg, send)
    : connectionTrace(ctx, msg, send);
}

/** The period: msg.from / msg.to when the message has them, else the last N minutes. */
function period(def: TraceDef, msg: NodeMessage): { from: string | number; to: string | number } {
  const now = Date.now();
  const minutes = Number(def.minutes) > 0 ? Number(def.minutes) : 60;
  return {
    from: (msg.from as string | number | undefined) ?? now - minutes * 60_000,
    to: (msg.to as string | number | undefined) ?? now,
  };
}

function instanceOf(ctx: QueryNodeContext<TraceDef>, msg: NodeMessage): Promise<unknown> {
  const { def } = ctx;
  const configured = def.instanceId !== undefined && def.instanceId !== '';
  return configured ? ctx.evaluate(def.instanceId, def.instanceIdType ?? 'str', msg) : Promise.resolve(msg.instanceId);
}

/**
 * A message trace: msg.payload gets the events, newest first (the same fields as n8n's items). The
 * message is the node's Message ID (msg.msgId by default, what the send node sets); the delivery
 * trace keeps to msg.clientId when the message has one.
 */
async function messageTrace(
  ctx: QueryNodeContext<TraceDef>,
  kind: MessageTraceKind,
  msg: NodeMessage,
  send: SendFn,
): Promise<NodeStatus> {
  const { def, RED } = ctx;
  const instanceId = await instanceOf(ctx, msg);
  const msgId = kind === 'client' ? undefined : await ctx.evaluate(def.msgId || 'msgId', def.msgIdType ?? 'msg', msg);
  const clientId =
    kind === 'client'
      ? await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg)
      : kind === 'deliveries'
        ? msg.clientId
        : undefined;
  const events = await runMessageTrace(
    ctx.client(),
    {
      kind,
      instanceId: instanceId as string,
      msgId: msgId as string | undefined,
      clientId: clientId as string | undefined,
      ...period(def, msg),
      limit: traceLimitFrom(def.limit),
    },
    { signal: ctx.work.signal },
  );
  RED.util.setMessageProperty(msg, def.property || 'payload', events);
  msg.instanceId = instanceId;
  if (msgId !== undefined) msg.msgId = msgId;
  if (kind === 'client') msg.clientId = clientId;
  send(msg);
  return { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-trace.status.events', { n: events.length }) };
}

/** The device's connection events (QueryMqttTraceDevice) of the last N minutes, or msg.from to msg.to. */
async function connectionTrace(ctx: QueryNodeContext<TraceDef>, msg: NodeMessage, send: SendFn): Promise<NodeStatus> {
  const { def, RED } = ctx;
  const clientId = await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
  const instanceId = await instanceOf(ctx, msg);
  const events = await ctx.client().queryConnectionTrace(
    {
      clientId: clientId as string,
      instanceId: instanceId as string,
      ...period(def, msg),
      limit: traceLimitFrom(def.limit),
    },
    { signal: ctx.work.signal },
  );
  RED.util.setMessageProperty(msg, def.property || 'payload', events);
  msg.clientId = clientId;
  msg.instanceId = instanceId;
  send(msg);
  return { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-trace.status.events', { n: events.length }) };
}

/**
 * The availability report of the devices (the Client ID field: one, a list, or an array) over the
 * period, from their connection traces: msg.payload the SVG picture (for a template or dashboard
 * node), msg.report the figures as JSON (the fields of n8n's Get Availability Report).
 */
async function availability(ctx: QueryNodeContext<TraceDef>, msg: NodeMessage, send: SendFn): Promise<NodeStatus> {
  const { def, RED } = ctx;
  const clientIds = parseClientIdList(await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg));
  const instanceId = await instanceOf(ctx, msg);
  const report = await traceAvailabilityReport(
    ctx.client(),
    { instanceId: instanceId as string, clientIds, window: period(def, msg), timelines: true },
    { signal: ctx.work.signal },
  );
  RED.util.setMessageProperty(msg, def.property || 'payload', reportSvg(report));
  msg.report = reportJson(report);
  msg.contentType = 'image/svg+xml';
  msg.instanceId = instanceId;
  send(msg);
  const up = report.fleet.availabilityPercent;
  return { fill: 'green', shape: 'dot', text: `${up === null ? 'n/a' : `${up}%`} up, ${report.fleet.outages} outages` };
}
