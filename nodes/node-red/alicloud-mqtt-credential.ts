import { mqttConnectOptions, type DeviceCredential, type OnsMqttClient, type TokenActions } from '../../lib';
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
        msg.payload = result.payload;
        send(msg);
        return { fill: 'green', shape: 'dot', text: RED._(`alicloud-mqtt-credential.status.${result.status}`) };
      });
    }

    async function run(client: OnsMqttClient, msg: NodeMessage, instanceId: string): Promise<{ payload: unknown; status: string }> {
      const signal = work.signal;
      if (operation === 'applyToken') {
        const topics = await evaluate(RED, node, def.topics || 'topics', def.topics ? (def.topicsType ?? 'str') : 'msg', msg);
        const minutes = Number(def.validMinutes) > 0 ? Number(def.validMinutes) : 60;
        const applied = await client.applyToken(
          { instanceId, resources: topics as string | string[], actions: def.access ?? 'R,W', expireAt: Date.now() + minutes * 60_000 + 5_000 },
          { signal },
        );
        return { payload: applied, status: 'applied' };
      }
      if (operation === 'queryToken' || operation === 'revokeToken') {
        const token = (await evaluate(RED, node, def.token || 'token', def.token ? (def.tokenType ?? 'msg') : 'msg', msg)) as string;
        // The same fields as n8n's Query Token and Revoke Token (requestId included).
        if (operation === 'queryToken') {
          const queried = await client.queryToken({ instanceId, token }, { signal });
          return { payload: { instanceId, ...queried }, status: queried.valid ? 'valid' : 'invalid' };
        }
        return { payload: { instanceId, ...(await client.revokeToken({ instanceId, token }, { signal })) }, status: 'revoked' };
      }
      const clientId = (await evaluate(RED, node, def.clientId ?? 'payload', def.clientIdType ?? 'msg', msg)) as string;
      const ref = { clientId, instanceId };
      switch (operation) {
        case 'unregister':
          return { payload: { ...(await client.unregisterDeviceCredential(ref, { signal })), unregistered: true }, status: 'unregistered' };
        case 'get': {
          const credential = await client.getDeviceCredential(ref, { signal });
          return credential
            ? { payload: { found: true, ...withConnectOptions(credential) }, status: 'found' }
            : { payload: { ...ref, found: false }, status: 'none' };
        }
        case 'register':
          return { payload: withConnectOptions(await client.registerDeviceCredential(ref, { signal })), status: 'registered' };
        case 'refresh':
          return { payload: withConnectOptions(await client.refreshDeviceCredential(ref, { signal })), status: 'refreshed' };
        default: {
          const { registered, ...credential } = await client.ensureDeviceCredential(ref, { signal });
          return { payload: { registered, ...withConnectOptions(credential) }, status: registered ? 'registered' : 'found' };
        }
      }
    }

    wireHandlers(node, work, handle, () => status.clear());
  });
};

function withConnectOptions(credential: DeviceCredential): DeviceCredential & { mqtt: ReturnType<typeof mqttConnectOptions> } {
  return { ...credential, mqtt: mqttConnectOptions({ mode: 'DeviceCredential', ...credential }) };
}
