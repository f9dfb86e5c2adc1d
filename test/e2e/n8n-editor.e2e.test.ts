import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { n8nBin, n8nHost, node24, nodeRedHost, ROOT } from './hosts';

/**
 * Browser check of the n8n editor (n8n 2.40.7 on Node 24, the package installed from its tarball,
 * talking to the emulator): the owner signs up; the node creator finds the package by "Alibaba" and
 * the trigger lists its actions by their own names (not n8n's "On <option>"); a workflow executed
 * from the editor puts items on each output; each operation's parameter panel; the credential
 * dialog and its test (success, then a key without the permission, in words); a failed run's
 * message and hint; the trigger's panel. Screenshots go to test-artifacts/; no console error may
 * come from the package.
 */

const SECRET = 'editor-check-SECRET-7781';
const INSTANCE = 'post-cn-emulator01';
const NODE_TYPE = '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqtt';
const CRED = { alibabaCloudMqttApi: { id: 'credEditor0001', name: 'Emulator' } };
const node = (name: string, operation: string, clientId: string, y: number, options: Record<string, unknown> = {}) => ({
  id: `n-${name.replace(/\W/g, '')}`,
  name,
  type: NODE_TYPE,
  typeVersion: 1,
  position: [480, y],
  parameters: { resource: 'deviceSession', operation, clientId, instanceId: INSTANCE, options },
  credentials: CRED,
});
const start = {
  id: 'n-start',
  name: 'Start',
  type: 'n8n-nodes-base.manualTrigger',
  typeVersion: 1,
  position: [0, 200],
  parameters: {},
};
/** Start -> two devices (one online, one offline) -> each operation. */
const OPERATIONS_WORKFLOW = {
  id: 'wfEditorOps001',
  name: 'Each operation',
  active: false,
  settings: { executionOrder: 'v1' },
  connections: {
    Start: { main: [[{ node: 'Devices', type: 'main', index: 0 }]] },
    Devices: {
      main: [
        [
          { node: 'Get Status', type: 'main', index: 0 },
          { node: 'Get Many Statuses', type: 'main', index: 0 },
          { node: 'Get Connection Trace', type: 'main', index: 0 },
        ],
      ],
    },
  },
  nodes: [
    start,
    {
      id: 'n-devices',
      name: 'Devices',
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      position: [220, 200],
      parameters: { jsCode: "return [{ json: { clientId: 'GID_ui@@@on' } }, { json: { clientId: 'GID_ui@@@off' } }];" },
    },
    node('Get Status', 'getStatus', '={{ $json.clientId }}', 0),
    node('Get Many Statuses', 'getManyStatuses', '={{ $json.clientId }}', 200),
    node('Get Connection Trace', 'getConnectionTrace', '={{ $json.clientId }}', 400),
  ],
};
/** One device, one failing node. */
const failing = (id: string, clientId: string, options: Record<string, unknown> = {}) => ({
  id,
  name: id,
  active: false,
  settings: { executionOrder: 'v1' },
  connections: { Start: { main: [[{ node: 'Get Status', type: 'main', index: 0 }]] } },
  nodes: [start, node('Get Status', 'getStatus', clientId, 200, options)],
});
const TRIGGER_WORKFLOW = {
  id: 'wfEditorTrig01',
  name: 'Trigger panel',
  active: false,
  settings: { executionOrder: 'v1' },
  connections: {},
  nodes: [
    {
      id: 'n-watch',
      name: 'Watch',
      type: '@mqtt-ops/n8n-nodes-alicloud-mqtt.alibabaCloudMqttTrigger',
      typeVersion: 1,
      position: [0, 0],
      parameters: {
        pollTimes: { item: [{ mode: 'everyMinute' }] },
        instanceId: INSTANCE,
        clientIds: 'GID_ui@@@on',
        mode: 'exact',
        events: ['offline', 'online'],
        options: {},
      },
      credentials: CRED,
    },
  ],
};

