/**
 * The OnsMqtt 2020-04-20 API as the emulator serves it: parse (GET or POST, query and form
 * parameters), authenticate (V3 or V1 signature, STS), throttle, inject faults, answer with the
 * documented JSON shapes and error bodies.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DeviceRegistry, formatTraceTime } from './devices';
import { FaultInjector } from './faults';
import type { Inbox } from './inbox';
import { ApiError } from './api-error';
import { actionCodeOfMessage, actionInfoOfMessage, newMsgId, type MessageEvent, type MessageLog } from './messages';
import type { ApiName } from '../lib/base/api-table';
import {
  MAX_TOKEN_LIFETIME_MS,
  MIN_TOKEN_LIFETIME_MS,
  type DeviceCredentialRecord,
  type ProvisioningStore,
} from './provisioning';
import { serviceErrorStatus } from './service-errors';
import {
  parseV3Authorization,
  readV3Signature,
  safeEqual,
  v1Signature,
  v1StringToSign,
  type Params,
} from './signature';
import { StsAuthority } from './sts';

export const API_VERSION = '2020-04-20';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const REQUIRED_V3_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** Instances this key may query; default: all configured instances. */
  instances?: string[];
}

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  action: string;
  signature: 'v3' | 'v1' | 'none';
  accessKeyId: string;
  /** Request parameters, without Signature and SecurityToken. */
  params: Record<string, string>;
  clientIds: string[];
  status: number;
  code?: string;
  fault?: string;
  /**
   * The request as it came over the wire, without what changes from one request to the next (date,
   * nonce, signature, token, key): what the transports' identity test compares.
   */
  wire: WireShape;
}

export interface WireShape {
  method: string;
  /** The path and the query string exactly as sent (their encoding included). */
  target: string;
  /** The signed headers' names, in the Authorization header's order (V3 only). */
  signedHeaders: string[];
  /** The signed headers whose values do not vary per request (action, version, body hash, content type). */
  signedValues: Record<string, string>;
  /** The body's length in bytes. */
  bodyBytes: number;
}

/** Signed headers whose values are the same for the same request sent twice. */
const STABLE_SIGNED = new Set(['host', 'x-acs-action', 'x-acs-version', 'x-acs-content-sha256', 'content-type']);

function wireShapeOf(req: IncomingMessage, body: Buffer): WireShape {
  const auth = parseV3Authorization(header(req, 'authorization'));
  const signedHeaders = auth?.signedHeaders ?? [];
  const signedValues: Record<string, string> = {};
  for (const name of signedHeaders) if (STABLE_SIGNED.has(name)) signedValues[name] = header(req, name);
  return { method: req.method ?? 'GET', target: req.url ?? '', signedHeaders, signedValues, bodyBytes: body.length };
}

export { ApiError };

export interface ApiState {
  devices: DeviceRegistry;
  faults: FaultInjector;
  sts: StsAuthority;
  accessKeys: Map<string, AccessKey>;
  instances: Set<string>;
  log: LogEntry[];
  logLimit: number;
  /** Added to the emulator's clock, to simulate a skewed client. */
  clockOffsetMs: number;
  /** When the credentials URI was fetched (epoch ms each). */
  credentialsUriFetches: number[];
  counters: {
    requests: number;
    byAction: Record<string, number>;
    byCode: Record<string, number>;
    faults: Record<string, number>;
  };
  /** Responses held open ("never answers"), destroyed on stop. */
  hanging: Set<ServerResponse>;
  /** Signature nonces seen within the allowed clock skew (per emulator: two emulators never share). */
  nonces: Map<string, number>;
  /** The last request log sequence number of this emulator. */
  logSeq: number;
  /** Device credentials and tokens (in memory only). */
  provisioning: ProvisioningStore;
  /** What the example workflows and flows posted as tickets (see inbox.ts). */
  inbox: Inbox;
  /** Publishes on the MQTT broker (SendMessage); undefined without a broker. */
  publish?: (topic: string, payload: string, msgId: string) => void;
  /** What the broker carried, for the message traces. */
  messages: MessageLog;
}

interface Parsed {
  method: string;
  params: Map<string, string>;
  pairs: Params;
  action: string;
  version: string;
  signature: 'v3' | 'v1' | 'none';
  accessKeyId: string;
}

