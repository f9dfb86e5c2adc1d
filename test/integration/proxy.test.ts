/**
 * Behind a corporate proxy: a real forward proxy (Debian's tinyproxy) in front of the emulator in
 * its HTTPS mode. The emulator accepts connections only from the proxy's egress address, so a
 * request that did not go through the proxy fails: every green case below went through it, and
 * the proxy's own log shows the CONNECT.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { OnsMqttClient, OnsMqttError, type OnsMqttClientOptions } from '../../lib/internal';
import { resolveProxy, proxyFor } from '../../lib/proxy/settings';
import { everyTextOf } from '../helpers/emulator';
import { freePort } from '../helpers/redis-server';
import { PROXY_EGRESS_ADDRESS, startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy';

const AK = 'LTAI5tProxyTestKey';
const SECRET = 'proxy-test-secret-value-77';
const ROLE = 'acs:ram::1234567890123456:role/proxy-test';
const INSTANCE = 'post-cn-emulator01';
const TLS_DIR = join(__dirname, '../../emulator/tls');
const PROXY_PASSWORD = 'Pr0xy-pass-SENTINEL';

let emu: RunningEmulator;
let proxy: Tinyproxy;
let authProxy: Tinyproxy;

beforeAll(async () => {
  [emu, proxy, authProxy] = await Promise.all([
    startEmulator({
      accessKeys: [{ accessKeyId: AK, accessKeySecret: SECRET }],
      sts: { roles: [{ arn: ROLE, trustedAccessKeyIds: [AK] }] },
      tls: {
        key: readFileSync(join(TLS_DIR, 'server-key.pem'), 'utf8'),
        cert: readFileSync(join(TLS_DIR, 'server.pem'), 'utf8'),
      },
      acceptFrom: [PROXY_EGRESS_ADDRESS],
    }),
    startTinyproxy(),
    startTinyproxy({ login: { user: 'ops', password: PROXY_PASSWORD } }),
  ]);
});
afterAll(async () => {
  await Promise.all([emu?.stop(), proxy?.stop(), authProxy?.stop()]);
});
beforeEach(() => emu.reset());

const emuHostPort = () => new URL(emu.endpoint).host;
const client = (extra: Partial<OnsMqttClientOptions> = {}) =>
  new OnsMqttClient({
    accessKeyId: AK,
    accessKeySecret: SECRET,
    endpoint: emu.endpoint,
    retry: { maxAttempts: 2, baseDelayMs: 50 },
    timeoutMs: 3000,
    ...extra,
  });
/** Runs `fn` with these variables set, then puts the whole environment back as it was. */
const viaEnv = (env: Record<string, string>, fn: () => Promise<unknown>) => async () => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
};
const query = (c: OnsMqttClient) => c.querySession({ clientId: 'GID_proxy@@@1', instanceId: INSTANCE });

describe('which requests go through the proxy', () => {
  it('the environment: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY hosts, suffixes and *, loopback only when asked', () => {
    const env = {
      HTTPS_PROXY: 'http://proxy.corp:3128',
      http_proxy: 'http://plain.corp:8080',
      NO_PROXY: 'internal.corp, .aliyuncs-vpc.com,example.org:8443',
    };
    const s = resolveProxy(undefined, env)!;
    const via = (u: string) => proxyFor(new URL(u), s)?.host;
    expect(via('https://onsmqtt.cn-hangzhou.aliyuncs.com/')).toBe('proxy.corp:3128');
    expect(via('http://onsmqtt.cn-hangzhou.aliyuncs.com/')).toBe('plain.corp:8080');
    expect(via('https://api.internal.corp/')).toBeUndefined();
    expect(via('https://internal.corp/')).toBeUndefined();
    expect(via('https://onsmqtt-vpc.cn-hangzhou.aliyuncs-vpc.com/')).toBeUndefined();
    expect(via('https://example.org:8443/')).toBeUndefined();
    expect(via('https://example.org/')).toBe('proxy.corp:3128');
    expect(via('https://127.0.0.1:8443/')).toBeUndefined();
    expect(via('http://localhost/')).toBeUndefined();
    expect(via('http://100.100.100.200/latest/meta-data/')).toBeUndefined();
    expect(
      proxyFor(
        new URL('https://127.0.0.1:8443/'),
        resolveProxy(undefined, { ...env, ALICLOUD_MQTT_PROXY_LOOPBACK: 'true' }),
      )?.host,
    ).toBe('proxy.corp:3128');
    expect(
      proxyFor(
        new URL('http://100.100.100.200/'),
        resolveProxy(undefined, { ...env, ALICLOUD_MQTT_PROXY_LOOPBACK: 'true' }),
      ),
    ).toBeUndefined();
    expect(
      resolveProxy(undefined, { ...env, NO_PROXY: '*' }) &&
        proxyFor(new URL('https://a.b/'), resolveProxy(undefined, { ...env, NO_PROXY: '*' })),
    ).toBeUndefined();
    expect(resolveProxy(undefined, {})).toBeUndefined();
    // The option wins over the environment; false turns it off.
    expect(proxyFor(new URL('https://a.b/'), resolveProxy({ url: 'http://other:1' }, env))?.host).toBe('other:1');
    expect(resolveProxy(false, env)).toBeUndefined();
  });

  it('a bad proxy URL is refused up front, without repeating it (it may hold a password)', () => {
    const e = ((): OnsMqttError | undefined => {
      try {
        resolveProxy({ url: 'socks5://user:hunter2@proxy:1080' });
        return undefined;
      } catch (error) {
        return error as OnsMqttError;
      }
    })();
    expect(e).toMatchObject({ code: 'InvalidInput' });
    expect(e!.message).toContain('only http:// proxies');
    expect(e!.message).not.toContain('hunter2');
  });
});

