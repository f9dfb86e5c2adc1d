/**
 * What a piece of work costs the process it runs in (the n8n or Node-RED process of a user, next
 * to their other flows): CPU as a share of one core, event-loop delay (perf_hooks'
 * monitorEventLoopDelay: p50, p99, max), heap and RSS peaks above where they started, and, for a
 * plot, a series of the event loop's worst delay and the heap every `sampleMs`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gc } from './report';

export interface HostCost {
  wallMs: number;
  cpuMs: number;
  /** CPU time over wall time: 1 is one core busy all along. */
  cpuShare: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  heapPeakGrowthBytes: number;
  rssPeakGrowthBytes: number;
  /** Heap after the work and a full collection, above where it started: what stays. */
  heapRetainedBytes: number;
  series: Array<{ atS: number; loopMaxMs: number; heapMb: number }>;
}

export async function measureHostCost<T>(
  work: () => Promise<T>,
  sampleMs = 250,
): Promise<{ cost: HostCost; result: T }> {
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  const rssStart = process.memoryUsage().rss;
  let heapPeak = heapStart;
  let rssPeak = rssStart;
  const series: HostCost['series'] = [];
  // 1 ms resolution: the delay of a timer that should fire every millisecond is what a flow feels.
  const whole = monitorEventLoopDelay({ resolution: 1 });
  const slice = monitorEventLoopDelay({ resolution: 1 });
  whole.enable();
  slice.enable();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const sampler = setInterval(() => {
    const { heapUsed, rss } = process.memoryUsage();
    heapPeak = Math.max(heapPeak, heapUsed);
    rssPeak = Math.max(rssPeak, rss);
    series.push({
      atS: (performance.now() - started) / 1000,
      loopMaxMs: slice.max / 1e6,
      heapMb: heapUsed / 1024 / 1024,
    });
    slice.reset();
  }, sampleMs);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(sampler);
    whole.disable();
    slice.disable();
  }
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  const end = process.memoryUsage();
  heapPeak = Math.max(heapPeak, end.heapUsed);
  rssPeak = Math.max(rssPeak, end.rss);
  gc();
  const cpuMs = (used.user + used.system) / 1000;
  return {
    result,
    cost: {
      wallMs,
      cpuMs,
      cpuShare: cpuMs / wallMs,
      loopP50Ms: whole.percentile(50) / 1e6,
      loopP99Ms: whole.percentile(99) / 1e6,
      loopMaxMs: whole.max / 1e6,
      heapPeakGrowthBytes: heapPeak - heapStart,
      rssPeakGrowthBytes: rssPeak - rssStart,
      heapRetainedBytes: process.memoryUsage().heapUsed - heapStart,
      series,
    },
  };
}

/** The median of each numeric figure over several runs (the series are left out). */
export function medianCost(costs: readonly HostCost[]): Omit<HostCost, 'series'> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const keys = Object.keys(costs[0]).filter((k) => k !== 'series') as Array<Exclude<keyof HostCost, 'series'>>;
  return Object.fromEntries(keys.map((k) => [k, median(costs.map((c) => c[k]))])) as Omit<HostCost, 'series'>;
}

export const pass = (ok: boolean): 'pass' | 'short' => (ok ? 'pass' : 'short');
