/**
 * The n8n Status Trigger (an instant trigger, trigger()) against the emulator's Cloud SDK
 * endpoint: real amqplib, real mqtt.js devices. Activated, it emits the polling trigger's items for
 * a pushed drop and return; in the editor's test mode it waits for the next event; a role
 * credential is refused with what to do; closing stops the subscription.
 */
import type { MqttClient } from 'mqtt';
import type { IDataObject, INode, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import type { RunningEmulator } from '../../emulator';
import { AlibabaCloudMqttStatusTrigger } from '../../nodes/AlibabaCloudMqttStatusTrigger/AlibabaCloudMqttStatusTrigger.node';
import { connectMqtt, emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET, waitFor } from '../helpers/emulator';

let emu: RunningEmulator;
const devices: MqttClient[] = [];
const closers: Array<() => unknown> = [];
beforeAll(async () => {
  emu = await emulatorWithSentinel({ amqpPort: 0 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const d of devices.splice(0)) d.end(true);
});

function triggerContext(parameters: Record<string, unknown>, mode: 'trigger' | 'manual', credentials: IDataObject = {}) {
  const emitted: INodeExecutionData[][][] = [];
  const staticData: IDataObject = {};
  const node: INode = {
    id: 't',
    name: 'Status Trigger',
    type: 'alibabaCloudMqttStatusTrigger',
    typeVersion: 1,
    position: [0, 0],
    parameters: parameters as INode['parameters'],
  };
  const ctx = {
    getNode: () => node,
    getMode: () => mode,
    getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
    getCredentials: async () => ({
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
      region: 'cn-hangzhou',
      endpoint: emu.endpoint,
      ...credentials,
    }),
    getWorkflowStaticData: () => staticData,
    emit: (data: INodeExecutionData[][]) => void emitted.push(data),
    helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  return { ctx: ctx as unknown as ITriggerFunctions, emitted, staticData, items: () => emitted.flatMap((e) => e[0].map((i) => i.json)) };
}
const PARAMS = (ids: string[]) => ({
  instanceId: 'post-cn-emulator01',
  clientIds: ids.join('\n'),
  events: ['offline', 'online'],
  pushEndpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
  options: { maxAttempts: 1 },
});

it('active: a pushed drop and return emit the polling trigger items, once each; the state is kept in static data', async () => {
  const ids = ['GID_n8npush@@@1', 'GID_n8npush@@@2'];
  for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { ctx, items, staticData } = triggerContext(PARAMS(ids), 'trigger');
  const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
  closers.push(() => response.closeFunction?.());
  await waitFor(() => staticData.watch !== undefined, 10_000, 'the baseline');
  await new Promise((r) => setTimeout(r, 1500));
  (devices[0] as unknown as { stream: { destroy(): void } }).stream.destroy();
  await waitFor(() => items().length === 1, 10_000, 'the drop');
  expect(items()[0]).toMatchObject({ clientId: ids[0], event: 'offline', online: false, previousOnline: true });
  expect(Object.keys(items()[0]).sort()).toEqual(['checkedAt', 'clientId', 'event', 'instanceId', 'online', 'previousOnline', 'since']);
  devices[0] = await connectMqtt(emu.mqttUrl!, ids[0]);
  await waitFor(() => items().length === 2, 10_000, 'the return');
  expect(items()[1]).toMatchObject({ clientId: ids[0], event: 'online' });
  await response.closeFunction?.();
  (devices[1] as unknown as { stream: { destroy(): void } }).stream.destroy();
  await new Promise((r) => setTimeout(r, 1500));
  expect(items()).toHaveLength(2); // closed: nothing more
});

it('test mode: nothing until asked, then the next event', async () => {
  const id = 'GID_n8npush@@@manual';
  devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { ctx, items } = triggerContext({ ...PARAMS([id]), reportInitialOffline: true }, 'manual');
  const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
  closers.push(() => response.closeFunction?.());
  expect(emu.cloudSdk!.logins()).toHaveLength(0);
  await response.manualTriggerFunction!();
  await new Promise((r) => setTimeout(r, 1000));
  devices[0].end();
  await waitFor(() => items().length >= 1, 10_000, 'the next event');
  expect(items()[0]).toMatchObject({ clientId: id, event: 'offline' });
});

it('a RAM-role credential: the activation fails with what to do, no login tried', async () => {
  const { ctx } = triggerContext(PARAMS(['GID_n8npush@@@x']), 'trigger', { authentication: 'ramRole', roleArn: 'acs:ram::1234567890123456:role/x' });
  await expect(new AlibabaCloudMqttStatusTrigger().trigger.call(ctx)).rejects.toThrow(/AccessKey pair only/);
  expect(emu.cloudSdk!.logins()).toHaveLength(0);
});
