/**
 * Fleet health at scale, in this process (pure computation over a saved state, no service):
 * - a 30-day availability report of 10,000 devices, each with a month of outages (a few a week, one
 *   device in ten flapping all month up to the 200 kept), with error budgets: time and heap growth,
 *   then its SVG picture (time, size) and the 1,000-device picture's size (the 200 kB);
 * - the saved watch state per device after a month of five-minute checks with flapping and alarms
 *   on: bytes of JSON per device, steady and flapping (what a Node-RED context store or n8n's static
 *   data holds), and the cost of one check's transition over the 10,000 devices.
 */
import {
  availabilityReport,
  reportSvg,
  transition,
  DEFAULT_WATCH_OPTIONS,
  type DeviceHistory,
  type WatchOptions,
  type WatchState,
} from '../../lib/internal';
import { gc, mb, type BenchResult } from '../report';

const DAY = 24 * 60 * 60_000;
const NOW = Date.parse('2026-12-01T00:00:00.000Z');

function fleetState(devices: number): WatchState {
  const state: WatchState = { instanceId: 'post-cn-bench', devices: {}, health: {} };
  for (let i = 0; i < devices; i++) {
    const id = `GID_group${i % 20}@@@device-${String(i).padStart(6, '0')}`;
    const flapping = i % 10 === 0;
    const count = flapping ? 200 : 2 + (i % 7);
    const outages: DeviceHistory['outages'] = [];
    for (let k = 0; k < count; k++) {
      const start = NOW - 30 * DAY + Math.floor(((k + 0.5) * 30 * DAY) / count) + (i % 60) * 60_000;
      const length = flapping ? 3 * 60_000 : (5 + (i % 50)) * 60_000;
      outages.push([start, Math.min(start + length, NOW - 1), k % 2 ? 'keepalive_timeout' : 'network_error']);
    }
    state.devices[id] = { online: true, since: new Date(NOW - DAY).toISOString() };
    state.health![id] = { history: { from: NOW - 31 * DAY, outages } };
  }
  return state;
}

export function fleetHealth(): BenchResult {
  const data: Record<string, number> = {};
  const state = fleetState(10_000);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let t = performance.now();
  const report = availabilityReport(
    state,
    { window: '30days', timelines: true, budgets: { targets: [{ group: '*', targetPercent: 99.5 }] } },
    NOW,
  );
  data.reportMs = Math.round(performance.now() - t);
  data.reportHeapMb = mb(process.memoryUsage().heapUsed - heapBefore);
  t = performance.now();
  const svg = reportSvg(report);
  data.svgMs = Math.round(performance.now() - t);
  data.svgKb10k = Math.round(Buffer.byteLength(svg) / 1024);
  const small = fleetState(1000);
  const svg1k = reportSvg(availabilityReport(small, { window: '30days', timelines: true }, NOW));
  data.svgKb1k = Math.round(Buffer.byteLength(svg1k) / 1024);

  // A month of checks every five minutes for 100 devices: the state a store keeps.
  const options: WatchOptions = {
    ...DEFAULT_WATCH_OPTIONS,
    flapping: { highPercent: 20, lowPercent: 5 },
    alarms: { severity: 'warning' },
  };
  let watched: WatchState | undefined;
  const ids = Array.from({ length: 100 }, (_, i) => `GID_s@@@${i}`);
  for (let step = 0; step < (30 * DAY) / 300_000; step++) {
    const observations = ids.map((clientId, i) => ({
      clientId,
      // Devices 0-9 flap (every other check), the others drop for 20 minutes once a day.
      online: i < 10 ? step % 2 === 0 : !(step % 288 >= i && step % 288 < i + 4),
    }));
    watched = transition(watched, 'i', observations, NOW - 30 * DAY + step * 300_000, options).state;
  }
  const bytesOf = (filter: (id: string) => boolean) => {
    const pick = (record: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(record ?? {}).filter(([id]) => filter(id)));
    const part = { devices: pick(watched!.devices), health: pick(watched!.health) };
    return Math.round(JSON.stringify(part).length / Object.keys(part.devices).length);
  };
  data.stateBytesSteady = bytesOf((id) => Number(id.split('@@@')[1]) >= 10);
  data.stateBytesFlapping = bytesOf((id) => Number(id.split('@@@')[1]) < 10);
  data.alarmBookKb = Math.round(JSON.stringify(watched!.alarms ?? {}).length / 1024);

  // One check of 10,000 devices through the transition with everything on (budgets included).
  const big = fleetState(10_000);
  const all = Object.keys(big.devices).map((clientId) => ({ clientId, online: true }));
  const withBudgets: WatchOptions = { ...options, budgets: { targets: [{ group: '*', targetPercent: 99.5 }] } };
  transition(big, 'post-cn-bench', all, NOW, withBudgets); // warm-up
  t = performance.now();
  transition(big, 'post-cn-bench', all, NOW + 60_000, withBudgets);
  data.checkMs10k = Math.round(performance.now() - t);

  return {
    bench: 'fleet health (report, picture, saved state)',
    figures:
      `30-day report of 10k devices: ${data.reportMs} ms, heap +${data.reportHeapMb} MB; SVG ${data.svgMs} ms, ${data.svgKb10k} kB ` +
      `(1k devices: ${data.svgKb1k} kB); saved state per device after a month: ${data.stateBytesSteady} B steady, ` +
      `${data.stateBytesFlapping} B flapping; one check of 10k with flapping, alarms, budgets: ${data.checkMs10k} ms`,
    goal: '1k-device picture under 200 kB; report of 10k under 10 s',
    verdict: data.svgKb1k < 200 && data.reportMs < 10_000 ? 'pass' : 'short',
    data,
  };
}
