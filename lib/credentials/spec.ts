/**
 * What a client is told about its identity: a fixed AccessKey, a fixed STS triple, or a provider
 * that fetches fresh temporary credentials (AssumeRole, the ECS instance role, OIDC, a credentials
 * URI, or Alibaba's default chain). Plain data, validated here with messages that say what to fix.
 */
import { environment, type Environment } from '../base/environment';
import { invalidInput } from '../base/errors';
import { optionalNumber, optionalString, requireCredential } from '../base/validation';

export type CredentialSpec =
  | { type: 'access_key'; accessKeyId: string; accessKeySecret: string }
  | { type: 'sts'; accessKeyId: string; accessKeySecret: string; securityToken: string }
  | {
      type: 'ram_role_arn';
      accessKeyId: string;
      accessKeySecret: string;
      securityToken?: string;
      roleArn: string;
      roleSessionName?: string;
      durationSeconds?: number;
      policy?: string;
      externalId?: string;
      /** host[:port]; the library always speaks HTTPS to it. Default sts.aliyuncs.com. */
      stsEndpoint?: string;
    }
  | { type: 'ecs_ram_role'; roleName?: string }
  | {
      type: 'oidc_role_arn';
      roleArn: string;
      oidcProviderArn: string;
      oidcTokenFilePath: string;
      roleSessionName?: string;
      stsEndpoint?: string;
    }
  | { type: 'credentials_uri'; credentialsUri: string }
  | { type: 'default' };

export type CredentialType = CredentialSpec['type'];

export const CREDENTIAL_TYPES: readonly CredentialType[] = [
  'access_key',
  'sts',
  'ram_role_arn',
  'ecs_ram_role',
  'oidc_role_arn',
  'credentials_uri',
  'default',
];

/** The administrator's switch for identities that belong to the machine rather than to the credential. */
export const ALLOW_SYSTEM_CREDENTIALS_VARIABLE = 'ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS';

/** Types that act with the machine's own identity (instance role, pod token, local files, environment). */
export function isAmbient(type: CredentialType): boolean {
  return type === 'ecs_ram_role' || type === 'oidc_role_arn' || type === 'credentials_uri' || type === 'default';
}

export function systemCredentialsAllowed(env: Environment = environment()): boolean {
  return /^(1|true|yes)$/i.test((env[ALLOW_SYSTEM_CREDENTIALS_VARIABLE] ?? '').trim());
}

export const STS_DEFAULT_ENDPOINT = 'sts.aliyuncs.com';
/** The STS session name when none is set. */
export const DEFAULT_SESSION_NAME = 'alicloud-mqtt';
/** STS accepts 900 s to the role's maximum session (at most 43 200 s). */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43_200;
export const DEFAULT_DURATION_SECONDS = 3600;

const ROLE_ARN = /^acs:ram::\d+:role\/[\w.@+=,-]{1,64}$/i;
const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[\w.@+=,-]{1,128}$/i;
/** Length only: STS itself judges the characters (and says so with InvalidParameter.RoleSessionName). */
const SESSION_NAME = /^[^\s]{2,64}$/;
const STS_ENDPOINT = /^[a-z0-9.-]+(:\d{1,5})?$/i;

function roleArn(value: unknown): string {
  const arn = optionalString('roleArn', value);
  if (!arn)
    throw invalidInput(
      'roleArn',
      'is required: the ARN of the RAM role to assume, e.g. acs:ram::1234567890123456:role/mqtt-reader.',
    );
  if (!ROLE_ARN.test(arn))
    throw invalidInput(
      'roleArn',
      'must look like acs:ram::<account id>:role/<role name> (copy it from the role page of the RAM console).',
    );
  return arn;
}

function sessionName(value: unknown): string | undefined {
  const name = optionalString('roleSessionName', value);
  if (name !== undefined && !SESSION_NAME.test(name)) {
    throw invalidInput(
      'roleSessionName',
      'must be 2 to 64 characters without spaces: letters, digits or . @ - _ (it names the session in ActionTrail).',
    );
  }
  return name;
}

function stsEndpoint(value: unknown): string | undefined {
  const endpoint = optionalString('stsEndpoint', value);
  if (endpoint === undefined) return undefined;
  const bare = endpoint.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  if (!STS_ENDPOINT.test(bare))
    throw invalidInput(
      'stsEndpoint',
      'must be host[:port], e.g. sts.cn-hangzhou.aliyuncs.com (STS is always called over HTTPS).',
    );
  return bare;
}

