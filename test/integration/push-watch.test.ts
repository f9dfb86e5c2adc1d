/**
 * Push presence through the one fleet watcher: the service's status events (the emulator's Cloud
 * SDK endpoint, real amqplib) become the watcher's events, with the same fields as polling gives;
 * confirmed by a status query unless told not to; a full poll after each (re)connect; a storm of
 * drops is one incident; an event is acknowledged only after its check saved.
 */
import { inspect } from 'node:util';
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import {
  DEFAULT_WATCH_OPTIONS,
  FleetWatcher,
  type QueryMode,
  type WatchCheckResult,
  type WatchOptions,
} from '../../lib/internal';
import { PushWatch, type PushWatchOptions } from '../../lib/watch/push-watch';
import {
  clientFor,
  connectMqtt,
  emulatorWithSentinel,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';
import { latencyProxy, type LatencyProxy } from '../../bench/hostile';
import { memoryStore } from '../helpers/memory-store';

const GROUP = 'GID_pw';
let emu: RunningEmulator;
/** Where the watchers' status queries go: the emulator, or a latency proxy in front of it. */
let apiEndpoint: string | undefined;
const watches: PushWatch[] = [];
const devices: MqttClient[] = [];

beforeAll(async () => {
  emu = await emulatorWithSentinel({ amqpPort: 0 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());
afterEach(async () => {
  for (const d of devices.splice(0)) d.end(true);
  await Promise.all(watches.splice(0).map((w) => w.stop()));
});

function pushWatch(
  clientIds: string[] | 'group',
  overrides: Partial<PushWatchOptions> = {},
  options: Partial<WatchOptions> = {},
  mode: QueryMode = 'exact',
) {
  const results: WatchCheckResult[] = [];
  const store = memoryStore();
  const watcher = new FleetWatcher({
    client: () => clientFor(emu, apiEndpoint ? { endpoint: apiEndpoint } : {}),
    instanceId: emu.instanceId,
    clientIds: clientIds === 'group' ? [] : clientIds,
    mode,
    options: { ...DEFAULT_WATCH_OPTIONS, ...options },
    store,
  });
  const watch = new PushWatch({
    watcher,
    clientIds,
    windowMs: 200,
    safetyPollMs: 0,
    subscription: {
      instanceId: emu.instanceId,
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
      groupIds: [GROUP],
      endpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
      reconnect: { baseDelayMs: 50, maxDelayMs: 200 },
    },
    deliver: (r) => void results.push(r),
    ...overrides,
  });
  watches.push(watch);
  const events = () => results.flatMap((r) => r.events);
  return { watch, watcher, results, events, store };
}
const statusQueries = () =>
  emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId' || e.action === 'BatchQuerySessionByClientIds')
    .length;

it('a drop pushed: one "went offline" with the fields polling gives, confirmed by one query; coming back likewise', async () => {
  const ids = [`${GROUP}@@@a`, `${GROUP}@@@b`];
  for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { watch, results, events } = pushWatch(ids);
  await watch.start();
  expect(inspect(watch, { depth: 8 })).not.toContain(SENTINEL_SECRET);
  await waitFor(() => results.length >= 1, 10_000, 'the first full check');
  // The connects of before the subscription are given too (the service keeps events): all handled.
  await waitFor(
    () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
    10_000,
    'quiet',
  );
  const afterFirst = statusQueries();
  (devices[0] as unknown as { stream: { destroy(): void } }).stream.destroy();
  await waitFor(() => events().length === 1, 10_000, 'the drop');
  expect(events()[0]).toMatchObject({ clientId: ids[0], event: 'offline', online: false, previousOnline: true });
  expect(statusQueries() - afterFirst).toBe(1); // the confirmation of that one device
  // The same fields as a polled check's event of the same kind.
  const other = 'GID_polled@@@c'; // another group: push says nothing of it
  const polled = new FleetWatcher({
    client: () => clientFor(emu),
    instanceId: emu.instanceId,
    clientIds: [other],
    options: DEFAULT_WATCH_OPTIONS,
    store: memoryStore(),
  });
  emu.setDeviceOnline(other, true);
  await polled.check();
  emu.setDeviceOnline(other, false);
  const polledEvent = (await polled.check()).events[0];
  expect(Object.keys(events()[0]).sort()).toEqual(Object.keys(polledEvent).sort());
  devices[0] = await connectMqtt(emu.mqttUrl!, ids[0]);
  await waitFor(() => events().length >= 2, 10_000, 'the return');
  await waitFor(() => watch.idle, 10_000, 'quiet');
  // Exactly these two: the device that stayed fires nothing.
  expect(events().map((e) => `${e.clientId}:${e.event}`)).toEqual([`${ids[0]}:offline`, `${ids[0]}:online`]);
});

it('confirmation off: the pushed state counts as observed, no status query for it', async () => {
  const id = `${GROUP}@@@noconfirm`;
  devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { watch, results, events } = pushWatch([id], { confirm: false });
  await watch.start();
  await waitFor(() => results.length >= 1, 10_000, 'the first full check');
  await waitFor(
    () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
    10_000,
    'quiet',
  );
  const before = statusQueries();
  devices[0].end();
  await waitFor(() => events().length === 1, 10_000, 'the drop');
  expect(events()[0]).toMatchObject({ clientId: id, event: 'offline' });
  expect(statusQueries()).toBe(before);
});

it('1,000 devices dropping at once: one incident, no ticket each; their return resolves it once', async () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `${GROUP}@@@storm-${i}`);
  for (const id of ids) emu.setDeviceOnline(id, true);
  // Confirmed in batch mode (10 per request), as a fleet this size is best checked.
  const { watch, results, events } = pushWatch(
    ids,
    { windowMs: 1000 },
    { storm: { minDevices: 50, minPercent: 0, resolvePercent: 80 } },
    'batch',
  );
  await watch.start();
  await waitFor(() => results.length === 1, 20_000, 'the first full check');
  for (const id of ids) emu.setDeviceOnline(id, false);
  await waitFor(() => results.some((r) => r.incidents.some((i) => i.event === 'incident')), 30_000, 'the incident');
  for (const id of ids) emu.setDeviceOnline(id, true);
  await waitFor(
    () => results.some((r) => r.incidents.some((i) => i.event === 'incident_resolved')),
    30_000,
    'the resolution',
  );
  const incidents = results.flatMap((r) => r.incidents);
  expect(incidents.map((i) => i.event)).toEqual(['incident', 'incident_resolved']);
  expect(events()).toEqual([]);
}, 90_000);

it('the AMQP connection gone for 10 s while two devices change: after the reconnect the full re-poll finds both, once each', async () => {
  const ids = [`${GROUP}@@@gap-1`, `${GROUP}@@@gap-2`];
  for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { watch, results, events } = pushWatch(ids);
  await watch.start();
  await waitFor(() => results.length === 1, 10_000, 'the first full check');
  // Nothing of before left to hand on (the devices' own connects): on a slow machine they could
  // still be checked inside the gap.
  await waitFor(
    () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
    10_000,
    'quiet',
  );
  // The endpoint refuses logins for a while and drops what is connected: the events of the gap
  // pile up at the service, and the re-poll after the reconnect sees the devices first.
  emu.cloudSdk!.setFaults({ refuseLogin: true });
  emu.cloudSdk!.dropConnections();
  await waitFor(() => !watch.connected, 5000, 'the drop');
  const goneAt = Date.now();
  for (const d of devices) d.end();
  await waitFor(() => ids.every((id) => !emu.isDeviceOnline(id)), 5000, 'both offline');
  await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - goneAt))));
  expect(events()).toEqual([]); // nothing heard meanwhile
  emu.cloudSdk!.setFaults({});
  await waitFor(() => events().length >= 2, 20_000, 'both found');
  await new Promise((r) => setTimeout(r, 1000));
  expect(
    events()
      .map((e) => `${e.clientId}:${e.event}`)
      .sort(),
  ).toEqual(ids.map((id) => `${id}:offline`));
  expect(watch.counts.full).toBeGreaterThanOrEqual(2);
}, 40_000);

