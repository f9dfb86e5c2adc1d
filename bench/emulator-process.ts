/**
 * The emulator in its own process, so that a benchmark measures only the client side's CPU and
 * memory. Parent API: startEmulatorProcess(options) -> { endpoint, ..., stats(), stop() }.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { EmulatorOptions } from '../emulator';

interface Ready {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  instanceId: string;
}

if (require.main === module) {
  // Child side.
  void (async () => {
    const { startEmulator, busiestSecond } = await import('../emulator');
    const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions & { online?: number };
    // The request log costs memory: kept only when a benchmark asks for arrival times.
    const emu = await startEmulator({ ...options, mqttPort: false, logLimit: options.logLimit ?? 10 });
    process.on('message', (m: { type: string }) => {
      if (m.type === 'stats') process.send!({ type: 'stats', stats: { ...emu.stats(), busiestSecond: busiestSecond(emu.requestLog()).count } });
      if (m.type === 'stop') void emu.stop().then(() => process.exit(0));
    });
    process.send!({ type: 'ready', endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, instanceId: emu.instanceId });
  })();
}

export async function startEmulatorProcess(options: EmulatorOptions) {
  const child: ChildProcess = fork(__filename, [JSON.stringify(options)], { stdio: 'inherit' });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m: Ready & { type: string }) => (m.type === 'ready' ? resolve(m) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    ...ready,
    stats: () =>
      new Promise<{ requests: number; byCode: Record<string, number>; byAction: Record<string, number>; busiestSecond: number }>((resolve) => {
        const on = (m: {
          type: string;
          stats: { requests: number; byCode: Record<string, number>; byAction: Record<string, number>; busiestSecond: number };
        }) => {
          if (m.type !== 'stats') return;
          child.off('message', on);
          resolve(m.stats);
        };
        child.on('message', on);
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
