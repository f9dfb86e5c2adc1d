/**
 * `npm run bench`: the nine fleet-scale benchmarks, each against the emulator (in its own process,
 * so that only the client side is measured) on 127.0.0.1. Prints a table with goals and a
 * pass/short verdict per line, and saves the figures to bench/results/latest.json.
 *
 *   node --expose-gc dist/bench/run.js [stall fleet-exact fleet-batch per-call load-time memory hosts shared details abort node-red-list]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { API_RATE_LIMITS, OnsMqttClient, isSessionFailure } from '../lib';
import { TokenBucket } from '../lib/send/rate-limiter';
import { SEND_CHANNEL } from '../lib/send/scheduler';
import { abortLatency } from './abort-latency';
import { nodeRedList } from './node-red-list';
import { baselineQuery } from './baseline-client';
import { startEmulatorProcess } from './emulator-process';
import { startRedis } from './redis-server';
import { runSharedLimitChild } from './shared-limit-child';
import { gc, mb, saveJson, table } from './report';

const ROOT = join(__dirname, '..', '..');
const LIMITS = { QuerySessionByClientId: 300, BatchQuerySessionByClientIds: 100, QueryMqttTraceDevice: 500 };
type Row = { bench: string; figures: string; goal: string; verdict: 'pass' | 'short' };
const ids = (n: number, prefix = 'GID_bench@@@') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function fleet(mode: 'exact' | 'batch'): Promise<Row & { data: Record<string, number> }> {
  const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10, throttleQps: LIMITS } });
  const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint });
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

/**
 * The service stalls (every request held for 3 s), then recovers, while 3,000 queries are waiting:
 * the busiest second as the client lets requests go (scheduler) and as they arrive (emulator),
 * and how close the whole run comes to the floor (stall + n / 300).
 */
async function stall(): Promise<Row & { data: Record<string, number> }> {
  const stallMs = 3000;
  const n = 3000;
  const emu = await startEmulatorProcess({ logLimit: 50_000, faults: { stallForMs: stallMs, throttleQps: LIMITS } });
  const sends: number[] = [];
  const onSend = (m: unknown) => sends.push((m as { at: number }).at);
  subscribe(SEND_CHANNEL, onSend);
  const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint, timeoutMs: 10_000 });
  const started = performance.now();
  const results = await Promise.all(
    ids(n, 'GID_stall@@@').map((clientId) => client.querySession({ clientId, instanceId: emu.instanceId }).catch(() => undefined)),
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
    verdict: peakSent <= promised && stats.busiestSecond <= LIMITS.QuerySessionByClientId && throttled === 0 && failed === 0 ? 'pass' : 'short',
    data: { n, stallMs, peakSent, peakArrived: stats.busiestSecond, elapsedS: elapsed, floorS: floor, ratio, throttled, failed },
  };
}

