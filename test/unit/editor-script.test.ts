/**
 * The Node-RED editor's shared script (resources/alicloud-mqtt-editor.js, built from
 * nodes/node-red/editor/ with the runtime's own limits): a dialog accepts a setting exactly when
 * the runtime does, for every value (properties, seeded), and every editor file takes its checks
 * from it instead of its own copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { OnsMqttError, validateCredentialSpec } from '../../lib/internal';
import { clientFactory } from '../../nodes/node-red/runtime';
import type { NodeAPI } from '../../nodes/node-red/types';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'resources/alicloud-mqtt-editor.js');

interface EditorApi {
  number(name: string, applies?: (node: unknown) => boolean): (this: unknown, v: unknown) => boolean;
  text(pattern: RegExp): (this: unknown, v: unknown) => boolean;
  LIMITS: Record<string, unknown>;
}
function loadEditor(): EditorApi {
  const window: { AlicloudMqttEditor?: EditorApi } = {};
  runInNewContext(readFileSync(SCRIPT, 'utf8'), { window, $: () => ({ length: 0 }) });
  return window.AlicloudMqttEditor!;
}

/** Whether the runtime accepts a node option as the dialog saved it (a string), through the node's own client factory. */
function runtimeAccepts(option: string, value: string): boolean {
  const config = {
    clientOptions: () => ({
      accessKeyId: 'LTAI5tEditor',
      accessKeySecret: 'editor-secret',
      endpoint: 'http://127.0.0.1:1',
    }),
  };
  const RED = { nodes: { getNode: () => config } } as unknown as NodeAPI;
  try {
    clientFactory(RED, 'cfg', { [option]: value })();
    return true;
  } catch (error) {
    if (error instanceof OnsMqttError && error.code === 'InvalidInput') return false;
    throw error;
  }
}

const settingValues = fc.oneof(
  fc.integer({ min: -5, max: 700_000 }).map(String),
  fc.double({ min: -1, max: 20_000, noNaN: true }).map(String),
  fc.constantFrom(
    '0',
    '0.1',
    '0.05',
    '1',
    '10',
    '11',
    '600000',
    '600001',
    '1000',
    '1001',
    '1e3',
    '2.5',
    'abc',
    ' 7',
    'Infinity',
    '-0',
  ),
);

describe('the editor script', () => {
  const editor = loadEditor();

  it.each([
    ['timeout', 'timeout'],
    ['maxAttempts', 'maxAttempts'],
    ['maxRequestsPerSecond', 'maxRequestsPerSecond'],
    ['concurrency', 'concurrency'],
  ])('%s: the dialog accepts a value exactly when the runtime does', (option, limit) => {
    const validate = editor.number(limit);
    fc.assert(
      fc.property(settingValues, (value) => validate.call({}, value) === runtimeAccepts(option, value)),
      { seed: 37, numRuns: 400 },
    );
  });

  it('durationSeconds (RAM role): the dialog accepts a value exactly when the credential does', () => {
    const validate = editor.number('durationSeconds');
    const accepts = (value: string) => {
      try {
        validateCredentialSpec({
          type: 'ram_role_arn',
          accessKeyId: 'LTAI5t',
          accessKeySecret: 's',
          roleArn: 'acs:ram::1:role/r',
          durationSeconds: value,
        });
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(settingValues, (value) => validate.call({}, value) === accepts(value)),
      { seed: 37, numRuns: 400 },
    );
  });

  it('blank and ${ENV} references pass (the runtime takes the default, or the environment at start)', () => {
    for (const name of Object.keys(editor.LIMITS)) {
      for (const value of ['', undefined, '${MQTT_TIMEOUT}']) expect(editor.number(name).call({}, value)).toBe(true);
      expect(editor.number(name).call({}, '${not an env}')).toBe(false);
    }
    expect(editor.number('durationSeconds', () => false).call({}, 'anything')).toBe(true);
  });

  it('every editor file loads it from resources/ and keeps no check of its own', () => {
    const dir = join(ROOT, 'nodes/node-red');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(dir, file), 'utf8');
      expect(html).toContain(
        '<script type="text/javascript" src="resources/@mqtt-ops/node-red-alicloud-mqtt/alicloud-mqtt-editor.js"></script>',
      );
      expect(html).not.toMatch(/validate: function/);
      expect(html).not.toContain('\\$\\{\\w+\\}');
    }
  });

  it('the same setting has the same check in every node', () => {
    const dir = join(ROOT, 'nodes/node-red');
    const checks = new Map<string, Set<string>>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.html'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(
        /(\w+): \{ value: [^,]+, validate: ([^}]+?) \}/g,
      )) {
        if (!checks.has(m[1])) checks.set(m[1], new Set());
        checks.get(m[1])!.add(m[2].replace(/function \(node\).*$/, ''));
      }
    }
    for (const setting of ['timeout', 'maxAttempts', 'maxRequestsPerSecond', 'concurrency'])
      expect([setting, [...(checks.get(setting) ?? [])]]).toEqual([
        setting,
        [`AlicloudMqttEditor.number('${setting}')`],
      ]);
  });
});
