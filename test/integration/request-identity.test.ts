/**
 * The transports send identical requests. Every operation of the client runs three times against
 * the emulator, with the same inputs: over Alibaba's SDK (the Node runtime: the programmatic API,
 * Node-RED, the n8n extras package), over n8n's HTTP helper with the request signed by the n8n
 * credential's `authenticate` (the verifiable n8n package), and over Node's http signed by the
 * core itself (the benchmark's raw leg). The emulator verifies each signature and logs each request
 * as it came over the wire; the three logs must match line by line: method, path and query string
 * (the parameters and their encoding), the signed headers' names and stable values, the body.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode } from 'n8n-workflow';
import type { LogEntry, WireShape } from '../../emulator/api';
import type { RunningEmulator } from '../../emulator';
import { API_NAMES, OnsMqttClient, type OnsMqttClientOptions } from '../../lib/internal';
import { createHttpTransport, httpCredentialSource, unsupportedHere } from '../../lib/portable';
import { nodeRuntime } from '../../lib/client/node-runtime';
import { nodeHttpPort } from '../../lib/send/node-http-port';
import type { ClientRuntime } from '../../lib/client/runtime';
import { n8nRuntime } from '../../nodes/n8n-common/n8n-runtime';
import { emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';
import { credentialStore, n8nHelpers } from '../helpers/n8n-http';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttPort: false });
});
afterAll(() => emu.stop());

const rawRuntime: ClientRuntime = {
  resolveProxy: () => undefined,
  credentialSource: (spec) =>
    httpCredentialSource(spec, nodeHttpPort, (type) => unsupportedHere(type, 'the raw leg', 'use the SDK')),
  transport: (config) => createHttpTransport(config, { send: nodeHttpPort, sign: true }),
};

function n8nLeg(fields: ICredentialDataDecryptedObject): ClientRuntime {
  const store = credentialStore(fields);
  const node = { id: 'n', name: 'identity', type: 'alibabaCloudMqtt', typeVersion: 1, position: [0, 0] } as INode;
  const ctx = { helpers: n8nHelpers(store, node), getCredentials: async () => ({ ...store.data }) };
  return n8nRuntime(ctx as unknown as IExecuteFunctions, store.data);
}

const from = Date.parse('2026-12-01T00:00:00Z');
const to = Date.parse('2026-12-01T06:00:00Z');
/** Characters that each encoding step could treat differently: space, @, /, *, ', (, ), +, ~, non-ASCII. */
const DEVICE = "GID_id@@@dev ice/*'()+~ü";

/** Every operation of the client, each with fixed inputs (nothing that differs from run to run). */
const OPERATIONS: Array<[string, (c: OnsMqttClient) => Promise<unknown>]> = [
  ['querySession', (c) => c.querySession({ clientId: DEVICE, instanceId: INSTANCE })],
  [
    'querySessions',
    (c) => c.querySessions({ clientIds: [DEVICE, 'GID_id@@@b', 'GID_id@@@c'], instanceId: INSTANCE, mode: 'batch' }),
  ],
  ['queryConnectionTrace', (c) => c.queryConnectionTrace({ clientId: DEVICE, instanceId: INSTANCE, from, to })],
  ['queryPublishTrace', (c) => c.queryPublishTrace({ instanceId: INSTANCE, msgId: 'AC1E0F7A0001 msg/ü', from, to })],
  [
    'queryDeliveryTrace',
    (c) => c.queryDeliveryTrace({ instanceId: INSTANCE, msgId: 'AC1E0F7A0001', clientId: DEVICE, from, to }),
  ],
  ['queryClientMessages', (c) => c.queryClientMessages({ instanceId: INSTANCE, clientId: DEVICE, from, to })],
  ['getDeviceCredential', (c) => c.getDeviceCredential({ clientId: DEVICE, instanceId: INSTANCE })],
  ['registerDeviceCredential', (c) => c.registerDeviceCredential({ clientId: 'GID_id@@@reg', instanceId: INSTANCE })],
  ['refreshDeviceCredential', (c) => c.refreshDeviceCredential({ clientId: 'GID_id@@@reg', instanceId: INSTANCE })],
  [
    'unregisterDeviceCredential',
    (c) => c.unregisterDeviceCredential({ clientId: 'GID_id@@@reg', instanceId: INSTANCE }),
  ],
  [
    'applyToken',
    (c) =>
      c.applyToken({
        instanceId: INSTANCE,
        resources: ['topic/a b', 'topic/ü'],
        actions: 'R,W',
        expireAt: Date.parse('2027-01-01T00:00:00Z'),
      }),
  ],
  [
    'queryToken',
    (c) =>
      c.queryToken({
        instanceId: INSTANCE,
        token: 'LzMT+XLFl5s/YWJ/MlDz4t/Lq5HC1iGU1P28HAMaxYxn8aQbALNtml7QZKl9L9kPe6LqUb95tEVo+zUqOS',
      }),
  ],
  [
    'revokeToken',
    (c) =>
      c.revokeToken({
        instanceId: INSTANCE,
        token: 'LzMT+XLFl5s/YWJ/MlDz4t/Lq5HC1iGU1P28HAMaxYxn8aQbALNtml7QZKl9L9kPe6LqUb95tEVo+zUqOS',
      }),
  ],
  ['sendMessage', (c) => c.sendMessage({ instanceId: INSTANCE, topic: 'topic/a b', payload: { text: 'héllo *()' } })],
];

