/** The real Node-RED runtime (node-red-node-test-helper, which has no type declarations). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as {
  init(path: string, settings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown, flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  settings(s: Record<string, unknown>): void;
  log(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
};
// NODE_RED_PATH runs the same tests on another Node-RED (CI: Node-RED 5 on Node 24).
export const NODE_RED_MAIN = require.resolve(process.env.NODE_RED_PATH || 'node-red');
helper.init(NODE_RED_MAIN);

/** Collect what reaches a helper node. Assertions inside node callbacks are swallowed: collect, then assert. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages are untyped by nature
export function collect(id: string): Array<Record<string, any>> {
  const msgs: Array<Record<string, unknown>> = [];
  helper.getNode(id).on('input', (msg: Record<string, unknown>) => msgs.push(msg));
  return msgs;
}

export async function waitUntil(check: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * After the expected messages have arrived: asserts that nothing more does while the runtime has
 * `turns` more turns of work (each a pause of 10 ms), failing at once when one arrives. It is a
 * bound on counts, not on time: a slower machine only looks longer.
 */
export async function expectNothingMore(count: () => number, turns = 20): Promise<void> {
  const settled = count();
  for (let i = 0; i < turns; i++) {
    await new Promise((r) => setTimeout(r, 10));
    if (count() !== settled) throw new Error(`Expected nothing more to arrive, but ${count() - settled} more did`);
  }
}
