/**
 * One fixture for the tests that run our nodes in a real Node-RED against the emulator: both
 * started once per file, each test's flow unloaded after it, both stopped after the file. Extra
 * set-up of a file goes in its own beforeAll, which runs after this one.
 */
import type { EmulatorOptions, RunningEmulator } from '../../emulator';
import { emulatorWithSentinel } from './emulator';
import { helper } from './node-red';

export interface NodeRedFixture {
  /** The emulator (set once the file's first beforeAll has run). */
  readonly emu: RunningEmulator;
}

export function nodeRedWithEmulator(
  options: EmulatorOptions = {},
  start: (options: EmulatorOptions) => Promise<RunningEmulator> = emulatorWithSentinel,
): NodeRedFixture {
  const fixture: { emu?: RunningEmulator } = {};
  beforeAll(async () => {
    fixture.emu = await start(options);
    await helper.startServer();
  }, 60_000);
  afterEach(() => helper.unload());
  afterAll(async () => {
    await helper.stopServer();
    await fixture.emu?.stop();
  });
  return {
    get emu(): RunningEmulator {
      if (!fixture.emu) throw new Error('The emulator starts in beforeAll: use it inside a test or a hook.');
      return fixture.emu;
    },
  };
}
