/**
 * What the n8n credential does with its fields (credentials/AlibabaCloudMqttApi.credentials.ts):
 * sign a request (its `authenticate`) and, for a RAM role, assume the role (its
 * `preAuthentication`). On `node:crypto` alone (lib/send/acs3-signature.ts), through n8n's helpers.
 */
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  IHttpRequestHelper,
  IHttpRequestOptions,
} from 'n8n-workflow';
import { assumeRoleRequest, readAssumeRole, signAcs3, type Acs3Credentials } from '../../lib/portable';

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The keys this credential signs with now: its AccessKey (and token), or the role's temporary ones. */
export function signingKeys(c: ICredentialDataDecryptedObject): Acs3Credentials {
  const own = { accessKeyId: text(c.accessKeyId), accessKeySecret: text(c.accessKeySecret) };
  switch (c.authentication) {
    case 'stsToken':
      return { ...own, securityToken: text(c.securityToken) };
    case 'ramRole':
      if (!text(c.sessionToken))
        throw new Error('The RAM role has no temporary credentials yet: n8n obtains them before the first request.');
      return {
        accessKeyId: text(c.sessionAccessKeyId),
        accessKeySecret: text(c.sessionAccessKeySecret),
        securityToken: text(c.sessionToken),
      };
    default:
      // AccessKey, with the 0.1 "Temporary Credentials (STS)" switch still honoured.
      return c.useSts === true ? { ...own, securityToken: text(c.securityToken) } : own;
  }
}

/**
 * Signs an RPC request built by the package (lib/send/http-transport.ts apiRequest): the action and
 * version in `x-acs-*` headers, the parameters in the URL's query string.
 */
export function signWithCredential(
  credentials: ICredentialDataDecryptedObject,
  requestOptions: IHttpRequestOptions,
): IHttpRequestOptions {
  const url = new URL(requestOptions.url, requestOptions.baseURL);
  const headers = { ...(requestOptions.headers ?? {}) } as Record<string, string>;
  const action = headers['x-acs-action'];
  const version = headers['x-acs-version'];
  if (!action || !version)
    throw new Error('Only requests built by the Alibaba Cloud MQTT node can be signed with this credential.');
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const method = requestOptions.method === 'GET' ? 'GET' : 'POST';
  const signed = signAcs3(
    { method, host: url.host, path: url.pathname, action, version, query },
    signingKeys(credentials),
  );
  return { ...requestOptions, headers: { ...headers, ...signed } };
}

/** For a RAM role: one AssumeRole, signed with the credential's own AccessKey; the fields n8n stores. */
export async function assumeRoleForCredential(
  helper: IHttpRequestHelper,
  c: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
  if (c.authentication !== 'ramRole') return {};
  const stsEndpoint = text(c.stsEndpoint) || undefined;
  const request = assumeRoleRequest(
    {
      roleArn: text(c.roleArn),
      roleSessionName: text(c.roleSessionName) || undefined,
      durationSeconds: typeof c.durationSeconds === 'number' ? c.durationSeconds : undefined,
      externalId: text(c.externalId) || undefined,
      policy: text(c.policy) || undefined,
      stsEndpoint,
    },
    { accessKeyId: text(c.accessKeyId), accessKeySecret: text(c.accessKeySecret) },
  );
  const issuedAt = new Date().toISOString();
  const response = (await helper.helpers.httpRequest({
    ...request,
    timeout: 10_000,
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
  })) as { statusCode: number; body: unknown };
  const session = readAssumeRole(response.statusCode, response.body, stsEndpoint);
  return {
    sessionAccessKeyId: session.accessKeyId,
    sessionAccessKeySecret: session.accessKeySecret,
    sessionToken: session.securityToken,
    sessionExpiresAt: new Date(session.expiresAt).toISOString(),
    sessionIssuedAt: issuedAt,
  };
}
