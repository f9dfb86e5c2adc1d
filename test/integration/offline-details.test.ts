/**
 * Offline details, storm protection and the fleet summary against the emulator, with real MQTT
 * clients (mqtt.js) producing every reason, in the core, n8n's trigger and Node-RED's runtime.
 */
import type { IDataObject } from 'n8n-workflow';
import {
  checkFleet,
  disconnectCodeOf,
  isSessionFailure,
  type SessionStatus,
  type WatchOptions,
  type WatchState,
} from '../../lib/internal';
import { AlibabaCloudMqttTrigger } from '../../nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import watchNode = require('../../nodes/node-red/alicloud-mqtt-watch');
import { clientFor, connectMqtt, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET, waitFor } from '../helpers/emulator';
import { pollContext } from '../helpers/n8n-context';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, helper, waitUntil } from '../helpers/node-red';

type Mqtt = import('mqtt').MqttClient;
const env = nodeRedWithEmulator();
const INSTANCE = 'post-cn-emulator01';

beforeEach(() => env.emu.reset());

const end = (c: Mqtt) => new Promise<void>((r) => c.end(false, {}, () => r()));
const offline = (id: string) => waitFor(() => !env.emu.isDeviceOnline(id), 5000, `${id} to be offline`);
/** Within a few seconds of `ms`: the trace's UTC+8 times came back as the right instants. */
const near = (iso: string | null | undefined, ms: number) =>
  expect(Math.abs(Date.parse(String(iso)) - ms)).toBeLessThan(3000);

