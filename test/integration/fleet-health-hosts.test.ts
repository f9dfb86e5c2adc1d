/**
 * Fleet health in both hosts, on one emulator: the same flapping schedule through the Node-RED
 * watch node (a real Node-RED runtime) and the n8n trigger (its poll(), state in static data) gives
 * the same items with the same fields; alarms are acknowledged, cleared and listed with input
 * messages in Node-RED, each message ending in exactly one output; the report leaves as an SVG
 * picture (Node-RED msg.payload, n8n binary data) with the figures as JSON; bad settings and bad
 * actions say what is wrong.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { AlibabaCloudMqttTrigger } from '../../nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import watchNode = require('../../nodes/node-red/alicloud-mqtt-watch');
import { SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { pollContext } from '../helpers/n8n-context';
import { nodeRedWithEmulator } from '../helpers/node-red-fixture';
import { collect, expectNothingMore, helper, waitUntil } from '../helpers/node-red';
import { startRedis } from '../helpers/redis-server';
import { closeSharedTokenStores } from '../../lib/shared-limit';
import { resolveSharedLimit } from '../../lib/shared-limit/options';
import { WatchLeadership } from '../../lib/watch/leadership';

const env = nodeRedWithEmulator();
const INSTANCE = 'post-cn-emulator01';
const FLAPPER = 'GID_fh@@@flapper';
const STEADY = 'GID_fh@@@steady';

/** The schedule both hosts see: the flapper toggles at checks 1..8, then stays online. */
const flapperOnline = (check: number) => check === 0 || check > 8 || check % 2 === 0;
const CHECKS = 36;
/** What Node-RED sent for the flapper, compared with n8n's items of the same schedule. */
const nodeRedFlapper: Array<Record<string, unknown>> = [];

function setDevices(check: number): void {
  env.emu.setDeviceOnline(STEADY, true);
  env.emu.setDeviceOnline(FLAPPER, flapperOnline(check));
}

