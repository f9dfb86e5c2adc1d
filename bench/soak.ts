/**
 * Fault soak: N status queries through the core against the emulator with 40 ms latency and mixed
 * faults (10 % InternalError, 10 % SystemOverFlow, 2 % connection resets, 2 % HTML 502 pages,
 * 1 % requests that never answer, 1 % fail-class codes). Checks: one result per id, none lost or
 * duplicated; every fail-class request sent once; the unrecovered rate matches what the
 * attempt count predicts; no unhandled rejection; RSS and sockets back to baseline.
 *
 *   node --expose-gc dist/bench/soak.js [queries=20000]
 */
import { startEmulator } from '../emulator';
import { OnsMqttClient, isSessionFailure, type SessionQueryOutcome } from '../lib/internal';
import { gc, mb, saveJson, table } from './report';

const RETRY_RATES = { InternalError: 0.1, SystemOverFlow: 0.1, reset: 0.02, html: 0.02, hang: 0.01 };
const FAIL_CODES = ['ParameterCheckFailed', 'PermissionCheckFailed'];
const FAIL_RATE = 0.01;
export const SOAK_FAULTS = {
  latencyMs: 40,
  jitterMs: 10,
  resetRate: RETRY_RATES.reset,
  htmlErrorRate: RETRY_RATES.html,
  hangRate: RETRY_RATES.hang,
  errors: [
    { code: 'InternalError', rate: RETRY_RATES.InternalError },
    { code: 'SystemOverFlow', rate: RETRY_RATES.SystemOverFlow },
    ...FAIL_CODES.map((code) => ({ code, rate: FAIL_RATE / FAIL_CODES.length })),
  ],
};

export interface SoakReport {
  sent: number;
  requests: number;
  online: number;
  offline: number;
  retryClassLeft: number;
  failClass: number;
  attemptsHistogram: Record<string, number>;
  recovered: number;
  unrecoveredPredicted: number;
  unrecoveredTolerance: number;
  duplicates: number;
  lost: number;
  failClassResent: number;
  unhandledRejections: number;
  rssBaselineMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  heapBaselineMb: number;
  heapAfterMb: number;
  socketsBefore: number;
  socketsAfter: number;
  elapsedS: number;
  ok: boolean;
  problems: string[];
}

const sockets = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSSocketWrap').length;

