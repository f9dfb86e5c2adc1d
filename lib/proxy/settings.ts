/**
 * Which proxy a request goes through, as the tools on the same server decide it: an explicit
 * `proxy` option, else the conventional environment variables (HTTPS_PROXY / https_proxy for
 * https targets, HTTP_PROXY / http_proxy for http ones, NO_PROXY / no_proxy for the exceptions).
 *
 * Loopback targets (127.0.0.0/8, ::1, localhost) are never proxied unless asked (`loopback: true`
 * or ALICLOUD_MQTT_PROXY_LOOPBACK=true): a proxy elsewhere cannot reach this machine's loopback.
 * The ECS metadata address is never proxied: only the instance itself can reach it.
 */
import { environment, type Environment } from '../base/environment';
import { invalidInput } from '../base/errors';

export interface ProxyOption {
  /** http://[user:password@]host:port (an https:// proxy is not supported: say so, clearly). */
  url: string;
  /** Hosts that go direct: "example.com" (and its subdomains), ".example.com", "host:port", "*". */
  noProxy?: string | string[];
  /** Proxy loopback targets too (a local gateway, or a test). */
  loopback?: boolean;
}

export interface ProxySettings {
  /** Per target protocol; undefined: direct. */
  http?: URL;
  https?: URL;
  noProxy: string[];
  loopback: boolean;
}

export const PROXY_LOOPBACK_VARIABLE = 'ALICLOUD_MQTT_PROXY_LOOPBACK';
const METADATA_HOST = '100.100.100.200';

/** "proxy.corp:3128" for messages: never the user name or password. */
export function describeProxy(url: URL): string {
  return `${url.hostname}:${url.port || '80'}`;
}

function parseProxyUrl(field: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    // The value may hold a password: the message names the field, not the value.
    throw invalidInput(
      field,
      'is not a URL; use http://proxy.example.com:3128 (with user:password@ before the host if the proxy asks for a login).',
    );
  }
  if (url.protocol !== 'http:') {
    throw invalidInput(
      field,
      `uses ${url.protocol.replace(':', '')}://; only http:// proxies are supported (HTTPS to the service still goes through them end to end, by CONNECT).`,
    );
  }
  if (!url.hostname) throw invalidInput(field, 'has no host; use http://proxy.example.com:3128.');
  return url;
}

function listOf(value: string | string[] | undefined): string[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return parts.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
}

function envValue(env: Environment, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/**
 * The settings for a client: the option when given (`false` or `{ url: '' }`: no proxy at all),
 * else the environment. Undefined when nothing says to use a proxy.
 */
export function resolveProxy(
  option: ProxyOption | false | undefined,
  env: Environment = environment(),
): ProxySettings | undefined {
  const loopbackFromEnv = /^(1|true|yes)$/i.test(env[PROXY_LOOPBACK_VARIABLE] ?? '');
  if (option === false) return undefined;
  if (option !== undefined) {
    if (!option || typeof option !== 'object') throw invalidInput('proxy', 'expected { url, noProxy? } or false.');
    if (typeof option.url !== 'string')
      throw invalidInput('proxy.url', 'expected a string such as http://proxy.example.com:3128.');
    if (option.url.trim() === '') return undefined;
    const url = parseProxyUrl('proxy.url', option.url.trim());
    const noProxy =
      option.noProxy !== undefined ? listOf(option.noProxy) : listOf(envValue(env, 'NO_PROXY', 'no_proxy'));
    return { http: url, https: url, noProxy, loopback: option.loopback === true || loopbackFromEnv };
  }
  const https = envValue(env, 'HTTPS_PROXY', 'https_proxy');
  const http = envValue(env, 'HTTP_PROXY', 'http_proxy');
  if (!https && !http) return undefined;
  return {
    https: https ? parseProxyUrl('HTTPS_PROXY', https) : undefined,
    http: http ? parseProxyUrl('HTTP_PROXY', http) : undefined,
    noProxy: listOf(envValue(env, 'NO_PROXY', 'no_proxy')),
    loopback: loopbackFromEnv,
  };
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The proxy for this target, or undefined to go direct. */
export function proxyFor(target: URL, settings: ProxySettings | undefined): URL | undefined {
  if (!settings) return undefined;
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === METADATA_HOST) return undefined;
  if (isLoopback(host) && !settings.loopback) return undefined;
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of settings.noProxy) {
    if (entry === '*') return undefined;
    const [entryHost, entryPort] = entry.startsWith('[')
      ? [entry.slice(0, entry.indexOf(']') + 1), entry.split(']:')[1]]
      : entry.split(':');
    if (entryPort && entryPort !== port) continue;
    const bare = entryHost.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

/**
 * The hosts' fields -> the client's `proxy` option: "Proxy URL" with "Proxy password" put in when
 * the URL names a user and has no password of its own. Empty URL: no option (the environment).
 */
export function proxyFromFields(url: unknown, password: unknown): { proxy?: ProxyOption } {
  const trimmed = typeof url === 'string' ? url.trim() : '';
  if (!trimmed) return {};
  if (typeof password === 'string' && password !== '') {
    try {
      const u = new URL(trimmed);
      if (u.username && !u.password) {
        // Encoded, so that a % (or @, :, /) in it is read back as the same password.
        u.password = encodeURIComponent(password);
        return { proxy: { url: u.toString() } };
      }
    } catch {
      // Left as typed: the client says what is wrong with it (without repeating it).
    }
  }
  return { proxy: { url: trimmed } };
}
