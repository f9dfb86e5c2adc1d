/**
 * The provisioning chain against the emulator with its broker checking logins: device credentials,
 * tokens, messages to devices, waiting until a device connects. Real mqtt.js clients log in with
 * what `mqttConnectOptions` returns; a password is also checked against values computed by
 * `openssl` (another implementation of HMAC-SHA1 and Base64), not by the function under test.
 */
import { execFileSync } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import { OnsMqttClient, mqttConnectOptions, type MqttConnectOptions } from '../../lib/internal';
import {
  clientFor,
  emulatorWithSentinel,
  everyTextOf,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
let client: OnsMqttClient;
const devices: MqttClient[] = [];

beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttAuth: true });
  client = clientFor(emu);
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await emu.stop();
});
beforeEach(() => emu.reset());

/** Connects with these options; resolves with the client, or with the CONNACK return code of a refusal. */
function login(options: MqttConnectOptions): Promise<{ client: MqttClient } | { refused: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mqtt = require('mqtt') as typeof import('mqtt');
  const device = mqtt.connect(emu.mqttUrl!, {
    ...options,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    protocolVersion: 4,
  });
  devices.push(device);
  return new Promise((resolve, reject) => {
    device.once('connect', () => resolve({ client: device }));
    device.once('error', (error: Error & { code?: number }) =>
      typeof error.code === 'number' ? resolve({ refused: error.code }) : reject(error),
    );
  });
}

const opensslPassword = (secret: string, clientId: string) =>
  execFileSync('bash', ['-c', 'printf %s "$DATA" | openssl dgst -sha1 -hmac "$KEY" -binary | base64'], {
    env: { ...process.env, DATA: clientId, KEY: secret },
    encoding: 'utf8',
  }).trim();

