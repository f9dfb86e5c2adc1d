/** How much the nodes add to a host's start, and that the SDK is not loaded until the first call. */
import { execFileSync, spawnSync } from 'node:child_process';
import { ROOT, type BenchResult } from '../report';

export function loadTime(): BenchResult {
  const once = (code: string) => {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - started;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  /** Median of paired differences, each pair run back to back, so machine drift cancels out. */
  const added = (base: string, withOurs: string) =>
    median(Array.from({ length: 11 }, () => -once(base) + once(withOurs)));
  const n8nNode = `require('n8n-workflow'); require('./dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.js'); require('./dist/nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node.js'); require('./dist/credentials/AlibabaCloudMqttApi.credentials.js')`;
  const nodeRed = ['config', 'session', 'trace', 'watch']
    .map((n) => `require('./dist/nodes/node-red/alicloud-mqtt-${n}.js')`)
    .join(';');
  const bare = median(Array.from({ length: 5 }, () => once('')));
  const addedN8n = added("require('n8n-workflow')", n8nNode);
  const addedNodeRed = added('', nodeRed);
  const sdkLoaded = execFileSync(
    process.execPath,
    [
      '-e',
      `${n8nNode};${nodeRed};process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@alicloud'))))`,
    ],
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
