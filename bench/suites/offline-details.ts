import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { OnsMqttClient, isSessionFailure } from '../../lib/internal';
import { SEND_CHANNEL } from '../../lib/send/scheduler';
import { startEmulatorProcess } from '../emulator-process';
import { ids, LIMITS, type BenchResult } from '../report';

/**
 * Offline details at fleet scale: 3,000 offline devices, once without and once with details. The
 * status queries must not slow down (the trace queries have their own limits and run beside the
 * status pool): compare when the last status query was sent in each run, in one process.
 */
export async function details(): Promise<BenchResult> {
  const n = 3000;
  const run = async (withDetails: boolean) => {
    const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10, throttleQps: LIMITS } });
    const client = new OnsMqttClient({
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      endpoint: emu.endpoint,
    });
    let lastStatusSend = 0;
    const onSend = (message: unknown) => {
      const m = message as { api: string; at: number };
      if (m.api === 'QuerySessionByClientId') lastStatusSend = m.at;
    };
    subscribe(SEND_CHANNEL, onSend);
    const started = performance.now();
    const results = await client.querySessions(
      { clientIds: ids(n, 'GID_details@@@'), instanceId: emu.instanceId },
      { offlineDetails: withDetails },
    );
    const elapsed = (performance.now() - started) / 1000;
    unsubscribe(SEND_CHANNEL, onSend);
    const stats = await emu.stats();
    await emu.stop();
    const withAll = results.filter((r) => !isSessionFailure(r) && r.details && !r.details.offlineDetailsMissing).length;
    return {
      statusPhaseS: (lastStatusSend - started) / 1000,
      elapsedS: elapsed,
      traces: stats.byAction.QueryMqttTraceDevice ?? 0,
      throttled: stats.byCode.SystemOverFlow ?? 0,
      failed: results.filter(isSessionFailure).length,
      withAll,
    };
  };
  const off = await run(false);
  const on = await run(true);
  const slowdown = on.statusPhaseS / off.statusPhaseS;
  const data = {
    n,
    statusPhaseOffS: off.statusPhaseS,
    statusPhaseOnS: on.statusPhaseS,
    slowdown,
    elapsedOffS: off.elapsedS,
    elapsedOnS: on.elapsedS,
    traces: on.traces,
    withDetails: on.withAll,
    throttled: off.throttled + on.throttled,
    failed: off.failed + on.failed,
  };
  return {
    bench: '9. offline details, 3,000 offline devices',
    figures: `status queries sent by ${off.statusPhaseS.toFixed(1)} s without details, ${on.statusPhaseS.toFixed(1)} s with (x${slowdown.toFixed(2)}); all results ${off.elapsedS.toFixed(1)} / ${on.elapsedS.toFixed(1)} s; ${on.traces} trace queries, ${on.withAll} with details; ${data.throttled} throttled, ${data.failed} failed`,
    goal: 'status queries not slowed (x <= 1.10), every offline result with details, 0 throttled',
    verdict: slowdown <= 1.1 && on.withAll === n && data.throttled === 0 && data.failed === 0 ? 'pass' : 'short',
    data,
  };
}
