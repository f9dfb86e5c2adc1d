/**
 * Fleet health against the emulator with real MQTT connections: a scripted schedule of devices
 * connecting and dropping, checked on a scripted clock (one check a minute), so that every figure
 * has an exact ground truth: the schedule. Flapping is held back (one `flapping`, one
 * `flapping_stopped`, no per-outage events between), availability, outages, MTTR and MTBF equal
 * the schedule's (the detection lag is zero here because the clock only moves between checks), an
 * acknowledged alarm stays acknowledged across a check and a restart, and a burn-rate alert fires
 * once and recovers once.
 */
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import {
  DEFAULT_WATCH_OPTIONS,
  FleetWatcher,
  reportSvg,
  type AlarmEvent,
  type HealthNotice,
  type WatchCheckResult,
  type WatchOptions,
} from '../../lib/internal';
import { clientFor, connectMqtt, emulatorWithSentinel, waitFor } from '../helpers/emulator';
import { memoryStore } from '../helpers/memory-store';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');
beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(async () => emu.stop());

const STEADY = 'GID_health@@@steady';
const OUTAGES = 'GID_health@@@outages';
const FLAPPER = 'GID_health@@@flapper';
const DEVICES = [STEADY, OUTAGES, FLAPPER];

/** The schedule: whether each device is connected at check `step` (one a minute from T0). */
function scheduled(device: string, step: number): boolean {
  if (device === OUTAGES) return !((step >= 5 && step <= 9) || (step >= 35 && step <= 37));
  if (device === FLAPPER) return step < 2 || step > 14 || step % 2 === 1;
  return true;
}

/** Connects and drops the real MQTT clients to match the schedule, and waits until the broker agrees. */
async function apply(connections: Map<string, MqttClient>, step: number): Promise<void> {
  for (const id of DEVICES) {
    const want = scheduled(id, step);
    const have = connections.get(id);
    if (want && !have) connections.set(id, await connectMqtt(emu.mqttUrl!, id));
    if (!want && have) {
      await new Promise<void>((r) => have.end(false, {}, () => r()));
      connections.delete(id);
    }
    await waitFor(() => emu.isDeviceOnline(id) === want, 5000, `${id} ${want ? 'online' : 'offline'} at the broker`);
  }
}

const OPTIONS: WatchOptions = {
  ...DEFAULT_WATCH_OPTIONS,
  flapping: { highPercent: 20, lowPercent: 5 },
  alarms: { severity: 'minor', criticalDevices: [STEADY], majorAfterMs: 3 * MINUTE },
  budgets: { targets: [{ group: 'GID_health', targetPercent: 99.5 }], lookbackMs: 60 * MINUTE, burnRateAlert: 14.4 },
};

