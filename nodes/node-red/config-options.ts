import { invalidInput, type OnsMqttClientOptions } from '../../lib';
import type { Node, NodeDef } from './types';

/** The config node: where credentials, region, network and endpoint live. */
export interface ConfigNode extends Node {
  /** Core client options, or a clear error naming what is missing. Never includes the secret in a message. */
  clientOptions(): OnsMqttClientOptions;
}

/** Config-node properties and credentials -> core options. The core validates the values. */
export function configToClientOptions(
  def: Pick<NodeDef, 'name' | 'id'> & { region?: unknown; network?: unknown; endpoint?: unknown },
  credentials: Record<string, string | undefined> | undefined,
): OnsMqttClientOptions {
  const label = `Alibaba Cloud MQTT config "${def.name || def.id}"`;
  const c = credentials ?? {};
  if (!c.accessKeyId) throw invalidInput('accessKeyId', `is missing in ${label}: open it and enter the AccessKey ID (or \${ENV_VAR}).`);
  if (!c.accessKeySecret) throw invalidInput('accessKeySecret', `is missing in ${label}: open it and enter the AccessKey Secret (or \${ENV_VAR}).`);
  return {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken || undefined,
    regionId: (def.region as string) || undefined,
    network: ((def.network as string) || undefined) as OnsMqttClientOptions['network'],
    endpoint: (def.endpoint as string) || undefined,
  };
}
