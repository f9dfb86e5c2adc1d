import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { OnsMqttClient, OnsMqttError } from '../../lib/internal';

/** Certificate checks stay on for HTTPS endpoints; a self-signed certificate needs an explicit opt-in. */
let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alicloud-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  emu = await startEmulator({
    mqttPort: false,
    tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') },
  });
});
afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

const query = (options: Partial<ConstructorParameters<typeof OnsMqttClient>[0]> = {}) =>
  new OnsMqttClient({
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    endpoint: emu.endpoint,
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    ...options,
  })
    .querySession({ clientId: 'GID_tls@@@1', instanceId: emu.instanceId })
    .catch((e: unknown) => e);

it('the emulator serves HTTPS', () => {
  expect(emu.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
});

it('a self-signed certificate is refused by default: TlsCertificateInvalid, never retried, nothing reaches the API', async () => {
  const error = (await query()) as OnsMqttError;
  expect(error).toBeInstanceOf(OnsMqttError);
  expect(error).toMatchObject({ code: 'TlsCertificateInvalid', retryable: false, attempts: 1 });
  expect(error.message).toMatch(/certificate/i);
  expect(emu.requestLog()).toHaveLength(0);
});

it('accepted only when the user explicitly opts in', async () => {
  const result = await query({ allowUnverifiedTls: true });
  expect(result).toMatchObject({ clientId: 'GID_tls@@@1', online: false });
  expect(emu.requestLog()).toHaveLength(1);
});
