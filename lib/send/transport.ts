/**
 * The only module that touches the Alibaba Cloud SDK (`@alicloud/openapi-client`). It sends one
 * signed RPC request and turns every outcome into a plain JSON body or an OnsMqttError: JSON
 * error bodies, timeouts, refused or reset connections, DNS and TLS failures, and non-JSON bodies
 * (an HTML 502 page from a proxy, for which the SDK itself throws a bare SyntaxError).
 *
 * The SDK is loaded on first use, not at import, so that loading the n8n or Node-RED node stays
 * cheap. Swapping it (e.g. for `@alicloud/openapi-core`) is a change to this file alone.
 */
import { redact } from '../base/redact';
import { randomUUID } from 'node:crypto';
import { channel, subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { abortedError, attemptTimer, raceAbort, type Cancellable } from '../base/abort';
import type { CredentialSource } from '../credentials/sources';
import type { TemporaryCredentials } from '../credentials/session';
import { OnsMqttError } from '../base/errors';
import type { ResolvedEndpoint } from './endpoints';
import { setRequestGate, setRequestHook, type RequestRoute } from '../proxy/route';
import type { ProxySettings } from '../proxy/settings';
import { ProxyFailure } from '../proxy/tunnel-agent';
import { SEND_ALLOWANCE_MS, SEND_CHANNEL } from './send-channels';

export const API_VERSION = '2020-04-20';

export interface TransportConfig {
  /** Asked before each request; fixed keys, or temporary ones that it renews. */
  credentials: CredentialSource;
  endpoint: ResolvedEndpoint;
  timeoutMs: number;
  /** Only for endpoints with a private or self-signed certificate, on the user's explicit choice. */
  allowUnverifiedTls?: boolean;
  /** The HTTP proxy to go through (undefined: direct). */
  proxy?: ProxySettings;
}

export interface TransportResponse {
  body: Record<string, unknown>;
  httpStatus: number;
  requestId: string | undefined;
  /** Requests written for the call this answer ends (set by the client, for its errors). */
  attempts?: number;
}

export interface CallSettings {
  /** The credentials to sign with, fetched by the caller before it took its rate token. */
  credentials?: TemporaryCredentials;
  /** This attempt's timeout (the client's, cut to what is left of the call's deadline). */
  timeoutMs?: number;
  /** Abandons the request: its socket is destroyed and the call rejects at once. */
  signal?: Cancellable;
  /**
   * When its rate token was granted (performance.now()). A request written later than
   * SEND_ALLOWANCE_MS after it is still written (a token is never thrown away while it stays
   * spent), and `onLateWrite` is called first, at the moment of writing, to pay for it.
   */
  grantedAt?: number;
  /** Called synchronously just before a request is written late (lib/send/send-channels.ts). */
  onLateWrite?: (ageMs: number) => void;
}

export interface Transport {
  call(action: string, query: Record<string, string>, settings?: CallSettings): Promise<TransportResponse>;
}

type SdkModule = typeof import('@alicloud/openapi-client');
let sdk: SdkModule | undefined;
function loadSdk(): SdkModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdk ??= require('@alicloud/openapi-client') as SdkModule;
  return sdk;
}

/*
 * Each request carries our own nonce header, and Node's http diagnostics channels tell us about
 * every request by it. Two things the SDK cannot do by itself depend on that:
 * - a non-JSON error page loses its HTTP status (the SDK parses the body as JSON before it throws),
 *   so we keep the status the channel reports;
 * - the SDK takes no abort signal, so we keep the request object and destroy it on abort.
 */
