import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_INSTANCE_ID } from '../../emulator';
import { mqttConnectOptions, OnsMqttClient } from '../../lib/internal';
import { connectMqtt, waitFor } from '../helpers/emulator';
import { n8nBin, n8nHost, node24, nodeRedHost, ROOT, type NodeRedHost } from './hosts';

/**
 * The first hour of a new user, as README and the docs tell it: `npm start` (the demo, on its fixed
 * ports: the examples and workflows carry its API endpoint, http://127.0.0.1:8090), then
 * - in the demo's Node-RED: a client the user connects appears (the push watch of the whole
 *   group), a ticket opens once and closes once per outage, and the debug sidebar gets tickets and
 *   incidents only;
 * - every Node-RED example imported into a fresh Node-RED with only the AccessKey Secret typed;
 *   before that, the provisioning example without it answers its HTTP caller with the error;
 * - every n8n workflow imported into real n8n with the credential the docs describe, run with
 *   `n8n execute` or activated, each ending without error, their tickets in the emulator's inbox.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { freePort } = require('../../scripts/lib/node-red-host.js') as { freePort: (p?: number) => Promise<number> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws') as typeof import('ws');

/** The demo's API port: the one every example and workflow carries. */
const API = 'http://127.0.0.1:8090';
const INBOX = `${API}/__emulator/inbox`;
const DEVICE_42 = 'GID_demo@@@device-42';
const api = new OnsMqttClient({
  accessKeyId: DEMO_ACCESS_KEY_ID,
  accessKeySecret: DEMO_ACCESS_KEY_SECRET,
  endpoint: API,
});

let demo: ChildProcess;
let out = '';
let ports: { mqtt: number; amqp: number; nodeRed: number };
let tarball: string;
let n8nTarball: string;

const waitForText = async (pattern: RegExp, timeoutMs: number, from = 0) => {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(out.slice(from))) {
    if (Date.now() > deadline)
      throw new Error(
        `the demo did not print ${pattern} within ${timeoutMs / 1000} s; it printed:\n${out.slice(-4000)}`,
      );
    if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}):\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  ports = { mqtt: await freePort(), amqp: await freePort(), nodeRed: await freePort() };
  // The API on its default port (the one the examples carry); the others wherever is free, as the
  // docs allow, so that a broker already on 1883 or 5672 on this machine does not matter.
  demo = spawn(process.execPath, [join(ROOT, 'scripts/demo.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DEMO_MQTT_PORT: String(ports.mqtt),
      DEMO_AMQP_PORT: String(ports.amqp),
      DEMO_NODE_RED_PORT: String(ports.nodeRed),
      // Two short gateway failures, then it stays up (no storm while the examples run).
      DEMO_GATEWAY_UP_MS: '10000',
      DEMO_GATEWAY_DOWN_MS: '10000',
      DEMO_GATEWAY_FAILURES: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitForText(/Press Ctrl-C to stop/, 180_000);
  tarball = nodeRedHost.packTarball();
  n8nTarball = nodeRedHost.packTarball('n8n');
}, 240_000);

afterAll(async () => {
  if (!demo || demo.exitCode !== null) return;
  const exited = new Promise((r) => demo.once('exit', r));
  demo.kill('SIGINT');
  const timer = setTimeout(() => demo.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}, 30_000);

/** What Node-RED's debug sidebar and node statuses receive (its editor's websocket, /comms). */
async function sidebar(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/comms`);
  const debug: Array<{ id: string; name?: string; msg: string }> = [];
  const status = new Map<string, { fill?: string; text?: string }>();
  ws.on('message', (data: Buffer) => {
    for (const { topic, data: d } of JSON.parse(data.toString()) as Array<{
      topic: string;
      data: Record<string, unknown>;
    }>) {
      if (topic === 'debug') debug.push(d as { id: string; name?: string; msg: string });
      else if (topic.startsWith('status/')) status.set(topic.slice(7), d);
    }
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ subscribe: 'debug' }));
  ws.send(JSON.stringify({ subscribe: 'status/#' }));
  return { debug, status, close: () => ws.close() };
}

const deviceLogin = (clientId: string) =>
  mqttConnectOptions({
    mode: 'Signature',
    clientId,
    instanceId: DEMO_INSTANCE_ID,
    accessKeyId: DEMO_ACCESS_KEY_ID,
    accessKeySecret: DEMO_ACCESS_KEY_SECRET,
  });
const mqttUrl = () => `mqtt://127.0.0.1:${ports.mqtt}`;
const end = (c: import('mqtt').MqttClient) => new Promise<void>((r) => c.end(false, {}, () => r()));
/** A check that asks a server: a quarter of a second between tries, not waitFor's 20 ms. */
const politely =
  <T>(check: () => Promise<T>) =>
  async (): Promise<T> => {
    await new Promise((r) => setTimeout(r, 250));
    return check();
  };

/** Device 42 asks for its login (POST {"clientId"}), as soon as the route is there (a fresh deploy or activation mounts it a moment later). */
async function askForLogin(url: string, timeoutMs: number): Promise<Response> {
  let answer: Response | undefined;
  await waitFor(
    async () =>
      (answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: DEVICE_42 }),
      })).status !== 404,
    timeoutMs,
    `the route ${url}`,
  );
  return answer!;
}

