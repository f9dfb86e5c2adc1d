/** One mapping from the hosts' credential fields to the client's credential options. */
import { environment, type Environment } from '../base/environment';
import type { OnsMqttClientOptions } from '../client/options';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * The Authentication choice and its fields, named alike in the n8n credential and the Node-RED
 * config node, -> the client's short form or a `credential` description (validated by the client).
 */
export function credentialFromFields(
  c: Readonly<Record<string, unknown>>,
  env: Environment = environment(),
): Pick<OnsMqttClientOptions, 'accessKeyId' | 'accessKeySecret' | 'securityToken' | 'credential'> {
  const keys = { accessKeyId: c.accessKeyId as string, accessKeySecret: c.accessKeySecret as string };
  switch (c.authentication ?? 'accessKey') {
    case 'stsToken':
      return { credential: { type: 'sts', ...keys, securityToken: c.securityToken as string } };
    case 'ramRole':
      return {
        credential: {
          type: 'ram_role_arn',
          ...keys,
          roleArn: c.roleArn as string,
          roleSessionName: text(c.roleSessionName),
          // A number in n8n, a string in Node-RED: the client's validation reads both.
          durationSeconds:
            c.durationSeconds === '' || c.durationSeconds === undefined || c.durationSeconds === null
              ? undefined
              : (c.durationSeconds as number),
          externalId: text(c.externalId),
          policy: text(c.policy),
          stsEndpoint: text(c.stsEndpoint),
        },
      };
    case 'ecsRamRole':
      return { credential: { type: 'ecs_ram_role', roleName: text(c.roleName) } };
    case 'oidcRole':
      // Empty fields come from the pod's environment, as ACK's RRSA sets it.
      return {
        credential: {
          type: 'oidc_role_arn',
          roleArn: text(c.roleArn) ?? env.ALIBABA_CLOUD_ROLE_ARN ?? '',
          oidcProviderArn: text(c.oidcProviderArn) ?? env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN ?? '',
          oidcTokenFilePath: text(c.oidcTokenFilePath) ?? env.ALIBABA_CLOUD_OIDC_TOKEN_FILE ?? '',
          roleSessionName: text(c.roleSessionName),
          stsEndpoint: text(c.stsEndpoint),
        },
      };
    case 'credentialsUri':
      return { credential: { type: 'credentials_uri', credentialsUri: c.credentialsUri as string } };
    case 'defaultChain':
      return { credential: { type: 'default' } };
    default:
      // AccessKey, with the 0.1 "Temporary Credentials (STS)" switch still honoured.
      return { ...keys, securityToken: c.useSts === true ? (c.securityToken as string) : undefined };
  }
}
