/**
 * Secrets never leave in a form a reader could use: redaction covers the percent-encoded forms an
 * echoed query or string to sign carries, URIs are cut to their origin, the objects a user holds
 * (a client, a shared store, a leadership) show no login through util.inspect or JSON.stringify,
 * and a password with a % in it is read back as typed.
 */
import { renewalError } from '../../lib/send/http-credentials';
import { inspect } from 'node:util';
import { OnsMqttClient } from '../../lib/internal';
import { redact, scrubUris } from '../../lib/base/redact';
import { closeSharedTokenStores, resolveSharedLimit, RedisTokenStore } from '../../lib/shared-limit';
import { WatchLeadership } from '../../lib/watch/leadership';
import { proxyFromFields } from '../../lib/proxy/settings';
import { decodeUserInfo } from '../../lib/base/user-info';
import { configToSharedLimit } from '../../nodes/node-red/config-options';

const SECRET = 'Ab/Cd+Ef=Gh!(x)*y%z';

describe('redaction', () => {
  it('replaces a secret as is, percent-encoded once and twice (upper or lower hex), as RFC 3986 and encodeURIComponent write it', () => {
    const once = encodeURIComponent(SECRET).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    const lowerHex = once.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
    const forms = [SECRET, once, encodeURIComponent(once), encodeURIComponent(SECRET), lowerHex];
    for (const form of forms) {
      const out = redact(`StringToSign: GET&%2F&SecurityToken%3D${form}%26x`, [SECRET]);
      expect([form, out]).toEqual([form, expect.not.stringContaining(form)]);
      expect(out).toContain('***');
    }
  });

  it('cuts every URI to scheme, host and port: no user info, path, query or fragment', () => {
    expect(scrubUris('fetch https://user:pw@vault.internal:8200/v1/creds?token=T0KEN#f failed')).toBe(
      'fetch https://vault.internal:8200 failed',
    );
    expect(scrubUris('redis://:secret@127.0.0.1:6379/0 and http://[::1]:8080/x')).toBe(
      'redis://127.0.0.1:6379 and http://[::1]:8080',
    );
    expect(redact('see http://h/p?q=1', [])).toBe('see http://h');
  });

  it('never throws on odd input, and leaves short values alone (they would cut words)', () => {
    expect(redact('abc', ['ab', ''])).toBe('abc');
    expect(scrubUris('bare x:// and http://[bad/path')).toBe('bare x:// and (a URI)');
  });
});

describe('objects a user holds show no secret', () => {
  afterAll(() => closeSharedTokenStores());

  it('a client with an AccessKey, a proxy login and a Redis password: util.inspect and JSON.stringify show none of them', async () => {
    const warnings: string[] = [];
    const client = new OnsMqttClient({
      accessKeyId: 'LTAI5tInspectMe',
      accessKeySecret: 'CLIENT-SECRET-1234',
      endpoint: 'http://127.0.0.1:9',
      proxy: { url: 'http://proxyuser:PROXY-PASS-1234@127.0.0.1:9', loopback: true },
      sharedLimit: { redisUrl: 'redis://:REDIS-PASS-1234@127.0.0.1:9/0', keyPrefix: 'inspect-test' },
      warn: (m: string) => void warnings.push(m),
    });
    const views = [inspect(client, { depth: 20, showHidden: true }), JSON.stringify(client)];
    for (const view of views) expect(view).not.toMatch(/CLIENT-SECRET|PROXY-PASS|REDIS-PASS|proxyuser/);
    expect(JSON.parse(JSON.stringify(client))).toEqual({
      endpoint: 'http://127.0.0.1:9',
      regionId: 'cn-hangzhou',
      identity: 'LTAI5tInspectMe',
      proxy: ['127.0.0.1:9', '127.0.0.1:9'],
      sharedLimit: 'redis://127.0.0.1:9/0',
    });
    for (const w of warnings) expect(w).not.toMatch(/REDIS-PASS/);
  });

  it('a shared store and a leadership: util.inspect and JSON.stringify name Redis by host, port and database only', async () => {
    const store = new RedisTokenStore(
      resolveSharedLimit({ redisUrl: 'redis://u:REDIS-PASS-5678@127.0.0.1:9/2' }),
      () => undefined,
    );
    const leadership = new WatchLeadership({
      redisUrl: 'redis://u:REDIS-PASS-5678@127.0.0.1:9/2',
      name: 'inspect-test',
    });
    try {
      for (const thing of [store, leadership]) {
        for (const view of [inspect(thing, { depth: 20, showHidden: true }), JSON.stringify(thing)]) {
          expect(view).not.toMatch(/REDIS-PASS/);
          expect(view).toContain('redis://127.0.0.1:9/2');
        }
      }
    } finally {
      await Promise.all([store.close(), leadership.close()]);
    }
  });
});

describe('a % in a password', () => {
  it('is read back as typed: given in a password field, or typed into the URL as is', () => {
    for (const password of ['100%', 'a%41b', 'p@ss:w/rd%', '%E4%B8%AD']) {
      const proxy = proxyFromFields('http://user@proxy.example:3128', password).proxy!;
      expect(decodeUserInfo(new URL(proxy.url).password)).toBe(password);
      const redis = configToSharedLimit(
        { id: 'c', sharedLimitUrl: 'redis://user@127.0.0.1:6379/0' },
        { sharedLimitPassword: password },
      )!;
      const resolved = resolveSharedLimit(redis);
      // What ioredis does with it (decodeURIComponent) gives the password back.
      expect(decodeURIComponent(new URL(resolved.redisUrl).password)).toBe(password);
    }
    // Typed into the URL with a bare %: kept, not "URI malformed".
    expect(
      decodeURIComponent(new URL(resolveSharedLimit({ redisUrl: 'redis://:100%@127.0.0.1:6379/0' }).redisUrl).password),
    ).toBe('100%');
    expect(decodeUserInfo('100%')).toBe('100%');
    expect(decodeUserInfo('a%2Fb')).toBe('a/b');
  });
});

describe('renewing through a host', () => {
  it("the host's error text reaches the message without a secret it may hold", () => {
    const hostError = Object.assign(new Error('wrapped'), {
      cause: { message: `request failed: token=STS-TOKEN-SENTINEL key=SECRET-SENTINEL`, code: 'ECONNRESET' },
    });
    const error = renewalError('acs:ram::1:role/r', { message: '', cause: hostError.cause }, [
      'STS-TOKEN-SENTINEL',
      'SECRET-SENTINEL',
    ]);
    expect(error.code).toBe('CredentialsUnavailable');
    expect(error.message).toContain('Could not renew the temporary credentials of acs:ram::1:role/r');
    expect(error.message).not.toMatch(/SENTINEL/);
  });
});
