import { ERROR_TABLE, classifyError } from '../../lib/base/error-table';

// Every code named in shared/reference/alibaba-mqtt-api.md, with the class it must get.
const REFERENCE_CODES: Array<[string, number, 'retry' | 'fail']> = [
  ['CheckAccountInfoFailed', 400, 'fail'],
  ['InstancePermissionCheckFailed', 400, 'fail'],
  ['ParameterCheckFailed', 400, 'fail'],
  ['PermissionCheckFailed', 400, 'fail'],
  ['InvalidParameter.ClientId', 400, 'fail'],
  ['InvalidParameter.PageSize', 400, 'fail'],
  ['ApiNotSupport', 404, 'fail'],
  ['InternalError', 500, 'retry'],
  ['SystemOverFlow', 500, 'retry'],
  ['InvalidAccessKeyId.NotFound', 404, 'fail'],
  ['SignatureDoesNotMatch', 400, 'fail'],
  ['IncompleteSignature', 400, 'fail'],
  ['InvalidSecurityToken.Expired', 400, 'fail'],
  ['InvalidSecurityToken.Malformed', 400, 'fail'],
  ['InvalidSecurityToken.MismatchWithAccessKey', 400, 'fail'],
  ['MissingSecurityToken', 400, 'fail'],
  ['InvalidTimeStamp.Expired', 400, 'fail'],
  ['SignatureNonceUsed', 400, 'fail'],
  ['Throttling', 400, 'retry'],
  ['Throttling.User', 400, 'retry'],
  ['Throttling.Api', 400, 'retry'],
  ['ServiceUnavailable', 503, 'retry'],
  ['RequestTimeout', NaN, 'retry'],
  ['ConnectionReset', NaN, 'retry'],
  ['ConnectionRefused', NaN, 'retry'],
  ['BadGateway', 502, 'retry'],
  ['EndpointNotFound', NaN, 'fail'],
  ['TlsCertificateInvalid', NaN, 'fail'],
];

describe('error table', () => {
  it.each(REFERENCE_CODES)('%s (HTTP %s) is %s, with a hint', (code, status, expected) => {
    const c = classifyError(code, Number.isNaN(status) ? undefined : status);
    expect(c.class).toBe(expected);
    expect(c.hint.length).toBeGreaterThan(20);
  });

  it('credential, signature and permission errors are fail whatever the HTTP status', () => {
    for (const code of [
      'SignatureDoesNotMatch',
      'InvalidAccessKeyId.NotFound',
      'InvalidSecurityToken.Expired',
      'PermissionCheckFailed',
      'Forbidden.RAM',
    ]) {
      expect(classifyError(code, 500).class).toBe('fail');
      expect(classifyError(code, 503).class).toBe('fail');
    }
  });

  it('unknown codes: 5xx and 429 retry, other 4xx fail, no status (transport) retry', () => {
    expect(classifyError('SomethingNew', 500).class).toBe('retry');
    expect(classifyError('SomethingNew', 504).class).toBe('retry');
    expect(classifyError('SomethingNew', 429).class).toBe('retry');
    expect(classifyError('SomethingNew', 400).class).toBe('fail');
    expect(classifyError('SomethingNew', 403).class).toBe('fail');
    expect(classifyError('SomethingNew', undefined).class).toBe('retry');
  });

  it('families match by prefix: InvalidParameter.*, Throttling.*, InvalidSecurityToken.*', () => {
    expect(classifyError('InvalidParameter.Whatever', 400).hint).toBe(ERROR_TABLE['InvalidParameter.*'].hint);
    expect(classifyError('Throttling.Whatever', 400).class).toBe('retry');
    expect(classifyError('InvalidSecurityToken.Whatever', 500).class).toBe('fail');
  });

  it('the table holds data only: every entry has a class and a one-line hint', () => {
    for (const [code, rule] of Object.entries(ERROR_TABLE)) {
      expect(['retry', 'fail']).toContain(rule.class);
      expect(rule.hint).not.toMatch(/\n/);
      expect(code).toMatch(/^[A-Za-z.*]+$/);
    }
  });
});