async function perCallCost(): Promise<Row & { data: Record<string, number> }> {
  const emu = await startEmulatorProcess({});
  const n = 1000;
  const rounds = 3;
  const concurrency = 16;
  const pool = async (task: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await task(next++);
      }),
    );
  };
  const cpuPerCall = async (task: (i: number) => Promise<unknown>) => {
    gc();
    const cpu = process.cpuUsage();
    await pool(task);
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000 / n;
  };
  // Paced like the client (which never exceeds the service's per-IP limit): a process woken ~300
  // times a second does more fixed work per call than one running flat out, so every variant gets
  // the same pacing, from its own bucket, for a like-for-like comparison.
  const pacer = new TokenBucket(API_RATE_LIMITS.QuerySessionByClientId.ratePerSecond, API_RATE_LIMITS.QuerySessionByClientId.burst);
  const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint, concurrency });
  // The SDK alone (one OpenApi client, callApi per request, nothing of ours around it), to tell
  // how much of the cost is the SDK and how much is this package's own layers.
  const { default: OpenApi, Config, Params, OpenApiRequest } = await import('@alicloud/openapi-client');
  const raw = new OpenApi(
    new Config({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: new URL(emu.endpoint).host, protocol: 'http' }),
  );
  const params = new Params({
    action: 'QuerySessionByClientId',
    version: '2020-04-20',
    protocol: 'http',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const variants: Record<string, (i: number) => Promise<unknown>> = {
    client: (i) => client.querySession({ clientId: `GID_cost@@@${i}`, instanceId: emu.instanceId }),
    baseline: async (i) => (
      await pacer.take(),
      baselineQuery(emu.endpoint, emu.accessKeyId, emu.accessKeySecret, { ClientId: `GID_cost@@@${i}`, InstanceId: emu.instanceId })
    ),
    sdkOnly: async (i) => (
      await pacer.take(),
      raw.callApi(params, new OpenApiRequest({ query: { ClientId: `GID_cost@@@${i}`, InstanceId: emu.instanceId } }), {} as never)
    ),
  };
  const samples: Record<string, number[]> = { client: [], baseline: [], sdkOnly: [] };
  for (const task of Object.values(variants)) await pool(task); // warm-up: SDK loaded, pools filled, JIT
  // Interleaved rounds, median per variant: the machine's drift hits all three alike.
  for (let r = 0; r < rounds; r++) for (const [name, task] of Object.entries(variants)) samples[name].push(await cpuPerCall(task));
  await emu.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sdk = median(samples.client);
  const base = median(samples.baseline);
  const sdkOnly = median(samples.sdkOnly);
  const ratio = sdk / base;
  return {
    bench: '3. per-call CPU cost vs http + crypto baseline (paced alike)',
    figures: `${sdk.toFixed(3)} ms/call vs ${base.toFixed(3)} ms/call, ratio ${ratio.toFixed(2)} (the SDK alone: ${sdkOnly.toFixed(3)} ms, ${(sdkOnly / base).toFixed(2)}x); medians of ${rounds} interleaved rounds of ${n}`,
    goal: 'ratio <= 1.5',
    verdict: ratio <= 1.5 ? 'pass' : 'short',
    data: { clientMsPerCall: sdk, baselineMsPerCall: base, sdkOnlyMsPerCall: sdkOnly, ratio },
  };
}

function loadTime(): Row & { data: Record<string, number> } {
  const once = (code: string) => {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - started;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  /** Median of paired differences, each pair run back to back, so machine drift cancels out. */
  const added = (base: string, withOurs: string) => median(Array.from({ length: 11 }, () => -once(base) + once(withOurs)));
  const n8nNode = `require('n8n-workflow'); require('./dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.js'); require('./dist/nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node.js'); require('./dist/credentials/AlibabaCloudMqttApi.credentials.js')`;
  const nodeRed = ['config', 'session', 'trace', 'watch'].map((n) => `require('./dist/nodes/node-red/alicloud-mqtt-${n}.js')`).join(';');
  const bare = median(Array.from({ length: 5 }, () => once('')));
  const addedN8n = added("require('n8n-workflow')", n8nNode);
  const addedNodeRed = added('', nodeRed);
  const sdkLoaded = execFileSync(
    process.execPath,
    ['-e', `${n8nNode};${nodeRed};process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@alicloud'))))`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return {
    bench: '4. load time (median of 11 paired fresh processes)',
    figures: `bare node ${bare.toFixed(0)} ms; n8n nodes +${addedN8n.toFixed(0)} ms over n8n-workflow alone (n8n has it loaded already); Node-RED nodes +${addedNodeRed.toFixed(0)} ms over bare; SDK loaded at require: ${sdkLoaded}`,
    goal: '< 100 ms added each, SDK not loaded',
    verdict: addedN8n < 100 && addedNodeRed < 100 && sdkLoaded === 'false' ? 'pass' : 'short',
    data: { bareMs: bare, addedN8nMs: addedN8n, addedNodeRedMs: addedNodeRed },
  };
}

async function memory(): Promise<Row & { data: Record<string, number> }> {
  const emu = await startEmulatorProcess({});
  const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint });
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
    const results = await client.querySessions({ clientIds: ids(n), instanceId: emu.instanceId, mode: 'batch' }, { onResult: () => kept++ });
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

async function hosts(): Promise<Row & { data: Record<string, number> }> {
  const { AlibabaCloudMqtt } = await import('../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node');
  const { executeContext } = await import('../test/helpers/n8n-context');
  const { helper, collect, waitUntil } = await import('../test/helpers/node-red');
  const configNode = (await import('../nodes/node-red/alicloud-mqtt-config')).default ?? (await import('../nodes/node-red/alicloud-mqtt-config'));
  const sessionNode = (await import('../nodes/node-red/alicloud-mqtt-session')).default ?? (await import('../nodes/node-red/alicloud-mqtt-session'));
  const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10 } });
  const n = 1000;
  const list = ids(n, 'GID_host@@@');
  const timed = async (run: () => Promise<void>) => {
    gc();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const used = process.cpuUsage(cpu);
    return { perSecond: n / ((performance.now() - started) / 1000), cpuMsPerItem: (used.user + used.system) / 1000 / n };
  };
  const credentials = { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, region: 'cn-hangzhou', network: 'public', endpoint: emu.endpoint };
  const core = await timed(async () => {
    const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint });
    await client.querySessions({ clientIds: list, instanceId: emu.instanceId });
  });
  await new Promise((r) => setTimeout(r, 1000)); // let the shared bucket refill between runs
  const n8n = await timed(async () => {
    const ctx = executeContext({
      parameters: { resource: 'deviceSession', operation: 'getStatus', clientId: '={{ $json.clientId }}', instanceId: emu.instanceId, options: {} },
      items: list.map((clientId) => ({ clientId })),
      credentials,
    });
    const out = await new AlibabaCloudMqtt().execute.call(ctx);
    if (out[0].length + out[1].length !== n) throw new Error('n8n lost items');
  });
  await new Promise((r) => setTimeout(r, 1000));
  await helper.startServer();
  await helper.load(
    [configNode, sessionNode],
    [
      { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: emu.endpoint },
      {
        id: 'q',
        type: 'alicloud-mqtt-session',
        config: 'cfg',
        clientId: 'payload',
        clientIdType: 'msg',
        instanceId: emu.instanceId,
        instanceIdType: 'str',
        wires: [['on'], ['off']],
      },
      { id: 'on', type: 'helper' },
      { id: 'off', type: 'helper' },
    ],
    { cfg: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret } },
  );
  const on = collect('on');
  const off = collect('off');
  const nodeRed = await timed(async () => {
    const q = helper.getNode('q') as { receive(msg: { payload: string }): void };
    for (const id of list) q.receive({ payload: id });
    await waitUntil(() => on.length + off.length >= n, 60_000);
  });
  await helper.unload();
  await helper.stopServer();
  await emu.stop();
  const n8nCost = 1 - n8n.perSecond / core.perSecond;
  const nrCost = 1 - nodeRed.perSecond / core.perSecond;
  return {
    bench: '6. in the hosts (1,000 items, 50 ms latency)',
    figures: `core ${core.perSecond.toFixed(0)}/s (${core.cpuMsPerItem.toFixed(2)} ms CPU/item); n8n execute() ${n8n.perSecond.toFixed(0)}/s (${n8n.cpuMsPerItem.toFixed(2)}); Node-RED ${nodeRed.perSecond.toFixed(0)}/s (${nodeRed.cpuMsPerItem.toFixed(2)}); adapter cost n8n ${(n8nCost * 100).toFixed(1)} %, Node-RED ${(nrCost * 100).toFixed(1)} %`,
    goal: 'adapter adds < 10 %',
    verdict: n8nCost < 0.1 && nrCost < 0.1 ? 'pass' : 'short',
    data: {
      corePerSecond: core.perSecond,
      n8nPerSecond: n8n.perSecond,
      nodeRedPerSecond: nodeRed.perSecond,
      coreCpuMsPerItem: core.cpuMsPerItem,
      n8nCpuMsPerItem: n8n.cpuMsPerItem,
      nodeRedCpuMsPerItem: nodeRed.cpuMsPerItem,
    },
  };
}

