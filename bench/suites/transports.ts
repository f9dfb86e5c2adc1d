/**
 * The two transports and the plainest signed request, per call, in one run: the client over
 * Alibaba's SDK (the Node runtime: Node-RED, the extras package, the programmatic API), the client
 * over n8n's HTTP helper with the credential signing (the verifiable n8n package; n8n's helper as
 * bench/n8n-http.ts runs it: axios, the credential's authenticate), the client over Node's http with
 * the core signing, and a raw signed request (the core's ACS3 signer and Node's http, nothing
 * else). CPU per call, medians of interleaved rounds, all paced alike by the per-IP limit.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { API_RATE_LIMITS, OnsMqttClient } from '../../lib/internal';
import { nodeRuntime } from '../../lib/client/node-runtime';
import type { ClientRuntime } from '../../lib/client/runtime';
import { apiRequest, createHttpTransport } from '../../lib/send/http-transport';
import { httpCredentialSource, unsupportedHere } from '../../lib/send/http-credentials';
import { nodeHttpPort } from '../../lib/send/node-http-port';
import { signAcs3 } from '../../lib/send/acs3-signature';
import { resolveEndpoint } from '../../lib/send/endpoints';
import { TokenBucket } from '../../lib/send/rate-limiter';
import { API_VERSION } from '../../lib/send/transport-port';
import { n8nRuntime } from '../../nodes/n8n-common/n8n-runtime';
import { startEmulatorProcess } from '../emulator-process';
import { credentialStore, n8nHelpers } from '../n8n-http';
import { median, perCallMeter, type BenchResult } from '../report';

export async function transports(): Promise<BenchResult> {
  const emu = await startEmulatorProcess({});
  const n = 1000;
  const rounds = 5;
  const concurrency = 16;
  const { pool, cpuPerCall } = perCallMeter(n, concurrency);
  const keys = { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret };
  const options = { ...keys, endpoint: emu.endpoint, concurrency };
  const fields: ICredentialDataDecryptedObject = { authentication: 'accessKey', ...keys, endpoint: emu.endpoint };
  const store = credentialStore(fields);
  const node = { id: 'b', name: 'bench', type: 'alibabaCloudMqtt', typeVersion: 1, position: [0, 0] } as INode;
  const ctx = { helpers: n8nHelpers(store, node), getCredentials: () => Promise.resolve({ ...store.data }) };
  const rawRuntime: ClientRuntime = {
    resolveProxy: () => undefined,
    credentialSource: (spec) =>
      httpCredentialSource(spec, nodeHttpPort, (type) => unsupportedHere(type, 'the bench', 'use the SDK')),
    transport: (config) => createHttpTransport(config, { send: nodeHttpPort, sign: true }),
  };
  const clients = {
    sdk: new OnsMqttClient(options, nodeRuntime),
    n8n: new OnsMqttClient(options, n8nRuntime(ctx as unknown as IExecuteFunctions, store.data)),
    raw: new OnsMqttClient(options, rawRuntime),
  };
  // The raw signed request: what any transport must at least do. Paced like the clients.
  const pacer = new TokenBucket(
    API_RATE_LIMITS.QuerySessionByClientId.ratePerSecond,
    API_RATE_LIMITS.QuerySessionByClientId.burst,
  );
  const endpoint = resolveEndpoint({ endpoint: emu.endpoint });
  const rawSigned = async (i: number) => {
    await pacer.take();
    const query = { ClientId: `GID_tr@@@${i}`, InstanceId: emu.instanceId };
    const { url, headers } = apiRequest(endpoint, 'QuerySessionByClientId', query);
    const signed = signAcs3(
      { method: 'POST', host: endpoint.host, action: 'QuerySessionByClientId', version: API_VERSION, query },
      keys,
    );
    const answer = await nodeHttpPort({
      method: 'POST',
      url,
      headers: { ...headers, ...signed },
      body: '',
      timeoutMs: 10_000,
    });
    if (answer.status !== 200) throw new Error(`raw signed request answered ${answer.status}`);
  };
  const variants: Record<string, (i: number) => Promise<unknown>> = {
    sdk: (i) => clients.sdk.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    n8n: (i) => clients.n8n.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    raw: (i) => clients.raw.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    rawSigned,
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const task of Object.values(variants)) await pool(task); // warm-up: SDK and axios loaded, pools filled, JIT
  for (let r = 0; r < rounds; r++)
    for (const [name, task] of Object.entries(variants)) samples[name].push(await cpuPerCall(task));
  await emu.stop();
  const ms = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
  const n8nOverSdk = ms.n8n / ms.sdk;
  return {
    bench:
      'transports: per-call CPU of the client over n8n’s HTTP helper, over the SDK, over Node’s http, and a raw signed request',
    figures:
      `n8n ${ms.n8n.toFixed(3)} ms/call, SDK ${ms.sdk.toFixed(3)}, client over Node's http ${ms.raw.toFixed(3)}, raw signed request ${ms.rawSigned.toFixed(3)}; ` +
      `n8n/SDK ${n8nOverSdk.toFixed(2)}, n8n/raw ${(ms.n8n / ms.rawSigned).toFixed(2)}, SDK/raw ${(ms.sdk / ms.rawSigned).toFixed(2)}; medians of ${rounds} interleaved rounds of ${n}`,
    goal: 'the n8n transport costs no more CPU per call than the SDK transport (ratio <= 1.2)',
    verdict: n8nOverSdk <= 1.2 ? 'pass' : 'short',
    data: { ...ms, n8nOverSdk },
  };
}
