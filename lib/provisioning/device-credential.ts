/**
 * One secret per device (the DeviceCredential login mode): get, register, get-or-register,
 * refresh, unregister. Registering a Client ID again replaces its credential (the newest wins), so
 * a provisioning flow that may run twice gets first and registers only when there is none:
 * `ensureDeviceCredential`.
 */
import { requireId } from '../validation';
import type { ActionSender } from './sender';
import type { TransportResponse } from '../transport';

export interface DeviceCredential {
  clientId: string;
  instanceId: string;
  deviceAccessKeyId: string;
  /** A secret: it logs the device in. Hand it to the device; do not log or store it elsewhere. */
  deviceAccessKeySecret: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

export interface DeviceRef {
  clientId: string;
  instanceId: string;
}

export function deviceRef(input: DeviceRef): DeviceRef {
  return {
    clientId: requireId('clientId', input?.clientId, 'GID_group@@@device'),
    instanceId: requireId('instanceId', input?.instanceId, 'post-cn-xxxxxxxx'),
  };
}

const query = (ref: DeviceRef) => ({ ClientId: ref.clientId, InstanceId: ref.instanceId });

/** The device's credential, or null when none is registered. */
export async function getDeviceCredential(sender: ActionSender, input: DeviceRef, signal?: AbortSignal): Promise<DeviceCredential | null> {
  const ref = deviceRef(input);
  const response = await sender.call('GetDeviceCredential', query(ref), signal);
  const raw = response.body.DeviceCredential;
  // The documentation gives no error for "none registered"; an answer without one means that.
  if (raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0)) return null;
  return parseCredential(sender, 'GetDeviceCredential', response, ref);
}

/** A new credential; replaces the device's current one if it has one. */
export async function registerDeviceCredential(sender: ActionSender, input: DeviceRef, signal?: AbortSignal): Promise<DeviceCredential> {
  const ref = deviceRef(input);
  return parseCredential(sender, 'RegisterDeviceCredential', await sender.call('RegisterDeviceCredential', query(ref), signal), ref);
}

/** The device's credential, registered only if it has none: safe to run again. */
export async function ensureDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<DeviceCredential & { registered: boolean }> {
  const existing = await getDeviceCredential(sender, input, signal);
  if (existing) return { ...existing, registered: false };
  return { ...(await registerDeviceCredential(sender, input, signal)), registered: true };
}

/** A new secret for the device; the old one stops working. */
export async function refreshDeviceCredential(sender: ActionSender, input: DeviceRef, signal?: AbortSignal): Promise<DeviceCredential> {
  const ref = deviceRef(input);
  return parseCredential(sender, 'RefreshDeviceCredential', await sender.call('RefreshDeviceCredential', query(ref), signal), ref);
}

export async function unregisterDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<{ clientId: string; instanceId: string; requestId: string | undefined }> {
  const ref = deviceRef(input);
  const response = await sender.call('UnRegisterDeviceCredential', query(ref), signal);
  return { ...ref, requestId: response.requestId };
}

function parseCredential(sender: ActionSender, action: string, response: TransportResponse, ref: DeviceRef): DeviceCredential {
  const raw = response.body.DeviceCredential as Record<string, unknown> | undefined;
  const text = (name: string) => (raw && typeof raw[name] === 'string' && raw[name] !== '' ? raw[name] : undefined);
  const keyId = text('DeviceAccessKeyId');
  const secret = text('DeviceAccessKeySecret');
  if (!raw || typeof raw !== 'object' || !keyId || !secret) throw sender.malformed(action, 'DeviceCredential', response);
  return {
    clientId: text('ClientId') ?? ref.clientId,
    instanceId: text('InstanceId') ?? ref.instanceId,
    deviceAccessKeyId: keyId,
    deviceAccessKeySecret: secret,
    createdAt: isoTime(raw.CreateTime),
    updatedAt: isoTime(raw.UpdateTime),
  };
}

/** Epoch milliseconds (a number, or a string of digits) as ISO 8601; the answer time if missing. */
function isoTime(value: unknown): string {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
}