/**
 * N processes (1, 2, 4) share the per-IP limit over a real Redis while they check one fleet of
 * 6,000 devices between them (50 ms latency): the ratio of the service floor in aggregate, and
 * what sharing costs per request (Redis round trips, and the time spent waiting on them).
 */
async function shared(): Promise<Row & { data: Record<string, number> }> {
  const redis = await startRedis();
  const total = 6000;
  const data: Record<string, number> = {};
  const parts: string[] = [];
  let pass = true;
  try {
    for (const processes of [1, 2, 4]) {
      const emu = await startEmulatorProcess({ logLimit: 50_000, faults: { latencyMs: 50, jitterMs: 10, throttleQps: LIMITS } });
      const sharedLimit = { redisUrl: redis.url, keyPrefix: `bench-${processes}-${Date.now()}` };
      const startAt = Date.now() + 1500;
      const reports = await Promise.all(
        Array.from(
          { length: processes },
          (_, i) =>
            runSharedLimitChild({
              name: `p${i}`,
              devices: total / processes,
              endpoint: emu.endpoint,
              accessKeyId: emu.accessKeyId,
              accessKeySecret: emu.accessKeySecret,
              instanceId: emu.instanceId,
              sharedLimit,
              startAt,
            }).done,
        ),
      );
      const stats = await emu.stats();
      await emu.stop();
      const elapsed = Math.max(...reports.map((r) => r.ms)) / 1000;
      const floor = total / LIMITS.QuerySessionByClientId;
      const ratio = floor / elapsed;
      const throttled = stats.byCode.SystemOverFlow ?? 0;
      const failed = reports.reduce((sum, r) => sum + total / processes - (r.codes.ok ?? 0), 0);
      const trips = reports.reduce((sum, r) => sum + (r.stats?.roundTrips ?? 0), 0);
      const tripMs = reports.reduce((sum, r) => sum + (r.stats?.roundTripMs ?? 0), 0);
      const perRequest = trips / total;
      const msPerTrip = trips ? tripMs / trips : 0;
      Object.assign(data, {
        [`p${processes}Ratio`]: ratio,
        [`p${processes}Throttled`]: throttled,
        [`p${processes}BusiestSecond`]: stats.busiestSecond,
        [`p${processes}RoundTripsPerRequest`]: perRequest,
        [`p${processes}RoundTripMs`]: msPerTrip,
      });
      parts.push(
        `${processes}p ratio ${ratio.toFixed(2)} busiest ${stats.busiestSecond} ${throttled} thr, ${perRequest.toFixed(2)} trips/req ${msPerTrip.toFixed(2)} ms`,
      );
      pass &&= ratio >= 0.85 && throttled === 0 && failed === 0;
    }
  } finally {
    await redis.stop();
  }
  return {
    bench: '8. shared limit over Redis (1, 2, 4 processes, 6,000 ids in all)',
    figures: parts.join('; '),
    goal: 'ratio >= 0.85 in aggregate, 0 throttled',
    verdict: pass ? 'pass' : 'short',
    data,
  };
}

