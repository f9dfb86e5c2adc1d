/**
 * The watcher both hosts use, against the emulator: one check at a time with overlapping requests
 * coalesced, and an override list that gives way when the configured list changes (the redeploy of
 * an edited node, whose context store kept the old override).
 */
import type { RunningEmulator } from '../../emulator';
import { DEFAULT_WATCH_OPTIONS, FleetWatcher, type WatchStore } from '../../lib/internal';
import { clientFor, connectMqtt, emulatorWithSentinel, waitFor } from '../helpers/emulator';
import { memoryStore } from '../helpers/memory-store';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttPort: false });
});
afterAll(async () => emu.stop());
beforeEach(() => emu.reset());

const watcherFor = (store: WatchStore, clientIds: string[]) =>
  new FleetWatcher({
    client: () => clientFor(emu),
    instanceId: INSTANCE,
    clientIds,
    options: { ...DEFAULT_WATCH_OPTIONS, reportInitialOffline: true },
    store,
  });
const checkedIds = () => [...new Set(emu.requestLog().flatMap((e) => e.clientIds))].sort();

describe('FleetWatcher', () => {
  it('five overlapping requests: two checks (the running one, then one for all that waited), events once', async () => {
    emu.setFaults({ latencyMs: 200 });
    const watcher = watcherFor(memoryStore(), ['GID_w@@@1', 'GID_w@@@2']);
    const results = await Promise.all(Array.from({ length: 5 }, () => watcher.check()));
    expect(emu.requestLog()).toHaveLength(4); // 2 checks x 2 devices
    // The four that waited share one result: the very same object, not merely an equal one.
    for (const result of results.slice(2)) expect(result).toBe(results[1]);
    expect(results[1]).not.toBe(results[0]);
    expect(results[0].events.map((e) => e.clientId).sort()).toEqual(['GID_w@@@1', 'GID_w@@@2']);
    expect(results[1].events).toEqual([]); // the second check reads the first one's state: no repeat
  });

  it('an override list is kept across checks, and dropped once the configured list changes', async () => {
    const store = memoryStore();
    await watcherFor(store, ['GID_cfg@@@a']).check({ clientIds: ['GID_sent@@@x'] });
    expect(checkedIds()).toEqual(['GID_sent@@@x']);
    emu.clearLog();
    await watcherFor(store, ['GID_cfg@@@a']).check(); // same configuration (a restart): the override holds
    expect(checkedIds()).toEqual(['GID_sent@@@x']);
    emu.clearLog();
    await watcherFor(store, ['GID_cfg@@@a', 'GID_cfg@@@b']).check(); // the user edited the list and redeployed
    expect(checkedIds()).toEqual(['GID_cfg@@@a', 'GID_cfg@@@b']);
    expect(store.saved?.override).toBeUndefined();
  });

  it('a failed check keeps the saved state and the override that came with it', async () => {
    const store = memoryStore();
    const watcher = watcherFor(store, ['GID_cfg@@@a']);
    await watcher.check();
    const before = store.saved?.state;
    emu.setFaults({ errors: [{ code: 'ParameterCheckFailed' }] });
    await expect(watcher.check({ clientIds: ['GID_sent@@@y'] })).rejects.toMatchObject({
      code: 'ParameterCheckFailed',
    });
    expect(store.saved?.state).toEqual(before);
    expect(store.saved?.override).toEqual({ clientIds: ['GID_sent@@@y'], replaces: ['GID_cfg@@@a'] });
  });
});

/**
 * A restart between a change that fired nothing and the next check, as n8n does it: the state
 * saved is the one of the last check that fired (n8n saves a poller's static data only then), and
 * the next check runs in another process. Real MQTT clients connect and drop; the watcher reads
 * the connection trace the emulator recorded.
 */
