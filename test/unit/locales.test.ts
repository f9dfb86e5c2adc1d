/**
 * The Node-RED message catalogues and help pages are checked-in files, one set per language (as
 * Node-RED core keeps its own): every language must have every key and every help section.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCALES = resolve(__dirname, '../../nodes/node-red/locales');
const LANGUAGES = readdirSync(LOCALES).sort();
const NODES = readdirSync(join(LOCALES, 'en-US'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function helpOutline(html: string): {
  name: string | undefined;
  sections: number;
  listItems: number;
  properties: number;
} {
  return {
    name: /data-help-name="([^"]+)"/.exec(html)?.[1],
    sections: (html.match(/<h3>/g) ?? []).length,
    listItems: (html.match(/<li>/g) ?? []).length,
    properties: (html.match(/<dt[ >]/g) ?? []).length,
  };
}

it('three languages, seven nodes', () => {
  expect(LANGUAGES).toEqual(['en-US', 'zh-CN', 'zh-TW']);
  expect(NODES.sort()).toEqual([
    'alicloud-mqtt-config',
    'alicloud-mqtt-credential',
    'alicloud-mqtt-send',
    'alicloud-mqtt-session',
    'alicloud-mqtt-trace',
    'alicloud-mqtt-wait',
    'alicloud-mqtt-watch',
  ]);
});

describe.each(NODES)('%s', (node) => {
  const catalog = (lang: string) => JSON.parse(readFileSync(join(LOCALES, lang, `${node}.json`), 'utf8')) as unknown;
  const help = (lang: string) => readFileSync(join(LOCALES, lang, `${node}.html`), 'utf8');

  it.each(LANGUAGES)('%s has every message key of en-US, and no other, none empty', (lang) => {
    expect(keys(catalog(lang)).sort()).toEqual(keys(catalog('en-US')).sort());
    const texts = JSON.stringify(catalog(lang));
    expect(texts).not.toMatch(/:""/);
  });

  it.each(LANGUAGES)('%s help has the same sections, outputs and properties as en-US', (lang) => {
    expect(helpOutline(help(lang))).toEqual(helpOutline(help('en-US')));
    expect(helpOutline(help(lang)).name).toBe(node);
  });
});
