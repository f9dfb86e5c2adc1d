import { credentialFromFields, invalidInput, type OnsMqttClientOptions } from '../../lib';
import type { Node, NodeDef } from './types';

/** The config node: where credentials, region, network and endpoint live. */
export interface ConfigNode extends Node {
  /** Core client options, or a clear error naming what is missing. Never includes the secret in a message. */
  clientOptions(): OnsMqttClientOptions;
}

/** The config node's properties that describe the identity (secrets are in its credentials). */
export const CREDENTIAL_PROPERTIES = [
  'authentication',
  'roleArn',
  'roleSessionName',
  'durationSeconds',
  'externalId',
  'policy',
  'stsEndpoint',
  'oidcProviderArn',
  'oidcTokenFilePath',
  'roleName',
] as const;

/** Config-node properties and credentials -> core options. The core validates the values. */
export function configToClientOptions(
  def: Pick<NodeDef, 'name' | 'id'> & { region?: unknown; network?: unknown; endpoint?: unknown } & Partial<
      Record<(typeof CREDENTIAL_PROPERTIES)[number], unknown>
    >,
  credentials: Record<string, string | undefined> | undefined,
): OnsMqttClientOptions {
  const label = `Alibaba Cloud MQTT config "${def.name || def.id}"`;
  const c = credentials ?? {};
  const authentication = (def.authentication as string) || 'accessKey';
  if (authentication === 'accessKey' || authentication === 'stsToken' || authentication === 'ramRole') {
    if (!c.accessKeyId) throw invalidInput('accessKeyId', `is missing in ${label}: open it and enter the AccessKey ID (or \${ENV_VAR}).`);
    if (!c.accessKeySecret) throw invalidInput('accessKeySecret', `is missing in ${label}: open it and enter the AccessKey Secret (or \${ENV_VAR}).`);
  }
  const fields: Record<string, unknown> = { ...c, authentication };
  for (const key of CREDENTIAL_PROPERTIES) if (key !== 'authentication') fields[key] = def[key];
  // 0.1 config nodes had no Authentication choice: there, a token meant STS. A node saved with an
  // explicit choice of AccessKey ignores a token left over from an earlier choice.
  if (!def.authentication && c.securityToken) fields.authentication = 'stsToken';
  return {
    ...credentialFromFields(fields),
    regionId: (def.region as string) || undefined,
    network: ((def.network as string) || undefined) as OnsMqttClientOptions['network'],
    endpoint: (def.endpoint as string) || undefined,
  };
}
