/**
 * The n8n node's provisioning operations (Device Credential, Token, Message, Wait Until Online)
 * against the emulator with its broker checking logins; the device is a real mqtt.js client that
 * connects with the options the node put in its output.
 */
import type { MqttClient } from 'mqtt';
import type { IDataObject } from 'n8n-workflow';
import type { RunningEmulator } from '../../emulator';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import {
  emulatorWithSentinel,
  everyTextOf,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';
import { evaluateOutputs, executeContext } from '../helpers/n8n-context';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
const devices: MqttClient[] = [];
beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttAuth: true });
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await emu.stop();
});
beforeEach(() => emu.reset());

const node = new AlibabaCloudMqtt();
const run = (parameters: Record<string, unknown>, items: IDataObject[], onError?: 'continueRegularOutput') =>
  node.execute.call(
    executeContext({
      parameters: { options: { maxAttempts: 1 }, ...parameters },
      items,
      credentials: {
        accessKeyId: SENTINEL_ACCESS_KEY_ID,
        accessKeySecret: SENTINEL_SECRET,
        region: 'cn-hangzhou',
        endpoint: emu.endpoint,
      },
      onError,
    }),
  );

function connect(mqtt: { clientId: string; username: string; password: string }): Promise<MqttClient> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('mqtt') as typeof import('mqtt');
  const device = lib.connect(emu.mqttUrl!, { ...mqtt, reconnectPeriod: 0 });
  devices.push(device);
  return new Promise((resolve, reject) => {
    device.once('connect', () => resolve(device));
    device.once('error', reject);
  });
}

it('outputs follow the resource and operation', () => {
  const outputs = node.description.outputs;
  expect(
    evaluateOutputs(outputs, { resource: 'deviceSession', operation: 'waitUntilOnline' }).map((o) => o.displayName),
  ).toEqual(['Online', 'Timed Out']);
  expect(
    evaluateOutputs(outputs, { resource: 'deviceCredential', operation: 'getOrRegister' }).map((o) => o.displayName),
  ).toEqual(['Result']);
  expect(
    evaluateOutputs(outputs, { resource: 'deviceSession', operation: 'getStatus' }).map((o) => o.displayName),
  ).toEqual(['Online', 'Offline']);
});

it('Get or Register twice gives the same credential; its MQTT options log a real device in; Wait Until Online sees it', async () => {
  const items = [{ clientId: 'GID_n8n@@@prov-1', note: 'kept' }];
  const params = {
    resource: 'deviceCredential',
    operation: 'getOrRegister',
    clientId: '={{ $json.clientId }}',
    instanceId: INSTANCE,
    connectOptions: true,
  };
  const [[first]] = await run(params, items);
  const [[second]] = await run(params, items);
  expect(first.json).toMatchObject({
    note: 'kept',
    registered: true,
    clientId: 'GID_n8n@@@prov-1',
    deviceAccessKeyId: expect.stringMatching(/^DC\./),
  });
  expect(second.json).toMatchObject({
    registered: false,
    deviceAccessKeyId: first.json.deviceAccessKeyId,
    deviceAccessKeySecret: first.json.deviceAccessKeySecret,
  });
  const mqtt = first.json.mqtt as { clientId: string; username: string; password: string };
  expect(mqtt.username).toBe(`DeviceCredential|${first.json.deviceAccessKeyId as string}|${INSTANCE}`);

  setTimeout(() => void connect(mqtt), 1_000);
  const [online, timedOut] = await run(
    {
      resource: 'deviceSession',
      operation: 'waitUntilOnline',
      clientId: '={{ $json.clientId }}',
      instanceId: INSTANCE,
      waitTimeout: 10,
      pollInterval: 0.5,
    },
    items,
  );
  expect(timedOut).toEqual([]);
  expect(online[0].json).toMatchObject({
    note: 'kept',
    clientId: 'GID_n8n@@@prov-1',
    online: true,
    checks: expect.any(Number),
  });
});

