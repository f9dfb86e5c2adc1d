import { OnsMqttClient, isSessionFailure, parseClientIdList } from '../../lib/internal';
import { resolveEndpoint } from '../../lib/send/endpoints';
import { OnsMqttError } from '../../lib/base/errors';
import { displayValue, optionalNumber, requireId } from '../../lib/base/validation';

function errorOf(fn: () => unknown): OnsMqttError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OnsMqttError);
    return e as OnsMqttError;
  }
  throw new Error('expected an error');
}

describe('identifier validation', () => {
  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['null', null],
    ['undefined', undefined],
    ['number', 42],
    ['object', { id: 'x' }],
    ['array', ['x']],
    ['NUL', 'GID_a@@@\u0000'],
    ['CR/LF', 'GID_a@@@1\r\nX-Injected: 1'],
    ['tab', 'GID\ta'],
    ['too long', 'x'.repeat(10_000)],
    ['a lone high surrogate (an emoji cut in half)', 'GID_a@@@dev-\uD83D'],
    ['a lone low surrogate', 'GID_a@@@\uDE00-dev'],
    ['surrogates in the wrong order', 'GID_a@@@\uDE00\uD83D'],
  ])('rejects %s with a message naming the field', (_label, value) => {
    const e = errorOf(() => requireId('clientId', value, 'GID_group@@@device'));
    expect(e.code).toBe('InvalidInput');
    expect(e.field).toBe('clientId');
    expect(e.message).toMatch(/^clientId: /);
    expect(e.retryable).toBe(false);
    expect(e.attempts).toBe(0);
  });

  it.each([
    ['GID_test@@@test'],
    ['设备-一号'],
    ['device-😀'],
    ['جهاز'],
    ['a&Action=DeleteInstance'],
    ['%26Action%3DDeleteInstance'],
    ['../../etc'],
  ])('accepts %s (the service decides), trimmed', (value) => {
    expect(requireId('clientId', ` ${value} `, 'x')).toBe(value);
  });
});

describe('numeric options', () => {
  it.each([[0], [-1], [NaN], [Infinity], ['abc'], [1.5], [{}]])('rejects %p for timeoutMs', (v) => {
    const e = errorOf(() => optionalNumber('timeoutMs', v, { min: 1, max: 600_000 }));
    expect(e.field).toBe('timeoutMs');
  });
  it('accepts numeric strings and leaves blanks to the default', () => {
    expect(optionalNumber('timeoutMs', '5000', { min: 1, max: 10_000 })).toBe(5000);
    expect(optionalNumber('timeoutMs', '', { min: 1, max: 10_000 })).toBeUndefined();
    expect(optionalNumber('timeoutMs', undefined, { min: 1, max: 10_000 })).toBeUndefined();
  });
});

describe('endpoints', () => {
  it('builds public and VPC endpoints for any region id, HTTPS', () => {
    expect(resolveEndpoint({})).toEqual({
      protocol: 'https',
      host: 'onsmqtt.cn-hangzhou.aliyuncs.com',
      url: 'https://onsmqtt.cn-hangzhou.aliyuncs.com',
    });
    expect(resolveEndpoint({ regionId: 'ap-southeast-1', network: 'vpc' }).host).toBe(
      'onsmqtt-vpc.ap-southeast-1.aliyuncs.com',
    );
    expect(resolveEndpoint({ regionId: 'eu-central-1' }).host).toBe('onsmqtt.eu-central-1.aliyuncs.com');
  });

  it('a custom endpoint overrides region and network', () => {
    expect(resolveEndpoint({ regionId: 'cn-beijing', endpoint: 'https://mq.example.com:8443' })).toEqual({
      protocol: 'https',
      host: 'mq.example.com:8443',
      url: 'https://mq.example.com:8443',
    });
    expect(resolveEndpoint({ endpoint: 'mq.example.com' }).protocol).toBe('https');
    expect(resolveEndpoint({ endpoint: 'http://127.0.0.1:8090' }).host).toBe('127.0.0.1:8090');
    expect(resolveEndpoint({ endpoint: 'http://[::1]:8090' }).host).toBe('[::1]:8090');
  });

  it.each([
    ['regionId', { regionId: '../evil' }],
    ['regionId', { regionId: 'cn-hangzhou/..' }],
    ['regionId', { regionId: 'cn-hangzhou.evil.com' }],
    ['regionId', { regionId: 'CN HANGZHOU' }],
    ['regionId', { regionId: 'cn-hangzhou%00' }],
    ['network', { network: 'intranet' }],
    ['network', { regionId: 'mq-internet-access', network: 'vpc' }],
    ['endpoint', { endpoint: 'https://user:pass@mq.example.com' }],
    ['endpoint', { endpoint: 'ftp://mq.example.com' }],
    ['endpoint', { endpoint: 'javascript:alert(1)' }],
    ['endpoint', { endpoint: 'https://mq.example.com/path' }],
    ['endpoint', { endpoint: 'https://mq.example.com/?Action=DeleteInstance' }],
    ['endpoint', { endpoint: 'http://mq.example.com' }],
    ['endpoint', { endpoint: 'http://' }],
  ])('rejects a bad %s: %j', (field, input) => {
    const e = errorOf(() => resolveEndpoint(input));
    expect(e.field).toBe(field);
  });

  it('plain http to a remote host only when explicitly allowed', () => {
    expect(resolveEndpoint({ endpoint: 'http://gw.internal:8080', allowInsecureHttp: true }).protocol).toBe('http');
  });
});