it('a hand-off that fails: the event is not acknowledged, comes again, and fires once it is saved', async () => {
  const id = `${GROUP}@@@crash`;
  devices.push(await connectMqtt(emu.mqttUrl!, id));
  let failNext = false;
  const delivered: string[] = [];
  const { watch, results } = pushWatch([id], {
    deliver: (r) => {
      if (failNext && r.events.length > 0) {
        failNext = false;
        throw new Error('the host could not emit');
      }
      delivered.push(...r.events.map((e) => `${e.clientId}:${e.event}`));
      results.push(r);
    },
  });
  await watch.start();
  await waitFor(() => results.length >= 1, 10_000, 'the first full check');
  failNext = true;
  devices[0].end();
  await waitFor(() => delivered.length === 1, 20_000, 'the drop, at the second try');
  await new Promise((r) => setTimeout(r, 1000));
  expect(delivered).toEqual([`${id}:offline`]);
  expect(Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0)).toBe(true);
});

/** Consumes (and acknowledges) every status event the service holds, so that what follows is heard live only. */
async function drainBacklog(): Promise<void> {
  const { watch, results } = pushWatch([`${GROUP}@@@drain`]);
  await watch.start();
  await waitFor(() => results.length >= 1, 10_000, 'the drain');
  await waitFor(
    () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
    10_000,
    'drained',
  );
  await watch.stop();
}

