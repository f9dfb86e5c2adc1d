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
import { n8nRuntime, toOptions } from '../../nodes/n8n-common/n8n-runtime';
import { startEmulatorProcess } from '../emulator-process';
import { credentialStore, n8nHelpers, n8nHttpRequest } from '../n8n-http';
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
  /** The raw signed request, sent by `send` (Node's http, or axios as n8n drives it). */
  const signedBy =
    (send: (request: Parameters<typeof nodeHttpPort>[0]) => Promise<{ status: number }>) => async (i: number) => {
      await pacer.take();
      const query = { ClientId: `GID_tr@@@${i}`, InstanceId: emu.instanceId };
      const { url, headers } = apiRequest(endpoint, 'QuerySessionByClientId', query);
      const signed = signAcs3(
        { method: 'POST', host: endpoint.host, action: 'QuerySessionByClientId', version: API_VERSION, query },
        keys,
      );
      const answer = await send({
        method: 'POST',
        url,
        headers: { ...headers, ...signed },
        body: '',
        timeoutMs: 10_000,
      });
      if (answer.status !== 200) throw new Error(`raw signed request answered ${answer.status}`);
    };
  const rawSigned = signedBy(nodeHttpPort);
  // The same through n8n's HTTP library as n8n drives it: what of the n8n leg's cost is n8n's own.
  const axiosSigned = signedBy(async (request) => {
    const response = (await n8nHttpRequest(toOptions(request))) as { statusCode: number };
    return { status: response.statusCode };
  });
  const variants: Record<string, (i: number) => Promise<unknown>> = {
    sdk: (i) => clients.sdk.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    n8n: (i) => clients.n8n.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    raw: (i) => clients.raw.querySession({ clientId: `GID_tr@@@${i}`, instanceId: emu.instanceId }),
    rawSigned,
    axiosSigned,
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const task of Object.values(variants)) await pool(task); // warm-up: SDK and axios loaded, pools filled, JIT
  for (let r = 0; r < rounds; r++)
    for (const [name, task] of Object.entries(variants)) samples[name].push(await cpuPerCall(task));
  await emu.stop();
  const ms = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
  const n8nOverSdk = ms.n8n / ms.sdk;
  // What the package itself adds over the HTTP under it, on each transport.
  const oursOverN8nHttp = ms.n8n - ms.axiosSigned;
  const oursOverNodeHttp = ms.raw - ms.rawSigned;
  return {
    bench:
      'transports: per-call CPU of the client over n8n’s HTTP helper, over the SDK, over Node’s http, and a raw signed request',
    figures:
      `client over n8n's helper ${ms.n8n.toFixed(3)} ms/call, over the SDK ${ms.sdk.toFixed(3)}, over Node's http ${ms.raw.toFixed(3)}; ` +
      `a raw signed request over Node's http ${ms.rawSigned.toFixed(3)}, over axios as n8n drives it ${ms.axiosSigned.toFixed(3)}; ` +
      `n8n/SDK ${n8nOverSdk.toFixed(2)}, n8n/raw ${(ms.n8n / ms.rawSigned).toFixed(2)}, SDK/raw ${(ms.sdk / ms.rawSigned).toFixed(2)}; ` +
      `the client's own layers: ${oursOverN8nHttp.toFixed(3)} ms over n8n's HTTP, ${oursOverNodeHttp.toFixed(3)} ms over Node's; medians of ${rounds} interleaved rounds of ${n}`,
    goal: "the client's own layers cost the same over n8n's HTTP as over Node's (within 0.1 ms per call); the rest is the HTTP library under it",
    verdict: Math.abs(oursOverN8nHttp - oursOverNodeHttp) <= 0.1 ? 'pass' : 'short',
    data: { ...ms, n8nOverSdk, oursOverN8nHttp, oursOverNodeHttp },
  };
}