const ARTIFACTS = join(ROOT, 'test-artifacts');
const OWNER = { email: 'ops@example.com', firstName: 'Ops', lastName: 'Team', password: 'Editor-check-Passw0rd' };
let browser: Browser;
let page: Page;
let stop: (() => Promise<void>) | undefined;
let serverUrl = '';
let serverLogs: string[] = [];
let emu: RunningEmulator;
let cleanup: (() => void) | undefined;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), 'ensure_chromium'], {
    encoding: 'utf8',
  }).trim();
  emu = await startEmulator({
    mqttPort: false,
    accessKeys: [{ accessKeyId: 'LTAI5tEditorUi', accessKeySecret: SECRET }],
  });
  const n8n = await n8nHost.createN8n({
    n8nBin: n8nBin('2.40.7', node24()),
    nodeBinary: node24(),
    tarball: nodeRedHost.packTarball('n8n'),
  });
  cleanup = () => n8n.cleanup();
  await n8n.importCredentials([
    {
      ...CRED.alibabaCloudMqttApi,
      type: 'alibabaCloudMqttApi',
      data: {
        accessKeyId: 'LTAI5tEditorUi',
        accessKeySecret: SECRET,
        useSts: false,
        region: 'cn-hangzhou',
        network: 'public',
        endpoint: emu.endpoint,
      },
    },
  ]);
  await n8n.importWorkflows([
    OPERATIONS_WORKFLOW,
    failing('wfEditorDenied', 'GID_ui@@@denied'),
    failing('wfEditorFlaky1', 'GID_ui@@@flaky', { maxAttempts: 2 }),
    TRIGGER_WORKFLOW,
  ]);
  const server = await n8n.start();
  stop = () => server.stop();
  serverUrl = server.url;
  serverLogs = server.logs;
  // /healthz answers before the REST API and the editor are ready.
  for (let i = 0; ; i++) {
    const res = await fetch(`${server.url}/rest/settings`).catch(() => undefined);
    if (res?.ok && (res.headers.get('content-type') ?? '').includes('json')) break;
    if (i > 180) throw new Error('n8n did not become ready');
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(`${server.url}/signin`);
  await page.waitForSelector('input[name=password]', { timeout: 60_000 });
  for (const [name, value] of Object.entries(OWNER)) await page.fill(`input[name=${name}]`, value);
  await page.click('[data-test-id=form-submit-button]');
  await page.waitForURL((url) => !/\/(setup|signin)/.test(url.pathname), { timeout: 60_000 });
  await page.goto(`${server.url}/workflow/new`);
  await page.waitForSelector('[data-test-id=canvas-plus-button]', { timeout: 60_000 });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stop?.();
  cleanup?.();
  await emu?.stop();
});

beforeEach(() => {
  emu.reset();
  emu.setDeviceOnline('GID_ui@@@on', true);
  emu.setFaults({
    errors: [
      { code: 'PermissionCheckFailed', clientId: 'GID_ui@@@denied' },
      { code: 'InternalError', clientId: 'GID_ui@@@flaky' },
    ],
  });
});

async function openWorkflow(id: string): Promise<void> {
  await page.goto(`${serverUrl}/workflow/${id}`);
  await page.waitForSelector('[data-test-id=canvas-node]', { timeout: 60_000 });
}

async function openNode(name: string): Promise<void> {
  await page.dblclick(`[data-test-id=canvas-node]:has-text("${name}")`);
  await page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]');
}

async function closeNode(): Promise<void> {
  await page.click('[data-test-id=ndv-close-button]');
  await page.waitForSelector('[data-test-id=ndv]', { state: 'hidden' });
}

const packageErrors = () => consoleErrors.filter((e) => /alibaba|alicloud|mqtt-ops/i.test(e));