it.each([true, false])(
  'a device connected before the subscription (its connect never heard): its drop is one event (confirmation %s: queried either way)',
  async (confirm) => {
    const id = `${GROUP}@@@before-${confirm}`;
    devices.push(await connectMqtt(emu.mqttUrl!, id));
    await drainBacklog();
    const { watch, results, events } = pushWatch([id], { confirm });
    await watch.start();
    await waitFor(() => results.length >= 1 && watch.idle, 10_000, 'the first full check');
    expect(events()).toEqual([]);
    const before = statusQueries();
    (devices[0] as unknown as { stream: { destroy(): void } }).stream.destroy();
    await waitFor(() => events().length === 1, 10_000, 'the drop');
    expect(events()[0]).toMatchObject({ clientId: id, event: 'offline', previousOnline: true });
    // Push saw an end only: it cannot tell this from a stale channel, so the service is asked.
    expect(statusQueries() - before).toBe(1);
  },
);

it('every device of the group, without a list: each device is watched from the first event of it, and the list is kept with the state', async () => {
  const early = `${GROUP}@@@early`;
  devices.push(await connectMqtt(emu.mqttUrl!, early));
  await drainBacklog();
  const { watch, results, store } = pushWatch('group', {}, { reportInitialOffline: true });
  const events = () => results.flatMap((r) => r.events).map((e) => `${e.clientId}:${e.event}`);
  await watch.start();
  await waitFor(() => results.length >= 1 && watch.idle, 10_000, 'the first (empty) full check');
  // Heard of first by its drop (it connected before): one offline event.
  devices[0].end();
  await waitFor(() => events().length === 1, 10_000, 'the early device dropping');
  // A new device connecting is watched from then on (no event: it is online), its drop is one event.
  const late = `${GROUP}@@@late`;
  devices.push(await connectMqtt(emu.mqttUrl!, late));
  await waitFor(
    () => (store.saved?.override?.clientIds ?? []).includes(late) && watch.idle,
    10_000,
    'the late device watched',
  );
  expect(events()).toEqual([`${early}:offline`]);
  devices[1].end();
  await waitFor(() => events().length === 2, 10_000, 'the late device dropping');
  await waitFor(() => watch.idle, 10_000, 'quiet');
  expect(events()).toEqual([`${early}:offline`, `${late}:offline`]);
  // Another group's device says nothing here (not subscribed), and the list is the group's devices.
  expect([...(store.saved?.override?.clientIds ?? [])].sort()).toEqual([early, late].sort());
});

