/**
 * One process of a fleet that shares the rate limit (the benchmark's aggregate line and
 * test/integration/shared-limit.test.ts): checks `devices` Client IDs with its own client, then
 * prints one JSON line: outcomes by code, the shared store's figures, what it logged, and when it
 * let each request go (wall clock, comparable across processes).
 *
 *   node dist/bench/shared-limit-child.js '<job as JSON>'
 */
import { subscribe } from 'node:diagnostics_channel';
import { join, resolve } from 'node:path';
import { OnsMqttClient, closeSharedTokenStores, isSessionFailure, type SharedLimitOptions } from '../lib/internal';
import { SEND_CHANNEL } from '../lib/send/scheduler';
import { resolveSharedLimit, sharedTokenStore } from '../lib/shared-limit';
import { busyEventLoop } from './hostile';

export interface SharedLimitJob {
  name: string;
  devices: number;
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  instanceId: string;
  sharedLimit?: SharedLimitOptions;
  /** Epoch ms at which to start, so that several processes begin together. */
  startAt?: number;
  /** One query before the start, so that the connection to Redis is up when the run begins. */
  warmUp?: boolean;
  /**
   * Waits, after the warm-up, until the parent calls `go()`: a test that changes the world before
   * the run (a Redis made slow) does so before the first send, however late the parent reads the
   * child's output on a loaded machine.
   */
  waitForGo?: boolean;
  /** Keeps the event loop busy while it sends: slices of `blockMs`, `idleMs` apart (0: back to back). */
  busy?: { blockMs: number; idleMs: number };
}

export interface SharedLimitReport {
  name: string;
  ms: number;
  codes: Record<string, number>;
  stats?: { roundTrips: number; roundTripMs: number; granted: number; fallbackGrants: number; charged: number };
  /** Requests written later than the send allowance after their token (each paid with one more). */
  transportLateWrites?: number;
  /** Slices the busy loop ran. */
  busySlices?: number;
  warnings: string[];
  sent: number[];
  crashed?: string;
}

async function main(job: SharedLimitJob): Promise<SharedLimitReport> {
  const warnings: string[] = [];
  const sent: number[] = [];
  subscribe(SEND_CHANNEL, (s) => {
    const send = s as { api: string; at: number };
    if (send.api === 'QuerySessionByClientId') sent.push(Math.round((performance.timeOrigin + send.at) * 10) / 10);
  });
  const client = new OnsMqttClient({
    accessKeyId: job.accessKeyId,
    accessKeySecret: job.accessKeySecret,
    endpoint: job.endpoint,
    timeoutMs: 15_000,
    concurrency: 64,
    ...(job.sharedLimit ? { sharedLimit: job.sharedLimit } : {}),
    warn: (m) => warnings.push(m),
  });
  const ids = Array.from({ length: job.devices }, (_, i) => `GID_scale@@@${job.name}-${i}`);
  // Loaded before the start, as in a host that has been running: the transport loads the SDK on
  // its first call, which would otherwise count some 100 ms of loading in the first process's time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@alicloud/openapi-client');
  if (job.warmUp)
    await client.querySession({ clientId: `GID_scale@@@${job.name}-warm-up`, instanceId: job.instanceId });
  if (job.startAt) await new Promise((r) => setTimeout(r, Math.max(0, job.startAt! - Date.now())));
  if (job.waitForGo) {
    process.stdout.write(`ready ${job.name}\n`);
    await new Promise<void>((r) => process.stdin.once('data', () => r()));
    process.stdin.pause();
  }
  process.stdout.write(`started ${job.name}\n`);
  const started = Date.now();
  const busy = job.busy ? busyEventLoop(job.busy.blockMs, job.busy.idleMs) : undefined;
  const outcomes = await client.querySessions({ clientIds: ids, instanceId: job.instanceId });
  busy?.stop();
  const codes: Record<string, number> = {};
  for (const o of outcomes) {
    const code = isSessionFailure(o) ? o.error.code : 'ok';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  const store = job.sharedLimit ? sharedTokenStore(resolveSharedLimit(job.sharedLimit)) : undefined;
  const report = {
    name: job.name,
    ms: Date.now() - started,
    codes,
    stats: store ? { ...store.stats } : undefined,
    transportLateWrites: client.lateWrites,
    busySlices: busy?.slices,
    warnings,
    sent,
  };
  await closeSharedTokenStores();
  return report;
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as SharedLimitJob;
  main(job).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (error: unknown) => {
      process.stdout.write(
        `${JSON.stringify({ name: job.name, crashed: String(error instanceof Error ? error.stack : error) })}\n`,
      );
      process.exitCode = 1;
    },
  );
}

/**
 * Runs one child; `started` resolves when it begins sending, `done` with its report. With
 * `waitForGo`, `ready` resolves when it has warmed up and waits, and `go()` lets it begin.
 */
export function runSharedLimitChild(job: SharedLimitJob): {
  ready: Promise<void>;
  go: () => void;
  started: Promise<void>;
  done: Promise<SharedLimitReport>;
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // The built script, whether this runs built (dist/bench) or from source under ts-jest (bench/).
  const root = __dirname.endsWith(join('dist', 'bench')) ? resolve(__dirname, '../..') : resolve(__dirname, '..');
  const child = spawn(process.execPath, [join(root, 'dist/bench/shared-limit-child.js'), JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (!job.waitForGo) child.stdin.end();
  let out = '';
  let markReady: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const started = new Promise<void>((r) => (markStarted = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready ')) markReady();
    if (out.includes('started ')) markStarted();
  });
  const go = () => {
    if (!job.waitForGo) throw new Error('go() needs a job with waitForGo');
    child.stdin.end('go\n');
  };
  const done = new Promise<SharedLimitReport>((resolveDone, reject) =>
    child.once('exit', () => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolveDone(JSON.parse(last) as SharedLimitReport);
      } catch {
        reject(new Error(`child ${job.name} printed no report: ${out.slice(-500)}`));
      }
    }),
  );
  return { ready, go, started, done };
}
