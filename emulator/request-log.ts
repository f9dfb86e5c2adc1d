import type { LogEntry } from './api';

/**
 * The most requests that arrived within any one second (a sliding window over arrival times), as
 * the service would count them against its per-source limit.
 */
export function busiestSecond(
  entries: readonly LogEntry[],
  action?: string,
): { count: number; from: string | undefined } {
  const times = entries
    .filter((e) => action === undefined || e.action === action)
    .map((e) => Date.parse(e.time))
    .sort((a, b) => a - b);
  let best = 0;
  let from: number | undefined;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= 1000) i++;
    if (j - i + 1 > best) {
      best = j - i + 1;
      from = times[i];
    }
  }
  return { count: best, from: from === undefined ? undefined : new Date(from).toISOString() };
}
