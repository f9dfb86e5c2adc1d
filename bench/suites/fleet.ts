/** Fleet checks of 10,000 ids in exact and in batch mode, against the service's floor. */
import { OnsMqttClient, isSessionFailure } from '../../lib/internal';
import { startEmulatorProcess } from '../emulator-process';
import { ids, LIMITS, type BenchResult } from '../report';

export async function fleet(mode: 'exact' | 'batch'): Promise<BenchResult> {
  const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10, throttleQps: LIMITS } });
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
  });
  const n = 10_000;
  const started = performance.now();
  const results = await client.querySessions({ clientIds: ids(n), instanceId: emu.instanceId, mode });
  const elapsed = (performance.now() - started) / 1000;
  const stats = await emu.stats();
  await emu.stop();
  const floor = mode === 'exact' ? n / LIMITS.QuerySessionByClientId : n / 10 / LIMITS.BatchQuerySessionByClientIds;
  const ratio = floor / elapsed;
  const throttled = stats.byCode.SystemOverFlow ?? 0;
  const failed = results.filter(isSessionFailure).length;
  const data = { n, elapsedS: elapsed, floorS: floor, ratio, throttled, failed, requests: stats.requests };
  return {
    bench: `${mode === 'exact' ? '1' : '2'}. fleet check, ${mode} mode (10,000 ids, 50 ms latency)`,
    figures: `${elapsed.toFixed(1)} s vs floor ${floor.toFixed(1)} s, ratio ${ratio.toFixed(2)}, ${throttled} SystemOverFlow, ${failed} failed`,
    goal: 'ratio >= 0.85, 0 throttled',
    verdict: ratio >= 0.85 && throttled === 0 && failed === 0 ? 'pass' : 'short',
    data,
  };
}
