/**
 * The programmatic API: `OnsMqttClient` composes the parts (credentials, endpoint, proxy, the send
 * path, the rate limits) from its options once, and answers each call with an action of
 * `lib/actions/` over its sender. It holds no logic of its own beyond that wiring.
 */
import { invalidInput } from '../base/errors';
import type {
  CallOptions,
  ConnectionEvent,
  MessageTraceEvent,
  OfflineDetails,
  OfflineDetailsOptions,
  QueryMode,
  SessionQueryOutcome,
  SessionStatus,
  StatusCallOptions,
} from '../base/results';
import { optionalNumber, optionalString } from '../base/validation';
import type { CredentialSource } from '../credentials/sources';
import { accountOf } from '../credentials/spec';
import { describeProxy, type ProxySettings } from '../proxy/settings';
import { requireRegionId, resolveEndpoint, type ResolvedEndpoint } from '../send/endpoints';
import { RequestScheduler } from '../send/scheduler';
import { RequestSender } from '../send/sender';
import { describeRedis } from '../shared-limit/options';
import {
  DEFAULT_DETAILS_TIMEOUT_MS,
  DEFAULT_TRACE_TIME_ZONE,
  parseUtcOffset,
  readOfflineDetails,
} from '../actions/offline-details';
import * as provisioning from '../actions/provisioning';
import { querySession, querySessions, type SessionContext } from '../actions/sessions';
import {
  queryClientMessages,
  queryConnectionTrace,
  queryDeliveryTrace,
  queryPublishTrace,
  type ClientMessagesQuery,
  type DeliveryTraceQuery,
  type PublishTraceQuery,
  type TraceQuery,
} from '../actions/trace';
import type { DeviceCredential, DeviceRef } from '../actions/device-credential';
import {
  concurrencyOf,
  credentialOf,
  ownRateOf,
  processesPerIpOf,
  retryBudgetOf,
  retryOf,
  timeoutOf,
  tokenStoreOf,
  type OnsMqttClientOptions,
} from './options';
import { defaultClientRuntime, type ClientRuntime } from './runtime';

/** Node's util.inspect asks objects for this (a registered symbol: no import of node:util). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Ask ApsaraMQ for MQTT whether devices are online, with validation, rate limiting, bounded
 * retries and one result per input, in input order; and the provisioning chain beside it.
 */
export class OnsMqttClient {
  readonly endpoint: ResolvedEndpoint;
  readonly regionId: string;
  /** Who signs (never a secret): an AccessKey ID, or a role and the key that assumes it. */
  readonly identity: string;
  private readonly credentials: CredentialSource;
  /** What every action sends through: this client's scheduler, retry policy and error table. */
  private readonly sender: RequestSender;
  private readonly sessions: SessionContext;
  /** Where requests go through (undefined: direct). */
  private readonly proxy: ProxySettings | undefined;
  /** Minutes east of UTC of the trace's times. */
  private readonly traceOffsetMinutes: number;
  /** Where the rate limits are shared (host, port and database; never the password). */
  private readonly sharedLimitWhere: string | undefined;

  /**
   * `runtime`: how this client reaches the service (./runtime.ts); the one the package entry
   * installed when omitted (on Node: the SDK, Node's http and proxies, Redis).
   */
  constructor(options: OnsMqttClientOptions, runtime: ClientRuntime = defaultClientRuntime()) {
    if (!options || typeof options !== 'object')
      throw invalidInput('options', 'expected an object with accessKeyId and accessKeySecret, or a credential.');
    const spec = credentialOf(options);
    this.proxy = runtime.resolveProxy(options.proxy);
    this.credentials = runtime.credentialSource(spec, this.proxy);
    this.identity = this.credentials.identity;
    this.endpoint = resolveEndpoint(options);
    this.traceOffsetMinutes = traceOffsetOf(options);
    this.regionId = requireRegionId(options.regionId);
    const timeoutMs = timeoutOf(options);
    const retry = retryOf(options, timeoutMs);
    const retryBudget = retryBudgetOf(options);
    const scheduler = new RequestScheduler({
      endpointHost: this.endpoint.host,
      concurrency: concurrencyOf(options),
      maxQps: ownRateOf(options),
      account: options.sharedLimit?.accountId ? `account:${options.sharedLimit.accountId}` : accountOf(spec),
      store: tokenStoreOf(options, runtime),
      processesPerIp: processesPerIpOf(options),
    });
    this.sharedLimitWhere = options.sharedLimit ? describeRedis(options.sharedLimit.redisUrl) : undefined;
    const transportConfig = {
      credentials: this.credentials,
      endpoint: this.endpoint,
      timeoutMs,
      allowUnverifiedTls: options.allowUnverifiedTls === true,
      proxy: this.proxy,
    };
    this.sender = new RequestSender({
      scope: `${this.endpoint.url}\u0000${this.identity}`,
      regionId: this.regionId,
      endpointUrl: this.endpoint.url,
      credentials: this.credentials,
      scheduler,
      retry,
      retryBudget,
      timeoutMs,
      // The SDK (and the secret) live only inside the transport, created on first use.
      transport: () => runtime.transport(transportConfig),
    });
    this.sessions = { sender: this.sender, readOfflineDetails: (device, o) => this.readOfflineDetails(device, o) };
  }

