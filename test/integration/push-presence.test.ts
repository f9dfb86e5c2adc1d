/**
 * Push presence end to end in the core: real amqplib (through StatusSubscription) against the
 * emulator's Cloud SDK endpoint, real mqtt.js devices that connect, say goodbye or drop; presence
 * from the events by Alibaba's rules. Faults on purpose: duplicates, reordering, a dropped AMQP
 * connection, a refused login, a handler that fails, malformed bodies.
 */
import { inspect } from 'node:util';
import type { MqttClient } from 'mqtt';
import type { RunningEmulator } from '../../emulator';
import { OnsMqttError } from '../../lib/internal';
import { PushPresence, type PresenceChange } from '../../lib/push/presence';
import { StatusSubscription, type StatusSubscriptionOptions } from '../../lib/push/status-subscription';
import type { StatusEvent } from '../../lib/push/status-event';
import {
  clientFor,
  connectMqtt,
  emulatorWithSentinel,
  SENTINEL_ACCESS_KEY_ID,
  SENTINEL_SECRET,
  waitFor,
} from '../helpers/emulator';

const GROUP = 'GID_push';
let emu: RunningEmulator;
const subscriptions: StatusSubscription[] = [];
const devices: MqttClient[] = [];

beforeAll(async () => {
  emu = await emulatorWithSentinel({ amqpPort: 0 });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => emu.reset());
afterEach(async () => {
  // Every device gone (its events queued) before the next test's reset clears the queues.
  const ids = devices.map((d) => d.options.clientId!);
  for (const d of devices.splice(0)) d.end(true);
  await waitFor(() => ids.every((id) => !emu.isDeviceOnline(id)), 10_000, 'the devices offline');
  // ...and what was delivered, acknowledged: a subscription stopped before its ack gives the event to the next one (as it should).
  await waitFor(
    () => Object.values(emu.cloudSdk!.backlog()).every((q) => q.unacked === 0),
    10_000,
    'every delivery acknowledged',
  );
  await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
});

/** A subscription with presence behind it: every event, and every change it made, in order. */
function subscribe(overrides: Partial<StatusSubscriptionOptions> = {}) {
  const presence = new PushPresence();
  const events: StatusEvent[] = [];
  const changes: PresenceChange[] = [];
  const errors: OnsMqttError[] = [];
  let connects = 0;
  const sub = new StatusSubscription({
    instanceId: emu.instanceId,
    accessKeyId: SENTINEL_ACCESS_KEY_ID,
    accessKeySecret: SENTINEL_SECRET,
    groupIds: [GROUP],
    endpoint: `amqp://127.0.0.1:${emu.cloudSdk!.port}`,
    reconnect: { baseDelayMs: 50, maxDelayMs: 200 },
    onEvent: (e) => {
      events.push(e);
      const change = presence.apply(e);
      if (change) changes.push(change);
    },
    onConnected: () => connects++,
    onError: (e) => errors.push(e),
    ...overrides,
  });
  subscriptions.push(sub);
  return { sub, presence, events, changes, errors, connects: () => connects };
}

async function device(id: string): Promise<MqttClient> {
  const d = await connectMqtt(emu.mqttUrl!, id);
  devices.push(d);
  return d;
}

it('the login as the Cloud SDKs build it: Base64 of 0:instance:AccessKey, HMAC-SHA1 of a fresh signKey as the only client property of ours', async () => {
  const { sub } = subscribe();
  const before = Date.now();
  await sub.start();
  const after = Date.now();
  const [login] = emu.cloudSdk!.logins();
  expect(login).toMatchObject({ ok: true, instanceId: emu.instanceId, accessKeyId: SENTINEL_ACCESS_KEY_ID });
  expect(String(login.clientProperties.signKey)).toMatch(/^\d{13}$/);
  // Made at this dial: between the call and its end.
  expect(Number(login.clientProperties.signKey)).toBeGreaterThanOrEqual(before);
  expect(Number(login.clientProperties.signKey)).toBeLessThanOrEqual(after);
  expect(inspect(sub, { depth: 5 })).not.toContain(SENTINEL_SECRET);
  expect(JSON.stringify(sub)).not.toContain(SENTINEL_SECRET);
});

it('connect, MQTT DISCONNECT, dropped socket: one change each, the goodbye told apart, since from the event time', async () => {
  const { sub, events, changes } = subscribe();
  await sub.start();
  const a = await device(`${GROUP}@@@a`);
  const b = await device(`${GROUP}@@@b`);
  await waitFor(() => changes.length === 2, 5000, 'both online');
  a.end(); // DISCONNECT, then the socket closes
  (b as unknown as { stream: { destroy(): void } }).stream.destroy(); // no goodbye
  await waitFor(() => changes.length === 4, 10_000, 'both offline');
  await new Promise((r) => setTimeout(r, 300)); // nothing more comes
  expect(changes.map((c) => [c.clientId, c.online, c.disconnectSeen])).toEqual(
    expect.arrayContaining([
      [`${GROUP}@@@a`, false, true],
      [`${GROUP}@@@b`, false, false],
    ]),
  );
  expect(changes).toHaveLength(4);
  expect(events.filter((e) => e.clientId === `${GROUP}@@@a`).map((e) => e.eventType)).toEqual([
    'connect',
    'disconnect',
    'tcpclean',
  ]);
  expect(events.filter((e) => e.clientId === `${GROUP}@@@b`).map((e) => e.eventType)).toEqual(['connect', 'tcpclean']);
  // The channel ids are the connection trace's, and "since" is the event's own time.
  const trace = await clientFor(emu).queryConnectionTrace({
    clientId: `${GROUP}@@@b`,
    instanceId: emu.instanceId,
    from: Date.now() - 60_000,
    to: Date.now() + 1000,
  });
  expect(new Set(trace.map((t) => t.channel))).toEqual(
    new Set(events.filter((e) => e.clientId === `${GROUP}@@@b`).map((e) => e.channelId)),
  );
  const bEnd = events.find((e) => e.clientId === `${GROUP}@@@b` && e.eventType === 'tcpclean')!;
  expect(changes.find((c) => c.clientId === `${GROUP}@@@b` && !c.online)?.since).toBe(
    new Date(bEnd.time).toISOString(),
  );
});

it('duplicates and reordering: still exactly one change per connection that came and went', async () => {
  emu.cloudSdk!.setFaults({ duplicate: true, reorderWindowMs: 200 });
  const { sub, events, changes, presence } = subscribe();
  await sub.start();
  const d = await device(`${GROUP}@@@dup`);
  d.end();
  await waitFor(() => events.length >= 6, 10_000, 'every copy');
  await new Promise((r) => setTimeout(r, 400));
  // The end may arrive first: then the channel is finished before it was ever online, and nothing changes.
  expect(changes.length === 0 || changes.length === 2).toBe(true);
  expect(presence.isOnline(`${GROUP}@@@dup`)).toBe(false);
});

it('events of other groups are not given; consumers of one group share its events, each exactly once', async () => {
  const first = subscribe();
  const second = subscribe();
  const other = subscribe({ groupIds: ['GID_other'] });
  await Promise.all([first.sub.start(), second.sub.start(), other.sub.start()]);
  for (let i = 0; i < 6; i++) (await device(`${GROUP}@@@share-${i}`)).end();
  await waitFor(() => first.events.length + second.events.length === 18, 10_000, 'every event once');
  await new Promise((r) => setTimeout(r, 300));
  expect(first.events.length + second.events.length).toBe(18);
  expect(first.events.length).toBeGreaterThan(0);
  expect(second.events.length).toBeGreaterThan(0);
  expect(other.events).toEqual([]);
});

it('a refused login: a fail-class error with a hint, no retry, no secret', async () => {
  const { sub, errors } = subscribe({ accessKeySecret: 'not-the-secret' });
  const failure = (await sub.start().catch((e: unknown) => e)) as OnsMqttError;
  expect(failure).toBeInstanceOf(OnsMqttError);
  expect(failure).toMatchObject({ code: 'CloudSdkLoginRefused', retryable: false });
  expect(failure.hint).toMatch(/AccessKey/);
  expect(errors).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(emu.cloudSdk!.logins()).toHaveLength(1);
  expect(JSON.stringify({ ...failure, message: failure.message })).not.toContain('not-the-secret');
});

it('the AMQP connection dropped while devices change: reconnects with a fresh signKey, nothing lost; the subscriber is told to re-poll', async () => {
  const { sub, events, connects, errors } = subscribe();
  await sub.start();
  emu.cloudSdk!.dropConnections();
  const d = await device(`${GROUP}@@@gap`); // while it reconnects: the service keeps the events
  d.end();
  await waitFor(() => events.filter((e) => e.clientId === `${GROUP}@@@gap`).length === 3, 10_000, 'the gap events');
  expect(connects()).toBe(2);
  expect(errors.map((e) => e.code)).toContain('CloudSdkUnreachable');
  const keys = emu.cloudSdk!.logins().map((l) => String(l.clientProperties.signKey));
  expect(keys.length).toBeGreaterThanOrEqual(2);
});

it('an event is acknowledged only once handed on: a handler that fails gets it again, after a reconnect', async () => {
  let fails = 1;
  const seen: string[] = [];
  const { sub } = subscribe({
    onEvent: (e) => {
      seen.push(e.eventType);
      if (fails-- > 0) throw new Error('the flow could not take it');
    },
  });
  await sub.start();
  await device(`${GROUP}@@@redo`);
  await waitFor(() => seen.length === 2, 10_000, 'the redelivery');
  expect(seen).toEqual(['connect', 'connect']);
  await new Promise((r) => setTimeout(r, 300));
  expect(seen).toHaveLength(2);
  expect(emu.cloudSdk!.backlog()[`STATUS/${GROUP}`]).toEqual({ waiting: 0, unacked: 0 });
});

it('malformed bodies are counted, told once per kind, and acknowledged (no redelivery loop)', async () => {
  const told: string[] = [];
  const { sub, events } = subscribe({ onMalformed: (kind) => told.push(kind) });
  await sub.start();
  for (const body of [
    'not json',
    '[]',
    '{"clientId":"x"}',
    '{"clientId":"x","channelId":"c","eventType":"explode","time":1}',
    'not json',
  ]) {
    emu.cloudSdk!.publishStatusBody(GROUP, body);
  }
  await device(`${GROUP}@@@after`);
  await waitFor(() => events.length === 1, 10_000, 'the good event after the bad ones').catch((e: Error) => {
    throw new Error(
      `${e.message}: ${JSON.stringify({ events, told, malformed: sub.malformed, backlog: emu.cloudSdk!.backlog() })}`,
    );
  });
  expect(told).toEqual(['not-json', 'not-an-object', 'no-channel-id', 'unknown-event-type']);
  expect(sub.malformed).toEqual({ 'not-json': 2, 'not-an-object': 1, 'no-channel-id': 1, 'unknown-event-type': 1 });
  // Acknowledgements travel over the socket: each arrives, none is given again.
  await waitFor(() => emu.cloudSdk!.backlog()[`STATUS/${GROUP}`].unacked === 0, 5000, 'every body acknowledged');
  await new Promise((r) => setTimeout(r, 300));
  expect(emu.cloudSdk!.backlog()[`STATUS/${GROUP}`]).toEqual({ waiting: 0, unacked: 0 });
  expect(events).toHaveLength(1);
});

it('device messages under a parent topic: topic, payload, the sending Client ID and born time; acknowledged after hand-off, given again when it failed', async () => {
  const got: Array<{ topic: string; payload: string; clientId?: string; bornAt?: string }> = [];
  let failFirst = true;
  const before = Date.now();
  const { sub } = subscribe({
    parentTopics: ['plant'],
    onMessage: (m) => {
      if (failFirst) {
        failFirst = false;
        throw new Error('the flow could not take it');
      }
      got.push({ topic: m.topic, payload: m.payload.toString('utf8'), clientId: m.clientId, bornAt: m.bornAt });
    },
  });
  await sub.start();
  const d = await device(`${GROUP}@@@pump-7`);
  await new Promise<void>((r) => d.publish('plant/pump-7/battery', '{"level":12}', { qos: 1 }, () => r()));
  await new Promise<void>((r) => d.publish('other/x', 'not for us', { qos: 1 }, () => r()));
  await waitFor(() => got.length === 1, 10_000, 'the message, at the second delivery');
  expect(got[0]).toMatchObject({
    topic: 'plant/pump-7/battery',
    payload: '{"level":12}',
    clientId: `${GROUP}@@@pump-7`,
  });
  expect(Date.parse(got[0].bornAt!)).toBeGreaterThanOrEqual(before);
  await waitFor(() => (emu.cloudSdk!.backlog()['TOPIC/plant']?.unacked ?? 0) === 0, 5000, 'acknowledged');
  await new Promise((r) => setTimeout(r, 300));
  expect(got).toHaveLength(1);
});
