/**
 * scripts/hosts.sh installs the hosts the end-to-end tests need. On a cold machine an npm install
 * can stall (sockets open, no byte, no error): these tests hold a real `npm install` against a
 * registry on 127.0.0.1 that stops answering, and check that the installer ends the stalled
 * attempt, starts again from a clean folder, never marks a partial install as complete, gives up
 * with a message that says which install and why, and stops npm when it is itself stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_NAME, startStallingRegistry, type StallingRegistry } from '../helpers/stalling-registry';

const HOSTS = resolve(__dirname, '../../scripts/hosts.sh');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runHosts(
  registry: StallingRegistry,
  env: Record<string, string>,
  args: string[],
  onStart?: (pid: number) => void,
): Promise<Run> {
  const started = Date.now();
  const child = spawn('bash', [HOSTS, ...args], {
    env: {
      ...process.env,
      npm_config_registry: registry.url,
      // npm's own request timeout far away: the installer's stall detector must do the work.
      npm_config_fetch_timeout: '600000',
      HOSTS_STALL_SECONDS: '3',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart?.(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveRun) =>
    child.on('close', (code) => resolveRun({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

function freshCaches(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-test-'));
  return { ALICLOUD_MQTT_HOST_CACHE: join(dir, 'hosts'), npm_config_cache: join(dir, 'npm-cache') };
}

const until = async (what: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('scripts/hosts.sh: bounded, retried installs', () => {
  jest.setTimeout(90_000);
  let registry: StallingRegistry;
  afterEach(async () => registry?.close());

  test('a stalled attempt is ended and the install tried again from scratch, then marked complete', async () => {
    registry = await startStallingRegistry(1);
    const caches = freshCaches();
    const run = await runHosts(registry, caches, ['ensure_package', 'probe', PACKAGE_NAME]);
    expect(run.stderr).toContain('probe: attempt 1 stalled (no progress for 3 s)');
    expect(run.stderr).toMatch(/probe installed in \d+ s \(attempt 2;/);
    expect(run.code).toBe(0);
    expect(registry.stalled).toBe(1);
    expect(registry.abandonedByClient).toBe(1); // the stalled npm was really ended
    const dir = run.stdout.trim();
    expect(existsSync(join(dir, '.installed'))).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(join(dir, 'node_modules', PACKAGE_NAME))).toBe(42);

    // Installed once: the next call answers from the cache without asking the registry.
    const servedBefore = registry.served;
    const again = await runHosts(registry, caches, ['ensure_package', 'probe', PACKAGE_NAME]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(dir);
    expect(registry.served).toBe(servedBefore);
  });

  test('a registry that never answers: both attempts end, a clear failure, nothing left that looks installed', async () => {
    registry = await startStallingRegistry(Infinity);
    const caches = freshCaches();
    const run = await runHosts(registry, caches, ['ensure_package', 'probe', PACKAGE_NAME]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('probe: attempt 1 stalled');
    expect(run.stderr).toContain('probe: attempt 2 stalled');
    expect(run.stderr).toContain('probe could not be installed after 2 attempts; the end of');
    // Each attempt that reached the registry was held there and abandoned by npm. (Both do on a
    // quiet machine; under a load of 17 npm can start so slowly that the stall limit ends an
    // attempt before it asked.)
    expect(registry.stalled).toBeGreaterThanOrEqual(1);
    await until(() => registry.abandonedByClient === registry.stalled, 5_000);
    expect(existsSync(join(caches.ALICLOUD_MQTT_HOST_CACHE, 'probe'))).toBe(false);
  });

  test('the wall-clock limit ends an attempt that the stall limit would let run', async () => {
    registry = await startStallingRegistry(Infinity);
    const run = await runHosts(
      registry,
      { ...freshCaches(), HOSTS_STALL_SECONDS: '600', HOSTS_LIMIT_SECONDS: '3', HOSTS_ATTEMPTS: '1' },
      ['ensure_package', 'probe', PACKAGE_NAME],
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('probe: attempt 1 hit its 3 s limit');
    expect(run.stderr).not.toContain('attempt 1 stalled');
  });

  test('stopping the installer stops npm with it (what .ci/run does when the foreground fails)', async () => {
    registry = await startStallingRegistry(Infinity);
    const caches = freshCaches();
    let pid = 0;
    const running = runHosts(
      registry,
      { ...caches, HOSTS_STALL_SECONDS: '600' },
      ['ensure_package', 'probe', PACKAGE_NAME],
      (p) => (pid = p),
    );
    await until(() => registry.stalled === 1, 20_000);
    process.kill(-pid, 'SIGTERM');
    const run = await running;
    expect(run.code).not.toBe(0);
    await until(() => registry.abandonedByClient === 1, 5_000);
    expect(existsSync(join(caches.ALICLOUD_MQTT_HOST_CACHE, 'probe', '.installed'))).toBe(false);
  });
});
