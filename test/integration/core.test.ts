import type { RunningEmulator } from '../../emulator';
import { OnsMqttClient, OnsMqttError, isSessionFailure, type SessionStatus } from '../../lib/internal';
import {
  clientFor,
  connectMqtt,
  emulatorWithSentinel,
  everyTextOf,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';
import { DOCUMENTED_ACTION_INFO, TRACE_ACTION_CODES, TRACE_ACTION_INFO } from '../helpers/trace-values';

let emu: RunningEmulator;
const INSTANCE = 'post-cn-emulator01';

beforeAll(async () => {
  emu = await emulatorWithSentinel();
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.reset();
});

const sent = (action = 'QuerySessionByClientId') => emu.requestLog().filter((e) => e.action === action);

describe('querySession against the emulator over real HTTP and MQTT', () => {
  it('a real MQTT client connecting and disconnecting flips what querySession reports', async () => {
    const client = clientFor(emu);
    const id = 'GID_core@@@flip';
    expect((await client.querySession({ clientId: id, instanceId: INSTANCE })).online).toBe(false);
    const device = await connectMqtt(emu.mqttUrl!, id);
    const online = await client.querySession({ clientId: id, instanceId: INSTANCE });
    expect(online).toMatchObject({ clientId: id, instanceId: INSTANCE, online: true });
    expect(online.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(new Date(online.checkedAt).getTime()).toBeGreaterThan(Date.now() - 5000);
    await new Promise<void>((r) => device.end(false, {}, () => r()));
    await waitFor(() => !emu.isDeviceOnline(id), 3000, 'broker to see the disconnect');
    expect((await client.querySession({ clientId: id, instanceId: INSTANCE })).online).toBe(false);
  });

  it('a socket closed without DISCONNECT and a Client ID takeover are offline/online as the broker sees them', async () => {
    const client = clientFor(emu);
    const id = 'GID_core@@@takeover';
    const first = await connectMqtt(emu.mqttUrl!, id);
    const second = await connectMqtt(emu.mqttUrl!, id);
    await waitFor(() => first.connected === false, 3000, 'first connection to be closed');
    expect((await client.querySession({ clientId: id, instanceId: INSTANCE })).online).toBe(true);
    second.stream.destroy();
    await waitFor(() => !emu.isDeviceOnline(id), 3000, 'socket close to be seen');
    first.end(true);
    const trace = await client.queryConnectionTrace({
      clientId: id,
      instanceId: INSTANCE,
      from: Date.now() - 60_000,
      to: Date.now() + 1000,
    });
    expect(trace.map((e) => `${e.action}:${e.reason}`)).toEqual([
      'close:closed by client',
      'connect:accepted',
      'close:clientId conflict',
      'connect:accepted',
    ]);
  });

  it('unknown instance: InstancePermissionCheckFailed, fail class, sent once', async () => {
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: 'post-cn-nothere' })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error).toMatchObject({
      code: 'InstancePermissionCheckFailed',
      httpStatus: 400,
      retryable: false,
      attempts: 1,
    });
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(sent()).toHaveLength(1);
  });

  it('a key without permission on the instance: PermissionCheckFailed', async () => {
    const client = new OnsMqttClient({
      accessKeyId: 'LTAI5tLimitedKey',
      accessKeySecret: 'limited-secret-value',
      endpoint: emu.endpoint,
    });
    const error = (await client
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'PermissionCheckFailed', retryable: false, attempts: 1 });
    expect(error.hint).toContain('mq:MqttInstanceAccess');
  });
});

