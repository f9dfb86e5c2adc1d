/**
 * The core's timers, as a port each host provides (docs/architecture.md, "Ports"). The core waits
 * (between retries, for a rate token, for an attempt's deadline) but never names a timer of the
 * runtime itself: the n8n package may not (n8n's verification refuses `setTimeout` and its kin in
 * shipped code and asks for `sleepWithAbort` from `n8n-workflow`), and a test may want its own.
 *
 * - lib/node/node-clock.ts: Node's timers, installed by the full package's entries (the
 *   programmatic API, Node-RED, the n8n extras package) when they load.
 * - nodes/n8n-common/n8n-clock.ts: n8n's `sleepWithAbort`, installed by the n8n package's nodes.
 *
 * `sleep` (a wait that an abort ends) is in ./abort.ts, beside the signals.
 *
 * One clock per copy of the core: each package ships its own copy, so two packages loaded in one
 * n8n never share or replace each other's.
 */
export interface Clock {
  /** Calls `fn` once after `ms` unless the function returned is called first. */
  timer(ms: number, fn: () => void): () => void;
  /**
   * Like `timer`, but does not keep the process alive on its own (Node's `unref`): for periodic
   * housekeeping a host that exits should not wait for. Hosts without the notion use `timer`.
   */
  background?(ms: number, fn: () => void): () => void;
  /**
   * Calls `fn` in the next turn of the host's event loop, after its I/O (Node's `setImmediate`):
   * work taken in at once and done a slice per turn. Hosts without it use `timer(0, fn)`.
   */
  immediate?(fn: () => void): void;
}

let installed: Clock | undefined;

/** Makes `clock` the core's clock. The last one installed wins; each host installs one as it loads. */
export function installClock(clock: Clock): void {
  installed = clock;
}

/** The installed clock; throws a plain error naming the fix when a host forgot to install one. */
export function clock(): Clock {
  if (!installed)
    throw new Error(
      'No clock is installed in this copy of the core: load it through a host entry (lib/index, lib/internal, or the n8n nodes), which installs one.',
    );
  return installed;
}

/** Calls `fn` after `ms`, on the installed clock. */
export function later(ms: number, fn: () => void): () => void {
  return clock().timer(ms, fn);
}

/** Calls `fn` after `ms` without keeping the process alive for it (where the host can). */
export function laterInBackground(ms: number, fn: () => void): () => void {
  const c = clock();
  return c.background ? c.background(ms, fn) : c.timer(ms, fn);
}

/** Calls `fn` every `ms` until the function returned is called (never two at once: each waits for the last). */
export function every(ms: number, fn: () => void, options: { background?: boolean } = {}): () => void {
  let stopped = false;
  let cancel: () => void = () => undefined;
  const arm = () => {
    if (stopped) return;
    cancel = (options.background ? laterInBackground : later)(ms, () => {
      arm();
      fn();
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}

/** Runs `fn` in the next turn of the event loop (the host's `setImmediate`, else a timer of 0 ms). */
export function soon(fn: () => void): void {
  const c = clock();
  if (c.immediate) c.immediate(fn);
  else c.timer(0, fn);
}
