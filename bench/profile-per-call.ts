/**
 * Where the per-call CPU goes: runs the SDK path under the V8 profiler and prints the heaviest
 * functions and packages by self time. `node dist/bench/profile-per-call.js [calls]`
 */
import { Session } from 'node:inspector/promises';
import { OnsMqttClient } from '../lib/internal';
import { startEmulatorProcess } from './emulator-process';
import { table } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const emu = await startEmulatorProcess({});
  const client = new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
    maxQps: 299,
    concurrency: 16,
  });
  const run = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) await client.querySession({ clientId: `GID_p@@@${next++}`, instanceId: emu.instanceId });
      }),
    );
  };
  await run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await run();
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
  await emu.stop();
  // Shares of the busy time: idle (waiting on the rate limit and the network) is left out.
  const isIdle = (n: ProfileNode) => n.callFrame.functionName === '(idle)';
  const total = profile.nodes.reduce((a, n) => a + (isIdle(n) ? 0 : n.hitCount), 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const ownFunctions = new Set<string>();
  for (const node of profile.nodes) {
    if (!node.hitCount || isIdle(node)) continue;
    const url = node.callFrame.url;
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.startsWith('node:')
        ? 'node core'
        : url.includes('/dist/')
          ? 'this package'
          : url
            ? 'other'
            : `(${node.callFrame.functionName || 'program'})`);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.hitCount);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.hitCount);
    if (pkg === 'this package') ownFunctions.add(fn);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => ({ name, share: `${((hits / total) * 100).toFixed(1)} %` }));
  process.stdout.write(
    `Self time by package, share of busy CPU (${n} calls)\n${table(top(byPackage, 12))}\n\nHeaviest functions\n${table(top(byFunction, 20))}\n\n` +
      `Heaviest of this package\n${table(top(new Map([...byFunction].filter(([name]) => ownFunctions.has(name))), 15))}\n`,
  );
  process.exit(0);
}

void main();
