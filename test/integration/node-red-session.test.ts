import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import traceNode = require('../../nodes/node-red/alicloud-mqtt-trace');
import { connectMqtt, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { INPUT_SLICE } from '../../nodes/node-red/runtime';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, expectNothingMore, helper, sleep, waitUntil } from '../helpers/node-red';

const env = nodeRedWithEmulator();
const INSTANCE = 'post-cn-emulator01';
const NODES = [configNode, sessionNode, traceNode];

beforeEach(() => env.emu.reset());

function flow(session: Record<string, unknown> = {}, extra: unknown[] = []) {
  return [
    { id: 'cfg', type: 'alicloud-mqtt-config', name: 'emulator', endpoint: env.emu.endpoint },
    {
      id: 'q',
      type: 'alicloud-mqtt-session',
      z: 'f1',
      x: 100,
      y: 100,
      config: 'cfg',
      clientId: 'payload',
      clientIdType: 'msg',
      instanceId: INSTANCE,
      instanceIdType: 'str',
      attempts: 3,
      wires: session.routeErrors ? [['on'], ['off'], ['retry'], ['fail']] : [['on'], ['off']],
      ...session,
    },
    { id: 'on', type: 'helper', z: 'f1', x: 300, y: 50 },
    { id: 'off', type: 'helper', z: 'f1', x: 300, y: 100 },
    { id: 'retry', type: 'helper', z: 'f1', x: 300, y: 150 },
    { id: 'fail', type: 'helper', z: 'f1', x: 300, y: 200 },
    { id: 'f1', type: 'tab' },
    ...extra,
  ];
}
const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };
const CATCH = [
  { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'f1', x: 300, y: 300 },
];

async function load(
  session: Record<string, unknown> = {},
  extra: unknown[] = [],
  creds: Record<string, unknown> = CREDS,
) {
  await helper.load(NODES, flow(session, extra), creds);
  return {
    on: collect('on'),
    off: collect('off'),
    retry: collect('retry'),
    fail: collect('fail'),
    q: helper.getNode('q'),
  };
}

