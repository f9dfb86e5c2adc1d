/**
 * Push presence in the core: status events at 1,000 per second for 30 s from the emulator (in its
 * own process) through a real amqplib subscription and presence, the time from each event's making
 * to its handling (p50, p99) and the CPU it takes; and 10,000 devices dropping and coming back at
 * once through the push watch (confirmed by queries at the service's rate): the time to one incident
 * and to its resolution.
 */
import {
  DEFAULT_WATCH_OPTIONS,
  FleetWatcher,
  OnsMqttClient,
  PushPresence,
  PushWatch,
  StatusSubscription,
  type SavedWatch,
  type WatchCheckResult,
} from '../../lib/internal';
import { startEmulatorProcess } from '../emulator-process';
import { LIMITS, type BenchResult } from '../report';

const GROUP = 'GID_bench';

export async function pushEvents(): Promise<BenchResult> {
  const emu = await startEmulatorProcess({ amqpPort: 0 });
  const presence = new PushPresence();
  const latencies: number[] = [];
  const sub = new StatusSubscription({
    instanceId: emu.instanceId,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    groupIds: [GROUP],
    endpoint: `amqp://127.0.0.1:${emu.cloudSdkPort}`,
    onEvent: (e) => {
      presence.apply(e);
      latencies.push(Date.now() - e.time);
    },
  });
  await sub.start();
  const perSecond = 1000;
  const seconds = 30;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sent = await emu.statusBurst({ group: GROUP, perSecond, seconds, clients: 500 });
  while (latencies.length < sent) await new Promise((r) => setTimeout(r, 20));
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  await sub.stop();
  await emu.stop();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const cpuShare = (used.user + used.system) / 1000 / wall;
  return {
    bench: '12. push: 1,000 status events/s for 30 s through the subscription and presence',
    figures: `event to handled p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${latencies[latencies.length - 1]} ms; CPU ${(cpuShare * 100).toFixed(1)} % of one core; ${sent} events`,
    goal: 'p99 < 100 ms, CPU < 25 % of a core',
    verdict: at(0.99) < 100 && cpuShare < 0.25 ? 'pass' : 'short',
    data: { events: sent, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies[latencies.length - 1], cpuShare },
  };
}

export async function pushStorm(): Promise<BenchResult> {
  const n = 10_000;
  const emu = await startEmulatorProcess({ amqpPort: 0, faults: { throttleQps: LIMITS } });
  const ids = Array.from({ length: n }, (_, i) => `${GROUP}@@@storm-${i}`);
  await emu.setDevicesOnline(ids, true);
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
  });
  let saved: SavedWatch | undefined;
  const watcher = new FleetWatcher({
    client: () => client,
    instanceId: emu.instanceId,
    clientIds: ids,
    mode: 'batch',
    options: { ...DEFAULT_WATCH_OPTIONS, storm: { minDevices: 100, minPercent: 0, resolvePercent: 80 } },
    store: { load: () => Promise.resolve(saved), save: (s) => Promise.resolve(void (saved = s)) },
  });
  const results: Array<{ at: number; result: WatchCheckResult }> = [];
  const watch = new PushWatch({
    watcher,
    clientIds: ids,
    safetyPollMs: 0,
    subscription: {
      instanceId: emu.instanceId,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      groupIds: [GROUP],
      endpoint: `amqp://127.0.0.1:${emu.cloudSdkPort}`,
    },
    deliver: (result) => void results.push({ at: performance.now(), result }),
  });
  await watch.start();
  while (!watch.idle || results.length === 0) await new Promise((r) => setTimeout(r, 50));
  const dropped = performance.now();
  await emu.setDevicesOnline(ids, false);
  const incidentAt = await firstWith(results, 'incident');
  const back = performance.now();
  await emu.setDevicesOnline(ids, true);
  const resolvedAt = await firstWith(results, 'incident_resolved');
  const events = results.reduce((k, r) => k + r.result.events.length, 0);
  const stats = await emu.stats();
  await watch.stop();
  await emu.stop();
  const toIncident = (incidentAt - dropped) / 1000;
  const toResolved = (resolvedAt - back) / 1000;
  const throttled = stats.byCode.SystemOverFlow ?? 0;
  return {
    bench: '13. push: 10,000 devices drop at once, then come back (confirmed in batch mode)',
    figures: `one incident after ${toIncident.toFixed(1)} s, resolved ${toResolved.toFixed(1)} s after the return; ${events} single events; ${throttled} SystemOverFlow`,
    goal: 'one incident, one resolution, no single events, 0 throttled',
    verdict: events === 0 && throttled === 0 ? 'pass' : 'short',
    data: { n, toIncidentS: toIncident, toResolvedS: toResolved, events, throttled },
  };
}

async function firstWith(results: Array<{ at: number; result: WatchCheckResult }>, event: string): Promise<number> {
  const deadline = performance.now() + 300_000;
  for (;;) {
    const hit = results.find((r) => r.result.incidents.some((i) => i.event === event));
    if (hit) return hit.at;
    if (performance.now() > deadline) throw new Error(`no ${event} within 5 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
