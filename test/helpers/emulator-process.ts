/**
 * The emulator as its own process (the built CLI), driven through its admin HTTP API. Rate tests
 * use it so that the arrival times in its request log are not delayed by the client's own work
 * in the same event loop. It stops when the test process goes away (its stdin closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import type { FaultConfig, LogEntry } from '../../emulator';

const CLI = resolve(__dirname, '../../dist/emulator/cli.js');

export interface EmulatorProcess {
  endpoint: string;
  mqttUrl: string;
  accessKeyId: string;
  accessKeySecret: string;
  instanceId: string;
  setFaults(faults: FaultConfig): Promise<void>;
  log(): Promise<LogEntry[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A second AccessKey the emulator process also accepts (for tests of limits shared across keys). */
export const SECOND_KEY = { accessKeyId: 'LTAI5tSecondKeyOfTests', accessKeySecret: 'second-key-secret-of-tests' };

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const args = [CLI, '--port', '0', '--mqtt-port', '0', '--stop-with-stdin', '--access-key', `${SECOND_KEY.accessKeyId}:${SECOND_KEY.accessKeySecret}`];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  // The instrument must not be starved: on a loaded 2-core machine the hosts under test (n8n's
  // main process and two workers) can hold the CPU for a few hundred milliseconds, and an emulator
  // that gets it late stamps a backlog of requests as arriving in one instant (an artifact no real
  // service shows: it does not share our CPU). Raised where allowed (root, as on CI); else as is.
  try {
    if (child.pid) setPriority(child.pid, -10);
  } catch {
    // Not permitted here: measurements then share the CPU on equal terms.
  }
  const banner = await new Promise<string>((resolveBanner, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl-C')) resolveBanner(out);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before it started: ${out}`)));
  });
  const field = (label: string) => new RegExp(`${label}\\s+(\\S+)`).exec(banner)![1];
  const endpoint = field('API endpoint');
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${endpoint}/__emulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    endpoint,
    mqttUrl: field('MQTT broker'),
    accessKeyId: field('AccessKey ID'),
    accessKeySecret: field('AccessKey Secret'),
    instanceId: field('Instance ID'),
    setFaults: async (faults) => void (await admin('PUT', '/faults', faults)),
    log: async () => (await admin('GET', '/log')) as LogEntry[],
    reset: async () => void (await admin('POST', '/reset')),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.stdin!.end();
      }),
  };
}
