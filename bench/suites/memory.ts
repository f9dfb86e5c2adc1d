/** Peak RSS growth of a batch check of 10k, 50k and 100k ids: it must not grow with N. */
import { OnsMqttClient } from '../../lib/internal';
import { startEmulatorProcess } from '../emulator-process';
import { gc, ids, mb, type BenchResult } from '../report';

export async function memory(): Promise<BenchResult> {
  const emu = await startEmulatorProcess({});
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
  });
  await client.querySessions({ clientIds: ids(100), instanceId: emu.instanceId, mode: 'batch' }); // warm-up
  const data: Record<string, number> = {};
  const parts: string[] = [];
  for (const n of [10_000, 50_000, 100_000]) {
    gc();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    let kept = 0;
    // Streaming: results are counted as they arrive, the way a host sends them on; the returned
    // array is what a caller keeps, so it is included in the figure.
    const results = await client.querySessions(
      { clientIds: ids(n), instanceId: emu.instanceId, mode: 'batch' },
      { onResult: () => kept++ },
    );
    clearInterval(sampler);
    const growth = peak - base;
    data[`growthMb_${n}`] = mb(growth);
    data[`bytesPerId_${n}`] = Math.round(growth / n);
    parts.push(`${n / 1000}k: +${mb(growth)} MB (${Math.round(growth / n)} B/id)`);
    if (kept !== n || results.length !== n) throw new Error('lost results');
  }
  await emu.stop();
  const perId10 = data.bytesPerId_10000;
  const perId100 = data.bytesPerId_100000;
  return {
    bench: '5. memory, batch mode (peak RSS growth)',
    figures: parts.join('; '),
    goal: 'growth per id does not rise with N',
    verdict: perId100 <= Math.max(perId10, 1000) * 1.5 ? 'pass' : 'short',
    data,
  };
}
