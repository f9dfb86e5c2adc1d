/**
 * Failures of a credentials fetch, in the package's own terms. The library's messages are never
 * passed on as they are: they embed whole response bodies (a credentials URI's answer can hold a
 * secret) or the string to sign (which holds a base STS token). We keep the STS error code, its
 * message and request id from a JSON body, and otherwise say where the fetch failed and how.
 */
import { OnsMqttError } from '../base/errors';
import { redact } from '../base/redact';
import type { CredentialType } from './spec';

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/;

function unreachableCode(type: CredentialType): string {
  if (type === 'ecs_ram_role') return 'MetadataServiceUnreachable';
  if (type === 'credentials_uri') return 'CredentialsUriUnreachable';
  if (type === 'default') return 'CredentialsUnavailable';
  return 'StsUnreachable';
}

/** The sources whose errors come from Alibaba's STS (its documented error bodies). */
function answersAsSts(type: CredentialType): boolean {
  return type === 'ram_role_arn' || type === 'oidc_role_arn';
}

/** The JSON object embedded in a library message ("refresh session token failed: {...}"). */
function embeddedBody(message: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(message.slice(start, message.lastIndexOf('}') + 1)) as unknown;
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function credentialError(
  type: CredentialType,
  caught: unknown,
  where: string,
  secrets: readonly string[],
): OnsMqttError {
  if (caught instanceof OnsMqttError) return caught;
  const e = (caught ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(caught);
  const nodeCode = typeof e.code === 'string' ? e.code : '';
  const clean = (s: string) => redact(s, secrets).slice(0, 300);

  const body = embeddedBody(message);
  // Only STS's answers are echoed (its error code, message and request id): what a credentials URI
  // or another source answers is the user's own service, whose body may hold anything.
  if (body && typeof body.Code === 'string' && !answersAsSts(type)) {
    return new OnsMqttError({
      code: unreachableCode(type),
      message: `${where} answered with an error instead of credentials (its answer is not shown: it may hold a secret).`,
    });
  }
  if (body && typeof body.Code === 'string') {
    const requestId = typeof body.RequestId === 'string' ? body.RequestId : undefined;
    const serviceMessage = typeof body.Message === 'string' ? clean(body.Message) : 'no message';
    return new OnsMqttError({
      code: body.Code,
      requestId,
      message: `${where} refused to issue credentials: ${body.Code}: ${serviceMessage}`,
    });
  }
  if (/access key secret is invalid/i.test(message)) {
    return new OnsMqttError({
      code: 'SignatureDoesNotMatch',
      message: `${where} could not verify the base AccessKey's signature: its secret is wrong.`,
    });
  }
  if (
    nodeCode === 'ENOENT' ||
    nodeCode === 'EACCES' ||
    (type === 'oidc_role_arn' && /no such file|permission denied/i.test(message))
  ) {
    return new OnsMqttError({
      code: 'OidcTokenFileUnreadable',
      message: `The OIDC token file could not be read (${nodeCode || 'error'}).`,
    });
  }
  if (TLS_CODES.test(nodeCode) || /certificate/i.test(message)) {
    return new OnsMqttError({
      code: 'TlsCertificateInvalid',
      message: `The TLS certificate of ${where} could not be verified (${nodeCode || 'certificate error'}); a private CA must be trusted by the process (NODE_EXTRA_CA_CERTS).`,
    });
  }
  if (/unable to load credentials from any of the providers|no credential found|not found credentials/i.test(message)) {
    return new OnsMqttError({ code: 'NoCredentialsFound', message: `${where} found no credentials.` });
  }
  const network =
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|\w*timeout(\(\d+\))?|socket hang up/i.exec(
      `${nodeCode} ${message}`,
    );
  if (network) {
    return new OnsMqttError({ code: unreachableCode(type), message: `${where} could not be reached (${network[0]}).` });
  }
  const status = /httpStatus: (\d{3})/.exec(message);
  if (status) {
    return new OnsMqttError({
      code: unreachableCode(type),
      message: `${where} answered HTTP ${status[1]} instead of credentials.`,
    });
  }
  // Anything else: say where, not what the library printed (it may hold a secret).
  return new OnsMqttError({
    code: 'CredentialsUnavailable',
    message: `${where} did not return usable credentials (${clean(message.split(':')[0] ?? 'error')}).`,
  });
}
