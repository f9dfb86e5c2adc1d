/**
 * The provisioning operations as both hosts offer them: what each one calls and the fields it
 * outputs (an n8n item's JSON, a Node-RED message's payload), written once so that the two hosts
 * cannot drift. A host reads its own settings, then calls one of these and puts the result where its
 * convention says. `status` is a key for the host's own status text (Node-RED's node status).
 */
import { mqttConnectOptions, type MqttConnectOptions, type TokenActions } from '../actions/connect-options';
import type { DeviceCredential, DeviceRef } from '../actions/device-credential';
import type { OnsMqttClient } from '../client/client';

export type DeviceCredentialOperation = 'getOrRegister' | 'get' | 'register' | 'refresh' | 'unregister';
export const DEVICE_CREDENTIAL_OPERATIONS: readonly DeviceCredentialOperation[] = [
  'getOrRegister',
  'get',
  'register',
  'refresh',
  'unregister',
];
export type TokenOperation = 'apply' | 'query' | 'revoke';

export interface OperationResult {
  fields: Record<string, unknown>;
  /** found, none, registered, refreshed, unregistered, applied, valid, invalid, revoked, sent. */
  status: string;
}

interface CallOptions {
  signal?: AbortSignal;
}

/** A device's credential, with the MQTT login the device passes to CONNECT unless the host turned it off. */
function credentialFields(credential: DeviceCredential, withConnectOptions: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...credential };
  if (withConnectOptions)
    fields.mqtt = { ...mqttConnectOptions({ mode: 'DeviceCredential', ...credential }) } satisfies MqttConnectOptions;
  return fields;
}

export async function runDeviceCredentialOperation(
  client: OnsMqttClient,
  operation: DeviceCredentialOperation,
  ref: DeviceRef,
  options: CallOptions & { withConnectOptions?: boolean } = {},
): Promise<OperationResult> {
  const { signal } = options;
  const connect = options.withConnectOptions ?? true;
  switch (operation) {
    case 'unregister':
      return {
        fields: { ...(await client.unregisterDeviceCredential(ref, { signal })), unregistered: true },
        status: 'unregistered',
      };
    case 'get': {
      const credential = await client.getDeviceCredential(ref, { signal });
      return credential
        ? { fields: { found: true, ...credentialFields(credential, connect) }, status: 'found' }
        : { fields: { clientId: ref.clientId, instanceId: ref.instanceId, found: false }, status: 'none' };
    }
    case 'register':
      return {
        fields: credentialFields(await client.registerDeviceCredential(ref, { signal }), connect),
        status: 'registered',
      };
    case 'refresh':
      return {
        fields: credentialFields(await client.refreshDeviceCredential(ref, { signal }), connect),
        status: 'refreshed',
      };
    case 'getOrRegister': {
      const { registered, ...credential } = await client.ensureDeviceCredential(ref, { signal });
      return {
        fields: { registered, ...credentialFields(credential, connect) },
        status: registered ? 'registered' : 'found',
      };
    }
  }
}

export type TokenRequest =
  | {
      operation: 'apply';
      instanceId: string;
      resources: string | string[];
      actions: TokenActions;
      validMinutes: number;
    }
  | { operation: 'query' | 'revoke'; instanceId: string; token: string };

export async function runTokenOperation(
  client: OnsMqttClient,
  request: TokenRequest,
  options: CallOptions = {},
): Promise<OperationResult> {
  const { signal } = options;
  const { instanceId } = request;
  if (request.operation === 'apply') {
    const applied = await client.applyToken(
      {
        instanceId,
        resources: request.resources,
        actions: request.actions,
        // A few seconds more than asked: the request takes time, and the service wants at least 60 s.
        expireAt: Date.now() + request.validMinutes * 60_000 + 5_000,
      },
      { signal },
    );
    return { fields: { ...applied }, status: 'applied' };
  }
  if (request.operation === 'query') {
    const queried = await client.queryToken({ instanceId, token: request.token }, { signal });
    return { fields: { instanceId, ...queried }, status: queried.valid ? 'valid' : 'invalid' };
  }
  return {
    fields: { instanceId, ...(await client.revokeToken({ instanceId, token: request.token }, { signal })) },
    status: 'revoked',
  };
}

type SentMessage = Awaited<ReturnType<OnsMqttClient['sendMessage']>>;

/** What a sent message gives: `message` `{msgId, instanceId, topic, requestId}` in both hosts. */
export function sentMessageFields(sent: SentMessage): { message: SentMessage } {
  return { message: { ...sent } };
}
