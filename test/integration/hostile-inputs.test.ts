import type { RunningEmulator } from '../../emulator';
import { OnsMqttClient, OnsMqttError, type OnsMqttClientOptions } from '../../lib/internal';
import {
  clientFor,
  emulatorWithSentinel,
  everyTextOf,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
} from '../helpers/emulator';

/**
 * A corpus of hostile and malformed inputs. Each one ends in a clear error naming the field (and
 * then no request is sent), or in a correctly encoded request carrying exactly the value given
 * (the emulator's request log proves no parameter was smuggled in). Never a crash, never a leak.
 */
let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';
beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const LONG = 'x'.repeat(10_000);
type Outcome = { reject: string } | 'encoded';

// [label, clientId value, outcome]
const CLIENT_IDS: Array<[string, unknown, Outcome]> = [
  ['empty', '', { reject: 'clientId' }],
  ['whitespace', ' \t ', { reject: 'clientId' }],
  ['null', null, { reject: 'clientId' }],
  ['undefined', undefined, { reject: 'clientId' }],
  ['number', 12345, { reject: 'clientId' }],
  ['object', { id: 'GID_a@@@1' }, { reject: 'clientId' }],
  ['array', ['GID_a@@@1'], { reject: 'clientId' }],
  ['10,000 characters', LONG, { reject: 'clientId' }],
  ['NUL', 'GID_a@@@1\u0000', { reject: 'clientId' }],
  ['CR/LF header injection', 'GID_a@@@1\r\nx-acs-action: DeleteInstance', { reject: 'clientId' }],
  ['bell and escape', 'GID_\u0007\u001b[31m', { reject: 'clientId' }],
  ['C1 control', 'GID_\u0085a', { reject: 'clientId' }],
  ['CJK', 'GID_设备@@@一号机', 'encoded'],
  ['emoji', 'GID_a@@@🚀🔥', 'encoded'],
  ['right-to-left', 'GID_جهاز@@@\u202Eevil', 'encoded'],
  ['&Action= smuggling', 'GID_a@@@1&Action=DeleteInstance', 'encoded'],
  ['%26Action%3D smuggling', 'GID_a@@@1%26Action%3DDeleteInstance', 'encoded'],
  ['&InstanceId= smuggling', 'x&InstanceId=post-cn-other', 'encoded'],
  ['%00 as text', 'GID_a@@@%00', 'encoded'],
  ['path traversal', '../../../etc/passwd', 'encoded'],
  ['quotes and angle brackets', '"\'><script>alert(1)</script>', 'encoded'],
  ['plus and spaces', 'GID a+b@@@1', 'encoded'],
  ['1,024 characters (the limit)', 'y'.repeat(1024), 'encoded'],
];

const INSTANCE_IDS: Array<[string, unknown, Outcome]> = [
  ['empty', '', { reject: 'instanceId' }],
  ['null', null, { reject: 'instanceId' }],
  ['number', 7, { reject: 'instanceId' }],
  ['object', {}, { reject: 'instanceId' }],
  ['CR/LF inside', 'post-cn-x\r\nInstanceId: y', { reject: 'instanceId' }],
  ['10,000 characters', LONG, { reject: 'instanceId' }],
];

