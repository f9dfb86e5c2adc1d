/** What every benchmark shares: its result row, the service's limits, test ids, printing and saving figures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]);
  const cell = (v: string | number | undefined) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : (v ?? '');
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(keys),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(keys.map((k) => cell(r[k])))),
  ].join('\n');
}

export function saveJson(name: string, value: unknown): string {
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The per-call CPU meter of the per-call benchmarks: `pool` runs `task(i)` for i in [0, n) with
 * `concurrency` at once; `cpuPerCall` does that after a collection and returns the process's CPU
 * time (user + system) per call, in ms.
 */
export function perCallMeter(n: number, concurrency: number) {
  const pool = async (task: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await task(next++);
      }),
    );
  };
  const cpuPerCall = async (task: (i: number) => Promise<unknown>) => {
    gc();
    const cpu = process.cpuUsage();
    await pool(task);
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / n;
  };
  return { pool, cpuPerCall };
}

/** The median of a few samples (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One benchmark's line in the table, and its figures for bench/results/. */
export type BenchResult = {
  bench: string;
  figures: string;
  goal: string;
  verdict: 'pass' | 'short';
  data: Record<string, number>;
};

/** The service's documented per-IP limits, at which the emulator throttles in the benchmarks. */
export const LIMITS = { QuerySessionByClientId: 300, BatchQuerySessionByClientIds: 100, QueryMqttTraceDevice: 500 };

/** The repository's root (benchmarks run from dist/bench). */
export const ROOT = join(__dirname, '..', '..');

export const ids = (n: number, prefix = 'GID_bench@@@') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
