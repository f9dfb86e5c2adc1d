/**
 * Both hosts give the same fields for the same thing: every operation run through the n8n node
 * (its execute(), with n8n's expression engine) and through the Node-RED node (a real Node-RED
 * runtime) against one emulator, and the fields of what each outputs compared, operation by
 * operation. n8n puts a result beside the item's own fields; Node-RED in msg.payload (a send in
 * msg.message, a failure's details in msg.alicloudError, as Node-RED's Catch convention wants).
 */
import type { MqttClient } from 'mqtt';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { HOST_TRACE_LIMIT } from '../../lib/host/mapping';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import credentialNode = require('../../nodes/node-red/alicloud-mqtt-credential');
import sendNode = require('../../nodes/node-red/alicloud-mqtt-send');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import traceNode = require('../../nodes/node-red/alicloud-mqtt-trace');
import waitNode = require('../../nodes/node-red/alicloud-mqtt-wait');
import { connectMqtt, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { executeContext } from '../helpers/n8n-context';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, helper, waitUntil } from '../helpers/node-red';

const INSTANCE = 'post-cn-emulator01';
const ONLINE = 'GID_parity@@@online';
const OFFLINE = 'GID_parity@@@offline';
const FLAPPING = 'GID_parity@@@flapping';
const env = nodeRedWithEmulator();
const devices: MqttClient[] = [];

beforeAll(async () => {
  // A device with more connection events than either host returns by default.
  for (let i = 0; i < HOST_TRACE_LIMIT / 2 + 5; i++) (await connectMqtt(env.emu.mqttUrl!, FLAPPING)).end(true);
  devices.push(await connectMqtt(env.emu.mqttUrl!, ONLINE));
  env.emu.setDeviceOnline(OFFLINE, false);
}, 60_000);
afterAll(async () => {
  for (const d of devices) d.end(true);
});

// ---- n8n ----
const n8nNode = new AlibabaCloudMqtt();
const INPUT_FIELD = 'inputOwn';
/** Runs the n8n node on one item (with a Client ID, or none for the operations that take no device). */
async function n8n(parameters: Record<string, unknown>, clientId?: string): Promise<INodeExecutionData[][]> {
  return n8nNode.execute.call(
    executeContext({
      parameters: {
        options: { maxAttempts: 1 },
        clientId: '={{ $json.clientId }}',
        instanceId: INSTANCE,
        ...parameters,
      },
      items: [{ ...(clientId === undefined ? {} : { clientId }), [INPUT_FIELD]: 'kept' }],
      credentials: {
        accessKeyId: SENTINEL_ACCESS_KEY_ID,
        accessKeySecret: SENTINEL_SECRET,
        region: 'cn-hangzhou',
        endpoint: env.emu.endpoint,
      },
    }),
  );
}
/** An n8n item's fields without those of the input item (which n8n items keep). */
const ownFields = (json: IDataObject) => Object.keys(json).filter((k) => k !== INPUT_FIELD);

// ---- Node-RED ----
const NODES = [configNode, sessionNode, traceNode, waitNode, credentialNode, sendNode];
const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };
/** Loads `node` wired to one helper per output, sends `payload`, and gives the first message out and its output. */
async function nodeRed(
  node: Record<string, unknown>,
  outputs: number,
  payload: unknown,
): Promise<{ output: number; msg: ReturnType<typeof collect>[number] }> {
  const outs = Array.from({ length: outputs }, (_v, i) => `out${i}`);
  await helper.unload(); // one flow at a time, also within a test
  await helper.load(
    NODES,
    [
      { id: 'f1', type: 'tab' },
      { id: 'cfg', type: 'alicloud-mqtt-config', name: 'emulator', endpoint: env.emu.endpoint },
      {
        id: 'n',
        z: 'f1',
        config: 'cfg',
        instanceId: INSTANCE,
        maxAttempts: 1,
        x: 100,
        y: 100,
        ...node,
        wires: outs.map((o) => [o]),
      },
      ...outs.map((id, i) => ({ id, type: 'helper', z: 'f1', x: 300, y: 100 + 50 * i })),
    ],
    CREDS,
  );
  const got = outs.map((id) => collect(id));
  helper.getNode('n').receive({ payload });
  await waitUntil(() => got.some((g) => g.length > 0), 20_000, `an output of ${String(node.type)}`);
  const output = got.findIndex((g) => g.length > 0);
  return { output, msg: got[output][0] };
}
const keys = (o: object) => Object.keys(o).sort();

