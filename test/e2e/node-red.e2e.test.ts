import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { OnsMqttClient } from '../../lib/internal';
import { connectMqtt, waitFor } from '../helpers/emulator';
import { reporter, startCollector } from './collector';
import { nodeRed4Dir, nodeRed5Dir, node24, nodeRedHost, ROOT, type NodeRedHost } from './hosts';

/**
 * The package installed from its tarball into a real Node-RED (4.1 on this Node.js, 5 on Node 24),
 * flows deployed through the admin API, results observed through http request nodes.
 */
const INSTANCE = 'post-cn-emulator01';
const SECRET = 'e2e-NODE-RED-secret-value-77';
const AK = 'LTAI5tE2ENodeRed';
const ROLE = 'acs:ram::1234567890123456:role/node-red-e2e';
const TYPES = [
  'alicloud-mqtt-config',
  'alicloud-mqtt-credential',
  'alicloud-mqtt-send',
  'alicloud-mqtt-session',
  'alicloud-mqtt-trace',
  'alicloud-mqtt-wait',
  'alicloud-mqtt-watch',
];

// The hosts started here call the emulator's STS over HTTPS: they must trust its test CA from the
// start, and keep what the machine trusts (scripts/ca-bundle.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
process.env.NODE_EXTRA_CA_CERTS = (require('../../scripts/ca-bundle.js') as { caBundle(): string }).caBundle();

let emu: RunningEmulator;
let tarball: string;
beforeAll(async () => {
  emu = await startEmulator({
    accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }],
    sts: { roles: [{ arn: ROLE, trustedAccessKeyIds: [AK] }] },
    amqpPort: 0, // the Cloud SDK endpoint of the watch node's push source
  });
  tarball = nodeRedHost.packTarball();
}, 120_000);
afterAll(() => emu.stop());

/** The dashboard the "Fleet dashboard with incidents" example uses (Dashboard 2.0). */
const DASHBOARD = '@flowfuse/node-red-dashboard@1.31.0';

const HOSTS: Array<[string, () => { nodeRedDir: string; nodeBinary: string }]> = [
  ['Node-RED 4.1 on Node 20', () => ({ nodeRedDir: nodeRed4Dir(), nodeBinary: process.execPath })],
  ['Node-RED 5 on Node 24', () => ({ nodeRedDir: nodeRed5Dir(), nodeBinary: node24() })],
];

