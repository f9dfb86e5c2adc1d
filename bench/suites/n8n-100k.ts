/**
 * Bench line 16: the n8n node's Get Many Statuses with 100,000 items (batch queries of 10 ids), in
 * n8n's execute() (the emulator in its own process): the time against the service floor (100 s)
 * and the package's own rate (88 batch queries a second: 113.6 s), the event loop and the heap.
 *
 * Target (issue 28): within 1.05x of the floor.
 */
import { startEmulatorProcess } from '../emulator-process';
import { measureHostCost, pass } from '../host-meter';
import { ids, type BenchResult } from '../report';

const N = 100_000;
const FLOOR_S = N / 10 / 100;
const OWN_FLOOR_S = N / 10 / 88;

export async function n8n100k(): Promise<BenchResult> {
  const { AlibabaCloudMqtt } = await import('../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node');
  const { executeContext } = await import('../../test/helpers/n8n-context');
  const emu = await startEmulatorProcess({ faults: { latencyMs: 20, jitterMs: 5 } });
  const ctx = executeContext({
    parameters: {
      resource: 'deviceSession',
      operation: 'getManyStatuses',
      clientId: '={{ $json.clientId }}',
      instanceId: emu.instanceId,
      options: {},
    },
    items: ids(N, 'GID_n8n100k@@@').map((clientId) => ({ clientId })),
    credentials: {
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      region: 'cn-hangzhou',
      network: 'public',
      endpoint: emu.endpoint,
    },
  });
  const { cost, result } = await measureHostCost(() => new AlibabaCloudMqtt().execute.call(ctx));
  await emu.stop();
  const out = result.reduce((n, items) => n + items.length, 0);
  if (out !== N) throw new Error(`the n8n node gave ${out} items for ${N}`);
  const seconds = cost.wallMs / 1000;
  const ratio = seconds / FLOOR_S;
  return {
    bench: '16. n8n Get Many Statuses, 100,000 items (execute())',
    figures: `${seconds.toFixed(1)} s vs floor ${FLOOR_S} s (${ratio.toFixed(2)}x ${ratio <= 1.05 ? 'PASS' : 'MISS'}; the package's own rate allows ${OWN_FLOOR_S.toFixed(1)} s: ${(seconds / OWN_FLOOR_S).toFixed(2)}x); loop p99 ${cost.loopP99Ms.toFixed(1)} ms, max ${cost.loopMaxMs.toFixed(0)} ms; CPU ${(cost.cpuShare * 100).toFixed(1)} %; heap peak +${(cost.heapPeakGrowthBytes / 1048576).toFixed(0)} MB (${(cost.heapPeakGrowthBytes / N).toFixed(0)} B/item)`,
    goal: 'within 1.05x of the floor',
    verdict: pass(ratio <= 1.05),
    data: {
      n: N,
      seconds,
      floorS: FLOOR_S,
      ownFloorS: OWN_FLOOR_S,
      ratio,
      loopP99Ms: cost.loopP99Ms,
      loopMaxMs: cost.loopMaxMs,
      cpuShare: cost.cpuShare,
      heapPeakMb: cost.heapPeakGrowthBytes / 1048576,
    },
  };
}
