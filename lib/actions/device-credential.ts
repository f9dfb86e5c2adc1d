/**
 * One secret per device (the DeviceCredential login mode): get, register, get-or-register,
 * refresh, unregister. Registering a Client ID again replaces its credential (the newest wins), so
 * a provisioning flow that may run twice gets first and registers only when there is none:
 * `ensureDeviceCredential`.
 */
import { raceAbort } from '../base/abort';
import { requireId } from '../base/validation';
import type { ActionSender } from '../send/sender';
import type { TransportResponse } from '../send/transport';

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
export async function getDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<DeviceCredential | null> {
  const ref = deviceRef(input);
  const response = await sender.call('GetDeviceCredential', query(ref), signal);
  const raw = response.body.DeviceCredential;
  // The documentation gives no error for "none registered"; an answer without one means that.
  if (raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0)) return null;
  return parseCredential(sender, 'GetDeviceCredential', response, ref);
}

/** A new credential; replaces the device's current one if it has one. */
export async function registerDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<DeviceCredential> {
  const ref = deviceRef(input);
  return parseCredential(
    sender,
    'RegisterDeviceCredential',
    await sender.call('RegisterDeviceCredential', query(ref), signal),
    ref,
  );
}

/** Get-or-register calls in progress in this process, by endpoint, identity, instance and device. */
const ensuring = new Map<string, Promise<DeviceCredential & { registered: boolean }>>();

/**
 * The device's credential, registered only if it has none: safe to run again. Two calls for the
 * same device at once in this process share one get-and-register: otherwise both would find none,
 * both would register, and the first answer's secret would already be replaced. (Across processes,
 * e.g. n8n workers, the service itself decides: the newest registration wins.)
 */
export function ensureDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<DeviceCredential & { registered: boolean }> {
  const ref = deviceRef(input);
  const key = `${sender.scope}\u0000${ref.instanceId}\u0000${ref.clientId}`;
  const running = ensuring.get(key);
  // The later caller did not register: the earlier one did, or found one.
  if (running)
    return raceAbort(
      running.then((credential) => ({ ...credential, registered: false })),
      signal,
    );
  const work = (async () => {
    const existing = await getDeviceCredential(sender, ref);
    if (existing) return { ...existing, registered: false };
    return { ...(await registerDeviceCredential(sender, ref)), registered: true };
  })().finally(() => ensuring.delete(key));
  ensuring.set(key, work);
  // Shared work runs to its end; each caller stops waiting when its own signal aborts.
  return raceAbort(work, signal);
}

/** A new secret for the device; the old one stops working. */
export async function refreshDeviceCredential(
  sender: ActionSender,
  input: DeviceRef,
  signal?: AbortSignal,
): Promise<DeviceCredential> {
  const ref = deviceRef(input);
  return parseCredential(
    sender,
    'RefreshDeviceCredential',
    await sender.call('RefreshDeviceCredential', query(ref), signal),
    ref,
  );
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

function parseCredential(
  sender: ActionSender,
  action: string,
  response: TransportResponse,
  ref: DeviceRef,
): DeviceCredential {
  const raw = response.body.DeviceCredential as Record<string, unknown> | undefined;
  const text = (name: string) => (raw && typeof raw[name] === 'string' && raw[name] !== '' ? raw[name] : undefined);
  const keyId = text('DeviceAccessKeyId');
  const secret = text('DeviceAccessKeySecret');
  if (!raw || typeof raw !== 'object' || !keyId || !secret)
    throw sender.malformed(action, 'DeviceCredential', response);
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