describe.each(HOSTS)('%s', (_label, which) => {
  let host: NodeRedHost;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    collector = await startCollector();
    // The dashboard example needs Dashboard 2.0 from the palette, as a user would install it.
    host = await nodeRedHost.startNodeRed({ tarball, extraPackages: [DASHBOARD], ...which() });
  }, 240_000);
  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
    await collector?.stop();
  }, 30_000);
  beforeEach(() => {
    emu.reset();
    collector.clear();
  });

  const config = (id = 'cfg') => ({
    id,
    type: 'alicloud-mqtt-config',
    name: 'emulator',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: AK, accessKeySecret: SECRET },
  });
  /** POST /e2e/<path> with a JSON body -> msg.payload = body. */
  const entry = (z: string, path: string, next: string, y = 100) => [
    {
      id: `${z}-in-${path}`,
      type: 'http in',
      z,
      name: '',
      url: `/e2e/${path}`,
      method: 'post',
      upload: false,
      x: 100,
      y,
      wires: [[`${z}-ok-${path}`, next]],
    },
    {
      id: `${z}-ok-${path}`,
      type: 'http response',
      z,
      name: '',
      statusCode: '200',
      headers: {},
      x: 300,
      y: y + 40,
      wires: [],
    },
  ];
  /** POST to an http-in route; a fresh deploy may still be starting its flows (404 meanwhile). */
  const post = async (path: string, body: unknown) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`${host.url}/e2e/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 404 || Date.now() > deadline) {
        expect(res.status).toBe(200);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('loads all seven node types from the installed tarball', async () => {
    const sets = (await host.nodes()).filter((s) => s.module === '@mqtt-ops/node-red-alicloud-mqtt');
    expect(sets.flatMap((s) => s.types).sort()).toEqual(TYPES);
    for (const s of sets)
      expect({ id: s.id, enabled: s.enabled, err: s.err }).toEqual({ id: s.id, enabled: true, err: undefined });
  });

  it('session: online/offline routing, Catch once with the code, status; Retry/Fail outputs option', async () => {
    const z = 'tab1';
    await host.deploy([
      { id: z, type: 'tab', label: 'e2e session' },
      config(),
      ...entry(z, 'check', 'plain'),
      {
        id: 'plain',
        type: 'alicloud-mqtt-session',
        z,
        config: 'cfg',
        clientId: 'payload.ids',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        instanceIdType: 'str',
        mode: 'exact',
        property: 'result',
        routeErrors: false,
        outputs: 2,
        maxAttempts: 2,
        x: 300,
        y: 100,
        wires: [['r-on'], ['r-off']],
      },
      ...entry(z, 'route', 'routed', 300),
      {
        id: 'routed',
        type: 'alicloud-mqtt-session',
        z,
        config: 'cfg',
        clientId: 'payload.ids',
        clientIdType: 'msg',
        instanceId: INSTANCE,
        instanceIdType: 'str',
        mode: 'batch',
        property: 'result',
        routeErrors: true,
        outputs: 4,
        maxAttempts: 2,
        x: 300,
        y: 300,
        wires: [['r-on'], ['r-off'], ['r-retry'], ['r-fail']],
      },
      {
        id: 'catch',
        type: 'catch',
        z,
        name: '',
        scope: ['plain', 'routed'],
        uncaught: false,
        x: 100,
        y: 500,
        wires: [['r-catch']],
      },
      { id: 'status', type: 'status', z, name: '', scope: ['plain'], x: 100, y: 600, wires: [['r-status']] },
      ...reporter('r-on', z, collector.url, 'online', 600, 100),
      ...reporter('r-off', z, collector.url, 'offline', 600, 150),
      ...reporter('r-retry', z, collector.url, 'retry', 600, 200),
      ...reporter('r-fail', z, collector.url, 'fail', 600, 250),
      ...reporter('r-catch', z, collector.url, 'catch', 600, 500),
      ...reporter('r-status', z, collector.url, 'status', 600, 600),
    ]);
    const device = await connectMqtt(emu.mqttUrl!, 'GID_e2e@@@on');
    try {
      emu.setFaults({
        errors: [
          { code: 'PermissionCheckFailed', clientId: 'GID_e2e@@@denied' },
          { code: 'InternalError', clientId: 'GID_e2e@@@flaky' },
        ],
      });
      await post('check', { ids: ['GID_e2e@@@on', 'GID_e2e@@@off', 'GID_e2e@@@denied'], ticket: 'T-1' });
      await collector.waitFor(
        () => collector.on('online').length + collector.on('offline').length + collector.on('catch').length >= 3,
      );
      expect(collector.on('online').map((m) => [m.result.clientId, m.result.online, m.payload.ticket])).toEqual([
        ['GID_e2e@@@on', true, 'T-1'],
      ]);
      expect(collector.on('offline').map((m) => m.result.clientId)).toEqual(['GID_e2e@@@off']);
      const caught = collector.on('catch');
      expect(caught).toHaveLength(1);
      expect(caught[0].error.message).toContain('PermissionCheckFailed');
      expect(caught[0].alicloudError).toMatchObject({ code: 'PermissionCheckFailed', retryable: false, attempts: 1 });
      await collector.waitFor(() => collector.on('status').some((m) => m.status.fill !== 'blue'));
      expect(collector.on('status')[0].status.text).toMatch(/\(\d+\)$/);

      collector.clear();
      await post('route', { ids: ['GID_e2e@@@on', 'GID_e2e@@@off', 'GID_e2e@@@denied', 'GID_e2e@@@flaky'] });
      await collector.waitFor(() => collector.reports.length >= 4);
      await new Promise((r) => setTimeout(r, 300));
      const ports = Object.fromEntries(
        ['online', 'offline', 'retry', 'fail', 'catch'].map((p) => [p, collector.on(p).map((m) => m.result.clientId)]),
      );
      // Batch mode: the failing batch takes its 4 ids with it (one request for all 4).
      expect(ports.catch).toEqual([]);
      expect([...ports.retry, ...ports.fail].length + ports.online.length + ports.offline.length).toBe(4);
    } finally {
      device.end(true);
    }
  }, 60_000);

  it('watch: fires when a device really disconnects; its state survives a Node-RED restart', async () => {
    const z = 'tab2';
    const flows = [
      { id: z, type: 'tab', label: 'e2e watch' },
      config(),
      ...entry(z, 'watch', 'watch'),
      {
        id: 'watch',
        type: 'alicloud-mqtt-watch',
        z,
        config: 'cfg',
        instanceId: INSTANCE,
        clientIds: 'GID_e2e@@@w1\nGID_e2e@@@w2',
        mode: 'exact',
        interval: 0,
        eventOffline: true,
        eventOnline: true,
        offlineMinutes: 0,
        onlineMinutes: 0,
        reportInitial: false,
        store: '',
        x: 300,
        y: 100,
        wires: [['w-off'], ['w-on']],
      },
      ...reporter('w-off', z, collector.url, 'went-offline', 600, 100),
      ...reporter('w-on', z, collector.url, 'came-online', 600, 150),
    ];
    await host.deploy(flows);
    const d1 = await connectMqtt(emu.mqttUrl!, 'GID_e2e@@@w1');
    const d2 = await connectMqtt(emu.mqttUrl!, 'GID_e2e@@@w2');
    const check = async (n: number) => {
      await post('watch', {});
      await waitFor(() => emu.requestLog().length >= n, 10_000, `${n} requests`);
      await new Promise((r) => setTimeout(r, 300));
    };
    await check(2);
    expect(collector.reports).toEqual([]);
    await new Promise<void>((r) => d1.end(false, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline('GID_e2e@@@w1'));
    await check(4);
    await collector.waitFor(() => collector.on('went-offline').length === 1);
    expect(collector.on('went-offline')[0].payload).toMatchObject({
      clientId: 'GID_e2e@@@w1',
      event: 'offline',
      previousOnline: true,
    });

    // Restart Node-RED on the same user directory (localfilesystem context store): no repeat.
    await host.stop();
    host = await nodeRedHost.startNodeRed({
      tarball,
      userDir: host.userDir,
      nodeRedDir: host.nodeRedDir,
      nodeBinary: host.nodeBinary,
    });
    collector.clear();
    await check(6);
    expect(collector.reports).toEqual([]);
    d2.end(true);
  }, 120_000);

  it('watch, push source: a drop leaves by output 1 without any interval, a device message by output 5; a restart loses and repeats nothing', async () => {
    const z = 'tabPush';
    const A = 'GID_nrpush@@@A';
    const B = 'GID_nrpush@@@B';
    const deviceA = await connectMqtt(emu.mqttUrl!, A);
    const deviceB = await connectMqtt(emu.mqttUrl!, B);
    const polls = (id: string) =>
      emu.requestLog().filter((e) => e.action === 'QuerySessionByClientId' && e.clientIds.includes(id)).length;
    const events = () =>
      collector.reports.map((r) =>
        r.port === 'message' ? `message ${r.msg.topic}` : `${r.msg.payload.clientId} ${r.msg.payload.event}`,
      );
    // This group's status events and the parent topic's messages all handled (other groups' wait: nobody consumes them).
    const quiet = () =>
      ['STATUS/GID_nrpush', 'TOPIC/plant'].every(
        (name) => (emu.cloudSdk!.backlog()[name]?.unacked ?? 0) + (emu.cloudSdk!.backlog()[name]?.waiting ?? 0) === 0,
      );
    await host.deploy([
      { id: z, type: 'tab', label: 'e2e push' },
      config(),
      {
        id: 'pushWatch',
        type: 'alicloud-mqtt-watch',
        z,
        config: 'cfg',
        instanceId: INSTANCE,
        clientIds: `${A}\n${B}`,
        interval: 0,
        source: 'push',
        pushEndpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
        parentTopics: 'plant',
        outputs: 5,
        store: '',
        x: 300,
        y: 100,
        wires: [['p-off'], ['p-on'], [], [], ['p-msg']],
      },
      ...reporter('p-off', z, collector.url, 'went-offline', 600, 100),
      ...reporter('p-on', z, collector.url, 'came-online', 600, 150),
      ...reporter('p-msg', z, collector.url, 'message', 600, 200),
    ]);
    try {
      await waitFor(
        () => emu.cloudSdk!.logins().length >= 1 && polls(A) >= 1 && polls(B) >= 1,
        30_000,
        'the subscription and its first check',
      );
      await waitFor(quiet, 30_000, 'the events of before handled');
      const before = polls(A);
      const droppedAt = Date.now();
      (deviceA as unknown as { stream: { destroy(): void } }).stream.destroy();
      await collector.waitFor(() => collector.reports.length >= 1, 60_000, 'the pushed drop');
      console.log(
        `${_label}: watch (push): a drop reached the flow ${collector.reports[0].at - droppedAt} ms after the device's socket closed; polling finds it at the next interval (60 s by default)`,
      );
      expect(collector.on('went-offline')[0].payload).toMatchObject({
        clientId: A,
        event: 'offline',
        previousOnline: true,
      });
      expect(polls(A) - before).toBe(1); // the confirmation: no poll of the fleet
      await new Promise<void>((r) => deviceB.publish('plant/B/battery', '{"level":7}', { qos: 1 }, () => r()));
      await collector.waitFor(() => collector.on('message').length === 1, 30_000, 'the device message');
      expect(collector.on('message')[0]).toMatchObject({
        topic: 'plant/B/battery',
        payload: { level: 7 },
        event: 'message',
        clientId: B,
      });

      // Node-RED restarts on the same user directory (localfilesystem context); B drops meanwhile.
      await host.stop();
      await new Promise<void>((r) => deviceB.end(false, {}, () => r()));
      await waitFor(() => !emu.isDeviceOnline(B));
      host = await nodeRedHost.startNodeRed({
        tarball,
        userDir: host.userDir,
        nodeRedDir: host.nodeRedDir,
        nodeBinary: host.nodeBinary,
      });
      await collector.waitFor(() => collector.reports.length >= 3, 60_000, 'the drop of while Node-RED was down');
      await waitFor(quiet, 30_000, 'all handled');
      await new Promise((r) => setTimeout(r, 3000));
      expect(events()).toEqual([`${A} offline`, 'message plant/B/battery', `${B} offline`]);
    } finally {
      await host.deploy([]);
      deviceA.end(true);
      deviceB.end(true);
    }
  }, 240_000);

  it('the example flows import and run', async () => {
    const dir = join(ROOT, 'examples');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      emu.reset();
      const flow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Array<Record<string, unknown>>;
      for (const n of flow) {
        if (n.type === 'alicloud-mqtt-config')
          Object.assign(n, { endpoint: emu.endpoint, credentials: { accessKeyId: AK, accessKeySecret: SECRET } });
      }
      // Rotation presumes a provisioned device: provision it as the other example would.
      if (file.startsWith('Rotate')) {
        await new OnsMqttClient({
          accessKeyId: AK,
          accessKeySecret: SECRET,
          endpoint: emu.endpoint,
        }).registerDeviceCredential({
          clientId: 'GID_demo@@@device-42',
          instanceId: INSTANCE,
        });
        emu.clearLog(); // the example's own request is the one to wait for
      }
      const logStart = host.logs.length;
      await host.deploy(flow);
      for (const n of flow.filter((x) => x.type === 'inject')) await host.inject(String(n.id));
      // Every example queries the emulator: on its inject, or on the watch node's own interval.
      await waitFor(() => emu.requestLog().length > 0, 20_000, `${file} to query the emulator`);
      const errors = host.logs.slice(logStart).filter((l) => /\[error\]/.test(l) && /alicloud-mqtt/.test(l));
      expect({ file, errors }).toEqual({ file, errors: [] });
      if (file.startsWith('Fleet dashboard')) {
        // Its page is served by the dashboard (which mounts its routes a moment after the deploy).
        let status = 0;
        await waitFor(
          async () => (status = (await fetch(`${host.url}/dashboard/fleet`)).status) === 200,
          15_000,
          'the dashboard page',
        ).catch(() => undefined);
        expect(status).toBe(200);
        expect(host.logs.slice(logStart).join('\n')).not.toMatch(/missing types|Waiting for missing/i);
      }
    }
  }, 120_000);

  it('the provisioning example: a device asks for its login, connects with it and receives its configuration; asking again keeps the credential', async () => {
    emu.setMqttAuth(true);
    const flow = JSON.parse(
      readFileSync(join(ROOT, 'examples', 'Provision a device and wait until it connects.json'), 'utf8'),
    ) as Array<Record<string, unknown>>;
    for (const n of flow) {
      if (n.type === 'alicloud-mqtt-config')
        Object.assign(n, { endpoint: emu.endpoint, credentials: { accessKeyId: AK, accessKeySecret: SECRET } });
      // The configuration the device receives also reaches the test (after the send node).
      if (n.id === 'prsend') n.wires = [['prdone', 'pr-sent']];
    }
    flow.push(...reporter('pr-sent', 'prtab', collector.url, 'configuration-sent', 1030, 300));
    await host.deploy(flow);
    const clientId = `GID_e2e@@@nr-${host.version.replace(/\W/g, '')}`;
    const ask = async () => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const res = await fetch(`${host.url}/provision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId }),
        });
        if (res.status !== 404 || Date.now() > deadline) {
          expect(res.status).toBe(200);
          return (await res.json()) as { clientId: string; username: string; password: string };
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const login = await ask();
    expect(login).toMatchObject({ clientId, username: expect.stringMatching(/^DeviceCredential\|DC\./) });
    // A second request (a device that rebooted before it connected): the same login.
    expect(await ask()).toEqual(login);
    const device = await connectMqtt(emu.mqttUrl!, clientId, { username: login.username, password: login.password });
    const received: string[] = [];
    device.on('message', (_topic, payload) => received.push(payload.toString()));
    await device.subscribeAsync(`devices/${clientId.split('@@@')[1]}/config`, { qos: 1 });
    await waitFor(() => received.length >= 1, 30_000, 'the configuration to reach the device');
    expect(JSON.parse(received[0])).toMatchObject({ reportEverySeconds: 60 });
    await collector.waitFor(() => collector.on('configuration-sent').length >= 1);
    // The secret went to the device only: not into the logs.
    expect(host.logs.join('\n')).not.toContain(login.password);
    device.end(true);
    emu.setMqttAuth(false);
  }, 120_000);

  it('the secret is nowhere in the exported flows or the logs', async () => {
    const flows = JSON.stringify(await host.flows());
    expect(flows).not.toContain(SECRET);
    expect(host.logs.join('\n')).not.toContain(SECRET);
    const stored = readdirSync(host.userDir).filter((f) => f.startsWith('flows') && !f.includes('cred'));
    for (const f of stored) expect(readFileSync(join(host.userDir, f), 'utf8')).not.toContain(SECRET);
  });
  it('a RAM-role config node: messages keep being routed across two token expiries, one AssumeRole per lifetime', async () => {
    const z = 'tabRole';
    const session = `node-red-${host.version.replace(/\W/g, '-')}`;
    emu.sts!.clearLog();
    emu.sts!.setTokenLifetime(3000);
    emu.setDeviceOnline('GID_role@@@on', true);
    try {
      await host.deploy([
        { id: z, type: 'tab', label: 'e2e role' },
        {
          id: 'cfg-role',
          type: 'alicloud-mqtt-config',
          name: 'role',
          authentication: 'ramRole',
          roleArn: ROLE,
          roleSessionName: session,
          durationSeconds: '900',
          stsEndpoint: emu.sts!.endpoint,
          endpoint: emu.endpoint,
          credentials: { accessKeyId: AK, accessKeySecret: SECRET },
        },
        ...entry(z, 'role', 'role-q'),
        {
          id: 'role-q',
          type: 'alicloud-mqtt-session',
          z,
          config: 'cfg-role',
          clientId: 'payload.id',
          clientIdType: 'msg',
          instanceId: INSTANCE,
          instanceIdType: 'str',
          mode: 'exact',
          outputs: 2,
          x: 300,
          y: 100,
          wires: [['r-role-on'], ['r-role-off']],
        },
        {
          id: 'role-catch',
          type: 'catch',
          z,
          name: '',
          scope: ['role-q'],
          uncaught: false,
          x: 100,
          y: 300,
          wires: [['r-role-catch']],
        },
        ...reporter('r-role-on', z, collector.url, 'online', 600, 100),
        ...reporter('r-role-off', z, collector.url, 'offline', 600, 150),
        ...reporter('r-role-catch', z, collector.url, 'catch', 600, 300),
      ]);
      // 8 s of checks against 3 s tokens: two expiries at least.
      const started = Date.now();
      let sent = 0;
      while (Date.now() - started < 8000) {
        await post('role', { id: 'GID_role@@@on', n: sent++ });
        await new Promise((r) => setTimeout(r, 250));
      }
      await collector.waitFor(
        () => collector.on('online').length + collector.on('catch').length >= sent,
        20_000,
        'an outcome for every message',
      );
      expect(collector.on('catch').map((m) => (m.error as { message?: string } | undefined)?.message)).toEqual([]);
      expect(collector.on('online')).toHaveLength(sent);
      const assumed = emu
        .sts!.log()
        .filter((e) => e.sessionName === session && !e.code)
        .map((e) => e.at);
      expect(assumed.length).toBeGreaterThanOrEqual(3);
      expect(assumed.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < assumed.length; i++) expect(assumed[i] - assumed[i - 1]).toBeGreaterThanOrEqual(2000);
      // The config dialog's Test: the runtime does the exchange and a signed request, and says so.
      const tested = (await (
        await fetch(`${host.url}/alicloud-mqtt-config/cfg-role/test`, { method: 'POST' })
      ).json()) as { ok: boolean; message: string };
      expect(tested).toMatchObject({
        ok: true,
        message: expect.stringContaining(`temporary credentials for ${ROLE} (assumed by ${AK}) obtained`),
      });
      expect(JSON.stringify(tested)).not.toContain(SECRET);
      expect(JSON.stringify(await host.flows())).not.toContain(SECRET);
      expect(host.logs.join('')).not.toContain(SECRET);
    } finally {
      emu.sts!.setTokenLifetime(undefined);
    }
  }, 120_000);
});
