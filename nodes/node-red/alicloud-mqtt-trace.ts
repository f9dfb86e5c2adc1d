import { traceLimitFrom } from '../../lib/host/mapping';
import { clientFactory, countText, evaluate, handleMessage, InFlightStatus, PendingWork, wireHandlers, type QueryOptionsDef } from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './types';

interface TraceDef extends NodeDef, QueryOptionsDef {
  config?: string;
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  minutes?: number | string;
  limit?: number | string;
  property?: string;
}

/**
 * `alicloud-mqtt-trace`: the connection history of one device (QueryMqttTraceDevice), for "why is
 * it offline?". The period is the last N minutes, or msg.from / msg.to when the message has them.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-trace', function AlicloudMqttTrace(this: Node, def: TraceDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const property = def.property || 'payload';
    const getClient = clientFactory(RED, def.config, def);
    const status = new InFlightStatus(node, (n) => countText(RED._('alicloud-mqtt-trace.status.querying'), n));
    const work = new PendingWork();

    function handle(msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
      return handleMessage(work, status, msg, done, async () => {
        const clientId = await evaluate(RED, node, def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
        const configured = def.instanceId !== undefined && def.instanceId !== '';
        const instanceId = configured ? await evaluate(RED, node, def.instanceId, def.instanceIdType ?? 'str', msg) : msg.instanceId;
        const now = Date.now();
        const minutes = Number(def.minutes) > 0 ? Number(def.minutes) : 60;
        const events = await getClient().queryConnectionTrace(
          {
            clientId: clientId as string,
            instanceId: instanceId as string,
            from: (msg.from as string | number | undefined) ?? now - minutes * 60_000,
            to: (msg.to as string | number | undefined) ?? now,
            limit: traceLimitFrom(def.limit),
          },
          { signal: work.signal },
        );
        RED.util.setMessageProperty(msg, property, events);
        msg.clientId = clientId;
        msg.instanceId = instanceId;
        send(msg);
        return { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-trace.status.events', { n: events.length }) };
      });
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};
