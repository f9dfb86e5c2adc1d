import { inspect } from 'node:util';
import { raceAbort } from './abort';
import { credentialSource, type CredentialSource } from './credentials/sources';
import { accountOf, validateCredentialSpec, type CredentialSpec } from './credentials/spec';
import { requireRegionId, resolveEndpoint, type Network, type ResolvedEndpoint } from './endpoints';
import { OnsMqttError, asOnsMqttError, invalidInput } from './errors';
import type { RateLimitedApi, TokenStore } from './rate-limiter';
import type { SharedLimitOptions } from './shared-limit/options';
import { DEFAULT_RETRY, DEFAULT_RETRY_BUDGET, RetryBudget, runWithRetry, type RetryBudgetOptions, type RetryOptions } from './retry';
import { RequestScheduler } from './scheduler';
import { StaleGrant } from './send-channels';
import { createSdkTransport, type Transport, type TransportResponse } from './transport';
import { displayValue, optionalNumber, optionalString, requireCredential, requireId, requireOneOf, requireTime } from './validation';
import { parseTracePage, type ConnectionEvent } from './trace';
import {
  DEFAULT_DETAILS_TIMEOUT_MS,
  DEFAULT_TRACE_TIME_ZONE,
  parseUtcOffset,
  readOfflineDetails,
  type OfflineDetails,
  type OfflineDetailsOptions,
} from './offline-details';
import * as provisioning from './provisioning';
import { withProxy } from './proxy/route';
import { describeProxy, resolveProxy, type ProxyOption, type ProxySettings } from './proxy/settings';
import { describeRedis } from './shared-limit/options';
import type { ActionSender } from './provisioning/sender';
import type { DeviceCredential, DeviceRef } from './provisioning/device-credential';

export interface OnsMqttClientOptions {
  /** The short form of `credential: { type: 'access_key' | 'sts', ... }`. */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** STS security token: when given, the key pair is an STS temporary credential. */
  securityToken?: string;
  /**
   * Where the credentials come from, when not a fixed key pair: AssumeRole, the ECS instance role,
   * OIDC (ACK RRSA), a credentials URI or Alibaba's default chain (see lib/credentials/spec.ts).
   * Temporary credentials are shared by every client of the same identity and renewed before
   * they expire.
   */
  credential?: CredentialSpec;
  /** Default 'cn-hangzhou'. Any well-formed region id is accepted. */
  regionId?: string;
  /** 'public' (default) or 'vpc' (onsmqtt-vpc.{region}.aliyuncs.com). */
  network?: Network;
  /** Full endpoint, overrides region and network: 'https://host[:port]' or 'http://127.0.0.1:port'. */
  endpoint?: string;
  /** Per-request timeout, default 10 000 ms. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /**
   * Retry quota of this client (AWS standard mode): `false` turns it off. Default capacity 500,
   * 5 per retry, 10 per retry after a timeout, 1 back per success.
   */
  retryBudget?: Partial<RetryBudgetOptions> | false;
  /**
   * This client's own ceiling, in requests per second per API (the same name as in the n8n node
   * and the Node-RED nodes). It only lowers this client's rate: the per-source limit that every
   * client of the process shares stays as it is for the others.
   */
  maxRequestsPerSecond?: number;
  /** @deprecated the 0.1 name of `maxRequestsPerSecond`, still read. */
  maxQps?: number;
  /** Calls in progress at once for this client (each holds its slot through its retries), default 32. */
  concurrency?: number;
  /** Where the shared rate tokens come from (default: this process's own store). */
  tokenStore?: TokenStore;
  /**
   * Share the rate limits with other processes over Redis (n8n queue mode, several Node-RED
   * instances, any fleet of scripts): per source IP within an `egressId` group, per account across
   * all. If Redis is down or slow, each process keeps to its share alone. See README "Running at scale".
   */
  sharedLimit?: SharedLimitOptions;
  /** Where the client reports what an operator should know but is not an error (default console.warn). */
  warn?: (message: string) => void;
  /** Accept plain http:// to a host that is not loopback (sends the STS token in clear). */
  allowInsecureHttp?: boolean;
  /** Accept a certificate that cannot be verified (self-signed, private CA). Off by default. */
  allowUnverifiedTls?: boolean;
  /**
   * The UTC offset of the connection trace's times ("+08:00" by default, as in the service's own
   * example; "UTC", "-05:00", ...). Used to turn them into the ISO times of the offline details.
   */
  traceTimeZone?: string;
  /**
   * An HTTP proxy for every request this client makes (the API, STS, a credentials URI): `{ url,
   * noProxy?, loopback? }`, or `false` for none. Default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from
   * the environment. HTTPS goes through CONNECT, verified end to end; loopback and the ECS
   * metadata address go direct unless asked.
   */
  proxy?: ProxyOption | false;
}

