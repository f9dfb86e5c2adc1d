/**
 * What a client needs from the host it runs in, as one port (docs/architecture.md, "Ports"): where
 * its credentials come from, how a request reaches the wire, the proxy, and a rate limit shared
 * across processes. The core's logic (validation, retries, rate limits, the error table, actions,
 * watchers) is the same over every runtime.
 *
 * - lib/client/node-runtime.ts: Alibaba's SDKs, Node's http and proxies, Redis. Installed as the
 *   default by the Node entries (the programmatic API, Node-RED, the n8n extras package).
 * - nodes/n8n-common/n8n-runtime.ts: n8n's HTTP helper with the request signed by the n8n
 *   credential; given to each client of the verifiable n8n package explicitly.
 */
import type { CredentialSource } from '../credentials/sources';
import type { CredentialSpec } from '../credentials/spec';
import type { ProxyOption, ProxySettings } from '../proxy/settings';
import type { TokenStore } from '../send/rate-limiter';
import type { Transport, TransportConfig } from '../send/transport-port';
import type { SharedLimitOptions } from '../shared-limit/options';

export interface ClientRuntime {
  /** The proxy the client's requests go through (undefined: direct, or routed by the host itself). */
  resolveProxy(option: ProxyOption | false | undefined): ProxySettings | undefined;
  /** Who signs: fixed keys, or temporary ones fetched and renewed (with their fetches routed like the requests). */
  credentialSource(spec: CredentialSpec, proxy: ProxySettings | undefined): CredentialSource;
  /** Sends one request; called once per client, on its first call. */
  transport(config: TransportConfig): Transport;
  /** The store of a rate limit shared by several processes; absent where the host has none. */
  sharedTokenStore?(options: SharedLimitOptions, warn: ((message: string) => void) | undefined): TokenStore;
}

let installed: ClientRuntime | undefined;

/** Makes `runtime` the default of every client created without one. */
export function installClientRuntime(runtime: ClientRuntime): void {
  installed = runtime;
}

/** The runtime a client gets when it names none. */
export function defaultClientRuntime(): ClientRuntime {
  if (!installed)
    throw new Error(
      'No client runtime is installed: create the client through the package entry (require the package itself), or pass a runtime.',
    );
  return installed;
}
