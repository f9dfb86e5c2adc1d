import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { OnsMqttClient } from '../../lib/internal';
import { connectMqtt, waitFor } from '../helpers/emulator';
import { startCollector } from './collector';
import { n8nBin, n8nHost, node24, nodeRedHost, ROOT, type N8nHost } from './hosts';

/**
 * The package in real n8n (2.x on Node 24, 1.123 on Node 20): installed from its tarball into
 * .n8n/nodes, credentials and workflows imported with n8n's CLI, run with `n8n execute`, and the
 * trigger activated in a running n8n that really polls while a device disconnects.
 */

const SECRET = 'e2e-N8N-secret-value-4242';
const AK = 'LTAI5tE2En8n';
const INSTANCE = 'post-cn-emulator01';
const NODE_TYPE = '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqtt';
const TRIGGER_TYPE = '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqttTrigger';
// The push trigger is in the extras package, installed beside the verifiable one for its test only.
const STATUS_TRIGGER_TYPE = '@mqtt-ops/n8n-nodes-alicloud-mqtt-extras.alibabaCloudMqttStatusTrigger';
const EXTRAS_CRED = { alibabaCloudMqttExtrasApi: { id: 'alicloudExtras01', name: 'Alibaba Cloud MQTT Extras (e2e)' } };
const ROLE = 'acs:ram::1234567890123456:role/n8n-e2e';
const CRED = { alibabaCloudMqttApi: { id: 'alicloudE2E01', name: 'Alibaba Cloud MQTT (e2e)' } };

// The hosts started here call the emulator's STS over HTTPS: they must trust its test CA from the
// start, and keep what the machine trusts (scripts/ca-bundle.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
process.env.NODE_EXTRA_CA_CERTS = (require('../../scripts/ca-bundle.js') as { caBundle(): string }).caBundle();

let emu: RunningEmulator;
let tarball: string;
let extrasTarball: string;
beforeAll(async () => {
  emu = await startEmulator({
    accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }],
    sts: { roles: [{ arn: ROLE, trustedAccessKeyIds: [AK] }] },
    amqpPort: 0, // the Cloud SDK endpoint of the Status Trigger (push)
  });
  // The verifiable n8n package alone, as the README installs it; the extras package joins it for the Status Trigger.
  tarball = nodeRedHost.packTarball('n8n');
  extrasTarball = nodeRedHost.packTarball('n8n-extras');
}, 120_000);
afterAll(() => emu.stop());

/** Manual Trigger -> Code (the items) -> our node, with node settings. */
function workflow(
  id: string,
  items: Array<Record<string, unknown>>,
  parameters: Record<string, unknown>,
  settings: Record<string, unknown> = {},
) {
  return {
    id,
    name: id,
    active: false,
    settings: { executionOrder: 'v1' },
    connections: {
      Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
      Items: { main: [[{ node: 'MQTT', type: 'main', index: 0 }]] },
    },
    nodes: [
      {
        id: `${id}-1`,
        name: 'Start',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        id: `${id}-2`,
        name: 'Items',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [200, 0],
        parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
      },
      {
        id: `${id}-3`,
        name: 'MQTT',
        type: NODE_TYPE,
        typeVersion: 1,
        position: [400, 0],
        parameters: {
          resource: 'deviceSession',
          operation: 'getStatus',
          clientId: '={{ $json.clientId }}',
          instanceId: INSTANCE,
          options: { maxAttempts: 2 },
          ...parameters,
        },
        credentials: CRED,
        ...settings,
      },
    ],
  };
}

const TRACE = {
  operation: 'getConnectionTrace',
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
  returnAll: true,
};

const HOSTS: Array<[string, () => { n8nBin: string; nodeBinary: string }]> = [
  ['n8n 2.40 on Node 24', () => ({ n8nBin: n8nBin('2.40.7', node24()), nodeBinary: node24() })],
  ['n8n 1.123 on Node 20', () => ({ n8nBin: n8nBin('1.123.81', process.execPath), nodeBinary: process.execPath })],
];