export interface SessionStatus {
  clientId: string;
  instanceId: string;
  online: boolean;
  requestId: string | undefined;
  /** ISO 8601 time at which the service answered. */
  checkedAt: string;
  /** Offline only, when asked for: why and since when (from the connection trace). */
  details?: OfflineDetails;
}

export interface SessionQueryFailure {
  clientId: string;
  instanceId: string;
  error: OnsMqttError;
}

export type SessionQueryOutcome = SessionStatus | SessionQueryFailure;
export type QueryMode = 'exact' | 'batch';

export interface CallOptions {
  /** Cancels the call at any stage: queued, waiting for a rate token, in flight, between attempts. */
  signal?: AbortSignal;
}

export interface StatusCallOptions extends CallOptions {
  /**
   * For an offline device, also read why and since when (one connection-trace query, through the
   * same limits). A trace that fails or is slow leaves the status as it is, marked as missing them.
   */
  offlineDetails?: boolean | OfflineDetailsOptions;
}

export function isSessionFailure(outcome: SessionQueryOutcome): outcome is SessionQueryFailure {
  return 'error' in outcome;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONCURRENCY = 32;
export const BATCH_SIZE = 10;
export const DEFAULT_TRACE_LIMIT = 100;
export const MAX_TRACE_LIMIT = 10_000;
const TRACE_PAGE_SIZE = 100;

/**
 * The programmatic API: ask ApsaraMQ for MQTT whether devices are online, with validation,
 * rate limiting, bounded retries and one result per input, in input order.
 */
export class OnsMqttClient {
  readonly endpoint: ResolvedEndpoint;
  readonly regionId: string;
  private readonly retry: RetryOptions;
  private readonly retryBudget: RetryBudget | undefined;
  private readonly scheduler: RequestScheduler;
  private readonly timeoutMs: number;
  private readonly transportFactory: () => Transport;
  private transport: Transport | undefined;
  /** Requests abandoned before they were written because their rate token had grown too old. */
  staleGrants = 0;
  /** Who signs (never a secret): an AccessKey ID, or a role and the key that assumes it. */
  readonly identity: string;
  private readonly credentials: CredentialSource;
  /** What the provisioning actions send through: this client's scheduler, retry policy and error table. */
  private readonly sender: ActionSender;
  /** Where requests go through (undefined: direct). */
  private readonly proxy: ProxySettings | undefined;
  /** Minutes east of UTC of the trace's times. */
  private readonly traceOffsetMinutes: number;

  /** Where the rate limits are shared (host, port and database; never the password). */
  private readonly sharedLimitWhere: string | undefined;

  constructor(options: OnsMqttClientOptions) {
    if (!options || typeof options !== 'object') throw invalidInput('options', 'expected an object with accessKeyId and accessKeySecret, or a credential.');
    const spec = options.credential !== undefined ? validateCredentialSpec(options.credential) : shortFormCredential(options);
    this.proxy = resolveProxy(options.proxy);
    this.credentials = throughProxy(credentialSource(spec), this.proxy);
    this.identity = this.credentials.identity;
    this.endpoint = resolveEndpoint(options);
    const zone = optionalString('traceTimeZone', options.traceTimeZone) ?? DEFAULT_TRACE_TIME_ZONE;
    const offset = parseUtcOffset(zone);
    if (offset === undefined) throw invalidInput('traceTimeZone', `"${zone}" is not a UTC offset; use for example "+08:00", "-05:00" or "UTC".`);
    this.traceOffsetMinutes = offset;
    this.regionId = requireRegionId(options.regionId);
    const timeoutMs = optionalNumber('timeoutMs', options.timeoutMs, { min: 1, max: 600_000 }) ?? DEFAULT_TIMEOUT_MS;
    this.timeoutMs = timeoutMs;
    const retry = options.retry ?? {};
    if (typeof retry !== 'object') throw invalidInput('retry', 'expected an object { maxAttempts, baseDelayMs, maxDelayMs }.');
    const baseDelayMs = optionalNumber('retry.baseDelayMs', retry.baseDelayMs, { min: 0, max: 60_000 }) ?? DEFAULT_RETRY.baseDelayMs;
    this.retry = {
      maxAttempts: optionalNumber('retry.maxAttempts', retry.maxAttempts, { min: 1, max: 10 }) ?? DEFAULT_RETRY.maxAttempts,
      baseDelayMs,
      maxDelayMs: optionalNumber('retry.maxDelayMs', retry.maxDelayMs, { min: baseDelayMs, max: 300_000 }) ?? Math.max(baseDelayMs, DEFAULT_RETRY.maxDelayMs),
      deadlineMs: optionalNumber('retry.deadlineMs', retry.deadlineMs, { min: 1, max: 3_600_000 }) ?? Math.max(DEFAULT_RETRY.deadlineMs, timeoutMs * 2),
    };
    this.retryBudget = retryBudgetFrom(options.retryBudget);
    this.scheduler = new RequestScheduler({
      endpointHost: this.endpoint.host,
      concurrency: optionalNumber('concurrency', options.concurrency, { min: 1, max: 1000 }) ?? DEFAULT_CONCURRENCY,
      maxQps:
        optionalNumber('maxRequestsPerSecond', options.maxRequestsPerSecond, { min: 0.1, max: 10_000 }, false) ??
        optionalNumber('maxQps', options.maxQps, { min: 0.1, max: 10_000 }, false),
      account: options.sharedLimit?.accountId ? `account:${options.sharedLimit.accountId}` : accountOf(spec),
      store: options.tokenStore ?? sharedStoreFor(options),
    });
    this.sharedLimitWhere = options.sharedLimit ? describeRedis(options.sharedLimit.redisUrl) : undefined;
    const config = {
      credentials: this.credentials,
      endpoint: this.endpoint,
      timeoutMs,
      allowUnverifiedTls: options.allowUnverifiedTls === true,
      proxy: this.proxy,
    };
    // The SDK (and the secret) live only inside the transport, created on first use.
    this.transportFactory = () => createSdkTransport(config);
    this.sender = {
      scope: `${this.endpoint.url}\u0000${this.identity}`,
      call: (action, query, signal) => this.send(action, query, signal),
      malformed: (action, field, response) => this.malformed(action, field, response),
    };
  }
  /**
   * What JSON.stringify and util.inspect show of a client: where it sends and who signs, never a
   * secret (its credentials, the proxy's and Redis's logins stay inside).
   */
  toJSON(): Record<string, unknown> {
    return {
      endpoint: this.endpoint.url,
      regionId: this.regionId,
      identity: this.identity,
      ...(this.proxy ? { proxy: [this.proxy.http, this.proxy.https].filter((u): u is URL => u !== undefined).map(describeProxy) } : {}),
      ...(this.sharedLimitWhere ? { sharedLimit: this.sharedLimitWhere } : {}),
    };
  }

  [inspect.custom](): string {
    return `OnsMqttClient ${inspect(this.toJSON())}`;
  }

  /**
   * Obtains the credentials now (the AssumeRole, metadata or URI exchange) rather than with the
   * first request: what a credential test checks first. Throws OnsMqttError.
   */
  async prepareCredentials(): Promise<{ refreshes: boolean; identity: string }> {
    await this.credentials.get();
    return { refreshes: this.credentials.refreshes, identity: this.identity };
  }

  /** Is this device connected? Calls QuerySessionByClientId. Throws OnsMqttError. */
  async querySession(input: { clientId: string; instanceId: string }, options: StatusCallOptions = {}): Promise<SessionStatus> {
    const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
    const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
    const response = await this.send('QuerySessionByClientId', { ClientId: clientId, InstanceId: instanceId }, options.signal);
    const online = response.body.OnlineStatus;
    if (typeof online !== 'boolean') throw this.malformed('QuerySessionByClientId', 'OnlineStatus', response);
    const status: SessionStatus = { clientId, instanceId, online, requestId: response.requestId, checkedAt: new Date().toISOString() };
    return options.offlineDetails ? this.withOfflineDetails(status, options) : status;
  }

  /**
   * Why and since when the device is offline, from its connection trace of the last day. Never
   * throws for the trace: unreadable details come back with `offlineDetailsMissing` saying why.
   */
  readOfflineDetails(device: { clientId: string; instanceId: string }, options: CallOptions & OfflineDetailsOptions = {}): Promise<OfflineDetails> {
    const timeoutMs = optionalNumber('offlineDetails.timeoutMs', options.timeoutMs, { min: 1, max: 600_000 }) ?? DEFAULT_DETAILS_TIMEOUT_MS;
    return readOfflineDetails((query, signal) => this.queryConnectionTrace(query, { signal }), device, {
      now: Date.now(),
      offsetMinutes: this.traceOffsetMinutes,
      timeoutMs,
      signal: options.signal,
    });
  }

  /** The status with its offline details when it is offline (an online status is returned as is). */
  private async withOfflineDetails(status: SessionStatus, options: StatusCallOptions): Promise<SessionStatus> {
    if (status.online) return status;
    const detailOptions = typeof options.offlineDetails === 'object' ? options.offlineDetails : {};
    return { ...status, details: await this.readOfflineDetails(status, { ...detailOptions, signal: options.signal }) };
  }

  /**
   * Many devices of one instance. One outcome per input id, in input order; an id that fails
   * (locally or remotely) gets `{ clientId, instanceId, error }` and never stops the others.
   *
   * mode 'exact' (default) calls QuerySessionByClientId once per id, concurrently within the rate
   * limit. mode 'batch' calls BatchQuerySessionByClientIds with 10 ids per call: ten times fewer
   * calls, but the service answers it from an internal cache that can lag behind the real state.
   */
  async querySessions(
    input: { clientIds: readonly unknown[]; instanceId: string; mode?: QueryMode },
    options: StatusCallOptions & { onResult?: (outcome: SessionQueryOutcome, index: number) => void } = {},
  ): Promise<SessionQueryOutcome[]> {
    if (!input || !Array.isArray(input.clientIds)) throw invalidInput('clientIds', 'expected an array of Client IDs.');
    const mode = requireOneOf<QueryMode>('mode', input.mode, ['exact', 'batch'], 'exact');
    const ids = input.clientIds;
    const results = new Array<SessionQueryOutcome>(ids.length);
    const rawInstance = typeof input.instanceId === 'string' ? input.instanceId.trim() : displayValue(input.instanceId);
    const finish = (index: number, outcome: SessionQueryOutcome) => {
      results[index] = outcome;
      options.onResult?.(outcome, index);
    };
    // Details are read beside the status queries, not inside their pool: a slow trace never holds
    // a slot that the next device's status needs.
    const detailReads: Array<Promise<void>> = [];
    const settle = (index: number, outcome: SessionQueryOutcome) => {
      if (!options.offlineDetails || isSessionFailure(outcome) || outcome.online) return finish(index, outcome);
      detailReads.push(
        this.withOfflineDetails(outcome, options).then(
          (detailed) => finish(index, detailed),
          () => finish(index, outcome), // cancelled: the status stands
        ),
      );
    };
    let instanceId: string;
    try {
      instanceId = requireId('instanceId', input.instanceId, 'post-cn-xxxxxxxx');
    } catch (error) {
      ids.forEach((id, i) => settle(i, { clientId: displayValue(id), instanceId: rawInstance, error: asOnsMqttError(error) }));
      return results;
    }
    if (mode === 'exact') {
      await this.pool(ids.length, async (i) => {
        const id: unknown = ids[i];
        try {
          settle(i, await this.querySession({ clientId: id as string, instanceId }, { signal: options.signal }));
        } catch (error) {
          settle(i, { clientId: typeof id === 'string' ? id.trim() : displayValue(id), instanceId, error: asOnsMqttError(error) });
        }
      });
      await Promise.all(detailReads);
      return results;
    }

    // Batch: validate each id, then chunks of 10 valid ids.
    const valid: Array<{ index: number; clientId: string }> = [];
    ids.forEach((id, index) => {
      try {
        valid.push({ index, clientId: requireId('clientId', id, 'GID_group@@@device') });
      } catch (error) {
        settle(index, { clientId: displayValue(id), instanceId, error: asOnsMqttError(error) });
      }
    });
    const chunkCount = Math.ceil(valid.length / BATCH_SIZE);
    await this.pool(chunkCount, async (c) => {
      const chunk = valid.slice(c * BATCH_SIZE, (c + 1) * BATCH_SIZE);
      const query: Record<string, string> = { InstanceId: instanceId };
      chunk.forEach((entry, k) => (query[`ClientIdList.${k + 1}`] = entry.clientId));
      let response: TransportResponse;
      try {
        response = await this.send('BatchQuerySessionByClientIds', query, options.signal);
      } catch (error) {
        for (const entry of chunk) settle(entry.index, { clientId: entry.clientId, instanceId, error: asOnsMqttError(error) });
        return;
      }
      const list = response.body.OnlineStatusList;
      const byId = new Map<string, boolean>();
      if (Array.isArray(list)) {
        for (const row of list as Array<Record<string, unknown>>) {
          if (row && typeof row.ClientId === 'string' && typeof row.OnlineStatus === 'boolean') byId.set(row.ClientId, row.OnlineStatus);
        }
      }
      const checkedAt = new Date().toISOString();
      for (const entry of chunk) {
        const online = byId.get(entry.clientId);
        if (online === undefined) {
          const error = this.malformed('BatchQuerySessionByClientIds', `OnlineStatusList entry for ${entry.clientId}`, response);
          error.attempts = 1;
          settle(entry.index, { clientId: entry.clientId, instanceId, error });
        } else {
          settle(entry.index, { clientId: entry.clientId, instanceId, online, requestId: response.requestId, checkedAt });
        }
      }
    });
    await Promise.all(detailReads);
    return results;
  }

  /**
   * Connection history of one device (QueryMqttTraceDevice): connect, disconnect and close
   * events with their reasons, newest first, following pages up to `limit` events.
   */
  async queryConnectionTrace(
    input: { clientId: string; instanceId: string; from: Date | number | string; to: Date | number | string; limit?: number; mqttRegionId?: string },
    options: CallOptions = {},
  ): Promise<ConnectionEvent[]> {
    const clientId = requireId('clientId', input?.clientId, 'GID_group@@@device');
    const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
    const from = requireTime('from', input.from);
    const to = requireTime('to', input.to);
    if (from > to) throw invalidInput('from', 'must not be later than "to".');
    const limit = optionalNumber('limit', input.limit, { min: 1, max: MAX_TRACE_LIMIT }) ?? DEFAULT_TRACE_LIMIT;
    const mqttRegionId = optionalString('mqttRegionId', input.mqttRegionId) ?? this.regionId;
    // A constant page size, so that page N always starts at (N-1) x size: shrinking the last page
    // would move its offset back and return events already seen.
    const events: ConnectionEvent[] = [];
    const seen = new Set<string>();
    const pageSize = TRACE_PAGE_SIZE;
    // Pages enough for `limit`, and two more for events that arrive while we page and shift it.
    const maxPages = Math.ceil(limit / pageSize) + 2;
    for (let page = 1; events.length < limit && page <= maxPages; page++) {
      const response = await this.send(
        'QueryMqttTraceDevice',
        {
          MqttRegionId: mqttRegionId,
          InstanceId: instanceId,
          ClientId: clientId,
          BeginTime: String(from),
          EndTime: String(to),
          CurrentPage: String(page),
          PageSize: String(pageSize),
          Reverse: 'true',
        },
        options.signal,
      );
      const parsed = parseTracePage(response.body);
      if (!parsed) throw this.malformed('QueryMqttTraceDevice', 'DeviceInfoList', response);
      // Events that arrive while we page shift the newest-first list: skip what a page repeats.
      const before = events.length;
      for (const event of parsed.events) {
        const key = `${event.time}\u0000${event.action}\u0000${event.channel}\u0000${event.actionCode}\u0000${event.reason}`;
        if (seen.has(key)) continue;
        seen.add(key);
        events.push(event);
      }
      // Stop on a short page, on the total, on a page that adds nothing (a service repeating its
      // pages), and at the page ceiling: a service that miscounts or lies cannot loop us.
      if (parsed.events.length < pageSize || page * pageSize >= parsed.total || events.length === before) break;
    }
    events.sort(newestFirst);
    return events.slice(0, limit);
  }

  /** What the provisioning actions send through: this client's scheduler, retry policy and error table. */
  /** The device's credential (DeviceCredential login mode), or null when none is registered. */
  getDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential | null> {
    return provisioning.getDeviceCredential(this.sender, input, options.signal);
  }

  /** A new credential for the device; replaces the current one (the newest wins). */
  registerDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential> {
    return provisioning.registerDeviceCredential(this.sender, input, options.signal);
  }

  /** The device's credential, registered only if it has none: a provisioning flow can run twice. */
  ensureDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential & { registered: boolean }> {
    return provisioning.ensureDeviceCredential(this.sender, input, options.signal);
  }

  /** A new secret for the device; the old one stops working. */
  refreshDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential> {
    return provisioning.refreshDeviceCredential(this.sender, input, options.signal);
  }

  unregisterDeviceCredential(input: DeviceRef, options: CallOptions = {}): ReturnType<typeof provisioning.unregisterDeviceCredential> {
    return provisioning.unregisterDeviceCredential(this.sender, input, options.signal);
  }

  /** A token for the Token login mode: topics, R / W / R,W, expiry 60 s to 30 days ahead. */
  applyToken(input: provisioning.ApplyTokenInput, options: CallOptions = {}): ReturnType<typeof provisioning.applyToken> {
    return provisioning.applyToken(this.sender, input, options.signal);
  }

  queryToken(input: { instanceId: string; token: string }, options: CallOptions = {}): ReturnType<typeof provisioning.queryToken> {
    return provisioning.queryToken(this.sender, input, options.signal);
  }

  revokeToken(input: { instanceId: string; token: string }, options: CallOptions = {}): ReturnType<typeof provisioning.revokeToken> {
    return provisioning.revokeToken(this.sender, input, options.signal);
  }

  /** Publishes `payload` to `topic` on the instance (SendMessage): a subscribed device receives it. */
  sendMessage(
    input: { instanceId: string; topic: string; payload: string | Buffer | object },
    options: CallOptions = {},
  ): ReturnType<typeof provisioning.sendMessage> {
    return provisioning.sendMessage(this.sender, input, options.signal);
  }

  /**
   * Waits until the device is online (QuerySessionByClientId with backoff, within the rate limit),
   * or `timeoutMs` passed: then the connection trace of the window comes with the answer.
   */
  waitUntilOnline(input: provisioning.WaitUntilOnlineInput, options: CallOptions = {}): Promise<provisioning.WaitUntilOnlineResult> {
    return provisioning.waitUntilOnline(
      {
        querySession: (ref, signal) => this.querySession(ref, { signal }),
        queryConnectionTrace: (query, signal) => this.queryConnectionTrace(query, { signal }),
      },
      input,
      options.signal,
    );
  }

  /**
   * One action: a concurrency slot for the whole call, then per attempt the rate tokens at the
   * moment of sending, a timeout cut to what is left of the deadline, and the retry policy.
   */
  private send(action: RateLimitedApi, query: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse> {
    const context = { regionId: this.regionId, instanceId: query.InstanceId };
    return this.sendOnce(action, query, signal).catch((error: unknown) => {
      throw error instanceof OnsMqttError ? error.withContext(context) : error;
    });
  }

  private sendOnce(action: RateLimitedApi, query: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse> {
    // "Expired" for a token we renew means our clock and STS's disagree: the transport has dropped
    // the token; one more attempt with a fresh one, once per call, whatever the retry settings.
    let renewedAfterExpiry = false;
    let written = 0; // requests written for this call: what an answer that cannot be read reports
    return this.scheduler.withSlot(signal, () =>
      runWithRetry(
        async (attempt) => {
          const send = async () => {
            // Credentials first, the rate token after: a request that waits for an AssumeRole must
            // not hold a token meanwhile, or a slow STS would release a burst when it answers.
            const credentials = await raceAbort(this.credentials.get(), attempt.signal);
            // A token that grew too old before its request could be written is given up for a
            // fresh one (lib/send-channels.ts); the attempt's deadline bounds how often.
            for (;;) {
              const grantedAt = await this.scheduler.clearToSend(action, attempt.signal);
              attempt.sent();
              written++;
              try {
                const response = await this.getTransport().call(action, query, {
                  credentials,
                  timeoutMs: Math.min(this.timeoutMs, attempt.remainingMs()),
                  signal: attempt.signal,
                  grantedAt,
                });
                return { ...response, attempts: written };
              } catch (error) {
                if (!(error instanceof StaleGrant)) throw error;
                attempt.notSent();
                written--;
                this.staleGrants++;
              }
            }
          };
          try {
            return await send();
          } catch (error) {
            if (renewedAfterExpiry || !this.credentials.refreshes || !(error instanceof OnsMqttError) || error.code !== 'InvalidSecurityToken.Expired')
              throw error;
            renewedAfterExpiry = true;
            return await send();
          }
        },
        this.retry,
        { signal, budget: this.retryBudget },
      ),
    );
  }

  private getTransport(): Transport {
    this.transport ??= this.transportFactory();
    return this.transport;
  }

  private malformed(action: string, field: string, response: TransportResponse): OnsMqttError {
    return new OnsMqttError({
      code: 'InvalidResponse',
      httpStatus: response.httpStatus,
      requestId: response.requestId,
      attempts: response.attempts ?? 1,
      message: `${action} answered without a valid ${field}: is ${this.endpoint.url} the OnsMqtt API?`,
    });
  }

  /** Run `task(i)` for i in [0, count) with at most `concurrency` at once, without a promise per item up front. */
  private async pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    const workers = Math.min(count, this.scheduler.slots.limit);
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < count) await task(next++);
      }),
    );
  }
}

