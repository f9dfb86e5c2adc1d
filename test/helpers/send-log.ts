/**
 * When this process lets its requests go to one endpoint, as the scheduler publishes it on its
 * diagnostics channel: the client's side of "no second carries more than rate + burst". (The
 * emulator's log gives the other side, arrival times, which a loaded machine shifts by some
 * milliseconds; that is what the margin under the documented limit is for.)
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { SEND_CHANNEL } from '../../lib/send/scheduler';

export interface SendLog {
  times: number[];
  stop(): void;
}

export function recordSends(endpoint: string, api = 'QuerySessionByClientId'): SendLog {
  const { host } = new URL(endpoint);
  const times: number[] = [];
  const onSend = (message: unknown) => {
    const sent = message as { api: string; endpointHost: string; at: number };
    if (sent.endpointHost === host && sent.api === api) times.push(sent.at);
  };
  subscribe(SEND_CHANNEL, onSend);
  return { times, stop: () => unsubscribe(SEND_CHANNEL, onSend) };
}

/** The most values of `times` (ms) within any window of `windowMs`. */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
