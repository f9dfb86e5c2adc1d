import { startEmulator, type RunningEmulator } from '../../emulator';
import { connectMqtt, waitFor } from '../helpers/emulator';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { startCollector } from './collector';
import { nodeRed4Dir, nodeRedHost, type NodeRedHost } from './hosts';

/**
 * Two real Node-RED instances run the same watch flow with one Redis (the config node's "Shared
 * limit"): only the leader checks and fires, so devices that really disconnect give one event each;
 * the leader is killed mid-run and the other takes over from the state in Redis, so nothing is
 * lost or doubled.
 */
const INSTANCE = 'post-cn-emulator01';
const SECRET = 'e2e-HA-secret-value-31';
const AK = 'LTAI5tE2EHighAvail';
const DEVICES = Array.from({ length: 6 }, (_, i) => `GID_ha@@@d${i + 1}`);
const INTERVAL_S = 5;

let emu: RunningEmulator;
let redis: RedisServer;
let tarball: string;
let collector: Awaited<ReturnType<typeof startCollector>>;
const hosts: NodeRedHost[] = [];

beforeAll(async () => {
  [emu, redis, collector] = await Promise.all([
    startEmulator({ accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }] }),
    startRedis(),
    startCollector(),
  ]);
  tarball = nodeRedHost.packTarball();
}, 120_000);
afterAll(async () => {
  for (const h of hosts) {
    await h.stop();
    h.cleanup();
  }
  await Promise.all([emu?.stop(), redis?.stop(), collector?.stop()]);
}, 60_000);

/** The same flows on both instances; each event is posted with the name of the instance that sent it. */
const flows = () => {
  const z = 'ha';
  const report = (id: string, port: string, y: number) => [
    {
      id,
      type: 'function',
      z,
      name: `report ${port}`,
      func: `return { payload: { event: msg.payload, instance: env.get('E2E_INSTANCE') }, headers: { 'content-type': 'application/json' } };`,
      outputs: 1,
      x: 600,
      y,
      wires: [[`${id}-post`]],
    },
    {
      id: `${id}-post`,
      type: 'http request',
      z,
      name: '',
      method: 'POST',
      ret: 'txt',
      paytoqs: 'ignore',
      url: `${collector.url}/${port}`,
      tls: '',
      persist: false,
      proxy: '',
      authType: '',
      senderr: false,
      headers: [],
      x: 800,
      y,
      wires: [[]],
    },
  ];
  return [
    { id: z, type: 'tab', label: 'e2e high availability' },
    {
      id: 'cfg',
      type: 'alicloud-mqtt-config',
      name: 'emulator',
      endpoint: emu.endpoint,
      sharedLimitUrl: '${E2E_REDIS_URL}',
      credentials: { accessKeyId: AK, accessKeySecret: SECRET },
    },
    {
      id: 'watch',
      type: 'alicloud-mqtt-watch',
      z,
      config: 'cfg',
      instanceId: INSTANCE,
      clientIds: DEVICES.join('\n'),
      mode: 'exact',
      interval: INTERVAL_S,
      eventOffline: true,
      eventOnline: true,
      offlineMinutes: 0,
      onlineMinutes: 0,
      reportInitial: false,
      store: '',
      x: 300,
      y: 100,
      wires: [['off'], ['on']],
    },
    ...report('off', 'offline', 100),
    ...report('on', 'online', 160),
  ];
};

const startInstance = async (name: string) => {
  // The spawned Node-RED takes its environment from ours at start.
  process.env.E2E_INSTANCE = name;
  process.env.E2E_REDIS_URL = redis.url;
  const host = await nodeRedHost.startNodeRed({ tarball, nodeRedDir: nodeRed4Dir(), nodeBinary: process.execPath });
  hosts.push(host);
  await host.deploy(flows());
  return host;
};

const events = (port: string) => collector.on(port) as Array<{ event: { clientId: string }; instance: string }>;
const countFor = (port: string, clientId: string) => events(port).filter((e) => e.event.clientId === clientId).length;

it('one event per disconnect from the leader only; the leader killed mid-run: the other takes over, nothing lost or doubled', async () => {
  const devices = new Map<string, Awaited<ReturnType<typeof connectMqtt>>>();
  for (const id of DEVICES) devices.set(id, await connectMqtt(emu.mqttUrl!, id));
  const a = await startInstance('A');
  const b = await startInstance('B');
  const byName = new Map([
    ['A', a],
    ['B', b],
  ]);
  // Both ran checks by now; the baseline holds every device online.
  await new Promise((r) => setTimeout(r, (INTERVAL_S + 2) * 1000));
  const drop = async (id: string) => {
    await new Promise<void>((r) => devices.get(id)!.end(true, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline(id), 5_000, `${id} offline`);
  };

  await drop(DEVICES[0]);
  await drop(DEVICES[1]);
  await collector.waitFor(
    () => countFor('offline', DEVICES[0]) >= 1 && countFor('offline', DEVICES[1]) >= 1,
    20_000,
    'two offline events',
  );
  const leaderName = events('offline')[0].instance;
  const followerName = leaderName === 'A' ? 'B' : 'A';
  expect(new Set(events('offline').map((e) => e.instance))).toEqual(new Set([leaderName]));

  // A drop, then at once the leader dies (no goodbye: its lease must run out).
  await drop(DEVICES[2]);
  byName.get(leaderName)!.child.kill('SIGKILL');
  const killedAt = Date.now();
  await collector.waitFor(
    () => countFor('offline', DEVICES[2]) >= 1,
    45_000,
    'the offline event of the device dropped as the leader died',
  );
  // After the takeover: another drop and a return, reported by the new leader.
  await collector.waitFor(
    () => events('offline').some((e) => e.instance === followerName) || Date.now() - killedAt > 25_000,
    30_000,
    'the takeover',
  );
  await drop(DEVICES[3]);
  devices.set(DEVICES[0], await connectMqtt(emu.mqttUrl!, DEVICES[0]));
  await collector.waitFor(
    () => countFor('offline', DEVICES[3]) >= 1 && countFor('online', DEVICES[0]) >= 1,
    20_000,
    'events after the takeover',
  );
  // Two more intervals: nothing repeats.
  await new Promise((r) => setTimeout(r, (2 * INTERVAL_S + 1) * 1000));

  for (const id of DEVICES.slice(0, 4)) expect(countFor('offline', id)).toBe(1);
  for (const id of DEVICES.slice(4)) expect(countFor('offline', id)).toBe(0);
  expect(countFor('online', DEVICES[0])).toBe(1);
  expect(events('online')).toHaveLength(1);
  expect(events('offline').find((e) => e.event.clientId === DEVICES[3])!.instance).toBe(followerName);
  expect(events('online')[0].instance).toBe(followerName);
  for (const d of devices.values()) d.end(true);
}, 240_000);