describe('every documented error code through the real stack', () => {
  const RETRY_CODES = [
    'InternalError',
    'SystemOverFlow',
    'Throttling',
    'Throttling.User',
    'Throttling.Api',
    'ServiceUnavailable',
  ];
  const FAIL_CODES = [
    'CheckAccountInfoFailed',
    'InstancePermissionCheckFailed',
    'ParameterCheckFailed',
    'PermissionCheckFailed',
    'InvalidParameter.ClientId',
    'ApiNotSupport',
    'InvalidAccessKeyId.NotFound',
    'SignatureDoesNotMatch',
    'IncompleteSignature',
    'InvalidSecurityToken.Expired',
    'InvalidSecurityToken.Malformed',
    'InvalidSecurityToken.MismatchWithAccessKey',
    'MissingSecurityToken',
    'InvalidTimeStamp.Expired',
    'SignatureNonceUsed',
    'Forbidden.RAM',
  ];

  it.each(RETRY_CODES)('%s is retried and recovers (two failures, then success)', async (code) => {
    emu.setFaults({ errors: [{ code, times: 2 }] });
    const result = await clientFor(emu).querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE });
    expect(result.online).toBe(false);
    expect(sent().map((e) => e.code ?? e.status)).toEqual([code, code, 200]);
  });

  it.each(RETRY_CODES)('%s left after all attempts: retryable error with attempts = 4', async (code) => {
    emu.setFaults({ errors: [{ code }] });
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code, retryable: true, errorClass: 'retry', attempts: 4 });
    expect(sent()).toHaveLength(4);
  });

  it.each(FAIL_CODES)('%s is never retried: sent exactly once, the request log proves it', async (code) => {
    emu.setFaults({ errors: [{ code }] });
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code, retryable: false, errorClass: 'fail', attempts: 1 });
    expect(error.httpStatus).toBeGreaterThanOrEqual(400);
    expect(error.message).toContain(code);
    expect(sent()).toHaveLength(1);
  });
});

describe('transport faults', () => {
  it('HTML 502 page: retryable BadGateway with its HTTP status, never a SyntaxError', async () => {
    emu.setFaults({ htmlErrorRate: 1 });
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error).toMatchObject({ code: 'BadGateway', httpStatus: 502, retryable: true, attempts: 4 });
  });

  it('connection reset: retryable, recovers once the fault passes', async () => {
    emu.setFaults({ resetRate: 1 });
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'ConnectionReset', retryable: true, attempts: 4 });
    emu.setFaults({});
    expect((await clientFor(emu).querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })).online).toBe(false);
  });

  it('a request that never answers times out, and is retried', async () => {
    emu.setFaults({ hangRate: 1 });
    const error = (await clientFor(emu, { timeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 5 } })
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'RequestTimeout', retryable: true, attempts: 2 });
    expect(emu.requestLog()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(emu.stats().hanging).toBe(0); // each timed-out request was abandoned
  });

  it('a refused connection: ConnectionRefused, retryable', async () => {
    const client = new OnsMqttClient({
      accessKeyId: 'AK',
      accessKeySecret: 'x-secret',
      endpoint: 'http://127.0.0.1:1',
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const error = (await client
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'ConnectionRefused', retryable: true, attempts: 2 });
  });

  it('an unknown host: EndpointNotFound, fail class', async () => {
    const client = new OnsMqttClient({
      accessKeyId: 'AK',
      accessKeySecret: 'x-secret',
      endpoint: 'https://onsmqtt.no-such-region.invalid',
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    });
    const error = (await client
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(['EndpointNotFound', 'DnsTemporaryFailure']).toContain(error.code);
  });
});

describe('STS credentials', () => {
  it('a valid token works; an expired one gives InvalidSecurityToken.Expired with a renew hint, not retried', async () => {
    const cred = emu.issueStsToken(60_000);
    const client = new OnsMqttClient({ ...cred, endpoint: emu.endpoint });
    expect((await client.querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })).online).toBe(false);
    const expired = emu.issueStsToken(0);
    const error = (await new OnsMqttClient({ ...expired, endpoint: emu.endpoint })
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'InvalidSecurityToken.Expired', retryable: false, attempts: 1 });
    expect(error.hint).toMatch(/expired.*new one/i);
    expect(everyTextOf(error)).not.toContain(expired.securityToken);
    expect(everyTextOf(error)).not.toContain(expired.accessKeySecret);
  });

  it('malformed, mismatched and missing tokens each get their own code', async () => {
    const a = emu.issueStsToken(60_000);
    const b = emu.issueStsToken(60_000);
    const q = (opts: object) =>
      new OnsMqttClient({ ...a, endpoint: emu.endpoint, ...opts })
        .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
        .catch((e: OnsMqttError) => e.code);
    expect(await q({ securityToken: `${a.securityToken}0` })).toBe('InvalidSecurityToken.Malformed');
    expect(await q({ securityToken: b.securityToken })).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    expect(await q({ securityToken: undefined })).toBe('MissingSecurityToken');
  });

  it('a clock more than 15 minutes off: InvalidTimeStamp.Expired with an NTP hint, not retried', async () => {
    emu.setClockOffset(16 * 60 * 1000);
    const error = (await clientFor(emu)
      .querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'InvalidTimeStamp.Expired', attempts: 1 });
    expect(error.hint).toMatch(/clock/);
  });
});