/** The Redis store when `sharedLimit` is set; loaded only then, so a plain install never loads ioredis. */
function sharedStoreFor(options: OnsMqttClientOptions): TokenStore | undefined {
  if (options.sharedLimit === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shared = require('./shared-limit') as typeof import('./shared-limit');
  return shared.sharedTokenStore(shared.resolveSharedLimit(options.sharedLimit), options.warn);
}

/** `{ accessKeyId, accessKeySecret, securityToken? }` as the credential it stands for. */
function shortFormCredential(options: OnsMqttClientOptions): CredentialSpec {
  const accessKeyId = requireCredential('accessKeyId', options.accessKeyId);
  const accessKeySecret = requireCredential('accessKeySecret', options.accessKeySecret);
  const securityToken = optionalString('securityToken', options.securityToken);
  if (securityToken === undefined) return { type: 'access_key', accessKeyId, accessKeySecret };
  return validateCredentialSpec({ type: 'sts', accessKeyId, accessKeySecret, securityToken });
}

function retryBudgetFrom(option: OnsMqttClientOptions['retryBudget']): RetryBudget | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw invalidInput('retryBudget', 'expected false or an object { capacity, retryCost, timeoutCost, successIncrement }.');
  }
  const o = option ?? {};
  return new RetryBudget({
    capacity: optionalNumber('retryBudget.capacity', o.capacity, { min: 0, max: 1_000_000 }) ?? DEFAULT_RETRY_BUDGET.capacity,
    retryCost: optionalNumber('retryBudget.retryCost', o.retryCost, { min: 0, max: 1_000_000 }) ?? DEFAULT_RETRY_BUDGET.retryCost,
    timeoutCost: optionalNumber('retryBudget.timeoutCost', o.timeoutCost, { min: 0, max: 1_000_000 }) ?? DEFAULT_RETRY_BUDGET.timeoutCost,
    successIncrement: optionalNumber('retryBudget.successIncrement', o.successIncrement, { min: 0, max: 1_000_000 }) ?? DEFAULT_RETRY_BUDGET.successIncrement,
  });
}

function newestFirst(a: ConnectionEvent, b: ConnectionEvent): number {
  return a.time < b.time ? 1 : a.time > b.time ? -1 : 0;
}

/** The credential source with its fetches (STS, a credentials URI) routed like the API's requests. */
function throughProxy(source: CredentialSource, proxy: ProxySettings | undefined): CredentialSource {
  if (!proxy) return source;
  return { ...source, get: () => withProxy(proxy, () => source.get()) };
}
