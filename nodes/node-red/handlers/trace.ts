import { traceLimitFrom } from '../../../lib/host/mapping';
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
}

/** The device's connection events (QueryMqttTraceDevice) of the last N minutes, or msg.from to msg.to. */
export async function connectionTrace(ctx: QueryNodeContext<TraceDef>, msg: NodeMessage, send: SendFn): Promise<NodeStatus> {
  const { def, RED } = ctx;
  const clientId = await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
  const configured = def.instanceId !== undefined && def.instanceId !== '';
  const instanceId = configured ? await ctx.evaluate(def.instanceId, def.instanceIdType ?? 'str', msg) : msg.instanceId;
  const now = Date.now();
  const minutes = Number(def.minutes) > 0 ? Number(def.minutes) : 60;
  const events = await ctx.client().queryConnectionTrace(
    {
      clientId: clientId as string,
      instanceId: instanceId as string,
      from: (msg.from as string | number | undefined) ?? now - minutes * 60_000,
      to: (msg.to as string | number | undefined) ?? now,
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
