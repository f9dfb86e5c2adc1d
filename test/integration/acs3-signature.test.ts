/**
 * The package's own V3 signer (lib/send/acs3-signature.ts, `node:crypto` only) against the
 * emulator, which checks signatures with a separate implementation: a request it signs is
 * accepted; one signed with another secret, or changed after signing, is refused.
 */
import { request } from 'node:http';
import type { RunningEmulator } from '../../emulator';
import { signAcs3, canonicalQuery, type Acs3Credentials } from '../../lib/send/acs3-signature';
import { emulatorWithSentinel, SENTINEL_ACCESS_KEY_ID, SENTINEL_SECRET } from '../helpers/emulator';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulatorWithSentinel({ mqttPort: false });
});
afterAll(() => emu.stop());

function send(
  query: Record<string, string>,
  credentials: Acs3Credentials,
  tamper?: (headers: Record<string, string>) => void,
) {
  const url = new URL(emu.endpoint);
  const headers = signAcs3(
    { method: 'POST', host: url.host, action: 'QuerySessionByClientId', version: '2020-04-20', query },
    credentials,
  );
  tamper?.(headers);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(`${emu.endpoint}/?${canonicalQuery(query)}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

const keys = { accessKeyId: SENTINEL_ACCESS_KEY_ID, accessKeySecret: SENTINEL_SECRET };

it('a request it signs is accepted, with its parameters as sent', async () => {
  emu.setDeviceOnline('GID_sig@@@a b/c', true);
  const answer = await send({ ClientId: 'GID_sig@@@a b/c', InstanceId: INSTANCE }, keys);
  expect(answer).toMatchObject({ status: 200, body: { OnlineStatus: true } });
  expect(emu.requestLog().at(-1)).toMatchObject({ signature: 'v3', action: 'QuerySessionByClientId', status: 200 });
});

it('another secret, or a parameter changed after signing, is refused', async () => {
  const wrong = await send(
    { ClientId: 'GID_sig@@@x', InstanceId: INSTANCE },
    { ...keys, accessKeySecret: 'not-the-secret' },
  );
  expect([wrong.status, wrong.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  const changed = await send(
    { ClientId: 'GID_sig@@@x', InstanceId: INSTANCE },
    keys,
    (h) => (h['x-acs-action'] = 'SendMessage'),
  );
  expect(changed.body.Code).toBe('SignatureDoesNotMatch');
});

it('an STS token is signed with the request', async () => {
  const sts = emu.issueStsToken();
  const answer = await send({ ClientId: 'GID_sig@@@sts', InstanceId: INSTANCE }, sts);
  expect(answer.status).toBe(200);
  const unsigned = await send(
    { ClientId: 'GID_sig@@@sts', InstanceId: INSTANCE },
    sts,
    (h) => (h['x-acs-security-token'] += 'x'),
  );
  expect(unsigned.status).not.toBe(200);
});
