/**
 * What a client is made from: the options a program (or a host's node settings, through
 * lib/host/mapping.ts) gives, and their validation into the parts the client composes. Every
 * option is checked here, once, with an error that names it and says what it accepts.
 */
import { invalidInput } from '../base/errors';
import { optionalNumber, optionalString, requireCredential } from '../base/validation';
import { validateCredentialSpec, type CredentialSpec } from '../credentials/spec';
import type { ProxyOption } from '../proxy/settings';
import type { Network } from '../send/endpoints';
import type { TokenStore } from '../send/rate-limiter';
import {
  DEFAULT_RETRY,
  DEFAULT_RETRY_BUDGET,
  RetryBudget,
  type RetryBudgetOptions,
  type RetryOptions,
} from '../send/retry';
import type { SharedLimitOptions } from '../shared-limit/options';
import type { ClientRuntime } from './runtime';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONCURRENCY = 32;

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
  /**
   * How many processes send from this IP with this account and no shared store (n8n queue mode
   * without Redis: the main process and its workers): each keeps to its share of the service's
   * limits, the limit divided by them. Default 1. Ignored with `sharedLimit` or `tokenStore`.
   */
  processesPerIp?: number;
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

/** `{ accessKeyId, accessKeySecret, securityToken? }` as the credential it stands for. */
export function credentialOf(options: OnsMqttClientOptions): CredentialSpec {
  if (options.credential !== undefined) return validateCredentialSpec(options.credential);
  const accessKeyId = requireCredential('accessKeyId', options.accessKeyId);
  const accessKeySecret = requireCredential('accessKeySecret', options.accessKeySecret);
  const securityToken = optionalString('securityToken', options.securityToken);
  if (securityToken === undefined) return { type: 'access_key', accessKeyId, accessKeySecret };
  return validateCredentialSpec({ type: 'sts', accessKeyId, accessKeySecret, securityToken });
}

/**
 * The bounds of the options a host's node offers (n8n's Options, Node-RED's dialog fields): one
 * place, read by the validation below and by the editors (the Node-RED editor script is generated
 * from them at build time).
 */
export const OPTION_BOUNDS = Object.freeze({
  timeoutMs: { min: 1, max: 600_000 },
  maxAttempts: { min: 1, max: 10 },
  maxRequestsPerSecond: { min: 0.1, max: 10_000 },
  concurrency: { min: 1, max: 1000 },
  processesPerIp: { min: 1, max: 1000 },
});

export function timeoutOf(options: OnsMqttClientOptions): number {
  return optionalNumber('timeoutMs', options.timeoutMs, OPTION_BOUNDS.timeoutMs) ?? DEFAULT_TIMEOUT_MS;
}

/** The retry policy; its deadline is at least two request timeouts, so that one retry always fits. */
export function retryOf(options: OnsMqttClientOptions, timeoutMs: number): RetryOptions {
  const retry = options.retry ?? {};
  if (typeof retry !== 'object')
    throw invalidInput('retry', 'expected an object { maxAttempts, baseDelayMs, maxDelayMs }.');
  const baseDelayMs =
    optionalNumber('retry.baseDelayMs', retry.baseDelayMs, { min: 0, max: 60_000 }) ?? DEFAULT_RETRY.baseDelayMs;
  return {
    maxAttempts:
      optionalNumber('retry.maxAttempts', retry.maxAttempts, OPTION_BOUNDS.maxAttempts) ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs,
    maxDelayMs:
      optionalNumber('retry.maxDelayMs', retry.maxDelayMs, { min: baseDelayMs, max: 300_000 }) ??
      Math.max(baseDelayMs, DEFAULT_RETRY.maxDelayMs),
    deadlineMs:
      optionalNumber('retry.deadlineMs', retry.deadlineMs, { min: 1, max: 3_600_000 }) ??
      Math.max(DEFAULT_RETRY.deadlineMs, timeoutMs * 2),
  };
}

export function retryBudgetOf(options: OnsMqttClientOptions): RetryBudget | undefined {
  const option = options.retryBudget;
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw invalidInput(
      'retryBudget',
      'expected false or an object { capacity, retryCost, timeoutCost, successIncrement }.',
    );
  }
  const o = option ?? {};
  return new RetryBudget({
    capacity:
      optionalNumber('retryBudget.capacity', o.capacity, { min: 0, max: 1_000_000 }) ?? DEFAULT_RETRY_BUDGET.capacity,
    retryCost:
      optionalNumber('retryBudget.retryCost', o.retryCost, { min: 0, max: 1_000_000 }) ??
      DEFAULT_RETRY_BUDGET.retryCost,
    timeoutCost:
      optionalNumber('retryBudget.timeoutCost', o.timeoutCost, { min: 0, max: 1_000_000 }) ??
      DEFAULT_RETRY_BUDGET.timeoutCost,
    successIncrement:
      optionalNumber('retryBudget.successIncrement', o.successIncrement, { min: 0, max: 1_000_000 }) ??
      DEFAULT_RETRY_BUDGET.successIncrement,
  });
}

/** This client's own ceiling (`maxRequestsPerSecond`, or its 0.1 name `maxQps`); undefined: the API's limit. */
export function ownRateOf(options: OnsMqttClientOptions): number | undefined {
  return (
    optionalNumber('maxRequestsPerSecond', options.maxRequestsPerSecond, OPTION_BOUNDS.maxRequestsPerSecond, false) ??
    optionalNumber('maxQps', options.maxQps, OPTION_BOUNDS.maxRequestsPerSecond, false)
  );
}

export function processesPerIpOf(options: OnsMqttClientOptions): number {
  if (options.sharedLimit !== undefined || options.tokenStore !== undefined) return 1;
  return optionalNumber('processesPerIp', options.processesPerIp, OPTION_BOUNDS.processesPerIp) ?? 1;
}

export function concurrencyOf(options: OnsMqttClientOptions): number {
  return optionalNumber('concurrency', options.concurrency, OPTION_BOUNDS.concurrency) ?? DEFAULT_CONCURRENCY;
}

/** The token store: the caller's own, the Redis store when `sharedLimit` is set, or none (this process's). */
export function tokenStoreOf(options: OnsMqttClientOptions, runtime: ClientRuntime): TokenStore | undefined {
  if (options.tokenStore) return options.tokenStore;
  if (options.sharedLimit === undefined) return undefined;
  if (!runtime.sharedTokenStore)
    throw invalidInput(
      'sharedLimit',
      'a limit shared over Redis needs the full package (Node-RED, the n8n extras package, the programmatic API); here, set how many processes send from this IP instead.',
    );
  return runtime.sharedTokenStore(options.sharedLimit, options.warn);
}
