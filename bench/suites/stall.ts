import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { API_RATE_LIMITS, OnsMqttClient } from '../../lib/internal';
import { SEND_CHANNEL } from '../../lib/send/scheduler';
import { startEmulatorProcess } from '../emulator-process';
import { ids, LIMITS, type BenchResult } from '../report';

/**
 * The service stalls (every request held for 3 s), then recovers, while 3,000 queries are waiting:
 * the busiest second as the client lets requests go (scheduler) and as they arrive (emulator),
 * and how close the whole run comes to the floor (stall + n / 300).
 */
export async function stall(): Promise<BenchResult> {
  const stallMs = 3000;
  const n = 3000;
  const emu = await startEmulatorProcess({ logLimit: 50_000, faults: { stallForMs: stallMs, throttleQps: LIMITS } });
  const sends: number[] = [];
  const onSend = (m: unknown) => sends.push((m as { at: number }).at);
  subscribe(SEND_CHANNEL, onSend);
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
    timeoutMs: 10_000,
  });
  const started = performance.now();
  const results = await Promise.all(
    ids(n, 'GID_stall@@@').map((clientId) =>
      client.querySession({ clientId, instanceId: emu.instanceId }).catch(() => undefined),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  unsubscribe(SEND_CHANNEL, onSend);
  const stats = await emu.stats();
  await emu.stop();
  sends.sort((a, b) => a - b);
  let peakSent = 0;
  for (let i = 0, j = 0; j < sends.length; j++) {
    while (sends[j] - sends[i] >= 1000) i++;
    peakSent = Math.max(peakSent, j - i + 1);
  }
  const promised = API_RATE_LIMITS.QuerySessionByClientId.ratePerSecond + API_RATE_LIMITS.QuerySessionByClientId.burst;
  const floor = stallMs / 1000 + n / LIMITS.QuerySessionByClientId;
  const ratio = floor / elapsed;
  const throttled = stats.byCode.SystemOverFlow ?? 0;
  const failed = results.filter((r) => r === undefined).length;
  return {
    bench: '0. stall then recovery (3,000 queries, service held 3 s)',
    figures: `busiest second ${peakSent} sent / ${stats.busiestSecond} arrived (promised ${promised}, limit ${LIMITS.QuerySessionByClientId}); ${elapsed.toFixed(1)} s vs floor ${floor.toFixed(1)} s, ratio ${ratio.toFixed(2)}; ${throttled} SystemOverFlow, ${failed} failed`,
    goal: `sent <= ${promised}, arrived <= ${LIMITS.QuerySessionByClientId}, 0 throttled`,
    verdict:
      peakSent <= promised && stats.busiestSecond <= LIMITS.QuerySessionByClientId && throttled === 0 && failed === 0
        ? 'pass'
        : 'short',
    data: {
      n,
      stallMs,
      peakSent,
      peakArrived: stats.busiestSecond,
      elapsedS: elapsed,
      floorS: floor,
      ratio,
      throttled,
      failed,
    },
  };
}