describe('offline details: each reason produced by a real MQTT client', () => {
  const status = (id: string) =>
    clientFor(env.emu).querySession({ clientId: id, instanceId: INSTANCE }, { offlineDetails: true });

  it('keep-alive timeout (a device that stops answering): keepalive_timeout, since when it stopped', async () => {
    const id = 'GID_why@@@silent';
    const device = await connectMqtt(env.emu.mqttUrl!, id, { keepalive: 1 });
    const connectedAt = Date.now();
    device.keepaliveManager.destroy(); // the device hangs: no more PINGREQ
    await waitFor(() => !env.emu.isDeviceOnline(id), 6000, 'the broker to give up on the silent device');
    const droppedAt = Date.now();
    const s = await status(id);
    device.end(true);
    expect(s).toMatchObject({
      online: false,
      details: { lastDisconnectReason: 'no heart', lastDisconnectCode: 'keepalive_timeout' },
    });
    near(s.details!.offlineSince, droppedAt);
    near(s.details!.lastConnectedAt, connectedAt);
  });

  it('DISCONNECT from the client: client_disconnected; a socket closed without it: client_closed', async () => {
    const a = await connectMqtt(env.emu.mqttUrl!, 'GID_why@@@polite');
    const b = await connectMqtt(env.emu.mqttUrl!, 'GID_why@@@crashed');
    await end(a);
    b.stream.destroy();
    await offline('GID_why@@@polite');
    await offline('GID_why@@@crashed');
    expect((await status('GID_why@@@polite')).details).toMatchObject({
      lastDisconnectReason: 'disconnected by client',
      lastDisconnectCode: 'client_disconnected',
    });
    expect((await status('GID_why@@@crashed')).details).toMatchObject({
      lastDisconnectReason: 'closed by client',
      lastDisconnectCode: 'client_closed',
    });
  });

  it('a takeover by the same Client ID: the connection taken over ends with client_id_conflict', async () => {
    const id = 'GID_why@@@twin';
    const first = await connectMqtt(env.emu.mqttUrl!, id);
    const second = await connectMqtt(env.emu.mqttUrl!, id);
    await waitFor(() => first.connected === false, 3000, 'the first connection to be taken over');
    const trace = await clientFor(env.emu).queryConnectionTrace({
      clientId: id,
      instanceId: INSTANCE,
      from: Date.now() - 60_000,
      to: Date.now() + 1000,
    });
    const takenOver = trace.find((e) => e.action === 'close');
    expect(takenOver && disconnectCodeOf(takenOver.reason)).toBe('client_id_conflict');
    // The device is online (the second connection): no details are read for an online device.
    const s = await status(id);
    expect(s.online).toBe(true);
    expect(s.details).toBeUndefined();
    second.end(true);
    first.end(true);
  });

  it('a refused login after the drop: auth_failed, still offline since the drop', async () => {
    const id = 'GID_why@@@rotated';
    const device = await connectMqtt(env.emu.mqttUrl!, id);
    await end(device);
    await offline(id);
    const droppedAt = Date.now();
    env.emu.setMqttAuth(true);
    try {
      const refused = await connectMqtt(env.emu.mqttUrl!, id, {
        username: `Signature|${SENTINEL_ACCESS_KEY_ID}|${INSTANCE}`,
        password: 'wrong',
      }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
    } finally {
      env.emu.setMqttAuth(false);
    }
    const s = await status(id);
    expect(s.details).toMatchObject({ lastDisconnectReason: 'not authorized', lastDisconnectCode: 'auth_failed' });
    near(s.details!.offlineSince, droppedAt);
  });

  it('a device never seen in the last day: all details null, nothing missing', async () => {
    const s = await status('GID_why@@@never');
    expect(s.details).toEqual({
      offlineSince: null,
      lastDisconnectReason: null,
      lastDisconnectCode: null,
      lastConnectedAt: null,
    });
  });
});

describe('offline details never cost a status', () => {
  it('a trace that fails for one device: all 20 statuses come, that one says its details are missing', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `GID_keep@@@${i}`);
    for (const [i, id] of ids.entries()) env.emu.setDeviceOnline(id, i % 2 === 0);
    env.emu.setFaults({ errors: [{ code: 'InvalidParameter', action: 'QueryMqttTraceDevice', clientId: ids[3] }] });
    const outcomes = await clientFor(env.emu).querySessions(
      { clientIds: ids, instanceId: INSTANCE },
      { offlineDetails: true },
    );
    expect(outcomes.map((o) => (isSessionFailure(o) ? 'error' : o.online))).toEqual(ids.map((_, i) => i % 2 === 0));
    const statuses = outcomes as SessionStatus[];
    expect(statuses.filter((s) => s.online).every((s) => s.details === undefined)).toBe(true);
    expect(statuses[3].details?.offlineDetailsMissing).toMatch(
      /connection trace could not be read \(InvalidParameter\)/,
    );
    expect(statuses.filter((s) => !s.online && s.details && !s.details.offlineDetailsMissing)).toHaveLength(9);
    // Never connected: an empty trace, details null but not missing.
    expect(statuses[1].details).toEqual({
      offlineSince: null,
      lastDisconnectReason: null,
      lastDisconnectCode: null,
      lastConnectedAt: null,
    });
  });

  it('a trace that keeps being throttled: the status comes at the details deadline, not after every retry', async () => {
    env.emu.setDeviceOnline('GID_keep@@@slow', false);
    env.emu.setFaults({ errors: [{ code: 'Throttling.User', action: 'QueryMqttTraceDevice' }] });
    const client = clientFor(env.emu, { retry: { maxAttempts: 10, baseDelayMs: 400, maxDelayMs: 2000 } });
    const s = await client.querySession(
      { clientId: 'GID_keep@@@slow', instanceId: INSTANCE },
      { offlineDetails: { timeoutMs: 700 } },
    );
    // Given up at the deadline: with 400 ms+ between attempts, far fewer than the 10 allowed were sent.
    expect(env.emu.requestLog().filter((e) => e.action === 'QueryMqttTraceDevice').length).toBeLessThan(10);
    expect(s).toMatchObject({
      online: false,
      details: { offlineDetailsMissing: expect.stringMatching(/did not answer within 1 s/) },
    });
  });
});