describe('device session', () => {
  it.each([
    ['online', ONLINE, 0],
    ['offline', OFFLINE, 1],
  ] as const)('Get Status / mqtt session (exact), %s: the same output and fields', async (_name, clientId, output) => {
    const n8nOut = await n8n({ resource: 'deviceSession', operation: 'getStatus' }, clientId);
    const red = await nodeRed(
      { type: 'alicloud-mqtt-session', clientId: 'payload', clientIdType: 'msg', mode: 'exact' },
      2,
      clientId,
    );
    const item = n8nOut[output][0].json;
    expect(red.output).toBe(output);
    expect(ownFields(item).sort()).toEqual(keys(red.msg.payload));
    expect(item).toMatchObject({ clientId, instanceId: INSTANCE, online: output === 0, [INPUT_FIELD]: 'kept' });
    expect(red.msg.payload).toMatchObject({ clientId, instanceId: INSTANCE, online: output === 0 });
  });

  it('Get Many Statuses / mqtt session (batch): the same fields', async () => {
    const n8nOut = await n8n({ resource: 'deviceSession', operation: 'getManyStatuses' }, ONLINE);
    const red = await nodeRed(
      { type: 'alicloud-mqtt-session', clientId: 'payload', clientIdType: 'msg', mode: 'batch' },
      2,
      ONLINE,
    );
    expect(red.output).toBe(0);
    expect(ownFields(n8nOut[0][0].json).sort()).toEqual(keys(red.msg.payload));
  });

  it('Offline Details on, an offline device: the same fields (why and since when)', async () => {
    const n8nOut = await n8n({ resource: 'deviceSession', operation: 'getStatus', offlineDetails: true }, FLAPPING);
    const red = await nodeRed(
      { type: 'alicloud-mqtt-session', clientId: 'payload', clientIdType: 'msg', mode: 'exact', offlineDetails: true },
      2,
      FLAPPING,
    );
    const item = n8nOut[1][0].json;
    expect(red.output).toBe(1);
    expect(ownFields(item).sort()).toEqual(keys(red.msg.payload));
    expect(item).toHaveProperty('lastDisconnectCode');
    expect(red.msg.payload.lastDisconnectCode).toBe(item.lastDisconnectCode);
  });

  it('a failure with Retry and Fail outputs: the same output and the same error fields', async () => {
    const n8nOut = await n8n(
      { resource: 'deviceSession', operation: 'getStatus', routeErrors: true, instanceId: 'post-cn-unknown' },
      ONLINE,
    );
    const red = await nodeRed(
      {
        type: 'alicloud-mqtt-session',
        clientId: 'payload',
        clientIdType: 'msg',
        mode: 'exact',
        routeErrors: true,
        instanceId: 'post-cn-unknown',
      },
      4,
      ONLINE,
    );
    expect(red.output).toBe(3);
    const item = n8nOut[3][0].json;
    // n8n flattens the error's fields into the item; Node-RED keeps them on msg.alicloudError.
    // Two requests: everything but the request id is the same.
    for (const k of keys(red.msg.alicloudError))
      expect(item).toHaveProperty(k, k === 'requestId' ? expect.any(String) : red.msg.alicloudError[k]);
    expect(red.msg.payload).toEqual({ clientId: ONLINE, instanceId: 'post-cn-unknown', online: null });
    expect(item).toMatchObject({ clientId: ONLINE, instanceId: 'post-cn-unknown', online: null });
  });

  it('Get Connection Trace / mqtt trace: the same default limit, the same events, the same fields', async () => {
    const now = Date.now();
    const range = { from: new Date(now - 3600_000).toISOString(), to: new Date(now + 60_000).toISOString() };
    const n8nOut = await n8n({ resource: 'deviceSession', operation: 'getConnectionTrace', ...range }, FLAPPING);
    const red = await nodeRed({ type: 'alicloud-mqtt-trace', clientId: 'payload', clientIdType: 'msg' }, 1, FLAPPING);
    const events = red.msg.payload as Array<Record<string, unknown>>;
    expect(n8nOut[0]).toHaveLength(HOST_TRACE_LIMIT);
    expect(events).toHaveLength(HOST_TRACE_LIMIT);
    expect(n8nOut[0].map((i) => i.json.channel)).toEqual(events.map((e) => e.channel));
    // An n8n item stands alone, so each event item names its device; Node-RED names it once, on the message.
    for (let i = 0; i < events.length; i++) {
      expect(ownFields(n8nOut[0][i].json).sort()).toEqual(keys({ ...events[i], clientId: 0, instanceId: 0 }));
      expect(n8nOut[0][i].json).toMatchObject({ clientId: red.msg.clientId, instanceId: red.msg.instanceId });
    }
    expect(red.msg).toMatchObject({ clientId: FLAPPING, instanceId: INSTANCE });
  });

  it('Get Availability Report / mqtt trace (availability): the same figures and fields, the picture as binary and as msg.payload', async () => {
    const devicesText = `${FLAPPING}, ${ONLINE}, ${OFFLINE}`;
    const now = Date.now();
    const range = { from: new Date(now - 3600_000).toISOString(), to: new Date(now).toISOString() };
    const n8nOut = await n8n({
      resource: 'fleetHealth',
      operation: 'getAvailabilityReport',
      clientIds: devicesText,
      window: 'custom',
      ...range,
    });
    const red = await nodeRed(
      { type: 'alicloud-mqtt-trace', what: 'availability', clientId: 'payload', clientIdType: 'msg' },
      1,
      devicesText,
    );
    // A named window: From and To are hidden then, and n8n refuses to read a hidden parameter.
    const lastHour = await n8n({
      resource: 'fleetHealth',
      operation: 'getAvailabilityReport',
      clientIds: ONLINE,
      window: 'hour',
    });
    expect(lastHour[0][0].json).toMatchObject({ window: { name: 'hour' }, fleet: { devices: 1 } });
    const item = n8nOut[0][0];
    const report = red.msg.report as Record<string, unknown> & { devices: Array<Record<string, unknown>> };
    expect(ownFields(item.json).sort()).toEqual(keys(report));
    // The same devices with the same fields and the same counts (the windows differ by the moments of the two runs).
    const n8nDevices = item.json.devices as Array<Record<string, unknown>>;
    expect(n8nDevices.map((d) => d.clientId)).toEqual([FLAPPING, OFFLINE, ONLINE]);
    expect(n8nDevices.map((d) => keys(d))).toEqual(report.devices.map((d) => keys(d)));
    expect(n8nDevices.map((d) => [d.source, d.outages, d.online])).toEqual(
      report.devices.map((d) => [d.source, d.outages, d.online]),
    );
    // Offline before its first connect, after each of its drops: one outage more than its connections.
    expect(n8nDevices.find((d) => d.clientId === FLAPPING)).toMatchObject({
      source: 'trace',
      outages: HOST_TRACE_LIMIT / 2 + 6,
    });
    expect(n8nDevices.find((d) => d.clientId === ONLINE)).toMatchObject({ outages: 1, recovered: 1, online: true });
    expect(n8nDevices.find((d) => d.clientId === OFFLINE)).toMatchObject({ outages: 1, recovered: 0, online: false });
    expect(item.binary?.data).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'availability.svg' });
    const n8nSvg = Buffer.from(item.binary!.data.data, 'base64').toString('utf8');
    expect(n8nSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(String(red.msg.payload)).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(item.json).toMatchObject({ [INPUT_FIELD]: 'kept' });
  });

  it('Wait Until Online / mqtt wait, a device that is online: the same fields', async () => {
    const n8nOut = await n8n(
      { resource: 'deviceSession', operation: 'waitUntilOnline', waitTimeout: 10, pollInterval: 1 },
      ONLINE,
    );
    const red = await nodeRed(
      { type: 'alicloud-mqtt-wait', clientId: 'payload', clientIdType: 'msg', waitSeconds: 10, intervalSeconds: 1 },
      2,
      ONLINE,
    );
    expect(red.output).toBe(0);
    expect(ownFields(n8nOut[0][0].json).sort()).toEqual(keys(red.msg.payload));
  });
});

