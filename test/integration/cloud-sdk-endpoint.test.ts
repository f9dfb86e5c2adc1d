/**
 * The emulator's Cloud SDK endpoint as Alibaba's server SDKs use it, with amqplib speaking the
 * protocol: a producer's sendMessage (basic.publish on a confirm channel, exchange and routing key
 * the full topic) reaches the MQTT clients subscribed to it and is confirmed; a consumer that stops
 * sending anything (heartbeats included) is closed after two intervals, and what it had not
 * acknowledged goes to the group's other consumer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { RunningEmulator } from '../../emulator';
import { cloudSdkPassword, cloudSdkUsername } from '../../lib/push/login';
import { latencyProxy } from '../../bench/hostile';
import {
  connectMqtt,
  emulatorWithSentinel,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulatorWithSentinel({ amqpPort: 0, amqpHeartbeatSeconds: 1 });
});
afterAll(() => emu.stop());

async function login(port: number, heartbeat = 1): Promise<amqp.ChannelModel> {
  const signKey = String(Date.now());
  const connection = await amqp.connect(
    { protocol: 'amqp', hostname: '127.0.0.1', port, vhost: 'MQTT', heartbeat },
    {
      credentials: amqp.credentials.plain(
        cloudSdkUsername(emu.instanceId, SENTINEL_ACCESS_KEY_ID),
        cloudSdkPassword(SENTINEL_SECRET, signKey),
      ),
      clientProperties: { signKey },
    },
  );
  connection.on('error', () => undefined);
  return connection;
}

it('sendMessage over the Cloud SDK: the subscribed MQTT client receives it, and the publish is confirmed', async () => {
  const device = await connectMqtt(emu.mqttUrl!, 'GID_sdk@@@receiver');
  try {
    const received: Array<{ topic: string; payload: string }> = [];
    device.on('message', (topic, payload) => void received.push({ topic, payload: payload.toString() }));
    await device.subscribeAsync('commands/receiver', { qos: 1 });
    const connection = await login(emu.cloudSdk!.port, 10);
    try {
      const channel = await connection.createConfirmChannel();
      const confirmed = await new Promise<unknown>((resolve) =>
        channel.publish(
          'commands/receiver',
          'commands/receiver',
          Buffer.from('{"reboot":true}'),
          { mandatory: true, messageId: 'abc' },
          (error) => resolve(error ?? 'ack'),
        ),
      );
      expect(confirmed).toBe('ack');
      await waitFor(() => received.length === 1, 5000, 'the delivery');
      expect(received).toEqual([{ topic: 'commands/receiver', payload: '{"reboot":true}' }]);
      // Several at once: each confirmed, each delivered, in order.
      for (let i = 0; i < 5; i++)
        channel.publish('commands/receiver', 'commands/receiver', Buffer.from(String(i)), { mandatory: true });
      await channel.waitForConfirms();
      await waitFor(() => received.length === 6, 5000, 'five more');
      expect(received.slice(1).map((m) => m.payload)).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      await connection.close().catch(() => undefined);
    }
  } finally {
    device.end(true);
  }
});

it('a consumer that stops sending heartbeats is closed after two intervals; its unacknowledged events go to the other consumer', async () => {
  const proxy = await latencyProxy({ host: '127.0.0.1', port: emu.cloudSdk!.port }, 0);
  const hung = await login(proxy.port);
  const healthy = await login(emu.cloudSdk!.port);
  try {
    const gotByHung: string[] = [];
    const gotByHealthy: string[] = [];
    const hungChannel = await hung.createChannel();
    hungChannel.on('error', () => undefined);
    // It never acknowledges (hung), and soon sends nothing at all.
    await hungChannel.consume('STATUS', (m) => m && void gotByHung.push(JSON.parse(m.content.toString()).clientId), {
      noAck: false,
      arguments: { GROUP_ID: 'GID_hb' },
    });
    const healthyChannel = await healthy.createChannel();
    await healthyChannel.consume(
      'STATUS',
      (m) => {
        if (!m) return;
        gotByHealthy.push(JSON.parse(m.content.toString()).clientId);
        healthyChannel.ack(m);
      },
      { noAck: false, arguments: { GROUP_ID: 'GID_hb' } },
    );
    proxy.freezeClients();
    const ids = Array.from({ length: 6 }, (_, i) => `GID_hb@@@d${i}`);
    for (const [i, clientId] of ids.entries())
      emu.cloudSdk!.publishStatus({
        clientId,
        channelId: `c${i}`,
        eventType: 'connect',
        time: Date.now(),
        clientIp: '127.0.0.1',
      });
    await waitFor(() => gotByHung.length > 0, 5000, 'some events given to the hung consumer');
    // Two heartbeat intervals of silence: the endpoint closes it, and its events go to the other.
    await waitFor(
      () => [...new Set(gotByHealthy)].sort().join() === [...ids].sort().join(),
      10_000,
      'every event at the healthy consumer',
    );
    await waitFor(
      () =>
        emu.cloudSdk!.backlog()['STATUS/GID_hb']?.unacked === 0 &&
        emu.cloudSdk!.backlog()['STATUS/GID_hb']?.waiting === 0,
      5000,
      'all acknowledged',
    );
  } finally {
    await healthy.close().catch(() => undefined);
    await hung.close().catch(() => undefined);
    await proxy.close();
  }
}, 30_000);

describe('npm run emulator (dist/emulator/cli.js)', () => {
  /** Starts the command line emulator on free ports and gives its banner; it stops with stdin. */
  async function banner(...flags: string[]): Promise<string> {
    const child = spawn(
      process.execPath,
      [join(__dirname, '../../dist/emulator/cli.js'), '--port', '0', '--mqtt-port', '0', '--stop-with-stdin', ...flags],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes('Press Ctrl-C'), 15_000, 'the banner');
      return out;
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    }
  }

  it('starts the Cloud SDK endpoint and says where; --no-amqp leaves it out; --mqtt-auth does not promise any Client ID', async () => {
    const withAmqp = await banner('--amqp-port', '0');
    expect(withAmqp).toMatch(/Cloud SDK \(AMQP\) {2}amqp:\/\/127\.0\.0\.1:\d+/);
    expect(withAmqp).toContain('connect with any Client ID');
    const without = await banner('--no-amqp', '--mqtt-auth');
    expect(without).not.toContain('Cloud SDK');
    expect(without).not.toContain('any Client ID');
    expect(without).toContain('logins are checked');
  }, 40_000);
});
