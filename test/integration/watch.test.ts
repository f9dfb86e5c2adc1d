import { dirname } from 'node:path';
import { NodeApiError, type IDataObject } from 'n8n-workflow';
import { checkFleet, type WatchState } from '../../lib/internal';
import { AlibabaCloudMqttTrigger } from '../../nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import watchNode = require('../../nodes/node-red/alicloud-mqtt-watch');
import { clientFor, connectMqtt, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET, waitFor } from '../helpers/emulator';
import { pollContext } from '../helpers/n8n-context';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, expectNothingMore, helper, NODE_RED_MAIN, sleep, waitUntil } from '../helpers/node-red';

const env = nodeRedWithEmulator();
const INSTANCE = 'post-cn-emulator01';

beforeEach(() => env.emu.reset());

/** Node-RED's memory context store, whose saves a test watches (the node's own context object is frozen). */
function memoryStorePrototype(): { set: (...args: unknown[]) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const memory = require(
    require.resolve('@node-red/runtime/lib/nodes/context/memory', { paths: [dirname(NODE_RED_MAIN)] }),
  ) as (c: object) => object;
  return Object.getPrototypeOf(memory({})) as { set: (...args: unknown[]) => unknown };
}

const disconnect = (c: import('mqtt').MqttClient) => new Promise<void>((r) => c.end(false, {}, () => r()));

describe('checkFleet (core) with real MQTT devices', () => {
  it('fires offline then online as devices really disconnect and reconnect; nothing on an injected fault', async () => {
    const client = clientFor(env.emu);
    const ids = ['GID_w@@@1', 'GID_w@@@2', 'GID_w@@@3'];
    const devices = await Promise.all(ids.map((id) => connectMqtt(env.emu.mqttUrl!, id)));
    const options = {
      events: { offline: true, online: true },
      offlineAfterMs: 0,
      onlineAfterMs: 0,
      reportInitialOffline: false,
    };
    let state: WatchState | undefined;
    const check = async () => {
      const r = await checkFleet(client, { instanceId: INSTANCE, clientIds: ids }, state, options);
      state = r.state;
      return r.events.map((e) => `${e.clientId}:${e.event}`);
    };
    expect(await check()).toEqual([]);
    await disconnect(devices[1]);
    await waitFor(() => !env.emu.isDeviceOnline('GID_w@@@2'));
    expect(await check()).toEqual(['GID_w@@@2:offline']);
    expect(await check()).toEqual([]);
    // The whole check fails: it throws, the state is untouched, nothing fires.
    env.emu.setFaults({ errors: [{ code: 'InternalError' }] });
    await expect(check()).rejects.toMatchObject({ code: 'InternalError' });
    // A partial failure: those devices keep their state.
    env.emu.setFaults({ errors: [{ code: 'InternalError', clientId: 'GID_w@@@1' }] });
    devices[0].end(true);
    await waitFor(() => !env.emu.isDeviceOnline('GID_w@@@1'));
    expect(await check()).toEqual([]);
    env.emu.setFaults({});
    const back = await connectMqtt(env.emu.mqttUrl!, 'GID_w@@@2');
    expect((await check()).sort()).toEqual(['GID_w@@@1:offline', 'GID_w@@@2:online']);
    for (const d of [back, devices[2]]) d.end(true);
  });

  it('batch mode for 1,000 devices: 100 requests, the right events', async () => {
    const client = clientFor(env.emu);
    const ids = Array.from({ length: 1000 }, (_, i) => `GID_big@@@${i}`);
    for (const id of ids) env.emu.setDeviceOnline(id, true);
    const options = {
      events: { offline: true, online: true },
      offlineAfterMs: 0,
      onlineAfterMs: 0,
      reportInitialOffline: false,
    };
    const first = await checkFleet(client, { instanceId: INSTANCE, clientIds: ids, mode: 'batch' }, undefined, options);
    expect(first.events).toEqual([]);
    expect(env.emu.requestLog().filter((e) => e.action === 'BatchQuerySessionByClientIds')).toHaveLength(100);
    for (const i of [7, 500, 999]) env.emu.setDeviceOnline(ids[i], false);
    const second = await checkFleet(
      client,
      { instanceId: INSTANCE, clientIds: ids, mode: 'batch' },
      first.state,
      options,
    );
    expect(second.events.map((e) => e.clientId).sort()).toEqual([ids[500], ids[7], ids[999]].sort());
  });
});

