/**
 * A RAM-role credential in each host's code path, across at least two token expiries: the n8n
 * node's execute(), the n8n trigger's poll(), and the Node-RED config and session nodes in a real
 * Node-RED runtime. Each host names its own session, so the emulator's STS log counts the
 * AssumeRoles of each: one per token lifetime (tokens live 2.5 s here, renewed at 3/4 of that).
 */
import { credentialStore, credentialTestContext } from '../helpers/n8n-http';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { resetCredentialSessions } from '../../lib/internal';
import { AlibabaCloudMqtt } from '../../nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node';
import { AlibabaCloudMqttTrigger } from '../../nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node';
import configNode = require('../../nodes/node-red/alicloud-mqtt-config');
import sessionNode = require('../../nodes/node-red/alicloud-mqtt-session');
import { alibabaCloudMqttApiTest } from '../../nodes/n8n-common/client';
import { executeContext, pollContext } from '../helpers/n8n-context';
import { collect, helper, sleep, waitUntil } from '../helpers/node-red';

const BASE = { accessKeyId: 'LTAI5tHostRole01', accessKeySecret: 'host-role-SECRET-6310' };
const ROLE = 'acs:ram::1234567890123456:role/mqtt-hosts';
const INSTANCE = 'post-cn-emulator01';
const LIFETIME_MS = 2500;
const RUN_MS = 6500; // at least two expiries

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    mqttPort: false,
    accessKeys: [BASE],
    sts: { roles: [{ arn: ROLE, trustedAccessKeyIds: [BASE.accessKeyId] }] },
  });
  emu.sts!.setTokenLifetime(LIFETIME_MS);
  emu.setDeviceOnline('GID_host@@@on', true);
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await emu.stop();
});
beforeEach(() => resetCredentialSessions());

const roleFields = (sessionName: string) => ({
  authentication: 'ramRole',
  ...BASE,
  roleArn: ROLE,
  roleSessionName: sessionName,
  durationSeconds: 900,
  stsEndpoint: emu.sts!.endpoint,
  region: 'cn-hangzhou',
  network: 'public',
  endpoint: emu.endpoint,
});
/** A session node (msg.payload = Client ID) on config node `cfg`, its outputs to helpers `on` and `off`. */
const SESSION_FLOW = [
  {
    id: 'q',
    type: 'alicloud-mqtt-session',
    z: 'f1',
    config: 'cfg',
    clientId: 'payload',
    clientIdType: 'msg',
    instanceId: INSTANCE,
    instanceIdType: 'str',
    wires: [['on'], ['off']],
  },
  { id: 'on', type: 'helper', z: 'f1' },
  { id: 'off', type: 'helper', z: 'f1' },
  { id: 'f1', type: 'tab' },
];
const assumedFor = (sessionName: string) => emu.sts!.log().filter((e) => e.sessionName === sessionName && !e.code);
/** One AssumeRole per lifetime: within the run, between 2 and 4, and none closer than 2/3 of a lifetime. */
function expectOnePerLifetime(sessionName: string): void {
  const times = assumedFor(sessionName).map((e) => e.at);
  expect(times.length).toBeGreaterThanOrEqual(3);
  expect(times.length).toBeLessThanOrEqual(Math.ceil(RUN_MS / (0.75 * LIFETIME_MS)) + 1);
  for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual((2 / 3) * LIFETIME_MS);
}

it('n8n node execute(): items keep going to Online across expiries', async () => {
  const node = new AlibabaCloudMqtt();
  // n8n keeps the credential (and the session its preAuthentication stored) across executions.
  const store = credentialStore(roleFields('n8n-execute'));
  const started = Date.now();
  let runs = 0;
  while (Date.now() - started < RUN_MS) {
    const ctx = executeContext({
      parameters: {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        instanceId: INSTANCE,
        options: { maxAttempts: 1 },
      },
      items: [{ clientId: 'GID_host@@@on' }],
      credentials: store.data,
      store,
    });
    const [online] = await node.execute.call(ctx);
    expect(online.map((i) => i.json.online)).toEqual([true]);
    expect(JSON.stringify(ctx.logs)).not.toContain(BASE.accessKeySecret);
    runs++;
    await sleep(150);
  }
  expect(runs).toBeGreaterThan(20);
  expectOnePerLifetime('n8n-execute');
}, 30_000);