const NONCE_HEADER = 'x-acs-signature-nonce';
/**
 * The largest answer read. The API's answers are small (a status: under 1 KB; a trace page of 100
 * events: about 30 KB); 1 MiB is 30 times the largest, and bounds what 32 calls in flight can hold
 * at 32 MiB whatever an endpoint that is not the API (or a hostile one) sends.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
interface Tracked {
  status: number;
  request?: ClientRequest;
  /** Abandoned before the SDK had created its request: destroy it as soon as it starts. */
  abandoned?: boolean;
  action: string;
  endpointHost: string;
  route: RequestRoute;
  grantedAt?: number;
  onLateWrite?: (ageMs: number) => void;
  /** Its answer passed MAX_RESPONSE_BYTES and was cut off (the bytes seen so far). */
  tooLargeBytes?: number;
  /** Its answer did not end within the attempt's timeout (headers and body together). */
  timedOut?: boolean;
  response?: IncomingMessage;
}
const tracked = new Map<string, Tracked>();
const sendChannel = channel(SEND_CHANNEL);
let channelSubscribed = false;
function watchRequests(): void {
  if (channelSubscribed) return;
  channelSubscribed = true;
  setRequestGate((headers) => {
    const nonce = headers[NONCE_HEADER];
    const entry = typeof nonce === 'string' ? tracked.get(nonce) : undefined;
    if (!entry) return undefined;
    return entry.route;
  });
  // Each request of ours as it is created (lib/proxy/route.ts gives it our agent), before it has a
  // socket. Its 'socket' event comes before Node writes it: on a kept-alive connection, that is
  // the last moment to hold it back; on a new connection, the request waits in the socket until
  // the connection opens, and that moment ('connect', ahead of the socket's own listener that
  // writes it) is the last.
  setRequestHook((request) => {
    const nonce = request.getHeader(NONCE_HEADER);
    const entry = typeof nonce === 'string' ? tracked.get(nonce) : undefined;
    if (!entry) return;
    entry.request = request;
    if (entry.abandoned) return void request.destroy();
    request.once('socket', (socket: Socket) => {
      if (socket.connecting) socket.prependOnceListener('connect', () => leaving(entry, socket));
      else leaving(entry, socket);
    });
    request.once('response', (response: IncomingMessage) => {
      entry.response = response;
      capBody(entry, request, response);
    });
  });
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const nonce = request.getHeader(NONCE_HEADER);
    const entry = typeof nonce === 'string' ? tracked.get(nonce) : undefined;
    if (entry) entry.status = response.statusCode ?? 0;
  });
}

/**
 * Counts the answer's bytes as the SDK reads them and cuts it off past MAX_RESPONSE_BYTES (a
 * declared length above it, at once). Counting starts with the SDK's own 'data' listener: a listener
 * of ours added earlier would start the flow before the SDK listens, and it would miss the start.
 */
function capBody(entry: Tracked, request: ClientRequest, response: IncomingMessage): void {
  const cut = (bytes: number) => {
    entry.tooLargeBytes = bytes;
    // With an error: the SDK reads until 'end' or 'error', and a plain destroy gives neither.
    const error = new Error(`response over ${MAX_RESPONSE_BYTES} bytes`);
    response.destroy(error);
    request.destroy(error);
  };
  const declared = Number(response.headers['content-length']);
  let bytes = 0;
  const count = (chunk: Buffer | string) => {
    bytes += chunk.length;
    if (bytes > MAX_RESPONSE_BYTES) cut(bytes);
  };
  const onListener = (event: string | symbol) => {
    if (event !== 'data') return;
    response.off('newListener', onListener);
    // A declared length over the cap: cut once the SDK listens (it adds 'end' right after 'data').
    if (declared > MAX_RESPONSE_BYTES) return void process.nextTick(() => cut(declared));
    response.on('data', count);
  };
  response.on('newListener', onListener);
}

/**
 * The request is about to be written to `socket`. A rate token older than the send allowance is
 * paid for now, before the write (one more token charged: later grants wait it out), instead of
 * being thrown away: holding the request back for a fresh token could age that one too on a busy
 * event loop (a new connection takes a turn of the loop to open) and never send at all. Then it is
 * published as sent. A TLS connection still in its handshake takes the request now but puts it on
 * the wire when the handshake ends: that is when it is published.
 */
function leaving(entry: Tracked, socket: Socket): void {
  const ageMs = entry.grantedAt === undefined ? 0 : performance.now() - entry.grantedAt;
  if (ageMs > SEND_ALLOWANCE_MS) entry.onLateWrite?.(ageMs);
  if (!sendChannel.hasSubscribers) return;
  const tlsSocket = socket as Partial<TLSSocket> & { encrypted?: boolean; _secureEstablished?: boolean };
  if (tlsSocket.encrypted && tlsSocket._secureEstablished === false)
    socket.once('secureConnect', () => publishSent(entry));
  else publishSent(entry);
}

function publishSent(entry: Tracked): void {
  const at = performance.now();
  sendChannel.publish({
    api: entry.action,
    endpointHost: entry.endpointHost,
    at,
    grantAgeMs: entry.grantedAt === undefined ? 0 : at - entry.grantedAt,
  });
}

/**
 * The SDK asks its `credential` for keys inside each call; ours answers with the keys this call
 * fetched before it started, so that concurrent calls around a refresh each sign with the keys
 * they will be judged by, and an "expired" answer names the right ones. The SDK asks synchronously,
 * in the first step of `callApi` (doRequest reads its credential before its first await), so the
 * keys are handed over for the length of that synchronous call only, with no async context (its
 * hooks tax every promise of the process on Node 20 and 22). Should a later SDK ask after an
 * await, it finds none and the call fails with InternalClientError: never signed with other keys.
 */