describe('FleetWatcher after a restart (the saved state older than the last check)', () => {
  let broker: RunningEmulator;
  beforeAll(async () => {
    broker = await emulatorWithSentinel();
  });
  afterAll(async () => broker.stop());
  beforeEach(() => broker.reset());

  const DEVICE = 'GID_restart@@@1';
  const traceQueries = () => broker.requestLog().filter((e) => e.action === 'QueryMqttTraceDevice').length;
  const watcher = (store: WatchStore, processId: string, events: { offline: boolean; online: boolean }) =>
    new FleetWatcher({
      client: () => clientFor(broker),
      instanceId: INSTANCE,
      clientIds: [DEVICE],
      options: { ...DEFAULT_WATCH_OPTIONS, events },
      store,
      processId,
    });
  const drop = async (device: import('mqtt').MqttClient) => {
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await waitFor(() => !broker.isDeviceOnline(DEVICE));
  };
  it('only "went offline" selected: a device that came back unseen by the saved state and dropped again fires once', async () => {
    const store = memoryStore();
    let device = await connectMqtt(broker.mqttUrl!, DEVICE);
    const before = watcher(store, 'process-1', { offline: true, online: false });
    await before.check(); // baseline: online
    await drop(device);
    expect((await before.check()).events.map((e) => e.event)).toEqual(['offline']);
    const savedAtTheEvent = structuredClone(store.saved);
    device = await connectMqtt(broker.mqttUrl!, DEVICE);
    expect((await before.check()).events).toEqual([]); // came back: not selected, and (in n8n) not saved
    store.saved = savedAtTheEvent; // n8n restarts: what it saved is the state of the last event
    await drop(device);
    broker.clearLog();
    const after = await watcher(store, 'process-2', { offline: true, online: false }).check();
    expect(after.events).toEqual([
      expect.objectContaining({ clientId: DEVICE, event: 'offline', previousOnline: true }),
    ]);
    expect(after.reconciled).toEqual({ checked: 1, changed: [DEVICE], failed: [] });
    expect(traceQueries()).toBe(1);
  }, 30_000);

  it('an outage that went on across the restart fires nothing more; the same process never reads the trace', async () => {
    const store = memoryStore();
    const device = await connectMqtt(broker.mqttUrl!, DEVICE);
    const before = watcher(store, 'process-1', { offline: true, online: false });
    await before.check();
    await drop(device);
    expect((await before.check()).events).toHaveLength(1);
    broker.clearLog();
    expect((await before.check()).events).toEqual([]);
    expect(traceQueries()).toBe(0);
    const after = await watcher(store, 'process-2', { offline: true, online: false }).check();
    expect(after.events).toEqual([]);
    expect(after.reconciled).toEqual({ checked: 1, changed: [], failed: [] });
    // The next check of the new process is an ordinary one.
    broker.clearLog();
    await watcher(store, 'process-2', { offline: true, online: false }).check();
    expect(traceQueries()).toBe(0);
  }, 30_000);

  it('only "came online" selected: a drop and return hidden from the saved state fires "came online" once', async () => {
    const store = memoryStore();
    let device = await connectMqtt(broker.mqttUrl!, DEVICE);
    const before = watcher(store, 'process-1', { offline: false, online: true });
    await drop(device);
    await before.check(); // baseline: offline
    device = await connectMqtt(broker.mqttUrl!, DEVICE);
    expect((await before.check()).events.map((e) => e.event)).toEqual(['online']);
    const savedAtTheEvent = structuredClone(store.saved);
    await drop(device);
    expect((await before.check()).events).toEqual([]); // went offline: not selected
    store.saved = savedAtTheEvent;
    device = await connectMqtt(broker.mqttUrl!, DEVICE);
    const after = await watcher(store, 'process-2', { offline: false, online: true }).check();
    expect(after.events).toEqual([expect.objectContaining({ event: 'online', previousOnline: false })]);
    await drop(device);
  }, 30_000);

  it('a trace that cannot be read keeps the saved state and says which device', async () => {
    const store = memoryStore();
    const device = await connectMqtt(broker.mqttUrl!, DEVICE);
    const before = watcher(store, 'process-1', { offline: true, online: false });
    await before.check();
    await drop(device);
    await before.check();
    const saved = structuredClone(store.saved);
    broker.setFaults({ errors: [{ code: 'InvalidAccessKeyId.NotFound', action: 'QueryMqttTraceDevice' }] });
    const after = await watcher(store, 'process-2', { offline: true, online: false }).check();
    expect(after.events).toEqual([]);
    expect(after.reconciled).toEqual({ checked: 1, changed: [], failed: [DEVICE] });
    expect(store.saved?.state?.devices).toEqual(saved?.state?.devices);
  }, 30_000);

  it('with both events selected no trace is read: every change that matters fired, and so was saved', async () => {
    const store = memoryStore();
    const device = await connectMqtt(broker.mqttUrl!, DEVICE);
    await watcher(store, 'process-1', DEFAULT_WATCH_OPTIONS.events).check();
    await drop(device);
    broker.clearLog();
    const after = await watcher(store, 'process-2', DEFAULT_WATCH_OPTIONS.events).check();
    expect(after.events.map((e) => e.event)).toEqual(['offline']);
    expect(after.reconciled).toBeUndefined();
    expect(traceQueries()).toBe(0);
  }, 30_000);
});