  /**
   * Requests written later than the send allowance after their rate token (a blocked event loop),
   * each paid for with one more token that later requests wait out (lib/send/send-channels.ts).
   */
  get lateWrites(): number {
    return this.sender.lateWrites;
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
      ...(this.proxy
        ? { proxy: [this.proxy.http, this.proxy.https].filter((u): u is URL => u !== undefined).map(describeProxy) }
        : {}),
      ...(this.sharedLimitWhere ? { sharedLimit: this.sharedLimitWhere } : {}),
    };
  }

  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `OnsMqttClient ${inspect(this.toJSON(), options)}`;
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
  querySession(
    input: { clientId: string; instanceId: string },
    options: StatusCallOptions = {},
  ): Promise<SessionStatus> {
    return querySession(this.sessions, input, options);
  }

  /** Many devices of one instance: one outcome per input id, in input order (lib/actions/sessions.ts). */
  querySessions(
    input: { clientIds: readonly unknown[]; instanceId: string; mode?: QueryMode },
    options: StatusCallOptions & { onResult?: (outcome: SessionQueryOutcome, index: number) => void } = {},
  ): Promise<SessionQueryOutcome[]> {
    return querySessions(this.sessions, input, options);
  }

  /**
   * Why and since when the device is offline, from its connection trace of the last day. Never
   * throws for the trace: unreadable details come back with `offlineDetailsMissing` saying why.
   */
  readOfflineDetails(
    device: { clientId: string; instanceId: string },
    options: CallOptions & OfflineDetailsOptions = {},
  ): Promise<OfflineDetails> {
    const timeoutMs =
      optionalNumber('offlineDetails.timeoutMs', options.timeoutMs, { min: 1, max: 600_000 }) ??
      DEFAULT_DETAILS_TIMEOUT_MS;
    return readOfflineDetails((query, signal) => this.queryConnectionTrace(query, { signal }), device, {
      now: Date.now(),
      offsetMinutes: this.traceOffsetMinutes,
      timeoutMs,
      signal: options.signal,
    });
  }

  /** Connection history of one device (QueryMqttTraceDevice), newest first, up to `limit` events. */
  queryConnectionTrace(input: TraceQuery, options: CallOptions = {}): Promise<ConnectionEvent[]> {
    return queryConnectionTrace(this.sender, input, options);
  }

  /** Who sent the message and when (QueryMqttTraceMessagePublish). Throws OnsMqttError. */
  queryPublishTrace(input: PublishTraceQuery, options: CallOptions = {}): Promise<MessageTraceEvent[]> {
    return queryPublishTrace(this.sender, input, options);
  }

  /** Which clients received the message and when, newest first (QueryMqttTraceMessageSubscribe). Throws OnsMqttError. */
  queryDeliveryTrace(input: DeliveryTraceQuery, options: CallOptions = {}): Promise<MessageTraceEvent[]> {
    return queryDeliveryTrace(this.sender, input, options);
  }

  /** What the client sent and received in the range, newest first (QueryMqttTraceMessageOfClient). Throws OnsMqttError. */
  queryClientMessages(input: ClientMessagesQuery, options: CallOptions = {}): Promise<MessageTraceEvent[]> {
    return queryClientMessages(this.sender, input, options);
  }

  /** The device's credential (DeviceCredential login mode), or null when none is registered. */
  getDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential | null> {
    return provisioning.getDeviceCredential(this.sender, input, options.signal);
  }

  /** A new credential for the device; replaces the current one (the newest wins). */
  registerDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential> {
    return provisioning.registerDeviceCredential(this.sender, input, options.signal);
  }

  /** The device's credential, registered only if it has none: a provisioning flow can run twice. */
  ensureDeviceCredential(
    input: DeviceRef,
    options: CallOptions = {},
  ): Promise<DeviceCredential & { registered: boolean }> {
    return provisioning.ensureDeviceCredential(this.sender, input, options.signal);
  }

  /** A new secret for the device; the old one stops working. */
  refreshDeviceCredential(input: DeviceRef, options: CallOptions = {}): Promise<DeviceCredential> {
    return provisioning.refreshDeviceCredential(this.sender, input, options.signal);
  }

  unregisterDeviceCredential(
    input: DeviceRef,
    options: CallOptions = {},
  ): ReturnType<typeof provisioning.unregisterDeviceCredential> {
    return provisioning.unregisterDeviceCredential(this.sender, input, options.signal);
  }

  /** A token for the Token login mode: topics, R / W / R,W, expiry 60 s to 30 days ahead. */
  applyToken(
    input: provisioning.ApplyTokenInput,
    options: CallOptions = {},
  ): ReturnType<typeof provisioning.applyToken> {
    return provisioning.applyToken(this.sender, input, options.signal);
  }

  queryToken(
    input: { instanceId: string; token: string },
    options: CallOptions = {},
  ): ReturnType<typeof provisioning.queryToken> {
    return provisioning.queryToken(this.sender, input, options.signal);
  }

  revokeToken(
    input: { instanceId: string; token: string },
    options: CallOptions = {},
  ): ReturnType<typeof provisioning.revokeToken> {
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
  waitUntilOnline(
    input: provisioning.WaitUntilOnlineInput,
    options: CallOptions = {},
  ): Promise<provisioning.WaitUntilOnlineResult> {
    return provisioning.waitUntilOnline(
      {
        querySession: (ref, signal) => this.querySession(ref, { signal }),
        queryConnectionTrace: (query, signal) => this.queryConnectionTrace(query, { signal }),
      },
      input,
      options.signal,
    );
  }
}

/** Minutes east of UTC of the connection trace's times (`traceTimeZone`, "+08:00" by default). */
function traceOffsetOf(options: OnsMqttClientOptions): number {
  const zone = optionalString('traceTimeZone', options.traceTimeZone) ?? DEFAULT_TRACE_TIME_ZONE;
  const offset = parseUtcOffset(zone);
  if (offset === undefined)
    throw invalidInput('traceTimeZone', `"${zone}" is not a UTC offset; use for example "+08:00", "-05:00" or "UTC".`);
  return offset;
}
