import { sentMessageFields } from '../../../lib/internal';
import type { QueryNodeContext, QueryNodeDef } from '../node-context';
import type { NodeMessage, NodeStatus, SendFn } from '../types';

export interface SendDef extends QueryNodeDef {
  instanceId?: string;
  instanceIdType?: string;
  topic?: string;
  topicType?: string;
}

/**
 * SendMessage of msg.payload (text as it is, anything else as JSON) to the topic; the message goes
 * on with msg.message `{msgId, instanceId, topic, requestId}` (as n8n's item) and msg.msgId.
 */
export async function sendMessage(ctx: QueryNodeContext<SendDef>, msg: NodeMessage, send: SendFn): Promise<NodeStatus> {
  const { def } = ctx;
  const instanceId = await ctx.evaluate(
    def.instanceId || 'instanceId',
    def.instanceId ? (def.instanceIdType ?? 'str') : 'msg',
    msg,
  );
  const topic = await ctx.evaluate(def.topic || 'topic', def.topic ? (def.topicType ?? 'str') : 'msg', msg);
  const sent = await ctx
    .client()
    .sendMessage(
      { instanceId: instanceId as string, topic: topic as string, payload: msg.payload as string | Buffer | object },
      { signal: ctx.work.signal },
    );
  msg.msgId = sent.msgId;
  msg.message = sentMessageFields(sent).message;
  send(msg);
  return { fill: 'green', shape: 'dot', text: ctx.RED._('alicloud-mqtt-send.status.sent') };
}
