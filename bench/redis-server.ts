/**
 * A real Redis (Debian's redis-server) on a free loopback port, with no persistence: started by the
 * test that needs it, stopped by it (and killed by PID when the test process exits). `kill()` then
 * `start()` brings it back empty on the same port: what a Redis restart without persistence does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops it abruptly (SIGKILL): clients see the connection drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The redis-server binary: REDIS_SERVER_BIN, else the one on the PATH, else Debian's package
 * installed now (scripts/hosts.sh ensure_redis; needs root or sudo, as on CI).
 */
export function redisServerBinary(): string {
  if (process.env.REDIS_SERVER_BIN) return process.env.REDIS_SERVER_BIN;
  const root = __dirname.endsWith(join('dist', 'bench')) ? resolve(__dirname, '../..') : resolve(__dirname, '..');
  return execFileSync('bash', [join(root, 'scripts/hosts.sh'), 'ensure_redis'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const binary = redisServerBinary();
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        '--enable-debug-command',
        'local',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/i.test(out)) resolve();
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('error', (e) =>
        reject(new Error(`could not start ${binary} (apt-get install redis-server): ${e.message}`)),
      );
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
    });
  };
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return { port, url: `redis://127.0.0.1:${port}/0`, kill: () => end('SIGKILL'), start, stop: () => end('SIGTERM') };
}
