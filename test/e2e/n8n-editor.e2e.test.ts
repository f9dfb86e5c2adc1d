import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { n8nBin, node24, nodeRedHost, ROOT } from './hosts';

/**
 * Browser check of the n8n editor (n8n 2.40.7 on Node 24, the package installed from its tarball):
 * the owner signs up, the node creator finds the package by "Alibaba", and the trigger lists its
 * actions by their own names (not n8n's "On <option>"). Screenshots go to test-artifacts/; no
 * console error may come from the package.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createN8n } = require('../../scripts/lib/n8n-host.js') as {
  createN8n: (o: { n8nBin: string; nodeBinary: string; tarball: string }) => Promise<{
    start(): Promise<{ url: string; logs: string[]; stop: () => Promise<void> }>;
    cleanup(): void;
  }>;
};

const ARTIFACTS = join(ROOT, 'test-artifacts');
const OWNER = { email: 'ops@example.com', firstName: 'Ops', lastName: 'Team', password: 'Editor-check-Passw0rd' };
let browser: Browser;
let page: Page;
let stop: (() => Promise<void>) | undefined;
let cleanup: (() => void) | undefined;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts/hosts.sh'), 'ensure_chromium'], { encoding: 'utf8' }).trim();
  const n8n = await createN8n({ n8nBin: n8nBin('2.40.7', node24()), nodeBinary: node24(), tarball: nodeRedHost.packTarball() });
  cleanup = () => n8n.cleanup();
  const server = await n8n.start();
  stop = server.stop;
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
});

it('the node creator finds the package by "Alibaba"; the trigger lists its actions by their own names', async () => {
  await page.click('[data-test-id=canvas-plus-button]');
  await page.waitForSelector('[data-test-id=node-creator-search-bar]');
  await page.keyboard.type('Alibaba');
  await page.waitForSelector('[data-test-id=node-creator-item-name]:has-text("Alibaba Cloud MQTT")');
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-node-creator-search.png') });
  await page.locator('[data-test-id=node-creator-item-name]', { hasText: 'Alibaba Cloud MQTT' }).first().click();
  // The search results use the same test ids: wait for the trigger's own actions to appear.
  await page.waitForSelector('[data-test-id=node-creator-item-name]:has-text("When a device goes offline")');
  const actions = await page.$$eval('[data-test-id=node-creator-item-name]', (els) => els.map((e) => (e.textContent ?? '').trim()));
  await page.screenshot({ path: join(ARTIFACTS, 'n8n-trigger-actions.png') });
  expect(actions).toEqual(expect.arrayContaining(['When a device goes offline', 'When a device comes back online']));
  expect(actions.some((a) => /^On /.test(a))).toBe(false);
  expect(consoleErrors.filter((e) => /alibaba|alicloud|mqtt-ops/i.test(e))).toEqual([]);
}, 120_000);