describe.each(HOSTS)('%s', (_label, which) => {
  let n8n: N8nHost;
  const outputs = async (id: string) => {
    const r = await n8n.execute(id);
    const main = r.run.data.resultData.runData.MQTT?.[0]?.data?.main ?? [];
    return { ...r, main: main.map((items) => (items ?? []).map((i) => i.json)) };
  };

  const roleSession = `n8n-${_label.replace(/\W+/g, '-')}`.slice(0, 60);
  const mqttNode = (name: string, x: number) => ({
    id: `role-${name}`,
    name,
    type: NODE_TYPE,
    typeVersion: 1,
    position: [x, 0],
    parameters: {
      resource: 'deviceSession',
      operation: 'getStatus',
      clientId: '={{ $json.clientId }}',
      instanceId: INSTANCE,
      options: { maxAttempts: 1 },
    },
    credentials: { alibabaCloudMqttApi: { id: 'alicloudRole01', name: 'Alibaba Cloud MQTT (RAM role)' } },
  });
  const waitNode = (name: string, x: number) => ({
    id: `role-${name}`,
    name,
    type: 'n8n-nodes-base.wait',
    typeVersion: 1.1,
    position: [x, 0],
    parameters: { amount: 4, unit: 'seconds' },
    webhookId: `wh-${name}`,
  });
  /** One execution that checks, waits past the token's life, checks, waits, checks. */
  const roleWorkflow = {
    id: 'wfRoleExpiry01',
    name: 'role across expiries',
    active: false,
    settings: { executionOrder: 'v1' },
    connections: {
      Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
      Items: { main: [[{ node: 'Check 1', type: 'main', index: 0 }]] },
      'Check 1': { main: [[{ node: 'Wait 1', type: 'main', index: 0 }]] },
      'Wait 1': { main: [[{ node: 'Check 2', type: 'main', index: 0 }]] },
      'Check 2': { main: [[{ node: 'Wait 2', type: 'main', index: 0 }]] },
      'Wait 2': { main: [[{ node: 'Check 3', type: 'main', index: 0 }]] },
    },
    nodes: [
      {
        id: 'role-start',
        name: 'Start',
        type: 'n8n-nodes-base.manualTrigger',
        typeVersion: 1,
        position: [0, 0],
        parameters: {},
      },
      {
        id: 'role-items',
        name: 'Items',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [100, 0],
        parameters: { jsCode: "return [{ json: { clientId: 'GID_role@@@on' } }];" },
      },
      mqttNode('Check 1', 200),
      waitNode('Wait 1', 300),
      mqttNode('Check 2', 400),
      waitNode('Wait 2', 500),
      mqttNode('Check 3', 600),
    ],
  };

  beforeAll(async () => {
    n8n = await n8nHost.createN8n({ ...which(), tarball });
    await n8n.importCredentials([
      {
        id: 'alicloudE2E01',
        name: 'Alibaba Cloud MQTT (e2e)',
        type: 'alibabaCloudMqttApi',
        data: {
          accessKeyId: AK,
          accessKeySecret: SECRET,
          useSts: false,
          region: 'cn-hangzhou',
          network: 'public',
          endpoint: emu.endpoint,
        },
      },
      {
        id: 'alicloudRole01',
        name: 'Alibaba Cloud MQTT (RAM role)',
        type: 'alibabaCloudMqttApi',
        data: {
          authentication: 'ramRole',
          accessKeyId: AK,
          accessKeySecret: SECRET,
          roleArn: ROLE,
          roleSessionName: roleSession,
          durationSeconds: 900,
          stsEndpoint: emu.sts!.endpoint,
          region: 'cn-hangzhou',
          network: 'public',
          endpoint: emu.endpoint,
        },
      },
    ]);
    await n8n.importWorkflows([roleWorkflow]);
    await n8n.importWorkflows([
      workflow(
        'wfRouting00001',
        [
          { clientId: 'GID_n8n@@@on', owner: 'alice' },
          { clientId: 'GID_n8n@@@off', owner: 'bob' },
        ],
        {},
      ),
      workflow(
        'wfErrorOut0001',
        [{ clientId: 'GID_n8n@@@on' }, { clientId: 'GID_n8n@@@denied', owner: 'carol' }],
        {},
        { onError: 'continueErrorOutput' },
      ),
      workflow(
        'wfRetryFail001',
        [
          { clientId: 'GID_n8n@@@on' },
          { clientId: 'GID_n8n@@@off' },
          { clientId: 'GID_n8n@@@flaky' },
          { clientId: 'GID_n8n@@@denied' },
        ],
        { routeErrors: true },
      ),
      workflow('wfStop00000001', [{ clientId: 'GID_n8n@@@denied' }], {}),
      workflow(
        'wfMany00000001',
        Array.from({ length: 25 }, (_, i) => ({ clientId: `GID_many@@@${i}`, n: i })),
        { operation: 'getManyStatuses' },
      ),
      workflow('wfTrace0000001', [{ clientId: 'GID_n8n@@@traced' }], TRACE),
      workflow('wfReport000001', [{ ticket: 'weekly' }], {
        resource: 'fleetHealth',
        operation: 'getAvailabilityReport',
        clientIds: 'GID_n8n@@@reported, GID_n8n@@@on',
        window: 'hour',
        availabilityTargets: '99.5',
      }),
      workflow('wfDetails00001', [{ clientId: 'GID_n8n@@@on' }, { clientId: 'GID_n8n@@@dropped' }], {
        offlineDetails: true,
      }),
      // Get Connection Trace of a device the service refuses, under each On Error setting.
      workflow('wfTraceStop001', [{ clientId: 'GID_n8n@@@denied' }], TRACE),
      workflow('wfTraceErrOut1', [{ clientId: 'GID_n8n@@@denied', owner: 'dave' }], TRACE, {
        onError: 'continueErrorOutput',
      }),
      workflow('wfTraceRegOut1', [{ clientId: 'GID_n8n@@@denied', owner: 'erin' }], TRACE, {
        onError: 'continueRegularOutput',
      }),
    ]);
  }, 1_200_000);
  afterAll(() => n8n?.cleanup());
  beforeEach(() => {
    emu.reset();
    emu.setDeviceOnline('GID_n8n@@@on', true);
    emu.setFaults({
      errors: [
        { code: 'PermissionCheckFailed', clientId: 'GID_n8n@@@denied' },
        { code: 'InternalError', clientId: 'GID_n8n@@@flaky' },
      ],
    });
  });

  it('Get Status: Online / Offline, each item keeps its fields', async () => {
    const { main } = await outputs('wfRouting00001');
    expect(main[0]).toEqual([
      expect.objectContaining({
        clientId: 'GID_n8n@@@on',
        owner: 'alice',
        online: true,
        instanceId: INSTANCE,
        requestId: expect.any(String),
      }),
    ]);
    expect(main[1]).toEqual([expect.objectContaining({ clientId: 'GID_n8n@@@off', owner: 'bob', online: false })]);
    // What real n8n sent (its HTTP helper, signed by the credential) is what the SDK sends for the
    // same query: the same path and query string, the same signed headers.
    const sentByN8n = emu.requestLog().filter((e) => e.clientIds.includes('GID_n8n@@@on'));
    expect(sentByN8n).toHaveLength(1);
    await new OnsMqttClient({
      accessKeyId: AK,
      accessKeySecret: SECRET,
      regionId: 'cn-hangzhou',
      endpoint: emu.endpoint,
    }).querySession({ clientId: 'GID_n8n@@@on', instanceId: INSTANCE });
    const sentBySdk = emu.requestLog().filter((e) => e.clientIds.includes('GID_n8n@@@on'));
    expect(sentBySdk).toHaveLength(2);
    expect(sentByN8n[0].wire).toEqual(sentBySdk[1].wire);
    expect(sentByN8n[0].signature).toBe('v3');
  }, 120_000);

  it("On Error: Continue (using error output): the failed item on n8n's Error output with its code", async () => {
    const { main } = await outputs('wfErrorOut0001');
    expect(main[0].map((j) => j.clientId)).toEqual(['GID_n8n@@@on']);
    expect(main[1]).toEqual([]);
    // n8n merges the input item's fields into the error item; the details are under `error`.
    expect(main[2]).toEqual([
      expect.objectContaining({
        clientId: 'GID_n8n@@@denied',
        owner: 'carol',
        error: expect.objectContaining({
          code: 'PermissionCheckFailed',
          httpStatus: 400,
          retryable: false,
          attempts: 1,
          requestId: expect.any(String),
          message: expect.stringContaining('PermissionCheckFailed'),
        }),
      }),
    ]);
  }, 120_000);

  it('Route Errors: Retry and Fail outputs', async () => {
    const { main } = await outputs('wfRetryFail001');
    expect(main.map((items) => items.map((j) => j.clientId))).toEqual([
      ['GID_n8n@@@on'],
      ['GID_n8n@@@off'],
      ['GID_n8n@@@flaky'],
      ['GID_n8n@@@denied'],
    ]);
    expect(main[2][0]).toMatchObject({ code: 'InternalError', retryable: true, attempts: 2 });
    expect(emu.requestLog().filter((e) => e.clientIds.includes('GID_n8n@@@denied'))).toHaveLength(1);
  }, 120_000);

  it('On Error: Stop Workflow: the execution fails with the Alibaba code and the request id; the hint once, in the description', async () => {
    const { run, text } = await outputs('wfStop00000001');
    const error = run.data.resultData.error;
    expect(error?.message).toMatch(/PermissionCheckFailed: .*request id [0-9A-F-]{36}/);
    expect(error?.message).not.toContain('mq:MqttInstanceAccess');
    expect(error?.description).toMatch(/mq:MqttInstanceAccess on acs:mq:[a-z0-9-]+:\*:post-cn-/);
    expect(text).not.toContain(SECRET);
  }, 120_000);

  it('Get Connection Trace under each On Error setting: Stop fails, Error output gets { error }, Regular output gets the error fields', async () => {
    const stop = await outputs('wfTraceStop001');
    expect(stop.run.data.resultData.error?.message).toMatch(/PermissionCheckFailed/);
    const errorOutput = await outputs('wfTraceErrOut1');
    expect(errorOutput.main[0]).toEqual([]);
    expect(errorOutput.main[1]).toEqual([
      expect.objectContaining({
        clientId: 'GID_n8n@@@denied',
        owner: 'dave',
        error: expect.objectContaining({ code: 'PermissionCheckFailed', retryable: false }),
      }),
    ]);
    const regular = await outputs('wfTraceRegOut1');
    expect(regular.main[0]).toEqual([
      expect.objectContaining({
        clientId: 'GID_n8n@@@denied',
        owner: 'erin',
        code: 'PermissionCheckFailed',
        online: null,
      }),
    ]);
    expect(regular.text).not.toContain(SECRET);
  }, 180_000);

  it('Get Many Statuses: 25 items in 3 batch requests', async () => {
    for (const i of [3, 17]) emu.setDeviceOnline(`GID_many@@@${i}`, true);
    const { main } = await outputs('wfMany00000001');
    expect(main[0].map((j) => j.n)).toEqual([3, 17]);
    expect(main[1]).toHaveLength(23);
    expect(emu.requestLog().map((e) => e.action)).toEqual(Array(3).fill('BatchQuerySessionByClientIds'));
  }, 120_000);

  it('Get Connection Trace: the events of a device that really connected and disconnected', async () => {
    const device = await connectMqtt(emu.mqttUrl!, 'GID_n8n@@@traced');
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline('GID_n8n@@@traced'));
    const { main } = await outputs('wfTrace0000001');
    expect(main[0].map((j) => `${j.action}:${j.reason}`)).toEqual([
      'disconnect:disconnected by client',
      'connect:accepted',
    ]);
  }, 120_000);

  it('Get Availability Report: the figures as the item, the SVG picture as its binary data', async () => {
    const device = await connectMqtt(emu.mqttUrl!, 'GID_n8n@@@reported');
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline('GID_n8n@@@reported'));
    const r = await n8n.execute('wfReport000001');
    const item = r.run.data.resultData.runData.MQTT?.[0]?.data?.main?.[0]?.[0];
    expect(item?.json).toMatchObject({ ticket: 'weekly', event: 'availability_report', window: { name: 'hour' } });
    expect(item?.json.devices.map((d: { clientId: string; outages: number }) => [d.clientId, d.outages])).toEqual([
      // Each trace says the device was offline before its first connect: `on` was set online as
      // this test began; `reported` also since its disconnect.
      ['GID_n8n@@@on', 1],
      ['GID_n8n@@@reported', 2],
    ]);
    expect(item?.json.budgets).toEqual([expect.objectContaining({ group: 'GID_n8n', targetPercent: 99.5 })]);
    expect(item?.binary?.data).toMatchObject({ mimeType: 'image/svg+xml', fileName: 'availability.svg' });
  }, 120_000);

  it('the example workflows in workflows/ import into this n8n', async () => {
    const dir = join(ROOT, 'workflows');
    const examples = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { id: string; name: string });
    await n8n.importWorkflows(examples);
    const listed = await n8n.cli(['list:workflow']);
    for (const wf of examples) expect(listed.stdout).toContain(wf.id);
  }, 120_000);

  it('the provisioning example: the webhook answers a device with its login, the device connects and receives its configuration; one that never connects gets a ticket', async () => {
    emu.setMqttAuth(true);
    const collector = await startCollector();
    const wf = JSON.parse(readFileSync(join(ROOT, 'workflows', 'provision-device.json'), 'utf8')) as {
      id: string;
      nodes: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- n8n's workflow JSON, patched loosely
      connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
      active?: boolean;
    };
    // A copy of its own (the example itself was imported, inactive, by the test above): its own id
    // and webhook, the e2e credential, a shorter wait.
    wf.id = 'e2eProvision0001';
    for (const node of wf.nodes) {
      if (node.credentials) node.credentials = CRED;
      if (node.name === 'Wait until it connects') node.parameters.waitTimeout = 10;
      if (node.type === 'n8n-nodes-base.webhook')
        Object.assign(node, {
          webhookId: '5b0d7c1e-2f3a-4c5d-8e9f-e2e000000001',
          parameters: { ...node.parameters, path: 'provision-e2e' },
        });
    }
    // The ticket also reaches the test.
    wf.nodes.push({
      id: 'prov-report',
      name: 'Report ticket',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.2,
      position: [1100, 400],
      parameters: {
        method: 'POST',
        url: `${collector.url}/ticket`,
        sendBody: true,
        specifyBody: 'json',
        jsonBody: '={{ JSON.stringify($json) }}',
        options: {},
      },
    });
    wf.connections['Open ticket'] = { main: [[{ node: 'Report ticket', type: 'main', index: 0 }]] };
    await n8n.importWorkflows([wf]);
    await n8n.activate(wf.id);
    const server = await n8n.start();
    const label = _label.replace(/\W+/g, '');
    const ask = async (clientId: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(`${server.url}/webhook/provision-e2e`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId }),
        });
        const body = await res.text();
        // 404: the webhook is not registered yet; "starting up": n8n's placeholder page before it is.
        const early = res.status === 404 || body.includes('n8n is starting up');
        if (!early || Date.now() > deadline) {
          expect({ status: res.status, body }).toMatchObject({ status: 200, body: expect.stringMatching(/^\{/) });
          return JSON.parse(body) as { clientId: string; username: string; password: string };
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    try {
      const clientId = `GID_e2e@@@n8n-${label}`;
      const login = await ask(clientId);
      expect(login).toMatchObject({ clientId, username: expect.stringMatching(/^DeviceCredential\|DC\./) });
      const device = await connectMqtt(emu.mqttUrl!, clientId, { username: login.username, password: login.password });
      const received: string[] = [];
      device.on('message', (_topic, payload) => received.push(payload.toString()));
      await device.subscribeAsync(`devices/n8n-${label}/config`, { qos: 1 });
      // Asked again (a device that restarted): the same login, and the configuration once more.
      expect(await ask(clientId)).toEqual(login);
      await waitFor(() => received.length >= 2, 30_000, 'the configuration to reach the device, once per request');
      expect(JSON.parse(received[0])).toMatchObject({ reportEverySeconds: 60 });
      device.end(true);

      const silent = `GID_e2e@@@n8n-${label}-silent`;
      await ask(silent);
      await collector.waitFor(
        () => collector.on('ticket').length >= 1,
        40_000,
        'the ticket of the device that never connected',
      );
      expect(collector.on('ticket')).toHaveLength(1);
      expect(collector.on('ticket')[0]).toMatchObject({
        clientId: silent,
        title: expect.stringContaining('did not connect'),
        evidence: ['no connection attempt at all'],
      });
      expect(server.logs.join('')).not.toContain(login.password);
      expect(server.logs.join('')).not.toContain(SECRET);
    } finally {
      await server.stop();
      await collector.stop();
      emu.setMqttAuth(false);
    }
  }, 300_000);

  /** An active workflow: a trigger of ours ("Watch"), each item it emits POSTed to the collector. */
  const reportingWorkflow = (
    id: string,
    type: string,
    parameters: Record<string, unknown>,
    collectorUrl: string,
    credentials: Record<string, unknown> = CRED,
  ) => ({
    id,
    name: id,
    active: true,
    settings: { executionOrder: 'v1' },
    connections: { Watch: { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
    nodes: [
      { id: `${id}-1`, name: 'Watch', type, typeVersion: 1, position: [0, 0], parameters, credentials },
      {
        id: `${id}-2`,
        name: 'Report',
        type: 'n8n-nodes-base.httpRequest',
        typeVersion: 4.2,
        position: [200, 0],
        parameters: {
          method: 'POST',
          url: `${collectorUrl}/${id}`,
          sendBody: true,
          specifyBody: 'json',
          jsonBody: '={{ JSON.stringify($json) }}',
          options: {},
        },
      },
    ],
  });
  /** The polling trigger, every minute. */
  const triggerWorkflow = (id: string, clientIds: string[], events: string[], collectorUrl: string) =>
    reportingWorkflow(
      id,
      TRIGGER_TYPE,
      {
        pollTimes: { item: [{ mode: 'everyMinute' }] },
        instanceId: INSTANCE,
        clientIds: clientIds.join('\n'),
        mode: 'exact',
        events,
        options: {},
      },
      collectorUrl,
    );

  /**
   * Two active triggers across a real restart of n8n. "both" watches A with both events; "offline
   * only" watches B with only Went Offline. n8n saves a poller's static data at activation and when
   * a poll fires, not when a poll fires nothing, and not at shutdown (checked below in the database).
   */
  it('Trigger across a restart: every change fires once, none twice, including one the saved state missed', async () => {
    const collector = await startCollector();
    const A = 'GID_trig@@@A';
    const B = 'GID_trig@@@B';
    let deviceA = await connectMqtt(emu.mqttUrl!, A);
    let deviceB = await connectMqtt(emu.mqttUrl!, B);
    const drop = async (device: import('mqtt').MqttClient, id: string) => {
      await new Promise<void>((r) => device.end(false, {}, () => r()));
      await waitFor(() => !emu.isDeviceOnline(id));
    };
    const polls = (id: string) =>
      emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId' && e.clientIds.includes(id)).length;
    const events = () => collector.reports.map((r) => `${r.port} ${r.msg.clientId} ${r.msg.event}`);
    const savedDevices = async (id: string) => {
      const file = join(n8n.userFolder, `export-${id}.json`);
      const r = await n8n.cli(['export:workflow', `--id=${id}`, `--output=${file}`]);
      if (r.code !== 0) throw new Error(`export:workflow failed: ${r.stdout}${r.stderr}`);
      const [exported] = JSON.parse(readFileSync(file, 'utf8')) as Array<{
        staticData?: Record<string, { watch?: { devices: Record<string, { online: boolean }> } }>;
      }>;
      const watch = Object.values(exported.staticData ?? {}).find(
        (v) => v && typeof v === 'object' && 'watch' in v,
      )?.watch;
      return Object.fromEntries(Object.entries(watch?.devices ?? {}).map(([k, v]) => [k, v.online]));
    };
    await n8n.importWorkflows([
      triggerWorkflow('wfTrigBoth0001', [A], ['offline', 'online'], collector.url),
      triggerWorkflow('wfTrigOffOnly1', [B], ['offline'], collector.url),
    ]);
    await n8n.activate('wfTrigBoth0001');
    await n8n.activate('wfTrigOffOnly1');
    let server = await n8n.start();
    try {
      // The activation polls take the baselines (both online), and n8n saves them.
      await waitFor(() => polls(A) >= 1 && polls(B) >= 1, 60_000, 'the activation polls');
      await drop(deviceA, A);
      await drop(deviceB, B);
      // n8n polls at most once a minute.
      await collector.waitFor(() => collector.reports.length >= 2, 90_000, 'the two offline events');
      expect(events().sort()).toEqual([`wfTrigBoth0001 ${A} offline`, `wfTrigOffOnly1 ${B} offline`]);
      // B comes back: "offline only" fires nothing, so n8n keeps that in memory only.
      deviceB = await connectMqtt(emu.mqttUrl!, B);
      const seen = polls(B);
      await waitFor(() => polls(B) > seen, 90_000, 'a poll that sees B back');
      await new Promise((r) => setTimeout(r, 2000));
      expect(collector.reports).toHaveLength(2);
      await server.stop();
      expect(server.logs.join('')).not.toContain(SECRET);
      // What n8n saved: the state of the polls that fired, B still offline.
      expect(await savedDevices('wfTrigOffOnly1')).toEqual({ [B]: false });
      expect(await savedDevices('wfTrigBoth0001')).toEqual({ [A]: false });

      // While n8n is down, A comes back and B drops again.
      deviceA = await connectMqtt(emu.mqttUrl!, A);
      await drop(deviceB, B);
      server = await n8n.start();
      await collector.waitFor(() => collector.reports.length >= 4, 90_000, 'the events after the restart');
      expect(events().slice(2).sort()).toEqual([`wfTrigBoth0001 ${A} online`, `wfTrigOffOnly1 ${B} offline`]);
      expect(collector.reports[2].msg).toHaveProperty('previousOnline');
      // One more poll of each: nothing fires twice.
      const [a, b] = [polls(A), polls(B)];
      await waitFor(() => polls(A) > a && polls(B) > b, 90_000, 'the next polls');
      await new Promise((r) => setTimeout(r, 3000));
      expect(events()).toHaveLength(4);
      expect(server.logs.join('')).not.toContain(SECRET);
    } finally {
      await server.stop();
      await collector.stop();
      await new Promise<void>((r) => deviceA.end(true, {}, () => r()));
    }
  }, 600_000);

  /**
   * Storm protection in a running n8n, with the example workflow itself (workflows/fleet-summary.json,
   * its webhooks pointed at the collector): 100 real devices, 60 drop at once. n8n polls once a
   * minute: the activation poll takes the baseline, the next one posts ONE incident (each device with
   * its reason), the one after the return of 55 posts one resolution; a summary every poll.
   */
  it('the fleet-summary example: 60 of 100 dropping give one incident, then one resolution; a summary per poll', async () => {
    const collector = await startCollector();
    const ids = Array.from({ length: 100 }, (_, i) => `GID_storm@@@${String(i).padStart(3, '0')}`);
    const devices = new Map<string, import('mqtt').MqttClient>();
    await Promise.all(ids.map(async (id) => devices.set(id, await connectMqtt(emu.mqttUrl!, id))));
    const example = JSON.parse(
      readFileSync(join(ROOT, 'workflows', 'fleet-summary.json'), 'utf8')
        .split('http://127.0.0.1:8090/__emulator/inbox/fleet/')
        .join(`${collector.url}/`),
    ) as {
      id: string;
      name: string;
      active: boolean;
      nodes: Array<{ type: string; parameters: Record<string, unknown>; credentials?: unknown }>;
    };
    example.id = 'e2eFleetSummary1';
    example.name = 'fleet summary (e2e)';
    const trigger = example.nodes.find((n) => n.type === TRIGGER_TYPE)!;
    trigger.parameters.clientIds = ids.join('\n');
    trigger.credentials = CRED;
    await n8n.importWorkflows([example]);
    await n8n.activate(example.id);
    const server = await n8n.start();
    const summaries = () => collector.on('summary');
    try {
      await collector.waitFor(() => summaries().length >= 1, 90_000, 'the activation poll');
      expect(summaries()[0]).toMatchObject({ online: 100, offline: 0, change: null, incident: null });
      const storm = ids.slice(0, 60);
      await Promise.all(storm.map((d) => new Promise<void>((r) => devices.get(d)!.end(false, {}, () => r()))));
      await waitFor(() => storm.every((d) => !emu.isDeviceOnline(d)), 10_000, 'the drops');
      await collector.waitFor(() => summaries().length >= 2, 90_000, 'the poll after the storm');
      // The Switch runs its outputs in order: the summary branch posts first, then the incident's.
      await collector.waitFor(() => collector.on('incident').length >= 1, 15_000, 'the incident');
      await new Promise((r) => setTimeout(r, 1000));
      expect(collector.on('incident')).toHaveLength(1);
      const incident = collector.on('incident')[0];
      expect(incident.title).toBe('60 of 100 devices offline at once');
      expect(incident.devices).toHaveLength(60);
      expect(incident.devices[0]).toMatchObject({
        clientId: storm[0],
        reason: 'client_disconnected',
        offlineSince: expect.any(String),
      });
      expect(collector.on('ticket-open')).toHaveLength(0);
      expect(summaries()[1]).toMatchObject({
        online: 40,
        offline: 60,
        change: { online: -60, offline: 60 },
        incident: { devices: 60 },
      });
      await Promise.all(storm.slice(0, 55).map(async (d) => devices.set(d, await connectMqtt(emu.mqttUrl!, d))));
      await collector.waitFor(() => summaries().length >= 3, 90_000, 'the poll after the return');
      await collector.waitFor(() => collector.on('incident-resolved').length >= 1, 15_000, 'the resolution');
      await new Promise((r) => setTimeout(r, 1000));
      expect(collector.on('incident-resolved')).toEqual([
        expect.objectContaining({ key: incident.key, stillOffline: storm.slice(55) }),
      ]);
      expect(collector.on('ticket-open')).toHaveLength(0);
      expect(collector.on('ticket-close')).toHaveLength(0);
      expect(server.logs.join('')).not.toContain(SECRET);
    } finally {
      await server.stop();
      await collector.stop();
      await Promise.all([...devices.values()].map((d) => new Promise<void>((r) => d.end(true, {}, () => r()))));
    }
  }, 420_000);

  it('Get Status with Offline Details: a device that really dropped comes with why and since when', async () => {
    const device = await connectMqtt(emu.mqttUrl!, 'GID_n8n@@@dropped');
    device.stream.destroy();
    await waitFor(() => !emu.isDeviceOnline('GID_n8n@@@dropped'));
    const { main } = await outputs('wfDetails00001');
    expect(main[0]).toEqual([expect.objectContaining({ clientId: 'GID_n8n@@@on', online: true })]);
    expect(main[0][0]).not.toHaveProperty('lastDisconnectCode');
    expect(main[1]).toEqual([
      expect.objectContaining({
        clientId: 'GID_n8n@@@dropped',
        online: false,
        lastDisconnectCode: 'client_closed',
        lastDisconnectReason: 'closed by client',
      }),
    ]);
    expect(Date.now() - Date.parse(main[1][0].offlineSince)).toBeLessThan(120_000);
  });

  it("a RAM-role credential: one execution checks, waits past the token's life, checks again (twice); one AssumeRole per lifetime", async () => {
    emu.sts!.clearLog();
    emu.sts!.setTokenLifetime(3000);
    emu.setDeviceOnline('GID_role@@@on', true);
    try {
      const r = await n8n.execute('wfRoleExpiry01');
      const runData = r.run.data.resultData.runData;
      for (const name of ['Check 1', 'Check 2', 'Check 3']) {
        expect(runData[name]?.[0]?.data?.main[0]?.map((i) => i.json.online)).toEqual([true]);
      }
      expect(r.run.data.resultData.error).toBeUndefined();
      const assumed = emu.sts!.log().filter((e) => e.sessionName === roleSession && !e.code);
      // n8n execute is one process: one AssumeRole per check, each after the previous token died.
      expect(assumed).toHaveLength(3);
      for (let i = 1; i < assumed.length; i++) expect(assumed[i].at - assumed[i - 1].at).toBeGreaterThanOrEqual(3000);
      expect(new Set(emu.requestLog().map((e) => e.accessKeyId)).size).toBe(3);
      expect(r.text).not.toContain(SECRET);
    } finally {
      emu.sts!.setTokenLifetime(undefined);
    }
  }, 180_000);

  /**
   * Last, with the extras package installed beside the verifiable one (every test above ran with
   * the verifiable package alone). The Status Trigger (push) in a running n8n: the emulator's Cloud SDK endpoint tells of a real
   * device's drop, which reaches the workflow after one confirming query, not at the next poll; a
   * device's message reaches it too; across a restart of n8n, a drop while it was down fires once
   * and the drop fired before it does not fire again.
   */
  it('Status Trigger (push): a drop reaches the workflow without waiting for a poll, a device message too; a restart loses and repeats nothing', async () => {
    const collector = await startCollector();
    const A = 'GID_push@@@A';
    const B = 'GID_push@@@B';
    const deviceA = await connectMqtt(emu.mqttUrl!, A);
    const deviceB = await connectMqtt(emu.mqttUrl!, B);
    const polls = (id: string) =>
      emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId' && e.clientIds.includes(id)).length;
    const events = () =>
      collector.reports.map((r) =>
        r.msg.event === 'message' ? `message ${r.msg.topic}` : `${r.msg.clientId} ${r.msg.event}`,
      );
    // This group's status events and the parent topic's messages all handled (other groups' wait: nobody consumes them).
    const quiet = () =>
      ['STATUS/GID_push', 'TOPIC/plant'].every(
        (name) => (emu.cloudSdk!.backlog()[name]?.unacked ?? 0) + (emu.cloudSdk!.backlog()[name]?.waiting ?? 0) === 0,
      );
    const id = 'wfPushTrig0001';
    // The extras package beside the verifiable one, with its own credential: no node or credential type clashes.
    await n8n.install(extrasTarball);
    await n8n.importCredentials([
      {
        ...EXTRAS_CRED.alibabaCloudMqttExtrasApi,
        type: 'alibabaCloudMqttExtrasApi',
        data: {
          accessKeyId: AK,
          accessKeySecret: SECRET,
          region: 'cn-hangzhou',
          network: 'public',
          endpoint: emu.endpoint,
        },
      },
    ]);
    await n8n.importWorkflows([
      reportingWorkflow(
        id,
        STATUS_TRIGGER_TYPE,
        {
          instanceId: INSTANCE,
          clientIds: [A, B].join('\n'),
          events: ['offline', 'online'],
          pushEndpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
          parentTopics: 'plant',
          options: {},
        },
        collector.url,
        EXTRAS_CRED,
      ),
    ]);
    await n8n.activate(id);
    let server = await n8n.start();
    try {
      // Subscribed, and the first full check (the baseline) done.
      await waitFor(
        () => emu.cloudSdk!.logins().length >= 1 && polls(A) >= 1 && polls(B) >= 1,
        60_000,
        'the subscription and its first check',
      );
      await waitFor(quiet, 30_000, 'the events of before handled');
      const before = polls(A);
      const droppedAt = Date.now();
      (deviceA as unknown as { stream: { destroy(): void } }).stream.destroy();
      await collector.waitFor(() => collector.reports.length >= 1, 60_000, 'the pushed drop');
      console.log(
        `${_label}: Status Trigger: a drop reached the workflow ${collector.reports[0].at - droppedAt} ms after the device's socket closed; the polling trigger polls at most once a minute (0 to 60 s, plus its check)`,
      );
      expect(collector.reports[0].msg).toMatchObject({ clientId: A, event: 'offline', previousOnline: true });
      // From push: one confirming query of A, no poll of the fleet.
      expect(polls(A) - before).toBe(1);
      await new Promise<void>((r) => deviceB.publish('plant/B/battery', '{"level":7}', { qos: 1 }, () => r()));
      await collector.waitFor(() => collector.reports.length >= 2, 60_000, 'the device message');
      expect(collector.reports[1].msg).toMatchObject({
        event: 'message',
        topic: 'plant/B/battery',
        payload: { level: 7 },
        clientId: B,
      });

      await server.stop();
      // While n8n is down, B drops.
      await new Promise<void>((r) => deviceB.end(false, {}, () => r()));
      await waitFor(() => !emu.isDeviceOnline(B));
      server = await n8n.start();
      await collector.waitFor(() => collector.reports.length >= 3, 90_000, 'the drop of while n8n was down');
      await waitFor(quiet, 30_000, 'all handled');
      await new Promise((r) => setTimeout(r, 3000));
      expect(events()).toEqual([`${A} offline`, 'message plant/B/battery', `${B} offline`]);
      expect(server.logs.join('')).not.toContain(SECRET);
    } finally {
      await server.stop();
      await collector.stop();
      await new Promise<void>((r) => deviceA.end(true, {}, () => r()));
      deviceB.end(true);
    }
  }, 420_000);
});