let signingWith: TemporaryCredentials | undefined;
const sdkCredential = {
  getCredential: () => {
    const c = signingWith;
    if (!c)
      throw new OnsMqttError({
        code: 'InternalClientError',
        message: 'No credentials for this request (the SDK asked for them outside its call).',
      });
    return Promise.resolve({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      type: c.securityToken ? 'sts' : 'access_key',
    });
  },
};

export function createSdkTransport(config: TransportConfig): Transport {
  const { default: OpenApi, Config, Params, OpenApiRequest } = loadSdk();
  watchRequests();
  const client = new OpenApi(
    new Config({
      credential: sdkCredential as never,
      endpoint: config.endpoint.host,
      protocol: config.endpoint.protocol,
      readTimeout: config.timeoutMs,
      connectTimeout: config.timeoutMs,
    }),
  );
  // keepAlive is deliberately left unset: setting it makes the SDK build a new Agent per request;
  // unset, Node's global agent (keep-alive since Node 19) reuses connections.
  const runtime = {
    readTimeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    autoretry: false,
    ignoreSSL: config.allowUnverifiedTls === true,
  };

  return {
    async call(action, query, settings = {}) {
      const { signal } = settings;
      if (signal?.aborted) throw abortedError(signal);
      const credentials = settings.credentials ?? (await raceAbort(config.credentials.get(), signal));
      const params = new Params({
        action,
        version: API_VERSION,
        protocol: config.endpoint.protocol,
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const nonce = randomUUID();
      const entry: Tracked = {
        status: 0,
        action,
        endpointHost: config.endpoint.host,
        route: { proxy: config.proxy },
        grantedAt: settings.grantedAt,
        onLateWrite: settings.onLateWrite,
      };
      tracked.set(nonce, entry);
      const request = new OpenApiRequest({ query: { ...query }, headers: { [NONCE_HEADER]: nonce } });
      const timeoutMs = Math.max(1, Math.min(config.timeoutMs, settings.timeoutMs ?? config.timeoutMs));
      // The SDK's timeouts are for silence; an answer that trickles in byte by byte is cut off here
      // (on the call's own timer when there is one).
      const stopAnswerClock = attemptTimer(signal, timeoutMs, () => {
        entry.timedOut = true;
        const error = new Error(`no whole answer within ${timeoutMs} ms`);
        entry.response?.destroy(error);
        entry.request?.destroy(error);
      });
      try {
        let pending: Promise<{ body?: unknown; statusCode?: number }>;
        signingWith = credentials;
        try {
          pending = client.callApi(params, request, {
            ...runtime,
            readTimeout: timeoutMs,
            connectTimeout: timeoutMs,
          } as never);
        } finally {
          signingWith = undefined;
        }
        // Forget the nonce when the SDK is done with it, which may be after an abort.
        const forget = () => void tracked.delete(nonce);
        pending.then(forget, forget);
        // One listener for an abort: the request is destroyed and the call ends at once.
        const response = await raceAbort(pending, signal, () => {
          entry.abandoned = true;
          entry.request?.destroy();
        });
        const body = (response.body ?? {}) as Record<string, unknown>;
        const requestId = typeof body.RequestId === 'string' ? body.RequestId : undefined;
        return { body, httpStatus: response.statusCode ?? 200, requestId };
      } catch (caught) {
        if (caught instanceof OnsMqttError) throw caught; // cancelled or past the deadline
        if (entry.tooLargeBytes !== undefined) {
          throw new OnsMqttError({
            code: 'ResponseTooLarge',
            httpStatus: entry.status || undefined,
            message: `${config.endpoint.url} answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (${entry.tooLargeBytes} bytes seen); the API's answers are a few KB.`,
          });
        }
        if (entry.timedOut && !signal?.aborted) {
          throw new OnsMqttError({
            code: 'RequestTimeout',
            message: `The answer of ${config.endpoint.url} did not end within ${timeoutMs} ms.`,
          });
        }
        const error = toOnsMqttError(
          caught,
          entry.status || undefined,
          config.credentials.secrets(),
          config.endpoint.url,
        );
        // Clock skew between us and STS: the token looked valid here. Fetch a new one next time.
        if (error.code === 'InvalidSecurityToken.Expired') config.credentials.expire(credentials);
        throw error;
      } finally {
        stopAnswerClock();
      }
    },
  };
}

export { redact } from '../base/redact';

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/;

/** Every SDK or Node failure, as an OnsMqttError with only safe fields. */
export function toOnsMqttError(
  caught: unknown,
  observedStatus: number | undefined,
  secrets: readonly string[],
  endpointUrl: string,
): OnsMqttError {
  const e = (caught ?? {}) as {
    name?: string;
    code?: unknown;
    message?: unknown;
    statusCode?: unknown;
    data?: Record<string, unknown>;
  };
  // The proxy itself failed: its own codes, naming it by host and port only.
  if (caught instanceof ProxyFailure) {
    return new OnsMqttError({
      code: caught.proxyCode,
      httpStatus: caught.proxyStatus,
      message: `${caught.detail} (calling ${endpointUrl})`,
    });
  }
  const clean = (s: unknown) =>
    redact(typeof s === 'string' ? s : s === undefined || s === null ? '' : JSON.stringify(s), secrets).slice(0, 500);
  const data = e.data && typeof e.data === 'object' ? e.data : undefined;

  // A JSON error body from the service or its gateway.
  if (data && (typeof data.Code === 'string' || typeof data.code === 'string')) {
    const code = String(data.Code ?? data.code);
    const httpStatus = Number(e.statusCode ?? data.statusCode) || observedStatus;
    const requestId = typeof data.RequestId === 'string' ? data.RequestId : undefined;
    const serviceMessage = clean(data.Message ?? data.message ?? '');
    return new OnsMqttError({ code, httpStatus, requestId, message: `${code}: ${serviceMessage || 'no message'}` });
  }

  // The body was not JSON: an error page from a proxy or load balancer, or not the API at all.
  if (e.name === 'SyntaxError') {
    const status = observedStatus;
    if (status !== undefined && status >= 200 && status < 300) {
      return new OnsMqttError({
        code: 'InvalidResponse',
        httpStatus: status,
        message: `${endpointUrl} answered HTTP ${status} with a body that is not JSON.`,
      });
    }
    if (status !== undefined && status < 500 && status !== 429) {
      return new OnsMqttError({
        code: 'InvalidResponse',
        httpStatus: status,
        message: `${endpointUrl} answered HTTP ${status} with a non-JSON page instead of an API error.`,
      });
    }
    return new OnsMqttError({
      code: 'BadGateway',
      httpStatus: status,
      message: `${endpointUrl} answered HTTP ${status ?? '(unknown)'} with a non-JSON error page (a proxy or gateway fault).`,
    });
  }

  // An answer that is JSON but not an object (`null`, a number, an array): the SDK's assertAsMap
  // refuses it ("The value is not a object"), or trips over it. Not the API.
  if (
    observedStatus !== undefined &&
    (e.name === 'TypeError' || /^The value is not a (object|map)/i.test(typeof e.message === 'string' ? e.message : ''))
  ) {
    return new OnsMqttError({
      code: 'InvalidResponse',
      httpStatus: observedStatus,
      message: `${endpointUrl} answered HTTP ${observedStatus} with a body that is not an API answer.`,
    });
  }
  const nodeCode = typeof e.code === 'string' ? e.code : '';
  const text = clean(e.message);
  if (
    e.name === 'RequestTimeoutError' ||
    nodeCode === 'ETIMEDOUT' ||
    nodeCode === 'ESOCKETTIMEDOUT' ||
    /timeout/i.test(text)
  ) {
    return new OnsMqttError({ code: 'RequestTimeout', message: `No answer from ${endpointUrl} within the timeout.` });
  }
  if (nodeCode === 'ECONNRESET' || nodeCode === 'EPIPE' || /socket hang up/i.test(text)) {
    return new OnsMqttError({ code: 'ConnectionReset', message: `The connection to ${endpointUrl} was reset.` });
  }
  if (nodeCode === 'ECONNREFUSED') {
    return new OnsMqttError({ code: 'ConnectionRefused', message: `${endpointUrl} refused the connection.` });
  }
  if (nodeCode === 'ENOTFOUND') {
    return new OnsMqttError({ code: 'EndpointNotFound', message: `The host of ${endpointUrl} could not be found.` });
  }
  if (nodeCode === 'EAI_AGAIN') {
    return new OnsMqttError({
      code: 'DnsTemporaryFailure',
      message: `The host of ${endpointUrl} could not be resolved right now.`,
    });
  }
  if (TLS_CODES.test(nodeCode)) {
    return new OnsMqttError({
      code: 'TlsCertificateInvalid',
      message: `The TLS certificate of ${endpointUrl} was refused (${nodeCode}).`,
    });
  }
  if (observedStatus !== undefined && observedStatus >= 400) {
    return new OnsMqttError({
      code: observedStatus >= 500 ? 'BadGateway' : 'InvalidResponse',
      httpStatus: observedStatus,
      message: `${endpointUrl} answered HTTP ${observedStatus}: ${text}`,
    });
  }
  return new OnsMqttError({
    code: 'NetworkError',
    message: `Request to ${endpointUrl} failed: ${nodeCode ? `${nodeCode} ` : ''}${text}`.trim(),
  });
}