describe('device credential, token, message', () => {
  const credentialCases = [
    ['getOrRegister', 'GID_parity@@@cred-a'],
    ['get', 'GID_parity@@@cred-a'],
    ['get', 'GID_parity@@@never'],
    ['register', 'GID_parity@@@cred-b'],
    ['refresh', 'GID_parity@@@cred-b'],
    ['unregister', 'GID_parity@@@cred-b'],
  ] as const;
  it.each(credentialCases)(
    'Device Credential %s (%s) / mqtt credential: the same fields',
    async (operation, clientId) => {
      // Each host does the operation on its own device, so that one host's call does not change the other's answer.
      const n8nId = `${clientId}-n8n`;
      const redId = `${clientId}-red`;
      const n8nOut = await n8n({ resource: 'deviceCredential', operation, connectOptions: true }, n8nId);
      const red = await nodeRed(
        { type: 'alicloud-mqtt-credential', operation, clientId: 'payload', clientIdType: 'msg' },
        1,
        redId,
      );
      const item = n8nOut[0][0].json;
      expect(ownFields(item).sort()).toEqual(keys(red.msg.payload));
      expect(item.clientId).toBe(n8nId);
      expect(red.msg.payload.clientId).toBe(redId);
      if (item.mqtt) expect(keys(item.mqtt as object)).toEqual(keys(red.msg.payload.mqtt));
    },
  );

  it('Token Apply, Query, Revoke / mqtt credential: the same fields', async () => {
    const applied = await n8n({
      resource: 'token',
      operation: 'apply',
      resources: 'parity/a',
      actions: 'R',
      validMinutes: 60,
    });
    const redApplied = await nodeRed(
      { type: 'alicloud-mqtt-credential', operation: 'applyToken', topics: 'parity/a', topicsType: 'str', access: 'R' },
      1,
      'x',
    );
    expect(ownFields(applied[0][0].json).sort()).toEqual(keys(redApplied.msg.payload));
    for (const [n8nOp, redOp] of [
      ['query', 'queryToken'],
      ['revoke', 'revokeToken'],
    ] as const) {
      const n8nOut = await n8n({ resource: 'token', operation: n8nOp, token: applied[0][0].json.token });
      const red = await nodeRed(
        { type: 'alicloud-mqtt-credential', operation: redOp, token: 'payload', tokenType: 'msg' },
        1,
        redApplied.msg.payload.token,
      );
      expect(ownFields(n8nOut[0][0].json).sort()).toEqual(keys(red.msg.payload));
      expect(red.msg.payload).toHaveProperty('requestId');
    }
  });

  it('Message Send / mqtt send: the same message fields', async () => {
    const n8nOut = await n8n({ resource: 'message', operation: 'send', topic: 'parity/config', payload: 'hello' });
    const red = await nodeRed({ type: 'alicloud-mqtt-send', topic: 'parity/config' }, 1, 'hello');
    const message = n8nOut[0][0].json.message as IDataObject;
    expect(keys(message)).toEqual(keys(red.msg.message));
    expect(keys(message)).toEqual(['instanceId', 'msgId', 'requestId', 'topic']);
    expect(red.msg.msgId).toBe(red.msg.message.msgId);
  });
});