export async function runSoak(
  queries: number,
  options: { maxAttempts?: number; timeoutMs?: number; seed?: number } = {},
): Promise<SoakReport> {
  const maxAttempts = options.maxAttempts ?? 4;
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  const emu = await startEmulator({ mqttPort: false, faults: { ...SOAK_FAULTS, seed: options.seed ?? 20261129 } });
  const ids = Array.from({ length: queries }, (_, i) => `GID_soak@@@${i}`);
  ids.forEach((id, i) => i % 3 === 0 && emu.setDeviceOnline(id, true));
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
    timeoutMs: options.timeoutMs ?? 1000,
    retry: { maxAttempts, baseDelayMs: 50, maxDelayMs: 500 },
    // The soak checks the retry policy against its prediction (p^maxAttempts unrecovered): the
    // retry budget, which would rightly cut retries when timeouts pile up on a loaded machine, is
    // tested on its own (test/integration/pressure.test.ts).
    retryBudget: false,
    concurrency: 64,
  });
  // Warm up first (loads the SDK, fills the connection pool), so the baseline is a steady state.
  emu.setFaults({});
  await client.querySessions({ clientIds: ids.slice(0, 200), instanceId: emu.instanceId });
  emu.setFaults({ ...SOAK_FAULTS, seed: options.seed ?? 20261129 });
  emu.clearLog();
  gc();
  const rssBaseline = process.memoryUsage().rss;
  const heapBaseline = process.memoryUsage().heapUsed;
  const socketsBefore = sockets();
  let rssPeak = rssBaseline;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const delivered = new Array<number>(queries).fill(0);
  const started = Date.now();
  const results: SessionQueryOutcome[] = await client.querySessions(
    { clientIds: ids, instanceId: emu.instanceId },
    { onResult: (_o, i) => delivered[i]++ },
  );
  const elapsedS = (Date.now() - started) / 1000;
  clearInterval(sampler);

  // What the emulator saw, per id, in order.
  const log = emu.requestLog();
  const requests = log.length;
  const perId = new Map<string, Array<{ code?: string; fault?: string }>>();
  for (const e of log) {
    const id = e.clientIds[0];
    if (!perId.has(id)) perId.set(id, []);
    perId.get(id)!.push({ code: e.code, fault: e.fault });
  }
  const problems: string[] = [];
  let failClassResent = 0;
  for (const [id, entries] of perId) {
    const k = entries.findIndex((e) => e.code !== undefined && FAIL_CODES.includes(e.code));
    if (k >= 0 && k !== entries.length - 1) {
      failClassResent++;
      problems.push(`${id}: a fail-class answer was followed by another request`);
    }
  }
  const histogram: Record<string, number> = {};
  let recovered = 0;
  for (let i = 0; i < queries; i++) {
    const n = perId.get(ids[i])?.length ?? 0;
    histogram[n] = (histogram[n] ?? 0) + 1;
    if (n > 1 && !isSessionFailure(results[i])) recovered++;
  }
  const failures = results.filter(isSessionFailure);
  const online = results.filter((r) => r && !isSessionFailure(r) && r.online).length;
  const offline = results.filter((r) => r && !isSessionFailure(r) && !r.online).length;
  const retryLeft = failures.filter((f) => f.error.retryable).length;
  const failClass = failures.filter((f) => !f.error.retryable).length;
  const lost = results.filter((r) => r === undefined).length + delivered.filter((d) => d === 0).length;
  const duplicates = delivered.filter((d) => d > 1).length;

  // Predicted: an attempt fails retry-class with p, fail-class with f; all `maxAttempts` retry-class.
  const p = Object.values(RETRY_RATES).reduce((a, b) => a + b, 0);
  const predicted = queries * p ** maxAttempts;
  const tolerance = 4 * Math.sqrt(queries * p ** maxAttempts * (1 - p ** maxAttempts)) + 2;

  await emu.stop();
  emu.clearLog();
  results.length = 0;
  // Keep-alive sockets close when the server goes; give the pool a moment to notice.
  await new Promise((r) => setTimeout(r, 300));
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  const socketsAfter = sockets();
  process.off('unhandledRejection', onUnhandled);

  if (lost) problems.push(`${lost} ids lost`);
  if (duplicates) problems.push(`${duplicates} ids delivered twice`);
  if (unhandled) problems.push(`${unhandled} unhandled rejections`);
  if (Math.abs(retryLeft - predicted) > tolerance)
    problems.push(`unrecovered ${retryLeft}, predicted ${predicted.toFixed(1)} ± ${tolerance.toFixed(1)}`);
  if (socketsAfter > socketsBefore) problems.push(`sockets: ${socketsBefore} before, ${socketsAfter} after`);
  // Memory verdicts need a real GC (node --expose-gc); without it the figures are only reported.
  const canGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if (canGc && heapAfter > heapBaseline + 16 * 1024 * 1024)
    problems.push(`JS heap did not return to its baseline (${mb(heapBaseline)} -> ${mb(heapAfter)} MB)`);
  if (canGc && rssAfter > rssBaseline + 64 * 1024 * 1024)
    problems.push(`RSS did not return near its baseline (${mb(rssBaseline)} -> ${mb(rssAfter)} MB)`);

  return {
    sent: queries,
    requests,
    online,
    offline,
    retryClassLeft: retryLeft,
    failClass,
    attemptsHistogram: histogram,
    recovered,
    unrecoveredPredicted: Math.round(predicted * 10) / 10,
    unrecoveredTolerance: Math.round(tolerance * 10) / 10,
    duplicates,
    lost,
    failClassResent,
    unhandledRejections: unhandled,
    rssBaselineMb: mb(rssBaseline),
    rssPeakMb: mb(rssPeak),
    rssAfterMb: mb(rssAfter),
    heapBaselineMb: mb(heapBaseline),
    heapAfterMb: mb(heapAfter),
    socketsBefore,
    socketsAfter,
    elapsedS,
    ok: problems.length === 0,
    problems,
  };
}

export function printSoak(r: SoakReport): string {
  const rows = [
    { figure: 'queries sent', value: r.sent },
    { figure: 'HTTP requests (with retries)', value: r.requests },
    { figure: 'results: online', value: r.online },
    { figure: 'results: offline', value: r.offline },
    { figure: 'results: retry-class left after all attempts', value: r.retryClassLeft },
    { figure: 'results: fail-class', value: r.failClass },
    { figure: 'recovered by retry', value: r.recovered },
    {
      figure: 'unrecovered predicted (p^attempts x N)',
      value: `${r.unrecoveredPredicted} ± ${r.unrecoveredTolerance}`,
    },
    {
      figure: 'attempts histogram (requests: ids)',
      value: Object.entries(r.attemptsHistogram)
        .map(([k, v]) => `${k}:${v}`)
        .join(' '),
    },
    { figure: 'fail-class requests sent twice', value: r.failClassResent },
    { figure: 'duplicates / lost', value: `${r.duplicates} / ${r.lost}` },
    { figure: 'unhandled rejections', value: r.unhandledRejections },
    { figure: 'RSS baseline / peak / after (MB)', value: `${r.rssBaselineMb} / ${r.rssPeakMb} / ${r.rssAfterMb}` },
    { figure: 'JS heap used baseline / after (MB)', value: `${r.heapBaselineMb} / ${r.heapAfterMb}` },
    { figure: 'open sockets before / after', value: `${r.socketsBefore} / ${r.socketsAfter}` },
    { figure: 'elapsed (s)', value: r.elapsedS },
    { figure: 'verdict', value: r.ok ? 'pass' : `FAIL: ${r.problems.slice(0, 3).join('; ')}` },
  ];
  return table(rows);
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 20_000);
  void runSoak(n).then((r) => {
    process.stdout.write(`Fault soak through the core, ${n} queries\n${printSoak(r)}\n`);
    saveJson(`soak-${n}`, r);
    process.exit(r.ok ? 0 : 1);
  });
}
