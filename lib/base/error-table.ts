/**
 * The error table: every code the service (or its gateway, or the network) can answer with,
 * mapped to a class and a one-line hint for the user. Data in one place, so that the retry
 * policy, both hosts and the docs read the same decisions.
 *
 * retry: transient, worth trying again after a pause (throttling, service faults, transport).
 * fail:  will not work until someone fixes something (parameters, permissions, credentials).
 */
import { API_TABLE } from './api-table';
import type { ErrorClass, ErrorRule } from './error-rule';

export type { ErrorClass, ErrorRule };

const retry = (hint: string): ErrorRule => ({ class: 'retry', hint });
const fail = (hint: string): ErrorRule => ({ class: 'fail', hint });

/** The codes one API alone answers with, declared with the API (lib/base/api-table.ts). */
const apiCodes = (): Record<string, ErrorRule> =>
  Object.assign({}, ...Object.values(API_TABLE).map((api) => api.errorCodes)) as Record<string, ErrorRule>;

/** Exact codes. Keys ending in '.*' match any suffix (e.g. `InvalidParameter.ClientId`). */
export const ERROR_TABLE: Readonly<Record<string, ErrorRule>> = Object.freeze({
  ...apiCodes(),
  // Documented OnsMqtt codes (QuerySessionByClientId and siblings).
  CheckAccountInfoFailed: fail(
    'The account information in the STS token could not be parsed: request a new STS token from AssumeRole and use it unchanged.',
  ),
  InstancePermissionCheckFailed: fail(
    'Check the Instance ID: it must be the instance the device connects to, in the region of the endpoint, owned by this account.',
  ),
  ParameterCheckFailed: fail(
    'A parameter is missing or invalid: check the Client ID (e.g. GID_group@@@device) and the Instance ID.',
  ),
  PermissionCheckFailed: fail(
    'The RAM user or role lacks permission: grant mq:MqttInstanceAccess on acs:mq:{regionId}:*:{instanceId} (or AliyunMQFullAccess).',
  ),
  'InvalidParameter.*': fail('The parameter named in the code is invalid: correct it and try again.'),
  ApiNotSupport: fail(
    'This API is not supported on this endpoint: check the region, the network type and the endpoint URL.',
  ),
  InternalError: retry(
    'The service had an internal fault. If it persists, try again later and check the Alibaba Cloud service status.',
  ),
  SystemOverFlow: retry(
    'The service throttled the request (300 requests/s per IP for QuerySessionByClientId, 100 for the batch query): lower Max Requests per Second.',
  ),

  // Gateway codes shared by all Alibaba Cloud APIs.
  'InvalidAccessKeyId.NotFound': fail('The AccessKey ID does not exist: copy it again from the RAM console.'),
  'InvalidAccessKeyId.Inactive': fail('The AccessKey is disabled: enable it in the RAM console or use another one.'),
  'InvalidAccessKeyId.*': fail('The AccessKey ID was not accepted: check it in the RAM console.'),
  InvalidAccessKeyId: fail('The AccessKey ID was not accepted: check it in the RAM console.'),
  SignatureDoesNotMatch: fail(
    'The signature did not match: the AccessKey Secret is wrong (check for a missing or extra character).',
  ),
  IncompleteSignature: fail(
    'The request signature was incomplete: check the AccessKey Secret and any proxy that rewrites requests.',
  ),
  'InvalidSecurityToken.Expired': fail(
    'The STS security token has expired: request a new one (AssumeRole) and update the credentials.',
  ),
  'InvalidSecurityToken.Malformed': fail(
    'The STS security token is malformed: paste the whole token exactly as AssumeRole returned it.',
  ),
  'InvalidSecurityToken.MismatchWithAccessKey': fail(
    'The STS security token belongs to another AccessKey: use the AccessKey ID and Secret returned with this token.',
  ),
  'InvalidSecurityToken.*': fail('The STS security token was not accepted: request a new one.'),
  MissingSecurityToken: fail('This AccessKey is an STS key and needs its security token: add it to the credentials.'),
  'InvalidTimeStamp.Expired': fail(
    "The request time is more than 15 minutes off the service's clock: synchronise this machine's clock (NTP) and try again.",
  ),
  'InvalidTimeStamp.*': fail("The request timestamp was rejected: synchronise this machine's clock (NTP)."),
  SignatureNonceUsed: fail('The request nonce was reused: make sure the same request is not replayed.'),
  'Forbidden.RAM': fail(
    'The RAM user or role is not authorised for this action: grant mq:MqttInstanceAccess on the instance.',
  ),
  'Forbidden.*': fail('The request is forbidden for this account or key: check the RAM policy.'),
  Throttling: retry('The request was throttled: lower Max Requests per Second if it persists.'),
  'Throttling.*': retry('The request was throttled: lower Max Requests per Second if it persists.'),
  ServiceUnavailable: retry('The service is temporarily unavailable: try again later.'),

  // STS (AssumeRole, AssumeRoleWithOIDC) and the other sources of temporary credentials.
  NoPermission: fail(
    'The base identity may not assume this role: grant it sts:AssumeRole on the role, and make the role trust it (the trust policy names the account or RAM user).',
  ),
  'EntityNotExist.Role': fail(
    'The role in the Role ARN does not exist: copy the ARN again from the role page of the RAM console.',
  ),
  'InvalidParameter.RoleSessionName': fail('The role session name is invalid: use 2 to 64 letters, digits or . @ - _.'),
  'InvalidParameter.DurationSeconds': fail(
    "The session duration is outside what the role allows: use at least 900 seconds and at most the role's maximum session duration.",
  ),
  'InvalidParameter.RoleArn': fail('The Role ARN is invalid: it looks like acs:ram::<account id>:role/<role name>.'),
  'InvalidParameter.OIDCToken': fail(
    'The OIDC token was not accepted: check the token file (on ACK: RRSA enabled for the pod, ALIBABA_CLOUD_OIDC_TOKEN_FILE).',
  ),
  'AuthenticationFail.OIDCToken.*': fail(
    'The OIDC token was not accepted (expired or not issued by this provider): check the OIDC provider ARN and the token file.',
  ),
  'AuthenticationFail.*': fail(
    'STS did not accept the proof of identity: check the OIDC provider ARN, the role and the token.',
  ),
  SystemCredentialsDisabled: fail(
    "This credential type acts with the machine's own identity: the administrator must set ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true in the environment of n8n or Node-RED to allow it.",
  ),
  StsUnreachable: retry(
    'STS could not be reached: check the STS endpoint (host and port), the network path and any proxy; trusted again when it answers.',
  ),
  MetadataServiceUnreachable: retry(
    'The ECS metadata service (100.100.100.200) did not answer: this works only on an ECS instance that has a RAM role attached.',
  ),
  CredentialsUriUnreachable: retry(
    'The credentials URI did not answer with credentials: check that the service behind it runs and is reachable from here.',
  ),
  OidcTokenFileUnreadable: fail(
    'The OIDC token file could not be read: check the path (on ACK: ALIBABA_CLOUD_OIDC_TOKEN_FILE) and its permissions.',
  ),
  NoCredentialsFound: fail(
    "Alibaba's default chain found no credentials (environment variables, OIDC, profile files, ECS role, credentials URI): configure one of them, or choose another type.",
  ),
  CredentialsUnavailable: retry(
    'Temporary credentials could not be obtained: the message says from where; the next request tries again.',
  ),

  // Transport and local codes (ours, named in the same style).
  RequestTimeout: retry(
    'No answer within the timeout: the network or the service is slow. If it persists, raise the timeout or check the network path to the endpoint.',
  ),
  ConnectionReset: retry(
    'The connection was reset on the way. If it persists, check proxies and firewalls between here and the endpoint.',
  ),
  ConnectionRefused: retry(
    'The endpoint refused the connection: check the endpoint URL and that the service is reachable.',
  ),
  DnsTemporaryFailure: retry(
    'The endpoint name could not be resolved right now: check the DNS settings of this machine if it persists.',
  ),
  EndpointNotFound: fail('The endpoint host name does not exist: check the region ID and the custom endpoint URL.'),
  TlsCertificateInvalid: fail(
    "The endpoint's TLS certificate could not be verified: check the endpoint URL; trust a private CA only on purpose.",
  ),
  BadGateway: retry(
    'A proxy or gateway answered with an error page instead of the API: check the proxy if it persists.',
  ),
  InvalidResponse: fail('The endpoint answered, but not like the OnsMqtt API: check the endpoint URL.'),
  ResponseTooLarge: fail(
    "The endpoint's answer was far larger than any answer of the OnsMqtt API and was cut off: check the endpoint URL (and any proxy in between).",
  ),
  ProxyConnectionFailed: retry(
    'The HTTP proxy could not be reached or did not answer: check that it runs and that this machine reaches it (HTTPS_PROXY or the Proxy URL setting; NO_PROXY lists hosts that go direct).',
  ),
  ProxyAuthenticationRequired: fail(
    "The proxy refused the login (HTTP 407): check the proxy's user name and password (http://user:password@host:port).",
  ),
  ProxyTunnelRefused: fail(
    "The proxy does not allow a tunnel to this endpoint: ask its administrator to allow CONNECT to the endpoint's host on port 443, or list the endpoint in NO_PROXY if it can be reached directly.",
  ),
  NetworkError: retry(
    'A network error interrupted the request: check the network path to the endpoint if it persists.',
  ),
  DeadlineExceeded: retry(
    'The overall time allowed for this query ran out before an answer came: try again later, or allow more time (retry deadline).',
  ),
  Aborted: fail('The query was cancelled (the node or workflow was stopped).'),
  InvalidInput: fail('The input was rejected before any request was sent: correct the field named in the message.'),

  // Status notifications over the Cloud SDK's AMQP endpoint (lib/push/).
  CloudSdkLoginRefused: fail(
    'The Cloud SDK endpoint refused the login: check the AccessKey (an AccessKey of a RAM user with the MQTT permission; STS tokens are not accepted there), the Instance ID, that the instance is of the upgraded edition with kernel 3.3.0 or later, and that its region supports the Cloud SDK.',
  ),
  CloudSdkUnreachable: retry(
    'The Cloud SDK endpoint (AMQP, port 5672) could not be reached or closed the connection: check that this machine reaches <instance>-server-internet.mqtt.aliyuncs.com (or -internal in the VPC) on TCP 5672; HTTP proxies do not apply to AMQP. Reconnecting.',
  ),

  // Several instances of one watcher (lib/watch/leadership.ts).
  SharedStateUnavailable: retry(
    'The Redis server of the shared limit does not answer: the watch resumes on the instance that leads once it is back.',
  ),
  LeadershipLost: retry(
    'Another instance leads this watch now; it reports the changes. Nothing to do unless this happens often (then the lease is too short for a check).',
  ),
});

export interface Classification {
  readonly code: string;
  readonly class: ErrorClass;
  readonly hint: string;
}

/**
 * Classify a service or transport code. Unknown codes fall back on the HTTP status:
 * 5xx (and no status at all, i.e. a transport fault) is transient; anything else is permanent.
 */
export function classifyError(code: string, httpStatus?: number): Classification {
  const exact = ERROR_TABLE[code];
  if (exact) return { code, class: exact.class, hint: exact.hint };
  const dot = code.indexOf('.');
  if (dot > 0) {
    const family = ERROR_TABLE[`${code.slice(0, dot)}.*`];
    if (family) return { code, class: family.class, hint: family.hint };
  }
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) {
    return { code, class: 'retry', hint: 'The service answered with a server error: try again later if it persists.' };
  }
  if (httpStatus === undefined) {
    return {
      code,
      class: 'retry',
      hint: 'The request failed on the way: check the network path to the endpoint if it persists.',
    };
  }
  return { code, class: 'fail', hint: 'The service rejected the request: see the message for what to correct.' };
}
