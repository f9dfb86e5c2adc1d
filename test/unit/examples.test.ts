import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_ACCESS_KEY_ID } from '../../emulator';

/**
 * The examples as shipped (their running is the first-hour end-to-end test's): one account for all
 * and for the demo, pointing at the demo's emulator; every setting present; an HTTP-in flow answers
 * its errors; the n8n workflows post to the emulator's inbox, never to a placeholder host.
 */
const ROOT = join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript shared with the demo
const { EMULATOR_CONFIG_ID, DEMO_PORTS } = require('../../scripts/lib/emulator-config.js') as {
  EMULATOR_CONFIG_ID: string;
  DEMO_PORTS: Record<string, { port: number; env: string }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoFlow } = require('../../scripts/lib/demo-flow.js') as {
  demoFlow: (o: Record<string, unknown>) => Array<Record<string, unknown>>;
};
type Node = Record<string, unknown> & { id: string; type: string };
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as Node[]] as const);
const workflows = readdirSync(join(ROOT, 'workflows'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, readFileSync(join(ROOT, 'workflows', f), 'utf8')] as const);

it('every Node-RED example and the demo use one config node: the same id, the demo emulator endpoint and AccessKey ID, never a secret', () => {
  const configs = examples.map(
    ([file, flow]) => [file, flow.filter((n) => n.type === 'alicloud-mqtt-config')] as const,
  );
  for (const [file, found] of configs) {
    expect({ file, count: found.length }).toEqual({ file, count: 1 });
    const [config] = found;
    expect({
      file,
      id: config.id,
      endpoint: config.endpoint,
      authentication: config.authentication,
      credentials: config.credentials,
    }).toEqual({
      file,
      id: EMULATOR_CONFIG_ID,
      endpoint: `http://127.0.0.1:${DEMO_PORTS.api.port}`,
      authentication: 'accessKey',
      credentials: { accessKeyId: DEMO_ACCESS_KEY_ID },
    });
    // Every node of ours points at it.
    for (const n of examples.find(([f]) => f === file)![1])
      if (n.type.startsWith('alicloud-mqtt-') && n.type !== 'alicloud-mqtt-config')
        expect(n.config).toBe(EMULATOR_CONFIG_ID);
  }
  const demo = demoFlow({
    endpoint: 'http://127.0.0.1:8090',
    accessKeyId: 'a',
    accessKeySecret: 's',
    instanceId: 'i',
    clientIds: ['GID_demo@@@1'],
  });
  expect(demo.filter((n) => n.type === 'alicloud-mqtt-config').map((n) => n.id)).toEqual([EMULATOR_CONFIG_ID]);
});

it('every HTTP-in example answers its errors: a Catch of its nodes leads to an http response', () => {
  for (const [file, flow] of examples) {
    if (!flow.some((n) => n.type === 'http in')) continue;
    const byId = new Map(flow.map((n) => [n.id, n]));
    const reaches = (from: string, type: string, seen = new Set<string>()): boolean => {
      if (seen.has(from)) return false;
      seen.add(from);
      const node = byId.get(from);
      if (!node) return false;
      if (node.type === type) return true;
      return ((node.wires as string[][] | undefined) ?? []).flat().some((next) => reaches(next, type, seen));
    };
    const catches = flow.filter((n) => n.type === 'catch');
    expect({ file, answered: catches.some((c) => reaches(c.id, 'http response')) }).toEqual({ file, answered: true });
  }
});

it('the n8n workflows post to the emulator inbox, not to a placeholder host, and each says what to replace', () => {
  for (const [file, text] of workflows) {
    expect({ file, placeholder: /example\.com/.test(text) }).toEqual({ file, placeholder: false });
    const wf = JSON.parse(text) as { nodes: Array<{ type: string; parameters: Record<string, unknown> }> };
    const note = wf.nodes.find((n) => n.type === 'n8n-nodes-base.stickyNote');
    const content = note?.parameters.content;
    expect({ file, note: typeof content === 'string' ? content : '' }).toEqual({
      file,
      note: expect.stringContaining('For real use'),
    });
    for (const n of wf.nodes.filter((x) => x.type === 'n8n-nodes-base.httpRequest'))
      expect(String(n.parameters.url)).toMatch(/^=?http:\/\/127\.0\.0\.1:8090\/__emulator\/inbox\//);
  }
});