describe('events racing the checks they trigger (the service 300 ms away each way)', () => {
  // The service reads the device's state when the query arrives and its answer takes as long
  // again to come back: an event of the device in between must not be compared with that answer's
  // predecessor (it was: the return, or the second drop, was acknowledged and forgotten).
  let proxy: LatencyProxy;
  beforeAll(async () => {
    proxy = await latencyProxy({ host: '127.0.0.1', port: Number(new URL(emu.endpoint).port) }, 300);
    apiEndpoint = `http://127.0.0.1:${proxy.port}`;
  });
  afterAll(async () => {
    apiEndpoint = undefined;
    await proxy.close();
  });
  const drop = (d: MqttClient) => (d as unknown as { stream: { destroy(): void } }).stream.destroy();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Waits until the watch and the endpoint have nothing left to do. */
  const quiet = (watch: PushWatch) =>
    waitFor(
      () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
      20_000,
      'quiet',
    );
  const savedOnline = (store: ReturnType<typeof memoryStore>, id: string) => store.saved?.state?.devices?.[id]?.online;

  it('a device drops and returns 600 ms later, its confirmation answered after that: once quiet, the watcher believes it online', async () => {
    const id = `${GROUP}@@@race-1`;
    devices.push(await connectMqtt(emu.mqttUrl!, id));
    const { watch, results, events, store } = pushWatch([id]);
    await watch.start();
    await waitFor(() => results.length >= 1, 10_000, 'the first full check');
    await quiet(watch);
    drop(devices[0]);
    await sleep(600);
    devices[0] = await connectMqtt(emu.mqttUrl!, id);
    await sleep(300);
    await quiet(watch);
    const kinds = events().map((e) => e.event);
    // Whatever the checks caught of it: alternating, and ending where the service is.
    expect(['', 'offline,online']).toContain(kinds.join(','));
    expect(savedOnline(store, id)).toBe(true);
  }, 40_000);

  it('drop (reported), return, drop again 550 ms later: the second outage is reported too', async () => {
    const id = `${GROUP}@@@race-2`;
    devices.push(await connectMqtt(emu.mqttUrl!, id));
    const { watch, results, events, store } = pushWatch([id]);
    await watch.start();
    await waitFor(() => results.length >= 1, 10_000, 'the first full check');
    await quiet(watch);
    drop(devices[0]);
    await waitFor(() => events().length === 1, 10_000, 'the first drop');
    devices[0] = await connectMqtt(emu.mqttUrl!, id);
    await sleep(550);
    drop(devices[0]);
    await sleep(300);
    await quiet(watch);
    const kinds = events().map((e) => e.event);
    expect(kinds[0]).toBe('offline');
    expect(kinds.at(-1)).toBe('offline');
    kinds.forEach((k, i) => i > 0 && expect(k).not.toBe(kinds[i - 1]));
    expect(savedOnline(store, id)).toBe(false);
  }, 40_000);

  it('600 devices behind a gateway drop; the gateway returns while the confirmations are answered: once quiet, all 600 believed online', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `${GROUP}@@@gw-${i}`);
    for (const id of ids) emu.setDeviceOnline(id, true);
    const { watch, results, events, store } = pushWatch(ids, {}, {}, 'batch');
    // Their connects, as push gives them (the devices are simulated, not MQTT clients here).
    await watch.start();
    await waitFor(() => results.length >= 1, 10_000, 'the first full check');
    await quiet(watch);
    const at = Date.now();
    const before = statusQueries();
    for (const [i, id] of ids.entries()) {
      emu.setDeviceOnline(id, false);
      emu.cloudSdk!.publishStatus({
        clientId: id,
        channelId: `ch-${i}`,
        eventType: 'tcpclean',
        time: at,
        clientIp: '127.0.0.1',
      });
    }
    // Back while the confirmations are under way.
    // The first confirmation has reached the service (it answers "offline", 300 ms from here).
    await waitFor(() => statusQueries() > before, 10_000, 'the confirmations reached the service');
    for (const [i, id] of ids.entries()) {
      emu.setDeviceOnline(id, true);
      emu.cloudSdk!.publishStatus({
        clientId: id,
        channelId: `ch2-${i}`,
        eventType: 'connect',
        time: at + 1,
        clientIp: '127.0.0.1',
      });
    }
    await sleep(500);
    await quiet(watch);
    expect(ids.filter((id) => savedOnline(store, id) !== true)).toEqual([]);
    // Every device's events alternate and end online.
    const byDevice = new Map<string, string[]>();
    for (const e of events()) byDevice.set(e.clientId, [...(byDevice.get(e.clientId) ?? []), e.event]);
    for (const kinds of byDevice.values()) {
      expect(kinds.at(-1)).toBe('online');
      kinds.forEach((k, i) => i > 0 && expect(k).not.toBe(kinds[i - 1]));
    }
  }, 60_000);
});

