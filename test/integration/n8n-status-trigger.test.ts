/**
 * The n8n Status Trigger (an instant trigger, trigger()) against the emulator's Cloud SDK
 * endpoint: real amqplib, real mqtt.js devices. Activated, it emits the polling trigger's items for
 * a pushed drop and return; in the editor's test mode it waits for the next event; a role
 * credential is refused with what to do; closing stops the subscription.
 */
import type { MqttClient } from 'mqtt';
import type { IDataObject, INode, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import type { RunningEmulator } from '../../emulator';
import { closeSharedTokenStores } from '../../lib/internal';
import { AlibabaCloudMqttStatusTrigger } from '../../packages/n8n-extras/nodes/AlibabaCloudMqttStatusTrigger/AlibabaCloudMqttStatusTrigger.node';
import {
  connectMqtt,
  emulatorWithSentinel,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';
import { startRedis, type RedisServer } from '../helpers/redis-server';

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

function triggerContext(
  parameters: Record<string, unknown>,
  mode: 'trigger' | 'manual',
  credentials: IDataObject = {},
) {
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
    getWorkflow: () => ({ id: 'wf-1', name: 'push', active: mode === 'trigger' }),
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
  return {
    ctx: ctx as unknown as ITriggerFunctions,
    emitted,
    staticData,
    items: () => emitted.flatMap((e) => e[0].map((i) => i.json)),
  };
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
  expect(Object.keys(items()[0]).sort()).toEqual([
    'checkedAt',
    'clientId',
    'event',
    'instanceId',
    'online',
    'previousOnline',
    'since',
  ]);
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
  const { ctx } = triggerContext(PARAMS(['GID_n8npush@@@x']), 'trigger', {
    authentication: 'ramRole',
    roleArn: 'acs:ram::1234567890123456:role/x',
  });
  await expect(new AlibabaCloudMqttStatusTrigger().trigger.call(ctx)).rejects.toThrow(/AccessKey pair only/);
  expect(emu.cloudSdk!.logins()).toHaveLength(0);
});

it('device messages: each one an item with event "message", the payload parsed, the topic, sender, born time and user properties; binary as Base64', async () => {
  const id = 'GID_n8npush@@@pump';
  const { ctx, items } = triggerContext({ ...PARAMS([id]), parentTopics: 'plant' }, 'trigger');
  const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
  closers.push(() => response.closeFunction?.());
  const d = await connectMqtt(emu.mqttUrl!, id);
  devices.push(d);
  await new Promise<void>((r) => d.publish('plant/pump/battery', '{"level":9}', { qos: 1 }, () => r()));
  await waitFor(() => items().some((i) => i.event === 'message'), 10_000, 'the message');
  emu.cloudSdk!.publishDeviceMessage({
    topic: 'plant/pump/raw',
    payload: Buffer.from([0xff, 0x00, 0xfe]),
    clientId: id,
    userProperties: [{ key: 'k', value: 'v' }],
  });
  await waitFor(() => items().filter((i) => i.event === 'message').length === 2, 10_000, 'the binary message');
  const messages = items().filter((i) => i.event === 'message');
  expect(messages[0]).toMatchObject({
    event: 'message',
    instanceId: 'post-cn-emulator01',
    topic: 'plant/pump/battery',
    payload: { level: 9 },
    payloadFormat: 'json',
    clientId: id,
  });
  expect(Number.isNaN(Date.parse(messages[0].bornAt as string))).toBe(false);
  expect(messages[1]).toMatchObject({
    topic: 'plant/pump/raw',
    payload: '/wD+',
    payloadFormat: 'base64',
    userProperties: [{ key: 'k', value: 'v' }],
  });
  await waitFor(() => (emu.cloudSdk!.backlog()['TOPIC/plant']?.unacked ?? 0) === 0, 5000, 'acknowledged');
});

it('a parent topic with a wildcard: the activation fails saying what a parent topic is', async () => {
  const { ctx } = triggerContext({ ...PARAMS(['GID_n8npush@@@x']), parentTopics: 'plant/#' }, 'trigger');
  await expect(new AlibabaCloudMqttStatusTrigger().trigger.call(ctx)).rejects.toThrow(
    /not a parent topic.*first-level/,
  );
  expect(emu.cloudSdk!.logins()).toHaveLength(0);
});

it('n8n saves static data when a trigger emits: the state that marks an event fired is in it at that moment', async () => {
  const id = 'GID_n8npush@@@order';
  devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { ctx, staticData } = triggerContext(PARAMS([id]), 'trigger');
  const seenAtEmit: unknown[] = [];
  const emit = ctx.emit.bind(ctx);
  (ctx as { emit: ITriggerFunctions['emit'] }).emit = (data) => {
    seenAtEmit.push(JSON.parse(JSON.stringify(staticData)));
    emit(data);
  };
  const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
  closers.push(() => response.closeFunction?.());
  await waitFor(() => staticData.watch !== undefined, 10_000, 'the baseline');
  await new Promise((r) => setTimeout(r, 1000));
  devices[0].end();
  await waitFor(() => seenAtEmit.length === 1, 10_000, 'the drop');
  expect(seenAtEmit[0]).toMatchObject({ watch: { devices: { [id]: { online: false } } } });
});

it('every device of the group, no list: a device first heard of when it connects is one online item (previousOnline null), its drop one offline item; the devices learnt are kept in static data', async () => {
  const id = 'GID_n8ngroup@@@g1';
  const { ctx, items, staticData } = triggerContext(
    {
      instanceId: 'post-cn-emulator01',
      devices: 'group',
      groupIds: 'GID_n8ngroup',
      events: ['offline', 'online'],
      pushEndpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
      options: { maxAttempts: 1 },
    },
    'trigger',
  );
  const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
  closers.push(() => response.closeFunction?.());
  devices.push(await connectMqtt(emu.mqttUrl!, id));
  await waitFor(() => JSON.stringify(staticData.watchList ?? {}).includes(id), 10_000, 'the device learnt');
  await waitFor(() => items().length === 1, 10_000, 'the connect');
  expect(items()[0]).toMatchObject({ clientId: id, event: 'online', previousOnline: null });
  await new Promise((r) => setTimeout(r, 500));
  devices[0].end();
  await waitFor(() => items().length === 2, 10_000, 'the drop');
  expect(items()[1]).toMatchObject({ clientId: id, event: 'offline', previousOnline: true });
  await new Promise((r) => setTimeout(r, 500));
  expect(items()).toHaveLength(2);
});

describe('two mains sharing one Redis (queue mode)', () => {
  let redis: RedisServer;
  const saved = process.env.ALICLOUD_MQTT_SHARED_LIMIT;
  beforeAll(async () => {
    redis = await startRedis();
    process.env.ALICLOUD_MQTT_SHARED_LIMIT = redis.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.ALICLOUD_MQTT_SHARED_LIMIT;
    else process.env.ALICLOUD_MQTT_SHARED_LIMIT = saved;
    await closeSharedTokenStores(); // the rate limit's connection, shared by the process
    await redis.stop();
  });

  it('only the lease holder consumes: one item per drop between both; when it closes, the other takes over', async () => {
    const ids = ['GID_n8nmain@@@1', 'GID_n8nmain@@@2'];
    for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
    const mains = [triggerContext(PARAMS(ids), 'trigger'), triggerContext(PARAMS(ids), 'trigger')];
    const responses = [];
    for (const main of mains) {
      const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(main.ctx);
      closers.push(() => response.closeFunction?.());
      responses.push(response);
    }
    const all = () => mains.flatMap((m) => m.items());
    await waitFor(() => mains.some((m) => m.staticData.watch !== undefined), 10_000, 'the leader subscribed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mains.filter((m) => m.staticData.watch !== undefined)).toHaveLength(1);
    expect(emu.cloudSdk!.logins()).toHaveLength(1);
    const leader = mains.findIndex((m) => m.staticData.watch !== undefined);
    devices[0].end();
    await waitFor(() => all().length === 1, 10_000, 'the first drop');
    expect(mains[leader].items()).toHaveLength(1);
    // The leader goes (its lease released): the other subscribes at its next claim and, from the
    // static data both share in n8n's database, fires the second drop only.
    mains[1 - leader].staticData.watch = JSON.parse(JSON.stringify(mains[leader].staticData.watch));
    await responses[leader].closeFunction?.();
    await waitFor(() => emu.cloudSdk!.logins().length === 2, 15_000, 'the takeover');
    await new Promise((r) => setTimeout(r, 1500)); // its first full check
    expect(mains[1 - leader].items()).toEqual([]); // the first drop is not fired again
    devices[1].end();
    await waitFor(() => all().length === 2, 10_000, 'the second drop');
    await new Promise((r) => setTimeout(r, 1000));
    // The first drop from the leader, the second from the one that took over: once each.
    const of = (main: (typeof mains)[number]) =>
      main.items().map((i) => `${i.clientId as string}:${i.event as string}`);
    expect(of(mains[leader])).toEqual([`${ids[0]}:offline`]);
    expect(of(mains[1 - leader])).toEqual([`${ids[1]}:offline`]);
  }, 40_000);
});

describe('a Cloud SDK endpoint out of reach', () => {
  const closedPort = async () => {
    const { createServer } = await import('node:net');
    return new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
  };
  it('active: the activation finishes with a close function (the error said, retries go on until it is called)', async () => {
    const warnings: string[] = [];
    const { ctx } = triggerContext(
      { ...PARAMS(['GID_n8npush@@@far']), pushEndpoint: `amqp://127.0.0.1:${await closedPort()}` },
      'trigger',
    );
    (ctx as unknown as { logger: { warn(m: string): void } }).logger.warn = (m) => void warnings.push(m);
    const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
    expect(typeof response.closeFunction).toBe('function');
    expect(warnings.some((w) => /CloudSdkUnreachable|could not be reached/.test(w))).toBe(true);
    await response.closeFunction!();
    const after = warnings.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(warnings.length).toBe(after);
  });

  it('test mode: the error reaches the panel (manualTriggerFunction rejects with it and stops)', async () => {
    const { ctx } = triggerContext(
      { ...PARAMS(['GID_n8npush@@@far']), pushEndpoint: `amqp://127.0.0.1:${await closedPort()}` },
      'manual',
    );
    const response = await new AlibabaCloudMqttStatusTrigger().trigger.call(ctx);
    closers.push(() => response.closeFunction?.());
    // n8n words a refused connection its own way; the hint says where to look.
    await expect(response.manualTriggerFunction!()).rejects.toMatchObject({
      description: expect.stringMatching(/could not be reached/),
    });
  });
});
