/**
 * A real forward proxy for the tests: Debian's tinyproxy, on a free loopback port, in the
 * foreground, logging every CONNECT to a file the test reads. Its outgoing connections leave from
 * 127.0.0.3 (`Bind`), so that an emulator that accepts only that address can be reached through
 * the proxy and not directly. Optionally with a login (BasicAuth: anything else gets 407).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redis-server';

export interface Tinyproxy {
  port: number;
  /** http://127.0.0.1:port (with user:password@ when it asks for a login). */
  url: string;
  /** The address its outgoing connections come from. */
  egressAddress: string;
  /** Its log so far: one line per CONNECT and per refusal. */
  log(): string;
  /** CONNECT lines of its log ("CONNECT 127.0.0.1:1234"). */
  connects(): string[];
  /** Resolves once its log shows a CONNECT to host:port (it writes the log a moment later); rejects after `timeoutMs`. */
  sawConnect(hostPort: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const PROXY_EGRESS_ADDRESS = '127.0.0.3';

/** Debian's tinyproxy: TINYPROXY_BIN, the PATH, else installed now (scripts/hosts.sh ensure_tinyproxy). */
export function tinyproxyBinary(): string {
  if (process.env.TINYPROXY_BIN) return process.env.TINYPROXY_BIN;
  const root = resolve(__dirname, '../..');
  return execFileSync('bash', [join(root, 'scripts/hosts.sh'), 'ensure_tinyproxy'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export async function startTinyproxy(options: { login?: { user: string; password: string } } = {}): Promise<Tinyproxy> {
  const binary = tinyproxyBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'alicloud-mqtt-tinyproxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  writeFileSync(logFile, '');
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    `Bind ${PROXY_EGRESS_ADDRESS}`,
    'Timeout 30',
    `LogFile "${logFile}"`,
    'LogLevel Connect',
    'MaxClients 100',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    // No ConnectPort line: CONNECT is allowed to any port (the emulator's port is a random one).
    ...(options.login ? [`BasicAuth ${options.login.user} ${options.login.password}`] : []),
    ...(process.getuid?.() === 0 ? ['User nobody', 'Group nogroup'] : []),
  ];
  const configFile = join(dir, 'tinyproxy.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);
  // tinyproxy (as user nobody) writes its log: the folder must let it.
  execFileSync('chmod', ['-R', 'a+rwX', dir]);
  const child: ChildProcess = spawn(binary, ['-d', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  process.once('exit', () => child.kill('SIGKILL'));
  // Ready when it accepts a connection.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited (${child.exitCode}): ${output.slice(-500)}`);
    const ok = await new Promise<boolean>((r) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const s = (require('node:net') as typeof import('node:net')).connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port}: ${output.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = () => readFileSync(logFile, 'utf8');
  const connects = () =>
    [...log().matchAll(/Request \(file descriptor \d+\): CONNECT (\S+)/g)].map((m) => `CONNECT ${m[1]}`);
  const auth = options.login
    ? `${encodeURIComponent(options.login.user)}:${encodeURIComponent(options.login.password)}@`
    : '';
  return {
    port,
    url: `http://${auth}127.0.0.1:${port}`,
    egressAddress: PROXY_EGRESS_ADDRESS,
    log,
    connects,
    async sawConnect(hostPort, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!connects().includes(`CONNECT ${hostPort}`)) {
        if (Date.now() > deadline)
          throw new Error(`tinyproxy's log shows no CONNECT ${hostPort}:\n${log().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop: () =>
      new Promise<void>((r) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          r();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
