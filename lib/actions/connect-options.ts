/**
 * What an MQTT client (mqtt.js, Paho, a device's firmware) passes to CONNECT to log in to ApsaraMQ
 * for MQTT, in the three documented modes. The Client ID is `GroupId@@@DeviceId`.
 *
 * | mode             | username                                      | password                                   |
 * | Signature        | Signature|{AccessKeyId}|{InstanceId}          | Base64(HMAC-SHA1(AccessKeySecret, ClientId)) |
 * | DeviceCredential | DeviceCredential|{DeviceAccessKeyId}|{InstanceId} | Base64(HMAC-SHA1(DeviceAccessKeySecret, ClientId)) |
 * | Token            | Token|{AccessKeyId}|{InstanceId}              | R|{token}, W|{token} or R|{token}|W|{token}  |
 *
 * The password is a secret (it logs the device in): it is returned because the caller asked for it
 * to hand it to the device, and it never appears in an error.
 */
import { createHmac } from 'node:crypto';
import { invalidInput } from '../base/errors';
import { requireId, requireOneOf } from '../base/validation';

export type MqttAuthMode = 'DeviceCredential' | 'Signature' | 'Token';
export const MQTT_AUTH_MODES: readonly MqttAuthMode[] = ['DeviceCredential', 'Signature', 'Token'];
export type TokenActions = 'R' | 'W' | 'R,W';

export interface MqttConnectOptionsInput {
  mode: MqttAuthMode;
  clientId: string;
  instanceId: string;
  /** DeviceCredential mode. */
  deviceAccessKeyId?: string;
  deviceAccessKeySecret?: string;
  /** Signature mode (and the username of Token mode). */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Token mode: the token from ApplyToken, and what it allows (default 'R,W'). */
  token?: string;
  tokenActions?: TokenActions;
}

export interface MqttConnectOptions {
  clientId: string;
  username: string;
  password: string;
}

const CLIENT_ID = /^[^@\s]{1,64}@@@[^@\s]{1,64}$/;

export function mqttConnectOptions(input: MqttConnectOptionsInput): MqttConnectOptions {
  if (!input || typeof input !== 'object')
    throw invalidInput('options', 'expected an object { mode, clientId, instanceId, ... }.');
  const mode = requireOneOf<MqttAuthMode>('mode', input.mode, MQTT_AUTH_MODES, 'DeviceCredential');
  const clientId = requireId('clientId', input.clientId, 'GID_group@@@device');
  if (!CLIENT_ID.test(clientId))
    throw invalidInput(
      'clientId',
      'must be GroupId@@@DeviceId (for example GID_sensors@@@device-001), at most 64 characters on each side.',
    );
  const instanceId = requireId('instanceId', input.instanceId, 'post-cn-xxxxxxxx');
  switch (mode) {
    case 'DeviceCredential': {
      const keyId = requireKeyPart('deviceAccessKeyId', input.deviceAccessKeyId, FROM_DEVICE_CREDENTIAL);
      const secret = requireKeyPart('deviceAccessKeySecret', input.deviceAccessKeySecret, FROM_DEVICE_CREDENTIAL);
      return {
        clientId,
        username: `DeviceCredential|${keyId}|${instanceId}`,
        password: hmacSha1Base64(secret, clientId),
      };
    }
    case 'Signature': {
      const keyId = requireKeyPart('accessKeyId', input.accessKeyId, FROM_ACCOUNT);
      const secret = requireKeyPart('accessKeySecret', input.accessKeySecret, FROM_ACCOUNT);
      return { clientId, username: `Signature|${keyId}|${instanceId}`, password: hmacSha1Base64(secret, clientId) };
    }
    case 'Token': {
      const keyId = requireKeyPart('accessKeyId', input.accessKeyId, FROM_ACCOUNT);
      const token = requireKeyPart('token', input.token, 'the token that ApplyToken returned');
      const actions = requireOneOf<TokenActions>('tokenActions', input.tokenActions, ['R', 'W', 'R,W'], 'R,W');
      const password = actions === 'R,W' ? `R|${token}|W|${token}` : `${actions}|${token}`;
      return { clientId, username: `Token|${keyId}|${instanceId}`, password };
    }
  }
}

const FROM_DEVICE_CREDENTIAL = "the device's credential (Get or Register Device Credential)";
const FROM_ACCOUNT = 'the AccessKey of the account that owns the instance';

/** A key, secret or token: required, without spaces; the message never echoes it. */
function requireKeyPart(field: string, value: unknown, from: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput(field, `is missing: give it from ${from}.`);
  const trimmed = value.trim();
  if (/[\s\u0000-\u001f\u007f]/.test(trimmed))
    throw invalidInput(field, `contains spaces or control characters; copy it again from ${from}.`);
  return trimmed;
}

/** Base64(HMAC-SHA1(key, data)): the password of the Signature and DeviceCredential modes. */
export function hmacSha1Base64(key: string, data: string): string {
  return createHmac('sha1', key).update(data, 'utf8').digest('base64');
}
