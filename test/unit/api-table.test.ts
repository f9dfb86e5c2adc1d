/**
 * One table per API (lib/base/api-table.ts): an API declared there and missing in any place that
 * must follow it fails here, and so does a place that names an API the table does not declare.
 * The docs' list of APIs (docs/api.md, between the api-table markers) is rendered from the table:
 * API_DOCS_UPDATE=1 writes it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMULATED_APIS } from '../../emulator/api';
import { ERROR_TABLE, OnsMqttClient } from '../../lib/internal';
import { API_NAMES, API_TABLE, type ApiName } from '../../lib/base/api-table';
import { ACCOUNT_RATE_LIMITS, API_RATE_LIMITS } from '../../lib/send/rate-limiter';
import { OPERATIONS } from '../../nodes/AlibabaCloudMqtt/actions/operations';

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const actionSources = readdirSync(join(ROOT, 'lib/actions'))
  .map((f) => read(`lib/actions/${f}`))
  .join('\n');
const nodeRedTypes = Object.keys(
  (JSON.parse(read('packages/node-red/package.json')) as { 'node-red': { nodes: Record<string, string> } })['node-red']
    .nodes,
);

describe.each(API_NAMES)('%s', (api) => {
  const declared = API_TABLE[api];

  it('has its per-IP and per-account limits in the rate tables, rate + burst within the documented figure', () => {
    expect(API_RATE_LIMITS[api]).toBe(declared.perIp);
    expect(ACCOUNT_RATE_LIMITS[api]).toBe(declared.perAccount);
    for (const limit of [declared.perIp, declared.perAccount])
      expect(limit.ratePerSecond + limit.burst).toBeLessThanOrEqual(limit.documentedQps);
  });

  it('has its own error codes in the error table', () => {
    for (const [code, rule] of Object.entries(declared.errorCodes)) expect(ERROR_TABLE[code]).toEqual(rule);
  });

  it('is answered by the emulator', () => {
    expect(EMULATED_APIS).toContain(api);
  });

  it('is called by an action of the core, through the client method the table names', () => {
    expect(actionSources).toContain(`'${api}'`);
    expect(typeof (OnsMqttClient.prototype as unknown as Record<string, unknown>)[declared.result.method]).toBe(
      'function',
    );
  });

  it('is offered by each host where the table says', () => {
    for (const op of declared.hosts.n8n) expect(OPERATIONS.map((o) => `${o.resource}.${o.option.value}`)).toContain(op);
    for (const entry of declared.hosts.nodeRed) {
      const [type, mode] = entry.split(':');
      expect(nodeRedTypes).toContain(type);
      if (mode) expect(read(`nodes/node-red/${type}.html`)).toContain(`value="${mode}"`);
    }
  });
});

it('every API the emulator answers and the core calls is in the table', () => {
  expect([...EMULATED_APIS].sort()).toEqual([...API_NAMES].sort());
  const called = new Set(
    [...actionSources.matchAll(/'((?:Query|Batch|Get|Register|Refresh|UnRegister|Apply|Revoke|Send)[A-Za-z]+)'/g)].map(
      (m) => m[1],
    ),
  );
  expect([...called].filter((name) => !(name in API_TABLE))).toEqual([]);
});

it('every n8n operation and every Node-RED query node is declared with the APIs it calls', () => {
  const n8nDeclared = new Set(API_NAMES.flatMap((api) => API_TABLE[api].hosts.n8n));
  expect(OPERATIONS.map((o) => `${o.resource}.${o.option.value}`).filter((op) => !n8nDeclared.has(op))).toEqual([]);
  const redDeclared = new Set(
    API_NAMES.flatMap((api) => API_TABLE[api].hosts.nodeRed.map((entry) => entry.split(':')[0])),
  );
  expect(nodeRedTypes.filter((type) => type !== 'alicloud-mqtt-config' && !redDeclared.has(type))).toEqual([]);
});

it("the docs' list of APIs is the table's", () => {
  const path = join(ROOT, 'docs/api.md');
  const doc = readFileSync(path, 'utf8');
  const start = '<!-- api-table:start (rendered from lib/base/api-table.ts by test/unit/api-table.test.ts) -->';
  const end = '<!-- api-table:end -->';
  const [before, rest] = doc.split(start);
  expect(rest).toBeDefined();
  const after = rest.split(end)[1];
  const rendered = `${before}${start}\n${renderApiList()}${end}${after}`;
  if (process.env.API_DOCS_UPDATE === '1') writeFileSync(path, rendered);
  expect(doc).toBe(rendered);
});

function renderApiList(): string {
  const qps = (api: ApiName, which: 'perIp' | 'perAccount') => {
    const limit = API_TABLE[api][which];
    return `${limit.documentedQps} (${limit.ratePerSecond} + ${limit.burst})`;
  };
  const rows = API_NAMES.map((api) => {
    const { purpose, result, hosts } = API_TABLE[api];
    const code = (list: readonly string[]) => list.map((x) => `\`${x}\``).join(', ');
    return `| **${api}** | ${purpose} | ${qps(api, 'perIp')} | ${qps(api, 'perAccount')} | \`${result.method}\` → \`${result.type}\` | ${code(hosts.n8n)} | ${code(hosts.nodeRed)} |`;
  });
  return [
    '| API | What it answers | Per IP: documented (kept to rate + burst) | Per account | Client method → result | n8n | Node-RED |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