/** 100 real devices; `drop(ids)` ends their connections at once. */
async function fleet(prefix: string) {
  const ids = Array.from({ length: 100 }, (_, i) => `GID_${prefix}@@@${String(i).padStart(3, '0')}`);
  const devices = new Map<string, Mqtt>();
  await Promise.all(ids.map(async (id) => devices.set(id, await connectMqtt(env.emu.mqttUrl!, id))));
  return {
    ids,
    drop: async (which: string[]) => {
      await Promise.all(which.map((id) => end(devices.get(id)!)));
      await waitFor(() => which.every((id) => !env.emu.isDeviceOnline(id)), 5000, 'the drops');
    },
    back: async (which: string[]) => {
      await Promise.all(which.map(async (id) => devices.set(id, await connectMqtt(env.emu.mqttUrl!, id))));
    },
    close: () => Promise.all([...devices.values()].map((d) => new Promise<void>((r) => d.end(true, {}, () => r())))),
  };
}

describe('storm protection with 100 real devices', () => {
  const options: WatchOptions = {
    events: { offline: true, online: true },
    offlineAfterMs: 0,
    onlineAfterMs: 0,
    reportInitialOffline: false,
    storm: { minDevices: 0, minPercent: 20, resolvePercent: 80 },
  };

  it('core: 60 dropping at once give one incident with reasons and a summary; one resolution when 50 are back', async () => {
    const f = await fleet('core');
    const client = clientFor(env.emu);
    let state: WatchState | undefined;
    const check = async () => {
      const r = await checkFleet(client, { instanceId: INSTANCE, clientIds: f.ids }, state, options, {
        offlineDetails: true,
        summary: true,
      });
      state = r.state;
      return r;
    };
    try {
      await check();
      await f.drop(f.ids.slice(0, 60));
      const storm = await check();
      expect(storm.events).toEqual([]);
      expect(storm.incidents).toHaveLength(1);
      const incident = storm.incidents[0];
      if (incident.event !== 'incident') throw new Error('expected an incident');
      expect(incident).toMatchObject({ offlineCount: 60, watchedCount: 100, offlinePercent: 60 });
      expect(incident.devices.every((d) => d.lastDisconnectCode === 'client_disconnected' && d.offlineSince)).toBe(
        true,
      );
      expect(storm.summary).toMatchObject({
        online: 40,
        offline: 60,
        wentOffline: 60,
        change: { online: -60, offline: 60 },
        incident: { devices: 60, stillOffline: 60 },
      });
      expect(env.emu.requestLog().filter((e) => e.action === 'QueryMqttTraceDevice')).toHaveLength(60);
      await f.back(f.ids.slice(0, 50));
      const resolved = await check();
      expect(resolved.events).toEqual([]);
      expect(resolved.incidents.map((i) => i.event)).toEqual(['incident_resolved']);
      expect(resolved.summary).toMatchObject({ online: 90, offline: 10, cameOnline: 50, incident: null });
    } finally {
      await f.close();
    }
  });

  it('n8n trigger: one incident item, then one resolution item; 3 of 100 give three ordinary items with details', async () => {
    const f = await fleet('n8n');
    const trigger = new AlibabaCloudMqttTrigger();
    const staticData: IDataObject = {};
    const parameters = {
      instanceId: INSTANCE,
      clientIds: f.ids.join('\n'),
      mode: 'exact',
      events: ['offline', 'online'],
      offlineDetails: true,
      storm: { minPercent: 20, resolvePercent: 80 },
      options: {},
    };
    const credentials = {
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
      region: 'cn-hangzhou',
      network: 'public',
      endpoint: env.emu.endpoint,
    };
    const poll = async () =>
      ((await trigger.poll.call(pollContext({ parameters, credentials, staticData }).ctx)) ?? [[]])[0].map(
        (i) => i.json,
      );
    try {
      expect(await poll()).toEqual([]);
      await f.drop(f.ids.slice(0, 60));
      const storm = await poll();
      expect(storm.map((j) => j.event)).toEqual(['incident']);
      expect((storm[0].devices as unknown[]).length).toBe(60);
      await f.back(f.ids.slice(0, 60));
      expect((await poll()).map((j) => j.event)).toEqual(['incident_resolved']);
      await f.drop(f.ids.slice(90, 93));
      const three = await poll();
      expect(three.map((j) => [j.clientId, j.event, j.lastDisconnectCode])).toEqual(
        f.ids.slice(90, 93).map((id) => [id, 'offline', 'client_disconnected']),
      );
    } finally {
      await f.close();
    }
  });

  it('Node-RED watch: incident and resolution on output 3, summary on output 4, nothing on output 1 for the storm', async () => {
    const f = await fleet('nr');
    await helper.load(
      [configNode, watchNode, sessionNode],
      [
        { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint },
        {
          id: 'w',
          type: 'alicloud-mqtt-watch',
          z: 'f1',
          x: 100,
          y: 100,
          config: 'cfg',
          instanceId: INSTANCE,
          clientIds: f.ids.join('\n'),
          interval: 0,
          offlineDetails: true,
          stormPercent: 20,
          resolvePercent: 80,
          summary: true,
          wires: [['off'], ['on'], ['incident'], ['summary']],
        },
        { id: 'off', type: 'helper', z: 'f1', x: 300, y: 50 },
        { id: 'on', type: 'helper', z: 'f1', x: 300, y: 100 },
        { id: 'incident', type: 'helper', z: 'f1', x: 300, y: 150 },
        { id: 'summary', type: 'helper', z: 'f1', x: 300, y: 200 },
        { id: 'f1', type: 'tab' },
      ],
      { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } },
    );
    const [off, on, incident, summary] = ['off', 'on', 'incident', 'summary'].map(collect);
    const check = async () => {
      const seen = summary.length;
      helper.getNode('w').receive({ topic: 'tick' });
      await waitUntil(() => summary.length > seen, 10_000, 'a check');
    };
    try {
      await check();
      await f.drop(f.ids.slice(0, 60));
      await check();
      expect(off).toHaveLength(0);
      expect(incident.map((m) => m.payload.event)).toEqual(['incident']);
      expect(incident[0].topic).toBe('incident');
      expect(incident[0].payload.devices).toHaveLength(60);
      expect(incident[0].payload.devices[0]).toMatchObject({
        lastDisconnectCode: 'client_disconnected',
        lastDisconnectReason: 'disconnected by client',
      });
      expect(summary[summary.length - 1].payload).toMatchObject({
        event: 'summary',
        online: 40,
        offline: 60,
        incident: { devices: 60 },
      });
      await f.back(f.ids.slice(0, 55));
      await check();
      expect(incident.map((m) => m.payload.event)).toEqual(['incident', 'incident_resolved']);
      expect(incident[1].payload.stillOffline.map((d: { clientId: string }) => d.clientId)).toEqual(
        f.ids.slice(55, 60),
      );
      expect(on).toHaveLength(0);
      await f.drop(f.ids.slice(90, 93));
      await check();
      expect(off.map((m) => [m.payload.clientId, m.payload.lastDisconnectCode])).toEqual(
        f.ids.slice(90, 93).map((id) => [id, 'client_disconnected']),
      );
      expect(incident).toHaveLength(2);
    } finally {
      await helper.unload();
      await f.close();
    }
  });

  it('Node-RED session node: offline details on the offline output', async () => {
    const device = await connectMqtt(env.emu.mqttUrl!, 'GID_nrs@@@1');
    device.stream.destroy();
    await offline('GID_nrs@@@1');
    await helper.load(
      [configNode, sessionNode],
      [
        { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint },
        {
          id: 's',
          type: 'alicloud-mqtt-session',
          z: 'f1',
          x: 100,
          y: 100,
          config: 'cfg',
          instanceId: INSTANCE,
          offlineDetails: true,
          wires: [['on'], ['off']],
        },
        { id: 'on', type: 'helper', z: 'f1', x: 300, y: 50 },
        { id: 'off', type: 'helper', z: 'f1', x: 300, y: 100 },
        { id: 'f1', type: 'tab' },
      ],
      { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } },
    );
    const off = collect('off');
    try {
      helper.getNode('s').receive({ payload: 'GID_nrs@@@1' });
      await waitUntil(() => off.length === 1);
      expect(off[0].payload).toMatchObject({
        clientId: 'GID_nrs@@@1',
        online: false,
        lastDisconnectCode: 'client_closed',
        lastConnectedAt: expect.any(String),
      });
    } finally {
      await helper.unload();
    }
  });
});