it('Wait Until Online times out with the trace of refused logins; the message device receives Send', async () => {
  const clientId = 'GID_n8n@@@prov-2';
  const [[cred]] = await run({ resource: 'deviceCredential', operation: 'register', clientId, instanceId: INSTANCE }, [
    {},
  ]);
  const mqtt = cred.json.mqtt as { clientId: string; username: string; password: string };
  const waiting = run(
    {
      resource: 'deviceSession',
      operation: 'waitUntilOnline',
      clientId,
      instanceId: INSTANCE,
      waitTimeout: 2,
      pollInterval: 0.5,
    },
    [{}],
  );
  await expect(connect({ ...mqtt, password: 'old-password' })).rejects.toThrow(/Bad username or password/i);
  const [online, timedOut] = await waiting;
  expect(online).toEqual([]);
  expect(timedOut[0].json).toMatchObject({
    clientId,
    online: false,
    timedOut: true,
    trace: [expect.objectContaining({ action: 'connect', reason: 'not authorized' })],
  });

  const device = await connect(mqtt);
  const received: string[] = [];
  device.on('message', (_topic, payload) => received.push(payload.toString()));
  await device.subscribeAsync('devices/prov-2/config', { qos: 1 });
  const [[sent]] = await run(
    {
      resource: 'message',
      operation: 'send',
      instanceId: INSTANCE,
      topic: 'devices/prov-2/config',
      payload: '={{ JSON.stringify($json.config) }}',
    },
    [{ config: { interval: 60 } }],
  );
  expect(sent.json).toMatchObject({
    config: { interval: 60 },
    message: { msgId: expect.any(String), topic: 'devices/prov-2/config' },
  });
  await waitFor(() => received.length > 0);
  expect(received).toEqual(['{"interval":60}']);
});

it('Wait Until Online waits for every item at once, each to its own output, in input order', async () => {
  const ids = ['GID_n8n@@@many-1', 'GID_n8n@@@many-2', 'GID_n8n@@@many-3'];
  const [[a, b]] = await run(
    { resource: 'deviceCredential', operation: 'register', clientId: '={{ $json.clientId }}', instanceId: INSTANCE },
    [{ clientId: ids[0] }, { clientId: ids[1] }],
  );
  setTimeout(() => void connect(a.json.mqtt as never), 1_500);
  setTimeout(() => void connect(b.json.mqtt as never), 1_500);
  const logBefore = emu.requestLog().length;
  const [online, timedOut] = await run(
    {
      resource: 'deviceSession',
      operation: 'waitUntilOnline',
      clientId: '={{ $json.clientId }}',
      instanceId: INSTANCE,
      waitTimeout: 3,
      pollInterval: 0.5,
    },
    ids.map((clientId) => ({ clientId })),
  );
  // Together, not one after another: each device is asked about before any is asked twice.
  const asked = emu
    .requestLog()
    .slice(logBefore)
    .filter((e) => e.action === 'QuerySessionByClientId')
    .map((e) => e.clientIds[0]);
  expect(new Set(asked.slice(0, 3))).toEqual(new Set(ids));
  expect(online.map((i) => i.json.clientId)).toEqual(ids.slice(0, 2));
  expect(online.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  expect(timedOut.map((i) => i.json.clientId)).toEqual([ids[2]]);
});

it('Token: apply, query, revoke', async () => {
  const [[applied]] = await run(
    {
      resource: 'token',
      operation: 'apply',
      instanceId: INSTANCE,
      resources: 'a/b,a/b/c',
      actions: 'R',
      validMinutes: 5,
    },
    [{}],
  );
  expect(applied.json).toMatchObject({ resources: ['a/b', 'a/b/c'], actions: 'R', token: expect.any(String) });
  const [[valid]] = await run(
    { resource: 'token', operation: 'query', instanceId: INSTANCE, token: '={{ $json.token }}' },
    [applied.json],
  );
  expect(valid.json.valid).toBe(true);
  await run({ resource: 'token', operation: 'revoke', instanceId: INSTANCE, token: '={{ $json.token }}' }, [
    applied.json,
  ]);
  const [[invalid]] = await run(
    { resource: 'token', operation: 'query', instanceId: INSTANCE, token: '={{ $json.token }}' },
    [applied.json],
  );
  expect(invalid.json.valid).toBe(false);
});

it('a failure under Continue is one item with the error fields, and no secret anywhere', async () => {
  const [out] = await run(
    {
      resource: 'deviceCredential',
      operation: 'getOrRegister',
      clientId: 'GID_n8n@@@x',
      instanceId: 'post-cn-nonexistent',
    },
    [{ a: 1 }, { a: 2 }],
    'continueRegularOutput',
  );
  expect(out).toHaveLength(2);
  expect(out[0].json).toMatchObject({ a: 1, code: 'InstancePermissionCheckFailed', errorClass: 'fail' });
  expect(everyTextOf(out)).not.toContain(SENTINEL_SECRET);
  await expect(
    run(
      { resource: 'deviceCredential', operation: 'get', clientId: 'GID_n8n@@@x', instanceId: 'post-cn-nonexistent' },
      [{}],
    ),
  ).rejects.toThrow(/instance/i);
});
