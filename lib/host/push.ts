/**
 * What both hosts need to subscribe a watch to push presence: the Cloud SDK's login from the
 * client options a host already builds (the Cloud SDK takes an AccessKey pair only), and the MQTT
 * Group IDs to consume, from the setting or, left empty, from the watched Client IDs
 * (`GID_x@@@device` belongs to `GID_x`).
 */
import { invalidInput } from '../base/errors';
import type { OnsMqttClientOptions } from '../client/options';
import type { DeviceMessage } from '../push/device-message';
import type { StatusSubscriptionOptions } from '../push/status-subscription';

export type PushLogin = Pick<StatusSubscriptionOptions, 'accessKeyId' | 'accessKeySecret' | 'network' | 'endpoint'>;

export function pushLoginFrom(options: OnsMqttClientOptions, endpoint?: string): PushLogin {
  const spec = options.credential;
  const accessKeyId = spec
    ? spec.type === 'access_key'
      ? spec.accessKeyId
      : undefined
    : options.securityToken
      ? undefined
      : options.accessKeyId;
  const accessKeySecret = spec
    ? spec.type === 'access_key'
      ? spec.accessKeySecret
      : undefined
    : options.accessKeySecret;
  if (!accessKeyId || !accessKeySecret) {
    throw invalidInput(
      'credentials',
      'push presence (the Cloud SDK) logs in with an AccessKey pair only: STS tokens and roles are not accepted there. Choose the AccessKey authentication in this account, or watch by polling.',
    );
  }
  const custom = typeof endpoint === 'string' && endpoint.trim() ? endpoint.trim() : undefined;
  if (custom && !/^amqp:\/\/[^/\s]+$/.test(custom))
    throw invalidInput('pushEndpoint', `the Cloud SDK endpoint is amqp://host:port, not "${custom}".`);
  return {
    accessKeyId,
    accessKeySecret,
    network: options.network === 'vpc' ? 'vpc' : 'public',
    ...(custom ? { endpoint: custom } : {}),
  };
}

/** The Group IDs to consume: the setting (comma or line separated), else those of the watched Client IDs. */
export function pushGroupIdsFrom(setting: unknown, clientIds: readonly string[]): string[] {
  const given = typeof setting === 'string' ? setting.split(/[\s,]+/).filter(Boolean) : [];
  const groups = given.length ? given : clientIds.map((id) => id.split('@@@')[0]).filter((g) => g && g.length < 200);
  const unique = [...new Set(groups)];
  if (unique.length === 0)
    throw invalidInput(
      'groupIds',
      'push presence needs a Group ID (GID_x): give one, or Client IDs of the form GID_x@@@device.',
    );
  return unique;
}

/** The parent topics whose device messages to receive (comma or line separated): first-level MQTT topics, no wildcards. */
export function parentTopicsFrom(setting: unknown): string[] {
  const given = typeof setting === 'string' ? setting.split(/[\s,]+/).filter(Boolean) : [];
  for (const topic of given) {
    if (/[/#+]/.test(topic) || topic.length > 64) {
      throw invalidInput(
        'parentTopics',
        `"${topic.slice(0, 80)}" is not a parent topic: give first-level topics as created in the MQTT console (for example "devices"), without "/", "+" or "#". Every topic under each is received.`,
      );
    }
  }
  return [...new Set(given)];
}

/** Watched devices: the listed Client IDs, or every device of the subscribed groups. */
export type PushDevices = 'list' | 'group';

export function pushDevicesFrom(setting: unknown): PushDevices {
  return setting === 'group' ? 'group' : 'list';
}

/**
 * A device message as both hosts give it (an n8n item's JSON, a Node-RED message's properties):
 * the payload parsed when it is a JSON object or array, text when it is UTF-8, else Base64 (as
 * `payloadFormat` says), the full topic, the sending device, when the service received it, MQTT 5
 * user properties and the message id, when the service gave them.
 */
export interface DeviceMessageFields {
  event: 'message';
  instanceId: string;
  topic: string;
  payload: unknown;
  payloadFormat: 'json' | 'text' | 'base64';
  clientId?: string;
  bornAt?: string;
  userProperties?: Array<{ key: string; value: string }>;
  messageId?: string;
}

export function deviceMessageFields(instanceId: string, message: DeviceMessage): DeviceMessageFields {
  const { payload, payloadFormat } = readPayload(message.payload);
  const fields: DeviceMessageFields = { event: 'message', instanceId, topic: message.topic, payload, payloadFormat };
  if (message.clientId !== undefined) fields.clientId = message.clientId;
  if (message.bornAt !== undefined) fields.bornAt = message.bornAt;
  if (message.userProperties !== undefined) fields.userProperties = message.userProperties;
  if (message.messageId !== undefined) fields.messageId = message.messageId;
  return fields;
}

function readPayload(body: Buffer): Pick<DeviceMessageFields, 'payload' | 'payloadFormat'> {
  const text = body.toString('utf8');
  // Only what decodes back to the same bytes is text: anything else would be changed by reading it.
  if (!Buffer.from(text, 'utf8').equals(body)) return { payload: body.toString('base64'), payloadFormat: 'base64' };
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    try {
      return { payload: JSON.parse(text) as unknown, payloadFormat: 'json' };
    } catch {
      // Looks like JSON but is not: text.
    }
  }
  return { payload: text, payloadFormat: 'text' };
}
