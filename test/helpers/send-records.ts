/** Reads what test/helpers/send-recorder.js wrote in each host process (one file per process). */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface SendRecords {
  /** Epoch ms of each request written to its socket, per process. */
  sends: number[][];
  /** How long after its rate token each request was written (ms), all processes. */
  grantAges: number[];
  grants: number;
}

export function readSendRecords(prefix: string, api = 'QuerySessionByClientId'): SendRecords {
  const dir = dirname(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${basename(prefix)}.`));
  const sends: number[][] = [];
  const grantAges: number[] = [];
  let grants = 0;
  for (const f of files) {
    const mine: number[] = [];
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const [kind, at, lineApi, age] = line.split(' ');
      if (lineApi !== api) continue;
      if (kind === 'send') {
        mine.push(Number(at));
        grantAges.push(Number(age));
      } else if (kind === 'grant') grants++;
    }
    sends.push(mine);
  }
  return { sends, grantAges, grants };
}

/** The p-th percentile (0..100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
