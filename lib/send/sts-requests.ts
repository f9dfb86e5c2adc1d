/**
 * STS's AssumeRole as plain requests and answers, on `node:crypto` alone: what the n8n credential
 * (credentials/AlibabaCloudMqttApi.credentials.ts) sends from its `preAuthentication` through n8n's
 * HTTP helper, where Alibaba's credential library may not run. Signed with ACS3-HMAC-SHA256 like
 * every request of the package; STS is an RPC API like the OnsMqtt one.
 */
import { OnsMqttError } from '../base/errors';
import { signAcs3, type Acs3Credentials } from './acs3-signature';
import { wireQuery } from './http-transport';
import type { TemporaryCredentials } from '../credentials/session';
import { DEFAULT_DURATION_SECONDS, DEFAULT_SESSION_NAME, STS_DEFAULT_ENDPOINT } from '../credentials/spec';

export const STS_API_VERSION = '2015-04-01';

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName?: string;
  durationSeconds?: number;
  externalId?: string;
  policy?: string;
  /** host[:port]; always HTTPS. Default sts.aliyuncs.com. */
  stsEndpoint?: string;
}

export interface StsRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
}

/** An STS request of `action` with `query`; signed when `credentials` are given (else the host signs it). */
export function stsRequest(
  stsEndpoint: string | undefined,
  action: string,
  query: Record<string, string>,
  credentials?: Acs3Credentials,
): StsRequest {
  const host = (stsEndpoint ?? STS_DEFAULT_ENDPOINT).replace(/^https:\/\//, '').replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'x-acs-action': action,
    'x-acs-version': STS_API_VERSION,
    accept: 'application/json',
  };
  if (credentials)
    Object.assign(headers, signAcs3({ method: 'POST', host, action, version: STS_API_VERSION, query }, credentials));
  return { method: 'POST', url: `https://${host}/?${wireQuery(query)}`, headers };
}

/** The AssumeRole request, signed with the AccessKey (and token) that may assume the role. */
export function assumeRoleRequest(input: AssumeRoleInput, credentials: Acs3Credentials): StsRequest {
  const query: Record<string, string> = {
    RoleArn: input.roleArn,
    RoleSessionName: input.roleSessionName || DEFAULT_SESSION_NAME,
    DurationSeconds: String(input.durationSeconds ?? DEFAULT_DURATION_SECONDS),
  };
  if (input.externalId) query.ExternalId = input.externalId;
  if (input.policy) query.Policy = input.policy;
  return stsRequest(input.stsEndpoint, 'AssumeRole', query, credentials);
}

/**
 * The temporary credentials of an AssumeRole answer (`status` and the parsed body), or an
 * OnsMqttError that says what STS refused and what to do.
 */
export function readAssumeRole(status: number, body: unknown, stsEndpoint?: string): Required<TemporaryCredentials> {
  const answer = (typeof body === 'string' ? safeJson(body) : body) as Record<string, unknown> | undefined;
  const c = answer?.Credentials as Record<string, unknown> | undefined;
  if (status >= 200 && status < 300 && c && typeof c.AccessKeyId === 'string') {
    const expiresAt = Date.parse(String(c.Expiration));
    if (typeof c.AccessKeySecret === 'string' && typeof c.SecurityToken === 'string' && Number.isFinite(expiresAt))
      return {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
        expiresAt,
      };
  }
  const where = `STS at ${stsEndpoint ?? STS_DEFAULT_ENDPOINT}`;
  // STS's own error answer: its code (the error table's), message and request id, as the Node runtime reports it.
  if (typeof answer?.Code === 'string')
    throw new OnsMqttError({
      code: answer.Code,
      requestId: typeof answer.RequestId === 'string' ? answer.RequestId : undefined,
      message: `${where} refused to issue credentials: ${answer.Code}: ${typeof answer.Message === 'string' ? answer.Message.slice(0, 300) : 'no message'}`,
    });
  throw new OnsMqttError({
    code: 'StsUnreachable',
    httpStatus: status,
    message: `${where} answered HTTP ${status} without credentials: is it STS?`,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