describe('what a watch keeps and how it starts and stops', () => {
  it('every device of the group: a Client ID the API would refuse is read as malformed, acknowledged once, never watched; the valid device of its window is', async () => {
    const malformed: string[] = [];
    const { watch, results, events, store } = pushWatch(
      'group',
      { onMalformed: (kind) => void malformed.push(kind) },
      { reportInitialOffline: true },
    );
    await watch.start();
    await waitFor(() => results.length >= 1, 10_000, 'the first full check');
    const at = Date.now();
    const bad = [`${GROUP}@@@${'x'.repeat(10_000)}`, `${GROUP}@@@line\nbreak`, `${GROUP}@@@half\uD800`];
    for (const [i, clientId] of bad.entries()) {
      emu.cloudSdk!.publishStatusBody(
        GROUP,
        JSON.stringify({ clientId, channelId: `bad-${i}`, eventType: 'tcpclean', time: at, clientIp: '127.0.0.1' }),
      );
    }
    const good = `${GROUP}@@@good`;
    emu.cloudSdk!.publishStatus({
      clientId: good,
      channelId: 'good-1',
      eventType: 'tcpclean',
      time: at,
      clientIp: '127.0.0.1',
    });
    await waitFor(() => events().length === 1, 10_000, 'the valid drop');
    await waitFor(
      () => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
      10_000,
      'quiet',
    );
    expect(events()[0]).toMatchObject({ clientId: good, event: 'offline' });
    expect(malformed).toEqual(['invalid-client-id']);
    expect(watch.connected).toBe(true);
    expect(JSON.stringify(store.saved)).not.toContain('x'.repeat(100));
    expect(JSON.stringify(store.saved)).toContain(good);
  });

  it('20,000 connect/close pairs of 500 devices it does not watch leave nothing in memory; ended channels of watched ones are purged', async () => {
    const id = `${GROUP}@@@kept`;
    const { watch, results } = pushWatch([id]);
    await watch.start();
    await waitFor(() => results.length >= 1, 10_000, 'the first full check');
    const at = Date.now();
    for (let i = 0; i < 20_000; i++) {
      const clientId = `${GROUP}@@@other-${i % 500}`;
      emu.cloudSdk!.publishStatus({
        clientId,
        channelId: `o-${i}`,
        eventType: i % 2 ? 'tcpclean' : 'connect',
        time: at + i,
        clientIp: '127.0.0.1',
      });
    }
    await waitFor(
      () => Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0),
      30_000,
      'all acknowledged',
    );
    expect(watch.counts.events).toBeGreaterThanOrEqual(20_000);
    expect(watch.presence.size).toBe(0);

    const group = pushWatch('group', { purgeAfterMs: 200 });
    await group.watch.start();
    await waitFor(() => group.results.length >= 1, 10_000, 'the first full check');
    for (let i = 0; i < 50; i++) {
      for (const eventType of ['connect', 'tcpclean'] as const) {
        emu.cloudSdk!.publishStatus({
          clientId: `${GROUP}@@@short-${i}`,
          channelId: `s-${i}`,
          eventType,
          time: Date.now(),
          clientIp: '127.0.0.1',
        });
      }
    }
    await waitFor(() => group.watch.presence.size > 0, 10_000, 'heard of');
    await waitFor(() => group.watch.presence.size === 0, 10_000, 'purged');
  }, 60_000);

  it('an endpoint out of reach: start() rejects with why (and keeps trying until stopped); stopped before it ever connected, start() resolves', async () => {
    const { createServer } = await import('node:net');
    // A port that accepts and never speaks AMQP: the login never completes.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const closedPort = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => r(port));
      });
    });
    try {
      const errors: string[] = [];
      const unreachable = pushWatch([`${GROUP}@@@x`], {
        onError: (e) => void errors.push((e as { code?: string }).code ?? ''),
        subscription: {
          instanceId: emu.instanceId,
          accessKeyId: SENTINEL_ACCESS_KEY_ID,
          accessKeySecret: SENTINEL_SECRET,
          groupIds: [GROUP],
          endpoint: `amqp://127.0.0.1:${closedPort}`,
          reconnect: { baseDelayMs: 20, maxDelayMs: 50 },
        },
      });
      await expect(unreachable.watch.start()).rejects.toMatchObject({ code: 'CloudSdkUnreachable' });
      await waitFor(() => errors.length >= 3, 10_000, 'still trying');
      await unreachable.watch.stop();
      const after = errors.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(errors.length).toBe(after);

      const hanging = pushWatch([`${GROUP}@@@y`], {
        subscription: {
          instanceId: emu.instanceId,
          accessKeyId: SENTINEL_ACCESS_KEY_ID,
          accessKeySecret: SENTINEL_SECRET,
          groupIds: [GROUP],
          endpoint: `amqp://127.0.0.1:${(silent.address() as { port: number }).port}`,
        },
      });
      let settled = false;
      const starting = hanging.watch.start().then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await hanging.watch.stop();
      await starting;
      expect(settled).toBe(true);
    } finally {
      silent.close();
    }
  }, 30_000);
});

