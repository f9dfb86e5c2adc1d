import type { QueryNodeContext, QueryNodeDef } from '../node-context';
import type { NodeMessage, NodeStatus, SendFn } from '../types';

export interface WaitDef extends QueryNodeDef {
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  waitSeconds?: number | string;
  intervalSeconds?: number | string;
}

/** Longer waits belong in the flow (a delay node and a loop), not in one message held for an hour. */
export const MAX_WAIT_SECONDS = 3600;

/** Waits until the device connects (output 1) or the timeout passes (output 2, with the wait's trace). */
export async function waitUntilOnline(
  ctx: QueryNodeContext<WaitDef>,
  msg: NodeMessage,
  send: SendFn,
): Promise<NodeStatus> {
  const { def, RED } = ctx;
  const clientId = await ctx.evaluate(def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
  const instanceId = await ctx.evaluate(
    def.instanceId || 'instanceId',
    def.instanceId ? (def.instanceIdType ?? 'str') : 'msg',
    msg,
  );
  const seconds = Math.min(
    MAX_WAIT_SECONDS,
    Number(msg.timeout) > 0 ? Number(msg.timeout) : Number(def.waitSeconds) > 0 ? Number(def.waitSeconds) : 120,
  );
  const interval = Number(def.intervalSeconds) > 0 ? Number(def.intervalSeconds) : 5;
  const result = await ctx.client().waitUntilOnline(
    {
      clientId: clientId as string,
      instanceId: instanceId as string,
      timeoutMs: seconds * 1000,
      pollIntervalMs: interval * 1000,
    },
    { signal: ctx.work.signal },
  );
  msg.payload = result;
  send(result.online ? [msg, null] : [null, msg]);
  return result.online
    ? { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-wait.status.online') }
    : { fill: 'yellow', shape: 'ring', text: RED._('alicloud-mqtt-wait.status.timedOut') };
}
