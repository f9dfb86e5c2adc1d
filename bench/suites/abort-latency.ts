/**
 * Bench line "cancellation": how long after `abort()` a call settles, at each stage a call can be
 * in (queued behind the concurrency cap, waiting for a rate token, in flight, in a backoff wait).
 * The tests check *that* each ends as Aborted with nothing sent afterwards; how fast is measured
 * here, 20 times per stage, against the emulator in its own process.
 */
import { OnsMqttClient, type OnsMqttClientOptions } from '../../lib/internal';
import type { EmulatorOptions } from '../../emulator';
import { startEmulatorProcess } from '../emulator-process';

type Row = { bench: string; figures: string; goal: string; verdict: 'pass' | 'short'; data: Record<string, number> };
const TRIALS = 20;
const GOAL_MS = 50;

async function settleAfterAbort(start: (signal: AbortSignal) => Promise<unknown>, afterMs: number): Promise<number> {
  const controller = new AbortController();
  const call = start(controller.signal).then(
    () => undefined,
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, afterMs));
  const t0 = performance.now();
  controller.abort();
  await call;
  return performance.now() - t0;
}

async function stage(
  faults: EmulatorOptions['faults'],
  options: Partial<OnsMqttClientOptions>,
  run: (client: OnsMqttClient, instanceId: string, signal: AbortSignal, trial: number) => Promise<unknown>,
  afterMs: number,
): Promise<number[]> {
  const emu = await startEmulatorProcess({ faults });
  try {
    const times: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const client = new OnsMqttClient({
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        endpoint: emu.endpoint,
        ...options,
      });
      times.push(await settleAfterAbort((signal) => run(client, emu.instanceId, signal, trial), afterMs));
    }
    return times;
  } finally {
    await emu.stop();
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export async function abortLatency(): Promise<Row> {
  const query = (client: OnsMqttClient, instanceId: string, signal: AbortSignal, id: string) =>
    client.querySession({ clientId: id, instanceId }, { signal });
  const stages: Record<string, number[]> = {
    // One call holds the only slot (the service never answers); the measured one queues behind it.
    queued: await stage(
      { hangRate: 1 },
      { concurrency: 1, timeoutMs: 10_000 },
      (client, instanceId, signal, trial) => {
        void query(client, instanceId, AbortSignal.timeout(2_000), `GID_b@@@hold-${trial}`).catch(() => undefined);
        return query(client, instanceId, signal, `GID_b@@@queued-${trial}`);
      },
      50,
    ),
    token: await stage(
      {},
      { maxRequestsPerSecond: 0.2 },
      async (client, instanceId, signal, trial) => {
        await query(client, instanceId, new AbortController().signal, `GID_b@@@first-${trial}`);
        return query(client, instanceId, signal, `GID_b@@@waiting-${trial}`);
      },
      0,
    ),
    'in flight': await stage(
      { hangRate: 1 },
      { timeoutMs: 10_000 },
      (client, instanceId, signal, trial) => query(client, instanceId, signal, `GID_b@@@f-${trial}`),
      100,
    ),
    backoff: await stage(
      { errors: [{ code: 'InternalError' }] },
      { retry: { maxAttempts: 4, baseDelayMs: 20_000, maxDelayMs: 20_000, deadlineMs: 120_000 } },
      (client, instanceId, signal, trial) => query(client, instanceId, signal, `GID_b@@@b-${trial}`),
      200,
    ),
  };
  const data: Record<string, number> = {};
  const parts: string[] = [];
  let worst = 0;
  for (const [name, times] of Object.entries(stages)) {
    const s = sorted(times);
    const p50 = s[Math.floor(s.length / 2)];
    const max = s[s.length - 1];
    worst = Math.max(worst, max);
    data[`${name} p50 ms`] = p50;
    data[`${name} max ms`] = max;
    parts.push(`${name} ${p50.toFixed(1)} / ${max.toFixed(1)} ms`);
  }
  return {
    bench: `10. cancellation: abort() to settled, p50 / max of ${TRIALS} per stage`,
    figures: parts.join('; '),
    goal: `max < ${GOAL_MS} ms at every stage`,
    verdict: worst < GOAL_MS ? 'pass' : 'short',
    data,
  };
}
