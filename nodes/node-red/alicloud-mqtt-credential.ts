import type { OnsMqttClient, TokenActions } from '../../lib';
import { runDeviceCredentialOperation, runTokenOperation, type OperationResult } from '../../lib/host/operations';
import { clientFactory, countText, evaluate, handleMessage, InFlightStatus, PendingWork, wireHandlers, type QueryOptionsDef } from './runtime';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './types';

type Operation = 'getOrRegister' | 'get' | 'register' | 'refresh' | 'unregister' | 'applyToken' | 'queryToken' | 'revokeToken';
const OPERATIONS: readonly Operation[] = ['getOrRegister', 'get', 'register', 'refresh', 'unregister', 'applyToken', 'queryToken', 'revokeToken'];

interface CredentialDef extends NodeDef, QueryOptionsDef {
  config?: string;
  operation?: Operation;
  clientId?: string;
  clientIdType?: string;
  instanceId?: string;
  instanceIdType?: string;
  topics?: string;
  topicsType?: string;
  access?: TokenActions;
  validMinutes?: number | string;
  token?: string;
  tokenType?: string;
}

/**
 * `alicloud-mqtt-credential`: a device's credential (get or register, get, register, refresh,
 * unregister) or a token (apply, query, revoke), chosen in the node. The result replaces
 * msg.payload; a credential comes with `mqtt: { clientId, username, password }`, what the device
 * passes to CONNECT. The secret is in the message because the flow needs it to hand it to the
 * device; it is never in a status, an error or a log.
 */
export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('alicloud-mqtt-credential', function AlicloudMqttCredential(this: Node, def: CredentialDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const operation: Operation = OPERATIONS.includes(def.operation as Operation) ? (def.operation as Operation) : 'getOrRegister';
    const getClient = clientFactory(RED, def.config, def);
    const status = new InFlightStatus(node, (n) => countText(RED._('alicloud-mqtt-credential.status.working'), n));
    const work = new PendingWork();

    function handle(msg: NodeMessage, send: SendFn, done: DoneFn): Promise<void> {
      return handleMessage(work, status, msg, done, async () => {
        const instanceId = (await evaluate(RED, node, def.instanceId || 'instanceId', def.instanceId ? (def.instanceIdType ?? 'str') : 'msg', msg)) as string;
        const result = await run(getClient(), msg, instanceId);
        msg.payload = result.fields;
        send(msg);
        return { fill: 'green', shape: 'dot', text: RED._(`alicloud-mqtt-credential.status.${result.status}`) };
      });
    }

    async function run(client: OnsMqttClient, msg: NodeMessage, instanceId: string): Promise<OperationResult> {
      const signal = work.signal;
      if (operation === 'applyToken') {
        const topics = await evaluate(RED, node, def.topics || 'topics', def.topics ? (def.topicsType ?? 'str') : 'msg', msg);
        const validMinutes = Number(def.validMinutes) > 0 ? Number(def.validMinutes) : 60;
        return runTokenOperation(
          client,
          { operation: 'apply', instanceId, resources: topics as string | string[], actions: def.access ?? 'R,W', validMinutes },
          { signal },
        );
      }
      if (operation === 'queryToken' || operation === 'revokeToken') {
        const token = (await evaluate(RED, node, def.token || 'token', def.token ? (def.tokenType ?? 'msg') : 'msg', msg)) as string;
        return runTokenOperation(client, { operation: operation === 'queryToken' ? 'query' : 'revoke', instanceId, token }, { signal });
      }
      const clientId = (await evaluate(RED, node, def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg)) as string;
      return runDeviceCredentialOperation(client, operation, { clientId, instanceId }, { signal });
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};
