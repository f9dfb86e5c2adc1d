import { randomUUID } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { percentEncode, v1Signature, v1StringToSign } from '../../emulator/signature';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ mqttPort: false });
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

/** A V1-signed request built by hand (not by the SDK), as a legacy client would send it. */
function v1Url(
  params: Record<string, string>,
  secret = emu.accessKeySecret,
  method = 'GET',
  overrides: Record<string, string> = {},
): string {
  const all: Record<string, string> = {
    Action: 'QuerySessionByClientId',
    Version: '2020-04-20',
    Format: 'JSON',
    AccessKeyId: emu.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    ...params,
    ...overrides,
  };
  const signature = v1Signature(secret, v1StringToSign(method, Object.entries(all)));
  const query = Object.entries({ ...all, Signature: signature })
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return `${emu.endpoint}/?${query}`;
}

async function call(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}

const ERROR_SHAPE = {
  RequestId: expect.any(String),
  HostId: expect.any(String),
  Code: expect.any(String),
  Message: expect.any(String),
  Recommend: expect.any(String),
};

describe('emulator API', () => {
  it('accepts a V1 HMAC-SHA1 GET request and answers the documented shape', async () => {
    emu.setDeviceOnline('GID_v1@@@1', true);
    const { status, body } = await call(v1Url({ ClientId: 'GID_v1@@@1', InstanceId: emu.instanceId }));
    expect(status).toBe(200);
    expect(body).toEqual({ RequestId: expect.any(String), OnlineStatus: true });
  });

  it('accepts V1 parameters in a POST form body', async () => {
    const url = v1Url({ ClientId: 'GID_v1@@@2', InstanceId: emu.instanceId }, emu.accessKeySecret, 'POST');
    const [base, query] = url.split('?');
    const { status, body } = await call(base, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: query,
    });
    expect(status).toBe(200);
    expect(body.OnlineStatus).toBe(false);
  });

  it('BatchQuerySessionByClientIds with a repeat list, ClientIdList.10 included', async () => {
    const ids: Record<string, string> = {};
    for (let i = 1; i <= 10; i++) ids[`ClientIdList.${i}`] = `GID_b@@@${i}`;
    emu.setDeviceOnline('GID_b@@@10', true);
    const { status, body } = await call(
      v1Url({ Action: 'BatchQuerySessionByClientIds', InstanceId: emu.instanceId, ...ids }),
    );
    expect(status).toBe(200);
    const list = body.OnlineStatusList as Array<{ ClientId: string; OnlineStatus: boolean }>;
    expect(list.map((r) => r.ClientId)).toEqual(Object.values(ids));
    expect(list[9].OnlineStatus).toBe(true);
  });

  it.each([
    [
      'wrong secret',
      () => v1Url({ ClientId: 'a', InstanceId: 'post-cn-emulator01' }, 'wrong'),
      400,
      'SignatureDoesNotMatch',
    ],
    [
      'unknown key',
      () => v1Url({ ClientId: 'a', InstanceId: 'post-cn-emulator01' }, 'x', 'GET', { AccessKeyId: 'LTAInope' }),
      404,
      'InvalidAccessKeyId.NotFound',
    ],
    ['no signature', () => `${emu.endpoint}/?Action=QuerySessionByClientId&ClientId=a`, 400, 'IncompleteSignature'],
    [
      'old timestamp',
      () =>
        v1Url({ ClientId: 'a', InstanceId: 'post-cn-emulator01' }, undefined, 'GET', {
          Timestamp: '2020-01-01T00:00:00Z',
        }),
      400,
      'InvalidTimeStamp.Expired',
    ],
    [
      'bad timestamp',
      () => v1Url({ ClientId: 'a', InstanceId: 'post-cn-emulator01' }, undefined, 'GET', { Timestamp: 'yesterday' }),
      400,
      'InvalidTimeStamp.Format',
    ],
    ['missing ClientId', () => v1Url({ InstanceId: 'post-cn-emulator01' }), 400, 'ParameterCheckFailed'],
    ['unknown action', () => v1Url({ Action: 'DeleteInstance' }), 404, 'InvalidAction.NotFound'],
    [
      'wrong version',
      () => v1Url({ ClientId: 'a', InstanceId: 'post-cn-emulator01' }, undefined, 'GET', { Version: '2019-01-01' }),
      400,
      'InvalidVersion',
    ],
    ['garbage Authorization', () => emu.endpoint, 400, 'IncompleteSignature'],
    [
      'page size 0',
      () =>
        v1Url({
          Action: 'QueryMqttTraceDevice',
          MqttRegionId: 'cn-hangzhou',
          InstanceId: 'post-cn-emulator01',
          ClientId: 'a',
          BeginTime: '0',
          EndTime: '1',
          CurrentPage: '1',
          PageSize: '0',
        }),
      400,
      'InvalidParameter.PageSize',
    ],
    [
      '11 ids in a batch',
      () =>
        v1Url({
          Action: 'BatchQuerySessionByClientIds',
          InstanceId: 'post-cn-emulator01',
          ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`ClientIdList.${i + 1}`, `x${i}`])),
        }),
      400,
      'ParameterCheckFailed',
    ],
  ])('%s: Alibaba error shape, never a crash', async (_label, url, status, code) => {
    const headers = _label === 'garbage Authorization' ? { authorization: 'ACS3-HMAC-SHA256 nonsense' } : undefined;
    const res = await call(url(), { headers });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ ...ERROR_SHAPE, Code: code });
  });

  it('a reused nonce: SignatureNonceUsed', async () => {
    const url = v1Url({ ClientId: 'a', InstanceId: emu.instanceId });
    expect((await call(url)).status).toBe(200);
    expect((await call(url)).body.Code).toBe('SignatureNonceUsed');
  });

  it('malformed requests: bad form body, duplicate parameters, 2 MB body, other paths, odd methods', async () => {
    expect(
      (
        await call(emu.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '%%%&&==',
        })
      ).body.Code,
    ).toBe('IncompleteSignature');
    expect((await call(`${emu.endpoint}/?a=1&a=2`)).body.Code).toBe('ParameterCheckFailed');
    expect((await call(emu.endpoint, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(413);
    expect((await call(`${emu.endpoint}/../etc/passwd`)).status).toBe(404);
    expect((await call(emu.endpoint, { method: 'DELETE' })).body.Code).toBe('InvalidAction.NotFound');
    // Still serving afterwards.
    expect((await call(v1Url({ ClientId: 'a', InstanceId: emu.instanceId }))).status).toBe(200);
  });

  it('admin API: devices, faults, log, stats, STS, reset', async () => {
    const json = { 'content-type': 'application/json' };
    const put = (path: string, body: unknown) =>
      call(`${emu.adminUrl}${path}`, { method: 'PUT', headers: json, body: JSON.stringify(body) });
    expect((await put('/devices/GID_admin@@@1', { online: true })).body).toEqual({
      clientId: 'GID_admin@@@1',
      online: true,
    });
    expect(emu.isDeviceOnline('GID_admin@@@1')).toBe(true);
    await put('/faults', { errors: [{ code: 'InternalError' }] });
    expect((await call(v1Url({ ClientId: 'a', InstanceId: emu.instanceId }))).body.Code).toBe('InternalError');
    const log = (await call(`${emu.adminUrl}/log`)).body as unknown as Array<{
      code: string;
      params: Record<string, string>;
    }>;
    expect(log[log.length - 1].code).toBe('InternalError');
    expect(JSON.stringify(log)).not.toContain('Signature"');
    const sts = (await call(`${emu.adminUrl}/sts`, { method: 'POST', headers: json, body: '{"durationSeconds":60}' }))
      .body;
    expect(sts.accessKeyId).toMatch(/^STS\./);
    expect((await call(`${emu.adminUrl}/stats`)).body.requests).toBe(1);
    await call(`${emu.adminUrl}/reset`, { method: 'POST' });
    expect(emu.isDeviceOnline('GID_admin@@@1')).toBe(false);
    expect((await put('/devices/x', { online: 'yes' })).status).toBe(400);
    expect((await call(`${emu.adminUrl}/faults`, { method: 'PUT', headers: json, body: '{not json' })).status).toBe(
      400,
    );
  });

  it('inbox: what the examples post as tickets is kept, listed in order, answered with an id, emptied by reset', async () => {
    const json = { 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      call(`${emu.adminUrl}/inbox/${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const first = await post('tickets', { title: 'Device offline: GID_a@@@1' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'ticket-1', received: true });
    expect((await post('tickets/GID_a%40%40%401/close', { closed: true })).body).toEqual({
      id: 'ticket-2',
      received: true,
    });
    expect(
      (
        await call(`${emu.adminUrl}/inbox/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'x',
        })
      ).status,
    ).toBe(415);
    expect((await post('bad%E0%A4%A', {})).status).toBe(400);
    // A report's picture (the fleet-health workflow posts its binary data) is kept as text.
    const picture = await call(`${emu.adminUrl}/inbox/reports`, {
      method: 'POST',
      headers: { 'content-type': 'image/svg+xml' },
      body: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    });
    expect(picture.status).toBe(201);
    const listed = (await call(`${emu.adminUrl}/inbox`)).body as unknown as Array<{
      id: string;
      path: string;
      body: unknown;
    }>;
    expect(listed.map((e) => [e.id, e.path, e.body])).toEqual([
      ['ticket-1', 'tickets', { title: 'Device offline: GID_a@@@1' }],
      ['ticket-2', 'tickets/GID_a@@@1/close', { closed: true }],
      [
        'ticket-3',
        'reports',
        { contentType: 'image/svg+xml', bytes: 41, svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
      ],
    ]);
    expect(emu.inbox()).toHaveLength(3);
    await call(`${emu.adminUrl}/reset`, { method: 'POST' });
    expect(emu.inbox()).toEqual([]);
  });

  // Failed on 3ea3f37: any web page could reset the emulator or change its devices while `npm start` ran.
  it('admin API refuses what a web page could send: another Origin, a form-typed body', async () => {
    const before = emu.isDeviceOnline('GID_csrf@@@1');
    const page = await call(`${emu.adminUrl}/devices/GID_csrf@@@1`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{"online":true}',
    });
    expect(page.status).toBe(403);
    const form = await call(`${emu.adminUrl}/devices/GID_csrf@@@1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"online":true}',
    });
    expect(form.status).toBe(415);
    const reset = await call(`${emu.adminUrl}/reset`, { method: 'POST', headers: { origin: 'null' } });
    expect(reset.status).toBe(403);
    expect(emu.isDeviceOnline('GID_csrf@@@1')).toBe(before);
    const own = await call(`${emu.adminUrl}/devices/GID_csrf@@@1`, {
      method: 'POST',
      headers: { origin: new URL(emu.adminUrl).origin, 'content-type': 'application/json' },
      body: '{"online":true}',
    });
    expect(own.status).toBe(200);
  });

  it('throttles above the configured QPS with SystemOverFlow', async () => {
    emu.setFaults({ throttleQps: { QuerySessionByClientId: 5 } });
    const codes = [];
    for (let i = 0; i < 8; i++)
      codes.push((await call(v1Url({ ClientId: 'a', InstanceId: emu.instanceId }))).body.Code ?? 'ok');
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'SystemOverFlow', 'SystemOverFlow', 'SystemOverFlow']);
  });
});
