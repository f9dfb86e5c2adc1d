import { sentMessageFields } from '../../lib/host/operations';
import { clientFactory, countText, evaluate, handleMessage, InFlightStatus, PendingWork, wireHandlers, type QueryOptionsDef } from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './types';

interface SendDef extends NodeDef, QueryOptionsDef {
  config?: string;
  instanceId?: string;
  instanceIdType?: string;
  topic?: string;
  topicType?: string;
}

/**
 * `alicloud-mqtt-send`: publishes msg.payload (text as it is, anything else as JSON) to a topic
 * of the instance through the OnsMqtt API (SendMessage): a device subscribed to it receives it.
 * The message goes on with msg.message `{msgId, instanceId, topic, requestId}` (as n8n's item) and
 * msg.msgId.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-send', function AlicloudMqttSend(this: Node, def: SendDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const getClient = clientFactory(RED, def.config, def);
    const status = new InFlightStatus(node, (n) => countText(RED._('alicloud-mqtt-send.status.sending'), n));
    const work = new PendingWork();

    function handle(msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
      return handleMessage(work, status, msg, done, async () => {
        const instanceId = await evaluate(RED, node, def.instanceId || 'instanceId', def.instanceId ? (def.instanceIdType ?? 'str') : 'msg', msg);
        const topic = await evaluate(RED, node, def.topic || 'topic', def.topic ? (def.topicType ?? 'str') : 'msg', msg);
        const sent = await getClient().sendMessage(
          { instanceId: instanceId as string, topic: topic as string, payload: msg.payload as string | Buffer | object },
          { signal: work.signal },
        );
        // msg.message as n8n's item has it ({msgId, instanceId, topic, requestId}); msg.msgId as before.
        msg.msgId = sent.msgId;
        msg.message = sentMessageFields(sent).message;
        send(msg);
        return { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-send.status.sent') };
      });
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};
