/**
 * The send path of one client, as the actions see it: one call through a concurrency slot, the
 * retry policy, a rate token at the moment of sending and the transport; and a way to say that an
 * answer was not what the API documents. Every action (`lib/actions/`) is a function over this port.
 */
import { raceAbort } from '../base/abort';
import { OnsMqttError } from '../base/errors';
import type { CredentialSource } from '../credentials/sources';
import type { RateLimitedApi } from './rate-limiter';
import { runWithRetry, type RetryBudget, type RetryOptions } from './retry';
import type { RequestScheduler } from './scheduler';
import type { Transport, TransportResponse } from './transport';

export interface ActionSender {
  /** Names the endpoint and identity the calls go to (for work shared by concurrent callers); not a secret. */
  readonly scope: string;
  /** The region the client was made for (the trace's default `MqttRegionId`). */
  readonly regionId: string;
  /** Calls in progress at once: how many workers a list of calls needs, and no more. */
  readonly concurrency: number;
  call(action: RateLimitedApi, query: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse>;
  malformed(action: string, field: string, response: TransportResponse): OnsMqttError;
}

export interface RequestSenderParts {
  scope: string;
  regionId: string;
  /** The endpoint's URL, for the message of an answer that is not the OnsMqtt API's. */
  endpointUrl: string;
  credentials: CredentialSource;
  scheduler: RequestScheduler;
  retry: RetryOptions;
  retryBudget: RetryBudget | undefined;
  timeoutMs: number;
  /** Creates the transport on first use: the SDK (and the secret) are loaded only when a call is made. */
  transport: () => Transport;
}

export class RequestSender implements ActionSender {
  readonly scope: string;
  readonly regionId: string;
  /**
   * Requests written later than the send allowance after their rate token (a blocked event loop, a
   * connection that took a turn of the loop to open), each paid for with one more token.
   */
  lateWrites = 0;
  private transport: Transport | undefined;

  constructor(private readonly parts: RequestSenderParts) {
    this.scope = parts.scope;
    this.regionId = parts.regionId;
  }

  get concurrency(): number {
    return this.parts.scheduler.slots.limit;
  }

  /**
   * One action: a concurrency slot for the whole call, then per attempt the rate tokens at the
   * moment of sending, a timeout cut to what is left of the deadline, and the retry policy.
   */
  call(action: RateLimitedApi, query: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse> {
    const context = { regionId: this.regionId, instanceId: query.InstanceId };
    return this.callWithRetries(action, query, signal).catch((error: unknown) => {
      throw error instanceof OnsMqttError ? error.withContext(context) : error;
    });
  }

  malformed(action: string, field: string, response: TransportResponse): OnsMqttError {
    return new OnsMqttError({
      code: 'InvalidResponse',
      httpStatus: response.httpStatus,
      requestId: response.requestId,
      attempts: response.attempts ?? 1,
      message: `${action} answered without a valid ${field}: is ${this.parts.endpointUrl} the OnsMqtt API?`,
    });
  }

  private callWithRetries(
    action: RateLimitedApi,
    query: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<TransportResponse> {
    const { credentials, scheduler, timeoutMs } = this.parts;
    // "Expired" for a token we renew means our clock and STS's disagree: the transport has dropped
    // the token; one more attempt with a fresh one, once per call, whatever the retry settings.
    let renewedAfterExpiry = false;
    let written = 0; // requests written for this call: what an answer that cannot be read reports
    return scheduler.withSlot(signal, () =>
      runWithRetry(
        async (attempt) => {
          const send = async () => {
            // Credentials first, the rate token after: a request that waits for an AssumeRole must
            // not hold a token meanwhile, or a slow STS would release a burst when it answers.
            const signing = await raceAbort(credentials.get(), attempt.signal);
            const grantedAt = await scheduler.clearToSend(action, attempt.signal);
            attempt.sent();
            written++;
            const response = await this.getTransport().call(action, query, {
              credentials: signing,
              timeoutMs: Math.min(timeoutMs, attempt.remainingMs()),
              signal: attempt.signal,
              grantedAt,
              // A request written late is paid for, not thrown away (lib/send/send-channels.ts).
              onLateWrite: () => {
                this.lateWrites++;
                scheduler.chargeLateWrite(action);
              },
            });
            return { ...response, attempts: written };
          };
          try {
            return await send();
          } catch (error) {
            if (
              renewedAfterExpiry ||
              !credentials.refreshes ||
              !(error instanceof OnsMqttError) ||
              error.code !== 'InvalidSecurityToken.Expired'
            )
              throw error;
            renewedAfterExpiry = true;
            return await send();
          }
        },
        this.parts.retry,
        { signal, budget: this.parts.retryBudget, attemptTimeoutMs: timeoutMs },
      ),
    );
  }

  private getTransport(): Transport {
    this.transport ??= this.parts.transport();
    return this.transport;
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once, without a promise per item up front. */
export async function inPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Math.min(count, concurrency);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
