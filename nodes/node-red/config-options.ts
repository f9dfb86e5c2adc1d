import { migrateAuthentication } from './migrations';
import {
  environment,
  type Environment,
  credentialFromFields,
  invalidInput,
  proxyFromFields,
  sharedLimitFromEnvironment,
  type OnsMqttClientOptions,
  type SharedLimitOptions,
} from '../../lib/internal';
import type { Node } from './types';

/** The config node: where credentials, region, network and endpoint live. */
export interface ConfigNode extends Node {
  /** Core client options, or a clear error naming what is missing. Never includes the secret in a message. */
  clientOptions(): OnsMqttClientOptions;
  /** The shared limit's Redis, when one is set: the watch node elects its leader there. */
  sharedLimit?(): SharedLimitOptions | undefined;
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

export type ConfigDef = { id: string; name?: string } & {
  region?: unknown;
  network?: unknown;
  endpoint?: unknown;
  sharedLimitUrl?: unknown;
  egressId?: unknown;
  proxyUrl?: unknown;
} & Partial<Record<(typeof CREDENTIAL_PROPERTIES)[number], unknown>>;

/**
 * "Shared limit (Redis URL)" with its password (a credential, so it is never exported with a
 * flow) put in; without a URL, ALICLOUD_MQTT_SHARED_LIMIT if set. The core validates the URL.
 */
export function configToSharedLimit(
  def: ConfigDef,
  credentials: Record<string, string | undefined> | undefined,
  env: Environment = environment(),
): SharedLimitOptions | undefined {
  const url = typeof def.sharedLimitUrl === 'string' ? def.sharedLimitUrl.trim() : '';
  const egressId = typeof def.egressId === 'string' && def.egressId.trim() ? def.egressId.trim() : undefined;
  if (!url) return sharedLimitFromEnvironment({ ...env, EXECUTIONS_MODE: undefined });
  let redisUrl = url;
  const password = credentials?.sharedLimitPassword;
  if (password) {
    try {
      const u = new URL(url);
      if (!u.password) {
        // Encoded, so that a % (or @, :, /) in it is read back as the same password.
        u.password = encodeURIComponent(password);
        redisUrl = u.toString();
      }
    } catch {
      // Left as typed: the core says what is wrong with it.
    }
  }
  return { redisUrl, ...(egressId ? { egressId } : {}) };
}

/** Config-node properties and credentials -> core options. The core validates the values. */
export function configToClientOptions(
  def: ConfigDef,
  credentials: Record<string, string | undefined> | undefined,
): OnsMqttClientOptions {
  const label = `Alibaba Cloud MQTT config "${def.name || def.id}"`;
  const c = credentials ?? {};
  const authentication = migrateAuthentication(def.authentication, !!c.securityToken);
  if (authentication === 'accessKey' || authentication === 'stsToken' || authentication === 'ramRole') {
    if (!c.accessKeyId)
      throw invalidInput('accessKeyId', `is missing in ${label}: open it and enter the AccessKey ID (or \${ENV_VAR}).`);
    if (!c.accessKeySecret)
      throw invalidInput(
        'accessKeySecret',
        `is missing in ${label}: open it and enter the AccessKey Secret (or \${ENV_VAR}).`,
      );
  }
  const fields: Record<string, unknown> = { ...c, authentication };
  for (const key of CREDENTIAL_PROPERTIES) if (key !== 'authentication') fields[key] = def[key];
  return {
    ...credentialFromFields(fields),
    regionId: (def.region as string) || undefined,
    network: ((def.network as string) || undefined) as OnsMqttClientOptions['network'],
    endpoint: (def.endpoint as string) || undefined,
    ...withSharedLimit(configToSharedLimit(def, credentials)),
    ...configToProxy(def, credentials),
  };
}

/**
 * "Proxy URL" with its password (a credential, never exported) put in; empty: the environment's
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the core's default). The core validates the URL.
 */
export function configToProxy(
  def: ConfigDef,
  credentials: Record<string, string | undefined> | undefined,
): Pick<OnsMqttClientOptions, 'proxy'> {
  return proxyFromFields(def.proxyUrl, credentials?.proxyPassword);
}

function withSharedLimit(sharedLimit: SharedLimitOptions | undefined): Pick<OnsMqttClientOptions, 'sharedLimit'> {
  return sharedLimit ? { sharedLimit } : {};
}
