import { OnsMqttClient } from '../client/client';
import { type OnsMqttClientOptions } from '../client/options';
import type { ClientRuntime } from '../client/runtime';
import { OnsMqttError } from '../base/errors';
import { errorHeadline } from './output';

/**
 * "Are these credentials accepted?" for the hosts' credential tests. It sends one real signed
 * QuerySessionByClientId for a probe device on a probe instance: the gateway checks the
 * AccessKey, the signature and the STS token before it looks at the instance, so an answer about
 * the instance means the credentials themselves were accepted.
 */
export interface CredentialCheckResult {
  ok: boolean;
  /** Plain words for the user; never contains a secret. */
  message: string;
  code?: string;
}

const PROBE = { clientId: 'GID_credential_check@@@probe', instanceId: 'post-cn-credential-check' };

/** Answers that prove the credentials passed the gateway (the probe instance itself is unknown). */
const ACCEPTED_CODES = new Set(['InstancePermissionCheckFailed', 'ParameterCheckFailed']);

const MESSAGES: Record<string, string> = {
  SignatureDoesNotMatch:
    'The AccessKey ID exists, but the AccessKey Secret is wrong: the service could not verify the signature. Copy the secret again from the RAM console.',
  IncompleteSignature:
    'The service rejected the request signature: check the AccessKey Secret, and any proxy between n8n/Node-RED and the endpoint.',
  'InvalidAccessKeyId.NotFound':
    'The AccessKey ID is not known to the service: check it in the RAM console (and that it belongs to this account).',
  'InvalidAccessKeyId.Inactive': 'The AccessKey is disabled: enable it in the RAM console or use another one.',
  'InvalidSecurityToken.Expired':
    'The STS security token has expired: request a new one (AssumeRole) and save it here with its AccessKey pair.',
  'InvalidSecurityToken.Malformed':
    'The STS security token is malformed: paste the whole token exactly as AssumeRole returned it.',
  'InvalidSecurityToken.MismatchWithAccessKey':
    'The STS security token does not belong to this AccessKey ID: use the AccessKey ID and Secret returned together with the token.',
  MissingSecurityToken:
    'This is an STS temporary AccessKey (it starts with "STS."): turn on STS and add its security token.',
  'InvalidTimeStamp.Expired':
    "The service rejected the request time: this machine's clock is more than 15 minutes off. Synchronise it (NTP).",
  // The credentials are fine, but every real call would fail: say which setting is wrong.
  PermissionCheckFailed:
    'The AccessKey was accepted, but this RAM user or role may not call ApsaraMQ for MQTT: grant it mq:MqttInstanceAccess (or AliyunMQFullAccess) on the instance, then test again.',
  ApiNotSupport:
    'The endpoint answered, but it does not serve the OnsMqtt API (QuerySessionByClientId): check the region (ApsaraMQ for MQTT must be available there) and the custom endpoint.',
};

export async function checkCredentials(
  options: OnsMqttClientOptions,
  runtime?: ClientRuntime,
): Promise<CredentialCheckResult> {
  let client: OnsMqttClient;
  try {
    client = new OnsMqttClient(
      { ...options, retry: { maxAttempts: 1 }, timeoutMs: options.timeoutMs ?? 10_000 },
      runtime,
    );
  } catch (error) {
    if (error instanceof OnsMqttError)
      return {
        ok: false,
        code: error.code,
        message: error.code === 'InvalidInput' ? error.message : `${error.message} ${error.hint}`,
      };
    return { ok: false, code: 'InvalidInput', message: error instanceof Error ? error.message : String(error) };
  }
  const endpoint = client.endpoint.url;
  // Step 1, for credentials that are fetched: the exchange itself (AssumeRole, metadata, URI).
  let source: { refreshes: boolean; identity: string };
  try {
    source = await client.prepareCredentials();
  } catch (error) {
    const e =
      error instanceof OnsMqttError
        ? error
        : new OnsMqttError({ code: 'CredentialsUnavailable', message: String(error) });
    return {
      ok: false,
      code: e.code,
      message: `Could not obtain credentials for ${client.identity}: ${errorHeadline(e)} ${e.hint}`,
    };
  }
  const as = source.refreshes ? ` (temporary credentials for ${source.identity} obtained)` : '';
  // Step 2: one signed request with them.
  try {
    await client.querySession(PROBE);
    return { ok: true, message: `Credentials accepted by ${endpoint}${as}.` };
  } catch (error) {
    const e = error instanceof OnsMqttError ? error : undefined;
    const code = e?.code ?? 'Unknown';
    if (ACCEPTED_CODES.has(code)) return { ok: true, code, message: `Credentials accepted by ${endpoint}${as}.` };
    if (MESSAGES[code]) return { ok: false, code, message: MESSAGES[code] };
    if (e && e.httpStatus === undefined) {
      return {
        ok: false,
        code,
        message: `Could not reach the endpoint ${endpoint}: ${e.message} Check the region, the network type (VPC endpoints work only inside the VPC) and the custom endpoint.`,
      };
    }
    return {
      ok: false,
      code,
      message: `${endpoint} did not accept the credentials: ${e?.message ?? String(error)} ${e?.hint ?? ''}`.trim(),
    };
  }
}