/** An event's fields with the values that depend on the moment of the check replaced by their type. */
function shape(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (['since', 'checkedAt', 'startedAt', 'clearedAt', 'acknowledgedAt'].includes(key)) out[key] = typeof value;
    else if (key === 'flappingForMs' || key === 'offlineForMs') out[key] = typeof value;
    else if (key === 'key') out[key] = typeof value;
    else if (key === 'alarm' && value && typeof value === 'object') out[key] = shape(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

const NODES = [configNode, watchNode];
const CREDS = { cfg: { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET } };
/** The watch node with its four outputs and a Catch, each to a helper; `extra` for the watch, `config` for its config node. */
const flow = (extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => [
  { id: 'cfg', type: 'alicloud-mqtt-config', endpoint: env.emu.endpoint, ...config },
  {
    id: 'w',
    type: 'alicloud-mqtt-watch',
    z: 'f1',
    x: 100,
    y: 100,
    config: 'cfg',
    instanceId: INSTANCE,
    clientIds: `${STEADY}\n${FLAPPER}`,
    interval: 0,
    attempts: 2,
    summary: true,
    flapping: true,
    alarms: true,
    alarmSeverity: 'minor',
    criticalDevices: 'GID_vip',
    wires: [['off'], ['on'], ['health'], ['summary']],
    ...extra,
  },
  { id: 'off', type: 'helper', z: 'f1', x: 300, y: 50 },
  { id: 'on', type: 'helper', z: 'f1', x: 300, y: 100 },
  { id: 'health', type: 'helper', z: 'f1', x: 300, y: 150 },
  { id: 'summary', type: 'helper', z: 'f1', x: 300, y: 200 },
  { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'f1', x: 300, y: 250 },
  { id: 'f1', type: 'tab' },
];

describe('Node-RED watch node: flapping, alarms, report', () => {
  afterEach(() => helper.unload());

  it('the schedule: one `flapping`, one `flapping_stopped`, alarms on the events; actions answer once each', async () => {
    await helper.load(NODES, flow(), CREDS);
    const off = collect('off');
    const on = collect('on');
    const health = collect('health');
    const summary = collect('summary');
    const caught = collect('caught');
    const w = helper.getNode('w');
    const summaries = () => summary.filter((m) => m.topic === 'summary').length;
    for (let check = 0; check < CHECKS; check++) {
      setDevices(check);
      const before = summaries();
      w.receive({ topic: 'tick' });
      await waitUntil(() => summaries() > before, 8000, `check ${check}`);
    }
    const flapperEvents = [...off, ...on, ...health]
      .map((m) => m.payload as Record<string, unknown>)
      .filter((p) => p.clientId === FLAPPER)
      .sort((a, b) => String(a.checkedAt).localeCompare(String(b.checkedAt)));
    expect(flapperEvents.map((e) => e.event)).toEqual(['offline', 'online', 'offline', 'flapping', 'flapping_stopped']);
    nodeRedFlapper.push(...flapperEvents);
    expect(off[0].payload.alarm).toMatchObject({ type: 'outage', severity: 'minor', status: 'ACTIVE_UNACK' });
    expect(health.find((m) => m.topic === 'flapping_stopped')?.payload).toMatchObject({ online: true });
    // The outage the flapping held back was cleared when it settled online: one alarm notice says so.
    const clearedNotices = health.filter((m) => m.topic === 'alarm' && m.payload.change === 'cleared');
    expect(clearedNotices).toHaveLength(1);
    expect(caught).toEqual([]);

    // Acknowledge the outage of the first drop: one message on output 3, the change; again: the same alarm, no change.
    const key = off[0].payload.alarm.key as string;
    const healthBefore = health.length;
    w.receive({ action: 'acknowledge', payload: { key, by: 'ann' } });
    await waitUntil(() => health.length === healthBefore + 1);
    expect(health[health.length - 1]).toMatchObject({
      topic: 'alarm',
      payload: { event: 'alarm', change: 'acknowledged', alarm: { key, acknowledgedBy: 'ann', acknowledged: true } },
    });
    w.receive({ action: 'acknowledge', payload: key });
    await waitUntil(() => health.length === healthBefore + 2);
    expect(health[health.length - 1].payload).toMatchObject({ change: 'none', alarm: { acknowledgedBy: 'ann' } });

    // List and report: output 4.
    const summaryBefore = summary.length;
    w.receive({ action: 'alarms', payload: { acknowledged: true } });
    await waitUntil(() => summary.length === summaryBefore + 1);
    expect(summary[summary.length - 1]).toMatchObject({ topic: 'alarms' });
    expect((summary[summary.length - 1].payload as Array<{ key: string }>).map((a) => a.key)).toEqual([key]);
    w.receive({ action: 'report', payload: { window: 'hour' } });
    await waitUntil(() => summary.length === summaryBefore + 2);
    const report = summary[summary.length - 1];
    expect(report).toMatchObject({ topic: 'report', contentType: 'image/svg+xml' });
    expect(String(report.payload)).toMatch(/^<svg[\s\S]*GID_fh@@@flapper[\s\S]*<\/svg>$/);
    expect(report.report.devices.map((d: { clientId: string }) => d.clientId)).toEqual([FLAPPER, STEADY]);
    expect(report.report.devices[0]).toMatchObject({ outages: 4, recovered: 4 });
    expect(report.report.devices[0].timeline).toBeUndefined();

    // Bad actions: to Catch, saying what to do; nothing else leaves.
    w.receive({ action: 'delete', payload: key });
    w.receive({ action: 'clear', payload: { key: 'outage:nothing' } });
    w.receive({ action: 'report', payload: { window: 'fortnight' } });
    await waitUntil(() => caught.length === 3);
    // Each in its own time (the clear waits its turn with the checks): in any order, each once.
    const messages = caught.map((m) => String(m.error.message));
    for (const pattern of [
      /"delete" is not an action of the watch node: use "acknowledge", "clear", "alarms", "report"/,
      /no alarm has the key "outage:nothing": list them with msg.action "alarms"/,
      /"fortnight" is not a window: use hour, day, week, 30days/,
    ])
      expect(messages.filter((m) => pattern.test(m))).toHaveLength(1);
    await expectNothingMore(() => health.length + summary.length, 10);
    expect(health.length + summary.length).toBe(healthBefore + 2 + summaryBefore + 2);
  });

  it('an availability target it cannot read: every check goes to Catch saying which and what to do', async () => {
    env.emu.clearLog();
    await helper.load(NODES, flow({ budgetTargets: 'GID_fh=100' }), CREDS);
    const caught = collect('caught');
    helper.getNode('w').receive({ topic: 'tick' });
    await waitUntil(() => caught.length === 1);
    expect(caught[0].error.message).toMatch(/"GID_fh=100" is not a target: give a percentage such as 99.5/);
    expect(env.emu.requestLog()).toEqual([]);
  });
});

describe('Node-RED watch node on standby (two instances share one Redis)', () => {
  // Another instance of the same watch (same node id, same Redis) holds the lease: this one must
  // neither check nor write the alarm book, and says so; when the other goes, it leads and answers.
  it('acknowledge and clear go to Catch as LeadershipLost, nothing else leaves; once the leader goes, they are answered', async () => {
    const redis = await startRedis();
    const other = new WatchLeadership({
      redisUrl: redis.url,
      keyPrefix: resolveSharedLimit({ redisUrl: redis.url }).keyPrefix,
      name: 'w',
      owner: 'the other instance',
      leaseMs: 60_000,
    });
    try {
      expect(await other.claim()).toBe(true);
      // One device, no flapping: the refusal and the hand-over are what is under test.
      await helper.load(NODES, flow({ clientIds: FLAPPER, flapping: false }, { sharedLimitUrl: redis.url }), CREDS);
      const [off, on, health, summary, caught] = ['off', 'on', 'health', 'summary', 'caught'].map((id) => collect(id));
      const outputs = () => off.length + on.length + health.length + summary.length;
      const w = helper.getNode('w');
      // Each time the node says it is on standby (a claim was asked and lost).
      let standbyStatuses = 0;
      const status = w.status.bind(w);
      w.status = (s: { text?: string }) => {
        if (/standby/.test(String(s.text))) standbyStatuses++;
        return status(s);
      };
      env.emu.setDeviceOnline(FLAPPER, false);
      w.receive({ action: 'acknowledge', payload: { key: `outage:${INSTANCE}:${FLAPPER}:1`, by: 'ann' } });
      w.receive({ action: 'clear', payload: `outage:${INSTANCE}:${FLAPPER}:1` });
      await waitUntil(() => caught.length === 2, 8000, 'two refusals');
      for (const m of caught) {
        expect(m.alicloudError).toMatchObject({ code: 'LeadershipLost', errorClass: 'retry' });
        expect(m.error.message).toMatch(
          /This instance is on standby \(another one leads this watch\): send "(acknowledge|clear)" to the leading instance/,
        );
      }
      // A check on standby is the leader's to make: no request, no output.
      env.emu.clearLog();
      const standbyBefore = standbyStatuses;
      w.receive({ topic: 'tick' });
      await waitUntil(() => standbyStatuses > standbyBefore, 8000, 'the standby status');
      await expectNothingMore(() => outputs() + caught.length);
      expect(outputs()).toBe(0);
      expect(env.emu.requestLog()).toEqual([]);

      // The other instance goes politely: this one leads at its next claim, checks, and answers.
      await other.close();
      env.emu.setDeviceOnline(FLAPPER, true);
      w.receive({ topic: 'tick' });
      await waitUntil(() => summary.length === 1, 8000, 'the first check');
      env.emu.setDeviceOnline(FLAPPER, false);
      w.receive({ topic: 'tick' });
      await waitUntil(() => off.length === 1, 8000, 'the offline event');
      const key = off[0].payload.alarm.key as string;
      w.receive({ action: 'acknowledge', payload: { key, by: 'ann' } });
      await waitUntil(() => health.length === 1, 8000, 'the acknowledgement');
      expect(health[0].payload).toMatchObject({ change: 'acknowledged', alarm: { key, acknowledgedBy: 'ann' } });
      expect(caught).toHaveLength(2);
    } finally {
      await helper.unload();
      await other.close();
      // The config node's shared limit is one store per process, as in a real Node-RED: closed here.
      await closeSharedTokenStores();
      await redis.stop();
    }
  });
});

describe('n8n trigger: the same schedule, the same items', () => {
  const trigger = new AlibabaCloudMqttTrigger();
  const credentials = () => ({
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    region: 'cn-hangzhou',
    endpoint: env.emu.endpoint,
  });
  const parameters = (health: IDataObject) => ({
    instanceId: INSTANCE,
    clientIds: `${STEADY}\n${FLAPPER}`,
    mode: 'exact',
    events: ['offline', 'online'],
    options: { maxAttempts: 2 },
    health,
  });

  it('flapping and alarm items with the Node-RED fields; a report item with its SVG as binary data', async () => {
    const staticData: IDataObject = {};
    const items: INodeExecutionData[] = [];
    const health = {
      flapping: true,
      alarms: true,
      alarmSeverity: 'minor',
      criticalDevices: 'GID_vip',
      reportEveryHours: 24,
      reportWindow: 'hour',
    };
    for (let check = 0; check < CHECKS; check++) {
      setDevices(check);
      const out = await trigger.poll.call(
        pollContext({ parameters: parameters(health), credentials: credentials(), staticData }).ctx,
      );
      items.push(...(out?.[0] ?? []));
    }
    const json = items.map((i) => i.json as Record<string, unknown>);
    const reports = items.filter((i) => i.json.event === 'availability_report');
    // Due at the first poll, then not again within the 24 hours.
    expect(reports).toHaveLength(1);
    expect(reports[0].binary?.report).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'availability.svg' });
    expect(Buffer.from(reports[0].binary!.report.data, 'base64').toString('utf8')).toMatch(/^<svg/);
    const flapper = json.filter((j) => j.clientId === FLAPPER);
    expect(flapper.map((j) => j.event)).toEqual(['offline', 'online', 'offline', 'flapping', 'flapping_stopped']);
    // The same fields as the Node-RED messages of the same schedule.
    expect(shape(flapper[3])).toEqual({
      event: 'flapping',
      clientId: FLAPPER,
      instanceId: INSTANCE,
      online: true,
      percentStateChange: expect.any(Number),
      stateChanges: 4,
      since: 'string',
      checkedAt: 'string',
      alarm: {
        key: 'string',
        type: 'flapping',
        source: FLAPPER,
        instanceId: INSTANCE,
        severity: 'minor',
        status: 'ACTIVE_UNACK',
        active: true,
        acknowledged: false,
        startedAt: 'string',
      },
    });
    expect(json.filter((j) => j.event === 'alarm').map((j) => j.change)).toEqual(['cleared']);
    // Host parity: every event of the flapper, field for field (times aside), as Node-RED sent it.
    expect(nodeRedFlapper).toHaveLength(5);
    expect(flapper.map(shape)).toEqual(nodeRedFlapper.map(shape));
  });

  it('a report that cannot be made (the binary store fails) loses none of the poll’s events; it is said, and made at the next poll', async () => {
    const staticData: IDataObject = {};
    const health = { reportEveryHours: 24, reportWindow: 'hour' };
    setDevices(0);
    const poll = async (binaryFails: boolean) => {
      const context = pollContext({
        parameters: { ...parameters(health), reportInitialOffline: true },
        credentials: credentials(),
        staticData,
      });
      if (binaryFails)
        (context.ctx.helpers as unknown as { prepareBinaryData: () => Promise<never> }).prepareBinaryData = () =>
          Promise.reject(new Error('binary data store unavailable'));
      return { out: await trigger.poll.call(context.ctx), warnings: context.warnings };
    };
    env.emu.setDeviceOnline(FLAPPER, false);
    const first = await poll(true);
    expect(first.out?.[0].map((i) => i.json.event)).toEqual(['offline']);
    expect(first.warnings.join('\n')).toMatch(
      /availability report could not be made \(binary data store unavailable\)/,
    );
    const second = await poll(false);
    expect(second.out?.[0].map((i) => i.json.event)).toEqual(['availability_report']);
  });

  it('an availability target it cannot read: the poll fails saying which, and keeps the state', async () => {
    const staticData: IDataObject = {};
    await expect(
      trigger.poll.call(
        pollContext({ parameters: parameters({ budgetTargets: 'most' }), credentials: credentials(), staticData }).ctx,
      ),
    ).rejects.toThrow(/"most" is not a target: give a percentage such as 99.5/);
    expect(staticData).toEqual({});
  });
});
