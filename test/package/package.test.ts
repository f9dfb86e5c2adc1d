import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The three packages as users get them: `npm pack` of each from the built tree, unpacked, checked
 * file by file (docs/packages.md). The verifiable n8n package (the repository root) has no runtime
 * dependency and ships nothing that requires more than n8n-workflow and node:crypto (n8n's own
 * scanner checks the same tarball in `npm test`, scripts/n8n-scan.mjs). The Node-RED package passes
 * Node-RED's scorecard (node-red-dev validate); the flow-library catalogue it also reads is
 * unreachable here: test/package/flow-library-offline.js answers that one request with an empty catalogue.
 */
const ROOT = resolve(__dirname, '../..');
const OFFLINE_PRELOAD = resolve(__dirname, 'flow-library-offline.js');
const DIRS = { n8n: ROOT, nodeRed: join(ROOT, 'packages/node-red'), extras: join(ROOT, 'packages/n8n-extras') };
type Which = keyof typeof DIRS;
let work: string;
const unpacked = {} as Record<Which, string>;
const manifest = (which: Which) => JSON.parse(readFileSync(join(unpacked[which], 'package.json'), 'utf8'));

beforeAll(() => {
  if (!existsSync(join(DIRS.nodeRed, 'dist/lib/index.js')))
    throw new Error('Run `npm run build` first (npm test does).');
  work = mkdtempSync(join(tmpdir(), 'alicloud-mqtt-pack-'));
  for (const which of Object.keys(DIRS) as Which[]) {
    const into = join(work, which);
    execFileSync('mkdir', ['-p', into]);
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', into], { cwd: DIRS[which], stdio: 'pipe' });
    const tarball = readdirSync(into).find((f) => f.endsWith('.tgz'))!;
    execFileSync('tar', ['xzf', tarball], { cwd: into });
    unpacked[which] = join(into, 'package');
  }
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function listFiles(base: string, prefix = ''): string[] {
  return readdirSync(join(base, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(base, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/** Every module a package's .js files require from outside themselves. */
function externalRequires(base: string): Set<string> {
  const out = new Set<string>();
  for (const file of listFiles(base).filter((f) => f.endsWith('.js')))
    for (const [, spec] of readFileSync(join(base, file), 'utf8').matchAll(/require\("([^"]+)"\)/g))
      if (!spec.startsWith('.')) out.add(spec);
  return out;
}

const NO_TESTS = /emulator|^test\/|\.test\.|\.ts$/;

describe('the verifiable n8n package (@mqtt-ops/n8n-nodes-alicloud-mqtt, the root)', () => {
  it('holds its nodes, credential, codex and icons, and nothing of Node-RED, the extras, the emulator or tests', () => {
    const files = listFiles(unpacked.n8n);
    const m = manifest('n8n');
    expect(m.name).toBe('@mqtt-ops/n8n-nodes-alicloud-mqtt');
    for (const p of [...m.n8n.credentials, ...m.n8n.nodes]) expect(files).toContain(p);
    expect(m.n8n.nodes).toEqual([
      'dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.js',
      'dist/nodes/AlibabaCloudMqttTrigger/AlibabaCloudMqttTrigger.node.js',
    ]);
    expect(files).toContain('dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.json');
    expect(files).toContain('dist/icons/alibaba-cloud-mqtt.svg');
    expect(files).toContain('dist/icons/alibaba-cloud-mqtt.dark.svg');
    expect(files.filter((f) => /node-red|StatusTrigger|Extras/.test(f))).toEqual([]);
    expect(files.filter((f) => NO_TESTS.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('no runtime dependency, n8n-workflow the only peer, strict; its code requires nothing but n8n-workflow and node:crypto', () => {
    const m = manifest('n8n');
    expect(m.dependencies).toBeUndefined();
    expect(m.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    expect(m.n8n.strict).toBe(true);
    expect(m['node-red']).toBeUndefined();
    expect([...externalRequires(unpacked.n8n)].sort()).toEqual(['n8n-workflow', 'node:crypto']);
  });

  it('package.json "files" is the closure of its entries (scripts/package-files.js)', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/package-files.js', '--check'], { cwd: ROOT, stdio: 'pipe' }),
    ).not.toThrow();
  });
});

describe('the Node-RED package (@mqtt-ops/node-red-alicloud-mqtt)', () => {
  it('holds every file Node-RED loads, the examples, the editor script and the programmatic API', () => {
    const files = listFiles(unpacked.nodeRed);
    const m = manifest('nodeRed');
    expect(m.keywords).toContain('node-red');
    for (const p of [...Object.values<string>(m['node-red'].nodes), m.main, m.types]) expect(files).toContain(p);
    for (const type of Object.keys(m['node-red'].nodes)) {
      expect(files).toContain(`dist/nodes/node-red/${type}.html`);
      for (const lang of ['en-US', 'zh-CN', 'zh-TW']) {
        expect(files).toContain(`dist/nodes/node-red/locales/${lang}/${type}.json`);
        expect(files).toContain(`dist/nodes/node-red/locales/${lang}/${type}.html`);
      }
    }
    expect(files).toContain('dist/nodes/node-red/icons/alibaba-cloud-mqtt.svg');
    expect(files).toContain('resources/alicloud-mqtt-editor.js');
    expect(files.some((f) => f.startsWith('examples/') && f.endsWith('.json'))).toBe(true);
    expect(files.filter((f) => /AlibabaCloudMqtt|^dist\/credentials\//.test(f))).toEqual([]);
    expect(files.filter((f) => NO_TESTS.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it("runtime dependencies: Alibaba's SDK and its credential providers, ioredis, amqplib; what its code requires is among them or Node's", () => {
    const m = manifest('nodeRed');
    expect(Object.keys(m.dependencies)).toEqual([
      '@alicloud/credentials',
      '@alicloud/openapi-client',
      'amqplib',
      'ioredis',
    ]);
    const outside = [...externalRequires(unpacked.nodeRed)].filter((s) => !s.startsWith('node:'));
    expect(outside.filter((s) => !(s in m.dependencies))).toEqual([]);
  });

  it('a plain install pays nothing for the shared limit or push presence: ioredis and amqplib are not loaded until configured', () => {
    const probe = `
      const { OnsMqttClient } = require('./packages/node-red/dist/lib');
      require('./packages/node-red/dist/nodes/node-red/alicloud-mqtt-watch.js');
      new OnsMqttClient({ accessKeyId: 'LTAI5tProbe', accessKeySecret: 'probe' });
      const before = Object.keys(require.cache).some((k) => k.includes('/node_modules/ioredis/') || k.includes('/node_modules/amqplib/'));
      const c = new OnsMqttClient({ accessKeyId: 'LTAI5tProbe', accessKeySecret: 'probe', sharedLimit: { redisUrl: 'redis://127.0.0.1:1/0' } });
      const after = Object.keys(require.cache).some((k) => k.includes('/node_modules/ioredis/'));
      console.log(JSON.stringify({ before, after }));
      require('./packages/node-red/dist/lib').closeSharedTokenStores();
    `;
    const out = execFileSync(process.execPath, ['-e', probe], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, EXECUTIONS_MODE: '' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ before: false, after: true });
  });

  it('node-red-dev validate: P01, P03-P07, N02, D01, D02 pass', () => {
    const scorecard = join(work, 'scorecard.json');
    execFileSync(
      process.execPath,
      [
        '-r',
        OFFLINE_PRELOAD,
        require.resolve('node-red-dev/bin/run'),
        'validate',
        '-p',
        unpacked.nodeRed,
        '-o',
        scorecard,
      ],
      { cwd: ROOT, stdio: 'pipe', timeout: 120_000 },
    );
    const score = JSON.parse(readFileSync(scorecard, 'utf8'));
    for (const check of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'N02', 'D01', 'D02']) {
      expect({ check, ...score[check] }).toMatchObject({ check, test: true });
    }
  }, 180_000);
});

describe('the n8n extras package (@mqtt-ops/n8n-nodes-alicloud-mqtt-extras)', () => {
  it('its own node and credential types beside the main package: no clash', () => {
    const extras = manifest('extras');
    const main = manifest('n8n');
    const files = listFiles(unpacked.extras);
    for (const p of [...extras.n8n.credentials, ...extras.n8n.nodes]) expect(files).toContain(p);
    expect(extras.name).not.toBe(main.name);
    const credentialName = (base: string, file: string) =>
      /name = '([^']+)'|this\.name = '([^']+)'|name: '([^']+)'/
        .exec(readFileSync(join(base, file), 'utf8'))!
        .slice(1)
        .find(Boolean);
    expect(credentialName(unpacked.extras, extras.n8n.credentials[0])).toBe('alibabaCloudMqttExtrasApi');
    expect(credentialName(unpacked.n8n, main.n8n.credentials[0])).toBe('alibabaCloudMqttApi');
    expect(files).toContain('dist/icons/alibaba-cloud-mqtt.svg');
    expect(files.filter((f) => NO_TESTS.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('what its code requires is among its dependencies, n8n-workflow or Node', () => {
    const m = manifest('extras');
    const outside = [...externalRequires(unpacked.extras)].filter(
      (s) => !s.startsWith('node:') && s !== 'n8n-workflow',
    );
    expect(outside.filter((s) => !(s in m.dependencies))).toEqual([]);
  });
});

it('the three packages share one version', () => {
  expect(new Set((Object.keys(DIRS) as Which[]).map((w) => manifest(w).version)).size).toBe(1);
});
