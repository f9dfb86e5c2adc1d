/** The same 1,000 checks through the core, n8n's execute() and a Node-RED runtime. */
import { OnsMqttClient } from '../../lib/internal';
import { startEmulatorProcess } from '../emulator-process';
import { gc, ids, type BenchResult } from '../report';

export async function hosts(): Promise<BenchResult> {
  const { AlibabaCloudMqtt } = await import('../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node');
  const { executeContext } = await import('../../test/helpers/n8n-context');
  const { helper, collect, waitUntil } = await import('../../test/helpers/node-red');
  const configNode =
    (await import('../../nodes/node-red/alicloud-mqtt-config')).default ??
    (await import('../../nodes/node-red/alicloud-mqtt-config'));
  const sessionNode =
    (await import('../../nodes/node-red/alicloud-mqtt-session')).default ??
    (await import('../../nodes/node-red/alicloud-mqtt-session'));
  const emu = await startEmulatorProcess({ faults: { latencyMs: 50, jitterMs: 10 } });
  const n = 1000;
  const list = ids(n, 'GID_host@@@');
  const timed = async (run: () => Promise<void>) => {
    gc();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const used = process.cpuUsage(cpu);
    return {
      perSecond: n / ((performance.now() - started) / 1000),
      cpuMsPerItem: (used.user + used.system) / 1000 / n,
    };
  };
  const credentials = {
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    region: 'cn-hangzhou',
    network: 'public',
    endpoint: emu.endpoint,
  };
  const core = await timed(async () => {
    const client = new OnsMqttClient({
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      endpoint: emu.endpoint,
    });
    await client.querySessions({ clientIds: list, instanceId: emu.instanceId });
  });
  await new Promise((r) => setTimeout(r, 1000)); // let the shared bucket refill between runs
  const n8n = await timed(async () => {
    const ctx = executeContext({
      parameters: {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        instanceId: emu.instanceId,
        options: {},
      },
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