/** Device 42's current secret, as its device management would read it. */
const secretOf42 = async () =>
  (await api.getDeviceCredential({ clientId: DEVICE_42, instanceId: DEMO_INSTANCE_ID }))!.deviceAccessKeySecret;

/** Device 42 as a rotated device behaves: once its secret has changed, it connects with the new one. */
async function comesBackWithNewSecret(before: string, timeoutMs: number): Promise<import('mqtt').MqttClient> {
  let rotated: { deviceAccessKeyId: string; deviceAccessKeySecret: string } | null = null;
  await waitFor(
    politely(
      async () =>
        (rotated = await api.getDeviceCredential({ clientId: DEVICE_42, instanceId: DEMO_INSTANCE_ID }))!
          .deviceAccessKeySecret !== before,
    ),
    timeoutMs,
    'the new secret',
  );
  return connectMqtt(mqttUrl(), DEVICE_42, {
    ...mqttConnectOptions({ mode: 'DeviceCredential', clientId: DEVICE_42, instanceId: DEMO_INSTANCE_ID, ...rotated! }),
  });
}

describe('Node-RED', () => {
  it("the demo: the user's own client appears, a ticket opens once and closes once, the sidebar gets tickets and incidents only", async () => {
    const nodeRedUrl = `http://127.0.0.1:${ports.nodeRed}`;
    const bar = await sidebar(nodeRedUrl);
    const tickets = () =>
      bar.debug
        .filter((d) => d.name === 'tickets')
        .map((d) => JSON.parse(d.msg) as { ticket: string; action: string; device: string });
    const mine = 'GID_x@@@first-hour';
    const from = out.length;
    const client = await connectMqtt(mqttUrl(), mine, { ...deviceLogin(mine) });
    try {
      await waitForText(/PUSH GID_x@@@first-hour came online/, 30_000, from);
      // The devices drop every 20-45 s and come back 12-25 s later: a ticket that closed.
      await waitForText(/TICKET CLOSED T-\d+ GID_demo@@@\S+: back online/, 150_000, from);
      // The terminal line is written before the debug node passes the ticket to the sidebar.
      await waitFor(() => tickets().some((t) => t.action === 'CLOSED'), 10_000, 'the closed ticket in the sidebar');
    } finally {
      await end(client);
      bar.close();
    }
    // Per device: OPEN, CLOSED, OPEN, ... never two of a kind in a row, and each CLOSED closes the
    // ticket that was opened. (The demo ran before the sidebar was watched: a device's first
    // ticket seen may be the closing of one opened before.)
    const open = new Map<string, string>();
    const seen = new Set<string>();
    for (const t of tickets()) {
      if (t.action === 'OPEN') {
        expect({ device: t.device, alreadyOpen: open.get(t.device) }).toEqual({
          device: t.device,
          alreadyOpen: undefined,
        });
        open.set(t.device, t.ticket);
      } else if (seen.has(t.device)) {
        expect({ device: t.device, closes: t.ticket }).toEqual({ device: t.device, closes: open.get(t.device) });
        open.delete(t.device);
      }
      seen.add(t.device);
    }
    // The sidebar: tickets and incidents, never a message per device per check, and no error.
    // (The health debug node also gets flapping, alarm and budget messages: the demo's loose contact.)
    const quiet = ['tickets', 'incident, flapping, alarm, budget'];
    expect([...new Set(bar.debug.map((d) => d.name))].filter((n) => !quiet.includes(n ?? ''))).toEqual([]);
  }, 240_000);

  it('each example, imported into a fresh Node-RED with only the AccessKey Secret typed, ends without error; without it, the provisioning example answers its caller with the error', async () => {
    const examples = readdirSync(join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({
        file: f,
        flow: JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as Array<Record<string, unknown>>,
      }));
    // One account for all (the same config node id, as the editor reuses it on import), carrying
    // the demo's endpoint and AccessKey ID: the user types the secret only.
    const configs = examples.flatMap(({ flow }) => flow.filter((n) => n.type === 'alicloud-mqtt-config'));
    expect(new Set(configs.map((c) => c.id)).size).toBe(1);
    expect(
      configs.every(
        (c) => c.endpoint === API && (c.credentials as Record<string, string>).accessKeyId === DEMO_ACCESS_KEY_ID,
      ),
    ).toBe(true);
    const account = { ...configs[0], credentials: { ...(configs[0].credentials as object) } };
    const nodes = (flow: Array<Record<string, unknown>>) => flow.filter((n) => n.type !== 'alicloud-mqtt-config');
    const host: NodeRedHost = await nodeRedHost.startNodeRed({
      tarball,
      extraPackages: ['@flowfuse/node-red-dashboard@1.31.0'],
    });
    const bar = await sidebar(host.url);
    try {
      // Without the secret: POST /provision gets an answer with the error, it does not hang.
      const provisioning = examples.find((e) => e.file.startsWith('Provision'))!.flow;
      await host.deploy([account, ...nodes(provisioning)]);
      const answer = await askForLogin(`${host.url}/provision`, 15_000);
      expect(answer.status).toBe(500);
      expect(await answer.json()).toMatchObject({
        error: 'InvalidInput',
        message: expect.stringContaining('accessKeySecret'),
      });
      // ... and the error shows in the debug sidebar.
      await waitFor(
        () => bar.debug.some((d) => d.id === 'prfailed' && d.msg.includes('accessKeySecret')),
        10_000,
        'the error in the sidebar',
      );

      // The secret typed: every example at once, the account once.
      (account.credentials as Record<string, string>).accessKeySecret = DEMO_ACCESS_KEY_SECRET;
      const logStart = host.logs.length;
      bar.debug.length = 0;
      await host.deploy([account, ...examples.flatMap(({ flow }) => nodes(flow))]);
      const debugFrom = (...ids: string[]) => bar.debug.filter((d) => ids.includes(d.id));
      for (const id of ['ex1inj', 'ex2inj', 'ex3inj']) await host.inject(id);
      await waitFor(() => debugFrom('ex1on', 'ex1off').length === 1, 20_000, 'Check one device');
      await waitFor(() => debugFrom('ex3on', 'ex3off').length === 1, 20_000, 'Retry loop');
      // Three devices, each healthy or with an alert built from its trace.
      await waitFor(() => debugFrom('ex2ok', 'ex2out').length === 3, 30_000, 'Check a fleet');

      // Provisioning: the device asks, gets its login, connects with it, and receives its configuration.
      const res = await askForLogin(`${host.url}/provision`, 15_000);
      expect(res.status).toBe(200);
      const login = (await res.json()) as { clientId: string; username: string; password: string };
      let device = await connectMqtt(mqttUrl(), DEVICE_42, { username: login.username, password: login.password });
      await waitFor(() => debugFrom('prdone').length === 1, 30_000, 'the configuration sent');
      await end(device);

      // Rotation (after provisioning, as its notes say): the device comes back with its new secret.
      const before = await secretOf42();
      await host.inject('roinj');
      device = await comesBackWithNewSecret(before, 20_000);
      await waitFor(() => debugFrom('rodone').length === 1, 30_000, 'back with the new secret');
      await end(device);

      // The two watches took their first check without an error (their status says how many are online).
      await waitFor(
        () => ['ex4watch', 'fleet-dash-watch'].every((id) => /online/.test(bar.status.get(id)?.text ?? '')),
        30_000,
        'the watches',
      );
      expect((await fetch(`${host.url}/dashboard/fleet`)).status).toBe(200);

      // Nothing went wrong anywhere: no error logged, no ticket for a device that did connect, no failure output.
      expect(host.logs.slice(logStart).filter((l) => /\[error\]/.test(l))).toEqual([]);
      expect(debugFrom('ex2err', 'ex3fail', 'ex4err', 'fleet-dash-errors', 'prfailed', 'prtdbg', 'rotdbg')).toEqual([]);
    } finally {
      bar.close();
      await host.stop();
      host.cleanup();
    }
  }, 300_000);
});

