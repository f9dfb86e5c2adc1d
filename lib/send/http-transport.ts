/**
 * A transport over a host's own HTTP function (the port `HttpPort`): n8n's HTTP helpers in the
 * verifiable n8n package, Node's http in the benchmark's "raw" leg. It sends the request exactly as
 * the SDK transport does (./transport.ts): POST to `/` with the parameters in the query string in
 * canonical order, no body, the action and version in `x-acs-*` headers, signed with
 * ACS3-HMAC-SHA256 (./acs3-signature.ts): here, or by the host (n8n's credential `authenticate`).
 * It maps every answer and failure as the SDK transport does (./transport-port.ts).
 */
import { abortedError, attemptTimer, raceAbort } from '../base/abort';
import { OnsMqttError } from '../base/errors';
import { signAcs3 } from './acs3-signature';
import type { ResolvedEndpoint } from './endpoints';
import { reportSend, SEND_ALLOWANCE_MS } from './send-channels';
import { API_VERSION, toOnsMqttError, type Transport, type TransportConfig } from './transport-port';

export interface HttpRequest {
  method: 'POST';
  /** Absolute, with the canonical query string. */
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** The answer's body: parsed JSON, or the text when the host did not parse it. */
  body: unknown;
}

/** Sends one request. Resolves with any HTTP status; rejects only when no answer came (network, TLS, timeout). */
export type HttpPort = (request: HttpRequest) => Promise<HttpAnswer>;

/**
 * A query string as the SDK writes it (Node's querystring.stringify: the parameters in the order the
 * action set them, each key and value as encodeURIComponent encodes it). The signature covers the
 * canonical form (sorted, RFC 3986) whatever the order on the wire.
 */
export function wireQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key])}`)
    .join('&');
}

/** The URL and the unsigned headers of one API request: what every transport sends. */
export function apiRequest(
  endpoint: ResolvedEndpoint,
  action: string,
  query: Readonly<Record<string, string>>,
  version = API_VERSION,
): { url: string; headers: Record<string, string> } {
  return {
    url: `${endpoint.url}/?${wireQuery(query)}`,
    headers: { 'x-acs-action': action, 'x-acs-version': version, accept: 'application/json' },
  };
}

export interface HttpTransportOptions {
  send: HttpPort;
  /** Sign here with the call's credentials; false when the host signs (n8n's credential). */
  sign: boolean;
}

export function createHttpTransport(config: TransportConfig, options: HttpTransportOptions): Transport {
  const { endpoint } = config;
  return {
    async call(action, query, settings = {}) {
      const { signal } = settings;
      if (signal?.aborted) throw abortedError(signal);
      const { url, headers } = apiRequest(endpoint, action, query);
      if (options.sign) {
        const credentials = settings.credentials ?? (await raceAbort(config.credentials.get(), signal));
        Object.assign(
          headers,
          signAcs3({ method: 'POST', host: endpoint.host, action, version: API_VERSION, query }, credentials),
        );
      }
      const timeoutMs = Math.max(1, Math.min(config.timeoutMs, settings.timeoutMs ?? config.timeoutMs));
      // The host writes the request at once: a rate token older than the allowance is paid for now
      // (lib/send/send-channels.ts), as the SDK transport does at the socket.
      const at = performance.now();
      const grantAgeMs = settings.grantedAt === undefined ? 0 : at - settings.grantedAt;
      if (grantAgeMs > SEND_ALLOWANCE_MS) settings.onLateWrite?.(grantAgeMs);
      reportSend({ api: action, endpointHost: endpoint.host, at, grantAgeMs });
      let timedOut = false;
      const controller = new AbortController();
      const stopClock = attemptTimer(signal, timeoutMs, () => {
        timedOut = true;
        controller.abort();
      });
      try {
        const sent = options.send({ method: 'POST', url, headers, body: '', timeoutMs, signal: controller.signal });
        const answer = await raceAbort(raceAbort(sent, controller.signal), signal, () => controller.abort());
        return readAnswer(answer, endpoint.url, config.credentials.secrets());
      } catch (caught) {
        if (timedOut && !signal?.aborted)
          throw new OnsMqttError({
            code: 'RequestTimeout',
            message: `The answer of ${endpoint.url} did not end within ${timeoutMs} ms.`,
          });
        if (caught instanceof OnsMqttError) {
          // Clock skew between us and STS: the token looked valid here. Fetch a new one next time.
          if (caught.code === 'InvalidSecurityToken.Expired' && settings.credentials)
            config.credentials.expire(settings.credentials);
          throw caught;
        }
        throw toOnsMqttError(networkErrorOf(caught), undefined, config.credentials.secrets(), endpoint.url);
      } finally {
        stopClock();
      }
    },
  };
}

/** An answer as the SDK transport gives it: the body of a 2xx JSON object, else an OnsMqttError. */
export function readAnswer(
  answer: HttpAnswer,
  endpointUrl: string,
  secrets: readonly string[],
): { body: Record<string, unknown>; httpStatus: number; requestId: string | undefined } {
  let body = answer.body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw toOnsMqttError({ name: 'SyntaxError', message: 'not JSON' }, answer.status, secrets, endpointUrl);
    }
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (answer.status >= 400) {
    if (isObject) throw toOnsMqttError({ data: body, statusCode: answer.status }, answer.status, secrets, endpointUrl);
    throw toOnsMqttError({ name: 'SyntaxError', message: 'not an API error' }, answer.status, secrets, endpointUrl);
  }
  if (!isObject)
    throw toOnsMqttError({ name: 'TypeError', message: 'not an object' }, answer.status, secrets, endpointUrl);
  const record = body as Record<string, unknown>;
  return {
    body: record,
    httpStatus: answer.status,
    requestId: typeof record.RequestId === 'string' ? record.RequestId : undefined,
  };
}

/**
 * The Node error code and message inside a host's error: n8n wraps the HTTP library's error (in a
 * NodeApiError, whose `cause` or `errorResponse` holds it), the code may be one or two levels down.
 */
export function networkErrorOf(caught: unknown): { code?: string; message: string; name?: string } {
  const seen = new Set<unknown>();
  let code: string | undefined;
  let message = '';
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || seen.has(value) || depth > 4) return;
    seen.add(value);
    const e = value as { code?: unknown; message?: unknown; cause?: unknown; errorResponse?: unknown; error?: unknown };
    if (!code && typeof e.code === 'string' && /^E[A-Z_]+$|^ERR_|CERT|SELF_SIGNED/.test(e.code)) code = e.code;
    if (!message && typeof e.message === 'string') message = e.message;
    visit(e.cause, depth + 1);
    visit(e.errorResponse, depth + 1);
    visit(e.error, depth + 1);
  };
  visit(caught, 0);
  if (!message) message = String(caught);
  return code ? { code, message } : { message };
}
