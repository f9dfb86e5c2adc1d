/**
 * The Node-RED runtime the benchmarks measure: node-red-node-test-helper's (a real runtime in this
 * process), without the sinon spies it wraps around Node's send, status and log. They record every
 * call; with thousands of messages they were most of the CPU and of the event-loop blocks
 * measured, and a host has none.
 */
import type { helper as testHelper } from '../test/helpers/node-red';

type Helper = typeof testHelper;

/** `helper.load`, then Node's own methods back in place of the spies. Call after `startServer`. */
export function loadWithoutSpies(helper: Helper): Helper['load'] {
  const nodePrototype = (helper as unknown as { _NodePrototype: Record<string, unknown> })._NodePrototype;
  const originals = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'].map(
    (m) => [m, nodePrototype[m]] as const,
  );
  return async (...args: Parameters<Helper['load']>) => {
    await helper.load(...args);
    for (const [method, original] of originals) nodePrototype[method] = original;
  };
}