describe('through a real proxy (tinyproxy) to the emulator over HTTPS', () => {
  it('direct access is blocked: without the proxy the request fails', async () => {
    const error = (await query(client({ proxy: false })).catch((e) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(['ConnectionReset', 'NetworkError', 'ConnectionRefused']).toContain(error.code);
  });

  it('every operation of the client works through the proxy (the emulator serves nobody else)', async () => {
    const c = client({ proxy: { url: proxy.url, loopback: true } });
    const ref = { clientId: 'GID_proxy@@@every', instanceId: INSTANCE };
    expect(
      (
        await c.querySessions({ clientIds: ['GID_proxy@@@a', 'GID_proxy@@@b'], instanceId: INSTANCE, mode: 'batch' })
      ).map((o) => 'online' in o && o.online),
    ).toEqual([false, false]);
    expect((await c.querySession(ref, { offlineDetails: true })).details).toMatchObject({ lastDisconnectCode: null });
    expect(await c.queryConnectionTrace({ ...ref, from: Date.now() - 60_000, to: Date.now() })).toEqual([]);
    const registered = await c.ensureDeviceCredential(ref);
    expect(registered.registered).toBe(true);
    expect((await c.getDeviceCredential(ref))?.deviceAccessKeyId).toBe(registered.deviceAccessKeyId);
    expect((await c.refreshDeviceCredential(ref)).deviceAccessKeySecret).not.toBe(registered.deviceAccessKeySecret);
    await c.unregisterDeviceCredential(ref);
    const token = await c.applyToken({
      instanceId: INSTANCE,
      resources: ['devices/+/config'],
      actions: 'R',
      expireAt: Date.now() + 3_600_000,
    });
    expect(await c.queryToken({ instanceId: INSTANCE, token: token.token })).toMatchObject({ valid: true });
    await c.revokeToken({ instanceId: INSTANCE, token: token.token });
    expect(
      (await c.sendMessage({ instanceId: INSTANCE, topic: 'devices/proxy/config', payload: { hello: 'proxy' } })).msgId,
    ).toEqual(expect.any(String));
    expect(await c.waitUntilOnline({ ...ref, timeoutMs: 1000, pollIntervalMs: 500 })).toMatchObject({ online: false });
    await proxy.sawConnect(emuHostPort());
  });

  it('the proxy option: CONNECT in the proxy log, the answer verified end to end', async () => {
    const status = await query(client({ proxy: { url: proxy.url, loopback: true } }));
    expect(status).toMatchObject({ clientId: 'GID_proxy@@@1', online: false });
    await proxy.sawConnect(emuHostPort());
  });

  it(
    'HTTPS_PROXY from the environment (with ALICLOUD_MQTT_PROXY_LOOPBACK for the loopback emulator); NO_PROXY bypasses it',
    viaEnv({ HTTPS_PROXY: '', ALICLOUD_MQTT_PROXY_LOOPBACK: 'true' }, async () => {
      process.env.HTTPS_PROXY = proxy.url;
      // The emulator serves only the proxy: an answer means it went through it.
      expect((await query(client())).online).toBe(false);
      await proxy.sawConnect(emuHostPort());
      process.env.NO_PROXY = '127.0.0.1';
      const bypassed = (await query(client()).catch((e) => e)) as OnsMqttError;
      // Direct: refused by the emulator.
      expect(bypassed).toBeInstanceOf(OnsMqttError);
      expect(bypassed.code).not.toMatch(/^Proxy/);
    }),
  );

  it('STS (a RAM role) goes through the proxy too', async () => {
    const c = new OnsMqttClient({
      credential: {
        type: 'ram_role_arn',
        accessKeyId: AK,
        accessKeySecret: SECRET,
        roleArn: ROLE,
        roleSessionName: 'proxy-test',
        stsEndpoint: emu.sts!.endpoint,
      },
      endpoint: emu.endpoint,
      proxy: { url: proxy.url, loopback: true },
    });
    expect((await query(c)).online).toBe(false);
    expect(emu.sts!.log().filter((e) => e.action === 'AssumeRole' && !e.code)).toHaveLength(1);
    await proxy.sawConnect(emu.sts!.endpoint);
  });

  it('a proxy that asks for a login: with the right one it works; with none or a wrong one, 407 (fail), the password nowhere', async () => {
    const good = authProxy.url;
    const url = new URL(good);
    expect((await query(client({ proxy: { url: good, loopback: true } }))).online).toBe(false);

    const none = (await query(client({ proxy: { url: `http://127.0.0.1:${url.port}`, loopback: true } })).catch(
      (e) => e,
    )) as OnsMqttError;
    expect(none).toMatchObject({ code: 'ProxyAuthenticationRequired', retryable: false, attempts: 1, httpStatus: 407 });
    expect(none.hint).toContain("proxy's user name and password");

    url.password = 'wrong-Pass-SENTINEL';
    const wrong = (await query(client({ proxy: { url: url.href, loopback: true } })).catch((e) => e)) as OnsMqttError;
    // tinyproxy answers a wrong login with 401 rather than 407: the same failure.
    expect(wrong).toMatchObject({ code: 'ProxyAuthenticationRequired', retryable: false, attempts: 1 });
    expect(wrong.message).toContain(`127.0.0.1:${url.port}`);
    const texts = everyTextOf(wrong) + everyTextOf(none) + JSON.stringify({ ...wrong });
    expect(texts).not.toContain('wrong-Pass-SENTINEL');
    expect(texts).not.toContain(PROXY_PASSWORD);
    expect(texts).not.toContain('ops:');
  });

  it('a proxy that is down: retried (retry class), then a clear failure naming it by host and port', async () => {
    const port = await freePort();
    const error = (await query(
      client({ proxy: { url: `http://ops:${PROXY_PASSWORD}@127.0.0.1:${port}`, loopback: true } }),
    ).catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'ProxyConnectionFailed', retryable: true, attempts: 2 });
    expect(error.message).toContain(`The proxy 127.0.0.1:${port} could not be reached (ECONNREFUSED)`);
    expect(everyTextOf(error)).not.toContain(PROXY_PASSWORD);
  });

  it('a proxy that cannot reach the endpoint answers with an error page: BadGateway (retry)', async () => {
    const closed = await freePort();
    const error = (await query(
      client({ endpoint: `https://127.0.0.1:${closed}`, proxy: { url: proxy.url, loopback: true } }),
    ).catch((e) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'BadGateway', retryable: true, attempts: 2 });
    expect(error.message).toMatch(
      new RegExp(
        `The proxy 127\\.0\\.0\\.1:${proxy.port} could not open a tunnel to 127\\.0\\.0\\.1:${closed} \\(HTTP 5\\d\\d\\)`,
      ),
    );
  });

  it('a proxy that accepts the connection and never answers: ProxyConnectionFailed at the timeout, each attempt one tunnel given up', async () => {
    // A raw socket server: it takes the CONNECT and says nothing.
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    try {
      const error = (await query(
        client({ timeoutMs: 1000, proxy: { url: `http://127.0.0.1:${port}`, loopback: true } }),
      ).catch((e) => e)) as OnsMqttError;
      expect(error).toMatchObject({ code: 'ProxyConnectionFailed', retryable: true });
      expect(error.message).toContain(`The proxy 127.0.0.1:${port} did not open a tunnel within 1 s`);
      // One connection to the proxy per attempt: each given up at its timeout, then the next.
      expect(held.size).toBe(error.attempts);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