describe('fleet health on a scripted schedule (emulator, real MQTT)', () => {
  const store = memoryStore();
  let clock = T0;
  const results: WatchCheckResult[] = [];
  const connections = new Map<string, MqttClient>();
  const watcherFor = (processId: string) =>
    new FleetWatcher({
      client: () => clientFor(emu),
      instanceId: INSTANCE,
      clientIds: DEVICES,
      options: OPTIONS,
      store,
      now: () => clock,
      processId,
    });
  const watcher = watcherFor('first');
  const LAST_STEP = 40;

  beforeAll(async () => {
    for (let step = 0; step <= LAST_STEP; step++) {
      clock = T0 + step * MINUTE;
      await apply(connections, step);
      results.push(await watcher.check());
    }
  }, 120_000);
  afterAll(() => {
    for (const c of connections.values()) c.end(true);
  });

  const eventsOf = (id: string) =>
    results.flatMap((r) => [...r.events, ...r.health].filter((e) => 'clientId' in e && e.clientId === id));

  it('a flapping device gives one `flapping` and one `flapping_stopped`, and no per-outage event between', () => {
    const kinds = eventsOf(FLAPPER).map((e) => e.event);
    expect(kinds).toEqual(['offline', 'online', 'offline', 'flapping', 'flapping_stopped']);
    const stopped = eventsOf(FLAPPER).find((e) => e.event === 'flapping_stopped');
    expect(stopped).toMatchObject({ online: true, clientId: FLAPPER });
    const started = eventsOf(FLAPPER).find((e) => e.event === 'flapping') as HealthNotice & {
      percentStateChange: number;
    };
    expect(started.percentStateChange).toBeGreaterThanOrEqual(20);
  });

  it('a device with two separate outages is not flapping: four events, each with its alarm', () => {
    const events = eventsOf(OUTAGES);
    expect(events.map((e) => `${e.event}@${(Date.parse((e as { since: string }).since) - T0) / MINUTE}`)).toEqual([
      'offline@5',
      'online@10',
      'offline@35',
      'online@38',
    ]);
    const [firstDrop, firstReturn] = events as Array<{ alarm?: { key: string; active: boolean } }>;
    expect(firstDrop.alarm?.key).toBe(firstReturn.alarm?.key);
    expect(firstReturn.alarm?.active).toBe(false);
    expect(eventsOf(STEADY)).toEqual([]);
  });

  it('availability, outages, MTTR, MTBF and the longest outage equal the schedule', async () => {
    const end = T0 + LAST_STEP * MINUTE;
    const report = await watcher.report({ window: { from: T0, to: end } });
    const outages = report.devices.find((d) => d.clientId === OUTAGES)!;
    // Down from first seen offline to first seen online: minutes 5-10 and 35-38.
    expect(outages).toMatchObject({ downMs: 8 * MINUTE, upMs: 32 * MINUTE, unknownMs: 0, outages: 2, recovered: 2 });
    expect(outages.mttrMs).toBe(4 * MINUTE);
    expect(outages.mtbfMs).toBe(16 * MINUTE);
    expect(outages.longestOutageMs).toBe(5 * MINUTE);
    expect(outages.availabilityPercent).toBe(80);
    const flapper = report.devices.find((d) => d.clientId === FLAPPER)!;
    // Offline at the even minutes 2..14: seven one-minute outages (the confirmed state follows the checks).
    expect(flapper).toMatchObject({ downMs: 7 * MINUTE, outages: 7, recovered: 7, longestOutageMs: MINUTE });
    expect(report.devices.find((d) => d.clientId === STEADY)).toMatchObject({
      downMs: 0,
      outages: 0,
      availabilityPercent: 100,
    });
    for (const d of report.devices) expect(d.upMs + d.downMs + d.unknownMs).toBe(d.windowMs);
    const group = report.groups.find((g) => g.group === 'GID_health')!;
    expect(group).toMatchObject({ devices: 3, downMs: 15 * MINUTE, outages: 9 });
    expect(report.detection).toMatch(/1\.5 x its keepalive/);
    const svg = reportSvg({ ...(await watcher.report({ window: { from: T0, to: end }, timelines: true })) });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(FLAPPER);
  });

  it('a burn-rate alert fires once, and recovers once after a quiet spell', async () => {
    const before = results.flatMap((r) =>
      r.health.filter((e) => e.event === 'budget_burn' || e.event === 'budget_recovered'),
    );
    expect(before.map((e) => e.event)).toEqual(['budget_burn']);
    clock = T0 + (LAST_STEP + 120) * MINUTE;
    const quiet = await watcher.check();
    expect(quiet.health.filter((e) => e.event.startsWith('budget_')).map((e) => e.event)).toEqual(['budget_recovered']);
    clock += MINUTE;
    expect((await watcher.check()).health.filter((e) => e.event.startsWith('budget_'))).toEqual([]);
  });

  it('an acknowledged alarm stays acknowledged across a check and a restart; severity rules apply', async () => {
    const all = await watcher.alarm({ action: 'list', filter: {} });
    const flapping = all.alarms!.find((a) => a.type === 'flapping')!;
    expect(flapping).toMatchObject({ active: false, clearedBy: 'device', source: FLAPPER, severity: 'minor' });
    const outage = all.alarms!.find((a) => a.type === 'outage' && a.source === OUTAGES)!;
    // Lasted five minutes: raised to major after three.
    expect(all.alarms!.filter((a) => a.source === OUTAGES).map((a) => a.severity)).toEqual(['minor', 'major']);
    const delivered: AlarmEvent[] = [];
    const acked = await watcher.alarm(
      { action: 'acknowledge', key: outage.key, by: 'ops@example.com' },
      (e) => void delivered.push(e),
    );
    expect(acked.alarm).toMatchObject({ acknowledged: true, acknowledgedBy: 'ops@example.com', status: 'CLEARED_ACK' });
    expect(delivered.map((e) => e.change)).toEqual(['acknowledged']);
    // A second acknowledgement changes nothing and hands nothing on.
    expect((await watcher.alarm({ action: 'acknowledge', key: outage.key, by: 'someone else' })).event).toBeUndefined();
    clock += MINUTE;
    await watcher.check();
    const restarted = watcherFor('second');
    clock += MINUTE;
    await restarted.check();
    const after = await restarted.alarm({ action: 'list', filter: { acknowledged: true } });
    expect(after.alarms!.map((a) => [a.key, a.acknowledgedBy])).toEqual([[outage.key, 'ops@example.com']]);
    expect((await restarted.alarm({ action: 'acknowledge', key: 'outage:nope' })).alarm).toBeUndefined();
  });
});