describe('client options', () => {
  const base = { accessKeyId: 'AK', accessKeySecret: 'SECRET-value-123' };
  it.each([
    ['accessKeyId', { ...base, accessKeyId: '' }],
    ['accessKeyId', { ...base, accessKeyId: 'AK with space' }],
    ['accessKeySecret', { ...base, accessKeySecret: undefined }],
    ['timeoutMs', { ...base, timeoutMs: 0 }],
    ['retry.maxAttempts', { ...base, retry: { maxAttempts: 0 } }],
    ['retry.maxDelayMs', { ...base, retry: { baseDelayMs: 1000, maxDelayMs: 10 } }],
    ['maxQps', { ...base, maxQps: -5 }],
    ['concurrency', { ...base, concurrency: 0 }],
  ])('rejects bad %s before any request', (field, options) => {
    const e = errorOf(() => new OnsMqttClient(options));
    expect(e.field).toBe(field);
    expect(e.message).not.toContain('SECRET-value-123');
  });
});

describe('values that cannot be turned into text', () => {
  // Failed on 3ea3f37: String() threw for {"toString": 1}, and parseClientIdList watched "null",
  // "1" and "[object Object]".
  it('displayValue never throws and never calls the value', () => {
    const hostile: unknown[] = [
      { toString: 1 },
      {
        toString: () => {
          throw new Error('x');
        },
      },
      { valueOf: 1, toString: 1 },
      Object.create(null),
      Symbol('s'),
      () => 1,
      10n,
      null,
      undefined,
      [1, { toString: 1 }],
      {
        toJSON: () => {
          throw new Error('y');
        },
      },
    ];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    hostile.push(cyclic, 'x'.repeat(1000));
    for (const value of hostile) {
      const shown = displayValue(value);
      expect(typeof shown).toBe('string');
      expect(shown.length).toBeLessThanOrEqual(1000);
    }
    expect(displayValue({ toString: 1 })).toBe('{"toString":1}');
    expect(displayValue(cyclic)).toBe('(an object)');
  });

  it('parseClientIdList refuses entries that are not strings, naming the first', () => {
    expect(parseClientIdList(['GID_a@@@1', ' GID_a@@@2 ', 'GID_a@@@1', ''])).toEqual(['GID_a@@@1', 'GID_a@@@2']);
    expect(parseClientIdList('GID_a@@@1, GID_a@@@2\nGID_a@@@3')).toEqual(['GID_a@@@1', 'GID_a@@@2', 'GID_a@@@3']);
    expect(() => parseClientIdList(['GID_a@@@1', null, 1, {}])).toThrow(/clientIds: entry 1 is null, not a Client ID/);
    expect(() => parseClientIdList([{ toString: 1 }])).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });

  it('querySessions gives every entry exactly one result in input order, in both modes, and sends nothing for the bad ones', async () => {
    const client = new OnsMqttClient({
      accessKeyId: 'AK',
      accessKeySecret: 'secret',
      endpoint: 'http://127.0.0.1:1',
      retry: { maxAttempts: 1 },
    });
    for (const mode of ['exact', 'batch'] as const) {
      const results = await client.querySessions({
        clientIds: [{ toString: 1 }, null, Symbol('s')],
        instanceId: 'post-cn-x',
        mode,
      });
      expect(results.map((r) => (isSessionFailure(r) ? r.error.code : 'ok'))).toEqual([
        'InvalidInput',
        'InvalidInput',
        'InvalidInput',
      ]);
      expect(results.map((r) => r.clientId)).toEqual(['{"toString":1}', 'null', '(a symbol)']);
      const badInstance = await client.querySessions({
        clientIds: ['GID_a@@@1'],
        instanceId: { toString: 1 } as never,
        mode,
      });
      expect(badInstance.map((r) => (isSessionFailure(r) ? r.error.code : 'ok'))).toEqual(['InvalidInput']);
    }
  });
});
