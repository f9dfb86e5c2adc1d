/**
 * HTTP agents that reach their target through an HTTP proxy's CONNECT tunnel. For an https
 * target, TLS runs inside the tunnel from this process to the real endpoint: its certificate is
 * verified end to end (the proxy sees only encrypted bytes), exactly as without a proxy.
 *
 * A failure of the proxy itself is a ProxyFailure, which the transport turns into its own codes
 * (connection failed: retry; 407: fail, check the login; other refusals: fail; 5xx: BadGateway).
 */
import { decodeUserInfo } from '../base/user-info';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeProxy } from './settings';

export type ProxyFailureCode =
  | 'ProxyConnectionFailed'
  | 'ProxyAuthenticationRequired'
  | 'ProxyTunnelRefused'
  | 'BadGateway';

export class ProxyFailure extends Error {
  /** The message as written here (an HTTP library may append the request's URL to `message`). */
  readonly detail: string;

  constructor(
    readonly proxyCode: ProxyFailureCode,
    message: string,
    readonly proxyStatus?: number,
  ) {
    super(message);
    this.name = 'ProxyFailure';
    this.detail = message;
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A little under the request's own connect timeout: a proxy that does not answer is then reported
 * as the proxy's fault (naming it) rather than as a silent endpoint.
 */
function tunnelTimeout(requestTimeoutMs: number | undefined): number {
  const t = requestTimeoutMs && requestTimeoutMs > 0 ? requestTimeoutMs : DEFAULT_CONNECT_TIMEOUT_MS;
  return Math.max(1, Math.min(t - 100, Math.round(t * 0.9)));
}

type Done = (error: Error | null, socket?: Socket) => void;

function failureFor(status: number, proxy: URL, target: string): ProxyFailure {
  const where = describeProxy(proxy);
  // 407 is the standard answer; some proxies (tinyproxy) answer a wrong login with 401.
  if (status === 407 || status === 401) {
    return new ProxyFailure(
      'ProxyAuthenticationRequired',
      `The proxy ${where} asks for a login (HTTP ${status})${proxy.username ? ' and refused the one given' : ''}.`,
      status,
    );
  }
  if (status >= 500)
    return new ProxyFailure(
      'BadGateway',
      `The proxy ${where} could not open a tunnel to ${target} (HTTP ${status}).`,
      status,
    );
  return new ProxyFailure(
    'ProxyTunnelRefused',
    `The proxy ${where} refused a tunnel to ${target} (HTTP ${status}).`,
    status,
  );
}

/** Opens a CONNECT tunnel to host:port through the proxy; the callback gets the raw socket. */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, done: Done): void {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: target };
  if (proxy.username) {
    const login = `${decodeUserInfo(proxy.username)}:${decodeUserInfo(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(login).toString('base64')}`;
  }
  const request = http.request({
    host: proxy.hostname,
    port: Number(proxy.port || 80),
    method: 'CONNECT',
    path: target,
    headers,
    agent: false,
  });
  let settled = false;
  const finish = (error: Error | null, socket?: Socket) => {
    clearTimeout(timer);
    if (settled) return void socket?.destroy();
    settled = true;
    done(error, socket);
  };
  const timer = setTimeout(() => {
    request.destroy();
    finish(
      new ProxyFailure(
        'ProxyConnectionFailed',
        `The proxy ${describeProxy(proxy)} did not open a tunnel within ${Math.round(timeoutMs / 1000)} s.`,
      ),
    );
  }, timeoutMs);
  request.once('connect', (response, socket, head) => {
    if (response.statusCode === 200) {
      if (head.length > 0) socket.unshift(head);
      return finish(null, socket);
    }
    socket.destroy();
    finish(failureFor(response.statusCode ?? 0, proxy, target));
  });
  // Some proxies answer a refused CONNECT as an ordinary response.
  request.once('response', (response) => {
    response.resume();
    finish(failureFor(response.statusCode ?? 0, proxy, target));
  });
  request.once('error', (error: NodeJS.ErrnoException) => {
    const why = error.code ?? error.message;
    finish(
      new ProxyFailure('ProxyConnectionFailed', `The proxy ${describeProxy(proxy)} could not be reached (${why}).`),
    );
  });
  request.end();
}

interface ConnectOptions extends tls.ConnectionOptions {
  host?: string;
  port?: number;
  timeout?: number;
}

/** For https targets: TLS to the endpoint inside the tunnel. */
export class HttpsTunnelAgent extends https.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: true });
  }

  // Node's Agent calls createConnection(options, callback) and waits for the callback when it returns nothing.
  createConnection(args: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const options = args as ConnectOptions;
    const done = callback as Done;
    openTunnel(
      this.proxy,
      options.host ?? 'localhost',
      Number(options.port ?? 443),
      tunnelTimeout(options.timeout),
      (error, socket) => {
        if (error || !socket) return done(error ?? new Error('no tunnel'));
        done(null, tls.connect({ ...options, socket }));
      },
    );
    return undefined;
  }
}

/** For http targets: the plain connection inside the tunnel. */
export class HttpTunnelAgent extends http.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: true });
  }

  createConnection(args: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const options = args as ConnectOptions;
    openTunnel(
      this.proxy,
      options.host ?? 'localhost',
      Number(options.port ?? 80),
      tunnelTimeout(options.timeout),
      callback as Done,
    );
    return undefined;
  }
}