/**
 * Offline details at fleet scale: 3,000 offline devices, once without and once with details. The
 * status queries must not slow down (the trace queries have their own limits and run beside the
 * status pool): compare when the last status query was sent in each run, in one process.
 */
async function details(): Promise<Row & { data: Record<string, number> }> {
  const n = 3000;
  const run = async (withDetails: boolean) => {
    const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10, throttleQps: LIMITS } });
    const client = new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, endpoint: emu.endpoint });
    let lastStatusSend = 0;
    const onSend = (message: unknown) => {
      const m = message as { api: string; at: number };
      if (m.api === 'QuerySessionByClientId') lastStatusSend = m.at;
    };
    subscribe(SEND_CHANNEL, onSend);
    const started = performance.now();
    const results = await client.querySessions({ clientIds: ids(n, 'GID_details@@@'), instanceId: emu.instanceId }, { offlineDetails: withDetails });
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

const BENCHES: Record<string, () => Promise<Row & { data: Record<string, number> }> | (Row & { data: Record<string, number> })> = {
  stall,
  'fleet-exact': () => fleet('exact'),
  'fleet-batch': () => fleet('batch'),
  'per-call': perCallCost,
  'load-time': loadTime,
  memory,
  hosts,
  shared,
  details,
  abort: abortLatency,
  'node-red-list': nodeRedList,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => BENCHES[a]);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const rows: Array<Row & { data: Record<string, number> }> = [];
  for (const name of names) {
    process.stdout.write(`running ${name} ...\n`);
    rows.push(await BENCHES[name]());
  }
  process.stdout.write(`\n${table(rows.map(({ bench, figures, goal, verdict }) => ({ bench, figures, goal, verdict })))}\n`);
  const file = saveJson(wanted.length ? `partial-${names.join('-')}` : 'latest', {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    rows,
  });
  process.stdout.write(`saved ${file}\n`);
  process.exit(0);
}

if (require.main === module) void main();
