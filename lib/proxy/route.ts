/**
 * Routing the SDK's requests through a proxy. `@alicloud/openapi-client` (through its Tea runtime)
 * and `@alicloud/credentials` send with the `httpx` package and pass no agent of ours: their own
 * proxy options are ignored. So each httpx instance they load gets one wrapper, installed once,
 * that does nothing unless the request is the transport's own (its gate knows it by its headers) or
 * runs inside `withProxy(settings, ...)` (async context, for the credential providers): then it
 * adds the tunnel agent of the target's proxy, or none where NO_PROXY or loopback say direct.
 * Other users of httpx in the same process (another package) are untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dirname } from 'node:path';
import { Agent as HttpAgent, type Agent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { proxyFor, type ProxySettings } from './settings';
import { HttpsTunnelAgent, HttpTunnelAgent } from './tunnel-agent';

/** Inside withProxy: the proxy settings, or DIRECT. Outside (another user of httpx): undefined. */
const DIRECT = Symbol('direct');
const context = new AsyncLocalStorage<ProxySettings | typeof DIRECT>();
const WRAPPED = Symbol.for('alicloud-mqtt.proxy-wrapped');

type HttpxRequest = (url: string | URL, options?: { agent?: Agent } & Record<string, unknown>) => Promise<unknown>;
interface HttpxModule {
  request: HttpxRequest & { [WRAPPED]?: true };
}

/** One agent per proxy URL and protocol, so that tunnels are reused (keep-alive). */
const agents = new Map<string, Agent>();
function agentFor(proxy: URL, protocol: string): Agent {
  const key = `${protocol}\u0000${proxy.href}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = protocol === 'https:' ? new HttpsTunnelAgent(proxy) : new HttpTunnelAgent(proxy);
    agents.set(key, agent);
  }
  return agent;
}

/** The agent a request to `url` takes under the current settings; undefined: the caller's own. */
export function proxyAgentFor(url: string | URL, settings: ProxySettings | undefined): Agent | undefined {
  if (!settings) return undefined;
  let target: URL;
  try {
    target = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const proxy = proxyFor(target, settings);
  return proxy ? agentFor(proxy, target.protocol) : undefined;
}

/*
 * Our own requests go through agents of ours (the proxy's, or these for direct connections, kept
 * alive like httpx's own), so that the transport sees each request the moment it is created,
 * before a socket is given to it: the only place where a request can still be held back unwritten.
 */
let requestHook: ((request: ClientRequest) => void) | undefined;
const hooked = new WeakSet<Agent>();
function withHook(agent: Agent): Agent {
  if (hooked.has(agent)) return agent;
  hooked.add(agent);
  const addRequest = (agent as unknown as { addRequest: (request: ClientRequest, options: unknown) => void })
    .addRequest;
  (agent as unknown as { addRequest: (request: ClientRequest, options: unknown) => void }).addRequest = function (
    request,
    options,
  ) {
    requestHook?.(request);
    addRequest.call(this, request, options);
  };
  return agent;
}
const directAgents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** `hook` is called with each of our requests as it is created, before it has a socket. */
export function setRequestHook(hook: (request: ClientRequest) => void): void {
  requestHook = hook;
  install();
}

function agentOf(url: string | URL, settings: ProxySettings | typeof DIRECT | undefined): Agent | undefined {
  if (settings === undefined) return undefined; // not our request: httpx's own agent
  const proxied = settings === DIRECT ? undefined : proxyAgentFor(url, settings);
  if (proxied) return withHook(proxied);
  let protocol: string;
  try {
    protocol = (typeof url === 'string' ? new URL(url) : url).protocol;
  } catch {
    return undefined;
  }
  return protocol === 'https:' || protocol === 'http:' ? withHook(directAgents[protocol]) : undefined;
}

/**
 * Asked synchronously right before each SDK request is built (and so a tick before it is written
 * on a kept-alive connection); throwing keeps the request from being sent at all. The transport's
 * stale-token check (lib/send/send-channels.ts). It tells its own requests by their headers and
 * answers with their route: the transport's API requests need no async context, whose hooks (on
 * Node 20 and 22) would tax every promise of the host process.
 */
export interface RequestRoute {
  /** The proxy to go through (undefined: direct). */
  proxy: ProxySettings | undefined;
}
export type RequestGate = (headers: Readonly<Record<string, unknown>>) => RequestRoute | undefined;
let gate: RequestGate | undefined;
export function setRequestGate(check: RequestGate): void {
  gate = check;
  install();
}

function wrap(httpx: HttpxModule): void {
  if (httpx.request[WRAPPED]) return;
  const original = httpx.request;
  const wrapped = ((url, options) => {
    let route: RequestRoute | undefined;
    try {
      route = gate?.((options?.headers ?? {}) as Record<string, unknown>);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const agent = agentOf(url, route ? (route.proxy ?? DIRECT) : context.getStore());
    return original.call(httpx, url, agent && !options?.agent ? { ...options, agent } : options);
  }) as HttpxModule['request'];
  wrapped[WRAPPED] = true;
  httpx.request = wrapped;
}

let installed = false;
/** Wraps the httpx that the SDK and the credential providers load (resolved from where they live). */
function install(): void {
  if (installed) return;
  installed = true;
  for (const owner of ['@alicloud/tea-typescript', '@alicloud/credentials']) {
    try {
      const from = dirname(require.resolve(`${owner}/package.json`));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      wrap(require(require.resolve('httpx', { paths: [from] })) as HttpxModule);
    } catch {
      // Not installed (a trimmed bundle): nothing of it to route.
    }
  }
}

/**
 * Runs `fn` with its SDK requests routed by `settings` (no proxy when undefined): for the credential
 * providers' requests, which carry no header of ours.
 */
export function withProxy<T>(settings: ProxySettings | undefined, fn: () => T): T {
  install();
  return context.run(settings ?? DIRECT, fn);
}
