import { later } from './clock';
import { OnsMqttError } from './errors';

/**
 * A cancellation of our own, for what the core starts itself (one call and its attempts, see
 * lib/send/retry.ts CallSignal): an AbortController is an EventTarget, and creating one, adding its
 * listener and dispatching on it was a measurable part of a call's CPU. This is a flag, a reason
 * and a set of functions to call.
 */
export interface OwnSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `onAbort` once when it aborts (never if it already has); the function returned cancels that. */
  listen(onAbort: () => void): () => void;
  /**
   * Calls `onTimeout` after `ms` unless the function returned is called first: an attempt's own
   * time limit, kept on the call's one timer (lib/send/retry.ts).
   */
  timeAttempt?(ms: number, onTimeout: () => void): () => void;
}

/** What every wait and request of the core can be cancelled by: a host's AbortSignal or our own. */
export type Cancellable = AbortSignal | OwnSignal;

function isOwnSignal(signal: Cancellable): signal is OwnSignal {
  return typeof (signal as Partial<OwnSignal>).listen === 'function';
}

/**
 * The error a cancelled wait or request ends with. A signal aborted by the core itself carries its
 * own OnsMqttError as the reason (DeadlineExceeded when the overall deadline ran out); any other
 * abort (a node closing, an execution cancelled) is `Aborted`.
 */
export function abortedError(signal?: Cancellable): OnsMqttError {
  const reason: unknown = signal?.reason;
  if (reason instanceof OnsMqttError) return new OnsMqttError({ code: reason.code, message: reason.message });
  return new OnsMqttError({ code: 'Aborted', message: 'The query was cancelled before it finished.' });
}

/*
 * One listener per signal, whatever waits on it. An n8n execution's signal or a Node-RED node's
 * life-long one is shared by every call it starts: a listener per call would put 1,500 on one
 * signal (Node warns past 10: MaxListenersExceededWarning) and, on a signal that lives as long as
 * the node, keep each one until the node closes. So the signal gets a single listener, and the
 * calls waiting on it sit in a set they leave when they end.
 */
const waitingOn = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` once when `signal` aborts; the function returned cancels that (call it when done). */
export function whenAborted(signal: Cancellable, onAbort: () => void): () => void {
  if (isOwnSignal(signal)) return signal.listen(onAbort);
  let waiting = waitingOn.get(signal);
  if (!waiting) {
    const created = new Set<() => void>();
    waiting = created;
    waitingOn.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        waitingOn.delete(signal);
        for (const fn of [...created]) fn();
        created.clear();
      },
      { once: true },
    );
  }
  const entry = () => onAbort();
  waiting.add(entry);
  const set = waiting;
  return () => void set.delete(entry);
}

/**
 * Calls `onTimeout` after `ms` unless the function returned is called first: on the call's own
 * timer when `signal` is a call's (OwnSignal.timeAttempt), else on a timer of its own.
 */
export function attemptTimer(signal: Cancellable | undefined, ms: number, onTimeout: () => void): () => void {
  if (signal && isOwnSignal(signal) && signal.timeAttempt) return signal.timeAttempt(ms, onTimeout);
  return later(ms, onTimeout);
}

/**
 * A signal that aborts when `parent` does or after `timeoutMs`, whichever is first, and `done()`
 * that unlinks it from the parent and clears the timer. (Not AbortSignal.any: on Node 20 each one
 * stays referenced by a long-lived parent until that parent is collected.)
 */
export function linkedSignal(
  parent: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = later(timeoutMs, () => {
    timedOut = true;
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  });
  const unlink = parent ? whenAborted(parent, () => controller.abort(parent.reason)) : () => undefined;
  if (parent?.aborted) controller.abort(parent.reason);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      cancelTimer();
      unlink();
    },
  };
}

/**
 * Rejects as soon as `signal` aborts; otherwise settles as `work` does. `onAbort` runs first when
 * it aborts (the transport destroys its request there), on the same one listener.
 */
export function raceAbort<T>(work: Promise<T>, signal: Cancellable | undefined, onAbort?: () => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    onAbort?.();
    work.catch(() => undefined); // abandoned: its outcome no longer matters
    return Promise.reject(abortedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const passOn: (reason: unknown) => void = reject;
    const stopWaiting = whenAborted(signal, () => {
      onAbort?.();
      work.catch(() => undefined);
      reject(abortedError(signal));
    });
    work.then(
      (value) => {
        stopWaiting();
        resolve(value);
      },
      (error: unknown) => {
        stopWaiting();
        // As it came: an error from another realm (a test runner's vm) is no `instanceof Error`.
        passOn(error);
      },
    );
  });
}

/** Waits `ms` on the installed clock (./clock.ts); rejects at once, with the abort's error, when `signal` aborts. */
export function sleep(ms: number, signal?: Cancellable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal));
    const cancel = later(ms, () => {
      stopWaiting();
      resolve();
    });
    const stopWaiting = signal
      ? whenAborted(signal, () => {
          cancel();
          reject(abortedError(signal));
        })
      : () => undefined;
  });
}
