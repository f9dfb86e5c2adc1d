/**
 * Loaded into every test file (jest `setupFilesAfterEnv`): a fault that happens late in a test,
 * after its assertions passed, must not pass unseen. An unhandled rejection, an uncaught exception
 * or a MaxListenersExceededWarning (a listener leak) fails the test during which it happened, or,
 * when it comes after the last test of the file, the file itself.
 */
const faults: string[] = [];
const describeFault = (kind: string, value: unknown) =>
  `${kind}: ${value instanceof Error ? (value.stack ?? value.message) : typeof value === 'string' ? value : JSON.stringify(value)}`;

const onRejection = (reason: unknown) => void faults.push(describeFault('unhandled rejection', reason));
const onException = (error: unknown) => void faults.push(describeFault('uncaught exception', error));
process.on('unhandledRejection', onRejection);
process.on('uncaughtException', onException);

/** Warnings of the real process, from test/helpers/fault-environment.js (jest's `process` never sees them). */
const processWarnings = (globalThis as { __processWarnings?: Array<{ name: string; message: string; stack?: string }> })
  .__processWarnings;

function throwFaults(when: string): void {
  for (const warning of processWarnings?.splice(0) ?? []) {
    if (warning.name === 'MaxListenersExceededWarning')
      faults.push(`MaxListenersExceededWarning: ${warning.stack ?? warning.message}`);
  }
  if (faults.length === 0) return;
  const found = faults.splice(0);
  throw new Error(`${found.length} fault(s) ${when}:\n${found.join('\n\n')}`);
}

afterEach(async () => {
  // Warnings reach 'warning' listeners on a later tick: let them arrive.
  await new Promise((r) => setImmediate(r));
  throwFaults('during this test');
});
afterAll(async () => {
  // A rejection noticed on the next turn of the event loop still belongs to this file.
  await new Promise((r) => setImmediate(r));
  try {
    throwFaults('after the last test of this file');
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
});
export {};
