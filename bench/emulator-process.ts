/**
 * The emulator in its own process, so that a benchmark measures only the client side's CPU and
 * memory: `emulator/child-process.ts` (the one implementation, shared with the tests) with the
 * benchmarks' defaults: no MQTT broker, and a request log of 10 entries unless a benchmark needs
 * arrival times (the log costs memory).
 */
import {
  startEmulatorProcess as start,
  type EmulatorProcess,
  type EmulatorProcessOptions,
} from '../emulator/child-process';

export function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  return start({ mqttPort: false, logLimit: 10, raisePriority: false, ...options });
}
