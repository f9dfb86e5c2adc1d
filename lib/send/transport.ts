/**
 * The only module that touches the Alibaba Cloud SDK (`@alicloud/openapi-client`). It sends one
 * signed RPC request and turns every outcome into a plain JSON body or an OnsMqttError: JSON
 * error bodies, timeouts, refused or reset connections, DNS and TLS failures, and non-JSON bodies
 * (an HTML 502 page from a proxy, for which the SDK itself throws a bare SyntaxError).
 *
 * The SDK is loaded on first use, not at import, so that loading the n8n or Node-RED node stays
 * cheap. Swapping it (e.g. for `@alicloud/openapi-core`) is a change to this file alone.
 */
import { randomUUID } from 'node:crypto';
import { channel, subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { abortedError, attemptTimer, raceAbort } from '../base/abort';
import type { TemporaryCredentials } from '../credentials/session';
import { OnsMqttError } from '../base/errors';
import { setRequestGate, setRequestHook, type RequestRoute } from '../proxy/route';
import { ProxyFailure } from '../proxy/tunnel-agent';
import { SEND_ALLOWANCE_MS, SEND_CHANNEL } from './send-channels';
import {
  API_VERSION,
  MAX_RESPONSE_BYTES,
  toOnsMqttError,
  type Transport,
  type TransportConfig,
} from './transport-port';

export * from './transport-port';

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
        const error = sdkError(caught, entry.status || undefined, config.credentials.secrets(), config.endpoint.url);
        // Clock skew between us and STS: the token looked valid here. Fetch a new one next time.
        if (error.code === 'InvalidSecurityToken.Expired') config.credentials.expire(credentials);
        throw error;
      } finally {
        stopAnswerClock();
      }
    },
  };
}

/** The SDK's failure: the proxy's own first (naming it by host and port only), then the shared mapping. */
function sdkError(
  caught: unknown,
  observedStatus: number | undefined,
  secrets: readonly string[],
  endpointUrl: string,
) {
  if (caught instanceof ProxyFailure) {
    return new OnsMqttError({
      code: caught.proxyCode,
      httpStatus: caught.proxyStatus,
      message: `${caught.detail} (calling ${endpointUrl})`,
    });
  }
  return toOnsMqttError(caught, observedStatus, secrets, endpointUrl);
}
