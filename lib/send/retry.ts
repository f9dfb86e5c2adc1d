import { abortedError, sleep, whenAborted, type Cancellable, type OwnSignal } from '../base/abort';
import { later } from '../base/clock';
import { OnsMqttError } from '../base/errors';

/**
 * Retry decisions as a small, pure policy (after the AWS SDK's standard strategy): which error is
 * worth another attempt, how long to wait (exponential backoff with full jitter) and when to stop
 * (attempt count, an overall deadline, a retry budget). The runner below is the only place that
 * sleeps, and it enforces the deadline on every attempt too, not only between attempts.
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

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'fail-class' | 'attempts' | 'deadline' };

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

/**
 * Retry quota, as in the AWS SDK's standard mode: each retry draws tokens (more after a timeout,
 * which is the costlier failure), each success gives back what its retries drew, or one token
 * when it needed none. A healthy client never runs dry; under a broad outage the quota empties
 * after `capacity / retryCost` retries and every further call makes one attempt only, so a
 * failing service sees about one request per call instead of `maxAttempts`.
 */
export interface RetryBudgetOptions {
  capacity: number;
  retryCost: number;
  timeoutCost: number;
  successIncrement: number;
}

export const DEFAULT_RETRY_BUDGET: Readonly<RetryBudgetOptions> = Object.freeze({
  capacity: 500,
  retryCost: 5,
  timeoutCost: 10,
  successIncrement: 1,
});

const TIMEOUT_CODES = new Set(['RequestTimeout', 'DeadlineExceeded']);

export class RetryBudget {
  private available: number;

  constructor(readonly options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET) {
    this.available = options.capacity;
  }

  get tokens(): number {
    return this.available;
  }

  /** Draws the cost of retrying after `error`; 0 when the quota cannot pay it (no retry). */
  draw(error: OnsMqttError): number {
    const cost = TIMEOUT_CODES.has(error.code) ? this.options.timeoutCost : this.options.retryCost;
    if (this.available < cost) return 0;
    this.available -= cost;
    return cost;
  }

  /** A call succeeded after drawing `drawn` tokens for its retries. */
  refund(drawn: number): void {
    this.available = Math.min(
      this.options.capacity,
      this.available + (drawn > 0 ? drawn : this.options.successIncrement),
    );
  }
}

export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: Cancellable): Promise<void>;
  /** Calls `fn` after `ms` unless cancelled by the returned function. */
  timer(ms: number, fn: () => void): () => void;
  random(): number;
}

/** The installed clock (lib/base/clock.ts) and Math.random: what a call uses unless a test gives its own. */
export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep,
  timer: later,
  random: Math.random,
};

/** What one attempt gets: a signal that aborts on cancellation or at the deadline, and the time left. */
export interface AttemptContext {
  attempt: number;
  signal: CallSignal;
  remainingMs(): number;
  /** Call right before the request leaves: `attempts` on the error counts requests really sent. */
  sent(): void;
  /** Takes back a `sent()` for a request that was abandoned before it was written (a stale rate token). */
  notSent(): void;
}

export interface RunOptions {
  clock?: RetryClock;
  /** Cancels waiting (queue, rate limit, backoff) and the request in flight. */
  signal?: Cancellable;
  budget?: RetryBudget;
  /**
   * How long an attempt may take (the transport's timeout): the call's one timer is first set to
   * fire then, so that an attempt started soon after the call needs no timer of its own.
   */
  attemptTimeoutMs?: number;
}

/**
 * One call's cancellation, deadline and attempt time limit, on one timer. The call aborts when the
 * caller's signal does or at the deadline; an attempt's time limit (timeAttempt, used by the
 * transport) fires its own callback without aborting the call. The timer is set for the nearest
 * of the two and, when it fires early (the attempt started later than the call), set again for
 * what is left: a call answered in time creates one timer, where it had an AbortController, two
 * timers and three listeners.
 */
