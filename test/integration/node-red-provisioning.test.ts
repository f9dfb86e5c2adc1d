/**
 * The Node-RED provisioning nodes (credential, wait, send) in a real Node-RED runtime against the
 * emulator with its broker checking logins: a real mqtt.js device logs in with the options the
 * credential node produced, the wait node sees it, the send node's message reaches it; a device that
 * never connects leaves by the "timed out" output with the trace; failures reach Catch once.
 */
import type { MqttClient } from 'mqtt';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import credentialNode = require('../../nodes/node-red/alicloud-mqtt-credential');
import sendNode = require('../../nodes/node-red/alicloud-mqtt-send');
import waitNode = require('../../nodes/node-red/alicloud-mqtt-wait');
import { connectMqtt, everyTextOf, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, helper, waitUntil } from '../helpers/node-red';

const env = nodeRedWithEmulator({ mqttAuth: true });
const INSTANCE = 'post-cn-emulator01';
const NODES = [configNode, credentialNode, waitNode, sendNode];
const devices: MqttClient[] = [];

afterAll(async () => {
  for (const d of devices) d.end(true);
});
beforeEach(() => env.emu.reset());

const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };
/** Nodes on a tab need a position: Node-RED takes a node without x and y for a config node. */
const flow = (nodes: Array<Record<string, unknown>>) => [
  { id: 'f1', type: 'tab' },
  { id: 'cfg', type: 'alicloud-mqtt-config', name: 'emulator', endpoint: env.emu.endpoint },
  ...[
    { id: 'catch', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
    ...nodes,
  ].map((n, i) => ({ x: 100, y: 50 * (i + 1), ...n })),
];

it('credential (get or register, twice: the same) -> a real device logs in -> wait: online -> send: the device receives it', async () => {
  await helper.load(
    NODES,
    flow([
      {
        id: 'cred',
        type: 'alicloud-mqtt-credential',
        z: 'f1',
        config: 'cfg',
        operation: 'getOrRegister',
        clientId: 'payload',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        wires: [['creds']],
      },
      { id: 'creds', type: 'helper', z: 'f1' },
      {
        id: 'wait',
        type: 'alicloud-mqtt-wait',
        z: 'f1',
        config: 'cfg',
        clientId: 'payload.clientId',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        waitSeconds: 10,
        intervalSeconds: 0.5,
        wires: [['online'], ['timedOut']],
      },
      { id: 'online', type: 'helper', z: 'f1' },
      { id: 'timedOut', type: 'helper', z: 'f1' },
      {
        id: 'send',
        type: 'alicloud-mqtt-send',
        z: 'f1',
        config: 'cfg',
        instanceId: INSTANCE,
        topic: 'devices/nr-1/config',
        wires: [['sent']],
      },
      { id: 'sent', type: 'helper', z: 'f1' },
    ]),
    CREDS,
  );
  const creds = collect('creds');
  const online = collect('online');
  const timedOut = collect('timedOut');
  const sent = collect('sent');
  const caught = collect('caught');
  const clientId = 'GID_nr@@@nr-1';
  helper.getNode('cred').receive({ payload: clientId });
  helper.getNode('cred').receive({ payload: clientId });
  await waitUntil(() => creds.length === 2);
  expect(creds[0].payload).toMatchObject({
    registered: true,
    clientId,
    mqtt: { clientId, username: expect.stringMatching(/^DeviceCredential\|/) },
  });
  expect(creds[1].payload).toMatchObject({ registered: false, deviceAccessKeyId: creds[0].payload.deviceAccessKeyId });

  helper.getNode('wait').receive({ payload: { clientId } });
  const mqtt = creds[0].payload.mqtt as { username: string; password: string };
  const device = await connectMqtt(env.emu.mqttUrl!, clientId, { username: mqtt.username, password: mqtt.password });
  devices.push(device);
  await waitUntil(() => online.length === 1, 10_000, 'online');
  expect(online[0].payload).toMatchObject({ online: true, clientId });
  expect(timedOut).toHaveLength(0);

  const received: string[] = [];
  device.on('message', (_t, p) => received.push(p.toString()));
  await device.subscribeAsync('devices/nr-1/config', { qos: 1 });
  helper.getNode('send').receive({ payload: { interval: 15 } });
  await waitUntil(() => sent.length === 1 && received.length === 1, 5_000, 'the message');
  expect(received).toEqual(['{"interval":15}']);
  expect(sent[0].msgId).toEqual(expect.any(String));
  // As n8n's Send item: { message: { msgId, instanceId, topic, requestId } }.
  expect(sent[0].message).toEqual({
    msgId: sent[0].msgId,
    instanceId: INSTANCE,
    topic: 'devices/nr-1/config',
    requestId: expect.any(String),
  });
  expect(caught).toHaveLength(0);
  expect(everyTextOf(helper.log().args)).not.toContain(mqtt.password);
});

it('wait: a device that never connects leaves by "timed out" with the trace; a bad instance goes to Catch once, without a secret', async () => {
  await helper.load(
    NODES,
    flow([
      {
        id: 'wait',
        type: 'alicloud-mqtt-wait',
        z: 'f1',
        config: 'cfg',
        clientId: 'payload.clientId',
        clientIdType: 'msg',
        instanceId: '',
        waitSeconds: 2,
        intervalSeconds: 0.5,
        wires: [['online'], ['timedOut']],
      },
      { id: 'online', type: 'helper', z: 'f1' },
      { id: 'timedOut', type: 'helper', z: 'f1' },
    ]),
    CREDS,
  );
  const timedOut = collect('timedOut');
  const caught = collect('caught');
  helper.getNode('wait').receive({ payload: { clientId: 'GID_nr@@@never' }, instanceId: INSTANCE });
  await waitUntil(() => timedOut.length === 1, 10_000, 'timed out');
  expect(timedOut[0].payload).toMatchObject({ online: false, timedOut: true, trace: [] });
  helper.getNode('wait').receive({ payload: { clientId: 'GID_nr@@@x' }, instanceId: 'post-cn-nonexistent' });
  await waitUntil(() => caught.length === 1, 5_000, 'Catch');
  expect(caught[0].alicloudError).toMatchObject({ code: 'InstancePermissionCheckFailed' });
  expect(everyTextOf(caught)).not.toContain(SENTINEL_SECRET);
});

it('credential: tokens (apply, query, revoke) and refresh of a device without a credential (Catch)', async () => {
  await helper.load(
    NODES,
    flow([
      {
        id: 'apply',
        type: 'alicloud-mqtt-credential',
        z: 'f1',
        config: 'cfg',
        operation: 'applyToken',
        instanceId: INSTANCE,
        topics: 'a/b,a/c',
        topicsType: 'str',
        access: 'R',
        validMinutes: 5,
        wires: [['applied']],
      },
      { id: 'applied', type: 'helper', z: 'f1' },
      {
        id: 'query',
        type: 'alicloud-mqtt-credential',
        z: 'f1',
        config: 'cfg',
        operation: 'queryToken',
        instanceId: INSTANCE,
        token: 'payload.token',
        tokenType: 'msg',
        wires: [['queried']],
      },
      { id: 'queried', type: 'helper', z: 'f1' },
      {
        id: 'refresh',
        type: 'alicloud-mqtt-credential',
        z: 'f1',
        config: 'cfg',
        operation: 'refresh',
        clientId: 'payload',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        wires: [[]],
      },
    ]),
    CREDS,
  );
  const applied = collect('applied');
  const queried = collect('queried');
  const caught = collect('caught');
  helper.getNode('apply').receive({});
  await waitUntil(() => applied.length === 1);
  expect(applied[0].payload).toMatchObject({ resources: ['a/b', 'a/c'], actions: 'R', token: expect.any(String) });
  helper.getNode('query').receive({ payload: { token: applied[0].payload.token } });
  await waitUntil(() => queried.length === 1);
  // The same fields as n8n's Query Token: requestId included.
  expect(queried[0].payload).toEqual({ instanceId: INSTANCE, valid: true, requestId: expect.any(String) });
  helper.getNode('refresh').receive({ payload: 'GID_nr@@@unknown' });
  await waitUntil(() => caught.length === 1);
  expect(caught[0].alicloudError).toMatchObject({ code: 'ParameterCheckFailed' });
});