describe('alicloud-mqtt-session in a real Node-RED runtime', () => {
  it('routes online and offline, keeping the message, result in msg.payload', async () => {
    const device = await connectMqtt(env.emu.mqttUrl!, 'GID_nr@@@on');
    try {
      const { on, off, q } = await load();
      q.receive({ payload: 'GID_nr@@@on', topic: 'site/a', ticket: 7 });
      q.receive({ payload: 'GID_nr@@@off' });
      await waitUntil(() => on.length + off.length === 2);
      expect(on[0]).toMatchObject({
        topic: 'site/a',
        ticket: 7,
        payload: {
          clientId: 'GID_nr@@@on',
          instanceId: INSTANCE,
          online: true,
          requestId: expect.any(String),
          checkedAt: expect.any(String),
        },
      });
      expect(off[0].payload).toMatchObject({ clientId: 'GID_nr@@@off', online: false });
    } finally {
      device.end(true);
    }
  });

  it.each(['exact', 'batch'])('an array of ids gives one message per id with msg.parts (%s mode)', async (mode) => {
    const ids = Array.from({ length: 23 }, (_, i) => `GID_arr@@@${i}`);
    for (const i of [0, 5, 22]) env.emu.setDeviceOnline(ids[i], true);
    const { on, off } = await load({ mode });
    helper.getNode('q').receive({ payload: ids, batch: 'x' });
    await waitUntil(() => on.length + off.length === 23);
    expect(on.map((m) => m.parts.index).sort((a: number, b: number) => a - b)).toEqual([0, 5, 22]);
    const all = [...on, ...off];
    expect(new Set(all.map((m) => m.parts.index)).size).toBe(23);
    expect(all.every((m) => m.parts.count === 23 && m.batch === 'x' && m.payload.clientId === ids[m.parts.index])).toBe(
      true,
    );
    const actions = env.emu.requestLog().map((e) => e.action);
    expect(actions).toEqual(
      mode === 'batch' ? Array(3).fill('BatchQuerySessionByClientIds') : Array(23).fill('QuerySessionByClientId'),
    );
  });

  it("each message of a list is a copy of the input without the list: its property holds the message's own id (as a split node)", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `GID_split@@@${i}`);
    const { on, off } = await load({ clientId: 'devices', clientIdType: 'msg', property: 'result' });
    const input = { payload: 'kept', devices: ids, meta: { deep: [1, 2] } };
    helper.getNode('q').receive(input);
    await waitUntil(() => on.length + off.length === 30);
    const all = [...on, ...off];
    expect(all.every((m) => m.devices === ids[m.parts.index] && m.result.clientId === ids[m.parts.index])).toBe(true);
    expect(all.every((m) => m.payload === 'kept' && m.meta.deep.length === 2)).toBe(true);
    // Each message has its own copy of the rest: changing one changes no other, nor the input.
    all[0].meta.deep.push(3);
    expect(all[1].meta.deep).toEqual([1, 2]);
    expect(input.devices).toHaveLength(30);
  });

  // Failed on 3ea3f37 in batch mode: querySessions threw a TypeError, the two good ids got no
  // message, the whole message went to Catch without a code and the status stayed "querying".
  it.each(['exact', 'batch'])(
    'a list with a value that cannot be turned into text: one message per entry, the bad one with its code (%s mode)',
    async (mode) => {
      env.emu.setDeviceOnline('GID_pr@@@1', true);
      const { on, off, q } = await load({ mode }, CATCH);
      const caught = collect('caught');
      q.receive({ payload: ['GID_pr@@@1', { toString: 1 }, 'GID_pr@@@2'] });
      await waitUntil(() => on.length + off.length + caught.length >= 3);
      await expectNothingMore(() => on.length + off.length + caught.length);
      expect(on.map((m) => m.parts.index)).toEqual([0]);
      expect(off.map((m) => m.parts.index)).toEqual([2]);
      expect(caught).toHaveLength(1);
      expect(caught[0].alicloudError).toMatchObject({ code: 'InvalidInput' });
      expect(caught[0].parts.index).toBe(1);
      expect(env.emu.requestLog().flatMap((e) => e.clientIds)).not.toContain('[object Object]');
    },
  );

  it('reads the Client ID from every TypedInput source', async () => {
    process.env.NR_TEST_DEVICE = 'GID_src@@@env';
    const sources: Array<[string, string, string]> = [
      ['msg', 'device.id', 'GID_src@@@msg'],
      ['flow', 'deviceId', 'GID_src@@@flow'],
      ['global', 'deviceId', 'GID_src@@@global'],
      ['env', 'NR_TEST_DEVICE', 'GID_src@@@env'],
      ['str', 'GID_src@@@str', 'GID_src@@@str'],
      ['jsonata', '"GID_src@@@" & device.kind', 'GID_src@@@jsonata'],
    ];
    for (const [type, value, expected] of sources) {
      const { off, q } = await load({ clientId: value, clientIdType: type });
      q.context().flow.set('deviceId', 'GID_src@@@flow');
      q.context().global.set('deviceId', 'GID_src@@@global');
      q.receive({ device: { id: 'GID_src@@@msg', kind: 'jsonata' } });
      await waitUntil(() => off.length === 1, 5000, `${type} source`);
      expect(off[0].payload.clientId).toBe(expected);
      await helper.unload();
    }
  });

  it('an empty list of ids is an error to Catch, not a silently dropped message', async () => {
    const { on, off, q } = await load({}, CATCH);
    const caught = collect('caught');
    q.receive({ payload: [], n: 1 });
    await waitUntil(() => caught.length === 1);
    expect(caught[0].alicloudError).toMatchObject({ code: 'InvalidInput' });
    expect(caught[0].error.message).toMatch(/list of Client IDs is empty/);
    expect(on.length + off.length).toBe(0);
  });

  it('Instance ID from msg.instanceId when the node leaves it blank', async () => {
    const { off, q } = await load({ instanceId: '' });
    q.receive({ payload: 'GID_inst@@@1', instanceId: INSTANCE });
    await waitUntil(() => off.length === 1);
    expect(off[0].payload.instanceId).toBe(INSTANCE);
  });

  it('accepts ${ENV_VAR} credentials', async () => {
    process.env.NR_TEST_AK = SENTINEL_ACCESS_KEY_ID;
    process.env.NR_TEST_SK = SENTINEL_SECRET;
    const { off, q } = await load({}, [], { cfg: { accessKeyId: '${NR_TEST_AK}', accessKeySecret: '${NR_TEST_SK}' } });
    q.receive({ payload: 'GID_env@@@1' });
    await waitUntil(() => off.length === 1);
    expect(off[0].payload.online).toBe(false);
  });

  it('missing credentials: a clear error to Catch, naming the config node', async () => {
    const { q } = await load({}, CATCH, { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID } });
    const caught = collect('caught');
    q.receive({ payload: 'GID_x@@@1' });
    await waitUntil(() => caught.length === 1);
    expect(caught[0].error.message).toMatch(/accessKeySecret: is missing in Alibaba Cloud MQTT config "emulator"/);
    expect(env.emu.requestLog()).toHaveLength(0);
  });

  it('Catch receives each failure exactly once, with the code and msg.alicloudError', async () => {
    env.emu.setFaults({
      errors: [
        { code: 'PermissionCheckFailed', clientId: 'GID_c@@@bad' },
        { code: 'InternalError', clientId: 'GID_c@@@flaky' },
      ],
    });
    const { on, off, q } = await load({}, CATCH);
    const caught = collect('caught');
    q.receive({ payload: 'GID_c@@@bad', n: 1 });
    q.receive({ payload: 'GID_c@@@flaky', n: 2 });
    q.receive({ payload: ['GID_c@@@ok', 'GID_c@@@bad'], n: 3 });
    await waitUntil(() => caught.length >= 3 && off.length >= 1);
    await expectNothingMore(() => caught.length + on.length + off.length);
    expect(caught).toHaveLength(3);
    expect(on).toHaveLength(0);
    expect(off.map((m) => m.payload.clientId)).toEqual(['GID_c@@@ok']);
    const byN = Object.fromEntries(caught.map((m) => [m.n, m]));
    expect(byN[1].error.message).toMatch(/PermissionCheckFailed: .*request id [0-9A-F-]{36}/);
    expect(byN[1].alicloudError).toMatchObject({
      code: 'PermissionCheckFailed',
      retryable: false,
      attempts: 1,
      hint: expect.stringContaining('mq:MqttInstanceAccess'),
    });
    expect(byN[2].alicloudError).toMatchObject({ code: 'InternalError', retryable: true, attempts: 3 });
    expect(byN[3].payload).toMatchObject({ clientId: 'GID_c@@@bad', online: null });
    if (byN[1].error.code !== undefined) expect(byN[1].error.code).toBe('PermissionCheckFailed');
  });

  it('Retry and Fail outputs when the option is on; nothing to Catch', async () => {
    env.emu.setFaults({
      errors: [
        { code: 'InvalidSecurityToken.Expired', clientId: 'GID_rf@@@bad' },
        { code: 'SystemOverFlow', clientId: 'GID_rf@@@busy' },
      ],
    });
    const { on, off, retry, fail, q } = await load({ routeErrors: true, outputs: 4 }, CATCH);
    const caught = collect('caught');
    q.receive({ payload: ['GID_rf@@@bad', 'GID_rf@@@busy', 'GID_rf@@@ok'] });
    q.receive({ payload: '' });
    await waitUntil(() => on.length + off.length + retry.length + fail.length === 4);
    await expectNothingMore(() => on.length + off.length + retry.length + fail.length);
    expect(retry.map((m) => m.payload.clientId)).toEqual(['GID_rf@@@busy']);
    expect(fail.map((m) => m.alicloudError.code).sort()).toEqual(['InvalidInput', 'InvalidSecurityToken.Expired']);
    expect(off).toHaveLength(1);
    expect(caught).toHaveLength(0);
  });

  it('status: querying (n) under concurrent messages, then the last result; cleared on close', async () => {
    env.emu.setFaults({ latencyMs: 150 });
    env.emu.setDeviceOnline('GID_st@@@3', true);
    const { on, off, q } = await load();
    const statuses: Array<Record<string, unknown>> = [];
    q.status = ((orig) => (s: Record<string, unknown>) => {
      statuses.push(s);
      return orig.call(q, s);
    })(q.status);
    q.receive({ payload: 'GID_st@@@1' });
    q.receive({ payload: 'GID_st@@@2' });
    await sleep(20);
    q.receive({ payload: 'GID_st@@@3' });
    await waitUntil(() => on.length + off.length === 3);
    const texts = statuses.map((s) => String(s.text));
    // Three messages in flight at once: the count goes up to 3 and back down, never a stale result.
    expect(texts.slice(0, 3).map((t) => t.slice(-3))).toEqual(['(1)', '(2)', '(3)']);
    expect(texts.slice(3, 5).map((t) => t.slice(-3))).toEqual(['(2)', '(1)']);
    const last = statuses[statuses.length - 1];
    expect(last).toMatchObject({ fill: 'green', shape: 'dot' });
    // Never a final status while messages were still in flight.
    const finals = statuses.filter((s) => s.fill !== 'blue');
    expect(finals).toHaveLength(1);
    await helper.unload();
    expect(statuses[statuses.length - 1]).toEqual({});
  });

  it('close during in-flight calls abandons them (no connection left open) and drops nothing into an unhandled rejection', async () => {
    env.emu.setFaults({ hangRate: 1 });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { q } = await load({ timeout: 20000 });
      for (let i = 0; i < 5; i++) q.receive({ payload: `GID_close@@@${i}` });
      await sleep(100);
      expect(env.emu.stats().hanging).toBe(5);
      await helper.unload();
      // Without the abort, the five requests would hang on for their 20 s timeout (and Node-RED
      // would give up on the close after 15 s): the emulator sees every connection closed.
      await sleep(100);
      expect(env.emu.stats().hanging).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 30000);

  it('closing during a 300-id check is quiet: no error per cancelled id, one summary line', async () => {
    env.emu.setFaults({ latencyMs: 200 });
    const { q } = await load({ timeout: 20000 });
    const errors: unknown[] = [];
    const logs: string[] = [];
    q.error = (e: unknown) => void errors.push(e);
    q.log = (m: string) => void logs.push(m);
    q.receive({ payload: Array.from({ length: 300 }, (_, i) => `GID_flood@@@${i}`) });
    for (let i = 0; i < 20; i++) q.receive({ payload: `GID_flood@@@single${i}` });
    await sleep(300);
    await helper.unload();
    expect(errors).toEqual([]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^closed while querying: \d+ queries cancelled$/);
  });

  it('a burst of 1,000 messages is started a slice per turn of the event loop; each ends in one output, and closing mid-burst ends the rest quietly', async () => {
    env.emu.setFaults({ latencyMs: 20 });
    const { on, off, q } = await load({ timeout: 20000 });
    const started: number[] = [];
    const startsPerTurn: number[] = [];
    const logs: string[] = [];
    q.log = (m: string) => void logs.push(m);
    // The status names how many messages are querying: one more for each message started, one
    // fewer for each answered (answers can come within these turns on a slow machine).
    let querying = 0;
    q.status = ((orig) => (s: { text?: string }) => {
      const n = Number(/\((\d+)\)$/.exec(String(s.text))?.[1] ?? 0);
      if (n > querying) started.push(n);
      querying = n;
      return orig.call(q, s);
    })(q.status);
    const ids = Array.from({ length: 1000 }, (_, i) => `GID_burst@@@${i}`);
    for (const id of ids) q.receive({ payload: id });
    // Nothing starts inside Node-RED's delivery of the burst.
    expect(started).toHaveLength(0);
    for (let turn = 0; turn < 5; turn++) {
      const before = started.length;
      await new Promise((resolve) => setImmediate(resolve));
      startsPerTurn.push(started.length - before);
    }
    for (const n of startsPerTurn) expect(n).toBeLessThanOrEqual(INPUT_SLICE);
    expect(startsPerTurn.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await waitUntil(() => on.length + off.length === ids.length, 120_000);
    await expectNothingMore(() => on.length + off.length);
    // One output each, none twice, none lost.
    const out = [...on, ...off].map((m) => (m.payload as { clientId: string }).clientId);
    expect(new Set(out).size).toBe(ids.length);
    expect(out.sort()).toEqual([...ids].sort());

    // Again, and close after the first slice: every message started is cancelled quietly, every
    // one not started yet ends too, and one summary line counts them all.
    await helper.unload();
    expect(logs).toEqual([]); // nothing was left to cancel
    const second = await load({ timeout: 20000 });
    const secondLogs: string[] = [];
    second.q.log = (m: string) => void secondLogs.push(m);
    const errors: unknown[] = [];
    second.q.error = (e: unknown) => void errors.push(e);
    for (const id of ids) second.q.receive({ payload: `${id}-again` });
    await new Promise((resolve) => setImmediate(resolve));
    await helper.unload();
    const delivered = second.on.length + second.off.length;
    expect(errors).toEqual([]);
    expect(secondLogs).toHaveLength(1);
    const cancelled = Number(/^closed while querying: (\d+) queries cancelled$/.exec(secondLogs[0])?.[1]);
    expect(delivered + cancelled).toBe(ids.length);
    expect(cancelled).toBeGreaterThan(ids.length - INPUT_SLICE * 2);
  }, 180_000);

  it('option names: maxAttempts as in n8n and the API; a flow saved by 0.1 with "attempts" still works', async () => {
    env.emu.setFaults({ errors: [{ code: 'InternalError' }] });
    const current = await load({ maxAttempts: 1, attempts: undefined, routeErrors: true });
    current.q.receive({ payload: 'GID_opt@@@new' });
    await waitUntil(() => current.retry.length === 1);
    expect(current.retry[0].alicloudError.attempts).toBe(1);
    await helper.unload();
    const legacy = await load({ attempts: 2, routeErrors: true });
    legacy.q.receive({ payload: 'GID_opt@@@old' });
    await waitUntil(() => legacy.retry.length === 1);
    expect(legacy.retry[0].alicloudError.attempts).toBe(2);
  });

  it('100 mixed messages: each in exactly one output', async () => {
    const kind = (i: number) => (i % 10 === 3 ? 'fail' : i % 10 === 7 ? 'retry' : i % 2 === 0 ? 'on' : 'off');
    for (let i = 0; i < 100; i++) if (kind(i) === 'on') env.emu.setDeviceOnline(`GID_m@@@${i}`, true);
    env.emu.setFaults({
      errors: Array.from({ length: 100 }, (_, i) => i).flatMap((i) =>
        kind(i) === 'fail'
          ? [{ code: 'ParameterCheckFailed', clientId: `GID_m@@@${i}` }]
          : kind(i) === 'retry'
            ? [{ code: 'Throttling.User', clientId: `GID_m@@@${i}` }]
            : [],
      ),
    });
    const outs = await load({ routeErrors: true, outputs: 4 });
    for (let i = 0; i < 100; i++) outs.q.receive({ payload: `GID_m@@@${i}`, n: i });
    const ports = { on: outs.on, off: outs.off, retry: outs.retry, fail: outs.fail };
    await waitUntil(() => Object.values(ports).reduce((a, p) => a + p.length, 0) >= 100, 15000);
    await expectNothingMore(() => Object.values(ports).reduce((a, p) => a + p.length, 0));
    const seen = new Map<number, string>();
    for (const [name, msgs] of Object.entries(ports)) {
      for (const m of msgs) {
        expect(seen.has(m.n)).toBe(false);
        seen.set(m.n, name);
      }
    }
    expect(seen.size).toBe(100);
    for (let i = 0; i < 100; i++) expect(seen.get(i)).toBe(kind(i));
  }, 30000);

  it('secrets reach no message, status or log line', async () => {
    env.emu.setFaults({ errors: [{ code: 'SignatureDoesNotMatch', clientId: 'GID_sec@@@1' }] });
    const { on, off, q } = await load({}, CATCH);
    const caught = collect('caught');
    const statuses: unknown[] = [];
    q.status = ((orig) => (s: unknown) => {
      statuses.push(s);
      return orig.call(q, s);
    })(q.status);
    q.receive({ payload: 'GID_sec@@@1' });
    q.receive({ payload: 'GID_sec@@@2' });
    await waitUntil(() => caught.length + on.length + off.length === 2);
    const everything = JSON.stringify({ on, off, caught, statuses, log: helper.log().args });
    expect(everything).not.toContain(SENTINEL_SECRET);
  });
});

describe('alicloud-mqtt-trace in a real Node-RED runtime', () => {
  it('returns the connection events of a device, newest first', async () => {
    const device = await connectMqtt(env.emu.mqttUrl!, 'GID_tr@@@1');
    device.stream.destroy();
    await waitUntil(() => !env.emu.isDeviceOnline('GID_tr@@@1'));
    await helper.load(
      NODES,
      [
        { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint },
        {
          id: 't',
          type: 'alicloud-mqtt-trace',
          config: 'cfg',
          clientId: 'payload',
          clientIdType: 'msg',
          instanceId: INSTANCE,
          minutes: 5,
          limit: 10,
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
      ],
      CREDS,
    );
    const out = collect('out');
    helper.getNode('t').receive({ payload: 'GID_tr@@@1' });
    await waitUntil(() => out.length === 1);
    expect(out[0].payload.map((e: { action: string; reason: string }) => `${e.action}:${e.reason}`)).toEqual([
      'close:closed by client',
      'connect:accepted',
    ]);
    expect(out[0].clientId).toBe('GID_tr@@@1');
  });
});