export class CallSignal implements OwnSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Set<() => void> | undefined;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private attemptEndsAt: number | undefined;
  private onAttemptTimeout: (() => void) | undefined;

  constructor(
    private readonly clock: RetryClock,
    private readonly deadlineAt: number,
    private readonly onDeadline: () => unknown,
    firstCheckAt: number,
  ) {
    this.arm(Math.min(deadlineAt, firstCheckAt));
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.stop();
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const fn of listeners) fn();
  }

  listen(onAbort: () => void): () => void {
    if (this.aborted) return () => undefined;
    const entry = () => onAbort(); // its own identity: one function may listen twice
    (this.listeners ??= new Set()).add(entry);
    return () => void this.listeners?.delete(entry);
  }

  timeAttempt(ms: number, onTimeout: () => void): () => void {
    const endsAt = this.clock.now() + ms;
    this.attemptEndsAt = endsAt;
    this.onAttemptTimeout = onTimeout;
    if (endsAt < this.timerAt) this.arm(endsAt);
    return () => {
      if (this.attemptEndsAt !== endsAt) return;
      this.attemptEndsAt = undefined;
      this.onAttemptTimeout = undefined;
    };
  }

  /** The call is over: no timer left behind. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }

  private arm(at: number): void {
    this.cancelTimer?.();
    this.timerAt = at;
    this.cancelTimer = this.clock.timer(Math.max(0, at - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    if (this.aborted) return;
    const now = this.clock.now();
    if (now >= this.deadlineAt) return void this.abort(this.onDeadline());
    if (this.attemptEndsAt !== undefined && now >= this.attemptEndsAt) {
      const onTimeout = this.onAttemptTimeout;
      this.attemptEndsAt = undefined;
      this.onAttemptTimeout = undefined;
      onTimeout?.();
    }
    this.arm(Math.min(this.deadlineAt, this.attemptEndsAt ?? Infinity));
  }
}

/**
 * Run `attemptOnce` until it succeeds or the policy says stop. The thrown error carries the number
 * of requests sent in `attempts`. Cancellation ends it at once with `Aborted`; the deadline ends it
 * at once with `DeadlineExceeded`, in flight or between attempts.
 */
export async function runWithRetry<T>(
  attemptOnce: (ctx: AttemptContext) => Promise<T>,
  options: RetryOptions,
  run: RunOptions = {},
): Promise<T> {
  const clock = run.clock ?? systemClock;
  const started = clock.now();
  const remainingMs = () => options.deadlineMs - (clock.now() - started);
  let sent = 0;
  let drawn = 0;
  let lastError: OnsMqttError | undefined;
  const deadlineError = () =>
    new OnsMqttError({
      code: 'DeadlineExceeded',
      message:
        `No answer within the ${options.deadlineMs} ms allowed for this query` +
        (lastError
          ? ` (${sent} attempt${sent === 1 ? '' : 's'}; last: ${lastError.message})`
          : sent
            ? ` (${sent} attempt${sent === 1 ? '' : 's'})`
            : '') +
        '.',
    });

  // One signal for the whole call: the caller's cancellation or our deadline, whichever comes first.
  if (run.signal?.aborted) throw withAttempts(abortedError(run.signal), 0);
  const signal = new CallSignal(
    clock,
    started + options.deadlineMs,
    deadlineError,
    started + (run.attemptTimeoutMs ?? options.deadlineMs),
  );
  const callerSignal = run.signal;
  const unlinkCaller = callerSignal
    ? whenAborted(callerSignal, () => signal.abort(callerSignal.reason))
    : () => undefined;
  const stopped = () =>
    withAttempts(signal.reason instanceof OnsMqttError ? deadlineError() : abortedError(signal), sent);

  try {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw stopped();
      if (remainingMs() <= 0) throw withAttempts(deadlineError(), sent);
      try {
        const result = await attemptOnce({ attempt, signal, remainingMs, sent: () => sent++, notSent: () => sent-- });
        run.budget?.refund(drawn);
        return result;
      } catch (caught) {
        if (signal.aborted) throw stopped();
        const error = caught instanceof OnsMqttError ? caught : unexpected(caught);
        lastError = error;
        const decision = decideRetry(error, attempt, clock.now() - started, options, () => clock.random());
        if (!decision.retry) {
          if (decision.reason === 'deadline') throw withAttempts(deadlineError(), sent);
          throw withAttempts(error, sent);
        }
        const cost = run.budget ? run.budget.draw(error) : 1;
        if (cost === 0) throw withAttempts(error, sent); // retry quota empty: no more load on a failing service
        drawn += run.budget ? cost : 0;
        try {
          await clock.sleep(decision.delayMs, signal);
        } catch {
          throw stopped();
        }
      }
    }
  } finally {
    signal.stop();
    unlinkCaller();
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