it('the node creator finds the package by "Alibaba"; the trigger lists its actions by their own names', async () => {
  await page.click('[data-test-id=canvas-plus-button]');
  await page.waitForSelector('[data-test-id=node-creator-search-bar]');
  await page.keyboard.type('Alibaba');
  await page.waitForSelector('[data-test-id=node-creator-item-name]:has-text("Alibaba Cloud MQTT")');
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-node-creator-search.png') });
  await page.locator('[data-test-id=node-creator-item-name]', { hasText: 'Alibaba Cloud MQTT' }).first().click();
  // The search results use the same test ids: wait for the trigger's own actions to appear.
  await page.waitForSelector('[data-test-id=node-creator-item-name]:has-text("When a device goes offline")');
  const actions = await page.$$eval('[data-test-id=node-creator-item-name]', (els) =>
    els.map((e) => (e.textContent ?? '').trim()),
  );
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-trigger-actions.png') });
  expect(actions).toEqual(expect.arrayContaining(['When a device goes offline', 'When a device comes back online']));
  expect(actions.some((a) => /^On /.test(a))).toBe(false);
  expect(packageErrors()).toEqual([]);
}, 120_000);

it('a workflow executed from the editor: items on each output; the parameter panel of each operation', async () => {
  await openWorkflow('wfEditorOps001');
  await page.click('[data-test-id=execute-workflow-button]');
  await page.waitForSelector(
    '[data-test-id=canvas-node]:has-text("Get Connection Trace") [data-test-id=canvas-node-status-success]',
    { timeout: 60_000 },
  );
  // The output handles read "<output name><n> item(s)": one device online, one offline, for both status operations.
  // The canvas draws the item counts after the last node's success mark, in a later frame (a busy
  // machine makes that seconds): wait until the handles carry their counts, then read them.
  await page
    .waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-test-id=canvas-node-output-handle]')).filter((e) =>
          /^(Online|Offline)\d/.test((e.textContent ?? '').trim()),
        ).length >= 4,
      null,
      { timeout: 30_000 },
    )
    .catch(() => undefined); // the assertions below say what was there instead
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-executed-workflow.png') });
  const handles = await page.$$eval('[data-test-id=canvas-node-output-handle]', (els) =>
    els.map((e) => (e.textContent ?? '').trim()).filter((t) => t !== ''),
  );
  expect(handles.filter((h) => h === 'Online1 item')).toHaveLength(2);
  expect(handles.filter((h) => h === 'Offline1 item')).toHaveLength(2);
  expect(handles.some((h) => /^Events/.test(h))).toBe(true);

  const expected: Record<string, string[]> = {
    'Get Status': ['clientId', 'instanceId', 'routeErrors'],
    'Get Many Statuses': ['clientId', 'instanceId', 'routeErrors'],
    'Get Connection Trace': ['clientId', 'instanceId', 'from', 'to', 'returnAll', 'limit'],
  };
  for (const [name, parameters] of Object.entries(expected)) {
    await openNode(name);
    const inputs = await page.$$eval('[data-test-id=node-parameters] [data-test-id^=parameter-input-]', (els) =>
      els.map((e) => e.getAttribute('data-test-id')),
    );
    for (const parameter of parameters) expect(inputs).toContain(`parameter-input-${parameter}`);
    if (name === 'Get Status') {
      // The output panel offers one tab per output, with its item count.
      const tabs = await page.$$eval('[data-test-id=branches] [data-test-id^=tab-]', (els) =>
        els.map((e) => (e.textContent ?? '').trim()),
      );
      expect(tabs).toEqual(['Online Branch (1 item)', 'Offline Branch (1 item)']);
    }
    await page.screenshot({ path: join(ARTIFACTS, `n8n-panel-${name.toLowerCase().replace(/ /g, '-')}.png`) });
    await closeNode();
  }
  expect(packageErrors()).toEqual([]);
}, 180_000);

