/**
 * The send path's port to the wire (docs/architecture.md, "Ports"): one signed request out, a plain
 * JSON body or an OnsMqttError back. Two transports implement it and send identical requests:
 * - lib/send/transport.ts: Alibaba's SDK (`@alicloud/openapi-client`) over Node's http, for the
 *   programmatic API, Node-RED and the n8n extras package;
 * - nodes/n8n-common/n8n-transport.ts: n8n's own HTTP helper, the request signed by the n8n
 *   credential (credentials/AlibabaCloudMqttApi.credentials.ts), for the verifiable n8n package.
 * What both need (the API version, the answer's bound, the mapping of every failure) is here.
 */
import { OnsMqttError } from '../base/errors';
import { redact } from '../base/redact';
import type { Cancellable } from '../base/abort';
import type { CredentialSource } from '../credentials/sources';
import type { TemporaryCredentials } from '../credentials/session';
import type { ResolvedEndpoint } from './endpoints';
import type { ProxySettings } from '../proxy/settings';

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

/**
 * The largest answer read. The API's answers are small (a status: under 1 KB; a trace page of 100
 * events: about 30 KB); 1 MiB is 30 times the largest, and bounds what 32 calls in flight can hold
 * at 32 MiB whatever an endpoint that is not the API (or a hostile one) sends.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/;

/**
 * Every failure of a request (an error answer, a page that is not JSON, a network or TLS error), as
 * an OnsMqttError with only safe fields: what both transports throw. `caught` is the SDK's error or
 * the host's, with the Node error code (ECONNREFUSED...) where the host keeps it.
 */
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
