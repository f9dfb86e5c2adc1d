/**
 * The emulator in its own process, as the rate tests use it: arrival times in its request log are
 * then not delayed by the client's own work in the same event loop. The one implementation is
 * `emulator/child-process.ts` (the benchmarks use it too); this adds what the tests expect of it:
 * an MQTT broker, and a second AccessKey for limits shared across keys.
 */
import { startEmulatorProcess as start, type EmulatorProcess } from '../../emulator/child-process';
import { DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from '../../emulator';

/** A second AccessKey the emulator process also accepts (for tests of limits shared across keys). */
export const SECOND_KEY = { accessKeyId: 'LTAI5tSecondKeyOfTests', accessKeySecret: 'second-key-secret-of-tests' };

export type { EmulatorProcess };

export function startEmulatorProcess(): Promise<EmulatorProcess> {
  return start({
    mqttPort: 0,
    accessKeys: [{ accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET }, SECOND_KEY],
  });
}