describe('querySessions', () => {
  it('batch mode: 25 ids in 3 calls of at most 10, results in input order', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `GID_batch@@@${i}`);
    for (const i of [0, 7, 13, 24]) emu.setDeviceOnline(ids[i], true);
    const results = await clientFor(emu).querySessions({ clientIds: ids, instanceId: INSTANCE, mode: 'batch' });
    expect(results.map((r) => r.clientId)).toEqual(ids);
    expect(results.map((r) => (r as SessionStatus).online)).toEqual(ids.map((_, i) => [0, 7, 13, 24].includes(i)));
    const calls = sent('BatchQuerySessionByClientIds');
    expect(calls.map((c) => c.clientIds.length).sort()).toEqual([10, 10, 5]);
    expect(sent()).toHaveLength(0);
  });

  it('exact mode: one call per valid id, invalid ids fail locally, nothing lost or duplicated', async () => {
    const ids: unknown[] = ['GID_x@@@1', '', 'GID_x@@@2', null, 'GID_x@@@1', 'bad\nid'];
    emu.setDeviceOnline('GID_x@@@2', true);
    const results = await clientFor(emu).querySessions({ clientIds: ids, instanceId: INSTANCE });
    expect(results).toHaveLength(6);
    expect(results.map((r) => (isSessionFailure(r) ? r.error.code : r.online))).toEqual([
      false,
      'InvalidInput',
      true,
      'InvalidInput',
      false,
      'InvalidInput',
    ]);
    expect(sent()).toHaveLength(3);
  });

  it('a failing batch gives every id of that batch the error, others succeed', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `GID_b@@@${i}`);
    emu.setFaults({ errors: [{ code: 'ParameterCheckFailed', clientId: 'GID_b@@@15' }] });
    const results = await clientFor(emu).querySessions({ clientIds: ids, instanceId: INSTANCE, mode: 'batch' });
    const failed = results.map((r, i) => (isSessionFailure(r) ? i : -1)).filter((i) => i >= 0);
    expect(failed).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(sent('BatchQuerySessionByClientIds')).toHaveLength(2);
  });

  it('an invalid instance id gives every id an error and sends nothing', async () => {
    const results = await clientFor(emu).querySessions({ clientIds: ['a', 'b'], instanceId: ' ' });
    expect(results.every((r) => isSessionFailure(r) && r.error.code === 'InvalidInput')).toBe(true);
    expect(emu.requestLog()).toHaveLength(0);
  });
});

describe('queryConnectionTrace', () => {
  it('follows pages up to the limit, newest first', async () => {
    const id = 'GID_trace@@@1';
    for (let i = 0; i < 130; i++) emu.setDeviceOnline(id, i % 2 === 0);
    const client = clientFor(emu);
    const all = await client.queryConnectionTrace({
      clientId: id,
      instanceId: INSTANCE,
      from: Date.now() - 60_000,
      to: Date.now() + 1000,
      limit: 1000,
    });
    expect(all).toHaveLength(130);
    expect(sent('QueryMqttTraceDevice')).toHaveLength(2);
    const times = all.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all[all.length - 1]).toMatchObject({
      action: 'connect',
      reason: TRACE_ACTION_INFO.accepted,
      actionCode: TRACE_ACTION_CODES.connect,
    });
    // The trace's values as the SDK documents them; channel ids opaque, one per connection.
    for (const event of all) {
      expect(event.actionCode).toBe(TRACE_ACTION_CODES[event.action as keyof typeof TRACE_ACTION_CODES]);
      expect(DOCUMENTED_ACTION_INFO).toContain(event.reason);
      expect(event.channel).toMatch(/^[0-9a-f]{32}$/);
    }
    const connects = all.filter((e) => e.action === 'connect');
    expect(new Set(connects.map((e) => e.channel)).size).toBe(connects.length);
    for (const end of all.filter((e) => e.action !== 'connect'))
      expect(connects.map((e) => e.channel)).toContain(end.channel);
    const limited = await client.queryConnectionTrace({
      clientId: id,
      instanceId: INSTANCE,
      from: new Date(Date.now() - 60_000),
      to: new Date(Date.now() + 1000).toISOString(),
      limit: 5,
    });
    expect(limited).toHaveLength(5);
  });
});