describe('flapping by push: the same as by polling', () => {
  const PUSH_STEADY = 'GID_push@@@steady';
  const PUSH_FLAPPER = 'GID_push@@@flapper';
  it('presence pushed without confirmation (partial checks of the devices heard of) holds a flapping device back alike', async () => {
    const store = memoryStore();
    let clock = T0;
    const watcher = new FleetWatcher({
      client: () => clientFor(emu),
      instanceId: INSTANCE,
      clientIds: [PUSH_STEADY, PUSH_FLAPPER],
      options: OPTIONS,
      store,
      now: () => clock,
    });
    emu.setDeviceOnline(PUSH_STEADY, true);
    emu.setDeviceOnline(PUSH_FLAPPER, true);
    await watcher.check(); // the first full check after subscribing, as push watches do
    const kinds: string[] = [];
    // Each notification of the flapper alone, as push delivers them: a partial check of that device.
    for (let n = 1; n <= 40; n++) {
      clock = T0 + n * MINUTE;
      const online = n > 12 || n % 2 === 0;
      const result = await watcher.check({ observed: { [PUSH_FLAPPER]: online } });
      kinds.push(...[...result.events, ...result.health].filter((e) => 'clientId' in e).map((e) => e.event));
      // The steady device is not observed by these checks: its flapping history does not grow.
      expect(store.saved?.state?.health?.[PUSH_STEADY]?.flap).toBe('1');
    }
    expect(kinds).toEqual(['offline', 'online', 'offline', 'flapping', 'flapping_stopped']);
  });
});

describe('a report filled in from the connection trace', () => {
  it('the time before the watcher began comes from the trace: its drop counted, the source said', async () => {
    const id = 'GID_traced@@@before';
    let device = await connectMqtt(emu.mqttUrl!, id);
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline(id), 5000, 'the drop at the broker');
    await new Promise((r) => setTimeout(r, 50)); // an outage of measurable length
    device = await connectMqtt(emu.mqttUrl!, id);
    const watcher = new FleetWatcher({
      client: () => clientFor(emu),
      instanceId: INSTANCE,
      clientIds: [id],
      options: DEFAULT_WATCH_OPTIONS,
      store: memoryStore(),
    });
    await watcher.check();
    const own = await watcher.report({ window: 'hour' });
    expect(own.devices[0]).toMatchObject({ source: 'watcher', outages: 0, downMs: 0 });
    const filled = await watcher.report({ window: 'hour' }, { trace: true });
    const d = filled.devices[0];
    expect(d).toMatchObject({ source: 'watcher+trace', outages: 1, recovered: 1, reasons: { client_disconnected: 1 } });
    expect(d.downMs).toBeGreaterThan(0);
    // Before the device's first connect in the trace: unknown, not up.
    expect(d.unknownMs).toBeGreaterThan(0);
    expect(d.upMs + d.downMs + d.unknownMs).toBe(d.windowMs);
    device.end(true);
  });
});
