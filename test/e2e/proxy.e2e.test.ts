import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { connectMqtt } from '../helpers/emulator';
import { PROXY_EGRESS_ADDRESS, startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy';
import { startCollector } from './collector';
import { n8nBin, n8nHost, node24, nodeRed4Dir, nodeRedHost, ROOT, type NodeRedHost, type N8nHost } from './hosts';

/**
 * Behind a corporate proxy, in the real hosts: n8n 2.40 and Node-RED 4.1 started with HTTPS_PROXY
 * pointing at a real tinyproxy that asks for a login; the emulator (HTTPS, its test CA) accepts
 * connections only from the proxy's egress address, so an operation that did not go through the
 * proxy fails. Every operation of the package runs, signed by a RAM role (STS through the proxy
 * too); the proxy's log shows the tunnels; its password is in no log or output.
 */

const SECRET = 'e2e-proxy-secret-value-5150';
const AK = 'LTAI5tE2EProxy';
const ROLE = 'acs:ram::1234567890123456:role/proxy-e2e';
const INSTANCE = 'post-cn-emulator01';
const PROXY_PASSWORD = 'e2e-Proxy-Pass-SENTINEL';
const TLS_DIR = join(ROOT, 'emulator/tls');
const NODE_TYPE = '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqtt';

// eslint-disable-next-line @typescript-eslint/no-require-imports
process.env.NODE_EXTRA_CA_CERTS = (require('../../scripts/ca-bundle.js') as { caBundle(): string }).caBundle();

let emu: RunningEmulator;
let proxy: Tinyproxy;
let tarball: string;
let n8nTarball: string;
let online: import('mqtt').MqttClient;
beforeAll(async () => {
  [emu, proxy] = await Promise.all([
    startEmulator({
      accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }],
      sts: { roles: [{ arn: ROLE, trustedAccessKeyIds: [AK] }] },
      tls: {
        key: readFileSync(join(TLS_DIR, 'server-key.pem'), 'utf8'),
        cert: readFileSync(join(TLS_DIR, 'server.pem'), 'utf8'),
      },
      acceptFrom: [PROXY_EGRESS_ADDRESS],
    }),
    startTinyproxy({ login: { user: 'ops', password: PROXY_PASSWORD } }),
  ]);
  online = await connectMqtt(emu.mqttUrl!, 'GID_px@@@on');
  tarball = nodeRedHost.packTarball();
  n8nTarball = nodeRedHost.packTarball('n8n');
}, 120_000);
afterAll(async () => {
  online?.end(true);
  await Promise.all([emu?.stop(), proxy?.stop()]);
});

