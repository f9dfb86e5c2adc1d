/**
 * Node's timers as the core's clock (./clock.ts): what the full package's entries install (the
 * programmatic API, the Node-RED nodes, the n8n extras package). Background timers are unref'd, so
 * a script that is done exits without waiting for the core's housekeeping.
 */
import { installClock, type Clock } from './clock';

export const nodeClock: Clock = {
  timer(ms, fn) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
  immediate(fn) {
    setImmediate(fn);
  },
  background(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/** Installs Node's timers as the core's clock. */
export function installNodeClock(): void {
  installClock(nodeClock);
}