// [label, options patch, field that must be named, or null when the options are acceptable]
const OPTIONS: Array<[string, Partial<Record<keyof OnsMqttClientOptions, unknown>>, string | null]> = [
  ['region ../', { regionId: '../' }, 'regionId'],
  ['region cn-hangzhou/..', { regionId: 'cn-hangzhou/..' }, 'regionId'],
  ['region with host', { regionId: 'cn-hangzhou.evil.example' }, 'regionId'],
  ['region %00', { regionId: 'cn-hangzhou%00' }, 'regionId'],
  ['region CJK', { regionId: '杭州' }, 'regionId'],
  ['region 10,000 characters', { regionId: LONG }, 'regionId'],
  ['region number', { regionId: 5 }, 'regionId'],
  ['network intranet', { network: 'intranet' }, 'network'],
  ['network object', { network: {} }, 'network'],
  ['endpoint user:password', { endpoint: 'https://user:pass@onsmqtt.example.com' }, 'endpoint'],
  ['endpoint ftp', { endpoint: 'ftp://onsmqtt.example.com' }, 'endpoint'],
  ['endpoint file', { endpoint: 'file:///etc/passwd' }, 'endpoint'],
  ['endpoint javascript', { endpoint: 'javascript:alert(1)' }, 'endpoint'],
  ['endpoint with query smuggling', { endpoint: 'https://onsmqtt.example.com/?Action=DeleteInstance' }, 'endpoint'],
  ['endpoint with path', { endpoint: 'https://onsmqtt.example.com/admin' }, 'endpoint'],
  ['endpoint plain http remote', { endpoint: 'http://onsmqtt.example.com' }, 'endpoint'],
  ['endpoint CRLF', { endpoint: 'https://onsmqtt.example.com\r\nHost: evil' }, 'endpoint'],
  ['endpoint number', { endpoint: 443 }, 'endpoint'],
  ['endpoint IPv6 loopback with port', { endpoint: 'http://[::1]:8090' }, null],
  ['endpoint https with port', { endpoint: 'https://onsmqtt.example.com:8443' }, null],
  ['accessKeyId empty', { accessKeyId: '' }, 'accessKeyId'],
  ['accessKeyId object', { accessKeyId: { id: 1 } }, 'accessKeyId'],
  ['accessKeyId CRLF', { accessKeyId: 'LTAI\r\nx' }, 'accessKeyId'],
  ['accessKeySecret null', { accessKeySecret: null }, 'accessKeySecret'],
  ['accessKeySecret with spaces', { accessKeySecret: `${SENTINEL_SECRET} trailing words` }, 'accessKeySecret'],
  ['securityToken with NUL', { securityToken: 'CAIS\u0000x' }, 'securityToken'],
  ['securityToken number', { securityToken: 42 }, 'securityToken'],
  ['timeoutMs 0', { timeoutMs: 0 }, 'timeoutMs'],
  ['timeoutMs negative', { timeoutMs: -5 }, 'timeoutMs'],
  ['timeoutMs NaN', { timeoutMs: NaN }, 'timeoutMs'],
  ['timeoutMs text', { timeoutMs: 'soon' }, 'timeoutMs'],
  ['maxQps 0', { maxQps: 0 }, 'maxQps'],
  ['maxQps negative', { maxQps: -1 }, 'maxQps'],
  ['maxQps Infinity', { maxQps: Infinity }, 'maxQps'],
  ['concurrency 0', { concurrency: 0 }, 'concurrency'],
  ['concurrency 1.5', { concurrency: 1.5 }, 'concurrency'],
  ['retry attempts 0', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
  ['retry attempts 1,000', { retry: { maxAttempts: 1000 } }, 'retry.maxAttempts'],
  ['retry base delay negative', { retry: { baseDelayMs: -1 } }, 'retry.baseDelayMs'],
  ['retry not an object', { retry: 'fast' }, 'retry'],
];

function base(): OnsMqttClientOptions {
  return {
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    endpoint: emu.endpoint,
    retry: { maxAttempts: 1 },
  };
}

describe('hostile inputs: client IDs', () => {
  it.each(CLIENT_IDS)('%s', async (_label, clientId, outcome) => {
    const result = await clientFor(emu)
      .querySession({ clientId: clientId as string, instanceId: INSTANCE })
      .catch((e: unknown) => e);
    expect(everyTextOf(result)).not.toContain(SENTINEL_SECRET);
    if (outcome === 'encoded') {
      expect(result).toMatchObject({ online: false });
      const log = emu.requestLog();
      expect(log).toHaveLength(1);
      expect(log[0].params).toEqual({ ClientId: (clientId as string).trim(), InstanceId: INSTANCE });
      expect(log[0].action).toBe('QuerySessionByClientId');
    } else {
      expect(result).toBeInstanceOf(OnsMqttError);
      expect(result).toMatchObject({ code: 'InvalidInput', field: outcome.reject, attempts: 0 });
      expect((result as Error).message).toMatch(new RegExp(`^${outcome.reject}: `));
      expect((result as Error).message.length).toBeLessThan(300);
      expect(emu.requestLog()).toHaveLength(0);
    }
  });
});

describe('hostile inputs: instance IDs', () => {
  it.each(INSTANCE_IDS)('%s', async (_label, instanceId, outcome) => {
    const result = await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: instanceId as string })
      .catch((e: unknown) => e);
    expect(result).toMatchObject({ code: 'InvalidInput', field: (outcome as { reject: string }).reject });
    expect(emu.requestLog()).toHaveLength(0);
  });
});

describe('hostile inputs: client options', () => {
  it.each(OPTIONS)('%s', (_label, patch, field) => {
    let thrown: unknown;
    try {
      new OnsMqttClient({ ...base(), ...(patch as Partial<OnsMqttClientOptions>) });
    } catch (e) {
      thrown = e;
    }
    if (field === null) {
      expect(thrown).toBeUndefined();
      return;
    }
    expect(thrown).toBeInstanceOf(OnsMqttError);
    expect(thrown).toMatchObject({ code: 'InvalidInput', field });
    expect(everyTextOf(thrown)).not.toContain(SENTINEL_SECRET);
    expect(emu.requestLog()).toHaveLength(0);
  });

  it('batch mode encodes every hostile id in its own ClientIdList entry', async () => {
    const ids = CLIENT_IDS.filter(([, , o]) => o === 'encoded').map(([, v]) => v as string);
    const results = await clientFor(emu).querySessions({ clientIds: ids, instanceId: INSTANCE, mode: 'batch' });
    expect(results.map((r) => r.clientId)).toEqual(ids.map((i) => i.trim()));
    // Each id sent once, in its own entry. Concurrent batch requests may arrive in any order on a
    // busy machine, so each request's list is checked whole, not the order of the requests.
    const requests = emu.requestLog().map((e) => e.clientIds);
    expect(requests.flat().sort()).toEqual(ids.map((i) => i.trim()).sort());
    const inOrder = ids.map((i) => i.trim());
    for (const list of requests) {
      const at = inOrder.indexOf(list[0]);
      expect(list).toEqual(inOrder.slice(at, at + list.length));
    }
    for (const e of emu.requestLog())
      expect(Object.keys(e.params).every((k) => k === 'InstanceId' || /^ClientIdList\.\d+$/.test(k))).toBe(true);
  });
});

it(`the corpus has at least 50 cases (${CLIENT_IDS.length + INSTANCE_IDS.length + OPTIONS.length})`, () => {
  expect(CLIENT_IDS.length + INSTANCE_IDS.length + OPTIONS.length).toBeGreaterThanOrEqual(50);
});
