/**
 * The message traces against the emulator's real broker: real mqtt.js clients publish and
 * subscribe; the API's SendMessage publishes too. The traces report who sent each message, who
 * received it and what one client sent and received, newest first, across pages.
 */
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import { OnsMqttError, type MessageTraceEvent, type OnsMqttClient } from '../../lib/internal';
import { clientFor, connectMqtt, emulatorWithSentinel, waitFor } from '../helpers/emulator';

const INSTANCE = 'post-cn-emulator01';
let emu: RunningEmulator;
let client: OnsMqttClient;
const devices: MqttClient[] = [];

beforeAll(async () => {
  emu = await emulatorWithSentinel();
  client = clientFor(emu);
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await emu.stop();
});

async function device(clientId: string, subscribe?: string): Promise<{ mqtt: MqttClient; received: string[] }> {
  const mqtt = await connectMqtt(emu.mqttUrl!, clientId, { protocolVersion: 4 });
  devices.push(mqtt);
  const received: string[] = [];
  mqtt.on('message', (_topic, payload) => received.push(payload.toString()));
  if (subscribe) await mqtt.subscribeAsync(subscribe, { qos: 1 });
  return { mqtt, received };
}

const range = () => ({ instanceId: INSTANCE, from: Date.now() - 60_000, to: Date.now() + 1_000 });
const apiCalls = (action: string) => emu.stats().byAction[action] ?? 0;

describe('message traces', () => {
  it('a message sent by the API: published through MQ, delivered to each subscriber; one client asked for alone', async () => {
    const a = await device('GID_mt@@@a', 'mt/config');
    const b = await device('GID_mt@@@b', 'mt/config');
    const sent = await client.sendMessage({ instanceId: INSTANCE, topic: 'mt/config', payload: 'hello' });
    await waitFor(() => a.received.length === 1 && b.received.length === 1);

    const published = await client.queryPublishTrace({ ...range(), msgId: sent.msgId });
    expect(published.map((e) => [e.msgId, e.clientId, e.action, e.actionCode, e.detail])).toEqual([
      [sent.msgId, '', 'pub_mq', 'mqtt.trace.action.msg.pub.mq', 'Pub From MQ'],
    ]);
    const delivered = await client.queryDeliveryTrace({ ...range(), msgId: sent.msgId });
    expect(delivered.map((e) => [e.clientId, e.action, e.detail]).sort()).toEqual([
      ['GID_mt@@@a', 'sub', 'Push To Mqtt Client'],
      ['GID_mt@@@b', 'sub', 'Push To Mqtt Client'],
    ]);
    const toA = await client.queryDeliveryTrace({ ...range(), msgId: sent.msgId, clientId: 'GID_mt@@@a' });
    expect(toA.map((e) => e.clientId)).toEqual(['GID_mt@@@a']);
    expect(toA[0].time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
  });

  it("a device's own message: its client's history gives the MsgId, the publish trace names the device, the delivery trace the receiver", async () => {
    const sender = await device('GID_mt@@@sender');
    const receiver = await device('GID_mt@@@receiver', 'mt/telemetry');
    await sender.mqtt.publishAsync('mt/telemetry', '21.5', { qos: 1 });
    await waitFor(() => receiver.received.length === 1);

    const history = await client.queryClientMessages({ ...range(), clientId: 'GID_mt@@@sender' });
    expect(history.map((e) => e.action)).toEqual(['pub_mqtt']);
    const msgId = history[0].msgId;
    expect(msgId).toMatch(/^[0-9A-F]{32}$/);
    const published = await client.queryPublishTrace({ ...range(), msgId });
    expect(published.map((e) => [e.clientId, e.action])).toEqual([['GID_mt@@@sender', 'pub_mqtt']]);
    const delivered = await client.queryDeliveryTrace({ ...range(), msgId });
    expect(delivered.map((e) => [e.clientId, e.action])).toEqual([['GID_mt@@@receiver', 'sub']]);
    const received = await client.queryClientMessages({ ...range(), clientId: 'GID_mt@@@receiver' });
    expect(received.map((e) => [e.msgId, e.action])).toEqual([[msgId, 'sub']]);
  });

  it('250 messages to one client: every one once, newest first, over three pages; a limit stops at the limit', async () => {
    const busy = await device('GID_mt@@@busy', 'mt/busy');
    for (let i = 0; i < 250; i++)
      await client.sendMessage({ instanceId: INSTANCE, topic: 'mt/busy', payload: String(i) });
    await waitFor(() => busy.received.length === 250, 20_000);
    const before = apiCalls('QueryMqttTraceMessageOfClient');
    const all = await client.queryClientMessages({ ...range(), clientId: 'GID_mt@@@busy', limit: 1000 });
    expect(apiCalls('QueryMqttTraceMessageOfClient') - before).toBe(3);
    expect(all).toHaveLength(250);
    expect(new Set(all.map((e) => e.msgId)).size).toBe(250);
    expect(isNewestFirst(all)).toBe(true);
    const some = await client.queryClientMessages({ ...range(), clientId: 'GID_mt@@@busy', limit: 120 });
    expect(some.map((e) => e.msgId)).toEqual(all.slice(0, 120).map((e) => e.msgId));
  });

  it('bad input is refused before any request, naming the field', async () => {
    const before = emu.stats().requests;
    const refusals = await Promise.all([
      client.queryPublishTrace({ ...range(), msgId: '' }).catch((e: unknown) => e),
      client.queryDeliveryTrace({ ...range(), msgId: 'X', clientId: 'bad\nid' }).catch((e: unknown) => e),
      client
        .queryClientMessages({ ...range(), clientId: 'GID_mt@@@x', from: Date.now(), to: Date.now() - 1 })
        .catch((e: unknown) => e),
      client.queryClientMessages({ ...range(), clientId: 'GID_mt@@@x', limit: 0 }).catch((e: unknown) => e),
    ]);
    expect(
      refusals.map((e) => (e instanceof OnsMqttError ? [e.code, /msgId|clientId|from|limit/.test(e.message)] : e)),
    ).toEqual(Array.from({ length: 4 }, () => ['InvalidInput', true]));
    expect(emu.stats().requests).toBe(before);
  });

  it('a permanent error of the service (wrong instance) is one request, not retried', async () => {
    const before = apiCalls('QueryMqttTraceMessagePublish');
    const error = await client
      .queryPublishTrace({ ...range(), instanceId: 'post-cn-nosuch', msgId: 'ABC' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnsMqttError);
    expect((error as OnsMqttError).code).toBe('InstancePermissionCheckFailed');
    expect(apiCalls('QueryMqttTraceMessagePublish') - before).toBe(1);
  });
});

function isNewestFirst(events: MessageTraceEvent[]): boolean {
  return events.every((e, i) => i === 0 || events[i - 1].time >= e.time);
}
