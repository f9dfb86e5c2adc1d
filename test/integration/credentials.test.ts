/**
 * Credentials that refresh themselves, against the emulator's STS (HTTPS, its test CA trusted via
 * NODE_EXTRA_CA_CERTS as `npm test` and jest.config.js set it) and OnsMqtt API, which accepts
 * a temporary key only until it expires. Token lifetimes are cut to seconds so that expiries are
 * crossed while the test watches.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busiestSecond, startEmulator, type RunningEmulator } from '../../emulator';
import { OnsMqttClient, OnsMqttError, resetCredentialSessions, type CredentialSpec } from '../../lib/internal';
import { everyTextOf } from '../helpers/emulator';
import { busiestWindow } from '../helpers/send-log';

const BASE_KEY = { accessKeyId: 'LTAI5tRoleBase01', accessKeySecret: 'role-base-SECRET-8842' };
const OTHER_KEY = { accessKeyId: 'LTAI5tUntrusted1', accessKeySecret: 'untrusted-SECRET-1177' };
const ROLE = 'acs:ram::1234567890123456:role/mqtt-reader';
const OIDC_ROLE = 'acs:ram::1234567890123456:role/mqtt-pod';
const OIDC_PROVIDER = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-test';
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.OIDC-SECRET-TOKEN-5521.sig';
const INSTANCE = 'post-cn-emulator01';
const DEVICE = { clientId: 'GID_cred@@@1', instanceId: INSTANCE };

let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  if (!process.env.NODE_EXTRA_CA_CERTS)
    throw new Error(
      'Run through `npm test` (or set NODE_EXTRA_CA_CERTS=emulator/tls/ca.pem): STS is HTTPS with the emulator CA.',
    );
  dir = mkdtempSync(join(tmpdir(), 'alicloud-cred-'));
  emu = await startEmulator({
    mqttPort: false,
    accessKeys: [BASE_KEY, OTHER_KEY],
    sts: {
      roles: [
        { arn: ROLE, trustedAccessKeyIds: [BASE_KEY.accessKeyId], maxSessionSeconds: 3600 },
        { arn: OIDC_ROLE, oidcProviderArn: OIDC_PROVIDER, oidcTokens: [OIDC_TOKEN] },
      ],
    },
  });
});
afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emu.reset();
  emu.setDeviceOnline(DEVICE.clientId, true);
  emu.sts!.clearLog();
  emu.sts!.setAvailability('up');
  emu.sts!.setLatency(0);
  resetCredentialSessions();
});

const roleSpec = (over: Partial<Extract<CredentialSpec, { type: 'ram_role_arn' }>> = {}): CredentialSpec => ({
  type: 'ram_role_arn',
  ...BASE_KEY,
  roleArn: ROLE,
  stsEndpoint: emu.sts!.endpoint,
  ...over,
});
const client = (credential: CredentialSpec, retry = { maxAttempts: 1 }) =>
  new OnsMqttClient({ credential, endpoint: emu.endpoint, timeoutMs: 10_000, retry, retryBudget: false });
const assumeRoles = () => emu.sts!.log().filter((e) => e.action === 'AssumeRole' && !e.code);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECRETS = [BASE_KEY.accessKeySecret, OTHER_KEY.accessKeySecret, OIDC_TOKEN];
/** No base secret, OIDC token, or temporary secret or token the emulator issued, anywhere in it. */
function expectNoSecret(value: unknown): void {
  const text = everyTextOf(value);
  for (const secret of [...SECRETS, ...emu.issuedSecrets()]) expect(text).not.toContain(secret);
}

