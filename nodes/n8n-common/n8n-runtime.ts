/**
 * The core's runtime in n8n (lib/client/runtime.ts), the n8n way: requests go through
 * `this.helpers.httpRequestWithAuthentication`, so the credential signs them (its `authenticate`,
 * credentials/AlibabaCloudMqttApi.credentials.ts) and n8n's own proxy settings apply; the waits are
 * n8n's `sleepWithAbort`. Nothing here needs more than `n8n-workflow`: what n8n's verification asks.
 */
import { sleep } from 'n8n-workflow';
import type {
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  IExecuteFunctions,
  IHttpRequestOptions,
  IPollFunctions,
} from 'n8n-workflow';
import {
  createHttpTransport,
  fixedCredentialSource,
  httpCredentialSource,
  installClock,
  RefreshingCredentials,
  renewalError,
  renewalRefused,
  stsRequest,
  unsupportedHere,
  type ClientRuntime,
  type Clock,
  type CredentialSource,
  type CredentialSpec,
  type HttpAnswer,
  type HttpPort,
  type TemporaryCredentials,
} from '../../lib/portable';

export const CREDENTIAL_TYPE = 'alibabaCloudMqttApi';

/** The package with the machine's identities (ECS role, OIDC, credentials URI, default chain). */
export const EXTRAS_PACKAGE = '@mqtt-ops/n8n-nodes-alicloud-mqtt-extras';
const unsupported = (type: string) =>
  unsupportedHere(type, 'a verified n8n package', `install ${EXTRAS_PACKAGE} and use its credential`);

/**
 * n8n's sleep as the core's clock. Most of the core's timers are cancelled before they fire (an
 * attempt's timeout, a call's deadline): an abortable sleep per timer (an AbortController and a
 * listener each) cost 0.35 ms of CPU per call (bench/suites/transports.ts). A cancelled timer
 * instead lets go of its callback at once and leaves only n8n's bare sleep to run out.
 */
const n8nClock: Clock = {
  timer(ms, fn) {
    let callback: (() => void) | undefined = fn;
    void sleep(ms).then(() => {
      const due = callback;
      callback = undefined;
      due?.();
    });
    return () => {
      callback = undefined;
    };
  },
};
installClock(n8nClock);

/** The contexts that send with the node's credential: an execution, a poll. */
export type SendingContext = IExecuteFunctions | IPollFunctions;

interface FullResponse {
  statusCode: number;
  body: unknown;
}

/** One request of ours as n8n's helpers take it: any status answered, the whole response back. */
export function toOptions(request: Parameters<HttpPort>[0]): IHttpRequestOptions {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    timeout: request.timeoutMs,
    returnFullResponse: true,
    ignoreHttpStatusErrors: true,
  };
}

/** Sends through n8n's helper with the node's credential, which signs the request. */
function authenticatedPort(ctx: SendingContext): HttpPort {
  return async (request) => {
    const response = (await ctx.helpers.httpRequestWithAuthentication.call(
      ctx,
      CREDENTIAL_TYPE,
      toOptions(request),
    )) as FullResponse;
    return { status: response.statusCode, body: response.body };
  };
}

/** The runtime of one execution or poll: n8n's HTTP helper, the credential signing. */
export function n8nRuntime(ctx: SendingContext, data: ICredentialDataDecryptedObject): ClientRuntime {
  const send = authenticatedPort(ctx);
  return {
    // n8n applies its own proxy settings (HTTP_PROXY...) to its HTTP helper.
    resolveProxy: () => undefined,
    credentialSource: (spec) => n8nCredentialSource(spec, ctx, data),
    transport: (config) => createHttpTransport(config, { send, sign: false }),
  };
}

/**
 * The runtime of a credential test: n8n gives the test the credential's fields and a plain
 * request helper, not its `authenticate`, so the test signs here, with the fields under test (and
 * assumes the role itself).
 */
