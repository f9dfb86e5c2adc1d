/**
 * The emulator's provisioning side: device credentials (one secret per device), tokens, and the
 * check the MQTT broker runs on CONNECT in the three documented login modes. Kept in memory only:
 * credentials and tokens live as long as the emulator.
 *
 * Login modes (username | password):
 *   Signature|{AccessKeyId}|{InstanceId}              | Base64(HMAC-SHA1(AccessKeySecret, ClientId))
 *   DeviceCredential|{DeviceAccessKeyId}|{InstanceId} | Base64(HMAC-SHA1(DeviceAccessKeySecret, ClientId))
 *   Token|{AccessKeyId}|{InstanceId}                  | R|{token}, W|{token} or R|{token}|W|{token}
 * Computed here with Node's crypto independently of lib/actions (the emulator plays the server).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error';

export interface DeviceCredentialRecord {
  clientId: string;
  instanceId: string;
  deviceAccessKeyId: string;
  deviceAccessKeySecret: string;
  createTime: number;
  updateTime: number;
}

export interface TokenRecord {
  token: string;
  instanceId: string;
  resources: string[];
  actions: string;
  expireTime: number;
  revoked: boolean;
}

/** Why a CONNECT was refused: MQTT 3.1.1 return code 4 (bad user name or password) or 5 (not authorised). */
export type LoginResult = { ok: true } | { ok: false; returnCode: 4 | 5; reason: string };

export const MIN_TOKEN_LIFETIME_MS = 60_000;
export const MAX_TOKEN_LIFETIME_MS = 30 * 24 * 3600_000;

export class ProvisioningStore {
  private readonly credentials = new Map<string, DeviceCredentialRecord>();
  private readonly tokens = new Map<string, TokenRecord>();

  get(instanceId: string, clientId: string): DeviceCredentialRecord | undefined {
    return this.credentials.get(key(instanceId, clientId));
  }

  /** A new credential; replaces the one the device had (the newest wins). */
  register(instanceId: string, clientId: string, now = Date.now()): DeviceCredentialRecord {
    const record: DeviceCredentialRecord = {
      clientId,
      instanceId,
      deviceAccessKeyId: `DC.${randomBytes(12).toString('base64url')}`,
      deviceAccessKeySecret: `DC.${randomBytes(18).toString('base64url')}`,
      createTime: now,
      updateTime: now,
    };
    this.credentials.set(key(instanceId, clientId), record);
    return record;
  }

  /** A new secret for an existing credential; the old one stops working. */
  refresh(instanceId: string, clientId: string, now = Date.now()): DeviceCredentialRecord {
    const current = this.get(instanceId, clientId);
    if (!current)
      throw new ApiError(
        'ParameterCheckFailed',
        `The device ${clientId.slice(0, 64)} has no credential to refresh: register one first.`,
      );
    const record = {
      ...current,
      deviceAccessKeySecret: `DC.${randomBytes(18).toString('base64url')}`,
      updateTime: now,
    };
    this.credentials.set(key(instanceId, clientId), record);
    return record;
  }

  unregister(instanceId: string, clientId: string): void {
    this.credentials.delete(key(instanceId, clientId));
  }

  applyToken(instanceId: string, resources: string[], actions: string, expireTime: number): TokenRecord {
    const record: TokenRecord = {
      token: randomBytes(48).toString('base64'),
      instanceId,
      resources,
      actions,
      expireTime,
      revoked: false,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  tokenValid(instanceId: string, token: string, now = Date.now()): boolean {
    const record = this.tokens.get(token);
    return !!record && record.instanceId === instanceId && !record.revoked && record.expireTime > now;
  }

  revokeToken(instanceId: string, token: string): void {
    const record = this.tokens.get(token);
    if (record && record.instanceId === instanceId) record.revoked = true;
  }

  clear(): void {
    this.credentials.clear();
    this.tokens.clear();
  }

  /**
   * The broker's check of a CONNECT. `accessKeys` are the account's AccessKeys (id -> secret),
   * `instances` the instances that exist.
   */
  login(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    accessKeys: ReadonlyMap<string, string>,
    instances: ReadonlySet<string>,
    now = Date.now(),
  ): LoginResult {
    if (!username || !password) return { ok: false, returnCode: 4, reason: 'no user name or password' };
    const [mode, keyId, instanceId, ...rest] = username.split('|');
    if (!mode || !keyId || !instanceId || rest.length > 0)
      return { ok: false, returnCode: 4, reason: 'user name is not Mode|Key|InstanceId' };
    if (!instances.has(instanceId)) return { ok: false, returnCode: 5, reason: 'unknown instance' };
    if (!/^[^@]+@@@[^@]+$/.test(clientId))
      return { ok: false, returnCode: 5, reason: 'Client ID is not GroupId@@@DeviceId' };
    const given = password.toString('utf8');
    switch (mode) {
      case 'Signature': {
        const secret = accessKeys.get(keyId);
        if (secret === undefined) return { ok: false, returnCode: 5, reason: 'unknown AccessKey' };
        return sameText(given, signature(secret, clientId))
          ? { ok: true }
          : { ok: false, returnCode: 4, reason: 'wrong signature' };
      }
      case 'DeviceCredential': {
        const record = this.get(instanceId, clientId);
        if (!record || record.deviceAccessKeyId !== keyId)
          return { ok: false, returnCode: 5, reason: 'no such device credential' };
        return sameText(given, signature(record.deviceAccessKeySecret, clientId))
          ? { ok: true }
          : { ok: false, returnCode: 4, reason: 'wrong signature' };
      }
      case 'Token': {
        if (!accessKeys.has(keyId)) return { ok: false, returnCode: 5, reason: 'unknown AccessKey' };
        const parts = given.split('|');
        if (parts.length % 2 !== 0 || parts.length === 0)
          return { ok: false, returnCode: 4, reason: 'password is not R|token or W|token' };
        for (let i = 0; i < parts.length; i += 2) {
          if ((parts[i] !== 'R' && parts[i] !== 'W') || !this.tokenValid(instanceId, parts[i + 1], now)) {
            return { ok: false, returnCode: 4, reason: 'token invalid, expired or revoked' };
          }
        }
        return { ok: true };
      }
      default:
        return { ok: false, returnCode: 4, reason: `unknown login mode ${mode.slice(0, 20)}` };
    }
  }
}

function key(instanceId: string, clientId: string): string {
  return `${instanceId}\u0000${clientId}`;
}

function signature(secret: string, clientId: string): string {
  return createHmac('sha1', secret).update(clientId, 'utf8').digest('base64');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
