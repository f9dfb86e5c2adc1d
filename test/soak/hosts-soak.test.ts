import type { RunningEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import { SOAK_FAULTS } from '../../bench/soak';
import { executeContext } from '../helpers/n8n-context';
import { collect, helper, sleep, waitUntil } from '../helpers/node-red';

/**
 * The fault soak through both hosts, at 2,000 items: the same fault mix (latency lowered so that
 * it fits the test suite), every item or message must end in exactly one output.
 */
const N = 2000;
const SECRET = 'soak-SECRET-sentinel-123';
const AK = 'LTAI5tSoak';
let emu: RunningEmulator;
const FAULTS = { ...SOAK_FAULTS, latencyMs: 5, jitterMs: 3, seed: 7 };

beforeAll(async () => {
  emu = await startEmulator({ mqttPort: false, accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }] });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await emu.stop();
});
beforeEach(() => {
  emu.reset();
  for (let i = 0; i < N; i += 3) emu.setDeviceOnline(`GID_hs@@@${i}`, true);
  emu.setFaults(FAULTS);
});

it(`n8n node execute(): ${N} items under mixed faults, each in exactly one output`, async () => {
  const items = Array.from({ length: N }, (_, i) => ({ clientId: `GID_hs@@@${i}`, n: i }));
  const ctx = executeContext({
    parameters: {
      resource: 'deviceSession',
      operation: 'getStatus',
      clientId: '={{ $json.clientId }}',
      instanceId: emu.instanceId,
      routeErrors: true,
      options: { timeout: 300, maxAttempts: 4, concurrency: 64 },
    },
    items,
    credentials: {
      accessKeyId: AK,
      accessKeySecret: SECRET,
      region: 'cn-hangzhou',
      network: 'public',
      endpoint: emu.endpoint,
    },
  });
  const outputs = await new AlibabaCloudMqtt().execute.call(ctx);
  const seen = new Array<number>(N).fill(0);
  outputs.forEach((out) => out.forEach((item) => seen[(item.pairedItem as { item: number }).item]++));
  expect(seen.filter((c) => c !== 1)).toEqual([]);
  expect(outputs[0].every((i) => i.json.online === true)).toBe(true);
  expect(outputs[1].every((i) => i.json.online === false)).toBe(true);
  expect(outputs[3].length).toBeGreaterThan(0);
  expect(JSON.stringify(outputs)).not.toContain(SECRET);
}, 120_000);

it(`Node-RED session node: ${N} messages under mixed faults, each in exactly one output`, async () => {
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
        routeErrors: true,
        outputs: 4,
        timeout: 300,
        attempts: 4,
        concurrency: 64,
        wires: [['o0'], ['o1'], ['o2'], ['o3']],
      },
      { id: 'o0', type: 'helper' },
      { id: 'o1', type: 'helper' },
      { id: 'o2', type: 'helper' },
      { id: 'o3', type: 'helper' },
    ],
    { cfg: { accessKeyId: AK, accessKeySecret: SECRET } },
  );
  const outs = ['o0', 'o1', 'o2', 'o3'].map((id) => collect(id));
  const q = helper.getNode('q');
  for (let i = 0; i < N; i++) q.receive({ payload: `GID_hs@@@${i}`, n: i });
  const total = () => outs.reduce((a, o) => a + o.length, 0);
  await waitUntil(() => total() >= N, 90_000, `${N} messages`);
  await sleep(300);
  const seen = new Array<number>(N).fill(0);
  outs.forEach((o) => o.forEach((m) => seen[m.n]++));
  expect(seen.filter((c) => c !== 1)).toEqual([]);
  expect(JSON.stringify(outs)).not.toContain(SECRET);
  await helper.unload();
}, 120_000);
