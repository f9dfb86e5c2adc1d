import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { nodeRed4Dir, nodeRedHost, ROOT, type NodeRedHost } from './hosts';

/**
 * Browser check: headless Chromium (Debian's package) opens the Node-RED editor with the package
 * installed; the nodes are in the palette, their edit dialogs render with their fields, the help
 * shows in the sidebar (in English and Chinese), and no console error comes from our nodes.
 * Screenshots go to test-artifacts/.
 */
const ARTIFACTS = join(ROOT, 'test-artifacts');
const TYPES = ['alicloud-mqtt-session', 'alicloud-mqtt-trace', 'alicloud-mqtt-watch'];
let host: NodeRedHost;
let browser: Browser;
let emu: RunningEmulator;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  emu = await startEmulator({ mqttPort: false });
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), 'ensure_chromium'], {
    encoding: 'utf8',
  }).trim();
  host = await nodeRedHost.startNodeRed({ tarball: nodeRedHost.packTarball(), nodeRedDir: nodeRed4Dir() });
  await host.deploy([
    { id: 'tab', type: 'tab', label: 'editor check' },
    { id: 'cfg', type: 'alicloud-mqtt-config', name: 'emulator', endpoint: 'http://127.0.0.1:8090' },
    {
      id: 'n-session',
      type: 'alicloud-mqtt-session',
      z: 'tab',
      config: 'cfg',
      clientId: 'payload',
      clientIdType: 'msg',
      instanceId: 'post-cn-x',
      instanceIdType: 'str',
      mode: 'exact',
      property: 'payload',
      routeErrors: false,
      outputs: 2,
      x: 200,
      y: 100,
      wires: [[], []],
    },
    {
      id: 'n-trace',
      type: 'alicloud-mqtt-trace',
      z: 'tab',
      config: 'cfg',
      clientId: 'payload',
      clientIdType: 'msg',
      instanceId: 'post-cn-x',
      instanceIdType: 'str',
      minutes: 60,
      limit: 100,
      property: 'payload',
      x: 200,
      y: 200,
      wires: [[]],
    },
    {
      id: 'n-watch',
      type: 'alicloud-mqtt-watch',
      z: 'tab',
      config: 'cfg',
      instanceId: 'post-cn-x',
      clientIds: 'GID_a@@@1',
      interval: 0,
      x: 200,
      y: 300,
      wires: [[], []],
    },
  ]);
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  host?.cleanup();
  await emu?.stop();
});

async function openEditor(locale: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(host.url);
  await page.waitForSelector('.red-ui-palette-node[data-palette-type="alicloud-mqtt-session"]', { timeout: 60_000 });
  await page.waitForFunction(
    () => (window as unknown as { RED?: { nodes?: { node(id: string): unknown } } }).RED?.nodes?.node('n-session'),
    null,
    {
      timeout: 30_000,
    },
  );
  return { page, errors };
}

/** A flow as 0.1.0 saved it, written out by hand: no Authentication, no newer options, 0.1 option names. */
const FLOW_SAVED_BY_0_1_0 = [
  { id: 'old-tab', type: 'tab', label: 'saved by 0.1.0' },
  {
    id: 'old-cfg',
    type: 'alicloud-mqtt-config',
    name: 'production',
    region: 'cn-shanghai',
    network: 'public',
    endpoint: '',
  },
  {
    id: 'old-session',
    type: 'alicloud-mqtt-session',
    z: 'old-tab',
    name: 'check',
    config: 'old-cfg',
    clientId: 'payload',
    clientIdType: 'msg',
    instanceId: 'post-cn-old',
    instanceIdType: 'str',
    mode: 'exact',
    property: 'payload',
    routeErrors: true,
    outputs: 4,
    timeout: '',
    attempts: '3',
    maxQps: '100',
    concurrency: '',
    x: 300,
    y: 100,
    wires: [[], [], [], []],
  },
  {
    id: 'old-trace',
    type: 'alicloud-mqtt-trace',
    z: 'old-tab',
    name: '',
    config: 'old-cfg',
    clientId: 'payload',
    clientIdType: 'msg',
    instanceId: 'post-cn-old',
    instanceIdType: 'str',
    minutes: 60,
    limit: 100,
    property: 'payload',
    x: 300,
    y: 200,
    wires: [[]],
  },
];

