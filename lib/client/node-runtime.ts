/**
 * The client runtime on Node (./runtime.ts): Alibaba's SDK transport over Node's http, Alibaba's
 * credential providers, proxies from the options and the environment, Redis for a shared limit.
 * `installNodeRuntime` also gives the core Node's timers and `process.env`, and publishes the
 * scheduler's grants on their diagnostics channel: what the Node entries call when they load.
 */
import { channel } from 'node:diagnostics_channel';
import { installNodeClock } from '../base/node-clock';
import { installNodeEnvironment } from '../base/node-environment';
import { credentialSource } from '../credentials/sources';
import { withProxy } from '../proxy/route';
import { resolveProxy } from '../proxy/settings';
import { GRANT_CHANNEL, SEND_CHANNEL, observeGrants, observeSends } from '../send/send-channels';
import { createSdkTransport } from '../send/transport';
import { resolveSharedLimit, sharedTokenStore } from '../shared-limit';
import { installClientRuntime, type ClientRuntime } from './runtime';

export const nodeRuntime: ClientRuntime = {
  resolveProxy: (option) => resolveProxy(option),
  credentialSource(spec, proxy) {
    const source = credentialSource(spec);
    // The credential fetches (STS, a credentials URI) are routed like the API's requests.
    return proxy ? { ...source, get: () => withProxy(proxy, () => source.get()) } : source;
  },
  transport: createSdkTransport,
  // The Redis store loads ioredis only when it is constructed: a plain install never loads it.
  sharedTokenStore: (options, warn) => sharedTokenStore(resolveSharedLimit(options), warn),
};

let installedOnce = false;

/** Node's timers, environment, diagnostics channels and client runtime, for this copy of the core. */
export function installNodeRuntime(): void {
  if (installedOnce) return;
  installedOnce = true;
  installNodeClock();
  installNodeEnvironment();
  const grants = channel(GRANT_CHANNEL);
  observeGrants((grant) => {
    if (grants.hasSubscribers) grants.publish(grant);
  });
  const sends = channel(SEND_CHANNEL);
  observeSends((send) => {
    if (sends.hasSubscribers) sends.publish(send);
  });
  installClientRuntime(nodeRuntime);
}
