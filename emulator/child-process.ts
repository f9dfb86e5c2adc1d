/**
 * The emulator in a process of its own, driven over Node's IPC channel: the one way tests and
 * benchmarks run it apart from the process they measure. Apart, because a request's arrival
 * time must not wait for the client's own work in the same event loop (rate tests), and because a
 * benchmark must measure only the client's CPU and memory. The child stops when its parent goes
 * away (the IPC channel closes), so a crashed test leaves nothing listening.
 *
 *   const emu = await startEmulatorProcess({ faults: { latencyMs: 50 } });
 *   ... emu.endpoint, await emu.setFaults(...), await emu.log(), await emu.stats(), await emu.stop()
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import type { EmulatorOptions, FaultConfig, LogEntry } from './index';

export interface EmulatorStats {
  requests: number;
  byCode: Record<string, number>;
  byAction: Record<string, number>;
  /** The most requests that arrived in any one second, as the service counts them. */
  busiestSecond: number;
}

export interface EmulatorProcess {
  endpoint: string;
  /** Undefined when started with `mqttPort: false`. */
  mqttUrl: string | undefined;
  accessKeyId: string;
  accessKeySecret: string;
  instanceId: string;
  /** The Cloud SDK endpoint's port, when started with `amqpPort`. */
  cloudSdkPort: number | undefined;
  setFaults(faults: FaultConfig): Promise<void>;
  /** Sets devices on- or offline without MQTT (their status events go out when the Cloud SDK endpoint runs). */
  setDevicesOnline(clientIds: string[], online: boolean): Promise<void>;
  /**
   * Pushes status events at a steady rate (connect and tcpclean in turn over `clients` devices of
   * `group`), each stamped with the time it was made; resolves when all are out.
   */
  statusBurst(burst: { group: string; perSecond: number; seconds: number; clients: number }): Promise<number>;
  log(): Promise<LogEntry[]>;
  stats(): Promise<EmulatorStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmulatorProcessOptions extends Omit<EmulatorOptions, 'tls' | 'sts' | 'metadata'> {
  /**
   * Raise the child's CPU priority where allowed (root, as on CI): on a loaded machine the hosts
   * under test can hold the CPU for a few hundred milliseconds, and an emulator that gets it late
   * stamps a backlog of requests as arriving in one instant (an artefact no real service shows: it
   * does not share our CPU). Default true.
   */
  raisePriority?: boolean;
}

type Method = 'setFaults' | 'log' | 'stats' | 'reset' | 'stop' | 'setDevicesOnline' | 'statusBurst';
interface Call {
  id: number;
  method: Method;
  arg?: unknown;
}
interface Answer {
  id: number;
  value?: unknown;
  error?: string;
}
interface Ready {
  ready: {
    endpoint: string;
    mqttUrl: string | undefined;
    accessKeyId: string;
    accessKeySecret: string;
    instanceId: string;
    cloudSdkPort: number | undefined;
  };
}

/** Tests run the TypeScript sources; a child needs JavaScript: the built file (`npm test` builds first). */
const CHILD = __filename.endsWith('.ts') ? resolve(__dirname, '../dist/emulator/child-process.js') : __filename;

export async function startEmulatorProcess(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const { raisePriority = true, ...emulatorOptions } = options;
  const child = fork(CHILD, [JSON.stringify(emulatorOptions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (raisePriority) {
    try {
      if (child.pid) setPriority(child.pid, -10);
    } catch {
      // Not permitted here: measurements then share the CPU on equal terms.
    }
  }
  const ready = await new Promise<Ready['ready']>((resolveReady, reject) => {
    child.once('message', (m: Ready) => resolveReady(m.ready));
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it started`)));
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (m: Answer) => {
    const waiter = pending.get(m.id);
    if (!waiter) return;
    pending.delete(m.id);
    if (m.error !== undefined) waiter.reject(new Error(m.error));
    else waiter.resolve(m.value);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the emulator process exited with ${code}`));
    pending.clear();
  });
  const call = <T>(method: Method, arg?: unknown): Promise<T> =>
    new Promise<T>((resolveCall, reject) => {
      if (child.exitCode !== null || !child.connected) return reject(new Error('the emulator process has stopped'));
      const id = nextId++;
      pending.set(id, { resolve: resolveCall as (value: unknown) => void, reject });
      child.send({ id, method, arg } satisfies Call);
    });
  return {
    ...ready,
    setFaults: (faults) => call('setFaults', faults),
    setDevicesOnline: (clientIds, online) => call('setDevicesOnline', { clientIds, online }),
    statusBurst: (burst) => call('statusBurst', burst),
    log: () => call('log'),
    stats: () => call('stats'),
    reset: () => call('reset'),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        call('stop').catch(() => undefined);
      }),
  };
}

async function runChild(): Promise<void> {
  const { startEmulator, busiestSecond } = await import('./index');
  const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
  const emu = await startEmulator({ port: 0, ...options });
  const stop = () => void emu.stop().then(() => process.exit(0));
  // The parent went away without asking (a crashed test): stop all the same.
  process.on('disconnect', stop);
  process.on('message', (m: Call) => {
    const answer = (value?: unknown) => process.send?.({ id: m.id, value } satisfies Answer);
    try {
      if (m.method === 'setFaults') answer(void emu.setFaults(m.arg as FaultConfig));
      else if (m.method === 'log') answer(emu.requestLog());
      else if (m.method === 'stats')
        answer({ ...emu.stats(), busiestSecond: busiestSecond(emu.requestLog()).count } satisfies EmulatorStats);
      else if (m.method === 'reset') answer(void emu.reset());
      else if (m.method === 'setDevicesOnline') {
        const { clientIds, online } = m.arg as { clientIds: string[]; online: boolean };
        for (const id of clientIds) emu.setDeviceOnline(id, online);
        answer();
      } else if (m.method === 'statusBurst')
        void statusBurst(emu, m.arg as Parameters<EmulatorProcess['statusBurst']>[0]).then(answer);
      else if (m.method === 'stop') {
        answer();
        stop();
      }
    } catch (error) {
      process.send?.({ id: m.id, error: error instanceof Error ? error.message : String(error) } satisfies Answer);
    }
  });
  process.send!({
    ready: {
      endpoint: emu.endpoint,
      mqttUrl: emu.mqttUrl,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      instanceId: emu.instanceId,
      cloudSdkPort: emu.cloudSdk?.port,
    },
  } satisfies Ready);
}

/** Status events at a steady rate, in 10 ms slices; each says when it was made (`time`). */
async function statusBurst(
  emu: import('./index').RunningEmulator,
  burst: { group: string; perSecond: number; seconds: number; clients: number },
): Promise<number> {
  const sdk = emu.cloudSdk;
  if (!sdk) throw new Error('the emulator runs no Cloud SDK endpoint (start it with amqpPort)');
  const total = Math.round(burst.perSecond * burst.seconds);
  const start = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * burst.perSecond));
    for (; sent < due; sent++) {
      const device = sent % burst.clients;
      const round = Math.floor(sent / burst.clients);
      sdk.publishStatus({
        clientId: `${burst.group}@@@${device}`,
        channelId: `ch-${device}-${Math.floor(round / 2)}`,
        eventType: round % 2 === 0 ? 'connect' : 'tcpclean',
        time: Date.now(),
        clientIp: '127.0.0.1',
      });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return sent;
}

if (require.main === module) void runChild();
