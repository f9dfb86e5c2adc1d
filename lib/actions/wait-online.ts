/**
 * "Wait until the device connects": QuerySessionByClientId again and again, from every 0.5 s at
 * first to every `pollIntervalMs` (backoff ×1.5), through the same scheduler and limits as any
 * query, until the device is online or `timeoutMs` has passed. On timeout the connection trace of
 * the window comes with the answer: a refused login, a drop, or nothing at all is the evidence a
 * ticket needs. Errors the retry policy gave up on keep the wait going if they are transient (the
 * service may come back before the deadline); a permanent one (a wrong instance, no permission)
 * ends it at once, since waiting cannot fix it.
 */
import { abortedError } from '../base/abort';
import { OnsMqttError, invalidInput } from '../base/errors';
import type { ConnectionEvent } from '../base/results';
import { systemClock } from '../send/retry';
import { optionalNumber } from '../base/validation';
import { deviceRef, type DeviceRef } from './device-credential';

export const MAX_WAIT_MS = 3_600_000;
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
const FIRST_POLL_INTERVAL_MS = 500;

export interface WaitUntilOnlineInput extends DeviceRef {
  timeoutMs: number;
  /** The longest pause between two checks (default 5 s; the first ones come sooner). */
  pollIntervalMs?: number;
}

export type WaitUntilOnlineResult =
  | {
      online: true;
      clientId: string;
      instanceId: string;
      waitedMs: number;
      checks: number;
      requestId: string | undefined;
      checkedAt: string;
    }
  | {
      online: false;
      timedOut: true;
      clientId: string;
      instanceId: string;
      waitedMs: number;
      checks: number;
      /** Connection events of the window, newest first. */
      trace: ConnectionEvent[];
      /** When the trace could not be read: why (the timeout stands without it). */
      traceError?: OnsMqttError;
      /** The last transient error of a check, if the last check failed. */
      lastError?: OnsMqttError;
    };

export interface WaitDependencies {
  querySession(
    ref: DeviceRef,
    signal?: AbortSignal,
  ): Promise<{ online: boolean; requestId: string | undefined; checkedAt: string }>;
  queryConnectionTrace(
    input: DeviceRef & { from: number; to: number; limit: number },
    signal?: AbortSignal,
  ): Promise<ConnectionEvent[]>;
}

export async function waitUntilOnline(
  deps: WaitDependencies,
  input: WaitUntilOnlineInput,
  signal?: AbortSignal,
): Promise<WaitUntilOnlineResult> {
  const ref = deviceRef(input);
  const timeoutMs = optionalNumber('timeoutMs', input.timeoutMs, { min: 1, max: MAX_WAIT_MS });
  if (timeoutMs === undefined)
    throw invalidInput('timeoutMs', `is required: how long to wait, in milliseconds (at most ${MAX_WAIT_MS}).`);
  const maxInterval =
    optionalNumber('pollIntervalMs', input.pollIntervalMs, { min: 100, max: 600_000 }) ?? DEFAULT_POLL_INTERVAL_MS;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let interval = Math.min(FIRST_POLL_INTERVAL_MS, maxInterval);
  let checks = 0;
  let lastError: OnsMqttError | undefined;
  for (;;) {
    if (signal?.aborted) throw abortedError(signal);
    checks++;
    try {
      const status = await deps.querySession(ref, signal);
      lastError = undefined;
      if (status.online)
        return {
          online: true,
          ...ref,
          waitedMs: Date.now() - started,
          checks,
          requestId: status.requestId,
          checkedAt: status.checkedAt,
        };
    } catch (error) {
      if (!(error instanceof OnsMqttError) || !error.retryable || error.code === 'Aborted') throw error;
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await systemClock.sleep(Math.min(interval, left), signal);
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
  const result: WaitUntilOnlineResult = {
    online: false,
    timedOut: true,
    ...ref,
    waitedMs: Date.now() - started,
    checks,
    trace: [],
  };
  if (lastError) result.lastError = lastError;
  try {
    // A little before the start: a refusal just before the wait began is part of the story.
    result.trace = await deps.queryConnectionTrace(
      { ...ref, from: started - 60_000, to: Date.now(), limit: 100 },
      signal,
    );
  } catch (error) {
    if (error instanceof OnsMqttError && error.code === 'Aborted') throw error;
    result.traceError =
      error instanceof OnsMqttError ? error : new OnsMqttError({ code: 'NetworkError', message: String(error) });
  }
  return result;
}
