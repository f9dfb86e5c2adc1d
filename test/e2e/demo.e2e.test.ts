import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './hosts';

/**
 * `npm start`'s demo, as a user runs it (built package, real Node-RED, simulated devices), with
 * the gateway outage shortened: its terminal shows a ticket with why and since when, and the
 * gateway's twelve devices as one incident (not twelve tickets), then its resolution; and the
 * push watch's PUSH lines, with how many milliseconds after the device's drop each arrived; the
 * loose contact held back as flapping (one FLAPPING line, no ticket per outage after it), and the
 * availability picture the flow serves.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

it('the demo shows offline details and one incident for the gateway outage, then stops on Ctrl-C', async () => {
  // Every port where it is free: the demo stops with an explanation when its default one is taken.
  const [api, mqtt, amqp, port] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.js')], {
    cwd: ROOT,
    // One gateway failure, then it stays up: a device's own drop while an incident is open is
    // folded into it (by design), so with the gateway failing every 24 s a busy machine could go
    // 90 s without a ticket. After the one incident, the devices' drops are ordinary tickets.
    env: {
      ...process.env,
      DEMO_GATEWAY_UP_MS: '12000',
      DEMO_GATEWAY_DOWN_MS: '12000',
      DEMO_GATEWAY_FAILURES: '1',
      DEMO_NODE_RED_PORT: String(port),
      DEMO_API_PORT: String(api),
      DEMO_MQTT_PORT: String(mqtt),
      DEMO_AMQP_PORT: String(amqp),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForText = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(out)) {
      if (Date.now() > deadline)
        throw new Error(`the demo did not print ${pattern} within ${timeoutMs / 1000} s; it printed:\n${out}`);
      if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}):\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await waitForText(/Press Ctrl-C to stop/, 120_000);
    // The twelve lines closed by the gateway, and maybe a device of its own that dropped in the same check.
    await waitForText(
      /INCIDENT incident-\S+: 1[2-8] of 18 devices offline at once \(\{[^)]*"client_closed":1[2-8]/,
      60_000,
    );
    await waitForText(/INCIDENT RESOLVED incident-\S+ after \d+ s: \d+ back/, 60_000);
    // A ticket from a real drop (not the never-connected device) names its reason and time.
    await waitForText(
      /TICKET GID_demo@@@(pump|meter|gateway)\S+ offline since \d{4}-\d\d-\d\dT\S+Z: client_(closed|disconnected) \(/,
      90_000,
    );
    // Push presence next to polling: a drop told by the service itself, with how long after it came.
    await waitForText(/PUSH GID_demo@@@\S+ went offline \(\d+ ms after the device disconnected\)/, 90_000);
    // The loose contact is held back as flapping: one line for it, and no ticket per outage after it.
    await waitForText(/FLAPPING GID_demo@@@valve-09 held back: \d+ changes in its last 21 checks \([\d.]+ %\)/, 90_000);
    const heldBackAt = out.indexOf('FLAPPING GID_demo@@@valve-09 held back');
    // The availability picture of the last hour, served by the flow.
    const svg = await (await fetch(`http://127.0.0.1:${port}/availability`)).text();
    expect(svg).toMatch(/^<svg[\s\S]*GID_demo@@@valve-09[\s\S]*<\/svg>$/);
    expect(out.slice(heldBackAt)).not.toMatch(/TICKET GID_demo@@@valve-09 offline/);
    expect(out.match(/FLAPPING GID_demo@@@valve-09 held back/g)).toHaveLength(1);
    // The storm made no ticket for any line device.
    expect(out).not.toMatch(/TICKET GID_demo@@@line-/);
  } finally {
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000))),
    ]);
    clearTimeout(timer);
    if (code === 'hung') child.kill('SIGKILL');
  }
  expect(out).toContain('Stopped.');
}, 300_000);