describe("the emulator's STS answers Alibaba's SDK as STS does", () => {
  // @alicloud/openapi-client is what the official STS SDK (sts-20150401) is generated over; its
  // default request is V3: action, key and signature in headers (ACS3-HMAC-SHA256).
  const assumeRoleV3 = async (accessKeySecret: string) => {
    const { default: OpenApi, Config, Params, OpenApiRequest } = await import('@alicloud/openapi-client');
    const sdk = new OpenApi(
      new Config({
        accessKeyId: BASE_KEY.accessKeyId,
        accessKeySecret,
        endpoint: emu.sts!.endpoint,
        protocol: 'https',
      }),
    );
    const params = new Params({
      action: 'AssumeRole',
      version: '2015-04-01',
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApiRequest({ query: { RoleArn: ROLE, RoleSessionName: 'sdk-v3', DurationSeconds: '900' } });
    return (await sdk.callApi(params, request, {} as never)) as {
      body: { Credentials: { AccessKeyId: string; Expiration: string } };
    };
  };

  it('a V3-signed AssumeRole gets credentials, with Expiration in the documented form (no milliseconds)', async () => {
    const answer = await assumeRoleV3(BASE_KEY.accessKeySecret);
    expect(answer.body.Credentials.AccessKeyId).toMatch(/^STS\./);
    expect(answer.body.Credentials.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(emu.sts!.log()).toEqual([
      expect.objectContaining({
        action: 'AssumeRole',
        roleArn: ROLE,
        accessKeyId: BASE_KEY.accessKeyId,
        durationSeconds: 900,
      }),
    ]);
  });

  it('a V3 request signed with the wrong secret is refused (SignatureDoesNotMatch)', async () => {
    await expect(assumeRoleV3('not-the-secret')).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(emu.sts!.log()).toEqual([expect.objectContaining({ action: 'AssumeRole', code: 'SignatureDoesNotMatch' })]);
  });
});

describe('RAM role (AssumeRole) credentials', () => {
  it('a client keeps working across expiries, with one AssumeRole per token lifetime', async () => {
    emu.sts!.setTokenLifetime(3000);
    const c = client(roleSpec());
    const started = Date.now();
    let queries = 0;
    while (Date.now() - started < 8000) {
      const status = await c.querySession(DEVICE);
      expect(status.online).toBe(true);
      queries++;
      await sleep(100);
    }
    const times = assumeRoles().map((e) => e.at);
    // 8 s of 3 s tokens renewed at three quarters of their life: 4 tokens, never two at once.
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(2000);
    expect(emu.requestLog().filter((e) => e.code)).toEqual([]);
    expect(queries).toBeGreaterThanOrEqual(times.length); // at least one query per token
    // The keys really changed: the API saw several temporary AccessKeys.
    // (A renewal that ends after the last query is never used.)
    const keys = new Set(emu.requestLog().map((e) => e.accessKeyId)).size;
    expect(keys).toBeGreaterThanOrEqual(times.length - 1);
    expect(keys).toBeLessThanOrEqual(times.length);
  }, 30_000);

  it('ten clients of the same role and 200 concurrent queries share one AssumeRole', async () => {
    const clients = Array.from({ length: 10 }, () => client(roleSpec()));
    await Promise.all(Array.from({ length: 200 }, (_, i) => clients[i % 10].querySession(DEVICE)));
    expect(assumeRoles()).toHaveLength(1);
    expect(clients[0].identity).toBe(`${ROLE} (assumed by ${BASE_KEY.accessKeyId})`);
  });

  it('STS down: the valid token is used until it expires, then a clear retry-class error; STS back: working again', async () => {
    emu.sts!.setTokenLifetime(3000);
    const c = client(roleSpec());
    const issued = Date.now();
    await c.querySession(DEVICE);
    emu.sts!.setAvailability('down');
    // Times from before the token was asked for, so that a slow first query cannot stretch them.
    while (Date.now() < issued + 2200) {
      await expect(c.querySession(DEVICE)).resolves.toMatchObject({ online: true }); // the token still holds
      await sleep(100);
    }
    // STS names the expiry in whole seconds, rounded up: the token lives 3 to 4 s; now past it.
    await sleep(Math.max(0, issued + 4300 - Date.now()));
    const failure = (await c.querySession(DEVICE).catch((e: unknown) => e)) as OnsMqttError;
    expect(failure).toBeInstanceOf(OnsMqttError);
    expect(failure).toMatchObject({ code: 'StsUnreachable', retryable: true });
    expect(failure.message).toContain(`STS at ${emu.sts!.endpoint} could not be reached`);
    expectNoSecret(failure);
    emu.sts!.setAvailability('up');
    const deadline = Date.now() + 12_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await c.querySession(DEVICE).then(
        () => true,
        () => false,
      );
      if (!recovered) await sleep(250);
    }
    expect(recovered).toBe(true);
  }, 30_000);

  it('clock skew: the API calls a token expired that looked valid here; one refresh and one more attempt, the caller sees nothing', async () => {
    emu.sts!.setTokenLifetime(4000);
    const c = client(roleSpec());
    await c.querySession(DEVICE);
    // The token lives 4 to 5 s (STS rounds its expiry up to the second); the service's clock runs
    // 3.5 s ahead, so at 1.8 s of age the token is dead there and still valid here.
    emu.setClockOffset(3500);
    await sleep(1800);
    await expect(c.querySession(DEVICE)).resolves.toMatchObject({ online: true });
    const codes = emu.requestLog().map((e) => e.code ?? 'ok');
    expect(codes.slice(-2)).toEqual(['InvalidSecurityToken.Expired', 'ok']);
    expectNoSecret(emu.requestLog()); // what the API logged of the requests: no token, no secret
    expect(assumeRoles()).toHaveLength(2);
  }, 20_000);

  it('a slow STS does not turn into a burst: requests wait for credentials before they take a rate token', async () => {
    emu.sts!.setLatency(2500);
    const c = new OnsMqttClient({
      credential: roleSpec(),
      endpoint: emu.endpoint,
      timeoutMs: 10_000,
      retry: { maxAttempts: 1 },
      retryBudget: false,
      concurrency: 600,
    });
    const results = await Promise.all(Array.from({ length: 600 }, () => c.querySession(DEVICE)));
    expect(results.every((r) => r.online)).toBe(true);
    expect(assumeRoles()).toHaveLength(1);
    // 600 requests that all waited 2.5 s for one AssumeRole leave at the rate, not at once. Had they
    // taken their tokens before the credentials, they would arrive together right after the
    // AssumeRole (measured: 181 in a quarter of a second). At 265/s with a burst of 10 a quarter of a
    // second carries about 76; the margin is for what a loaded machine does to arrival times.
    const arrivals = emu.requestLog().map((e) => Date.parse(e.time));
    expect(busiestWindow(arrivals, 250)).toBeLessThanOrEqual(120);
    expect(busiestSecond(emu.requestLog()).count).toBeLessThanOrEqual(330);
  }, 30_000);

  it.each([
    ['NoPermission', () => roleSpec({ ...OTHER_KEY }), 'fail', 'sts:AssumeRole'],
    [
      'EntityNotExist.Role',
      () => roleSpec({ roleArn: 'acs:ram::1234567890123456:role/no-such-role' }),
      'fail',
      'does not exist',
    ],
    ['InvalidParameter.RoleSessionName', () => roleSpec({ roleSessionName: 'bad#name' }), 'fail', 'role session name'],
    ['InvalidParameter.DurationSeconds', () => roleSpec({ durationSeconds: 7200 }), 'fail', 'maximum session duration'],
    ['SignatureDoesNotMatch', () => roleSpec({ accessKeySecret: 'wrong-SECRET-0000' }), 'fail', 'AccessKey Secret'],
  ] as const)('STS answers %s: that code, its class and hint, no secret', async (code, spec, errorClass, hint) => {
    const error = (await client(spec())
      .querySession(DEVICE)
      .catch((e: unknown) => e)) as OnsMqttError;
    expect(error).toBeInstanceOf(OnsMqttError);
    expect(error).toMatchObject({ code, errorClass });
    expect(error.hint).toContain(hint);
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expectNoSecret(error);
    expect(error.message).not.toContain('wrong-SECRET-0000');
    expect(emu.requestLog()).toEqual([]); // the API was never called with credentials that do not exist
  });

  it('STS throttling (Throttling.User) is retry class', async () => {
    emu.sts!.setAvailability('throttled');
    const error = (await client(roleSpec())
      .querySession(DEVICE)
      .catch((e: unknown) => e)) as OnsMqttError;
    expect(error).toMatchObject({ code: 'Throttling.User', retryable: true });
  });
});

describe("machine identities are the administrator's choice", () => {
  const ambient: CredentialSpec[] = [
    { type: 'ecs_ram_role' },
    { type: 'oidc_role_arn', roleArn: OIDC_ROLE, oidcProviderArn: OIDC_PROVIDER, oidcTokenFilePath: '/nonexistent' },
    { type: 'credentials_uri', credentialsUri: 'http://127.0.0.1:1/credentials' },
    { type: 'default' },
  ];
  it.each(ambient.map((s) => [s.type, s] as const))(
    '%s is refused without ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS, naming it',
    (_type, spec) => {
      delete process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS;
      expect(() => client(spec)).toThrow(
        expect.objectContaining({
          code: 'SystemCredentialsDisabled',
          message: expect.stringContaining('ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS=true'),
        }),
      );
    },
  );

  describe('allowed by the administrator', () => {
    beforeAll(() => void (process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS = 'true'));
    afterAll(() => void delete process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS);

    it('credentials URI: fetched once per lifetime, across expiries', async () => {
      emu.sts!.setTokenLifetime(2000);
      const c = client({ type: 'credentials_uri', credentialsUri: emu.credentialsUri });
      const started = Date.now();
      while (Date.now() - started < 5000) {
        await expect(c.querySession(DEVICE)).resolves.toMatchObject({ online: true });
        await sleep(100);
      }
      const fetches = emu.credentialsUriFetches();
      expect(fetches.length).toBeGreaterThanOrEqual(3);
      expect(fetches.length).toBeLessThanOrEqual(4);
      expect(c.identity).toBe(`the credentials URI ${new URL(emu.credentialsUri).origin}`);
    }, 20_000);

    it('credentials URI that does not answer: retry class, the origin named, nothing else', async () => {
      const error = (await client({
        type: 'credentials_uri',
        credentialsUri: 'http://127.0.0.1:9/creds?token=URI-SECRET-77',
      })
        .querySession(DEVICE)
        .catch((e: unknown) => e)) as OnsMqttError;
      expect(error).toMatchObject({ code: 'CredentialsUriUnreachable', retryable: true });
      expect(error.message).toContain('http://127.0.0.1:9');
      expect(error.message).not.toContain('URI-SECRET-77');
    });

    it("credentials URI that answers an error: neither its body nor the URI's own token reaches the message", async () => {
      const answers = [
        {
          status: 403,
          body: JSON.stringify({ Code: 'Forbidden', Message: 'denied for token=URI-BODY-SECRET-1', RequestId: 'r-1' }),
        },
        {
          status: 500,
          body: 'upstream https://user:URI-BODY-SECRET-2@vault.internal/v1/creds?token=URI-BODY-SECRET-3 failed',
        },
        { status: 200, body: JSON.stringify({ Code: 'Success', AccessKeyId: 'x', Note: 'URI-BODY-SECRET-4' }) },
      ];
      let next = 0;
      const server = createServer((_req, res) => {
        const answer = answers[Math.min(next++, answers.length - 1)];
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const { port } = server.address() as AddressInfo;
      try {
        for (let i = 0; i < answers.length; i++) {
          resetCredentialSessions();
          next = i;
          const error = (await client({
            type: 'credentials_uri',
            credentialsUri: `http://127.0.0.1:${port}/creds/URI-PATH-SECRET?token=URI-QUERY-SECRET`,
          })
            .querySession(DEVICE)
            .catch((e: unknown) => e)) as OnsMqttError;
          expect(error).toBeInstanceOf(OnsMqttError);
          const text = everyTextOf(error);
          expect(text).toContain(`http://127.0.0.1:${port}`);
          expect(text).not.toMatch(/URI-(BODY|PATH|QUERY)-SECRET/);
        }
      } finally {
        server.close();
      }
    });

    it('OIDC (ACK RRSA): the token file is the proof; a wrong token and a missing file say so', async () => {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, OIDC_TOKEN);
      const spec: CredentialSpec = {
        type: 'oidc_role_arn',
        roleArn: OIDC_ROLE,
        oidcProviderArn: OIDC_PROVIDER,
        oidcTokenFilePath: tokenFile,
        stsEndpoint: emu.sts!.endpoint,
      };
      await expect(client(spec).querySession(DEVICE)).resolves.toMatchObject({ online: true });
      expect(emu.sts!.log().map((e) => [e.action, e.code])).toEqual([['AssumeRoleWithOIDC', undefined]]);

      resetCredentialSessions();
      writeFileSync(tokenFile, 'eyJ.not-issued-by-the-provider.sig');
      const wrong = (await client(spec)
        .querySession(DEVICE)
        .catch((e: unknown) => e)) as OnsMqttError;
      expect(wrong).toMatchObject({ code: 'AuthenticationFail.OIDCToken.Invalid', retryable: false });

      resetCredentialSessions();
      const missing = (await client({ ...spec, oidcTokenFilePath: join(dir, 'absent') })
        .querySession(DEVICE)
        .catch((e: unknown) => e)) as OnsMqttError;
      expect(missing).toMatchObject({ code: 'OidcTokenFileUnreadable' });
      for (const e of [wrong, missing]) expectNoSecret(e);
    });
  });
});