it('two watches of one group in one process (pumps 0-9 and 10-19): one login, each sees every change of its own devices', async () => {
  const first = Array.from({ length: 10 }, (_, i) => `${GROUP}@@@pump-${i}`);
  const second = Array.from({ length: 10 }, (_, i) => `${GROUP}@@@pump-${10 + i}`);
  for (const id of [...first, ...second]) emu.setDeviceOnline(id, true);
  const a = pushWatch(first);
  const b = pushWatch(second);
  const loginsBefore = emu.cloudSdk!.logins().filter((l) => l.ok).length;
  await a.watch.start();
  await b.watch.start();
  await waitFor(() => a.results.length >= 1 && b.results.length >= 1, 10_000, 'both first checks');
  await waitFor(() => a.watch.idle && b.watch.idle, 10_000, 'quiet');
  expect(emu.cloudSdk!.logins().filter((l) => l.ok).length - loginsBefore).toBe(1);
  const at = Date.now();
  for (const [i, id] of [...first, ...second].entries()) {
    emu.setDeviceOnline(id, false);
    emu.cloudSdk!.publishStatus({
      clientId: id,
      channelId: `p-${i}`,
      eventType: 'tcpclean',
      time: at,
      clientIp: '127.0.0.1',
    });
  }
  await waitFor(() => a.events().length === 10 && b.events().length === 10, 10_000, 'every drop, in both');
  expect(
    a
      .events()
      .map((e) => e.clientId)
      .sort(),
  ).toEqual([...first].sort());
  expect(
    b
      .events()
      .map((e) => e.clientId)
      .sort(),
  ).toEqual([...second].sort());
  await a.watch.stop();
  // The other keeps the connection.
  expect(b.watch.connected).toBe(true);
});
