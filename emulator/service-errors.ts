/**
 * The emulator's view of the service's error answers: code -> HTTP status and message, in the
 * documented body shape. Kept apart from lib/base/error-table.ts on purpose: the emulator plays the
 * server and must not share the client's assumptions.
 */
export const SERVICE_ERRORS: Record<string, { status: number; message: string }> = {
  CheckAccountInfoFailed: { status: 400, message: 'The account information in the STS token could not be parsed.' },
  InstancePermissionCheckFailed: { status: 400, message: 'The instance permission check failed.' },
  ParameterCheckFailed: { status: 400, message: 'The parameter check failed.' },
  PermissionCheckFailed: { status: 400, message: 'The permission check failed.' },
  'InvalidParameter.PageSize': { status: 400, message: 'The specified parameter PageSize is invalid.' },
  ApiNotSupport: { status: 404, message: 'The API is not supported.' },
  InternalError: {
    status: 500,
    message: 'The request processing has failed due to some unknown error. Please try again later.',
  },
  SystemOverFlow: { status: 500, message: 'The system is overloaded. Please try again.' },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation.' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to Aliyun standards.' },
  'InvalidSecurityToken.Expired': { status: 400, message: 'Specified SecurityToken is expired.' },
  'InvalidSecurityToken.Malformed': { status: 400, message: 'Specified SecurityToken is malformed.' },
  'InvalidSecurityToken.MismatchWithAccessKey': {
    status: 400,
    message: 'Specified SecurityToken mismatch with the AccessKey.',
  },
  MissingSecurityToken: { status: 400, message: 'SecurityToken is mandatory for this action.' },
  'InvalidTimeStamp.Expired': { status: 400, message: 'Specified time stamp or date value is expired.' },
  'InvalidTimeStamp.Format': { status: 400, message: 'Specified time stamp or date value is not well formatted.' },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  MissingParameter: { status: 400, message: 'A required parameter is missing.' },
  'InvalidAction.NotFound': { status: 404, message: 'Specified api is not found, please check your url and method.' },
  InvalidVersion: { status: 400, message: 'Specified parameter Version is not valid.' },
  Throttling: { status: 400, message: 'Request was denied due to request throttling.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  'Throttling.Api': { status: 400, message: 'Request was denied due to api flow control.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },
  'Forbidden.RAM': {
    status: 403,
    message: 'User not authorized to operate on the specified resource, or this API does not support RAM.',
  },
};

/** The HTTP status of a code: its documented one, else 400 (what the service answers for the rest). */
export function serviceErrorStatus(code: string): number {
  return SERVICE_ERRORS[code]?.status ?? 400;
}