describe('mqttConnectOptions', () => {
  it("computes the documented password (checked against openssl's HMAC-SHA1 and Base64) and user names", () => {
    const clientId = 'GID_sensors@@@device-001';
    const secret = 'DC.BJMkn4eMQJK2vaApTS8Xg1';
    const device = mqttConnectOptions({
      mode: 'DeviceCredential',
      clientId,
      instanceId: INSTANCE,
      deviceAccessKeyId: 'DC.Z5fXh9',
      deviceAccessKeySecret: secret,
    });
    expect(device).toEqual({
      clientId,
      username: `DeviceCredential|DC.Z5fXh9|${INSTANCE}`,
      password: opensslPassword(secret, clientId),
    });
    const signed = mqttConnectOptions({
      mode: 'Signature',
      clientId,
      instanceId: INSTANCE,
      accessKeyId: 'LTAI5tX',
      accessKeySecret: 'account-secret',
    });
    expect(signed).toEqual({
      clientId,
      username: `Signature|LTAI5tX|${INSTANCE}`,
      password: opensslPassword('account-secret', clientId),
    });
    expect(
      mqttConnectOptions({ mode: 'Token', clientId, instanceId: INSTANCE, accessKeyId: 'LTAI5tX', token: 'tok' }),
    ).toEqual({
      clientId,
      username: `Token|LTAI5tX|${INSTANCE}`,
      password: 'R|tok|W|tok',
    });
    expect(
      mqttConnectOptions({
        mode: 'Token',
        clientId,
        instanceId: INSTANCE,
        accessKeyId: 'LTAI5tX',
        token: 'tok',
        tokenActions: 'W',
      }).password,
    ).toBe('W|tok');
  });

  it('says what is wrong, never echoing a secret', () => {
    expect(() =>
      mqttConnectOptions({
        mode: 'DeviceCredential',
        clientId: 'GID_a@@@b',
        instanceId: INSTANCE,
        deviceAccessKeyId: 'DC.x',
      }),
    ).toThrow(/deviceAccessKeySecret: is missing: give it from the device's credential/);
    expect(() =>
      mqttConnectOptions({
        mode: 'Signature',
        clientId: 'device-without-group',
        instanceId: INSTANCE,
        accessKeyId: 'a',
        accessKeySecret: 'b',
      }),
    ).toThrow(/clientId: must be GroupId@@@DeviceId/);
    let caught: unknown;
    try {
      mqttConnectOptions({
        mode: 'Signature',
        clientId: 'GID_a@@@b',
        instanceId: INSTANCE,
        accessKeyId: 'a',
        accessKeySecret: 'secret with spaces',
      });
    } catch (error) {
      caught = error;
    }
    expect(String((caught as Error).message)).toMatch(/accessKeySecret: contains spaces/);
    expect(everyTextOf(caught)).not.toContain('secret with spaces');
  });
});

describe('logging in to the broker, in each mode', () => {
  it('DeviceCredential: accepted with the right password, refused (return code 4) with a wrong one, the refusal in the trace', async () => {
    const clientId = 'GID_prov@@@dc-1';
    const credential = await client.registerDeviceCredential({ clientId, instanceId: INSTANCE });
    expect(credential).toMatchObject({
      clientId,
      instanceId: INSTANCE,
      deviceAccessKeyId: expect.stringMatching(/^DC\./),
    });
    expect(Date.parse(credential.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    const options = mqttConnectOptions({ mode: 'DeviceCredential', ...credential });
    expect(await login({ ...options, password: `${options.password}x` })).toEqual({ refused: 4 });
    const ok = await login(options);
    expect('client' in ok).toBe(true);
    await waitFor(() => emu.isDeviceOnline(clientId));
    const trace = await client.queryConnectionTrace({
      clientId,
      instanceId: INSTANCE,
      from: Date.now() - 60_000,
      to: Date.now() + 1000,
    });
    expect(trace.map((e) => `${e.action}:${e.reason}`)).toEqual(['connect:accepted', 'connect:not authorized']);
  });

  it("Signature: the account's own AccessKey logs in; another key's secret does not", async () => {
    const clientId = 'GID_prov@@@sig-1';
    const options = mqttConnectOptions({
      mode: 'Signature',
      clientId,
      instanceId: INSTANCE,
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: SENTINEL_SECRET,
    });
    expect('client' in (await login(options))).toBe(true);
    const wrong = mqttConnectOptions({
      mode: 'Signature',
      clientId: 'GID_prov@@@sig-2',
      instanceId: INSTANCE,
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      accessKeySecret: 'not-the-secret',
    });
    expect(await login(wrong)).toEqual({ refused: 4 });
  });

  it('Token: apply, query, log in; revoked: invalid and refused', async () => {
    const applied = await client.applyToken({
      instanceId: INSTANCE,
      resources: ['prov/tok-1', 'prov/tok-1/config'],
      actions: 'R,W',
      expireAt: Date.now() + 3600_000,
    });
    expect(applied).toMatchObject({
      instanceId: INSTANCE,
      resources: ['prov/tok-1', 'prov/tok-1/config'],
      actions: 'R,W',
    });
    expect(await client.queryToken({ instanceId: INSTANCE, token: applied.token })).toMatchObject({ valid: true });
    const options = mqttConnectOptions({
      mode: 'Token',
      clientId: 'GID_prov@@@tok-1',
      instanceId: INSTANCE,
      accessKeyId: SENTINEL_ACCESS_KEY_ID,
      token: applied.token,
    });
    expect('client' in (await login(options))).toBe(true);
    await client.revokeToken({ instanceId: INSTANCE, token: applied.token });
    expect(await client.queryToken({ instanceId: INSTANCE, token: applied.token })).toMatchObject({ valid: false });
    expect(await login({ ...options, clientId: 'GID_prov@@@tok-2' })).toEqual({ refused: 4 });
    await expect(
      client.applyToken({ instanceId: INSTANCE, resources: 'a', actions: 'R', expireAt: Date.now() + 10_000 }),
    ).rejects.toMatchObject({
      code: 'InvalidInput',
      field: 'expireAt',
    });
  });
});

describe('device credentials', () => {
  it('get or register is safe to re-run: the same credential; register replaces it, refresh changes the secret, unregister removes it', async () => {
    const ref = { clientId: 'GID_prov@@@cred-1', instanceId: INSTANCE };
    expect(await client.getDeviceCredential(ref)).toBeNull();
    const first = await client.ensureDeviceCredential(ref);
    const again = await client.ensureDeviceCredential(ref);
    expect(first.registered).toBe(true);
    expect(again).toEqual({ ...first, registered: false });
    const refreshed = await client.refreshDeviceCredential(ref);
    expect(refreshed.deviceAccessKeyId).toBe(first.deviceAccessKeyId);
    expect(refreshed.deviceAccessKeySecret).not.toBe(first.deviceAccessKeySecret);
    // The old secret stops working, the new one works.
    expect(await login(mqttConnectOptions({ mode: 'DeviceCredential', ...ref, ...first }))).toEqual({ refused: 4 });
    expect('client' in (await login(mqttConnectOptions({ mode: 'DeviceCredential', ...ref, ...refreshed })))).toBe(
      true,
    );
    // Registering again replaces the credential: the newest wins, the one before stops working.
    const replaced = await client.registerDeviceCredential(ref);
    expect(replaced.deviceAccessKeyId).not.toBe(first.deviceAccessKeyId);
    expect(await client.getDeviceCredential(ref)).toEqual(replaced);
    expect(await login(mqttConnectOptions({ mode: 'DeviceCredential', ...ref, ...refreshed }))).toEqual({ refused: 5 });
    await client.unregisterDeviceCredential(ref);
    expect(await client.getDeviceCredential(ref)).toBeNull();
    await expect(client.refreshDeviceCredential(ref)).rejects.toMatchObject({
      code: 'ParameterCheckFailed',
      retryable: false,
    });
  });
});

describe('sendMessage', () => {
  it('reaches a device subscribed to the topic', async () => {
    const clientId = 'GID_prov@@@msg-1';
    const credential = await client.ensureDeviceCredential({ clientId, instanceId: INSTANCE });
    const result = await login(mqttConnectOptions({ mode: 'DeviceCredential', ...credential }));
    if (!('client' in result)) throw new Error('login refused');
    const received: string[] = [];
    result.client.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    await result.client.subscribeAsync('prov/msg-1/config', { qos: 1 });
    const sent = await client.sendMessage({
      instanceId: INSTANCE,
      topic: 'prov/msg-1/config',
      payload: { interval: 30 },
    });
    expect(sent.msgId).toMatch(/^[0-9A-F]{32}$/);
    await waitFor(() => received.length > 0);
    expect(received).toEqual(['prov/msg-1/config {"interval":30}']);
  });
});

describe('waitUntilOnline', () => {
  it('a device that connects after 2 s: online, after several checks', async () => {
    const clientId = 'GID_prov@@@wait-1';
    const credential = await client.ensureDeviceCredential({ clientId, instanceId: INSTANCE });
    setTimeout(() => void login(mqttConnectOptions({ mode: 'DeviceCredential', ...credential })), 2_000);
    const result = await client.waitUntilOnline({
      clientId,
      instanceId: INSTANCE,
      timeoutMs: 10_000,
      pollIntervalMs: 1_000,
    });
    expect(result).toMatchObject({ online: true, clientId, instanceId: INSTANCE });
    expect(result.waitedMs).toBeGreaterThanOrEqual(1_900);
    expect(result.checks).toBeGreaterThan(2);
  });

  it('a device that never connects: timed out, with the (empty) trace of the window', async () => {
    const result = await client.waitUntilOnline({
      clientId: 'GID_prov@@@never',
      instanceId: INSTANCE,
      timeoutMs: 2_500,
      pollIntervalMs: 500,
    });
    expect(result).toMatchObject({ online: false, timedOut: true, trace: [] });
    expect(result.waitedMs).toBeGreaterThanOrEqual(2_400);
  });

  it('a device refused at login: timed out, and the trace shows each refusal', async () => {
    const clientId = 'GID_prov@@@refused';
    const credential = await client.ensureDeviceCredential({ clientId, instanceId: INSTANCE });
    const wrong = { ...mqttConnectOptions({ mode: 'DeviceCredential', ...credential }), password: 'stale-password' };
    const waiting = client.waitUntilOnline({ clientId, instanceId: INSTANCE, timeoutMs: 2_500, pollIntervalMs: 500 });
    expect(await login(wrong)).toEqual({ refused: 4 });
    expect(await login(wrong)).toEqual({ refused: 4 });
    const result = await waiting;
    if (result.online) throw new Error('should not be online');
    expect(result.trace.map((e) => e.reason)).toEqual(['not authorized', 'not authorized']);
  });

  it('cancelled: ends at once with Aborted', async () => {
    const controller = new AbortController();
    const waiting = client.waitUntilOnline(
      { clientId: 'GID_prov@@@cancel', instanceId: INSTANCE, timeoutMs: 60_000 },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(waiting).rejects.toMatchObject({ code: 'Aborted' });
    const polls = () => emu.requestLog().filter((e) => e.clientIds.includes('GID_prov@@@cancel')).length;
    const pollsAtAbort = polls();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(polls()).toBe(pollsAtAbort); // nothing more is asked once it has ended
  });

  it('a permanent error (wrong instance) ends the wait at once instead of waiting it out', async () => {
    await expect(
      client.waitUntilOnline({ clientId: 'GID_prov@@@x', instanceId: 'post-cn-nonexistent', timeoutMs: 30_000 }),
    ).rejects.toMatchObject({
      code: 'InstancePermissionCheckFailed',
    });
    // One question, answered with a fail-class error: no polling for the 30 s.
    expect(emu.requestLog().filter((e) => e.clientIds.includes('GID_prov@@@x'))).toHaveLength(1);
  });
});
