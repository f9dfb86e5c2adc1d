import { clientFactory, countText, evaluate, handleMessage, InFlightStatus, PendingWork, wireHandlers, type QueryOptionsDef } from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './types';

interface WaitDef extends NodeDef, QueryOptionsDef {
  config?: string;
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  waitSeconds?: number | string;
  intervalSeconds?: number | string;
}

/** Longer waits belong in the flow (a delay node and a loop), not in one message held for an hour. */
const MAX_WAIT_SECONDS = 3600;

/**
 * `alicloud-mqtt-wait`: waits until a device connects (output 1, "online") or the timeout passes
 * (output 2, "timed out", with the connection trace of the wait in msg.payload.trace). A redeploy
 * or a stop cancels the waits in progress.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-wait', function AlicloudMqttWait(this: Node, def: WaitDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const getClient = clientFactory(RED, def.config, def);
    const status = new InFlightStatus(node, (n) => countText(RED._('alicloud-mqtt-wait.status.waiting'), n));
    const work = new PendingWork();

    function handle(msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
      return handleMessage(work, status, msg, done, async () => {
        const clientId = await evaluate(RED, node, def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg);
        const instanceId = await evaluate(RED, node, def.instanceId || 'instanceId', def.instanceId ? (def.instanceIdType ?? 'str') : 'msg', msg);
        const seconds = Math.min(MAX_WAIT_SECONDS, Number(msg.timeout) > 0 ? Number(msg.timeout) : Number(def.waitSeconds) > 0 ? Number(def.waitSeconds) : 120);
        const interval = Number(def.intervalSeconds) > 0 ? Number(def.intervalSeconds) : 5;
        const result = await getClient().waitUntilOnline(
          { clientId: clientId as string, instanceId: instanceId as string, timeoutMs: seconds * 1000, pollIntervalMs: interval * 1000 },
          { signal: work.signal },
        );
        msg.payload = result;
        send(result.online ? [msg, null] : [null, msg]);
        return result.online
          ? { fill: 'green', shape: 'dot', text: RED._('alicloud-mqtt-wait.status.online') }
          : { fill: 'yellow', shape: 'ring', text: RED._('alicloud-mqtt-wait.status.timedOut') };
      });
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};
