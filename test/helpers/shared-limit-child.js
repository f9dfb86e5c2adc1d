'use strict';
/**
 * One process of a fleet that shares the rate limit: checks `devices` Client IDs with its own
 * client, then prints one JSON line (outcomes by code, the shared store's figures, what it logged).
 * Built code (dist/), as a plain Node.js process: the point is several processes.
 */
const path = require('node:path');
const dist = path.join(__dirname, '../../dist');
const { OnsMqttClient, isSessionFailure, closeSharedTokenStores } = require(path.join(dist, 'lib'));
const shared = require(path.join(dist, 'lib/shared-limit'));

const { subscribe } = require('node:diagnostics_channel');
const { SEND_CHANNEL } = require(path.join(dist, 'lib/scheduler'));

const job = JSON.parse(process.argv[2]);
const warnings = [];
// When each request was let go, on the wall clock shared by every process of the test.
const sent = [];
subscribe(SEND_CHANNEL, (s) => {
  if (s.api === 'QuerySessionByClientId') sent.push(Math.round((performance.timeOrigin + s.at) * 10) / 10);
});
(async () => {
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
  if (job.startAt) await new Promise((r) => setTimeout(r, Math.max(0, job.startAt - Date.now())));
  process.stdout.write(`started ${job.name}\n`);
  const started = Date.now();
  const outcomes = await client.querySessions({ clientIds: ids, instanceId: job.instanceId });
  const codes = {};
  for (const o of outcomes) {
    const code = isSessionFailure(o) ? o.error.code : 'ok';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  const store = job.sharedLimit ? shared.sharedTokenStore(shared.resolveSharedLimit(job.sharedLimit)) : undefined;
  const result = { name: job.name, ms: Date.now() - started, codes, stats: store ? { ...store.stats } : undefined, warnings, sent };
  await closeSharedTokenStores();
  process.stdout.write(`${JSON.stringify(result)}\n`);
})().catch((e) => {
  process.stdout.write(`${JSON.stringify({ name: job.name, crashed: String(e && e.stack) })}\n`);
  process.exitCode = 1;
});