/** What must be the same for the same request sent by any transport. */
function shape(entry: LogEntry): {
  action: string;
  signature: string;
  status: number;
  code: string | undefined;
  params: Record<string, string>;
  wire: WireShape;
} {
  return {
    action: entry.action,
    signature: entry.signature,
    status: entry.status,
    code: entry.code,
    params: entry.params,
    wire: entry.wire,
  };
}

async function runAll(runtime: ClientRuntime): Promise<Array<ReturnType<typeof shape>>> {
  const options: OnsMqttClientOptions = {
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    regionId: 'cn-hangzhou',
    endpoint: emu.endpoint,
    retry: { maxAttempts: 1 },
  };
  const client = new OnsMqttClient(options, runtime);
  emu.clearLog();
  for (const [, operation] of OPERATIONS) await operation(client).catch(() => undefined);
  return emu.requestLog().map(shape);
}

it('the SDK, n8n and raw transports send every operation identically, every one signed and accepted', async () => {
  const sdk = await runAll(nodeRuntime);
  const n8n = await runAll(
    n8nLeg({
      authentication: 'accessKey',
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
      endpoint: emu.endpoint,
    }),
  );
  const raw = await runAll(rawRuntime);
  // Every API of the table was exercised, each request signed with V3 and its signature accepted.
  expect(new Set(sdk.map((e) => e.action))).toEqual(new Set(API_NAMES));
  for (const entry of sdk) {
    expect([entry.action, entry.signature]).toEqual([entry.action, 'v3']);
    expect([entry.action, entry.code ?? 'ok']).not.toEqual([
      entry.action,
      expect.stringMatching(/Signature|AccessKey|SecurityToken|Nonce/),
    ]);
  }
  expect(sdk.length).toBeGreaterThanOrEqual(OPERATIONS.length);
  expect(n8n).toEqual(sdk);
  expect(raw).toEqual(sdk);
});

it('an STS token is sent and signed alike', async () => {
  const sts = emu.issueStsToken();
  const fields = { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret };
  const options: OnsMqttClientOptions = {
    ...fields,
    securityToken: sts.securityToken,
    regionId: 'cn-hangzhou',
    endpoint: emu.endpoint,
  };
  const shapes: Array<ReturnType<typeof shape>> = [];
  for (const runtime of [
    nodeRuntime,
    n8nLeg({ authentication: 'stsToken', ...fields, securityToken: sts.securityToken, endpoint: emu.endpoint }),
    rawRuntime,
  ]) {
    emu.clearLog();
    await new OnsMqttClient(options, runtime).querySession({ clientId: DEVICE, instanceId: INSTANCE });
    shapes.push(...emu.requestLog().map(shape));
  }
  expect(shapes).toHaveLength(3);
  expect(shapes[0].wire.signedHeaders).toContain('x-acs-security-token');
  expect(shapes[1]).toEqual(shapes[0]);
  expect(shapes[2]).toEqual(shapes[0]);
});
