/**
 * The documentation links n8n shows (credential and node docs) point at pages of this repository,
 * not at README anchors: n8n appends its tracking query to them, which breaks any `#anchor`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const REPO_PAGE = 'https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt/blob/main/';

function docUrls(): string[] {
  const sources = [
    'credentials/AlibabaCloudMqttApi.credentials.ts',
    'nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.json',
    'nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node.json',
    'packages/n8n-extras/nodes/AlibabaCloudMqttStatusTrigger/AlibabaCloudMqttStatusTrigger.node.json',
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

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^#{1,6} (.*)$/.exec(line);
    if (m) anchors.add(slug(m[1]));
  }
  return anchors;
}

const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`),
].filter((f) => f.endsWith('.md'));

/** Links written as [text](target), outside code fences; web links are not followed (no network). */
function linksOf(markdown: string): string[] {
  const withoutFences = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutFences.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/i.test(target));
}

it.each(PAGES)('%s: every link resolves to a file of the repository, and every #anchor to a heading in it', (page) => {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const links = linksOf(text);
  for (const link of links) {
    const [path, anchor] = link.split('#');
    const target = path ? resolve(dirname(join(ROOT, page)), path) : join(ROOT, page);
    expect({ link, exists: existsSync(target) }).toEqual({ link, exists: true });
    if (anchor)
      expect({ link, anchor: anchorsOf(readFileSync(target, 'utf8')).has(anchor) }).toEqual({ link, anchor: true });
  }
});

it('every page in docs/ is reachable from the README or the docs index', () => {
  const linked = new Set([
    ...linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')),
    ...linksOf(readFileSync(join(ROOT, 'docs/README.md'), 'utf8')).map((l) => `docs/${l}`),
  ]);
  for (const page of PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md'))
    expect({ page, linked: linked.has(page) }).toEqual({ page, linked: true });
});

it('the README stays short: what it does, install, a first flow in each host, the two commands, links', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
});
