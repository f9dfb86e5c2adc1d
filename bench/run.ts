/**
 * `npm run bench`: the fleet-scale benchmarks, one file each under bench/suites/, each against the
 * emulator (in its own process, so that only the client side is measured) on 127.0.0.1. Prints a
 * table with goals and a pass/short verdict per line, and saves the figures to
 * bench/results/latest.json.
 *
 *   node --expose-gc dist/bench/run.js [stall fleet-exact fleet-batch per-call load-time memory hosts shared details abort node-red-list push-events push-storm host-cost fleet-100k n8n-100k busy-loop far-redis transports fleet-health]
 */
import { cpus } from 'node:os';
import { saveJson, table, type BenchResult } from './report';
import { abortLatency } from './suites/abort-latency';
import { busyLoop, farRedis } from './suites/busy-host';
import { fleet } from './suites/fleet';
import { fleet100k } from './suites/fleet-100k';
import { fleetHealth } from './suites/fleet-health';
import { hostCost } from './suites/host-cost';
import { n8n100k } from './suites/n8n-100k';
import { hosts } from './suites/hosts';
import { loadTime } from './suites/load-time';
import { memory } from './suites/memory';
import { nodeRedList } from './suites/node-red-list';
import { details } from './suites/offline-details';
import { perCallCost } from './suites/per-call';
import { pushEvents, pushStorm } from './suites/push';
import { shared } from './suites/shared-limit';
import { stall } from './suites/stall';
import { transports } from './suites/transports';

/** The registry: a name on the command line -> its benchmark. */
const BENCHES: Record<string, () => Promise<BenchResult> | BenchResult> = {
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
  'push-events': pushEvents,
  'push-storm': pushStorm,
  'host-cost': hostCost,
  'fleet-100k': fleet100k,
  'n8n-100k': n8n100k,
  'busy-loop': busyLoop,
  'far-redis': farRedis,
  transports,
  'fleet-health': fleetHealth,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => BENCHES[a]);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const rows: BenchResult[] = [];
  for (const name of names) {
    process.stdout.write(`running ${name} ...\n`);
    const row = await BENCHES[name]();
    rows.push(row);
    // Each line as soon as it is measured: a long run shows its figures as it goes.
    process.stdout.write(`  ${row.verdict === 'pass' ? 'PASS' : 'MISS'}  ${row.bench}: ${row.figures}\n`);
  }
  process.stdout.write(
    `\n${table(rows.map(({ bench, figures, goal, verdict }) => ({ bench, figures, goal, verdict })))}\n`,
  );
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