it('n8n trigger poll(): polls keep working across expiries, state intact', async () => {
  const trigger = new AlibabaCloudMqttTrigger();
  const { ctx, warnings } = pollContext({
    parameters: {
      instanceId: INSTANCE,
      clientIds: 'GID_host@@@on\nGID_host@@@off',
      mode: 'exact',
      events: ['offline', 'online'],
      reportInitialOffline: true,
      options: {},
    },
    credentials: roleFields('n8n-trigger'),
  });
  const first = await trigger.poll.call(ctx);
  expect(first?.[0].map((i) => i.json.clientId)).toEqual(['GID_host@@@off']);
  const started = Date.now();
  while (Date.now() - started < RUN_MS) {
    expect(await trigger.poll.call(ctx)).toBeNull(); // nothing changed, nothing failed
    await sleep(150);
  }
  expect(warnings).toEqual([]);
  expectOnePerLifetime('n8n-trigger');
}, 30_000);

it('Node-RED config (RAM role) and session node in the runtime: every message routed across expiries', async () => {
  await helper.load(
    [configNode, sessionNode],
    [
      {
        id: 'cfg',
        type: 'alicloud-mqtt-config',
        name: 'role',
        authentication: 'ramRole',
        roleArn: ROLE,
        roleSessionName: 'node-red',
        durationSeconds: '900',
        stsEndpoint: emu.sts!.endpoint,
        endpoint: emu.endpoint,
      },
      ...SESSION_FLOW,
    ],
    { cfg: { accessKeyId: BASE.accessKeyId, accessKeySecret: BASE.accessKeySecret } },
  );
  const on = collect('on');
  const q = helper.getNode('q');
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < RUN_MS) {
    q.receive({ payload: 'GID_host@@@on' });
    sent++;
    await sleep(150);
  }
  await waitUntil(() => on.length === sent, 5000, 'every message on Online');
  expect(JSON.stringify(on)).not.toContain(BASE.accessKeySecret);
  expectOnePerLifetime('node-red');
  await helper.unload();
}, 30_000);

it('n8n credential test: the exchange is step one, and its failure says so in words', async () => {
  const ok = await alibabaCloudMqttApiTest.call(credentialTestContext(), {
    id: '1',
    name: 'c',
    type: 'alibabaCloudMqttApi',
    data: roleFields('cred-test'),
  });
  expect(ok).toEqual({
    status: 'OK',
    message: expect.stringContaining(`temporary credentials for ${ROLE} (assumed by ${BASE.accessKeyId}) obtained`),
  });
  const denied = await alibabaCloudMqttApiTest.call(credentialTestContext(), {
    id: '1',
    name: 'c',
    type: 'alibabaCloudMqttApi',
    data: { ...roleFields('cred-test-2'), roleArn: 'acs:ram::1234567890123456:role/not-there' },
  });
  expect(denied.status).toBe('Error');
  expect(denied.message).toMatch(
    /^Could not obtain credentials for acs:ram::1234567890123456:role\/not-there .*EntityNotExist\.Role.*does not exist/,
  );
  expect(denied.message).not.toContain(BASE.accessKeySecret);
  const ambient = await alibabaCloudMqttApiTest.call(credentialTestContext(), {
    id: '1',
    name: 'c',
    type: 'alibabaCloudMqttApi',
    data: { authentication: 'ecsRamRole', endpoint: emu.endpoint },
  });
  expect(ambient).toEqual({
    status: 'Error',
    message: expect.stringContaining('install @mqtt-ops/n8n-nodes-alicloud-mqtt-extras and use its credential'),
  });
});

it("Node-RED: a machine identity without the administrator's switch fails each message clearly, naming the variable", async () => {
  delete process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS;
  await helper.load(
    [configNode, sessionNode],
    [
      { id: 'cfg', type: 'alicloud-mqtt-config', name: 'ecs', authentication: 'ecsRamRole', endpoint: emu.endpoint },
      ...SESSION_FLOW,
    ],
    {},
  );
  const errors: string[] = [];
  const statuses: string[] = [];
  const q = helper.getNode('q');
  q.on('call:error', (call: { args: unknown[] }) => errors.push(String(call.args[0])));
  q.on('call:status', (call: { args: Array<{ text?: string }> }) => statuses.push(call.args[0]?.text ?? ''));
  q.receive({ payload: 'GID_host@@@on' });
  await waitUntil(() => errors.length === 1, 5000, 'the error');
  expect(errors[0]).toContain('ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true');
  expect(statuses).toContain('SystemCredentialsD…');
  await helper.unload();
});
