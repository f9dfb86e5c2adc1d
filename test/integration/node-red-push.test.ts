/**
 * The Node-RED watch node with the push source, in a real Node-RED runtime: the emulator's Cloud
 * SDK endpoint (real amqplib) pushes a real mqtt.js device's drop, which leaves by output 1 with
 * the fields the polled watch gives, without any interval; a role credential is refused with a
 * clear message (the Cloud SDK takes an AccessKey only).
 */
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import watchNode = require('../../nodes/node-red/alicloud-mqtt-watch');
import { connectMqtt, emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { collect, helper, waitUntil } from '../helpers/node-red';

let emu: RunningEmulator;
const devices: MqttClient[] = [];
const INSTANCE = 'post-cn-emulator01';
const NODES = [configNode, watchNode];
const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };

beforeAll(async () => {
  emu = await emulatorWithSentinel({ amqpPort: 0 });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await emu.stop();
});
beforeEach(() => emu.reset());
afterEach(async () => {
  for (const d of devices.splice(0)) d.end(true);
  await helper.unload();
});

const flow = (watch: Record<string, unknown>, config: Record<string, unknown> = {}) => [
  { id: 'f1', type: 'tab' },
  { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: emu.endpoint, ...config },
  {
    id: 'w',
    type: 'alicloud-mqtt-watch',
    z: 'f1',
    x: 100,
    y: 100,
    config: 'cfg',
    instanceId: INSTANCE,
    interval: 0,
    source: 'push',
    pushEndpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
    wires: [['off'], ['on'], ['incident'], ['summary']],
    ...watch,
  },
  ...['off', 'on', 'incident', 'summary', 'caught'].map((id, i) => ({
    id,
    type: 'helper',
    z: 'f1',
    x: 300,
    y: 50 * (i + 1),
  })),
  { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
];

it('a pushed drop and return leave by outputs 1 and 2, with the polled fields, and no interval at all', async () => {
  const ids = ['GID_nrpush@@@1', 'GID_nrpush@@@2'];
  for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
  await helper.load(NODES, flow({ clientIds: ids.join('\n') }), CREDS);
  const off = collect('off');
  const on = collect('on');
  const caught = collect('caught');
  // The first full check (the baseline) after the subscription is up: it queries both devices.
  await waitUntil(
    () => emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId').length >= 2,
    10_000,
    'the baseline',
  );
  await new Promise((r) => setTimeout(r, 1500)); // the connects of before the subscription, handled
  (devices[0] as unknown as { stream: { destroy(): void } }).stream.destroy();
  await waitUntil(() => off.length === 1, 10_000, 'the pushed drop');
  expect(off[0]).toMatchObject({
    topic: ids[0],
    payload: { clientId: ids[0], instanceId: INSTANCE, event: 'offline', online: false, previousOnline: true },
  });
  expect(Object.keys(off[0].payload as object).sort()).toEqual([
    'checkedAt',
    'clientId',
    'event',
    'instanceId',
    'online',
    'previousOnline',
    'since',
  ]);
  devices[0] = await connectMqtt(emu.mqttUrl!, ids[0]);
  await waitUntil(() => on.length === 1, 10_000, 'the pushed return');
  expect(on[0].payload).toMatchObject({ clientId: ids[0], event: 'online' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(off).toHaveLength(1);
  expect(on).toHaveLength(1);
  expect(caught).toEqual([]);
});

it('a RAM-role account: the push source says the Cloud SDK takes an AccessKey, once, to Catch', async () => {
  await helper.load(
    NODES,
    flow(
      { clientIds: 'GID_nrpush@@@x' },
      { authentication: 'ramRole', roleArn: 'acs:ram::1234567890123456:role/x', stsEndpoint: '127.0.0.1:1' },
    ),
    CREDS,
  );
  const caught = collect('caught');
  await waitUntil(() => caught.length === 1, 10_000, 'the refusal');
  expect(String((caught[0].error as { message?: string }).message)).toMatch(/AccessKey pair only/);
  await new Promise((r) => setTimeout(r, 500));
  expect(caught).toHaveLength(1);
});

it('no config node selected: the push source says which setting is missing, once, to Catch', async () => {
  await helper.load(NODES, flow({ clientIds: 'GID_nrpush@@@x', config: '' }), CREDS);
  const caught = collect('caught');
  await waitUntil(() => caught.length === 1, 10_000, 'the refusal');
  expect(String((caught[0].error as { message?: string }).message)).toMatch(
    /no Alibaba Cloud MQTT config node is selected/,
  );
  await new Promise((r) => setTimeout(r, 500));
  expect(caught).toHaveLength(1);
});

it('device message topics on a node deployed with four outputs: refused, once, to Catch, and nothing subscribed (no message received only to be dropped)', async () => {
  await helper.load(NODES, flow({ clientIds: 'GID_nrpush@@@x', parentTopics: 'plant' }), CREDS);
  const caught = collect('caught');
  await waitUntil(() => caught.length === 1, 10_000, 'the refusal');
  expect(String((caught[0].error as { message?: string }).message)).toMatch(/fifth output/);
  await new Promise((r) => setTimeout(r, 500));
  expect(caught).toHaveLength(1);
  expect(emu.cloudSdk!.logins()).toHaveLength(0);
});

it('device messages leave by output 5 with the fields the n8n Status Trigger gives; every device of the group without a list', async () => {
  const id = 'GID_nrgroup@@@pump';
  await helper.load(
    NODES,
    flow({
      devices: 'group',
      groupIds: 'GID_nrgroup',
      parentTopics: 'plant',
      outputs: 5,
      wires: [['off'], ['on'], ['incident'], ['summary'], ['message']],
    }).concat([{ id: 'message', type: 'helper', z: 'f1', x: 300, y: 400 }] as never[]),
    CREDS,
  );
  const off = collect('off');
  const messages = collect('message');
  const caught = collect('caught');
  await new Promise((r) => setTimeout(r, 500)); // subscribed
  const d = await connectMqtt(emu.mqttUrl!, id);
  devices.push(d);
  await new Promise<void>((r) => d.publish('plant/pump/battery', '{"level":9}', { qos: 1 }, () => r()));
  await waitUntil(() => messages.length === 1, 10_000, 'the message');
  expect(messages[0]).toMatchObject({
    topic: 'plant/pump/battery',
    payload: { level: 9 },
    payloadFormat: 'json',
    event: 'message',
    instanceId: INSTANCE,
    clientId: id,
  });
  expect(Number.isNaN(Date.parse(messages[0].bornAt as string))).toBe(false);
  // Learnt from its connect: its drop is one "went offline".
  await new Promise((r) => setTimeout(r, 1500));
  d.end();
  await waitUntil(() => off.length === 1, 10_000, 'the drop');
  expect(off[0].payload).toMatchObject({ clientId: id, event: 'offline' });
  expect(caught).toEqual([]);
});