/** What the hosts are started with: the proxy from the environment, as an operator sets it. */
const proxyEnv = () => ({ HTTPS_PROXY: proxy.url, ALICLOUD_MQTT_PROXY_LOOPBACK: 'true' });
const tunnelsTo = (hostPort: string) => proxy.connects().filter((c) => c === `CONNECT ${hostPort}`).length;
const apiHost = () => new URL(emu.endpoint).host;
/** tinyproxy writes its log a moment after the tunnel: wait until it shows more tunnels than before. */
const moreTunnels = async (hostPort: string, before: number) => {
  const deadline = Date.now() + 5000;
  while (tunnelsTo(hostPort) <= before) {
    if (Date.now() > deadline)
      throw new Error(`no new CONNECT ${hostPort} in tinyproxy's log:\n${proxy.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('n8n 2.40 with HTTPS_PROXY', () => {
  let n8n: N8nHost;
  beforeAll(async () => {
    n8n = await n8nHost.createN8n({ n8nBin: n8nBin('2.40.7', node24()), nodeBinary: node24(), tarball: n8nTarball });
    Object.assign(n8n.env, proxyEnv());
    await n8n.importCredentials([
      {
        id: 'alicloudProxy01',
        name: 'Alibaba Cloud MQTT (RAM role, behind a proxy)',
        type: 'alibabaCloudMqttApi',
        data: {
          authentication: 'ramRole',
          accessKeyId: AK,
          accessKeySecret: SECRET,
          roleArn: ROLE,
          roleSessionName: 'n8n-proxy-e2e',
          durationSeconds: 900,
          stsEndpoint: emu.sts!.endpoint,
          region: 'cn-hangzhou',
          network: 'public',
          endpoint: emu.endpoint,
        },
      },
    ]);
  }, 1_200_000);
  afterAll(() => n8n?.cleanup());

  it('every operation works through the proxy (the emulator serves nobody else)', async () => {
    const cred = {
      alibabaCloudMqttApi: { id: 'alicloudProxy01', name: 'Alibaba Cloud MQTT (RAM role, behind a proxy)' },
    };
    const op = (name: string, y: number, parameters: Record<string, unknown>) => ({
      id: `px-${name}`,
      name,
      type: NODE_TYPE,
      typeVersion: 1,
      position: [400, y],
      parameters: { instanceId: INSTANCE, options: { maxAttempts: 2 }, ...parameters },
      credentials: cred,
    });
    const ops = [
      op('Status', 0, {
        resource: 'deviceSession',
        operation: 'getStatus',
        clientId: '={{ $json.clientId }}',
        offlineDetails: true,
      }),
      op('Many', 100, { resource: 'deviceSession', operation: 'getManyStatuses', clientId: '={{ $json.clientId }}' }),
      op('Trace', 200, {
        resource: 'deviceSession',
        operation: 'getConnectionTrace',
        clientId: '={{ $json.clientId }}',
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
        returnAll: true,
      }),
      op('Wait', 300, {
        resource: 'deviceSession',
        operation: 'waitUntilOnline',
        clientId: 'GID_px@@@on',
        waitTimeout: 10,
        pollInterval: 1,
      }),
      op('Credential', 400, {
        resource: 'deviceCredential',
        operation: 'getOrRegister',
        clientId: '={{ $json.clientId }}',
      }),
      op('Token', 500, {
        resource: 'token',
        operation: 'apply',
        resources: 'devices/+/config',
        actions: 'R',
        validMinutes: 60,
      }),
      op('Send', 600, {
        resource: 'message',
        operation: 'send',
        topic: 'devices/px/config',
        payload: '{"hello":"proxy"}',
      }),
    ];
    const workflow = {
      id: 'wfProxyEvery01',
      name: 'every operation behind a proxy',
      active: false,
      settings: { executionOrder: 'v1' },
      nodes: [
        {
          id: 'px-start',
          name: 'Start',
          type: 'n8n-nodes-base.manualTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
        {
          id: 'px-items',
          name: 'Items',
          type: 'n8n-nodes-base.code',
          typeVersion: 2,
          position: [200, 0],
          parameters: {
            jsCode: "return [{ json: { clientId: 'GID_px@@@on' } }, { json: { clientId: 'GID_px@@@off' } }];",
          },
        },
        ...ops,
      ],
      connections: {
        Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
        Items: { main: [ops.map((o) => ({ node: o.name, type: 'main', index: 0 }))] },
      },
    };
    await n8n.importWorkflows([workflow]);
    const before = { api: tunnelsTo(apiHost()), sts: tunnelsTo(emu.sts!.endpoint) };
    const r = await n8n.execute('wfProxyEvery01');
    expect(r.run.data.resultData.error).toBeUndefined();
    const out = (name: string) =>
      (r.run.data.resultData.runData[name]?.[0]?.data?.main ?? []).map(
        (items: Array<{ json: Record<string, unknown> }> | null) => (items ?? []).map((i) => i.json),
      );
    expect(out('Status')[0]).toEqual([expect.objectContaining({ clientId: 'GID_px@@@on', online: true })]);
    expect(out('Status')[1]).toEqual([
      expect.objectContaining({ clientId: 'GID_px@@@off', online: false, lastDisconnectCode: null }),
    ]);
    expect(
      out('Many')
        .flat()
        .map((j: Record<string, unknown>) => j.online),
    ).toEqual(expect.arrayContaining([true, false]));
    expect(
      out('Trace')
        .flat()
        .some((j: Record<string, unknown>) => j.action === 'connect'),
    ).toBe(true);
    expect(out('Wait')[0]).toHaveLength(2);
    expect(out('Credential').flat()).toHaveLength(2);
    expect(out('Token').flat()[0]).toHaveProperty('token');
    expect(out('Send').flat()[0].message).toHaveProperty('msgId');
    // New tunnels to both the API and STS; the emulator refuses anyone but the proxy.
    await moreTunnels(apiHost(), before.api);
    await moreTunnels(emu.sts!.endpoint, before.sts);
    expect(r.text).not.toContain(PROXY_PASSWORD);
    expect(r.text).not.toContain(SECRET);
  }, 300_000);
});

describe('Node-RED 4.1 with HTTPS_PROXY', () => {
  let host: NodeRedHost;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
    // Node-RED is started with the operator's environment, the proxy variables included (its
    // install from the registry is not: the test proxy reaches only this machine).
    host = await nodeRedHost.startNodeRed({
      tarball,
      nodeRedDir: nodeRed4Dir(),
      nodeBinary: process.execPath,
      extraEnv: proxyEnv(),
    });
  }, 240_000);
  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
    await collector?.stop();
  }, 30_000);

  it('every node works through the proxy (the emulator serves nobody else)', async () => {
    const z = 'px';
    const report = (id: string, port: string, y: number) => ({
      id,
      type: 'function',
      z,
      x: 700,
      y,
      func: `msg.headers = { 'content-type': 'application/json' }; msg.url = '${collector.url}/${port}'; msg.payload = { topic: msg.topic, payload: msg.payload, msgId: msg.msgId, error: msg.alicloudError }; return msg;`,
      outputs: 1,
      wires: [['px-post']],
    });
    const flow = [
      {
        id: 'px-cfg',
        type: 'alicloud-mqtt-config',
        name: 'role behind a proxy',
        authentication: 'ramRole',
        roleArn: ROLE,
        roleSessionName: 'node-red-proxy-e2e',
        stsEndpoint: emu.sts!.endpoint,
        endpoint: emu.endpoint,
        credentials: { accessKeyId: AK, accessKeySecret: SECRET },
      },
      { id: z, type: 'tab', label: 'proxy' },
      {
        id: 'px-go',
        type: 'inject',
        z,
        x: 100,
        y: 100,
        props: [{ p: 'payload' }],
        payload: '["GID_px@@@on","GID_px@@@off"]',
        payloadType: 'json',
        wires: [['px-session', 'px-trace-id']],
      },
      {
        id: 'px-session',
        type: 'alicloud-mqtt-session',
        z,
        x: 300,
        y: 60,
        config: 'px-cfg',
        instanceId: INSTANCE,
        offlineDetails: true,
        wires: [['px-r-on'], ['px-r-off']],
      },
      {
        id: 'px-trace-id',
        type: 'change',
        z,
        x: 300,
        y: 140,
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'GID_px@@@on', tot: 'str' }],
        wires: [['px-trace', 'px-wait', 'px-cred', 'px-send']],
      },
      {
        id: 'px-trace',
        type: 'alicloud-mqtt-trace',
        z,
        x: 500,
        y: 120,
        config: 'px-cfg',
        instanceId: INSTANCE,
        minutes: 60,
        wires: [['px-r-trace']],
      },
      {
        id: 'px-wait',
        type: 'alicloud-mqtt-wait',
        z,
        x: 500,
        y: 160,
        config: 'px-cfg',
        clientId: 'payload',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        waitSeconds: 10,
        intervalSeconds: 1,
        wires: [['px-r-wait'], ['px-r-wait']],
      },
      {
        id: 'px-cred',
        type: 'alicloud-mqtt-credential',
        z,
        x: 500,
        y: 200,
        config: 'px-cfg',
        instanceId: INSTANCE,
        operation: 'getOrRegister',
        wires: [['px-r-cred']],
      },
      {
        id: 'px-send',
        type: 'alicloud-mqtt-send',
        z,
        x: 500,
        y: 240,
        config: 'px-cfg',
        instanceId: INSTANCE,
        topic: 'devices/px/config',
        wires: [['px-r-send']],
      },
      report('px-r-on', 'online', 40),
      report('px-r-off', 'offline', 80),
      report('px-r-trace', 'trace', 120),
      report('px-r-wait', 'wait', 160),
      report('px-r-cred', 'credential', 200),
      report('px-r-send', 'send', 240),
      { id: 'px-post', type: 'http request', z, x: 900, y: 140, method: 'POST', ret: 'txt', url: '', wires: [[]] },
      { id: 'px-catch', type: 'catch', z, x: 100, y: 300, scope: null, uncaught: false, wires: [['px-r-err']] },
      report('px-r-err', 'error', 300),
    ];
    const before = { api: tunnelsTo(apiHost()), sts: tunnelsTo(emu.sts!.endpoint) };
    await host.deploy(flow);
    await host.inject('px-go');
    await collector.waitFor(
      () => ['online', 'offline', 'trace', 'wait', 'credential', 'send'].every((p) => collector.on(p).length > 0),
      30_000,
      'every node',
    );
    expect(collector.on('error')).toEqual([]);
    expect(collector.on('online')[0].payload).toMatchObject({ clientId: 'GID_px@@@on', online: true });
    expect(collector.on('offline')[0].payload).toMatchObject({
      clientId: 'GID_px@@@off',
      online: false,
      lastDisconnectCode: null,
    });
    expect(collector.on('trace')[0].payload.length).toBeGreaterThan(0);
    expect(collector.on('wait')[0].payload).toMatchObject({ online: true });
    expect(collector.on('credential')[0].payload).toHaveProperty('deviceAccessKeyId');
    expect(collector.on('send')[0].msgId).toEqual(expect.any(String));
    await moreTunnels(apiHost(), before.api);
    await moreTunnels(emu.sts!.endpoint, before.sts);
    expect(host.logs.join('\n')).not.toContain(PROXY_PASSWORD);
    expect(host.logs.join('\n')).not.toContain(SECRET);
  }, 120_000);
});