/** Validates a description; the result is a fresh object with trimmed strings. */
export function validateCredentialSpec(spec: unknown): CredentialSpec {
  if (!spec || typeof spec !== 'object')
    throw invalidInput('credential', `expected an object with a "type" (${CREDENTIAL_TYPES.join(', ')}).`);
  const s = spec as Record<string, unknown>;
  switch (s.type) {
    case 'access_key':
      return {
        type: 'access_key',
        accessKeyId: requireCredential('accessKeyId', s.accessKeyId),
        accessKeySecret: requireCredential('accessKeySecret', s.accessKeySecret),
      };
    case 'sts': {
      const securityToken = optionalString('securityToken', s.securityToken);
      if (!securityToken)
        throw invalidInput(
          'securityToken',
          'is required for type "sts": the SecurityToken that AssumeRole returned with the key pair.',
        );
      if (/\s/.test(securityToken))
        throw invalidInput('securityToken', 'contains spaces; paste the token exactly as AssumeRole returned it.');
      return {
        type: 'sts',
        accessKeyId: requireCredential('accessKeyId', s.accessKeyId),
        accessKeySecret: requireCredential('accessKeySecret', s.accessKeySecret),
        securityToken,
      };
    }
    case 'ram_role_arn': {
      const securityToken = optionalString('securityToken', s.securityToken);
      return {
        type: 'ram_role_arn',
        accessKeyId: requireCredential('accessKeyId', s.accessKeyId),
        accessKeySecret: requireCredential('accessKeySecret', s.accessKeySecret),
        ...(securityToken ? { securityToken } : {}),
        roleArn: roleArn(s.roleArn),
        roleSessionName: sessionName(s.roleSessionName),
        durationSeconds: optionalNumber('durationSeconds', s.durationSeconds, {
          min: MIN_DURATION_SECONDS,
          max: MAX_DURATION_SECONDS,
        }),
        policy: optionalString('policy', s.policy),
        externalId: optionalString('externalId', s.externalId),
        stsEndpoint: stsEndpoint(s.stsEndpoint),
      };
    }
    case 'ecs_ram_role':
      return { type: 'ecs_ram_role', roleName: optionalString('roleName', s.roleName) };
    case 'oidc_role_arn': {
      const providerArn = optionalString('oidcProviderArn', s.oidcProviderArn);
      if (!providerArn || !OIDC_PROVIDER_ARN.test(providerArn)) {
        throw invalidInput(
          'oidcProviderArn',
          'must look like acs:ram::<account id>:oidc-provider/<name> (on ACK: the ALIBABA_CLOUD_OIDC_PROVIDER_ARN of the pod).',
        );
      }
      const file = optionalString('oidcTokenFilePath', s.oidcTokenFilePath);
      if (!file)
        throw invalidInput(
          'oidcTokenFilePath',
          'is required: the file that holds the OIDC token (on ACK: ALIBABA_CLOUD_OIDC_TOKEN_FILE).',
        );
      return {
        type: 'oidc_role_arn',
        roleArn: roleArn(s.roleArn),
        oidcProviderArn: providerArn,
        oidcTokenFilePath: file,
        roleSessionName: sessionName(s.roleSessionName),
        stsEndpoint: stsEndpoint(s.stsEndpoint),
      };
    }
    case 'credentials_uri': {
      const uri = optionalString('credentialsUri', s.credentialsUri);
      let parsed: URL | undefined;
      try {
        parsed = uri ? new URL(uri) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!uri || !parsed || !/^https?:$/.test(parsed.protocol)) {
        throw invalidInput(
          'credentialsUri',
          'must be an http(s) URL that answers with the credential JSON (AccessKeyId, AccessKeySecret, SecurityToken, Expiration).',
        );
      }
      return { type: 'credentials_uri', credentialsUri: uri };
    }
    case 'default':
      return { type: 'default' };
    default:
      throw invalidInput('credential.type', `must be one of ${CREDENTIAL_TYPES.join(', ')}.`);
  }
}

/**
 * What the service's per-account limit is counted under, as far as the credential tells: the
 * account ID in a role ARN; otherwise the base AccessKey ID (a RAM user), the instance role, the
 * credentials URI's origin. Never a temporary AccessKey ID (it changes at every renewal) and never
 * a secret. Several RAM users of one account are only seen as one when told (`sharedLimit.accountId`).
 */
export function accountOf(spec: CredentialSpec): string {
  switch (spec.type) {
    case 'ram_role_arn':
    case 'oidc_role_arn':
      return `account:${/^acs:ram::(\d+):/i.exec(spec.roleArn)?.[1] ?? spec.roleArn}`;
    case 'access_key':
    case 'sts':
      return `access-key:${spec.accessKeyId}`;
    case 'ecs_ram_role':
      return `ecs-role:${spec.roleName ?? '(attached)'}`;
    case 'credentials_uri':
      try {
        return `credentials-uri:${new URL(spec.credentialsUri).origin}`;
      } catch {
        return 'credentials-uri';
      }
    case 'default':
      return 'default-chain';
  }
}
