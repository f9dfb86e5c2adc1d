/**
 * The API table: every OnsMqtt API the package calls, declared once. The per-IP and per-account
 * rate tables (lib/send/rate-limiter.ts), the error table's API-specific codes
 * (lib/base/error-table.ts), the emulator's handlers (emulator/api.ts, typed by `ApiName`), the
 * hosts' operations and the docs' list of APIs (docs/api.md) all follow from it; the API-table test
 * (test/unit/api-table.test.ts) fails when an API is declared here and missing in one of them.
 */
import type { ErrorRule } from './error-rule';

/** A documented limit and what the package keeps to under it. */
export interface ApiLimit {
  /** What Alibaba documents (requests per second). */
  readonly documentedQps: number;
  /** Rate and burst: rate + burst stays under the documented figure with a margin (see rate-limiter.ts). */
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface ApiDeclaration {
  /** What the API answers, in a line for the docs. */
  readonly purpose: string;
  /** Per source IP and API (the service can block an IP that goes over). */
  readonly perIp: ApiLimit;
  /** Per Alibaba account and API (every AccessKey and RAM user together). */
  readonly perAccount: ApiLimit;
  /** Codes only this API answers with, and what they mean; the shared codes are in ERROR_TABLE. */
  readonly errorCodes: Readonly<Record<string, ErrorRule>>;
  /** The core's result (a type of lib/index.ts) and the client method that returns it. */
  readonly result: { readonly method: string; readonly type: string };
  /** The operations that call it in each host: n8n `resource.operation`, Node-RED `node[:mode]`. */
  readonly hosts: { readonly n8n: readonly string[]; readonly nodeRed: readonly string[] };
}

/** Margins: per IP 88 % of the documented figure (arrival spread at the service), per account 88 %. */
const SINGLE_QUERY: ApiLimit = { documentedQps: 300, ratePerSecond: 265, burst: 10 };
const BATCH_QUERY: ApiLimit = { documentedQps: 100, ratePerSecond: 88, burst: 4 };
const TRACE_QUERY: ApiLimit = { documentedQps: 500, ratePerSecond: 450, burst: 25 };
const ACCOUNT_500: ApiLimit = { documentedQps: 500, ratePerSecond: 440, burst: 25 };
const REVOKE: ApiLimit = { documentedQps: 5, ratePerSecond: 4, burst: 1 };
const NO_CODES: Readonly<Record<string, ErrorRule>> = Object.freeze({});

const credentialApi = (purpose: string, method: string, operations: readonly string[]): ApiDeclaration => ({
  purpose,
  // The provisioning APIs document a per-account figure only; each call also counts against a
  // per-IP limit that is not published: the seed API's 300 is assumed where the account's is higher.
  perIp: SINGLE_QUERY,
  perAccount: ACCOUNT_500,
  errorCodes: NO_CODES,
  result: { method, type: 'DeviceCredential' },
  hosts: {
    n8n: operations.map((op) => `deviceCredential.${op}`),
    nodeRed: operations.map((op) => `alicloud-mqtt-credential:${op}`),
  },
});

export const API_TABLE = Object.freeze({
  QuerySessionByClientId: {
    purpose: 'Whether one device is connected (exact, live answer).',
    perIp: SINGLE_QUERY,
    perAccount: ACCOUNT_500,
    errorCodes: NO_CODES,
    result: { method: 'querySession', type: 'SessionStatus' },
    hosts: {
      n8n: ['deviceSession.getStatus', 'deviceSession.waitUntilOnline', 'fleetHealth.getAvailabilityReport'],
      nodeRed: [
        'alicloud-mqtt-session:exact',
        'alicloud-mqtt-watch:exact',
        'alicloud-mqtt-wait',
        'alicloud-mqtt-trace:availability',
      ],
    },
  },
  BatchQuerySessionByClientIds: {
    purpose: 'Whether up to 10 devices are connected (answered from the service cache, may lag).',
    perIp: BATCH_QUERY,
    // The documentation gives one figure for the batch query (100): kept for both.
    perAccount: { documentedQps: 100, ratePerSecond: 88, burst: 4 },
    errorCodes: NO_CODES,
    result: { method: 'querySessions', type: 'SessionQueryOutcome[]' },
    hosts: {
      n8n: ['deviceSession.getManyStatuses'],
      nodeRed: ['alicloud-mqtt-session:batch', 'alicloud-mqtt-watch:batch'],
    },
  },
  QueryMqttTraceDevice: {
    purpose: 'A device’s connect and disconnect events with reasons (its connection trace).',
    perIp: TRACE_QUERY,
    perAccount: ACCOUNT_500,
    errorCodes: NO_CODES,
    result: { method: 'queryConnectionTrace', type: 'ConnectionEvent[]' },
    hosts: {
      n8n: ['deviceSession.getConnectionTrace', 'deviceSession.waitUntilOnline', 'fleetHealth.getAvailabilityReport'],
      nodeRed: ['alicloud-mqtt-trace:connections', 'alicloud-mqtt-wait', 'alicloud-mqtt-trace:availability'],
    },
  },
  QueryMqttTraceMessagePublish: {
    purpose: 'Who sent a message (by its MsgId) and when.',
    perIp: TRACE_QUERY,
    perAccount: ACCOUNT_500,
    errorCodes: NO_CODES,
    result: { method: 'queryPublishTrace', type: 'MessageTraceEvent[]' },
    hosts: { n8n: ['message.getPublishTrace'], nodeRed: ['alicloud-mqtt-trace:publish'] },
  },
  QueryMqttTraceMessageSubscribe: {
    purpose: 'Which clients received a message (by its MsgId) and when.',
    perIp: TRACE_QUERY,
    perAccount: ACCOUNT_500,
    errorCodes: NO_CODES,
    result: { method: 'queryDeliveryTrace', type: 'MessageTraceEvent[]' },
    hosts: { n8n: ['message.getDeliveryTrace'], nodeRed: ['alicloud-mqtt-trace:deliveries'] },
  },
  QueryMqttTraceMessageOfClient: {
    purpose: 'The messages a client sent or received in a time range.',
    perIp: TRACE_QUERY,
    perAccount: ACCOUNT_500,
    errorCodes: NO_CODES,
    result: { method: 'queryClientMessages', type: 'MessageTraceEvent[]' },
    hosts: { n8n: ['message.getClientMessages'], nodeRed: ['alicloud-mqtt-trace:client'] },
  },
  GetDeviceCredential: credentialApi('A device’s access credential, if it has one.', 'getDeviceCredential', [
    'get',
    'getOrRegister',
  ]),
  RegisterDeviceCredential: credentialApi('Register a credential for a device.', 'registerDeviceCredential', [
    'register',
    'getOrRegister',
  ]),
  RefreshDeviceCredential: credentialApi('Give a device a new secret.', 'refreshDeviceCredential', ['refresh']),
  UnRegisterDeviceCredential: credentialApi('Delete a device’s credential.', 'unregisterDeviceCredential', [
    'unregister',
  ]),
  ApplyToken: {
    purpose: 'A token for the Token login mode (topics, read or write, expiry).',
    perIp: BATCH_QUERY,
    perAccount: BATCH_QUERY,
    errorCodes: Object.freeze({
      // The service throttles token requests with a 400 of its own.
      ApplyTokenOverFlow: {
        class: 'retry',
        hint: 'Tokens were requested too often: the request is retried later. Reuse a token for its lifetime rather than applying per connection.',
      },
    }),
    result: { method: 'applyToken', type: 'string' },
    hosts: { n8n: ['token.apply'], nodeRed: ['alicloud-mqtt-credential:applyToken'] },
  },
  QueryToken: {
    purpose: 'Whether a token is still valid.',
    perIp: BATCH_QUERY,
    perAccount: BATCH_QUERY,
    errorCodes: NO_CODES,
    result: { method: 'queryToken', type: 'boolean' },
    hosts: { n8n: ['token.query'], nodeRed: ['alicloud-mqtt-credential:queryToken'] },
  },
  RevokeToken: {
    purpose: 'Make a token invalid at once.',
    perIp: REVOKE,
    perAccount: REVOKE,
    errorCodes: NO_CODES,
    result: { method: 'revokeToken', type: 'void' },
    hosts: { n8n: ['token.revoke'], nodeRed: ['alicloud-mqtt-credential:revokeToken'] },
  },
  SendMessage: {
    purpose: 'Publish a message to a topic (a subscribed device receives it).',
    perIp: SINGLE_QUERY,
    perAccount: { documentedQps: 1000, ratePerSecond: 880, burst: 50 },
    errorCodes: NO_CODES,
    result: { method: 'sendMessage', type: 'SentMessage' },
    hosts: { n8n: ['message.send'], nodeRed: ['alicloud-mqtt-send'] },
  },
} satisfies Record<string, ApiDeclaration>);

export type ApiName = keyof typeof API_TABLE;

export const API_NAMES = Object.freeze(Object.keys(API_TABLE) as ApiName[]);