describe('message traces', () => {
  const SUBSCRIBER = 'GID_parity@@@subscriber';
  let msgId: string;
  beforeAll(async () => {
    const subscriber = await connectMqtt(env.emu.mqttUrl!, SUBSCRIBER, { protocolVersion: 4 });
    devices.push(subscriber);
    let received = 0;
    subscriber.on('message', () => received++);
    await subscriber.subscribeAsync('parity/trace', { qos: 1 });
    const sent = await n8n({ resource: 'message', operation: 'send', topic: 'parity/trace', payload: 'traced' });
    msgId = (sent[0][0].json.message as IDataObject).msgId as string;
    await waitUntil(() => received === 1, 5_000, 'the traced message delivered');
  });
  const range = () => ({
    from: new Date(Date.now() - 3600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  });

  it.each([
    ['getPublishTrace', 'publish', 'pub_mq'],
    ['getDeliveryTrace', 'deliveries', 'sub'],
  ] as const)('%s / mqtt trace (%s): the same events, the same fields', async (operation, what, action) => {
    const n8nOut = await n8n({ resource: 'message', operation, msgId, clientId: '', ...range() });
    const red = await nodeRed({ type: 'alicloud-mqtt-trace', what, msgId: 'payload', msgIdType: 'msg' }, 1, msgId);
    const events = red.msg.payload as Array<Record<string, unknown>>;
    expect(events.map((e) => [e.msgId, e.action])).toEqual([[msgId, action]]);
    expect(n8nOut[0].map((i) => [i.json.msgId, i.json.action])).toEqual([[msgId, action]]);
    // An n8n item stands alone, so it names its instance; Node-RED names it once, on the message.
    expect(ownFields(n8nOut[0][0].json).sort()).toEqual(keys({ ...events[0], instanceId: 0 }));
    expect(red.msg).toMatchObject({ instanceId: INSTANCE, msgId });
  });

  it('getClientMessages / mqtt trace (client): the same events, the same fields, the same default limit', async () => {
    const n8nOut = await n8n({ resource: 'message', operation: 'getClientMessages', ...range() }, SUBSCRIBER);
    const red = await nodeRed(
      { type: 'alicloud-mqtt-trace', what: 'client', clientId: 'payload', clientIdType: 'msg' },
      1,
      SUBSCRIBER,
    );
    const events = red.msg.payload as Array<Record<string, unknown>>;
    expect(events.map((e) => [e.msgId, e.clientId, e.action])).toEqual([[msgId, SUBSCRIBER, 'sub']]);
    expect(n8nOut[0].map((i) => i.json.msgId)).toEqual([msgId]);
    expect(ownFields(n8nOut[0][0].json).sort()).toEqual(keys({ ...events[0], instanceId: 0 }));
    expect(red.msg).toMatchObject({ instanceId: INSTANCE, clientId: SUBSCRIBER });
  });
});
