/**
 * Credential sources that fetch over a host's HTTP function (lib/send/http-transport.ts HttpPort)
 * instead of Alibaba's credential library: a fixed AccessKey or STS token, or a RAM role assumed with
 * STS's AssumeRole signed here (./sts-requests.ts), renewed by the shared session logic
 * (lib/credentials/session.ts). What the n8n credential's test uses, and the benchmark's raw leg. The types that
 * read the machine (ECS role, OIDC token file, credentials URI, default chain) need the Node runtime.
 */
import { OnsMqttError } from '../base/errors';
import { redact } from '../base/redact';
import { networkErrorOf, type HttpPort } from './http-transport';
import { assumeRoleRequest, readAssumeRole } from './sts-requests';
import { fixedCredentialSource } from '../credentials/fixed';
import { RefreshingCredentials } from '../credentials/session';
import type { CredentialSource } from '../credentials/sources';
import type { CredentialSpec } from '../credentials/spec';

/**
 * What to say when a credential type needs more than this host gives: `where` names the host, and
 * `instead` where that type is available.
 */
export function unsupportedHere(type: string, where: string, instead: string): OnsMqttError {
  return new OnsMqttError({
    code: 'InvalidInput',
    message: `Credential type "${type}" reads this machine's own identity, which ${where} may not: use an AccessKey, an STS token or a RAM role, or ${instead}.`,
  });
}

export function httpCredentialSource(
  spec: CredentialSpec,
  send: HttpPort,
  unsupported: (type: string) => OnsMqttError,
  timeoutMs = 10_000,
): CredentialSource {
  switch (spec.type) {
    case 'access_key':
    case 'sts':
      return fixedCredentialSource(spec);
    case 'ram_role_arn': {
      const session = new RefreshingCredentials(async () => {
        const request = assumeRoleRequest(spec, {
          accessKeyId: spec.accessKeyId,
          accessKeySecret: spec.accessKeySecret,
          securityToken: spec.securityToken,
        });
        const answer = await send({ ...request, body: '', timeoutMs });
        return readAssumeRole(answer.status, answer.body, spec.stsEndpoint);
      });
      return {
        type: spec.type,
        refreshes: true,
        identity: `${spec.roleArn} (assumed by ${spec.accessKeyId})`,
        get: () => session.get(),
        expire: (used) => session.expire(used),
        secrets: () => [spec.accessKeySecret, spec.securityToken ?? '', ...session.secrets()].filter((s) => s !== ''),
      };
    }
    default:
      throw unsupported(spec.type);
  }
}

/**
 * Why renewing a role's temporary credentials through a host failed: STS's own refusal when the
 * host's error carries it (n8n wraps what its `preAuthentication` threw), else what the host said.
 */
export function renewalError(roleArn: string, caught: unknown, secrets: readonly string[]): OnsMqttError {
  const seen = new Set<unknown>();
  const find = (value: unknown, depth: number): OnsMqttError | undefined => {
    if (value instanceof OnsMqttError) return value;
    if (!value || typeof value !== 'object' || seen.has(value) || depth > 4) return undefined;
    seen.add(value);
    const e = value as { cause?: unknown; errorResponse?: unknown; error?: unknown };
    return find(e.cause, depth + 1) ?? find(e.errorResponse, depth + 1) ?? find(e.error, depth + 1);
  };
  const own = find(caught, 0);
  if (own) return own;
  return new OnsMqttError({
    code: 'CredentialsUnavailable',
    // The host's text is the host's: scrubbed of every secret known, like every message of ours.
    message: `Could not renew the temporary credentials of ${roleArn}: ${redact(networkErrorOf(caught).message, secrets).slice(0, 300)}`,
  });
}

/** The renewal went through, but STS did not accept the credentials it stored. */
export function renewalRefused(roleArn: string, status: number): OnsMqttError {
  return new OnsMqttError({
    code: 'CredentialsUnavailable',
    message: `STS did not accept the renewed credentials of ${roleArn} (HTTP ${status}).`,
  });
}
