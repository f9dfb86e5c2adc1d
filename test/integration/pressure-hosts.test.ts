/**
 * The stall scenario through both hosts' entry points (n8n's Get Status with 1,500 items, the
 * Node-RED session node with 1,500 messages), against the emulator in its own process: every item
 * or message ends in exactly one output, the scheduler never lets more than rate + burst go in
 * any second, nothing arrives over the documented limit. Then cancellation: n8n's execution
 * cancel signal and Node-RED's close stop the requests still queued.
 */
import { busiestSecond } from '../../emulator';
import { API_RATE_LIMITS } from '../../lib/internal';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { executeContext } from '../helpers/n8n-context';
import { collect, helper, waitUntil } from '../helpers/node-red';
import { busiestWindow, recordSends, type SendLog } from '../helpers/send-log';

const LIMIT = API_RATE_LIMITS.QuerySessionByClientId;
const PROMISED = LIMIT.ratePerSecond + LIMIT.burst;
const INSTANCE = 'post-cn-emulator01';
const N = 1500;
const ids = (prefix: string) => Array.from({ length: N }, (_, i) => `GID_${prefix}@@@${i}`);

let proc: EmulatorProcess;
let sends: SendLog;
beforeAll(async () => {
  proc = await startEmulatorProcess();
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await proc.stop();
});
beforeEach(async () => {
  await proc.reset();
  sends = recordSends(proc.endpoint);
});
afterEach(() => sends.stop());
jest.setTimeout(90_000);

async function expectWithinLimits(expectedRequests: number) {
  const log = (await proc.log()).filter((e) => e.action === 'QuerySessionByClientId');
  expect(log).toHaveLength(expectedRequests);
  expect(busiestWindow(sends.times)).toBeLessThanOrEqual(PROMISED);
  expect(busiestSecond(log).count).toBeLessThanOrEqual(LIMIT.documentedQps);
  expect(log.filter((e) => e.code === 'SystemOverFlow')).toHaveLength(0);
}

describe('n8n: Get Status with 1,500 items while the service stalls 2 s', () => {
  const node = new AlibabaCloudMqtt();
  const context = (items: string[], cancelSignal?: AbortSignal) =>
    executeContext({
      parameters: {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        instanceId: INSTANCE,
        options: { timeout: 10_000 },
      },
      items: items.map((clientId) => ({ clientId })),
      credentials: {
        accessKeyId: proc.accessKeyId,
        accessKeySecret: proc.accessKeySecret,
        useSts: false,
        region: 'cn-hangzhou',
        network: 'public',
        endpoint: proc.endpoint,
      },
      cancelSignal,
    });

  it('every item on exactly one output; the limit holds', async () => {
    await proc.setFaults({ stallForMs: 2000, throttleQps: { QuerySessionByClientId: LIMIT.documentedQps } });
    const input = ids('n8n');
    const [online, offline] = await node.execute.call(context(input));
    const out = [...online, ...offline].map((i) => i.json.clientId as string);
    expect(out.sort()).toEqual([...input].sort());
    expect(offline.every((i) => i.json.online === false && !i.json.error)).toBe(true);
    await expectWithinLimits(N);
  });

  it('cancelling the execution stops what is queued: execute() returns, nothing more is sent', async () => {
    await proc.setFaults({ hangRate: 1 });
    const controller = new AbortController();
    const running = node.execute.call(context(ids('cancel'), controller.signal)).catch((e: unknown) => e);
    await waitUntil(() => sends.times.length >= 32, 10_000, 'the first requests to go');
    controller.abort();
    // Returns although every request in flight hangs (without the abort it would wait 10 s each).
    await running;
    const sentAtCancel = (await proc.log()).length;
    await new Promise((r) => setTimeout(r, 500));
    expect((await proc.log()).length).toBe(sentAtCancel);
    expect(sentAtCancel).toBeLessThan(100); // the concurrency cap, not 1,500
  });
});

describe('Node-RED: the session node with 1,500 messages while the service stalls 2 s', () => {
  const flow = () => [
    { id: 'cfg', type: 'alicloud-mqtt-config', name: 'emulator', endpoint: proc.endpoint },
    {
      id: 'q',
      type: 'alicloud-mqtt-session',
      z: 'f1',
      config: 'cfg',
      clientId: 'payload',
      clientIdType: 'msg',
      instanceId: INSTANCE,
      instanceIdType: 'str',
      timeout: 10_000,
      wires: [['on'], ['off']],
    },
    { id: 'on', type: 'helper', z: 'f1' },
    { id: 'off', type: 'helper', z: 'f1' },
    { id: 'f1', type: 'tab' },
  ];
  const load = async () => {
    await helper.load([configNode, sessionNode], flow(), {
      cfg: { accessKeyId: proc.accessKeyId, accessKeySecret: proc.accessKeySecret },
    });
    return { on: collect('on'), off: collect('off'), q: helper.getNode('q') };
  };
  afterEach(() => helper.unload());

  it('every message on exactly one output; the limit holds', async () => {
    await proc.setFaults({ stallForMs: 2000, throttleQps: { QuerySessionByClientId: LIMIT.documentedQps } });
    const { on, off, q } = await load();
    const input = ids('nr');
    for (const payload of input) q.receive({ payload });
    await waitUntil(() => on.length + off.length >= N, 60_000, 'every message to come out');
    await new Promise((r) => setTimeout(r, 200));
    expect([...on, ...off].map((m) => (m.payload as { clientId: string }).clientId).sort()).toEqual([...input].sort());
    await expectWithinLimits(N);
  });

  it('closing the node (redeploy) stops what is queued: nothing more is sent', async () => {
    await proc.setFaults({ hangRate: 1 });
    const { q } = await load();
    for (const payload of ids('close')) q.receive({ payload });
    await waitUntil(() => sends.times.length >= 32, 10_000, 'the first requests to go');
    await helper.unload();
    const sentAtClose = (await proc.log()).length;
    await new Promise((r) => setTimeout(r, 500));
    expect((await proc.log()).length).toBe(sentAtClose);
    expect(sentAtClose).toBeLessThan(100);
  });
});