describe('n8n: Alibaba Cloud MQTT Trigger', () => {
  const trigger = new AlibabaCloudMqttTrigger();
  const creds = () => ({
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    region: 'cn-hangzhou',
    network: 'public',
    endpoint: env.emu.endpoint,
  });
  const params = (extra: Record<string, unknown> = {}) => ({
    instanceId: INSTANCE,
    clientIds: 'GID_t@@@1, GID_t@@@2\nGID_t@@@3',
    mode: 'exact',
    events: ['offline', 'online'],
    offlineForMinutes: 0,
    onlineForMinutes: 0,
    reportInitialOffline: false,
    options: { maxAttempts: 2 },
    ...extra,
  });

  it('follows n8n trigger conventions', () => {
    expect(trigger.description).toMatchObject({ name: 'alibabaCloudMqttTrigger', polling: true, inputs: [] });
    expect(trigger.description.displayName).toContain('Trigger');
    expect(trigger.description.usableAsTool).toBeUndefined();
  });

  it('polls: baseline, then one item per real disconnect and reconnect, state in static data', async () => {
    const d1 = await connectMqtt(env.emu.mqttUrl!, 'GID_t@@@1');
    const d2 = await connectMqtt(env.emu.mqttUrl!, 'GID_t@@@2');
    const staticData: IDataObject = {};
    const poll = () => trigger.poll.call(pollContext({ parameters: params(), credentials: creds(), staticData }).ctx);
    expect(await poll()).toBeNull();
    expect(Object.keys((staticData.watch as unknown as WatchState).devices)).toHaveLength(3);
    await disconnect(d1);
    await waitFor(() => !env.emu.isDeviceOnline('GID_t@@@1'));
    const fired = await poll();
    expect(fired![0].map((i) => i.json)).toEqual([
      expect.objectContaining({ clientId: 'GID_t@@@1', event: 'offline', online: false, previousOnline: true }),
    ]);
    expect(await poll()).toBeNull();
    const d1b = await connectMqtt(env.emu.mqttUrl!, 'GID_t@@@1');
    const back = await poll();
    expect(back![0][0].json).toMatchObject({
      clientId: 'GID_t@@@1',
      event: 'online',
      offlineForMs: expect.any(Number),
    });
    d1b.end(true);
    d2.end(true);
  });

  it('a failed poll throws a clear NodeApiError and keeps the state', async () => {
    const staticData: IDataObject = {};
    const poll = () => trigger.poll.call(pollContext({ parameters: params(), credentials: creds(), staticData }).ctx);
    await poll();
    const before = JSON.stringify(staticData);
    env.emu.setFaults({ errors: [{ code: 'SystemOverFlow' }] });
    const error = await poll().catch((e) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.message).toMatch(/Could not check the fleet: SystemOverFlow/);
    expect(JSON.stringify(staticData)).toBe(before);
    env.emu.setFaults({});
    expect(await poll()).toBeNull();
  });

  it('manual (test) execution returns the devices current status for real, without touching state', async () => {
    env.emu.setDeviceOnline('GID_t@@@2', true);
    const { ctx, staticData } = pollContext({ parameters: params(), credentials: creds(), mode: 'manual' });
    const out = await trigger.poll.call(ctx);
    expect(out![0].map((i) => [i.json.clientId, i.json.online])).toEqual([
      ['GID_t@@@1', false],
      ['GID_t@@@2', true],
      ['GID_t@@@3', false],
    ]);
    expect(staticData).toEqual({});
    expect(env.emu.requestLog()).toHaveLength(3);
  });

  it('debounce: a blip shorter than "offline for at least" fires nothing', async () => {
    const staticData: IDataObject = {};
    env.emu.setDeviceOnline('GID_t@@@1', true);
    const poll = () =>
      trigger.poll.call(
        pollContext({ parameters: params({ offlineForMinutes: 10 }), credentials: creds(), staticData }).ctx,
      );
    await poll();
    env.emu.setDeviceOnline('GID_t@@@1', false);
    expect(await poll()).toBeNull();
    env.emu.setDeviceOnline('GID_t@@@1', true);
    expect(await poll()).toBeNull();
  });
});

