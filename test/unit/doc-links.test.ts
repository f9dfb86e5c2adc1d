/**
 * The documentation links n8n shows (credential and node docs) point at pages of this repository,
 * not at README anchors: n8n appends its tracking query to them, which breaks any `#anchor`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const REPO_PAGE = 'https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt/blob/main/';

function docUrls(): string[] {
  const sources = [
    'credentials/AlibabaCloudMqttApi.credentials.ts',
    'nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.json',
    'nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node.json',
  ].map((f) => readFileSync(join(ROOT, f), 'utf8'));
  return sources.flatMap((text) => [...text.matchAll(/https:\/\/github\.com\/mqtt-ops\/[^'"\s)]+/g)].map((m) => m[0]));
}

it('every documentation link is an anchor-free page that exists in the repository', () => {
  const urls = docUrls();
  expect(urls.length).toBeGreaterThanOrEqual(5);
  for (const url of urls) {
    expect(url).not.toContain('#');
    expect(url.startsWith(REPO_PAGE)).toBe(true);
    expect(existsSync(join(ROOT, url.slice(REPO_PAGE.length)))).toBe(true);
  }
});
