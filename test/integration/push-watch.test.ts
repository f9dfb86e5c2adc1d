/**
 * Push presence through the one fleet watcher: the service's status events (the emulator's Cloud
 * SDK endpoint, real amqplib) become the watcher's events, with the same fields as polling gives;
 * confirmed by a status query unless told not to; a full poll after each (re)connect; a storm of
 * drops is one incident; an event is acknowledged only after its check saved.
 */
import { inspect } from 'node:util';
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import { DEFAULT_WATCH_OPTIONS, FleetWatcher, type QueryMode, type SavedWatch, type WatchCheckResult, type WatchOptions, type WatchStore } from '../../lib';
import { PushWatch, type PushWatchOptions } from '../../lib/watch/push-watch';
import { clientFor, connectMqtt, emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET, waitFor } from '../helpers/emulator';

const GROUP = 'GID_pw';
let emu: RunningEmulator;
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

function memoryStore(): WatchStore & { saved: SavedWatch | undefined } {
  const store = {
    saved: undefined as SavedWatch | undefined,
    load: async () => (store.saved ? (JSON.parse(JSON.stringify(store.saved)) as SavedWatch) : undefined),
    save: async (s: SavedWatch) => void (store.saved = JSON.parse(JSON.stringify(s)) as SavedWatch),
  };
  return store;
}

function pushWatch(clientIds: string[] | 'group', overrides: Partial<PushWatchOptions> = {}, options: Partial<WatchOptions> = {}, mode: QueryMode = 'exact') {
  const results: WatchCheckResult[] = [];
  const store = memoryStore();
  const watcher = new FleetWatcher({
    client: () => clientFor(emu),
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
const statusQueries = () => emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId' || e.action === 'BatchQuerySessionByClientIds').length;

it('a drop pushed: one "went offline" with the fields polling gives, confirmed by one query; coming back likewise', async () => {
  const ids = [`${GROUP}@@@a`, `${GROUP}@@@b`];
  for (const id of ids) devices.push(await connectMqtt(emu.mqttUrl!, id));
  const { watch, results, events } = pushWatch(ids);
  await watch.start();
  expect(inspect(watch, { depth: 8 })).not.toContain(SENTINEL_SECRET);
  await waitFor(() => results.length >= 1, 10_000, 'the first full check');
  // The connects of before the subscription are given too (the service keeps events): all handled.
  await waitFor(() => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0), 10_000, 'quiet');
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
  await waitFor(() => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0), 10_000, 'quiet');
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
  const { watch, results, events } = pushWatch(ids, { windowMs: 1000 }, { storm: { minDevices: 50, minPercent: 0, resolvePercent: 80 } }, 'batch');
  await watch.start();
  await waitFor(() => results.length === 1, 20_000, 'the first full check');
  for (const id of ids) emu.setDeviceOnline(id, false);
  await waitFor(() => results.some((r) => r.incidents.some((i) => i.event === 'incident')), 30_000, 'the incident');
  for (const id of ids) emu.setDeviceOnline(id, true);
  await waitFor(() => results.some((r) => r.incidents.some((i) => i.event === 'incident_resolved')), 30_000, 'the resolution');
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
  await waitFor(() => watch.idle && Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0 && q.waiting === 0), 10_000, 'drained');
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
  await waitFor(() => (store.saved?.override?.clientIds ?? []).includes(late) && watch.idle, 10_000, 'the late device watched');
  expect(events()).toEqual([`${early}:offline`]);
  devices[1].end();
  await waitFor(() => events().length === 2, 10_000, 'the late device dropping');
  await waitFor(() => watch.idle, 10_000, 'quiet');
  expect(events()).toEqual([`${early}:offline`, `${late}:offline`]);
  // Another group's device says nothing here (not subscribed), and the list is the group's devices.
  expect([...(store.saved?.override?.clientIds ?? [])].sort()).toEqual([early, late].sort());
});