export function credentialTestRuntime(ctx: ICredentialTestFunctions): ClientRuntime {
  const send: HttpPort = async (request) => {
    const response = (await ctx.helpers.request({
      method: request.method,
      uri: request.url,
      headers: request.headers,
      timeout: request.timeoutMs,
      resolveWithFullResponse: true,
      simple: false,
    })) as FullResponse;
    return { status: response.statusCode, body: response.body };
  };
  return {
    resolveProxy: () => undefined,
    credentialSource: (spec) => httpCredentialSource(spec, send, unsupported),
    transport: (config) => createHttpTransport(config, { send, sign: true }),
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The session the credential stored (its `preAuthentication`), if complete. */
export function storedSession(data: ICredentialDataDecryptedObject): TemporaryCredentials | undefined {
  const expiresAt = Date.parse(text(data.sessionExpiresAt));
  if (!text(data.sessionToken) || !text(data.sessionAccessKeyId) || !Number.isFinite(expiresAt)) return undefined;
  return {
    accessKeyId: text(data.sessionAccessKeyId),
    accessKeySecret: text(data.sessionAccessKeySecret),
    securityToken: text(data.sessionToken),
    expiresAt,
  };
}

/**
 * A stored session is used while more than a quarter of its life is left (at most 15 minutes of
 * it), as the Node runtime renews (lib/credentials/session.ts).
 */
function usable(session: TemporaryCredentials, issuedAt: number, now: number): boolean {
  const expiresAt = session.expiresAt ?? 0;
  const life = Number.isFinite(issuedAt) ? expiresAt - issuedAt : 3_600_000;
  return expiresAt - now > Math.min(15 * 60_000, life / 4);
}

/**
 * Who signs in n8n: the credential itself. For a RAM role, the temporary credentials live in the
 * credential's expirable fields; n8n fills them with the credential's `preAuthentication` (an
 * AssumeRole) whenever the token field is empty. n8n re-runs it by itself only after an HTTP 401,
 * and Alibaba answers an expired token with 400 InvalidSecurityToken.Expired: so the node renews
 * ahead. Before a request (and before its rate token), a session near its end or refused as
 * expired is renewed with one signed STS GetCallerIdentity sent with the token field emptied: n8n
 * then assumes the role, stores the new session for every execution, and signs the probe with it.
 */
export function n8nCredentialSource(
  spec: CredentialSpec,
  ctx: SendingContext,
  data: ICredentialDataDecryptedObject,
): CredentialSource {
  const secrets = () =>
    [data.accessKeySecret, data.securityToken, data.sessionAccessKeySecret, data.sessionToken]
      .map(text)
      .filter((s) => s !== '');
  switch (spec.type) {
    case 'access_key':
    case 'sts':
      return fixedCredentialSource(spec, secrets);
    case 'ram_role_arn': {
      const refused = new Set<string>();
      const session = new RefreshingCredentials(() => renewSession(ctx, spec, refused));
      return {
        type: spec.type,
        refreshes: true,
        identity: `${spec.roleArn} (assumed by ${spec.accessKeyId})`,
        get: () => session.get(),
        expire: (used) => {
          refused.add(used.accessKeyId);
          session.expire(used);
        },
        secrets,
      };
    }
    default:
      throw unsupported(spec.type);
  }
}

async function renewSession(
  ctx: SendingContext,
  spec: Extract<CredentialSpec, { type: 'ram_role_arn' }>,
  refused: ReadonlySet<string>,
): Promise<TemporaryCredentials> {
  // Another execution may have renewed it meanwhile: the store has the newest.
  const current = await ctx.getCredentials(CREDENTIAL_TYPE);
  const stored = storedSession(current);
  const issuedAt = Date.parse(text(current.sessionIssuedAt));
  if (stored && !refused.has(stored.accessKeyId) && usable(stored, issuedAt, Date.now())) return stored;
  const probe: ICredentialDataDecryptedObject = { ...current, sessionToken: '' };
  const request = stsRequest(spec.stsEndpoint, 'GetCallerIdentity', {});
  let answer: HttpAnswer;
  try {
    const response = (await ctx.helpers.httpRequestWithAuthentication.call(
      ctx,
      CREDENTIAL_TYPE,
      { ...toOptions({ ...request, body: '', timeoutMs: 10_000 }) },
      { credentialsDecrypted: { id: '', name: '', type: CREDENTIAL_TYPE, data: probe } },
    )) as FullResponse;
    answer = { status: response.statusCode, body: response.body };
  } catch (error) {
    throw renewalError(
      spec.roleArn,
      error,
      [current.accessKeySecret, current.securityToken, current.sessionAccessKeySecret, current.sessionToken]
        .map(text)
        .filter((secret) => secret !== ''),
    );
  }
  const renewed = storedSession(probe);
  if (!renewed || answer.status >= 300) throw renewalRefused(spec.roleArn, answer.status);
  return renewed;
}
