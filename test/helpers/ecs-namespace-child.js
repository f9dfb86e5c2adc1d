'use strict';
/**
 * Runs inside a network namespace that the ECS test creates, where 100.100.100.200 is on the
 * namespace's own loopback: the emulator's API, its ECS metadata stand-in at the fixed address,
 * and a client with `ecs_ram_role` credentials. Prints one JSON line of findings. Built code
 * (dist/), since it runs as a plain Node.js process.
 */
const path = require('node:path');
const dist = path.join(__dirname, '../../dist');
const { startEmulator } = require(path.join(dist, 'emulator'));
const { OnsMqttClient, resetCredentialSessions } = require(path.join(dist, 'lib', 'internal'));

const DEVICE = { clientId: 'GID_ecs@@@1', instanceId: 'post-cn-emulator01' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const codeOf = (p) =>
  p.then(
    () => 'ok',
    (e) => e.code,
  );

(async () => {
  const out = {};
  const emu = await startEmulator({
    mqttPort: false,
    metadata: { roleName: 'EcsMqttRole', host: '100.100.100.200', port: 80 },
  });
  emu.setDeviceOnline(DEVICE.clientId, true);
  const client = () =>
    new OnsMqttClient({
      credential: { type: 'ecs_ram_role' },
      endpoint: emu.endpoint,
      retry: { maxAttempts: 1 },
      retryBudget: false,
    });
  try {
    delete process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS;
    out.withoutSwitch = await codeOf(Promise.resolve().then(() => client().querySession(DEVICE)));
    process.env.ALICLOUD_MQTT_ALLOW_SYSTEM_CREDENTIALS = 'true';

    // Tokens of 2 s, queries for 5 s: the role's credentials are fetched again as they run out.
    emu.setTokenLifetime(2000);
    const c = client();
    out.identity = c.identity;
    const started = Date.now();
    const codes = [];
    while (Date.now() - started < 5000) {
      codes.push(await codeOf(c.querySession(DEVICE)));
      await sleep(100);
    }
    out.codes = [...new Set(codes)];
    out.queries = codes.length;
    out.credentialFetches = emu.metadata
      .log()
      .filter((e) => e.path === '/latest/meta-data/ram/security-credentials/EcsMqttRole').length;
    out.tokenRequests = emu.metadata.log().filter((e) => e.method === 'PUT').length;
    out.keysSeen = new Set(emu.requestLog().map((e) => e.accessKeyId)).size;

    // The metadata service goes away: once the token has expired, a clear retry-class error.
    await emu.metadata.stop();
    await sleep(2200);
    const failure = await c.querySession(DEVICE).then(
      () => undefined,
      (e) => e,
    );
    out.down = failure && { code: failure.code, retryable: failure.retryable, message: failure.message };
    resetCredentialSessions();
  } finally {
    await emu.stop().catch(() => undefined);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
})().catch((error) => {
  process.stdout.write(`${JSON.stringify({ crashed: String(error && error.stack) })}\n`);
  process.exitCode = 1;
});