const ours = (errors: string[]) => errors.filter((e) => /alicloud|mqtt/i.test(e));

describe('Node-RED editor in headless Chromium', () => {
  it('shows the nodes in the palette, renders each edit dialog with its fields, and the help', async () => {
    const { page, errors } = await openEditor('en-US');
    for (const type of TYPES)
      expect(await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'editor-palette.png') });

    const dialogs: Array<[string, string, string[]]> = [
      [
        'n-session',
        'alicloud-mqtt-session',
        [
          '#node-input-config',
          '#node-input-clientId',
          '#node-input-instanceId',
          '#node-input-mode',
          '#node-input-routeErrors',
        ],
      ],
      ['n-trace', 'alicloud-mqtt-trace', ['#node-input-clientId', '#node-input-minutes', '#node-input-limit']],
      [
        'n-watch',
        'alicloud-mqtt-watch',
        ['#node-input-clientIds', '#node-input-interval', '#node-input-offlineMinutes', '#node-input-reportInitial'],
      ],
    ];
    for (const [id, type, fields] of dialogs) {
      await page.evaluate((nodeId) => {
        const RED = (
          window as unknown as { RED: { editor: { edit(n: unknown): void }; nodes: { node(id: string): unknown } } }
        ).RED;
        RED.editor.edit(RED.nodes.node(nodeId));
      }, id);
      await page.waitForSelector('.red-ui-tray #node-input-name', { timeout: 15_000 });
      for (const f of fields) expect(await page.locator(`.red-ui-tray ${f}`).count()).toBe(1);
      // Labels are translated (not raw i18n keys).
      const labels = await page.locator('.red-ui-tray .form-row label').allInnerTexts();
      expect(labels.join(' ')).not.toMatch(/alicloud-mqtt-\w+\.label/);
      await page.screenshot({ path: join(ARTIFACTS, `editor-dialog-${type}.png`) });
      await page.evaluate(() => (window as unknown as { RED: { tray: { close(): void } } }).RED.tray.close());
      await page.waitForSelector('.red-ui-tray #node-input-name', { state: 'detached', timeout: 15_000 });

      await page.evaluate(
        (t) =>
          (window as unknown as { RED: { sidebar: { help: { show(t: string): void } } } }).RED.sidebar.help.show(t),
        type,
      );
      await page.waitForFunction(
        () => document.querySelector('.red-ui-sidebar-help-stack')?.textContent?.includes('Outputs') ?? false,
        null,
        {
          timeout: 15_000,
        },
      );
    }
    await page.screenshot({ path: join(ARTIFACTS, 'editor-help.png') });
    expect(ours(errors)).toEqual([]);
  }, 120_000);

  it('the config dialog: credentials as password fields, and each Authentication shows only its own fields', async () => {
    const { page, errors } = await openEditor('en-US');
    await page.evaluate(() => {
      const RED = (window as unknown as { RED: { editor: { editConfig(a: string, t: string, id: string): void } } })
        .RED;
      RED.editor.editConfig('', 'alicloud-mqtt-config', 'cfg');
    });
    await page.waitForSelector('#node-config-input-accessKeySecret', { timeout: 15_000 });
    expect(await page.getAttribute('#node-config-input-accessKeySecret', 'type')).toBe('password');
    await page.selectOption('#node-config-input-authentication', 'stsToken');
    expect(await page.getAttribute('#node-config-input-securityToken', 'type')).toBe('password');
    await page.screenshot({ path: join(ARTIFACTS, 'editor-config.png') });
    // The Authentication choice shows only its own fields.
    const visible = (id: string) => page.isVisible(`#node-config-input-${id}`);
    expect(await visible('securityToken')).toBe(true);
    expect(await visible('roleArn')).toBe(false);
    await page.selectOption('#node-config-input-authentication', 'ramRole');
    for (const id of [
      'accessKeyId',
      'accessKeySecret',
      'roleArn',
      'roleSessionName',
      'durationSeconds',
      'externalId',
      'policy',
      'stsEndpoint',
    ])
      expect(await visible(id)).toBe(true);
    for (const id of ['securityToken', 'oidcProviderArn', 'roleName', 'credentialsUri'])
      expect(await visible(id)).toBe(false);
    expect(await page.isVisible('#alicloud-mqtt-config-ambient')).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'editor-config-ram-role.png') });
    await page.selectOption('#node-config-input-authentication', 'ecsRamRole');
    expect(await visible('accessKeySecret')).toBe(false);
    expect(await visible('roleName')).toBe(true);
    expect(await page.textContent('#alicloud-mqtt-config-ambient')).toContain(
      'ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'editor-config-ecs-role.png') });
    // A tab switches on a click whose mousedown its tab saw; one landing while the dialog still
    // settles can be missed, so it is clicked again (a bounded number of times) until it shows.
    const openTab = async (tab: string, field: string) => {
      for (let attempt = 0; attempt < 10 && !(await visible(field)); attempt++) {
        await page.click(`a[href="#alicloud-mqtt-config-tab-${tab}"]`);
        await page
          .waitForSelector(`#node-config-input-${field}`, { state: 'visible', timeout: 1_000 })
          .catch(() => undefined);
      }
      expect(await visible(field)).toBe(true);
    };
    // Tabs: connection first; the shared limit and the proxy apart, each field in its own tab.
    expect(
      await page.$$eval('#alicloud-mqtt-config-tabs li', (tabs) => tabs.map((t) => t.textContent?.trim())),
    ).toEqual(['Connection', 'Shared limit', 'Proxy']);
    expect([await visible('sharedLimitUrl'), await visible('proxyUrl')]).toEqual([false, false]);
    await openTab('sharedLimit', 'sharedLimitUrl');
    expect([
      await visible('sharedLimitUrl'),
      await visible('egressId'),
      await visible('roleName'),
      await visible('proxyUrl'),
    ]).toEqual([true, true, false, false]);
    await openTab('proxy', 'proxyUrl');
    expect([await visible('proxyUrl'), await visible('proxyPassword'), await visible('sharedLimitUrl')]).toEqual([
      true,
      true,
      false,
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'editor-config-proxy-tab.png') });
    await openTab('connection', 'authentication');
    // "Test" asks the runtime about the configuration the dialog shows: here a machine identity, which this Node-RED does not allow.
    await page.click('#alicloud-mqtt-config-test');
    await page.waitForFunction(
      () => (document.querySelector('#alicloud-mqtt-config-test-result')?.textContent ?? '').startsWith('✗'),
      null,
      {
        timeout: 15_000,
      },
    );
    expect(await page.textContent('#alicloud-mqtt-config-test-result')).toContain(
      'ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true',
    );
    // "Test" checks what the dialog shows, not deployed: with AccessKey and nothing typed, what is missing ...
    const testResult = async () => {
      await page.evaluate(() => (document.querySelector('#alicloud-mqtt-config-test-result')!.textContent = ''));
      await page.click('#alicloud-mqtt-config-test');
      await page.waitForFunction(
        () => /^[✓✗]/.test(document.querySelector('#alicloud-mqtt-config-test-result')?.textContent ?? ''),
        null,
        { timeout: 15_000 },
      );
      return page.textContent('#alicloud-mqtt-config-test-result');
    };
    await page.selectOption('#node-config-input-authentication', 'accessKey');
    expect(await testResult()).toContain('accessKeyId: is missing in Alibaba Cloud MQTT config');
    // ... and the AccessKey and endpoint typed (not deployed) are the ones tested.
    await page.fill('#node-config-input-endpoint', emu.endpoint);
    await page.fill('#node-config-input-accessKeyId', emu.accessKeyId);
    await page.fill('#node-config-input-accessKeySecret', emu.accessKeySecret);
    expect(await testResult()).toMatch(/^✓/);
    await page.screenshot({ path: join(ARTIFACTS, 'editor-config-test.png') });
    // The dialog is titled with the node's name, not its raw type.
    expect(await page.locator('.red-ui-tray-titlebar').first().innerText()).toContain('Alibaba Cloud MQTT account');
    expect(ours(errors)).toEqual([]);
  }, 60_000);

  it('no blank select or field where the runtime applies a value: every node of the demo, of each example and of a flow saved by 0.1.0, as deployed', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the demo's flow is plain JavaScript
    const { demoFlow } = require('../../scripts/lib/demo-flow.js') as {
      demoFlow: (o: Record<string, unknown>) => Array<{ id: string }>;
    };
    const flows: unknown[][] = [
      demoFlow({
        endpoint: 'http://127.0.0.1:8090',
        accessKeyId: 'id',
        accessKeySecret: 'secret',
        instanceId: 'post-cn-demo',
        clientIds: ['GID_demo@@@1'],
        pushEndpoint: 'amqp://127.0.0.1:5672',
      }),
      ...readdirSync(join(ROOT, 'examples'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as unknown[]),
      FLOW_SAVED_BY_0_1_0,
    ];
    // Deployed to the runtime, as the demo deploys its flow and as a saved flow loads: the editor
    // then shows the nodes as they are, with no default applied (an editor import would apply them).
    // The dashboard's types are not installed here; the account the examples share is deployed once.
    const original = (await host.flows()) as Array<{ id: string }>;
    const seen = new Set(original.map((n) => n.id));
    const added = flows.flat().filter((n) => {
      const node = n as { id: string; type: string };
      if (node.type.startsWith('ui-') || seen.has(node.id)) return false;
      seen.add(node.id);
      return true;
    });
    await host.deploy([...original, ...added]);
    const { page, errors } = await openEditor('en-US');
    type EditorApi = {
      nodes: { node(id: string): unknown };
      editor: { edit(n: unknown): void; editConfig(a: string, t: string, id: string): void };
      tray: { close(): void };
    };
    const ids = (added as Array<{ id: string; type: string }>)
      .filter((n) => n.type.startsWith('alicloud-mqtt-'))
      .map((n): [string, string, boolean] => [n.id, n.type, n.type === 'alicloud-mqtt-config']);
    expect(ids.length).toBeGreaterThanOrEqual(15);
    const blanks: string[] = [];
    for (const [id, type, config] of ids) {
      await page.evaluate(
        ([nodeId, nodeType, isConfig]) => {
          const RED = (window as unknown as { RED: EditorApi }).RED;
          if (isConfig) RED.editor.editConfig('', nodeType, nodeId);
          else RED.editor.edit(RED.nodes.node(nodeId));
        },
        [id, type, config] as const,
      );
      const prefix = config ? 'node-config-input-' : 'node-input-';
      await page.waitForSelector(`.red-ui-tray #${prefix}name`, { timeout: 15_000 });
      const found = await page.evaluate(
        ([nodeType, fieldPrefix]) => {
          const RED = (
            window as unknown as {
              RED: { nodes: { getType(t: string): { defaults: Record<string, { value: unknown }> } } };
            }
          ).RED;
          const defaults = RED.nodes.getType(nodeType).defaults;
          const blank: string[] = [];
          // Ours only: Node-RED's own config scope select is "" for "on all flows".
          for (const select of Array.from(document.querySelectorAll<HTMLSelectElement>('.red-ui-tray select')))
            if (!select.value && select.id.startsWith(fieldPrefix)) blank.push(select.id);
          for (const [key, d] of Object.entries(defaults)) {
            const field = document.querySelector<HTMLInputElement>(
              `.red-ui-tray input#${fieldPrefix}${key}[type=text]`,
            );
            if (field && d.value !== '' && d.value !== undefined && key !== 'config' && field.value === '')
              blank.push(field.id);
          }
          return blank;
        },
        [type, prefix] as const,
      );
      blanks.push(...found.map((f) => `${type} ${id}: ${f}`));
      await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.tray.close());
      await page.waitForSelector(`.red-ui-tray #${prefix}name`, { state: 'detached', timeout: 15_000 });
    }
    await host.deploy(original);
    expect(blanks).toEqual([]);
    expect(ours(errors)).toEqual([]);
  }, 240_000);

  it('marks every node valid: the demo flow, each example flow, and a flow saved by 0.1.0', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the demo's flow is plain JavaScript
    const { demoFlow } = require('../../scripts/lib/demo-flow.js') as {
      demoFlow: (o: Record<string, unknown>) => unknown[];
    };
    const flows: Array<[string, unknown[]]> = [
      [
        'demo',
        demoFlow({
          endpoint: 'http://127.0.0.1:8090',
          accessKeyId: 'id',
          accessKeySecret: 'secret',
          instanceId: 'post-cn-demo',
          clientIds: ['GID_demo@@@1'],
        }),
      ],
      ...readdirSync(join(ROOT, 'examples'))
        .filter((f) => f.endsWith('.json'))
        .map((f): [string, unknown[]] => [f, JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as unknown[]]),
      ['saved by 0.1.0', FLOW_SAVED_BY_0_1_0],
    ];
    expect(flows.length).toBeGreaterThanOrEqual(9);
    const { page, errors } = await openEditor('en-US');
    const invalid: string[] = [];
    let checked = 0;
    for (const [name, flow] of flows) {
      const found = await page.evaluate((nodes) => {
        type EditorNode = { id: string; type: string; name?: string; valid?: boolean; validationErrors?: string[] };
        const RED = (
          window as unknown as {
            RED: {
              nodes: {
                eachNode(f: (n: EditorNode) => void): void;
                eachConfig(f: (n: EditorNode) => void): void;
                getType(t: string): unknown;
              };
              view: { importNodes(n: unknown, o: Record<string, unknown>): void };
            };
          }
        ).RED;
        const all = () => {
          const list: EditorNode[] = [];
          RED.nodes.eachNode((n) => void list.push(n));
          RED.nodes.eachConfig((n) => void list.push(n));
          return list;
        };
        const before = new Set(all().map((n) => n.id));
        RED.view.importNodes(nodes, { generateIds: true, addFlow: true });
        // Types of other packages (the dashboard's, in one example) are not installed here: not ours to judge.
        const added = all().filter((n) => !before.has(n.id) && RED.nodes.getType(n.type));
        return {
          count: added.length,
          invalid: added
            .filter((n) => n.valid === false || (n.validationErrors ?? []).length > 0)
            .map((n) => `${n.type} "${n.name ?? ''}": ${(n.validationErrors ?? []).join(', ') || 'invalid'}`),
        };
      }, flow);
      checked += found.count;
      expect(found.count).toBeGreaterThan(0);
      invalid.push(...found.invalid.map((i) => `${name}: ${i}`));
    }
    await page.screenshot({ path: join(ARTIFACTS, 'editor-imported-flows.png') });
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(50);
    expect(ours(errors)).toEqual([]);
  }, 120_000);

  it('help and labels in Chinese for a zh-CN browser', async () => {
    const { page, errors } = await openEditor('zh-CN');
    await page.evaluate(() =>
      (window as unknown as { RED: { sidebar: { help: { show(t: string): void } } } }).RED.sidebar.help.show(
        'alicloud-mqtt-session',
      ),
    );
    await page.waitForFunction(
      () => document.querySelector('.red-ui-sidebar-help-stack')?.textContent?.includes('输出') ?? false,
      null,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'editor-help-zh-CN.png') });
    expect(ours(errors)).toEqual([]);
  }, 60_000);
});
