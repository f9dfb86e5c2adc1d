/**
 * Bench line 15: a fleet watcher checking 100,000 devices in batch mode, three times in a row (the
 * programmatic API; the emulator in its own process): each check's time against the service floor
 * (100,000 / 10 ids a request / 100 requests a second = 100 s), the heap it takes per device, what
 * stays after each (flat: no leak), and the event loop meanwhile. The first check's event-loop
 * delay and heap over time are drawn in docs/images/fleet-100k.svg.
 *
 * Targets (issue 28): within 1.1x of the floor; heap growth at most 1 KB per device, flat across
 * the three checks.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WATCH_OPTIONS, FleetWatcher, OnsMqttClient, type SavedWatch } from '../../lib/internal';
import { startEmulatorProcess } from '../emulator-process';
import { measureHostCost, pass, type HostCost } from '../host-meter';
import { plotSvg } from '../plot';
import { ids, ROOT, type BenchResult } from '../report';

const N = 100_000;
const FLOOR_S = N / 10 / 100;
const CHECKS = 3;

export async function fleet100k(): Promise<BenchResult> {
  const emu = await startEmulatorProcess({ faults: { latencyMs: 20, jitterMs: 5 } });
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
  });
  let saved: SavedWatch | undefined;
  const watcher = new FleetWatcher({
    client: () => client,
    instanceId: emu.instanceId,
    clientIds: ids(N, 'GID_fleet100k@@@'),
    mode: 'batch',
    options: DEFAULT_WATCH_OPTIONS,
    store: {
      load: () => Promise.resolve(saved),
      save: (s) => {
        saved = s;
        return Promise.resolve();
      },
    },
  });
  const costs: HostCost[] = [];
  for (let i = 0; i < CHECKS; i++) costs.push((await measureHostCost(() => watcher.check())).cost);
  await emu.stop();

  const seconds = costs.map((c) => c.wallMs / 1000);
  const worstRatio = Math.max(...seconds) / FLOOR_S;
  const peakPerDevice = Math.max(...costs.map((c) => c.heapPeakGrowthBytes)) / N;
  // What each check leaves behind after a full collection: the state of 100,000 devices the first
  // time, then (no leak) nothing more.
  const retained = costs.map((c) => c.heapRetainedBytes);
  const laterGrowth = retained.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, retained.length - 1);
  const flat = laterGrowth <= 0.1 * Math.max(retained[0], 1) || laterGrowth / N < 50;
  const file = writePlot(costs[0]);
  const ok = worstRatio <= 1.1 && peakPerDevice <= 1024 && flat;
  return {
    bench: '15. 100,000 devices, batch mode, three checks in a row (fleet watcher)',
    figures:
      `${seconds.map((s) => s.toFixed(1)).join(' / ')} s vs floor ${FLOOR_S} s (worst ${worstRatio.toFixed(2)}x ${pass(worstRatio <= 1.1) === 'pass' ? 'PASS' : 'MISS'}); ` +
      `heap peak ${peakPerDevice.toFixed(0)} B/device ${peakPerDevice <= 1024 ? 'PASS' : 'MISS'}; retained after each ${retained.map((r) => (r / 1048576).toFixed(1)).join(' / ')} MB ${flat ? 'PASS' : 'MISS'}; ` +
      `loop p99 ${costs.map((c) => c.loopP99Ms.toFixed(1)).join('/')} ms, max ${costs.map((c) => c.loopMaxMs.toFixed(0)).join('/')} ms; CPU ${costs.map((c) => (c.cpuShare * 100).toFixed(1)).join('/')} %; plot ${file}`,
    goal: 'within 1.1x of the floor; heap growth <= 1 KB/device, flat across the checks',
    verdict: pass(ok),
    data: {
      n: N,
      floorS: FLOOR_S,
      worstRatio,
      heapPeakBytesPerDevice: peakPerDevice,
      ...Object.fromEntries(seconds.map((s, i) => [`check${i + 1}S`, s])),
      ...Object.fromEntries(retained.map((r, i) => [`check${i + 1}RetainedMb`, r / 1048576])),
      ...Object.fromEntries(costs.map((c, i) => [`check${i + 1}LoopMaxMs`, c.loopMaxMs])),
      ...Object.fromEntries(costs.map((c, i) => [`check${i + 1}LoopP99Ms`, c.loopP99Ms])),
    },
  };
}

function writePlot(cost: HostCost): string {
  const dir = join(ROOT, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fleet-100k.svg');
  writeFileSync(
    file,
    plotSvg({
      title: 'One 100,000-device check, batch mode: event-loop delay and heap over time',
      xLabel: 'seconds',
      series: [
        {
          name: 'event loop, worst delay per 250 ms (ms)',
          points: cost.series.map((s) => [s.atS, s.loopMaxMs]),
          color: '#d9534f',
        },
        { name: 'heap used (MB)', points: cost.series.map((s) => [s.atS, s.heapMb]), color: '#337ab7' },
      ],
    }),
  );
  return 'docs/images/fleet-100k.svg';
}
