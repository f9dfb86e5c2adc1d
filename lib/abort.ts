import { OnsMqttError } from './errors';

/**
 * The error a cancelled wait or request ends with. A signal aborted by the core itself carries its
 * own OnsMqttError as the reason (DeadlineExceeded when the overall deadline ran out); any other
 * abort (a node closing, an execution cancelled) is `Aborted`.
 */
export function abortedError(signal?: AbortSignal): OnsMqttError {
  const reason: unknown = signal?.reason;
  if (reason instanceof OnsMqttError) return new OnsMqttError({ code: reason.code, message: reason.message });
  return new OnsMqttError({ code: 'Aborted', message: 'The query was cancelled before it finished.' });
}

/** Rejects as soon as `signal` aborts; otherwise settles as `work` does. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined); // abandoned: its outcome no longer matters
    return Promise.reject(abortedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortedError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // As it came: an error from another realm (a test runner's vm) is no `instanceof Error`.
        reject(error as Error); // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- documents that a rejection reason is an error
      },
    );
  });
}
