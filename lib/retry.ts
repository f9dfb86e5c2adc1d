import { OnsMqttError } from './errors';

/**
 * Retry decisions as a small, pure policy (after the AWS SDK's standard strategy): which error is
 * worth another attempt, how long to wait (exponential backoff with full jitter) and when to stop
 * (attempt count and an overall deadline). The runner below is the only place that sleeps.
 */
export interface RetryOptions {
  /** Total attempts including the first (1 = never retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Overall time budget for one query, all attempts and waits included. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  deadlineMs: 60_000,
});

/** Upper bound of the wait before attempt `attempt + 1`, after `attempt` failed attempts (1-based). */
export function backoffCeiling(attempt: number, options: RetryOptions): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
}

/** Full jitter: uniform in [0, ceiling). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, options));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'fail-class' | 'attempts' | 'deadline' };

/** Pure: given the error of attempt `attempt` and the time spent so far, what next? */
export function decideRetry(
  error: OnsMqttError,
  attempt: number,
  elapsedMs: number,
  options: RetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  if (!error.retryable) return { retry: false, reason: 'fail-class' };
  if (attempt >= options.maxAttempts) return { retry: false, reason: 'attempts' };
  const delayMs = backoffDelay(attempt, options, random);
  if (elapsedMs + delayMs >= options.deadlineMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}

export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortedError());
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: Math.random,
};

export function abortedError(): OnsMqttError {
  return new OnsMqttError({ code: 'Aborted', message: 'The query was cancelled before it finished.' });
}

/**
 * Run `attempt` until it succeeds or the policy says stop. The thrown error carries the number of
 * requests sent in `attempts`. `attempt` must throw OnsMqttError only (the transport guarantees it).
 */
export async function runWithRetry<T>(
  attemptOnce: (attempt: number) => Promise<T>,
  options: RetryOptions,
  clock: RetryClock = systemClock,
  signal?: AbortSignal,
): Promise<T> {
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw withAttempts(abortedError(), attempt - 1);
    try {
      return await attemptOnce(attempt);
    } catch (caught) {
      const error = caught instanceof OnsMqttError ? caught : unexpected(caught);
      const decision = decideRetry(error, attempt, clock.now() - started, options, clock.random);
      if (!decision.retry) throw withAttempts(error, attempt);
      try {
        await clock.sleep(decision.delayMs, signal);
      } catch {
        throw withAttempts(error, attempt);
      }
    }
  }
}

function withAttempts(error: OnsMqttError, attempts: number): OnsMqttError {
  error.attempts = attempts;
  return error;
}

function unexpected(caught: unknown): OnsMqttError {
  // Programming errors are not retried: they would fail the same way again.
  const message = caught instanceof Error ? caught.message : String(caught);
  return new OnsMqttError({ code: 'InternalClientError', message: `Unexpected error: ${message}`, errorClass: 'fail' });
}
