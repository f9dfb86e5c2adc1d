/**
 * Tokens (the Token login mode, for clients that should not hold an AccessKey) and messages sent to
 * devices from the server side.
 *
 * ApplyToken: `Resources` are topics (at most 100, joined with commas), `Actions` R, W or R,W, and
 * `ExpireTime` between 60 s and 30 days ahead (epoch ms). SendMessage publishes `Payload` to
 * `MqttTopic` on the instance.
 */
import { invalidInput } from '../base/errors';
import { requireId, requireOneOf, requireTime } from '../base/validation';
import type { ActionSender } from '../send/sender';
import type { TokenActions } from './connect-options';

export const MAX_TOKEN_RESOURCES = 100;
export const MIN_TOKEN_LIFETIME_MS = 60_000;
export const MAX_TOKEN_LIFETIME_MS = 30 * 24 * 3600_000;
/** SendMessage carries the payload in the request: Alibaba's gateway limits a request to 64 KB. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface ApplyTokenInput {
  instanceId: string;
  resources: readonly string[] | string;
  actions: TokenActions;
  /** Date, epoch ms or ISO 8601; 60 s to 30 days ahead. */
  expireAt: Date | number | string;
}

export async function applyToken(
  sender: ActionSender,
  input: ApplyTokenInput,
  signal?: AbortSignal,
): Promise<{ token: string; instanceId: string; resources: string[]; actions: TokenActions; expireAt: string }> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const resources = topicList(input.resources);
  const actions = requireOneOf<TokenActions>('actions', input.actions, ['R', 'W', 'R,W'], 'R');
  const expireAt = requireTime('expireAt', input.expireAt);
  const ahead = expireAt - Date.now();
  if (ahead < MIN_TOKEN_LIFETIME_MS || ahead > MAX_TOKEN_LIFETIME_MS) {
    throw invalidInput('expireAt', 'must be between 60 seconds and 30 days from now.');
  }
  const response = await sender.call(
    'ApplyToken',
    { InstanceId: instanceId, Resources: resources.join(','), Actions: actions, ExpireTime: String(expireAt) },
    signal,
  );
  const token = response.body.Token;
  if (typeof token !== 'string' || token === '') throw sender.malformed('ApplyToken', 'Token', response);
  return { token, instanceId, resources, actions, expireAt: new Date(expireAt).toISOString() };
}

/** Whether the token is still valid (not expired, not revoked). */
export async function queryToken(
  sender: ActionSender,
  input: { instanceId: string; token: string },
  signal?: AbortSignal,
): Promise<{ valid: boolean; requestId: string | undefined }> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const token = requireId('token', input.token, 'the token that Apply Token returned');
  const response = await sender.call('QueryToken', { InstanceId: instanceId, Token: token }, signal);
  const status = response.body.TokenStatus;
  if (typeof status !== 'boolean') throw sender.malformed('QueryToken', 'TokenStatus', response);
  return { valid: status, requestId: response.requestId };
}

export async function revokeToken(
  sender: ActionSender,
  input: { instanceId: string; token: string },
  signal?: AbortSignal,
): Promise<{ revoked: true; requestId: string | undefined }> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const token = requireId('token', input.token, 'the token that Apply Token returned');
  const response = await sender.call('RevokeToken', { InstanceId: instanceId, Token: token }, signal);
  return { revoked: true, requestId: response.requestId };
}

export async function sendMessage(
  sender: ActionSender,
  input: { instanceId: string; topic: string; payload: string | Buffer | object },
  signal?: AbortSignal,
): Promise<{ msgId: string; instanceId: string; topic: string; requestId: string | undefined }> {
  const instanceId = requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx');
  const topic = requireTopic('topic', input.topic);
  const payload = payloadText(input.payload);
  const response = await sender.call(
    'SendMessage',
    { InstanceId: instanceId, MqttTopic: topic, Payload: payload },
    signal,
  );
  const msgId = response.body.MsgId;
  if (typeof msgId !== 'string' || msgId === '') throw sender.malformed('SendMessage', 'MsgId', response);
  return { msgId, instanceId, topic, requestId: response.requestId };
}

function topicList(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (!list)
    throw invalidInput(
      'resources',
      'expected the topics the token may use: an array, or a comma-separated text such as "sensors/1,sensors/1/config".',
    );
  const topics = list.map((t, i) => requireTopic(`resources[${i}]`, t)).filter((t, i, all) => all.indexOf(t) === i);
  if (topics.length === 0) throw invalidInput('resources', 'is empty: give at least one topic.');
  if (topics.length > MAX_TOKEN_RESOURCES)
    throw invalidInput('resources', `has ${topics.length} topics; a token allows at most ${MAX_TOKEN_RESOURCES}.`);
  return topics;
}

function requireTopic(field: string, value: unknown): string {
  const topic = requireId(field, value, 'parentTopic/device-001');
  if (topic.includes(',')) throw invalidInput(field, 'must not contain a comma (commas separate topics).');
  return topic;
}

/** The payload as the text SendMessage carries: a string as it is, a Buffer as UTF-8, anything else as JSON. */
function payloadText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (Buffer.isBuffer(value)) text = value.toString('utf8');
  else if (value !== undefined && value !== null) text = JSON.stringify(value);
  else throw invalidInput('payload', 'is missing: give the message text, or an object to send as JSON.');
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES)
    throw invalidInput('payload', `is ${Buffer.byteLength(text)} bytes; at most ${MAX_MESSAGE_BYTES} are accepted.`);
  return text;
}