describe('Node-RED: alicloud-mqtt-watch', () => {
  const NODES = [configNode, watchNode];
  const flow = (extra: Record<string, unknown> = {}) => [
    { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint },
    {
      id: 'w',
      type: 'alicloud-mqtt-watch',
      z: 'f1',
      x: 100,
      y: 100,
      config: 'cfg',
      instanceId: INSTANCE,
      clientIds: 'GID_nw@@@1\nGID_nw@@@2',
      interval: 0,
      attempts: 2,
      wires: [['off'], ['on']],
      ...extra,
    },
    { id: 'off', type: 'helper', z: 'f1', x: 300, y: 50 },
    { id: 'on', type: 'helper', z: 'f1', x: 300, y: 100 },
    { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1', x: 300, y: 300 },
    { id: 'f1', type: 'tab' },
  ];
  const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };
  afterEach(() => helper.unload());

  it('fires each real disconnect and reconnect once; status counts; no event on a fault, which Catch gets once', async () => {
    const d1 = await connectMqtt(env.emu.mqttUrl!, 'GID_nw@@@1');
    await helper.load(NODES, flow(), CREDS);
    const off = collect('off');
    const on = collect('on');
    const caught = collect('caught');
    const w = helper.getNode('w');
    const statuses: Array<Record<string, unknown>> = [];
    w.status = ((orig) => (s: Record<string, unknown>) => {
      statuses.push(s);
      return orig.call(w, s);
    })(w.status);
    const tick = async () => {
      const before = statuses.length;
      w.receive({ topic: 'tick' });
      await waitUntil(() => statuses.slice(before).some((s) => s.fill !== 'blue'));
    };
    await tick();
    expect(statuses[statuses.length - 1].text).toBe('1 online / 1 offline');
    await disconnect(d1);
    await waitFor(() => !env.emu.isDeviceOnline('GID_nw@@@1'));
    await tick();
    await tick();
    expect(off.map((m) => m.payload)).toEqual([
      expect.objectContaining({ clientId: 'GID_nw@@@1', event: 'offline', previousOnline: true }),
    ]);
    expect(off[0].topic).toBe('GID_nw@@@1');
    env.emu.setFaults({ errors: [{ code: 'InternalError' }] });
    await tick();
    await sleep(50);
    expect(caught).toHaveLength(1);
    expect(caught[0].alicloudError).toMatchObject({ code: 'InternalError', retryable: true });
    env.emu.setFaults({});
    const d1b = await connectMqtt(env.emu.mqttUrl!, 'GID_nw@@@1');
    await tick();
    expect(on.map((m) => m.payload.clientId)).toEqual(['GID_nw@@@1']);
    expect(off).toHaveLength(1);
    d1b.end(true);
  });

  it('a redeploy in the middle of a check loses no event: the cut check fires and saves nothing, quietly; the next one fires each drop once', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `GID_deploy@@@${i}`);
    for (const id of ids) env.emu.setDeviceOnline(id, true);
    const watchFlow = () => flow({ clientIds: ids.join('\n') });
    await helper.load(NODES, watchFlow(), CREDS);
    let off = collect('off');
    let caught = collect('caught');
    let w = helper.getNode('w');
    const warnings: unknown[] = [];
    const watchLogs = (node: typeof w) => {
      for (const level of ['warn', 'error'] as const) {
        const original = node[level].bind(node);
        node[level] = (...args: unknown[]) => {
          warnings.push(args[0]);
          return original(...args);
        };
      }
    };
    watchLogs(w);
    w.receive({ topic: 'baseline' });
    await waitUntil(() => w.context().get('watch') !== undefined, 20_000, 'the baseline check');
    const baseline = JSON.parse(JSON.stringify(w.context().get('watch'))) as WatchState;
    expect(Object.keys(baseline.devices)).toHaveLength(300);
    const dropped = ids.filter((_, i) => i % 3 === 0);
    for (const id of dropped) env.emu.setDeviceOnline(id, false);

    // The check is cut while it runs: half of it answered, the rest held by a stalled service.
    // What a persistent store would keep across the deploy: every save the node makes from now on
    // (seen in Node-RED's own memory store, under the node's context).
    const saves: unknown[] = [];
    const storeSet = jest.spyOn(memoryStorePrototype(), 'set').mockImplementation(function (
      this: unknown,
      ...args: unknown[]
    ) {
      if (String(args[0]).startsWith('w:') && args[1] === 'watch')
        saves.push(JSON.parse(JSON.stringify(args[2] ?? null)));
      return storeSetOriginal.apply(this, args);
    });
    const storeSetOriginal = memoryStorePrototype().set;
    const before = env.emu.requestLog().length;
    w.receive({ topic: 'cut' });
    await waitUntil(() => env.emu.requestLog().length >= before + 150, 20_000, 'half of the check');
    env.emu.setFaults({ stallForMs: 15_000 });
    await helper.unload();
    const answered = env.emu.requestLog().length - before;
    expect(answered).toBeLessThan(300); // the check really was cut short
    storeSet.mockRestore();
    expect(saves).toEqual([]); // nothing of it saved
    expect(off.length + caught.length + warnings.length).toBe(0); // and nothing fired or reported

    // Deployed again, with the state the store kept: every drop fires, once.
    env.emu.setFaults({});
    await helper.load(NODES, watchFlow(), CREDS);
    off = collect('off');
    caught = collect('caught');
    w = helper.getNode('w');
    watchLogs(w);
    w.context().set('watch', baseline);
    w.receive({ topic: 'after the deploy' });
    await waitUntil(() => off.length >= dropped.length, 20_000, 'the offline events');
    await expectNothingMore(() => off.length + caught.length);
    expect(off.map((m) => m.payload.clientId).sort()).toEqual([...dropped].sort());
    expect(caught).toHaveLength(0);
    expect(warnings).toEqual([]);
  }, 60_000);

  it('overlapping inputs share one check: one disconnect fires "went offline" exactly once', async () => {
    const d1 = await connectMqtt(env.emu.mqttUrl!, 'GID_nw@@@1');
    await helper.load(NODES, flow(), CREDS);
    const off = collect('off');
    const w = helper.getNode('w');
    const baseline = env.emu.requestLog().length;
    w.receive({ topic: 'baseline' });
    await waitUntil(() => env.emu.requestLog().length >= baseline + 2, 5000, 'the baseline check');
    await sleep(100);
    await disconnect(d1);
    await waitFor(() => !env.emu.isDeviceOnline('GID_nw@@@1'));
    env.emu.setFaults({ latencyMs: 300 }); // each check takes a while, so the inputs below overlap
    const before = env.emu.requestLog().length;
    for (let i = 0; i < 4; i++) w.receive({ topic: `overlap-${i}` });
    await waitUntil(() => env.emu.requestLog().length >= before + 4, 8000, 'the checks');
    await sleep(800);
    expect(off.map((m) => m.payload.clientId)).toEqual(['GID_nw@@@1']);
    // Four inputs during one check: the first check, then one more for the three that waited.
    expect(env.emu.requestLog().length - before).toBe(4);
  });

  it('msg.payload as an array replaces the watch list', async () => {
    await helper.load(NODES, flow({ reportInitial: true }), CREDS);
    const off = collect('off');
    helper.getNode('w').receive({ payload: ['GID_list@@@a', 'GID_list@@@b'] });
    await waitUntil(() => off.length === 2);
    expect(off.map((m) => m.payload.clientId).sort()).toEqual(['GID_list@@@a', 'GID_list@@@b']);
  });

  it('runs on its own interval', async () => {
    env.emu.setDeviceOnline('GID_nw@@@1', true);
    await helper.load(NODES, flow({ interval: 5 }), CREDS);
    await waitUntil(() => env.emu.requestLog().length >= 2, 3000, 'the first interval check');
  });

  it('keeps its state in the node context (what a persistent context store saves), as plain JSON', async () => {
    // The restart itself, with a localfilesystem store, is proven in real Node-RED (test/e2e).
    env.emu.setDeviceOnline('GID_nw@@@1', true);
    await helper.load(NODES, flow({ reportInitial: true }), CREDS);
    const off = collect('off');
    const w = helper.getNode('w');
    w.receive({});
    await waitUntil(() => off.length === 1);
    const saved = JSON.parse(JSON.stringify(w.context().get('watch')));
    expect(saved).toEqual({
      instanceId: INSTANCE,
      devices: {
        'GID_nw@@@1': { online: true, since: expect.any(String) },
        'GID_nw@@@2': { online: false, since: expect.any(String) },
      },
      process: expect.any(String), // which process wrote it: another one reads the trace once after a restart
      // Each device's outages since it was first checked, for availability reports.
      health: {
        'GID_nw@@@1': { history: { from: expect.any(Number), outages: [] } },
        'GID_nw@@@2': { history: { from: expect.any(Number), outages: [[expect.any(Number), 0]] } },
      },
    });
    // The state read back on the next check: nothing new fires.
    w.receive({});
    await waitUntil(() => env.emu.requestLog().length >= 4);
    await expectNothingMore(() => off.length);
    expect(off).toHaveLength(1);
  });
});