it('the credential dialog: its test passes, then says in words that the key lacks the permission; regions end with "Custom Region ID"', async () => {
  await openWorkflow('wfEditorOps001');
  await openNode('Get Status');
  await page.click('[data-test-id=credential-edit-button]');
  await page.waitForSelector('[data-test-id=credentials-config-container-test-success]', { timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-credential-tested.png') });
  // The same key loses its RAM permission: the test says what to grant.
  emu.setFaults({ errors: [{ code: 'PermissionCheckFailed' }] });
  await page.click('[data-test-id=credential-edit-dialog] button:has-text("Retry")');
  // n8n shows "Couldn't connect with these settings"; our message is behind "More details".
  await page.click('[data-test-id=credential-edit-dialog] :text("More details")', { timeout: 30_000 });
  const failure = page.locator('[data-test-id=credential-edit-dialog] :text("may not call ApsaraMQ for MQTT")');
  await failure.waitFor({ timeout: 30_000 });
  expect(await failure.textContent()).toContain('grant it mq:MqttInstanceAccess');
  expect(await page.isVisible('[data-test-id=credentials-config-container-test-success]')).toBe(false);
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-credential-no-permission.png') });
  await page.click('[data-test-id=parameter-input-region]');
  const regions = await page.$$eval('[data-test-id=parameter-input-item]', (els) =>
    els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e.textContent ?? '').trim()),
  );
  expect(regions.at(-1)).toBe('Custom Region ID');
  expect(regions).toContain('China (Hangzhou)');
  // The Authentication choice: a RAM role shows its fields, the Security Token goes away.
  await page.click('[data-test-id=parameter-input-authentication]');
  await page.click('[data-test-id=parameter-input-item]:visible:has-text("RAM Role (AssumeRole)")');
  await page.waitForSelector('[data-test-id=parameter-input-roleArn]', { timeout: 15_000 });
  for (const field of [
    'accessKeyId',
    'accessKeySecret',
    'roleSessionName',
    'durationSeconds',
    'externalId',
    'stsEndpoint',
  ]) {
    expect(await page.isVisible(`[data-test-id=parameter-input-${field}]`)).toBe(true);
  }
  expect(await page.isVisible('[data-test-id=parameter-input-securityToken]')).toBe(false);
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-credential-ram-role.png') });
  const html = await page.content();
  expect(html).not.toContain(SECRET);
  expect(packageErrors()).toEqual([]);
}, 180_000);

it('a failed run: the message says what happened, the hint (region and instance filled in) comes once; a transient fault says what was tried', async () => {
  await openWorkflow('wfEditorDenied');
  await page.click('[data-test-id=execute-workflow-button]');
  await page.waitForSelector(
    '[data-test-id=canvas-node-status-mark-error], [data-test-id=canvas-node] [class*=error]',
    { timeout: 60_000 },
  );
  await openNode('Get Status');
  const message = (await page.textContent('[data-test-id=node-error-message]')) ?? '';
  const description = (await page.textContent('[data-test-id=node-error-description]')) ?? '';
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-error-permission.png') });
  expect(message).toMatch(/^PermissionCheckFailed: .*\(request id [0-9A-F-]{36}\)\.$/);
  expect(message).not.toContain('grant');
  expect(description).toContain(`acs:mq:cn-hangzhou:*:${INSTANCE}`);
  expect(description).not.toContain('{');
  await closeNode();

  await openWorkflow('wfEditorFlaky1');
  await page.click('[data-test-id=execute-workflow-button]');
  await page.waitForSelector(
    '[data-test-id=canvas-node-status-mark-error], [data-test-id=canvas-node] [class*=error]',
    { timeout: 60_000 },
  );
  await openNode('Get Status');
  const flaky = (await page.textContent('[data-test-id=node-error-description]')) ?? '';
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-error-transient.png') });
  expect(flaky).toMatch(/^Gave up after 2 attempts\. The service had an internal fault/);
  expect(flaky).not.toMatch(/usually passes/i);
  expect(packageErrors()).toEqual([]);
}, 180_000);

it("the trigger's panel: every field label shows whole", async () => {
  await openWorkflow('wfEditorTrig01');
  await openNode('Watch');
  const labels = await page.$$eval('[data-test-id=node-parameters] [data-test-id=parameter-item] label', (els) =>
    els.map((e) => ({ text: (e.textContent ?? '').trim(), cut: e.scrollWidth > e.clientWidth + 1 })),
  );
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-panel-trigger.png') });
  expect(labels.map((l) => l.text).join('|')).toContain('Report Offline at Start');
  expect(labels.filter((l) => l.cut)).toEqual([]);
  expect(serverLogs.join('')).not.toContain(SECRET);
  expect(packageErrors()).toEqual([]);
}, 120_000);