export async function handleApi(
  state: ApiState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  url: URL,
  arrivedAt = Date.now(),
): Promise<void> {
  const requestId = randomUUID().toUpperCase();
  state.counters.requests++;
  let parsed: Parsed | undefined;
  const entry: LogEntry = {
    seq: ++state.logSeq,
    time: new Date(arrivedAt).toISOString(),
    method: req.method ?? 'GET',
    action: '',
    signature: 'none',
    accessKeyId: '',
    params: {},
    clientIds: [],
    status: 0,
    wire: wireShapeOf(req, body),
  };
  try {
    parsed = parseRequest(req, body, url);
    entry.action = parsed.action;
    entry.signature = parsed.signature;
    entry.accessKeyId = parsed.accessKeyId;
    for (const [k, v] of parsed.params) if (k !== 'Signature' && k !== 'SecurityToken') entry.params[k] = v;
    entry.clientIds = clientIdsOf(parsed.params);
    state.counters.byAction[parsed.action] = (state.counters.byAction[parsed.action] ?? 0) + 1;

    if (state.faults.throttled(parsed.action)) throw new ApiError('SystemOverFlow');
    authenticate(state, req, body, url, parsed);

    const stall = state.faults.stallMs();
    if (stall > 0) await new Promise((r) => setTimeout(r, stall));
    const decision = state.faults.decide(parsed.action, entry.clientIds);
    const delay = state.faults.delayMs();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (decision.kind !== 'none') {
      entry.fault = decision.kind === 'error' ? decision.code : decision.kind;
      state.counters.faults[entry.fault] = (state.counters.faults[entry.fault] ?? 0) + 1;
    }
    if (decision.kind === 'hang') {
      entry.status = -1;
      state.hanging.add(res);
      res.on('close', () => state.hanging.delete(res));
      return;
    }
    if (decision.kind === 'reset') {
      entry.status = -2;
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'html') {
      entry.status = 502;
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>Tengine</center></body></html>',
      );
      return;
    }
    if (decision.kind === 'error') throw new ApiError(decision.code);

    const result = runAction(state, parsed);
    entry.status = 200;
    sendJson(res, 200, { RequestId: requestId, ...result });
  } catch (caught) {
    const error = caught instanceof ApiError ? caught : new ApiError('InternalError');
    const status = serviceErrorStatus(error.code);
    entry.status = status;
    entry.code = error.code;
    state.counters.byCode[error.code] = (state.counters.byCode[error.code] ?? 0) + 1;
    sendJson(res, status, {
      RequestId: requestId,
      HostId: req.headers.host ?? 'onsmqtt.emulator',
      Code: error.code,
      Message: error.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=OnsMqtt`,
    });
  } finally {
    state.log.push(entry);
    if (state.log.length > state.logLimit) state.log.splice(0, state.log.length - state.logLimit);
  }
}

function credentialBody(r: DeviceCredentialRecord): Record<string, unknown> {
  return {
    ClientId: r.clientId,
    InstanceId: r.instanceId,
    DeviceAccessKeyId: r.deviceAccessKeyId,
    DeviceAccessKeySecret: r.deviceAccessKeySecret,
    CreateTime: r.createTime,
    UpdateTime: r.updateTime,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

function parseRequest(req: IncomingMessage, body: Buffer, url: URL): Parsed {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST')
    throw new ApiError('InvalidAction.NotFound', `Method ${method} is not supported.`);
  const pairs: Params = [...url.searchParams];
  const type = String(req.headers['content-type'] ?? '');
  if (body.length > 0 && type.startsWith('application/x-www-form-urlencoded')) {
    pairs.push(...new URLSearchParams(body.toString('utf8')));
  }
  const params = new Map<string, string>();
  for (const [k, v] of pairs) {
    if (params.has(k))
      throw new ApiError('ParameterCheckFailed', `The parameter ${k.slice(0, 64)} is given more than once.`);
    params.set(k, v);
  }
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('ACS3-HMAC-SHA256')) {
    const parsedAuth = parseV3Authorization(auth);
    return {
      method,
      params,
      pairs,
      action: header(req, 'x-acs-action'),
      version: header(req, 'x-acs-version'),
      signature: 'v3',
      accessKeyId: parsedAuth?.accessKeyId ?? '',
    };
  }
  return {
    method,
    params,
    pairs,
    action: params.get('Action') ?? '',
    version: params.get('Version') ?? '',
    signature: params.has('Signature') ? 'v1' : 'none',
    accessKeyId: params.get('AccessKeyId') ?? '',
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function useNonce(nonces: Map<string, number>, nonce: string, now: number): boolean {
  for (const [n, t] of nonces) {
    if (t > now - MAX_SKEW_MS) break;
    nonces.delete(n);
  }
  if (nonces.has(nonce)) return false;
  nonces.set(nonce, now);
  return true;
}

function authenticate(state: ApiState, req: IncomingMessage, body: Buffer, url: URL, p: Parsed): void {
  if (p.signature === 'none')
    throw new ApiError(
      'IncompleteSignature',
      'The request has no signature (neither an ACS3-HMAC-SHA256 Authorization header nor a Signature parameter).',
    );
  const now = Date.now() + state.clockOffsetMs;
  let timestamp: string;
  let nonce: string;
  let token: string | undefined;
  let secretOf: (secret: string) => boolean;

  if (p.signature === 'v3') {
    const signed = readV3Signature(
      { method: p.method, path: url.pathname, query: [...url.searchParams], headers: req.headers, body },
      REQUIRED_V3_HEADERS,
    );
    if (typeof signed === 'string')
      throw new ApiError(
        signed.startsWith('x-acs-content-sha256') ? 'SignatureDoesNotMatch' : 'IncompleteSignature',
        signed,
      );
    timestamp = header(req, 'x-acs-date');
    nonce = header(req, 'x-acs-signature-nonce');
    token = req.headers['x-acs-security-token'] !== undefined ? header(req, 'x-acs-security-token') : undefined;
    secretOf = signed.matches;
  } else {
    for (const k of ['AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp']) {
      if (!p.params.has(k))
        throw new ApiError('MissingParameter', `The parameter ${k} is required for a signed request.`);
    }
    if (p.params.get('SignatureMethod') !== 'HMAC-SHA1' || p.params.get('SignatureVersion') !== '1.0') {
      throw new ApiError(
        'IncompleteSignature',
        'Only SignatureMethod HMAC-SHA1 with SignatureVersion 1.0 is supported for parameter signatures.',
      );
    }
    timestamp = p.params.get('Timestamp') ?? '';
    nonce = p.params.get('SignatureNonce') ?? '';
    token = p.params.get('SecurityToken');
    const stringToSign = v1StringToSign(p.method, p.pairs);
    const given = p.params.get('Signature') ?? '';
    secretOf = (secret) => safeEqual(v1Signature(secret, stringToSign), given);
  }

  const isSts = p.accessKeyId.startsWith('STS.');
  const secret = isSts ? state.sts.keys.get(p.accessKeyId) : state.accessKeys.get(p.accessKeyId)?.accessKeySecret;
  if (secret === undefined) throw new ApiError('InvalidAccessKeyId.NotFound');
  if (isSts) {
    if (!token) throw new ApiError('MissingSecurityToken');
    const check = state.sts.check(token, p.accessKeyId, now);
    if (!check.ok) throw new ApiError(check.code);
  }
  if (!secretOf(secret)) throw new ApiError('SignatureDoesNotMatch');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(timestamp)) throw new ApiError('InvalidTimeStamp.Format');
  if (Math.abs(now - Date.parse(timestamp)) > MAX_SKEW_MS) throw new ApiError('InvalidTimeStamp.Expired');
  if (!nonce || !useNonce(state.nonces, nonce, now)) throw new ApiError('SignatureNonceUsed');
  if (p.version !== API_VERSION)
    throw new ApiError(
      'InvalidVersion',
      `Specified parameter Version "${p.version.slice(0, 32)}" is not valid; OnsMqtt uses ${API_VERSION}.`,
    );
}

function clientIdsOf(params: Map<string, string>): string[] {
  const ids: string[] = [];
  const single = params.get('ClientId');
  if (single !== undefined) ids.push(single);
  for (const [k, v] of params) if (/^ClientIdList\.\d+$/.test(k)) ids.push(v);
  return ids;
}

function required(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '')
    throw new ApiError('ParameterCheckFailed', `The parameter ${name} is mandatory for this action.`);
  return value;
}

function checkInstance(state: ApiState, p: Parsed, instanceId: string): void {
  if (!state.instances.has(instanceId)) {
    throw new ApiError(
      'InstancePermissionCheckFailed',
      `The instance ${instanceId.slice(0, 64)} does not exist in this region or does not belong to this account.`,
    );
  }
  const allowed = state.accessKeys.get(p.accessKeyId)?.instances;
  if (allowed && !allowed.includes(instanceId)) {
    throw new ApiError(
      'PermissionCheckFailed',
      `The AccessKey ${p.accessKeyId} is not authorised for mq:MqttInstanceAccess on ${instanceId}.`,
    );
  }
}

type Handler = (state: ApiState, p: Parsed) => Record<string, unknown>;

/**
 * One handler per API of the API table (lib/base/api-table.ts): the type makes a declared API
 * without a handler a compile error.
 */
const HANDLERS: { readonly [K in ApiName]: Handler } = {
  QuerySessionByClientId: (state, p) => {
    const clientId = required(p.params, 'ClientId');
    const instanceId = required(p.params, 'InstanceId');
    checkInstance(state, p, instanceId);
    return { OnlineStatus: state.devices.isOnline(clientId) };
  },
  BatchQuerySessionByClientIds: (state, p) => {
    const instanceId = required(p.params, 'InstanceId');
    const ids = [...p.params.entries()]
      .filter(([k]) => /^ClientIdList\.\d+$/.test(k))
      .sort((a, b) => Number(a[0].slice(13)) - Number(b[0].slice(13)))
      .map(([, v]) => v);
    if (ids.length === 0)
      throw new ApiError('ParameterCheckFailed', 'The parameter ClientIdList is mandatory for this action.');
    if (ids.length > 10) throw new ApiError('ParameterCheckFailed', 'ClientIdList accepts at most 10 Client IDs.');
    checkInstance(state, p, instanceId);
    return { OnlineStatusList: ids.map((ClientId) => ({ ClientId, OnlineStatus: state.devices.isOnline(ClientId) })) };
  },
  QueryMqttTraceDevice: (state, p) => {
    const clientId = required(p.params, 'ClientId');
    const { begin, end } = traceRange(state, p);
    return paged(p, state.devices.trace(clientId, begin, end), 'DeviceInfoList', (e) => ({
      ChannelId: e.channelId,
      Time: formatTraceTime(e.timeMs),
      Action: e.action,
      ActionCode: e.actionCode,
      ActionInfo: e.actionInfo,
    }));
  },
  QueryMqttTraceMessagePublish: (state, p) => {
    const { begin, end } = traceRange(state, p);
    const msgId = required(p.params, 'MsgId');
    return {
      MessageTraceLists: state.messages
        .find(begin, end, (e) => e.msgId === msgId && e.action !== 'sub')
        .map(messageRow),
    };
  },
  QueryMqttTraceMessageSubscribe: (state, p) => {
    const { begin, end } = traceRange(state, p);
    const msgId = required(p.params, 'MsgId');
    const clientId = p.params.get('ClientId');
    const events = state.messages.find(
      begin,
      end,
      (e) => e.msgId === msgId && e.action === 'sub' && (!clientId || e.clientId === clientId),
    );
    return paged(p, events, 'MessageTraceLists', messageRow);
  },
  QueryMqttTraceMessageOfClient: (state, p) => {
    const { begin, end } = traceRange(state, p);
    const clientId = required(p.params, 'ClientId');
    return paged(
      p,
      state.messages.find(begin, end, (e) => e.clientId === clientId),
      'MessageOfClientList',
      messageRow,
    );
  },
  GetDeviceCredential: (state, p) => deviceCredential(state, p),
  RegisterDeviceCredential: (state, p) => deviceCredential(state, p),
  RefreshDeviceCredential: (state, p) => deviceCredential(state, p),
  UnRegisterDeviceCredential: (state, p) => deviceCredential(state, p),
  ApplyToken: (state, p) => {
    const instanceId = required(p.params, 'InstanceId');
    const resources = required(p.params, 'Resources').split(',');
    const actions = required(p.params, 'Actions');
    const expire = Number(required(p.params, 'ExpireTime'));
    checkInstance(state, p, instanceId);
    if (resources.length > 100 || resources.some((r) => r.trim() === ''))
      throw new ApiError('InvalidParameter.Resources', 'Resources: 1 to 100 topics, comma-separated.');
    if (!['R', 'W', 'R,W', 'W,R'].includes(actions))
      throw new ApiError('InvalidParameter.Actions', 'Actions must be R, W or R,W.');
    const ahead = expire - Date.now();
    if (!Number.isInteger(expire) || ahead < MIN_TOKEN_LIFETIME_MS - 5_000 || ahead > MAX_TOKEN_LIFETIME_MS)
      throw new ApiError(
        'InvalidParameter.ExpireTime',
        'ExpireTime must be epoch milliseconds between 60 seconds and 30 days ahead.',
      );
    return { Token: state.provisioning.applyToken(instanceId, resources, actions, expire).token };
  },
  QueryToken: (state, p) => {
    const instanceId = required(p.params, 'InstanceId');
    const token = required(p.params, 'Token');
    checkInstance(state, p, instanceId);
    return { TokenStatus: state.provisioning.tokenValid(instanceId, token) };
  },
  RevokeToken: (state, p) => {
    const instanceId = required(p.params, 'InstanceId');
    const token = required(p.params, 'Token');
    checkInstance(state, p, instanceId);
    state.provisioning.revokeToken(instanceId, token);
    return {};
  },
  SendMessage: (state, p) => {
    const instanceId = required(p.params, 'InstanceId');
    const topic = required(p.params, 'MqttTopic');
    const payload = required(p.params, 'Payload');
    checkInstance(state, p, instanceId);
    if (/[#+]/.test(topic))
      throw new ApiError('InvalidParameter.MqttTopic', 'MqttTopic must be a topic, not a filter (no # or +).');
    if (!state.publish)
      throw new ApiError('InternalError', 'The emulator runs without an MQTT broker: nothing to send to.');
    const msgId = newMsgId();
    state.publish(topic, payload, msgId);
    return { MsgId: msgId };
  },
};

/** The region, instance and time range every trace query names, checked as the service does. */
function traceRange(state: ApiState, p: Parsed): { instanceId: string; begin: number; end: number } {
  required(p.params, 'MqttRegionId');
  const instanceId = required(p.params, 'InstanceId');
  const begin = Number(required(p.params, 'BeginTime'));
  const end = Number(required(p.params, 'EndTime'));
  if (!Number.isInteger(begin) || !Number.isInteger(end) || begin > end)
    throw new ApiError(
      'InvalidParameter.BeginTime',
      'BeginTime and EndTime must be epoch milliseconds with BeginTime <= EndTime.',
    );
  checkInstance(state, p, instanceId);
  return { instanceId, begin, end };
}

/** One page of a paged trace answer (CurrentPage from 1, PageSize 1 to 100, Reverse: newest first). */
function paged<E>(
  p: Parsed,
  oldestFirst: E[],
  listField: string,
  row: (e: E) => Record<string, unknown>,
): Record<string, unknown> {
  const page = Number(required(p.params, 'CurrentPage'));
  const size = Number(required(p.params, 'PageSize'));
  if (!Number.isInteger(page) || page < 1)
    throw new ApiError('InvalidParameter.CurrentPage', 'CurrentPage must be an integer from 1.');
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new ApiError('InvalidParameter.PageSize', 'PageSize must be an integer from 1 to 100.');
  const events = p.params.get('Reverse') === 'true' ? [...oldestFirst].reverse() : oldestFirst;
  return {
    CurrentPage: page,
    PageSize: size,
    Total: events.length,
    [listField]: events.slice((page - 1) * size, page * size).map(row),
  };
}

function messageRow(e: MessageEvent): Record<string, unknown> {
  return {
    Time: formatTraceTime(e.timeMs),
    MsgId: e.msgId,
    ClientId: e.clientId,
    Action: e.action,
    ActionCode: actionCodeOfMessage(e.action),
    ActionInfo: actionInfoOfMessage(e.action),
  };
}

/** Part of OnsMqtt, not called by the package: answered as a service without it would. */
const NOT_EMULATED = new Set(['ListGroupId']);

function runAction(state: ApiState, p: Parsed): Record<string, unknown> {
  if (Object.hasOwn(HANDLERS, p.action)) return HANDLERS[p.action as ApiName](state, p);
  if (NOT_EMULATED.has(p.action))
    throw new ApiError('ApiNotSupport', `${p.action} is part of OnsMqtt but not emulated here.`);
  throw new ApiError(
    'InvalidAction.NotFound',
    `Specified api "${p.action.slice(0, 64)}" is not found for OnsMqtt ${API_VERSION}.`,
  );
}

/** The four credential APIs share their checks and store. */
function deviceCredential(state: ApiState, p: Parsed): Record<string, unknown> {
  const clientId = required(p.params, 'ClientId');
  const instanceId = required(p.params, 'InstanceId');
  checkInstance(state, p, instanceId);
  if (!/^[^@\s]{1,64}@@@[^@\s]{1,64}$/.test(clientId))
    throw new ApiError('InvalidParameter.ClientId', 'ClientId must be GroupId@@@DeviceId.');
  const store = state.provisioning;
  if (p.action === 'UnRegisterDeviceCredential') {
    store.unregister(instanceId, clientId);
    return {};
  }
  const record =
    p.action === 'GetDeviceCredential'
      ? store.get(instanceId, clientId)
      : p.action === 'RegisterDeviceCredential'
        ? store.register(instanceId, clientId)
        : store.refresh(instanceId, clientId);
  return record ? { DeviceCredential: credentialBody(record) } : {};
}

/** The API names the emulator answers (the API-table test compares them with the table). */
export const EMULATED_APIS: readonly string[] = Object.keys(HANDLERS);