describe('n8n', () => {
  it('each workflow, imported into n8n 2.40 with the credential the docs describe, ends without error; the tickets reach the inbox', async () => {
    const nodeBinary = node24();
    const n8n = await n8nHost.createN8n({ n8nBin: n8nBin('2.40.7', nodeBinary), nodeBinary, tarball: n8nTarball });
    const workflows = readdirSync(join(ROOT, 'workflows'))
      .filter((f) => f.endsWith('.json'))
      .map(
        (f) =>
          JSON.parse(readFileSync(join(ROOT, 'workflows', f), 'utf8')) as {
            id: string;
            name: string;
            nodes: Array<Record<string, unknown>>;
          },
      );
    const id = (file: string) => workflows.find((w) => w.id === file)!.id;
    await fetch(`${INBOX}`, { method: 'DELETE' });
    try {
      // docs/emulator.md: "Alibaba Cloud MQTT (emulator)", the demo AccessKey, Custom Endpoint http://127.0.0.1:8090.
      await n8n.importCredentials([
        {
          id: 'alicloudMqttDemo',
          name: 'Alibaba Cloud MQTT (emulator)',
          type: 'alibabaCloudMqttApi',
          data: {
            accessKeyId: DEMO_ACCESS_KEY_ID,
            accessKeySecret: DEMO_ACCESS_KEY_SECRET,
            region: 'cn-hangzhou',
            network: 'public',
            endpoint: API,
          },
        },
      ]);
      await n8n.importWorkflows(workflows);

      // The health check, from its manual trigger: every device healthy or a ticket in the inbox.
      const health = await n8n.execute(id('exHealthCheck001'));
      expect(health.run.data.resultData.error).toBeUndefined();
      const ran = (node: string) => (health.run.data.resultData.runData[node]?.[0]?.data?.main?.[0] ?? []).length;
      const tickets = (await (await fetch(INBOX)).json()) as Array<{ path: string; body: Record<string, unknown> }>;
      expect(ran('Healthy') + ran('Open ticket')).toBe(3);
      expect(tickets.filter((t) => t.path === 'tickets')).toHaveLength(ran('Open ticket'));

      // Provisioning (webhook) and the two fleet triggers, active in a running n8n.
      for (const w of ['exProvisionDevice1', 'exFleetSummary01', 'exFleetWatch0001']) await n8n.activate(id(w));
      const server = await n8n.start();
      try {
        const askedAt = Date.now() - 1000;
        const res = await askForLogin(`${server.url}/webhook/provision`, 30_000);
        expect(res.status).toBe(200);
        const login = (await res.json()) as { username: string; password: string };
        const device = await connectMqtt(mqttUrl(), DEVICE_42, { username: login.username, password: login.password });
        // The run goes on: it waits until the device is online, then sends it its configuration.
        // (The Node-RED run before sent it one too: only a configuration stamped after this request counts.)
        let configuredYet = false;
        device.on('message', (_topic, payload: Buffer) => {
          const sent = JSON.parse(payload.toString()) as { provisionedAt?: string };
          if (Date.parse(sent.provisionedAt ?? '') >= askedAt) configuredYet = true;
        });
        await device.subscribeAsync('devices/device-42/config');
        // The fleet summary posts one summary per poll, the first on activation.
        await waitFor(
          politely(async () =>
            ((await (await fetch(INBOX)).json()) as Array<{ path: string }>).some((t) => t.path === 'fleet/summary'),
          ),
          90_000,
          'the first summary',
        );
        await waitFor(
          politely(async () => configuredYet),
          60_000,
          'the configuration sent to the device',
        );

        await end(device);
      } finally {
        await server.stop();
      }

      // Rotation after provisioning, as its note says: the device comes back with its new secret.
      const before = await secretOf42();
      let device: import('mqtt').MqttClient | undefined;
      const comesBack = comesBackWithNewSecret(before, 90_000).then((d) => (device = d));
      const rotate = await n8n.execute(id('exRotateCredential1'));
      await comesBack;
      if (device) await end(device);
      expect(rotate.run.data.resultData.error).toBeUndefined();
      expect(rotate.run.data.resultData.runData.Rotated).toBeDefined();

      // Every execution of the active workflows ended in success (the CLI runs above were read from
      // their own run data).
      // (n8n 2.40 left the webhook run's record "running" for 30 s after its last node here:
      // it must not be an error; its outcome is the configuration the device received.)
      const executions = (await executionStatuses(n8n.userFolder, nodeBinary)).filter((e) => e.mode !== 'cli');
      expect(executions.filter((e) => e.workflowId === 'exProvisionDevice1')).toHaveLength(1);
      expect(executions.filter((e) => e.workflowId === 'exFleetSummary01').length).toBeGreaterThanOrEqual(1);
      expect(
        executions.filter(
          (e) => e.status !== 'success' && !(e.workflowId === 'exProvisionDevice1' && e.status === 'running'),
        ),
      ).toEqual([]);
    } finally {
      n8n.cleanup();
    }
  }, 420_000);
});

/** n8n's own record of its executions (its SQLite database, read with the sqlite3 n8n ships, on n8n's Node). */
function executionStatuses(
  userFolder: string,
  nodeBinary: string,
): Promise<Array<{ workflowId: string; status: string; mode: string }>> {
  const sqlite = join(n8nBin('2.40.7', nodeBinary), '..', '..', '..', 'sqlite3');
  const script = `const s=require(${JSON.stringify(sqlite)});const db=new s.Database(process.argv[1]);db.all('SELECT workflowId, status, mode FROM execution_entity',(e,r)=>{if(e)throw e;console.log(JSON.stringify(r));});`;
  return new Promise((resolve, reject) =>
    execFile(nodeBinary, ['-e', script, join(userFolder, '.n8n', 'database.sqlite')], (error, stdout, stderr) =>
      error
        ? reject(new Error(`${error.message}\n${stderr}`))
        : resolve(JSON.parse(stdout) as Array<{ workflowId: string; status: string; mode: string }>),
    ),
  );
}