describe('no request for locally invalid input', () => {
  it.each([
    ['empty clientId', { clientId: '', instanceId: INSTANCE }],
    ['CR/LF in clientId', { clientId: 'a\r\nb', instanceId: INSTANCE }],
    ['numeric clientId', { clientId: 42, instanceId: INSTANCE }],
    ['null instanceId', { clientId: 'GID_a@@@1', instanceId: null }],
    ['5,000-character instanceId', { clientId: 'GID_a@@@1', instanceId: 'x'.repeat(5000) }],
  ])('%s', async (_label, input) => {
    const error = (await clientFor(emu)
      .querySession(input as never)
      .catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'InvalidInput', attempts: 0 });
    expect(emu.requestLog()).toHaveLength(0);
  });

  it('parameter smuggling is encoded, never interpreted', async () => {
    const client = clientFor(emu);
    for (const clientId of ['a&Action=DeleteInstance', 'a%26Action%3DDeleteInstance', 'x&InstanceId=post-cn-other']) {
      await client.querySession({ clientId, instanceId: INSTANCE });
    }
    const log = sent();
    expect(log.map((e) => e.params.ClientId)).toEqual([
      'a&Action=DeleteInstance',
      'a%26Action%3DDeleteInstance',
      'x&InstanceId=post-cn-other',
    ]);
    for (const e of log) expect(Object.keys(e.params).sort()).toEqual(['ClientId', 'InstanceId']);
    expect(log.every((e) => e.params.InstanceId === INSTANCE)).toBe(true);
  });
});

describe('secrets never leak', () => {
  it('the sentinel secret appears in no result, error or log across every path', async () => {
    const texts: string[] = [];
    const client = clientFor(emu);
    texts.push(everyTextOf(await client.querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE })));
    for (const faults of [
      { errors: [{ code: 'InternalError' }] },
      { errors: [{ code: 'SignatureDoesNotMatch' }] },
      { htmlErrorRate: 1 },
      { resetRate: 1 },
    ]) {
      emu.setFaults(faults);
      texts.push(
        everyTextOf(await client.querySession({ clientId: 'GID_a@@@1', instanceId: INSTANCE }).catch((e) => e)),
      );
      texts.push(
        everyTextOf(await client.querySessions({ clientIds: ['a', 'b'], instanceId: INSTANCE, mode: 'batch' })),
      );
    }
    emu.setFaults({});
    const wrong = new OnsMqttClient({
      accessKeyId: emu.accessKeyId,
      accessKeySecret: `${SENTINEL_SECRET}-wrong`,
      endpoint: emu.endpoint,
    });
    texts.push(everyTextOf(await wrong.querySession({ clientId: 'x', instanceId: INSTANCE }).catch((e) => e)));
    texts.push(everyTextOf(() => new OnsMqttClient({ accessKeyId: 'bad id', accessKeySecret: SENTINEL_SECRET })));
    try {
      new OnsMqttClient({ accessKeyId: emu.accessKeyId, accessKeySecret: `${SENTINEL_SECRET} with space` });
    } catch (e) {
      texts.push(everyTextOf(e));
    }
    texts.push(JSON.stringify(emu.requestLog()));
    texts.push(JSON.stringify(client));
    for (const t of texts) expect(t).not.toContain(SENTINEL_SECRET);
  });
});
