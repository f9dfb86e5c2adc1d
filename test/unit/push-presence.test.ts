/**
 * Push presence, the pure parts: the Cloud SDK login against the reference's test vector, the
 * event parser, and presence by Alibaba's rules as a property over every arrival order, with
 * duplicates (fast-check, seeded).
 */
import fc from 'fast-check';
import { cloudSdkHost, cloudSdkPassword, cloudSdkUsername } from '../../lib/push/login';
import { PushPresence } from '../../lib/push/presence';
import { deviceMessageOf } from '../../lib/push/device-message';
import { parseStatusEvent, type StatusEvent, type StatusEventType } from '../../lib/push/status-event';

const SEED = 20261203;

it('the login as the official SDKs build it (test vector computed from their formula)', () => {
  expect(cloudSdkUsername('post-cn-test0001', 'testAccessKeyId')).toBe(
    'MDpwb3N0LWNuLXRlc3QwMDAxOnRlc3RBY2Nlc3NLZXlJZA==',
  );
  expect(cloudSdkPassword('testAccessKeySecret', '1700000000000')).toBe('bEeAe78G/J7PiSRfHNkHvcVy0OE=');
  expect(cloudSdkHost('post-cn-x', 'public')).toBe('post-cn-x-server-internet.mqtt.aliyuncs.com');
  expect(cloudSdkHost('post-cn-x', 'vpc')).toBe('post-cn-x-server-internal.mqtt.aliyuncs.com');
});

it.each([
  ['', 'not-json'],
  ['null', 'not-an-object'],
  ['[1]', 'not-an-object'],
  ['{"channelId":"c","eventType":"connect","time":1}', 'no-client-id'],
  ['{"clientId":"a","eventType":"connect","time":1}', 'no-channel-id'],
  ['{"clientId":"a","channelId":"c","eventType":"online","time":1}', 'unknown-event-type'],
  ['{"clientId":"a","channelId":"c","eventType":"connect","time":-1}', 'no-time'],
  ['{"clientId":"a","channelId":"c","eventType":"connect","time":"soon"}', 'no-time'],
])('a malformed body %j is %s', (body, kind) => {
  expect(parseStatusEvent(body)).toEqual({ ok: false, kind });
});

it('a body as the service sends it', () => {
  expect(
    parseStatusEvent(
      '{"clientId":"GID_a@@@1","channelId":"c1","eventType":"tcpclean","time":1700000000123,"clientIp":"203.0.113.7","remark":"x"}',
    ),
  ).toEqual({
    ok: true,
    event: {
      clientId: 'GID_a@@@1',
      channelId: 'c1',
      eventType: 'tcpclean',
      time: 1700000000123,
      clientIp: '203.0.113.7',
    },
  });
});

/** One connection's life: it came up, maybe said goodbye, maybe ended. */
const channelLife = fc.record({ disconnect: fc.boolean(), ended: fc.boolean() });
const scenario = fc
  .array(channelLife, { minLength: 1, maxLength: 5 })
  .chain((channels) => {
    const events: StatusEvent[] = channels.flatMap((c, i) => {
      const types: StatusEventType[] = [
        'connect',
        ...(c.disconnect ? (['disconnect'] as const) : []),
        ...(c.ended ? (['tcpclean'] as const) : []),
      ];
      return types.map((eventType, k) => ({
        clientId: 'GID_p@@@d',
        channelId: `ch-${i}`,
        eventType,
        time: 1_700_000_000_000 + i * 1000 + k,
      }));
    });
    // Any arrival order, each event possibly more than once.
    return fc.tuple(
      fc.constant(channels),
      fc.shuffledSubarray([...events, ...events, ...events], {
        minLength: events.length,
        maxLength: events.length * 3,
      }),
      fc.constant(events),
    );
  })
  .filter(([, arrivals, events]) =>
    events.every((e) => arrivals.some((a) => a.channelId === e.channelId && a.eventType === e.eventType)),
  );

it('whatever the arrival order and the duplicates: online iff a channel has connect and no tcpclean; changes alternate and end where the state is', () => {
  fc.assert(
    fc.property(scenario, ([channels, arrivals]) => {
      const presence = new PushPresence();
      const changes = arrivals.map((e) => presence.apply(e)).filter((c) => c !== undefined);
      const expected = channels.some((c) => !c.ended);
      expect(presence.isOnline('GID_p@@@d')).toBe(expected);
      // Never two changes the same way in a row, and the last one is the state now.
      for (let i = 1; i < changes.length; i++) expect(changes[i].online).toBe(!changes[i - 1].online);
      if (changes.length) expect(changes[changes.length - 1].online).toBe(expected);
      else expect(expected).toBe(false);
      // A second pass of every event changes nothing: duplicates are harmless.
      expect(arrivals.map((e) => presence.apply(e)).filter((c) => c !== undefined)).toEqual([]);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

it('ended channels are kept against late duplicates until the purge, then forgotten; a live channel is never purged', () => {
  const presence = new PushPresence(60_000);
  const base = { clientId: 'GID_p@@@d', time: 1 };
  presence.apply({ ...base, channelId: 'old', eventType: 'connect' }, 0);
  presence.apply({ ...base, channelId: 'old', eventType: 'tcpclean' }, 0);
  expect(presence.apply({ ...base, channelId: 'old', eventType: 'connect' }, 1000)).toBeUndefined(); // a late duplicate
  presence.apply({ ...base, channelId: 'live', eventType: 'connect' }, 2000);
  expect(presence.purge(61_000)).toBe(1);
  expect(presence.isOnline('GID_p@@@d')).toBe(true);
  expect(presence.purge(10_000_000)).toBe(0);
});

it.each([
  [
    'all headers, a second topic with its slash',
    {
      mqttParentTopic: 'plant',
      mqttSecondTopic: '/pump/1',
      clientId: 'GID_a@@@1',
      bornTime: '1700000000123',
      mqtt5UserProperty: '[{"key":"k","value":"v"}]',
    },
    {
      topic: 'plant/pump/1',
      clientId: 'GID_a@@@1',
      bornAt: '2023-11-14T22:13:20.123Z',
      userProperties: [{ key: 'k', value: 'v' }],
    },
  ],
  ['a second topic without its slash', { mqttSecondTopic: 'pump' }, { topic: 'plant/pump' }],
  ['no headers: the parent topic consumed', {}, { topic: 'plant' }],
  [
    'unreadable headers are left out, never guessed',
    { bornTime: 'soon', mqtt5UserProperty: 'not json', clientId: 42 },
    { topic: 'plant' },
  ],
  [
    'user properties that are not key/value strings are dropped',
    { mqtt5UserProperty: '[{"key":"k"},null,{"key":"a","value":"b"}]' },
    { topic: 'plant', userProperties: [{ key: 'a', value: 'b' }] },
  ],
])('a device message: %s', (_name, headers, expected) => {
  const message = deviceMessageOf('plant', Buffer.from('x'), { headers });
  expect({ ...message, payload: undefined }).toEqual({ ...expected, payload: undefined });
});
