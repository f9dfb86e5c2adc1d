import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The package as users get it: `npm pack` of the built tree, unpacked, checked file by file and
 * with Node-RED's own scorecard (node-red-dev validate). The flow-library catalogue it also reads
 * is unreachable here: test/package/flow-library-offline.js answers that one request with an empty catalogue.
 */
const ROOT = resolve(__dirname, '../..');
const OFFLINE_PRELOAD = resolve(__dirname, 'flow-library-offline.js');
let dir: string;
let pkg: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/lib/index.js'))) throw new Error('Run `npm run build` first (npm test does).');
  dir = mkdtempSync(join(tmpdir(), 'alicloud-mqtt-pack-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  pkg = join(dir, 'package');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listFiles(base: string, prefix = ''): string[] {
  return readdirSync(join(base, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(base, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('published package', () => {
  it('holds every file n8n and Node-RED load, and nothing of the emulator or tests', () => {
    const files = listFiles(pkg);
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    for (const p of [
      ...manifest.n8n.credentials,
      ...manifest.n8n.nodes,
      ...Object.values<string>(manifest['node-red'].nodes),
      manifest.main,
    ]) {
      expect(files).toContain(p);
    }
    for (const type of Object.keys(manifest['node-red'].nodes)) {
      expect(files).toContain(`dist/nodes/node-red/${type}.html`);
      for (const lang of ['en-US', 'zh-CN', 'zh-TW']) {
        expect(files).toContain(`dist/nodes/node-red/locales/${lang}/${type}.json`);
        expect(files).toContain(`dist/nodes/node-red/locales/${lang}/${type}.html`);
      }
    }
    expect(files).toContain('dist/nodes/node-red/icons/alibaba-cloud-mqtt.svg');
    expect(files).toContain('dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.json');
    expect(files).toContain('dist/icons/alibaba-cloud-mqtt.svg');
    expect(files).toContain('dist/icons/alibaba-cloud-mqtt.dark.svg');
    expect(files.filter((f) => /emulator|^test\/|\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it("runtime dependencies: Alibaba's SDK and its credential providers, ioredis for the shared limit, amqplib for push presence; n8n-workflow an optional peer", () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual([
      '@alicloud/credentials',
      '@alicloud/openapi-client',
      'amqplib',
      'ioredis',
    ]);
    expect(manifest.peerDependencies['n8n-workflow']).toBeDefined();
    expect(manifest.peerDependenciesMeta['n8n-workflow'].optional).toBe(true);
    expect(manifest.engines.node).toBe('>=20');
  });

  it('a plain install pays nothing for the shared limit or push presence: ioredis and amqplib are not loaded until configured', () => {
    const probe = `
      const { OnsMqttClient } = require('./dist/lib');
      require('./dist/nodes/node-red/alicloud-mqtt-watch.js');
      require('./dist/nodes/AlibabaCloudMqtt/AlibabaCloudMqtt.node.js');
      new OnsMqttClient({ accessKeyId: 'LTAI5tProbe', accessKeySecret: 'probe' });
      const before = Object.keys(require.cache).some((k) => k.includes('/node_modules/ioredis/') || k.includes('/node_modules/amqplib/'));
      const c = new OnsMqttClient({ accessKeyId: 'LTAI5tProbe', accessKeySecret: 'probe', sharedLimit: { redisUrl: 'redis://127.0.0.1:1/0' } });
      const after = Object.keys(require.cache).some((k) => k.includes('/node_modules/ioredis/'));
      console.log(JSON.stringify({ before, after }));
      require('./dist/lib').closeSharedTokenStores();
    `;
    const out = execFileSync(process.execPath, ['-e', probe], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, EXECUTIONS_MODE: '' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ before: false, after: true });
  });

  it('node-red-dev validate: P01, P03-P07, N02, D01, D02 pass', () => {
    const scorecard = join(dir, 'scorecard.json');
    execFileSync(
      process.execPath,
      ['-r', OFFLINE_PRELOAD, require.resolve('node-red-dev/bin/run'), 'validate', '-p', pkg, '-o', scorecard],
      {
        cwd: ROOT,
        stdio: 'pipe',
        timeout: 120_000,
      },
    );
    const score = JSON.parse(readFileSync(scorecard, 'utf8'));
    for (const check of ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'N02', 'D01', 'D02']) {
      expect({ check, ...score[check] }).toMatchObject({ check, test: true });
    }
  }, 180_000);
});
